/**
 * Byte layouts of the card's single-instance objects (spec §3): identity, authorization, CARS
 * extension, staged lockbox settings, server time with acknowledged marks, upload cursor, receipt
 * and card status. All integers are big-endian; all sizes are fixed except server time (5 + 8n).
 * Each decoder validates the whole input before it writes any field of `into`.
 */
import { ByteReader, ByteWriter, copyBytes, inBounds } from "../bytes";
import { OK, ERR_TRUNCATED, ERR_OVERLONG, ERR_BAD_ARGUMENT } from "../errors";
import { ERR_CARD_BAD_FORMAT, ERR_CARD_BAD_FIELD, ERR_CARD_TOO_MANY } from "./errors";
import { checkText, checkBcdCode } from "./text";
import { RECORD_FILE_COUNT } from "./commands";

/** Format byte that starts identity and authorization (spec §3.1, §3.2). */
export const LAYOUT_FORMAT_V1: u8 = 0x01;

/** Width of the member key text field (RESO MemberKey), NUL-padded ASCII. */
export const MEMBER_KEY_WIDTH: i32 = 24;
/** Width of the MLS id text field (RESO MemberMlsId), NUL-padded ASCII. */
export const MLS_ID_WIDTH: i32 = 16;
/** Identity size (spec §3.1). */
export const IDENTITY_SIZE: i32 = 52;

/** Role flag of the identity (spec §3.1): a member agent. */
export const ROLE_AGENT: u16 = 0x0001;
/** Role flag (spec §3.1): may take ownership of lockboxes for listings. */
export const ROLE_LISTING_AGENT: u16 = 0x0002;
/** Role flag (spec §3.1): association administrator. */
export const ROLE_ADMINISTRATOR: u16 = 0x0004;
/** Role flag (spec §3.1): contractor (access within access hours only). */
export const ROLE_CONTRACTOR: u16 = 0x0008;
/** Role bits defined so far; others must be 0. */
export const ROLE_MASK: u16 = 0x000f;

/** The card's public identity (spec §3.1). */
export class Identity {
  cardSerial: u32 = 0;
  associationId: u32 = 0;
  keyVersion: u8 = 0;
  roleFlags: u16 = 0;
  /** RESO MemberKey, printable ASCII, NUL-padded. */
  memberKey: Uint8Array = new Uint8Array(MEMBER_KEY_WIDTH);
  /** RESO MemberMlsId, printable ASCII, NUL-padded. */
  mlsId: Uint8Array = new Uint8Array(MLS_ID_WIDTH);
}

const reader = new ByteReader();
const writer = new ByteWriter();

/** OK when buf[off..off+len) is a window of buf exactly `size` bytes long, else the error. */
function exactLength(buf: Uint8Array, off: i32, len: i32, size: i32): i32 {
  if (!inBounds(buf, off, len)) return ERR_BAD_ARGUMENT;
  if (len < size) return ERR_TRUNCATED;
  if (len > size) return ERR_OVERLONG;
  return OK;
}

/** Writes an identity (spec §3.1); returns IDENTITY_SIZE or ERR_OUTPUT_TOO_SMALL. */
export function encodeIdentity(v: Identity, out: Uint8Array, off: i32, cap: i32): i32 {
  const w = writer.reset(out, off, cap);
  if (!w.room(IDENTITY_SIZE)) return w.error;
  w.writeU8(LAYOUT_FORMAT_V1);
  w.writeU32BE(v.cardSerial);
  w.writeU32BE(v.associationId);
  w.writeU8(v.keyVersion);
  w.writeU16BE(v.roleFlags);
  w.writeBytes(v.memberKey, 0, MEMBER_KEY_WIDTH);
  w.writeBytes(v.mlsId, 0, MLS_ID_WIDTH);
  return w.length();
}

