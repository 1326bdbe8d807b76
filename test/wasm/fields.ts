// Portable: little-endian field helpers shared by the harness drivers (iso7816-drivers.ts,
// iso7816-link.ts, lockbox-drivers.ts), which lay out every decoded field as 32-bit words so the
// WASM and TypeScript builds' outputs can be compared byte for byte.

/** Writes v as a little-endian 32-bit word at out[at..at+4); returns the offset after it. */
export function put32(out: Uint8Array, at: i32, v: i32): i32 {
  out[at] = u8(v);
  out[at + 1] = u8(v >> 8);
  out[at + 2] = u8(v >> 16);
  out[at + 3] = u8(v >> 24);
  return at + 4;
}

/** The little-endian 32-bit word at buf[at..at+4). */
export function get32(buf: Uint8Array, at: i32): u32 {
  return u32(u32(buf[at]) | (u32(buf[at + 1]) << 8) | (u32(buf[at + 2]) << 16) | (u32(buf[at + 3]) << 24));
}

/** The little-endian 16-bit word at buf[at..at+2). */
export function get16(buf: Uint8Array, at: i32): i32 {
  return i32(buf[at]) | (i32(buf[at + 1]) << 8);
}
