/**
 * Payload codecs for the OSDP v2.2 replies the lockbox and reader use (§7). ACK and BUSY carry
 * no data (decodeEmpty); COM shares OsdpComSettings with COMSET; MFGREP uses OsdpVendorData;
 * RMAC_I uses OsdpFixedBytes(16).
 */
import { copyBytes } from "../bytes";
import { ERR_BAD_ARGUMENT } from "../errors";
import { ERR_OSDP_BAD_PAYLOAD_LENGTH, ERR_OSDP_BAD_FIELD, ERR_OSDP_TOO_MANY } from "./errors";
import { NAK_REASON_MAX } from "./codes";
import { OSDP_MAX_DATA, windowError, roomError, getU16, getU24, getU32, putU16, putU24, putU32, capacityError } from "./payload";

/** Most detail bytes an osdp_NAK may carry after its reason here. */
export const OSDP_MAX_NAK_DETAIL: i32 = 16;

/** osdp_NAK §7.3: reason 1..9 and optional detail bytes. */
export class OsdpNak {
  reason: u8 = 1;
  readonly detail: Uint8Array = new Uint8Array(OSDP_MAX_NAK_DETAIL);
  detailLen: i32 = 0;
}

/** Decodes osdp_NAK data: at least the reason byte (1..9), at most OSDP_MAX_NAK_DETAIL more. */
export function decodeNak(buf: Uint8Array, off: i32, len: i32, into: OsdpNak): i32 {
  const w = windowError(buf, off, len);
  if (w != 0) return w;
  if (len < 1) return ERR_OSDP_BAD_PAYLOAD_LENGTH;
  if (len - 1 > OSDP_MAX_NAK_DETAIL) return ERR_OSDP_TOO_MANY;
  if (buf[off] < 1 || buf[off] > NAK_REASON_MAX) return ERR_OSDP_BAD_FIELD;
  into.reason = buf[off];
  into.detailLen = len - 1;
  copyBytes(buf, off + 1, into.detail, 0, len - 1);
  return len;
}

/** Encodes osdp_NAK data. */
export function encodeNak(f: OsdpNak, out: Uint8Array, off: i32, cap: i32): i32 {
  if (f.reason < 1 || f.reason > NAK_REASON_MAX || f.detailLen < 0 || f.detailLen > OSDP_MAX_NAK_DETAIL) return ERR_BAD_ARGUMENT;
  const n = 1 + f.detailLen;
  const r = roomError(out, off, cap, n);
  if (r != 0) return r;
  out[off] = f.reason;
  copyBytes(f.detail, 0, out, off + 1, f.detailLen);
  return n;
}

/** osdp_PDID §7.4: vendor code, model, version, serial number (LE u32), firmware major.minor.build. */
export class OsdpPdId {
  vendor: u32 = 0;
  model: u8 = 0;
  version: u8 = 0;
  serial: u32 = 0;
  fwMajor: u8 = 0;
  fwMinor: u8 = 0;
  fwBuild: u8 = 0;
}

/** Decodes osdp_PDID data (exactly 12 bytes). */
export function decodePdId(buf: Uint8Array, off: i32, len: i32, into: OsdpPdId): i32 {
  const w = windowError(buf, off, len);
  if (w != 0) return w;
  if (len != 12) return ERR_OSDP_BAD_PAYLOAD_LENGTH;
  into.vendor = getU24(buf, off);
  into.model = buf[off + 3];
  into.version = buf[off + 4];
  into.serial = getU32(buf, off + 5);
  into.fwMajor = buf[off + 9];
  into.fwMinor = buf[off + 10];
  into.fwBuild = buf[off + 11];
  return 12;
}

/** Encodes osdp_PDID data. */
export function encodePdId(f: OsdpPdId, out: Uint8Array, off: i32, cap: i32): i32 {
  if (f.vendor > 0xffffff) return ERR_BAD_ARGUMENT;
  const r = roomError(out, off, cap, 12);
  if (r != 0) return r;
  putU24(out, off, f.vendor);
  out[off + 3] = f.model;
  out[off + 4] = f.version;
  putU32(out, off + 5, f.serial);
  out[off + 9] = f.fwMajor;
  out[off + 10] = f.fwMinor;
  out[off + 11] = f.fwBuild;
  return 12;
}