/** Reads an identity of exactly IDENTITY_SIZE bytes (spec §3.1); returns the size or an error. */
export function decodeIdentity(buf: Uint8Array, off: i32, len: i32, into: Identity): i32 {
  const e = exactLength(buf, off, len, IDENTITY_SIZE);
  if (e != OK) return e;
  if (buf[off] != LAYOUT_FORMAT_V1) return ERR_CARD_BAD_FORMAT;
  const r = reader.reset(buf, off + 1, len - 1);
  const serial = r.readU32BE();
  const association = r.readU32BE();
  const keyVersion = r.readU8();
  const roles = r.readU16BE();
  if ((roles & ~ROLE_MASK) != 0) return ERR_CARD_BAD_FIELD;
  const textAt = r.pos;
  let t = checkText(buf, textAt, MEMBER_KEY_WIDTH);
  if (t != OK) return t;
  t = checkText(buf, textAt + MEMBER_KEY_WIDTH, MLS_ID_WIDTH);
  if (t != OK) return t;
  into.cardSerial = serial;
  into.associationId = association;
  into.keyVersion = keyVersion;
  into.roleFlags = roles;
  copyBytes(buf, textAt, into.memberKey, 0, MEMBER_KEY_WIDTH);
  copyBytes(buf, textAt + MEMBER_KEY_WIDTH, into.mlsId, 0, MLS_ID_WIDTH);
  return IDENTITY_SIZE;
}

/** Authorization size (spec §3.2). */
export const AUTHORIZATION_SIZE: i32 = 21;

/** Expiry, issue counter and CARS state (spec §3.2). Times are UTC seconds since 1970. */
export class Authorization {
  expiry: u32 = 0;
  /** Strictly increases with every renewal; a renewal with a lower or equal value is refused. */
  issueCounter: u32 = 0;
  /** Valid-until of the last CARS extension (local midnight, as UTC); 0 = none. */
  carsTempExpiry: u32 = 0;
  /** Month of the last CARS code, as year * 12 + (month - 1), local calendar. */
  carsMonth: u16 = 0;
  /** CARS codes applied in carsMonth. */
  carsMonthCount: u8 = 0;
  /** Local day (days since 1970-01-01) of the last CARS code; 0 = none. */
  carsLastDay: u16 = 0;
  /** Consecutive local days, ending with carsLastDay, on which a CARS code was applied. */
  carsConsecutiveDays: u8 = 0;
  /** Sequence number of the last CARS code applied; a code must have a higher one. */
  carsLastSequence: u16 = 0;
}

/** Writes an authorization (spec §3.2); returns AUTHORIZATION_SIZE or ERR_OUTPUT_TOO_SMALL. */
export function encodeAuthorization(v: Authorization, out: Uint8Array, off: i32, cap: i32): i32 {
  const w = writer.reset(out, off, cap);
  if (!w.room(AUTHORIZATION_SIZE)) return w.error;
  w.writeU8(LAYOUT_FORMAT_V1);
  w.writeU32BE(v.expiry);
  w.writeU32BE(v.issueCounter);
  w.writeU32BE(v.carsTempExpiry);
  w.writeU16BE(v.carsMonth);
  w.writeU8(v.carsMonthCount);
  w.writeU16BE(v.carsLastDay);
  w.writeU8(v.carsConsecutiveDays);
  w.writeU16BE(v.carsLastSequence);
  return w.length();
}

/** Reads an authorization of exactly AUTHORIZATION_SIZE bytes (spec §3.2). */
export function decodeAuthorization(buf: Uint8Array, off: i32, len: i32, into: Authorization): i32 {
  const e = exactLength(buf, off, len, AUTHORIZATION_SIZE);
  if (e != OK) return e;
  if (buf[off] != LAYOUT_FORMAT_V1) return ERR_CARD_BAD_FORMAT;
  const r = reader.reset(buf, off + 1, len - 1);
  into.expiry = r.readU32BE();
  into.issueCounter = r.readU32BE();
  into.carsTempExpiry = r.readU32BE();
  into.carsMonth = r.readU16BE();
  into.carsMonthCount = r.readU8();
  into.carsLastDay = r.readU16BE();
  into.carsConsecutiveDays = r.readU8();
  into.carsLastSequence = r.readU16BE();
  return AUTHORIZATION_SIZE;
}

/** CARS extension size (spec §3.3). */
export const CARS_EXTENSION_SIZE: i32 = 10;

/** What a lockbox writes after it validated a CARS code (spec §3.3). */
export class CarsExtension {
  /** New temporary valid-until (local midnight of `day`, as UTC seconds). */
  tempExpiry: u32 = 0;
  codeSequence: u16 = 0;
  /** Local day of the code, days since 1970-01-01. */
  day: u16 = 0;
  /** Local month of the code, year * 12 + (month - 1). */
  month: u16 = 0;
}

