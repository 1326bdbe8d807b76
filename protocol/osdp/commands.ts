/**
 * Payload codecs for the OSDP v2.2 commands the lockbox and reader use (§6). POLL and LSTAT carry
 * no data (decodeEmpty); MFG uses OsdpVendorData; CHLNG and SCRYPT use OsdpFixedBytes (8 and 16).
 */
import { copyBytes } from "../bytes";
import { ERR_BAD_ARGUMENT } from "../errors";
import { ERR_OSDP_BAD_PAYLOAD_LENGTH, ERR_OSDP_BAD_FIELD, ERR_OSDP_TOO_MANY } from "./errors";
import { OSDP_MAX_DATA, windowError, roomError, getU16, getU32, putU16, putU32, capacityError } from "./payload";

/** osdp_ID §6.2 / osdp_CAP §6.3: the one request byte; 0x00 (standard report) is the only one defined. */
export class OsdpRequest {
  reqCode: u8 = 0;
}

/** Decodes osdp_ID / osdp_CAP data (1 byte, must be 0x00). */
export function decodeRequest(buf: Uint8Array, off: i32, len: i32, into: OsdpRequest): i32 {
  const w = windowError(buf, off, len);
  if (w != 0) return w;
  if (len != 1) return ERR_OSDP_BAD_PAYLOAD_LENGTH;
  if (buf[off] != 0) return ERR_OSDP_BAD_FIELD;
  into.reqCode = 0;
  return 1;
}

/** Encodes osdp_ID / osdp_CAP data. */
export function encodeRequest(f: OsdpRequest, out: Uint8Array, off: i32, cap: i32): i32 {
  if (f.reqCode != 0) return ERR_BAD_ARGUMENT;
  const r = roomError(out, off, cap, 1);
  if (r != 0) return r;
  out[off] = 0;
  return 1;
}

/** One osdp_OUT record (§6.8): output number, control code 0..6, timer in 100 ms units. */
export class OsdpOutRecord {
  output: u8 = 0;
  control: u8 = 0;
  timer: u16 = 0;
}

/** Most osdp_OUT records one OsdpOut holds. */
export const OSDP_MAX_OUT: i32 = 16;

/** osdp_OUT §6.8: 1..OSDP_MAX_OUT records of 4 bytes. */
export class OsdpOut {
  count: i32 = 0;
  readonly records: OsdpOutRecord[] = new Array<OsdpOutRecord>(0);
  constructor() {
    for (let i = 0; i < OSDP_MAX_OUT; i++) this.records.push(new OsdpOutRecord());
  }
}

/** Decodes osdp_OUT data. Errors: length not 4·n with n ≥ 1, more than OSDP_MAX_OUT records, control code > 6. */
export function decodeOut(buf: Uint8Array, off: i32, len: i32, into: OsdpOut): i32 {
  const w = windowError(buf, off, len);
  if (w != 0) return w;
  if (len == 0 || (len & 3) != 0) return ERR_OSDP_BAD_PAYLOAD_LENGTH;
  const count = len >>> 2;
  const c = capacityError(count, OSDP_MAX_OUT);
  if (c != 0) return c;
  for (let i = 0; i < count; i++) if (buf[off + i * 4 + 1] > 6) return ERR_OSDP_BAD_FIELD;
  for (let i = 0; i < count; i++) {
    const rec = into.records[i];
    const at = off + i * 4;
    rec.output = buf[at];
    rec.control = buf[at + 1];
    rec.timer = u16(getU16(buf, at + 2));
  }
  into.count = count;
  return len;
}

/** Encodes osdp_OUT data. */
export function encodeOut(f: OsdpOut, out: Uint8Array, off: i32, cap: i32): i32 {
  if (f.count < 1 || f.count > OSDP_MAX_OUT) return ERR_BAD_ARGUMENT;
  for (let i = 0; i < f.count; i++) if (f.records[i].control > 6) return ERR_BAD_ARGUMENT;
  const n = f.count * 4;
  const r = roomError(out, off, cap, n);
  if (r != 0) return r;
  for (let i = 0; i < f.count; i++) {
    const rec = f.records[i];
    const at = off + i * 4;
    out[at] = rec.output;
    out[at + 1] = rec.control;
    putU16(out, at + 2, i32(rec.timer));
  }
  return n;
}