/** One osdp_PDCAP entry (§7.5): function code 1..16, compliance level, number of objects. */
export class OsdpCapability {
  functionCode: u8 = 1;
  compliance: u8 = 0;
  count: u8 = 0;
}

/** Highest capability function code v2.2 defines. */
export const OSDP_CAP_FUNCTION_MAX: u8 = 16;
/** Most osdp_PDCAP entries one OsdpPdCap holds. */
export const OSDP_MAX_PDCAP: i32 = 32;

/** osdp_PDCAP §7.5: 1..OSDP_MAX_PDCAP entries of 3 bytes. */
export class OsdpPdCap {
  count: i32 = 0;
  readonly entries: OsdpCapability[] = new Array<OsdpCapability>(0);
  constructor() {
    for (let i = 0; i < OSDP_MAX_PDCAP; i++) this.entries.push(new OsdpCapability());
  }
}

/** Decodes osdp_PDCAP data. Errors: length not 3·n with n ≥ 1, too many entries, function code not 1..16. */
export function decodePdCap(buf: Uint8Array, off: i32, len: i32, into: OsdpPdCap): i32 {
  const w = windowError(buf, off, len);
  if (w != 0) return w;
  if (len == 0 || len % 3 != 0) return ERR_OSDP_BAD_PAYLOAD_LENGTH;
  const count = i32(len / 3);
  const c = capacityError(count, OSDP_MAX_PDCAP);
  if (c != 0) return c;
  for (let i = 0; i < count; i++) {
    const fc = buf[off + i * 3];
    if (fc < 1 || fc > OSDP_CAP_FUNCTION_MAX) return ERR_OSDP_BAD_FIELD;
  }
  for (let i = 0; i < count; i++) {
    const e = into.entries[i];
    e.functionCode = buf[off + i * 3];
    e.compliance = buf[off + i * 3 + 1];
    e.count = buf[off + i * 3 + 2];
  }
  into.count = count;
  return len;
}

/** Encodes osdp_PDCAP data. */
export function encodePdCap(f: OsdpPdCap, out: Uint8Array, off: i32, cap: i32): i32 {
  if (f.count < 1 || f.count > OSDP_MAX_PDCAP) return ERR_BAD_ARGUMENT;
  for (let i = 0; i < f.count; i++) {
    const fc = f.entries[i].functionCode;
    if (fc < 1 || fc > OSDP_CAP_FUNCTION_MAX) return ERR_BAD_ARGUMENT;
  }
  const n = f.count * 3;
  const r = roomError(out, off, cap, n);
  if (r != 0) return r;
  for (let i = 0; i < f.count; i++) {
    const e = f.entries[i];
    out[off + i * 3] = e.functionCode;
    out[off + i * 3 + 1] = e.compliance;
    out[off + i * 3 + 2] = e.count;
  }
  return n;
}

/** osdp_LSTATR §7.6: tamper (0 normal, 1 tamper) and power (0 normal, 1 failure). */
export class OsdpLocalStatus {
  tamper: u8 = 0;
  power: u8 = 0;
}

/** Decodes osdp_LSTATR data (2 bytes, each 0 or 1). */
export function decodeLocalStatus(buf: Uint8Array, off: i32, len: i32, into: OsdpLocalStatus): i32 {
  const w = windowError(buf, off, len);
  if (w != 0) return w;
  if (len != 2) return ERR_OSDP_BAD_PAYLOAD_LENGTH;
  if (buf[off] > 1 || buf[off + 1] > 1) return ERR_OSDP_BAD_FIELD;
  into.tamper = buf[off];
  into.power = buf[off + 1];
  return 2;
}

