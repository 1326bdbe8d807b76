/**
 * Window checks and the constant-time helpers of firmware/crypto: comparison, zeroization and
 * RFC 4226 dynamic truncation.
 */

/** True when [off, off+len) lies inside buf and neither part is negative (no overflow). */
@inline export function inWindow(buf: Uint8Array, off: i32, len: i32): bool {
  return off >= 0 && len >= 0 && off <= buf.length - len;
}

/** Compares len bytes at a and b in time that depends only on len (docs/ARCHITECTURE.md §5). */
export function ctEqualAt(a: usize, b: usize, len: i32): bool {
  let diff: u32 = 0;
  for (let i = 0; i < len; i++) diff |= <u32>(load<u8>(a + <usize>i) ^ load<u8>(b + <usize>i));
  return diff == 0;
}

/** All ones when x == y, else zero, without a branch. */
@inline function eqMask(x: u32, y: u32): u32 {
  const d = x ^ y;
  return ((d | (0 - d)) >> 31) - 1;
}

/**
 * RFC 4226 §5.3 dynamic truncation of the len-byte MAC at p (len >= 20): offset = low 4 bits of
 * the last byte, value = the 31 bits at that offset. All 16 candidate offsets are read and the
 * right one selected by mask, so no load address depends on the MAC.
 */
export function dynamicTruncateAt(p: usize, len: i32): u32 {
  const offset = <u32>load<u8>(p + <usize>(len - 1)) & 0x0f;
  let value: u32 = 0;
  for (let i = 0; i < 16; i++) {
    const word = bswap<u32>(load<u32>(p + <usize>i));
    value |= word & eqMask(<u32>i, offset);
  }
  return value & 0x7fffffff;
}
