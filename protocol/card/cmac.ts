/**
 * AES-CMAC (NIST SP 800-38B, RFC 4493) over the injected BlockCipher, and the SP 800-108 counter
 * KDF with the GlobalPlatform SCP03 derivation-data layout (GP Amd D §6.2.2) built on it. Both the
 * SCP03 secure channel and the key diversification of spec §5 use these, in firmware and in Node.
 */
import { BlockCipher } from "../blockcipher";

const subkey1 = new Uint8Array(16);
const subkey2 = new Uint8Array(16);
const state = new Uint8Array(16);
const kdfInput = new Uint8Array(16 + 64);

function doubleBlock(src: Uint8Array, dst: Uint8Array): void {
  const carry = (u32(src[0]) & 0x80) != 0;
  for (let i = 0; i < 15; i++) dst[i] = u8((u32(src[i]) << 1) | (u32(src[i + 1]) >>> 7));
  dst[15] = u8(u32(src[15]) << 1);
  if (carry) dst[15] = u8(u32(dst[15]) ^ 0x87);
}

/**
 * Writes the 16-byte AES-CMAC of msg[off..off+len) under the AES-128 key at key[keyOff..] to
 * out[outOff..] (SP 800-38B §6.2). Leaves `bc` keyed with that key.
 */
export function aesCmac(bc: BlockCipher, key: Uint8Array, keyOff: i32, msg: Uint8Array, off: i32, len: i32, out: Uint8Array, outOff: i32): void {
  bc.setKey(key, keyOff);
  for (let i = 0; i < 16; i++) state[i] = 0;
  bc.encryptBlock(state, 0, state, 0);
  doubleBlock(state, subkey1);
  doubleBlock(subkey1, subkey2);
  const blocks = len == 0 ? 1 : i32((len + 15) / 16);
  const lastFull = len > 0 && len % 16 == 0;
  for (let i = 0; i < 16; i++) state[i] = 0;
  for (let b = 0; b < blocks - 1; b++) {
    for (let i = 0; i < 16; i++) state[i] = u8(u32(state[i]) ^ u32(msg[off + b * 16 + i]));
    bc.encryptBlock(state, 0, state, 0);
  }
  const lastAt = (blocks - 1) * 16;
  const lastLen = len - lastAt;
  for (let i = 0; i < 16; i++) {
    let m: u32 = 0;
    if (i < lastLen) m = u32(msg[off + lastAt + i]);
    else if (i == lastLen) m = 0x80;
    const k = lastFull ? u32(subkey1[i]) : u32(subkey2[i]);
    state[i] = u8(u32(state[i]) ^ m ^ k);
  }
  bc.encryptBlock(state, 0, state, 0);
  for (let i = 0; i < 16; i++) out[outOff + i] = state[i];
}

/** Longest KDF context kdfCmac accepts (bytes). */
export const KDF_MAX_CONTEXT: i32 = 64;

/**
 * NIST SP 800-108 counter-mode KDF with AES-CMAC, derivation data laid out as SCP03 (GP Amd D
 * §6.2.2): 11 × 00 || constant || 00 || L (u16 BE, bits) || i || context. Writes lengthBits / 8
 * bytes (a multiple of 8 bits, at most 256) to out[outOff..]. Returns false, writing nothing,
 * when the context is longer than KDF_MAX_CONTEXT or the length is out of range.
 */
export function kdfCmac(bc: BlockCipher, key: Uint8Array, keyOff: i32, constant: u8, context: Uint8Array, ctxOff: i32, ctxLen: i32, lengthBits: i32, out: Uint8Array, outOff: i32): bool {
  if (ctxLen < 0 || ctxLen > KDF_MAX_CONTEXT || lengthBits <= 0 || lengthBits > 256 || lengthBits % 8 != 0) return false;
  for (let i = 0; i < 16; i++) kdfInput[i] = 0;
  kdfInput[11] = constant;
  kdfInput[13] = u8(lengthBits >>> 8);
  kdfInput[14] = u8(lengthBits);
  for (let i = 0; i < ctxLen; i++) kdfInput[16 + i] = context[ctxOff + i];
  const bytes = i32(lengthBits / 8);
  for (let at = 0, counter = 1; at < bytes; at += 16, counter++) {
    kdfInput[15] = u8(counter);
    aesCmac(bc, key, keyOff, kdfInput, 0, 16 + ctxLen, state, 0);
    const n = bytes - at < 16 ? bytes - at : 16;
    for (let i = 0; i < n; i++) out[outOff + at + i] = state[i];
  }
  return true;
}