/** Encodes osdp_LSTATR data. */
export function encodeLocalStatus(f: OsdpLocalStatus, out: Uint8Array, off: i32, cap: i32): i32 {
  if (f.tamper > 1 || f.power > 1) return ERR_BAD_ARGUMENT;
  const r = roomError(out, off, cap, 2);
  if (r != 0) return r;
  out[off] = f.tamper;
  out[off + 1] = f.power;
  return 2;
}

/** osdp_RAW §7.10: reader, format (0 raw, 1 Wiegand), bit count (LE u16), ceil(bits/8) bytes of card data. */
export class OsdpRawCard {
  reader: u8 = 0;
  format: u8 = 0;
  bitCount: u16 = 0;
  readonly data: Uint8Array = new Uint8Array(OSDP_MAX_DATA);
}

/** Decodes osdp_RAW data. Errors: data length ≠ ceil(bits/8) (BAD_PAYLOAD_LENGTH); format > 1 or 0 bits (BAD_FIELD). */
export function decodeRawCard(buf: Uint8Array, off: i32, len: i32, into: OsdpRawCard): i32 {
  const w = windowError(buf, off, len);
  if (w != 0) return w;
  if (len < 4) return ERR_OSDP_BAD_PAYLOAD_LENGTH;
  const bits = getU16(buf, off + 2);
  const bytes = (bits + 7) >>> 3;
  if (len != 4 + bytes) return ERR_OSDP_BAD_PAYLOAD_LENGTH;
  if (bytes > into.data.length) return ERR_OSDP_TOO_MANY;
  if (buf[off + 1] > 1 || bits == 0) return ERR_OSDP_BAD_FIELD;
  into.reader = buf[off];
  into.format = buf[off + 1];
  into.bitCount = u16(bits);
  copyBytes(buf, off + 4, into.data, 0, bytes);
  return len;
}

/** Encodes osdp_RAW data. */
export function encodeRawCard(f: OsdpRawCard, out: Uint8Array, off: i32, cap: i32): i32 {
  const bytes = (i32(f.bitCount) + 7) >>> 3;
  if (f.format > 1 || f.bitCount == 0 || bytes > f.data.length) return ERR_BAD_ARGUMENT;
  const n = 4 + bytes;
  const r = roomError(out, off, cap, n);
  if (r != 0) return r;
  out[off] = f.reader;
  out[off + 1] = f.format;
  putU16(out, off + 2, i32(f.bitCount));
  copyBytes(f.data, 0, out, off + 4, bytes);
  return n;
}

/** osdp_KEYPAD §7.12: reader, digit count, the digits (ASCII; 0x7F '*', 0x0D '#'). */
export class OsdpKeypad {
  reader: u8 = 0;
  readonly digits: Uint8Array = new Uint8Array(255);
  count: i32 = 0;
}

/** Decodes osdp_KEYPAD data (2 + count bytes). */
export function decodeKeypad(buf: Uint8Array, off: i32, len: i32, into: OsdpKeypad): i32 {
  const w = windowError(buf, off, len);
  if (w != 0) return w;
  if (len < 2 || len != 2 + i32(buf[off + 1])) return ERR_OSDP_BAD_PAYLOAD_LENGTH;
  into.reader = buf[off];
  into.count = len - 2;
  copyBytes(buf, off + 2, into.digits, 0, len - 2);
  return len;
}

/** Encodes osdp_KEYPAD data. */
export function encodeKeypad(f: OsdpKeypad, out: Uint8Array, off: i32, cap: i32): i32 {
  if (f.count < 0 || f.count > 255) return ERR_BAD_ARGUMENT;
  const n = 2 + f.count;
  const r = roomError(out, off, cap, n);
  if (r != 0) return r;
  out[off] = f.reader;
  out[off + 1] = u8(f.count);
  copyBytes(f.digits, 0, out, off + 2, f.count);
  return n;
}

/** osdp_CCRYPT §7.16: client UID (8), RND.B (8), client cryptogram (16). */
export class OsdpCcrypt {
  readonly clientUid: Uint8Array = new Uint8Array(8);
  readonly rndB: Uint8Array = new Uint8Array(8);
  readonly cryptogram: Uint8Array = new Uint8Array(16);
}