/** Writes a CARS extension (spec §3.3). */
export function encodeCarsExtension(v: CarsExtension, out: Uint8Array, off: i32, cap: i32): i32 {
  const w = writer.reset(out, off, cap);
  if (!w.room(CARS_EXTENSION_SIZE)) return w.error;
  w.writeU32BE(v.tempExpiry);
  w.writeU16BE(v.codeSequence);
  w.writeU16BE(v.day);
  w.writeU16BE(v.month);
  return w.length();
}

/** Reads a CARS extension of exactly CARS_EXTENSION_SIZE bytes (spec §3.3). */
export function decodeCarsExtension(buf: Uint8Array, off: i32, len: i32, into: CarsExtension): i32 {
  const e = exactLength(buf, off, len, CARS_EXTENSION_SIZE);
  if (e != OK) return e;
  const r = reader.reset(buf, off, len);
  into.tempExpiry = r.readU32BE();
  into.codeSequence = r.readU16BE();
  into.day = r.readU16BE();
  into.month = r.readU16BE();
  return CARS_EXTENSION_SIZE;
}

/** Width of a packed-BCD code field: up to 8 digits, F-padded (spec §3.0). */
export const CODE_WIDTH: i32 = 4;
/** Width of the POSIX TZ rule text field. */
export const TZ_RULE_WIDTH: i32 = 48;
/** Staged settings size (spec §3.4). */
export const SETTINGS_SIZE: i32 = 75;
/** Settings flag: a call-before-showing code is required. */
export const SETTINGS_CBS_REQUIRED: u8 = 0x01;
/** Settings flag: privacy (do-not-disturb) mode is on. */
export const SETTINGS_PRIVACY_MODE: u8 = 0x02;
const SETTINGS_FLAG_MASK: u8 = 0x03;
/** Last minute of a day (23:59) for access hours. */
const LAST_MINUTE: u16 = 1439;

/** Lockbox settings staged on the owner's card (spec §3.4). */
export class Settings {
  lockboxId: u32 = 0;
  /** Strictly increases per lockbox; the lockbox ignores a version it already applied. */
  version: u32 = 0;
  /** Days access is allowed, bit 0 = Sunday .. bit 6 = Saturday (local time). */
  dayMask: u8 = 0x7f;
  /** Access window start and end, minutes after local midnight, inclusive (0..1439). */
  startMinute: u16 = 0;
  endMinute: u16 = LAST_MINUTE;
  flags: u8 = 0;
  cbsCode: Uint8Array = new Uint8Array(CODE_WIDTH);
  privacyCode: Uint8Array = new Uint8Array(CODE_WIDTH);
  shackleCode: Uint8Array = new Uint8Array(CODE_WIDTH);
  /** POSIX TZ rule, e.g. "CST6CDT,M3.2.0,M11.1.0", printable ASCII, NUL-padded. */
  tzRule: Uint8Array = new Uint8Array(TZ_RULE_WIDTH);
}

/** Writes staged settings (spec §3.4). */
export function encodeSettings(v: Settings, out: Uint8Array, off: i32, cap: i32): i32 {
  const w = writer.reset(out, off, cap);
  if (!w.room(SETTINGS_SIZE)) return w.error;
  w.writeU8(LAYOUT_FORMAT_V1);
  w.writeU32BE(v.lockboxId);
  w.writeU32BE(v.version);
  w.writeU8(v.dayMask);
  w.writeU16BE(v.startMinute);
  w.writeU16BE(v.endMinute);
  w.writeU8(v.flags);
  w.writeBytes(v.cbsCode, 0, CODE_WIDTH);
  w.writeBytes(v.privacyCode, 0, CODE_WIDTH);
  w.writeBytes(v.shackleCode, 0, CODE_WIDTH);
  w.writeBytes(v.tzRule, 0, TZ_RULE_WIDTH);
  return w.length();
}

