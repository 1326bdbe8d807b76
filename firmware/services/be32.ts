/**
 * Big-endian u32 fields in place: every multi-byte field of the firmware's flash records and
 * service replies is big-endian (protocol/SPEC.md Lockbox §2, §6; Reader §2.2). Portable
 * AssemblyScript; the caller guarantees b[o..o+4) is inside b.
 */

/** The big-endian u32 at b[o..o+4). */
export function readU32BE(b: Uint8Array, o: i32): u32 {
  return u32((u32(b[o]) << 24) | (u32(b[o + 1]) << 16) | (u32(b[o + 2]) << 8) | u32(b[o + 3]));
}

/** Writes v big-endian at b[o..o+4). */
export function writeU32BE(b: Uint8Array, o: i32, v: u32): void {
  b[o] = u8(v >>> 24);
  b[o + 1] = u8(v >>> 16);
  b[o + 2] = u8(v >>> 8);
  b[o + 3] = u8(v);
}