/** One osdp_LED record (§6.10): temporary and permanent settings of one LED. */
export class OsdpLedRecord {
  reader: u8 = 0;
  led: u8 = 0;
  /** 0 no change, 1 cancel temporary, 2 set temporary. */
  tempControl: u8 = 0;
  tempOnTime: u8 = 0;
  tempOffTime: u8 = 0;
  tempOnColor: u8 = 0;
  tempOffColor: u8 = 0;
  /** Temporary-state duration in 100 ms units. */
  tempTimer: u16 = 0;
  /** 0 no change, 1 set permanent. */
  permControl: u8 = 0;
  permOnTime: u8 = 0;
  permOffTime: u8 = 0;
  permOnColor: u8 = 0;
  permOffColor: u8 = 0;
}

/** Size of one osdp_LED record. */
export const OSDP_LED_RECORD: i32 = 14;
/** Most osdp_LED records one OsdpLed holds. */
export const OSDP_MAX_LED: i32 = 8;
/** Highest LED colour code v2.2 defines (0 black .. 7 white). */
export const OSDP_LED_COLOR_MAX: u8 = 7;

/** osdp_LED §6.10: 1..OSDP_MAX_LED records of 14 bytes. */
export class OsdpLed {
  count: i32 = 0;
  readonly records: OsdpLedRecord[] = new Array<OsdpLedRecord>(0);
  constructor() {
    for (let i = 0; i < OSDP_MAX_LED; i++) this.records.push(new OsdpLedRecord());
  }
}

function ledRecordValid(buf: Uint8Array, at: i32): bool {
  return buf[at + 2] <= 2 && buf[at + 5] <= OSDP_LED_COLOR_MAX && buf[at + 6] <= OSDP_LED_COLOR_MAX &&
    buf[at + 9] <= 1 && buf[at + 12] <= OSDP_LED_COLOR_MAX && buf[at + 13] <= OSDP_LED_COLOR_MAX;
}

function ledFieldsValid(rec: OsdpLedRecord): bool {
  return rec.tempControl <= 2 && rec.tempOnColor <= OSDP_LED_COLOR_MAX && rec.tempOffColor <= OSDP_LED_COLOR_MAX &&
    rec.permControl <= 1 && rec.permOnColor <= OSDP_LED_COLOR_MAX && rec.permOffColor <= OSDP_LED_COLOR_MAX;
}

/** Decodes osdp_LED data. Errors: length not 14·n with n ≥ 1, too many records, undefined control or colour code. */
export function decodeLed(buf: Uint8Array, off: i32, len: i32, into: OsdpLed): i32 {
  const w = windowError(buf, off, len);
  if (w != 0) return w;
  if (len == 0 || len % OSDP_LED_RECORD != 0) return ERR_OSDP_BAD_PAYLOAD_LENGTH;
  const count = i32(len / OSDP_LED_RECORD);
  const c = capacityError(count, OSDP_MAX_LED);
  if (c != 0) return c;
  for (let i = 0; i < count; i++) if (!ledRecordValid(buf, off + i * OSDP_LED_RECORD)) return ERR_OSDP_BAD_FIELD;
  for (let i = 0; i < count; i++) {
    const rec = into.records[i];
    const at = off + i * OSDP_LED_RECORD;
    rec.reader = buf[at];
    rec.led = buf[at + 1];
    rec.tempControl = buf[at + 2];
    rec.tempOnTime = buf[at + 3];
    rec.tempOffTime = buf[at + 4];
    rec.tempOnColor = buf[at + 5];
    rec.tempOffColor = buf[at + 6];
    rec.tempTimer = u16(getU16(buf, at + 7));
    rec.permControl = buf[at + 9];
    rec.permOnTime = buf[at + 10];
    rec.permOffTime = buf[at + 11];
    rec.permOnColor = buf[at + 12];
    rec.permOffColor = buf[at + 13];
  }
  into.count = count;
  return len;
}

