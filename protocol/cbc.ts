/**
 * AES-CBC encryption with ISO/IEC 9797-1 padding method 2 (80 00..), the way both secure channels
 * encrypt data: OSDP Annex D.4 and GlobalPlatform SCP03 (Amd D §6.2.6, §6.2.7). Over the injected
 * BlockCipher (protocol/blockcipher.ts).
 */
import { BlockCipher } from "./blockcipher";

/**
 * Encrypts src[sOff..sOff+len) || 80 || 00.. (always padded, up to the next multiple of 16) in CBC
 * mode under the key already loaded in `bc`, into dst[dOff..]. `chain` holds the 16-byte IV on entry
 * and the last ciphertext block on return. src and dst may be the same window; the caller checks
 * both windows. Returns the padded length.
 */
export function cbcEncryptPadded(bc: BlockCipher, chain: Uint8Array, src: Uint8Array, sOff: i32, len: i32, dst: Uint8Array, dOff: i32): i32 {
  const padded = (i32(len / 16) + 1) * 16;
  for (let at = 0; at < padded; at += 16) {
    for (let i = 0; i < 16; i++) {
      const p = at + i;
      const v: u32 = p < len ? u32(src[sOff + p]) : p == len ? 0x80 : 0;
      chain[i] = u8(u32(chain[i]) ^ v);
    }
    bc.encryptBlock(chain, 0, chain, 0);
    for (let i = 0; i < 16; i++) dst[dOff + at + i] = chain[i];
  }
  return padded;
}
