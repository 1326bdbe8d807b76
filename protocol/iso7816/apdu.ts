/**
 * ISO/IEC 7816-4 §5.1 command and response APDUs, decoded by the case rules of ISO/IEC 7816-3
 * §12.1.3: header CLA INS P1 P2, then a body of L bytes whose first byte B1 selects
 *   L = 0                       case 1
 *   L = 1                       case 2S   Le = B1 (00 means 256)
 *   L = 1 + B1, B1 != 0         case 3S   Lc = B1
 *   L = 2 + B1, B1 != 0         case 4S   Lc = B1, Le = last byte (00 means 256)
 *   L = 3, B1 = 0               case 2E   Le = B2 B3 (0000 means 65536)
 *   L = 3 + Lc, B1 = 0, Lc != 0 case 3E   Lc = B2 B3
 *   L = 5 + Lc, B1 = 0, Lc != 0 case 4E   Lc = B2 B3, Le = last two (0000 means 65536)
 * Data is never copied: the decoded command points into the caller's buffer.
 */
import { ERR_TRUNCATED, ERR_OUTPUT_TOO_SMALL, ERR_BAD_ARGUMENT } from "../errors";
import { ERR_APDU_LC_MISMATCH, ERR_APDU_BAD_EXTENDED, ERR_APDU_EXT_LC_MISMATCH } from "./errors";
import { copyBytes, inBounds } from "../bytes";

/** Longest extended command APDU: header, 00 Lc Lc, 65535 data bytes, Le Le. */
export const APDU_MAX_EXTENDED: i32 = 4 + 3 + 65535 + 2;

/** A decoded (or to-be-encoded) command APDU. Nc = data length, Ne = expected response length (0 = none). */
export class CommandApdu {
  cla: i32 = 0;
  ins: i32 = 0;
  p1: i32 = 0;
  p2: i32 = 0;
  /** ISO case 1..4. */
  apduCase: i32 = 1;
  extended: bool = false;
  /** Absolute offset of the command data in the buffer it was decoded from. */
  dataOff: i32 = 0;
  nc: i32 = 0;
  /** Maximum response data length: 0 (absent), 1..256 short, 1..65536 extended. */
  ne: i32 = 0;

  set(cla: i32, ins: i32, p1: i32, p2: i32, nc: i32, ne: i32, extended: bool): CommandApdu {
    this.cla = cla;
    this.ins = ins;
    this.p1 = p1;
    this.p2 = p2;
    this.nc = nc;
    this.ne = ne;
    this.extended = extended;
    this.apduCase = nc == 0 ? (ne == 0 ? 1 : 2) : ne == 0 ? 3 : 4;
    this.dataOff = 0;
    return this;
  }
}

/**
 * Decodes the command APDU buf[off..off+len) into `into`; returns len or ERR_TRUNCATED (< 4 bytes),
 * ERR_APDU_LC_MISMATCH, ERR_APDU_BAD_EXTENDED, ERR_APDU_EXT_LC_MISMATCH. `into` is unchanged on error.
 */
export function decodeCommandApdu(buf: Uint8Array, off: i32, len: i32, into: CommandApdu): i32 {
  if (!inBounds(buf, off, len)) return ERR_BAD_ARGUMENT;
  if (len < 4) return ERR_TRUNCATED;
  const l = len - 4;
  const b = off + 4;
  let apduCase: i32;
  let extended = false;
  let nc = 0;
  let ne = 0;
  let dataOff = b;
  if (l == 0) {
    apduCase = 1;
  } else if (l == 1) {
    apduCase = 2;
    ne = buf[b] == 0 ? 256 : i32(buf[b]);
  } else if (buf[b] != 0) {
    const b1 = i32(buf[b]);
    dataOff = b + 1;
    nc = b1;
    if (l == 1 + b1) {
      apduCase = 3;
    } else if (l == 2 + b1) {
      apduCase = 4;
      ne = buf[b + l - 1] == 0 ? 256 : i32(buf[b + l - 1]);
    } else {
      return ERR_APDU_LC_MISMATCH;
    }
  } else {
    if (l < 3) return ERR_APDU_BAD_EXTENDED;
    extended = true;
    const w = (i32(buf[b + 1]) << 8) | i32(buf[b + 2]);
    if (l == 3) {
      apduCase = 2;
      ne = w == 0 ? 65536 : w;
    } else {
      if (w == 0) return ERR_APDU_BAD_EXTENDED;
      dataOff = b + 3;
      nc = w;
      if (l == 3 + w) {
        apduCase = 3;
      } else if (l == 5 + w) {
        apduCase = 4;
        const le = (i32(buf[b + l - 2]) << 8) | i32(buf[b + l - 1]);
        ne = le == 0 ? 65536 : le;
      } else {
        return ERR_APDU_EXT_LC_MISMATCH;
      }
    }
  }
  into.cla = i32(buf[off]);
  into.ins = i32(buf[off + 1]);
  into.p1 = i32(buf[off + 2]);
  into.p2 = i32(buf[off + 3]);
  into.apduCase = apduCase;
  into.extended = extended;
  into.dataOff = nc > 0 ? dataOff : b;
  into.nc = nc;
  into.ne = ne;
  return len;
}