/** Reads staged settings of exactly SETTINGS_SIZE bytes (spec §3.4). */
export function decodeSettings(buf: Uint8Array, off: i32, len: i32, into: Settings): i32 {
  const e = exactLength(buf, off, len, SETTINGS_SIZE);
  if (e != OK) return e;
  if (buf[off] != LAYOUT_FORMAT_V1) return ERR_CARD_BAD_FORMAT;
  const r = reader.reset(buf, off + 1, len - 1);
  const lockboxId = r.readU32BE();
  const version = r.readU32BE();
  const dayMask = r.readU8();
  const start = r.readU16BE();
  const end = r.readU16BE();
  const flags = r.readU8();
  if ((dayMask & 0x80) != 0 || start > LAST_MINUTE || end > LAST_MINUTE) return ERR_CARD_BAD_FIELD;
  if ((flags & ~SETTINGS_FLAG_MASK) != 0) return ERR_CARD_BAD_FIELD;
  const codesAt = r.pos;
  for (let i = 0; i < 3; i++) {
    const c = checkBcdCode(buf, codesAt + i * CODE_WIDTH, CODE_WIDTH);
    if (c != OK) return c;
  }
  const tzAt = codesAt + 3 * CODE_WIDTH;
  const t = checkText(buf, tzAt, TZ_RULE_WIDTH);
  if (t != OK) return t;
  into.lockboxId = lockboxId;
  into.version = version;
  into.dayMask = dayMask;
  into.startMinute = start;
  into.endMinute = end;
  into.flags = flags;
  copyBytes(buf, codesAt, into.cbsCode, 0, CODE_WIDTH);
  copyBytes(buf, codesAt + CODE_WIDTH, into.privacyCode, 0, CODE_WIDTH);
  copyBytes(buf, codesAt + 2 * CODE_WIDTH, into.shackleCode, 0, CODE_WIDTH);
  copyBytes(buf, tzAt, into.tzRule, 0, TZ_RULE_WIDTH);
  return SETTINGS_SIZE;
}

/** Most acknowledged marks one server-time object carries (spec §3.5). */
export const MAX_ACK_MARKS: i32 = 16;

/** Size of a server-time object with `count` marks (spec §3.5). */
export function serverTimeSize(count: i32): i32 {
  return 5 + 8 * count;
}

/** Authenticated server time at renewal and, per lockbox, the audit sequence the server holds (spec §3.5). */
export class ServerTime {
  /** Server's UTC clock when it renewed the card (seconds since 1970). */
  serverTime: u32 = 0;
  count: i32 = 0;
  lockboxIds: Uint32Array = new Uint32Array(MAX_ACK_MARKS);
  /** The server holds that lockbox's records with sequence numbers below this one. */
  ackedBelow: Uint32Array = new Uint32Array(MAX_ACK_MARKS);
}

/** Writes a server-time object (spec §3.5). */
export function encodeServerTime(v: ServerTime, out: Uint8Array, off: i32, cap: i32): i32 {
  if (v.count < 0 || v.count > MAX_ACK_MARKS) return ERR_CARD_TOO_MANY;
  const w = writer.reset(out, off, cap);
  if (!w.room(serverTimeSize(v.count))) return w.error;
  w.writeU32BE(v.serverTime);
  w.writeU8(v.count);
  for (let i = 0; i < v.count; i++) {
    w.writeU32BE(v.lockboxIds[i]);
    w.writeU32BE(v.ackedBelow[i]);
  }
  return w.length();
}

/** Reads a server-time object; its length must be exactly 5 + 8 × count (spec §3.5). */
export function decodeServerTime(buf: Uint8Array, off: i32, len: i32, into: ServerTime): i32 {
  if (!inBounds(buf, off, len)) return ERR_BAD_ARGUMENT;
  if (len < 5) return ERR_TRUNCATED;
  const count = i32(buf[off + 4]);
  if (count > MAX_ACK_MARKS) return ERR_CARD_TOO_MANY;
  const e = exactLength(buf, off, len, serverTimeSize(count));
  if (e != OK) return e;
  const r = reader.reset(buf, off, len);
  into.serverTime = r.readU32BE();
  into.count = i32(r.readU8());
  for (let i = 0; i < count; i++) {
    into.lockboxIds[i] = r.readU32BE();
    into.ackedBelow[i] = r.readU32BE();
  }
  return len;
}

/** Upload cursor size (spec §3.6). */
export const UPLOAD_CURSOR_SIZE: i32 = 8 * RECORD_FILE_COUNT;
/** Receipt size (spec §3.7). */
export const RECEIPT_SIZE: i32 = 4 * RECORD_FILE_COUNT;

/**
 * Per record file (index = file id - 1): the card sequence number of the oldest record still held
 * (`first`) and the number the next appended record gets (`next`) (spec §3.6).
 */
export class UploadCursor {
  first: Uint32Array = new Uint32Array(RECORD_FILE_COUNT);
  next: Uint32Array = new Uint32Array(RECORD_FILE_COUNT);
}