/** Decodes osdp_CCRYPT data (exactly 32 bytes). */
export function decodeCcrypt(buf: Uint8Array, off: i32, len: i32, into: OsdpCcrypt): i32 {
  const w = windowError(buf, off, len);
  if (w != 0) return w;
  if (len != 32) return ERR_OSDP_BAD_PAYLOAD_LENGTH;
  copyBytes(buf, off, into.clientUid, 0, 8);
  copyBytes(buf, off + 8, into.rndB, 0, 8);
  copyBytes(buf, off + 16, into.cryptogram, 0, 16);
  return 32;
}

/** Encodes osdp_CCRYPT data. */
export function encodeCcrypt(f: OsdpCcrypt, out: Uint8Array, off: i32, cap: i32): i32 {
  const r = roomError(out, off, cap, 32);
  if (r != 0) return r;
  copyBytes(f.clientUid, 0, out, off, 8);
  copyBytes(f.rndB, 0, out, off + 8, 8);
  copyBytes(f.cryptogram, 0, out, off + 16, 16);
  return 32;
}

/** FtStatusDetail §7.19: fragment accepted, send the next. */
export const FT_STATUS_OK: i32 = 0;
/** FtStatusDetail: the whole file was received and processed. */
export const FT_STATUS_PROCESSED: i32 = 1;
/** FtStatusDetail: processed; the PD is rebooting to apply it. */
export const FT_STATUS_REBOOTING: i32 = 2;
/** FtStatusDetail: still finishing; keep sending empty osdp_FILETRANSFER until the status changes. */
export const FT_STATUS_FINISHING: i32 = 3;
/** FtStatusDetail: the PD aborted the transfer. */
export const FT_STATUS_ABORT: i32 = -1;
/** FtStatusDetail: the file type or contents are not recognised. */
export const FT_STATUS_UNRECOGNISED: i32 = -2;
/** FtStatusDetail: the file data is malformed. */
export const FT_STATUS_MALFORMED: i32 = -3;

/** osdp_FTSTAT §7.19: action flags, delay (ms), status detail (signed), largest FILETRANSFER fragment. */
export class OsdpFileStatus {
  /** Bits 0-3 defined (interleave, leave secure channel, poll response available, ...); 4-7 reserved. */
  action: u8 = 0;
  delay: u16 = 0;
  /** FtStatusDetail, a signed 16-bit value (negative = error). */
  status: i32 = 0;
  updateMsgMax: u16 = 0;
}

/** Decodes osdp_FTSTAT data (exactly 7 bytes; reserved action bits 4-7 must be 0). */
export function decodeFileStatus(buf: Uint8Array, off: i32, len: i32, into: OsdpFileStatus): i32 {
  const w = windowError(buf, off, len);
  if (w != 0) return w;
  if (len != 7) return ERR_OSDP_BAD_PAYLOAD_LENGTH;
  if ((buf[off] & 0xf0) != 0) return ERR_OSDP_BAD_FIELD;
  const raw = getU16(buf, off + 3);
  into.action = buf[off];
  into.delay = u16(getU16(buf, off + 1));
  into.status = raw >= 0x8000 ? raw - 0x10000 : raw;
  into.updateMsgMax = u16(getU16(buf, off + 5));
  return 7;
}

/** Encodes osdp_FTSTAT data. */
export function encodeFileStatus(f: OsdpFileStatus, out: Uint8Array, off: i32, cap: i32): i32 {
  if ((f.action & 0xf0) != 0 || f.status < -32768 || f.status > 32767) return ERR_BAD_ARGUMENT;
  const r = roomError(out, off, cap, 7);
  if (r != 0) return r;
  out[off] = f.action;
  putU16(out, off + 1, i32(f.delay));
  putU16(out, off + 3, f.status & 0xffff);
  putU16(out, off + 5, i32(f.updateMsgMax));
  return 7;
}
