/**
 * Check codes used by the wire formats, parameterised as in the Rocksoft model of the CRC RevEng
 * catalogue (width, poly, init, refin/refout, xorout).
 *
 * - OSDP (SIA OSDP v2.2 §5.7): CRC-16/AUG-CCITT (catalogue name CRC-16/SPI-FUJITSU), poly 0x1021,
 *   init 0x1D0F, not reflected; sent low byte first. The 8-bit checksum is the alternative.
 * - ISO/IEC 7816-3 §11.4.4 T=1 epilogue: LRC (XOR of the block) or a 16-bit CRC; Linux pcsc-lite
 *   CCID sends CRC-16/MCRF4XX high byte first (see protocol/iso7816 for the choice we make).
 * - CRC-32/ISO-HDLC: integrity of records that are also MAC'd (flash journal, EEPROM pages), to
 *   tell a torn write from tampering cheaply.
 *
 * Every function checks its window once and returns 0 for a window outside the buffer (callers
 * pass validated windows), so the byte loops run without per-byte bounds checks in WASM.
 */
import { inBounds } from "./bytes";

function buildMsbTable16(poly: u32): Uint16Array {
  const table = new Uint16Array(256);
  for (let n = 0; n < 256; n++) {
    let c = u32(n) << 8;
    for (let k = 0; k < 8; k++) c = (c & 0x8000) != 0 ? ((c << 1) ^ poly) & 0xffff : (c << 1) & 0xffff;
    table[n] = u16(c);
  }
  return table;
}

function buildLsbTable32(polyReflected: u32): Uint32Array {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = u32(n);
    for (let k = 0; k < 8; k++) c = (c & 1) != 0 ? u32((c >>> 1) ^ polyReflected) : c >>> 1;
    table[n] = c;
  }
  return table;
}

const AUG_CCITT_TABLE: Uint16Array = buildMsbTable16(0x1021);
const CRC32_TABLE: Uint32Array = buildLsbTable32(0xedb88320);

/** CRC-16/AUG-CCITT over buf[off..off+len): the OSDP packet CRC (poly 0x1021, init 0x1D0F). */
export function crc16AugCcitt(buf: Uint8Array, off: i32, len: i32): u16 {
  if (!inBounds(buf, off, len)) return 0;
  const table = AUG_CCITT_TABLE;
  const end = off + len;
  let crc: u32 = 0x1d0f;
  for (let i = off; i < end; i++) {
    crc = ((crc << 8) ^ u32(unchecked(table[((crc >>> 8) ^ u32(unchecked(buf[i]))) & 0xff]))) & 0xffff;
  }
  return u16(crc);
}

/** Bit-serial CRC-16 with refin = refout = false (e.g. CRC-16/XMODEM, CRC-16/IBM-3740). */
export function crc16Msb(poly: u32, init: u32, xorout: u32, buf: Uint8Array, off: i32, len: i32): u16 {
  if (!inBounds(buf, off, len)) return 0;
  let crc = init & 0xffff;
  for (let i = 0; i < len; i++) {
    crc ^= u32(unchecked(buf[off + i])) << 8;
    for (let k = 0; k < 8; k++) crc = (crc & 0x8000) != 0 ? ((crc << 1) ^ poly) & 0xffff : (crc << 1) & 0xffff;
  }
  return u16(crc ^ xorout);
}

/**
 * Bit-serial CRC-16 with refin = refout = true; `polyReflected` is the bit-reversed polynomial
 * (0x8408 for 0x1021, 0xA001 for 0x8005). E.g. CRC-16/KERMIT, /MCRF4XX, /ARC, /IBM-SDLC.
 */
export function crc16Lsb(polyReflected: u32, init: u32, xorout: u32, buf: Uint8Array, off: i32, len: i32): u16 {
  if (!inBounds(buf, off, len)) return 0;
  let crc = init & 0xffff;
  for (let i = 0; i < len; i++) {
    crc ^= u32(unchecked(buf[off + i]));
    for (let k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >>> 1) ^ polyReflected : crc >>> 1;
  }
  return u16(crc ^ xorout);
}

/** Bit-serial CRC-32 with refin = refout = true (CRC-32/ISO-HDLC: 0xEDB88320; CRC-32/ISCSI: 0x82F63B78). */
export function crc32Lsb(polyReflected: u32, init: u32, xorout: u32, buf: Uint8Array, off: i32, len: i32): u32 {
  if (!inBounds(buf, off, len)) return 0;
  let crc = init;
  for (let i = 0; i < len; i++) {
    crc = u32(crc ^ u32(unchecked(buf[off + i])));
    for (let k = 0; k < 8; k++) crc = (crc & 1) != 0 ? u32((crc >>> 1) ^ polyReflected) : crc >>> 1;
  }
  return u32(crc ^ xorout);
}

/** CRC-32/ISO-HDLC (the zlib/Ethernet CRC), table-driven. */
export function crc32(buf: Uint8Array, off: i32, len: i32): u32 {
  return crc32Continue(0, buf, off, len);
}

/**
 * CRC-32/ISO-HDLC of (the bytes whose CRC-32 is `prev`) ‖ buf[off..off+len): a CRC computed in
 * pieces, e.g. over a file arriving in fragments. crc32Continue(0, …) is crc32(…). Returns `prev`
 * for a window outside buf.
 */
export function crc32Continue(prev: u32, buf: Uint8Array, off: i32, len: i32): u32 {
  if (!inBounds(buf, off, len)) return prev;
  let crc: u32 = u32(prev ^ 0xffffffff);
  for (let i = 0; i < len; i++) {
    crc = u32(unchecked(CRC32_TABLE[(crc ^ u32(unchecked(buf[off + i]))) & 0xff]) ^ (crc >>> 8));
  }
  return u32(crc ^ 0xffffffff);
}

/** ISO/IEC 7816-3 §11.4.4 LRC: XOR of all bytes; a block with its LRC appended XORs to 0. */
export function lrc8(buf: Uint8Array, off: i32, len: i32): u8 {
  if (!inBounds(buf, off, len)) return 0;
  let x: u32 = 0;
  for (let i = 0; i < len; i++) x ^= u32(unchecked(buf[off + i]));
  return u8(x);
}

/** OSDP 8-bit checksum: two's complement of the byte sum, so that the packet sums to 0 mod 256. */
export function osdpChecksum(buf: Uint8Array, off: i32, len: i32): u8 {
  if (!inBounds(buf, off, len)) return 0;
  let sum: u32 = 0;
  for (let i = 0; i < len; i++) sum += u32(unchecked(buf[off + i]));
  return u8(u32(0x100 - (sum & 0xff)));
}
