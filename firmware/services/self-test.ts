/**
 * The self-test a test-booted image runs before it confirms itself (protocol/SPEC.md Image §7.3):
 * the crypto it cannot work without, against published answers. A failure means the image must
 * not stay: the caller resets and the boot code puts the old image back.
 */
import { Aes128 } from "../crypto/aes";
import { Sha256 } from "../crypto/sha256";

const block = new Uint8Array(32);
const sha = new Sha256();

/** Writes bytes a + i·step (i = 0..15) at out[off..off+16). */
function ramp(out: Uint8Array, off: i32, a: i32, step: i32): void {
  for (let i = 0; i < 16; i++) out[off + i] = u8(a + i * step);
}

/** AES-128 (FIPS 197 App. C.1: key 00..0f, plaintext 00 11 .. ff) and SHA-256 (FIPS 180 "abc"); true when both answer right. */
export function cryptoSelfTest(aes: Aes128): bool {
  ramp(block, 0, 0x00, 0x01);
  ramp(block, 16, 0x00, 0x11);
  aes.setKey(block, 0);
  aes.encryptBlock(block, 16, block, 16);
  // 69c4e0d86a7b0430d8cdb78070b4c55a
  const ok = block[16] == 0x69 && block[17] == 0xc4 && block[20] == 0x6a && block[24] == 0xd8 && block[31] == 0x5a;
  block[0] = 0x61; block[1] = 0x62; block[2] = 0x63;
  sha.begin();
  sha.update(block.dataStart, 3);
  sha.finish(block.dataStart);
  // ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
  const hashOk = block[0] == 0xba && block[1] == 0x78 && block[30] == 0x15 && block[31] == 0xad;
  block.fill(0);
  return ok && hashOk && aes.lastError == 0;
}