/** Encodes osdp_LED data. */
export function encodeLed(f: OsdpLed, out: Uint8Array, off: i32, cap: i32): i32 {
  if (f.count < 1 || f.count > OSDP_MAX_LED) return ERR_BAD_ARGUMENT;
  for (let i = 0; i < f.count; i++) if (!ledFieldsValid(f.records[i])) return ERR_BAD_ARGUMENT;
  const n = f.count * OSDP_LED_RECORD;
  const r = roomError(out, off, cap, n);
  if (r != 0) return r;
  for (let i = 0; i < f.count; i++) {
    const rec = f.records[i];
    const at = off + i * OSDP_LED_RECORD;
    out[at] = rec.reader;
    out[at + 1] = rec.led;
    out[at + 2] = rec.tempControl;
    out[at + 3] = rec.tempOnTime;
    out[at + 4] = rec.tempOffTime;
    out[at + 5] = rec.tempOnColor;
    out[at + 6] = rec.tempOffColor;
    putU16(out, at + 7, i32(rec.tempTimer));
    out[at + 9] = rec.permControl;
    out[at + 10] = rec.permOnTime;
    out[at + 11] = rec.permOffTime;
    out[at + 12] = rec.permOnColor;
    out[at + 13] = rec.permOffColor;
  }
  return n;
}

/** osdp_BUZ §6.11: reader, tone (0 none, 1 off, 2 default tone), on/off times (100 ms), repeat count. */
export class OsdpBuz {
  reader: u8 = 0;
  tone: u8 = 0;
  onTime: u8 = 0;
  offTime: u8 = 0;
  count: u8 = 0;
}

/** Decodes osdp_BUZ data (5 bytes; tone code ≤ 2). */
export function decodeBuz(buf: Uint8Array, off: i32, len: i32, into: OsdpBuz): i32 {
  const w = windowError(buf, off, len);
  if (w != 0) return w;
  if (len != 5) return ERR_OSDP_BAD_PAYLOAD_LENGTH;
  if (buf[off + 1] > 2) return ERR_OSDP_BAD_FIELD;
  into.reader = buf[off];
  into.tone = buf[off + 1];
  into.onTime = buf[off + 2];
  into.offTime = buf[off + 3];
  into.count = buf[off + 4];
  return 5;
}

/** Encodes osdp_BUZ data. */
export function encodeBuz(f: OsdpBuz, out: Uint8Array, off: i32, cap: i32): i32 {
  if (f.tone > 2) return ERR_BAD_ARGUMENT;
  const r = roomError(out, off, cap, 5);
  if (r != 0) return r;
  out[off] = f.reader;
  out[off + 1] = f.tone;
  out[off + 2] = f.onTime;
  out[off + 3] = f.offTime;
  out[off + 4] = f.count;
  return 5;
}

/** osdp_COMSET §6.13 and osdp_COM §7.13: PD address 0..0x7E and baud rate (LE u32). */
export class OsdpComSettings {
  address: u8 = 0;
  baud: u32 = 9600;
}

/** True for the baud rates v2.2 lists for COMSET. */
export function isOsdpBaud(baud: u32): bool {
  return baud == 9600 || baud == 19200 || baud == 38400 || baud == 57600 || baud == 115200 || baud == 230400;
}

/** Decodes osdp_COMSET / osdp_COM data (5 bytes; address ≤ 0x7E, a listed baud rate). */
export function decodeComSettings(buf: Uint8Array, off: i32, len: i32, into: OsdpComSettings): i32 {
  const w = windowError(buf, off, len);
  if (w != 0) return w;
  if (len != 5) return ERR_OSDP_BAD_PAYLOAD_LENGTH;
  const baud = getU32(buf, off + 1);
  if (buf[off] > 0x7e || !isOsdpBaud(baud)) return ERR_OSDP_BAD_FIELD;
  into.address = buf[off];
  into.baud = baud;
  return 5;
}

/** Encodes osdp_COMSET / osdp_COM data. */
export function encodeComSettings(f: OsdpComSettings, out: Uint8Array, off: i32, cap: i32): i32 {
  if (f.address > 0x7e || !isOsdpBaud(f.baud)) return ERR_BAD_ARGUMENT;
  const r = roomError(out, off, cap, 5);
  if (r != 0) return r;
  out[off] = f.address;
  putU32(out, off + 1, f.baud);
  return 5;
}

