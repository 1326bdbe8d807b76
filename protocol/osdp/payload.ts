/**
 * Helpers and field classes shared by the OSDP payload codecs (commands.ts, replies.ts). Every
 * codec has the shape encode(fields, out, off, cap): i32 / decode(buf, off, len, into): i32:
 * the decoder validates the whole payload before writing `into`, the encoder checks every field
 * and the room before writing `out`.
 */
import { copyBytes, inBounds } from "../bytes";
import { ERR_OUTPUT_TOO_SMALL, ERR_BAD_ARGUMENT } from "../errors";
import { ERR_OSDP_BAD_PAYLOAD_LENGTH, ERR_OSDP_TOO_MANY } from "./errors";
import { OSDP_MAX_PACKET } from "./packet";

/** Most payload bytes one packet can carry (OSDP_MAX_PACKET less the smallest header and trailer). */
export const OSDP_MAX_DATA: i32 = OSDP_MAX_PACKET - 7;

/** ERR_BAD_ARGUMENT when buf[off..off+len) is not a window of buf, else 0. */
export function windowError(buf: Uint8Array, off: i32, len: i32): i32 {
  return inBounds(buf, off, len) ? 0 : ERR_BAD_ARGUMENT;
}

/** ERR_OUTPUT_TOO_SMALL when `need` bytes do not fit in out[off..off+cap), else 0. */
export function roomError(out: Uint8Array, off: i32, cap: i32, need: i32): i32 {
  return !inBounds(out, off, cap) || need > cap ? ERR_OUTPUT_TOO_SMALL : 0;
}

/** Little-endian u16 at buf[at]. */
export function getU16(buf: Uint8Array, at: i32): i32 {
  return i32(buf[at]) | (i32(buf[at + 1]) << 8);
}

/** Little-endian 24-bit value at buf[at]: the vendor code (IEEE OUI) of §6.22, §7.4, §7.25. */
export function getU24(buf: Uint8Array, at: i32): u32 {
  return u32(u32(buf[at]) | (u32(buf[at + 1]) << 8) | (u32(buf[at + 2]) << 16));
}

/** Little-endian u32 at buf[at]. */
export function getU32(buf: Uint8Array, at: i32): u32 {
  return u32(u32(buf[at]) | (u32(buf[at + 1]) << 8) | (u32(buf[at + 2]) << 16) | (u32(buf[at + 3]) << 24));
}

/** Writes a little-endian u16. */
export function putU16(out: Uint8Array, at: i32, v: i32): void {
  out[at] = u8(v);
  out[at + 1] = u8(v >>> 8);
}

/** Writes the low 24 bits of v little-endian (a vendor code). */
export function putU24(out: Uint8Array, at: i32, v: u32): void {
  out[at] = u8(v);
  out[at + 1] = u8(v >>> 8);
  out[at + 2] = u8(v >>> 16);
}

/** Writes a little-endian u32. */
export function putU32(out: Uint8Array, at: i32, v: u32): void {
  out[at] = u8(v);
  out[at + 1] = u8(v >>> 8);
  out[at + 2] = u8(v >>> 16);
  out[at + 3] = u8(v >>> 24);
}

/**
 * A message without data (osdp_POLL §6.1, osdp_LSTAT §6.4, osdp_ACK §7.2, osdp_BUSY §7.18).
 * Returns 0, or ERR_OSDP_BAD_PAYLOAD_LENGTH when data is present.
 */
export function decodeEmpty(buf: Uint8Array, off: i32, len: i32): i32 {
  const w = windowError(buf, off, len);
  if (w != 0) return w;
  return len == 0 ? 0 : ERR_OSDP_BAD_PAYLOAD_LENGTH;
}

/** Encodes a message without data: nothing to write, always 0. */
export function encodeEmpty(): i32 {
  return 0;
}

/** Vendor code (IEEE OUI, 3 bytes) followed by vendor data: osdp_MFG §6.22 and osdp_MFGREP §7.25. */
export class OsdpVendorData {
  /** The 24-bit vendor code as sent, first byte in bits 0-7. */
  vendor: u32 = 0;
  data: Uint8Array = new Uint8Array(OSDP_MAX_DATA);
  dataLen: i32 = 0;
}

/** Decodes vendor code + data (§6.22, §7.25). Returns len or ERR_OSDP_BAD_PAYLOAD_LENGTH (< 3 bytes). */
export function decodeVendorData(buf: Uint8Array, off: i32, len: i32, into: OsdpVendorData): i32 {
  const w = windowError(buf, off, len);
  if (w != 0) return w;
  if (len < 3) return ERR_OSDP_BAD_PAYLOAD_LENGTH;
  if (len - 3 > into.data.length) return ERR_OSDP_TOO_MANY;
  into.vendor = getU24(buf, off);
  into.dataLen = len - 3;
  copyBytes(buf, off + 3, into.data, 0, len - 3);
  return len;
}

/** Encodes vendor code + data (§6.22, §7.25). */
export function encodeVendorData(f: OsdpVendorData, out: Uint8Array, off: i32, cap: i32): i32 {
  if (f.vendor > 0xffffff || f.dataLen < 0 || f.dataLen > f.data.length) return ERR_BAD_ARGUMENT;
  const n = 3 + f.dataLen;
  const r = roomError(out, off, cap, n);
  if (r != 0) return r;
  putU24(out, off, f.vendor);
  copyBytes(f.data, 0, out, off + 3, f.dataLen);
  return n;
}

/** A fixed-size byte string (CHLNG RND.A §6.18, SCRYPT §6.19, RMAC_I §7.17). */
export class OsdpFixedBytes {
  readonly bytes: Uint8Array;
  constructor(size: i32) {
    this.bytes = new Uint8Array(size);
  }
}

/** Decodes a payload that is exactly into.bytes.length bytes. */
export function decodeFixedBytes(buf: Uint8Array, off: i32, len: i32, into: OsdpFixedBytes): i32 {
  const w = windowError(buf, off, len);
  if (w != 0) return w;
  if (len != into.bytes.length) return ERR_OSDP_BAD_PAYLOAD_LENGTH;
  copyBytes(buf, off, into.bytes, 0, len);
  return len;
}

/** Encodes a fixed-size byte string. */
export function encodeFixedBytes(f: OsdpFixedBytes, out: Uint8Array, off: i32, cap: i32): i32 {
  const n = f.bytes.length;
  const r = roomError(out, off, cap, n);
  if (r != 0) return r;
  copyBytes(f.bytes, 0, out, off, n);
  return n;
}

/** ERR_OSDP_TOO_MANY when `count` records exceed `capacity`, else 0. */
export function capacityError(count: i32, capacity: i32): i32 {
  return count > capacity ? ERR_OSDP_TOO_MANY : 0;
}