/** Writes an upload cursor (spec §3.6). */
export function encodeUploadCursor(v: UploadCursor, out: Uint8Array, off: i32, cap: i32): i32 {
  const w = writer.reset(out, off, cap);
  if (!w.room(UPLOAD_CURSOR_SIZE)) return w.error;
  for (let i = 0; i < RECORD_FILE_COUNT; i++) {
    w.writeU32BE(v.first[i]);
    w.writeU32BE(v.next[i]);
  }
  return w.length();
}

/** Reads an upload cursor; `first` must not exceed `next` (spec §3.6). */
export function decodeUploadCursor(buf: Uint8Array, off: i32, len: i32, into: UploadCursor): i32 {
  const e = exactLength(buf, off, len, UPLOAD_CURSOR_SIZE);
  if (e != OK) return e;
  const r = reader.reset(buf, off, len);
  for (let i = 0; i < RECORD_FILE_COUNT; i++) {
    const first = r.readU32BE();
    const next = r.readU32BE();
    if (first > next) return ERR_CARD_BAD_FIELD;
  }
  r.reset(buf, off, len);
  for (let i = 0; i < RECORD_FILE_COUNT; i++) {
    into.first[i] = r.readU32BE();
    into.next[i] = r.readU32BE();
  }
  return UPLOAD_CURSOR_SIZE;
}

/**
 * A server receipt (spec §3.7): per record file, the server holds every record with a card
 * sequence number below `upTo`; the card frees exactly those.
 */
export class Receipt {
  upTo: Uint32Array = new Uint32Array(RECORD_FILE_COUNT);
}

/** Writes a receipt (spec §3.7). */
export function encodeReceipt(v: Receipt, out: Uint8Array, off: i32, cap: i32): i32 {
  const w = writer.reset(out, off, cap);
  if (!w.room(RECEIPT_SIZE)) return w.error;
  for (let i = 0; i < RECORD_FILE_COUNT; i++) w.writeU32BE(v.upTo[i]);
  return w.length();
}

/** Reads a receipt of exactly RECEIPT_SIZE bytes (spec §3.7). */
export function decodeReceipt(buf: Uint8Array, off: i32, len: i32, into: Receipt): i32 {
  const e = exactLength(buf, off, len, RECEIPT_SIZE);
  if (e != OK) return e;
  const r = reader.reset(buf, off, len);
  for (let i = 0; i < RECORD_FILE_COUNT; i++) into.upTo[i] = r.readU32BE();
  return RECEIPT_SIZE;
}

/** Card status size (spec §3.8). */
export const STATUS_SIZE: i32 = 6 + 4 * RECORD_FILE_COUNT;

/** Card status: PIN tries and fill levels, so a host can tell "file full" before it happens (spec §3.8). */
export class CardStatus {
  pinTriesLeft: u8 = 0;
  pinTryLimit: u8 = 0;
  stagedCount: u8 = 0;
  stagedCapacity: u8 = 0;
  denylistCapacity: u16 = 0;
  /** Per record file (index = file id - 1). */
  used: Uint16Array = new Uint16Array(RECORD_FILE_COUNT);
  capacity: Uint16Array = new Uint16Array(RECORD_FILE_COUNT);
}

/** Writes card status (spec §3.8). */
export function encodeCardStatus(v: CardStatus, out: Uint8Array, off: i32, cap: i32): i32 {
  const w = writer.reset(out, off, cap);
  if (!w.room(STATUS_SIZE)) return w.error;
  w.writeU8(v.pinTriesLeft);
  w.writeU8(v.pinTryLimit);
  w.writeU8(v.stagedCount);
  w.writeU8(v.stagedCapacity);
  w.writeU16BE(v.denylistCapacity);
  for (let i = 0; i < RECORD_FILE_COUNT; i++) {
    w.writeU16BE(v.used[i]);
    w.writeU16BE(v.capacity[i]);
  }
  return w.length();
}

/** Reads card status of exactly STATUS_SIZE bytes (spec §3.8). */
export function decodeCardStatus(buf: Uint8Array, off: i32, len: i32, into: CardStatus): i32 {
  const e = exactLength(buf, off, len, STATUS_SIZE);
  if (e != OK) return e;
  const r = reader.reset(buf, off, len);
  into.pinTriesLeft = r.readU8();
  into.pinTryLimit = r.readU8();
  into.stagedCount = r.readU8();
  into.stagedCapacity = r.readU8();
  into.denylistCapacity = r.readU16BE();
  for (let i = 0; i < RECORD_FILE_COUNT; i++) {
    into.used[i] = r.readU16BE();
    into.capacity[i] = r.readU16BE();
  }
  return STATUS_SIZE;
}