/** Key type of osdp_KEYSET that sets the secure channel base key (§6.17). */
export const KEYSET_TYPE_SCBK: u8 = 0x01;

/** osdp_KEYSET §6.17: key type 0x01 (SCBK), length 16, the key. */
export class OsdpKeyset {
  keyType: u8 = KEYSET_TYPE_SCBK;
  readonly key: Uint8Array = new Uint8Array(16);
}

/** Decodes osdp_KEYSET data (18 bytes: type 01, length 10, 16-byte key). */
export function decodeKeyset(buf: Uint8Array, off: i32, len: i32, into: OsdpKeyset): i32 {
  const w = windowError(buf, off, len);
  if (w != 0) return w;
  if (len < 2 || len != 2 + i32(buf[off + 1])) return ERR_OSDP_BAD_PAYLOAD_LENGTH;
  if (buf[off] != KEYSET_TYPE_SCBK || buf[off + 1] != 16) return ERR_OSDP_BAD_FIELD;
  into.keyType = KEYSET_TYPE_SCBK;
  copyBytes(buf, off + 2, into.key, 0, 16);
  return len;
}

/** Encodes osdp_KEYSET data. */
export function encodeKeyset(f: OsdpKeyset, out: Uint8Array, off: i32, cap: i32): i32 {
  if (f.keyType != KEYSET_TYPE_SCBK) return ERR_BAD_ARGUMENT;
  const r = roomError(out, off, cap, 18);
  if (r != 0) return r;
  out[off] = KEYSET_TYPE_SCBK;
  out[off + 1] = 16;
  copyBytes(f.key, 0, out, off + 2, 16);
  return 18;
}

/** osdp_FILETRANSFER §6.21: type, total size, offset, fragment size, fragment. */
export class OsdpFileTransfer {
  fileType: u8 = 0;
  totalSize: u32 = 0;
  offset: u32 = 0;
  readonly data: Uint8Array = new Uint8Array(OSDP_MAX_DATA);
  /** FtFragmentSize: the number of bytes in data. */
  dataLen: i32 = 0;
}

/**
 * Decodes osdp_FILETRANSFER data. Errors: fewer than 11 bytes or FtFragmentSize ≠ bytes present
 * (BAD_PAYLOAD_LENGTH); the fragment ends beyond FtSizeTotal (BAD_FIELD).
 */
export function decodeFileTransfer(buf: Uint8Array, off: i32, len: i32, into: OsdpFileTransfer): i32 {
  const w = windowError(buf, off, len);
  if (w != 0) return w;
  if (len < 11) return ERR_OSDP_BAD_PAYLOAD_LENGTH;
  const total = getU32(buf, off + 1);
  const offset = getU32(buf, off + 5);
  const frag = getU16(buf, off + 9);
  if (frag != len - 11) return ERR_OSDP_BAD_PAYLOAD_LENGTH;
  if (frag > into.data.length) return ERR_OSDP_TOO_MANY;
  if (offset > total || u32(frag) > u32(total - offset)) return ERR_OSDP_BAD_FIELD;
  into.fileType = buf[off];
  into.totalSize = total;
  into.offset = offset;
  into.dataLen = frag;
  copyBytes(buf, off + 11, into.data, 0, frag);
  return len;
}

/** Encodes osdp_FILETRANSFER data. */
export function encodeFileTransfer(f: OsdpFileTransfer, out: Uint8Array, off: i32, cap: i32): i32 {
  if (f.dataLen < 0 || f.dataLen > f.data.length || f.offset > f.totalSize || u32(f.dataLen) > u32(f.totalSize - f.offset)) {
    return ERR_BAD_ARGUMENT;
  }
  const n = 11 + f.dataLen;
  const r = roomError(out, off, cap, n);
  if (r != 0) return r;
  out[off] = f.fileType;
  putU32(out, off + 1, f.totalSize);
  putU32(out, off + 5, f.offset);
  putU16(out, off + 9, f.dataLen);
  copyBytes(f.data, 0, out, off + 11, f.dataLen);
  return n;
}