/** Bytes encodeCommandApdu will write for `c`, or ERR_BAD_ARGUMENT. */
export function commandApduLength(c: CommandApdu): i32 {
  if (c.nc < 0 || c.nc > 65535 || c.ne < 0 || c.ne > 65536) return ERR_BAD_ARGUMENT;
  if (c.cla < 0 || c.cla > 0xff || c.ins < 0 || c.ins > 0xff || c.p1 < 0 || c.p1 > 0xff || c.p2 < 0 || c.p2 > 0xff) return ERR_BAD_ARGUMENT;
  const ext = c.extended || c.nc > 255 || c.ne > 256;
  if (!ext) return 4 + (c.nc > 0 ? 1 + c.nc : 0) + (c.ne > 0 ? 1 : 0);
  if (c.nc == 0) return c.ne == 0 ? 4 : 7;
  return 7 + c.nc + (c.ne > 0 ? 2 : 0);
}

/**
 * Encodes `c` with data src[srcOff..srcOff+c.nc): the short form unless c.extended is set or Nc/Ne
 * need the extended form (a case-1 APDU has no extended form). Returns the length or
 * ERR_BAD_ARGUMENT / ERR_OUTPUT_TOO_SMALL; writes nothing on error.
 */
export function encodeCommandApdu(c: CommandApdu, src: Uint8Array, srcOff: i32, out: Uint8Array, off: i32, cap: i32): i32 {
  const total = commandApduLength(c);
  if (total < 0) return total;
  if (cap < total) return ERR_OUTPUT_TOO_SMALL;
  out[off] = u8(c.cla);
  out[off + 1] = u8(c.ins);
  out[off + 2] = u8(c.p1);
  out[off + 3] = u8(c.p2);
  let pos = off + 4;
  const ext = c.extended || c.nc > 255 || c.ne > 256;
  if (!ext) {
    if (c.nc > 0) {
      out[pos++] = u8(c.nc);
      copyBytes(src, srcOff, out, pos, c.nc);
      pos += c.nc;
    }
    if (c.ne > 0) out[pos] = u8(c.ne);
    return total;
  }
  if (c.nc == 0 && c.ne == 0) return total;
  out[pos++] = 0;
  if (c.nc > 0) {
    out[pos++] = u8(c.nc >> 8);
    out[pos++] = u8(c.nc);
    copyBytes(src, srcOff, out, pos, c.nc);
    pos += c.nc;
  }
  if (c.ne > 0) {
    out[pos] = u8(c.ne >> 8);
    out[pos + 1] = u8(c.ne);
  }
  return total;
}

/** A decoded response APDU: data at dataOff..dataOff+dataLen of the caller's buffer, then SW1 SW2. */
export class ResponseApdu {
  dataOff: i32 = 0;
  dataLen: i32 = 0;
  sw: i32 = 0;
}

/** Decodes a response APDU (data + SW1 SW2); returns len or ERR_TRUNCATED (< 2 bytes). 7816-4 §5.1. */
export function decodeResponseApdu(buf: Uint8Array, off: i32, len: i32, into: ResponseApdu): i32 {
  if (!inBounds(buf, off, len)) return ERR_BAD_ARGUMENT;
  if (len < 2) return ERR_TRUNCATED;
  into.dataOff = off;
  into.dataLen = len - 2;
  into.sw = (i32(buf[off + len - 2]) << 8) | i32(buf[off + len - 1]);
  return len;
}

/** Writes data src[srcOff..srcOff+n) then SW1 SW2; returns n + 2 or ERR_BAD_ARGUMENT / ERR_OUTPUT_TOO_SMALL. */
export function encodeResponseApdu(src: Uint8Array, srcOff: i32, n: i32, sw: i32, out: Uint8Array, off: i32, cap: i32): i32 {
  if (n < 0 || n > 65536 || sw < 0 || sw > 0xffff) return ERR_BAD_ARGUMENT;
  if (cap < n + 2) return ERR_OUTPUT_TOO_SMALL;
  copyBytes(src, srcOff, out, off, n);
  out[off + n] = u8(sw >> 8);
  out[off + n + 1] = u8(sw);
  return n + 2;
}
