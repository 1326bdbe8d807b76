// Portable: runs in the WASM harness (test/wasm/lockbox.ts) and under Node, so both builds execute
// the very same driver over protocol/time, protocol/cars and protocol/service. Each driver calls the
// code under test and writes every result, decoded field and re-encoding to `out` (i32 values little
// endian); it returns the bytes written or the decoder's error code. A decoder that fails but
// changed its target anyway makes the driver return DRIVER_TARGET_CHANGED, which no test allows.
import { CivilDate, dayNumber, daysInMonth, checkedDayNumber, weekdayOf, civilFromDays, daysOf, secondOfDay, startOfDay, addSeconds } from "../../protocol/time/civil";
import { TzRule, TzTransition, parseTzRule, isDstAt, offsetAt, utcToLocal, localToUtc, nextLocalMidnight, localDay } from "../../protocol/time/tz";
import { timeErrorName } from "../../protocol/time/errors";
import { carsMessage, carsCodeFromMac, carsCodeFromDigits, carsLimitsAllow, CarsLimits } from "../../protocol/cars/cars";
import { carsErrorName } from "../../protocol/cars/errors";
import { LockboxStatus, readMfgHeader, encodeLockboxStatus, decodeLockboxStatus, encodeReadLog, STATUS_BODY_SIZE } from "../../protocol/service/mfg";
import { serviceErrorName } from "../../protocol/service/errors";
import { reasonName } from "../../protocol/service/reasons";
import { writeReplyHeader, replyStatus, readerErrorName, decodeCardStatus, CardSlotStatus, MFG_REPLY_HEADER } from "../../protocol/service/reader";
import { ERR_TRUNCATED } from "../../protocol/errors";
import { put32, get32 } from "./fields";

/** Returned when a decoder reported an error but modified the object it was given. */
export const DRIVER_TARGET_CHANGED: i32 = -9999;
/** Bytes tzSweep writes per instant. */
export const TZ_SWEEP_STRIDE: i32 = 24;

const date = new CivilDate();
const rule = new TzRule();
const status = new LockboxStatus();
const limits = new CarsLimits();
const slot = new CardSlotStatus();
/** A small buffer for calls whose (offset, length) window lies partly or wholly outside it. */
const small = new Uint8Array(8);
const SENTINEL: i32 = 0x5a5a5a5a;

/** civilFromDays of a day number, then dayNumber / checkedDayNumber / daysInMonth / weekdayOf of the date. */
export function driveCivilFromDays(days: i32, out: Uint8Array): i32 {
  civilFromDays(days, date);
  let o = put32(out, 0, date.year);
  o = put32(out, o, date.month);
  o = put32(out, o, date.day);
  o = put32(out, o, date.weekday);
  o = put32(out, o, weekdayOf(days));
  o = put32(out, o, dayNumber(date.year, date.month, date.day));
  o = put32(out, o, checkedDayNumber(date.year, date.month, date.day));
  return put32(out, o, daysInMonth(date.year, date.month));
}

/** checkedDayNumber, dayNumber and daysInMonth of any (year, month, day). */
export function driveDayNumber(year: i32, month: i32, day: i32, out: Uint8Array): i32 {
  let o = put32(out, 0, checkedDayNumber(year, month, day));
  o = put32(out, o, dayNumber(year, month, day));
  return put32(out, o, daysInMonth(year, month));
}

/** The u32-seconds helpers on one instant and one signed delta. */
export function driveSeconds(seconds: u32, delta: i32, out: Uint8Array): i32 {
  let o = put32(out, 0, daysOf(seconds));
  o = put32(out, o, secondOfDay(seconds));
  o = put32(out, o, i32(startOfDay(daysOf(seconds))));
  return put32(out, o, i32(addSeconds(seconds, delta)));
}

function fillTransition(t: TzTransition): void {
  t.month = SENTINEL;
  t.week = SENTINEL;
  t.weekday = SENTINEL;
  t.time = SENTINEL;
}

function transitionIsSentinel(t: TzTransition): bool {
  return t.month == SENTINEL && t.week == SENTINEL && t.weekday == SENTINEL && t.time == SENTINEL;
}

function putTransition(out: Uint8Array, at: i32, t: TzTransition): i32 {
  let o = put32(out, at, t.month);
  o = put32(out, o, t.week);
  o = put32(out, o, t.weekday);
  return put32(out, o, t.time);
}

/** parseTzRule of input[0..len) into a sentinel-filled rule; on success OK and its 11 fields (48 bytes). */
export function driveTzParse(input: Uint8Array, len: i32, out: Uint8Array): i32 {
  rule.stdOffset = SENTINEL;
  rule.dstOffset = SENTINEL;
  rule.hasDst = true;
  fillTransition(rule.start);
  fillTransition(rule.end);
  const r = parseTzRule(input, 0, len, rule);
  if (r < 0) {
    const intact = rule.stdOffset == SENTINEL && rule.dstOffset == SENTINEL && rule.hasDst && transitionIsSentinel(rule.start) && transitionIsSentinel(rule.end);
    return intact ? r : DRIVER_TARGET_CHANGED;
  }
  let o = put32(out, 0, r);
  o = put32(out, o, rule.stdOffset);
  o = put32(out, o, rule.dstOffset);
  o = put32(out, o, rule.hasDst ? 1 : 0);
  o = putTransition(out, o, rule.start);
  return putTransition(out, o, rule.end);
}

/**
 * input = rule text (ruleLen) ‖ count × u32 LE instants. Parses the rule, then for each instant
 * writes isDstAt, offsetAt, utcToLocal, localToUtc (the instant read as local time),
 * nextLocalMidnight and localDay (TZ_SWEEP_STRIDE bytes each).
 */
export function driveTzSweep(input: Uint8Array, ruleLen: i32, count: i32, out: Uint8Array): i32 {
  const r = parseTzRule(input, 0, ruleLen, rule);
  if (r < 0) return r;
  let o = 0;
  for (let i = 0; i < count; i++) {
    const t = get32(input, ruleLen + i * 4);
    o = put32(out, o, isDstAt(rule, t) ? 1 : 0);
    o = put32(out, o, offsetAt(rule, t));
    o = put32(out, o, i32(utcToLocal(rule, t)));
    o = put32(out, o, i32(localToUtc(rule, t)));
    o = put32(out, o, i32(nextLocalMidnight(rule, t)));
    o = put32(out, o, localDay(rule, t));
  }
  return o;
}

/** The 8-byte CARS message, then carsCodeFromMac of input[macOff..macOff+32). */
export function driveCars(serial: u32, day: i32, sequence: i32, input: Uint8Array, macOff: i32, out: Uint8Array): i32 {
  carsMessage(serial, day, sequence, out, 0);
  return put32(out, 8, carsCodeFromMac(input, macOff));
}

/** carsCodeFromDigits of input[0..len): the code or ERR_CARS_FORMAT. */
export function driveCarsDigits(input: Uint8Array, len: i32, out: Uint8Array): i32 {
  const r = carsCodeFromDigits(input, 0, len);
  return r < 0 ? r : put32(out, 0, r);
}

/** carsLimitsAllow under the given limits: OK or the limit's error code. */
export function driveCarsLimits(carsMonth: i32, monthCount: i32, lastDay: i32, consecutive: i32, today: i32, month: i32, perMonth: i32, consecutiveDays: i32): i32 {
  limits.perMonth = perMonth;
  limits.consecutiveDays = consecutiveDays;
  return carsLimitsAllow(carsMonth, monthCount, lastDay, consecutive, today, month, limits);
}

function fillStatus(s: LockboxStatus): void {
  s.lockboxId = u32(SENTINEL);
  s.associationId = u32(SENTINEL);
  s.firmwareVersion = u16(SENTINEL);
  s.utc = u32(SENTINEL);
  s.clockTrusted = true;
  s.batteryMillivolts = u16(SENTINEL);
  s.nextSequence = u32(SENTINEL);
  s.logCapacity = u16(SENTINEL);
  s.settingsVersion = u32(SENTINEL);
  s.denylistVersion = u32(SENTINEL);
  s.denylistCount = u16(SENTINEL);
  s.ownerSerial = u32(SENTINEL);
  for (let i = 0; i < 12; i++) s.listing[i] = 0x5a;
}

function statusIsSentinel(s: LockboxStatus): bool {
  for (let i = 0; i < 12; i++) if (s.listing[i] != 0x5a) return false;
  return s.lockboxId == u32(SENTINEL) && s.associationId == u32(SENTINEL) && s.firmwareVersion == u16(SENTINEL) && s.utc == u32(SENTINEL) &&
    s.clockTrusted && s.batteryMillivolts == u16(SENTINEL) && s.nextSequence == u32(SENTINEL) && s.logCapacity == u16(SENTINEL) &&
    s.settingsVersion == u32(SENTINEL) && s.denylistVersion == u32(SENTINEL) && s.denylistCount == u16(SENTINEL) && s.ownerSerial == u32(SENTINEL);
}

/**
 * decodeLockboxStatus of input[0..len) into a sentinel-filled status; on success the decoded
 * fields, encodeLockboxStatus into a window one byte too small, then the re-encoded body.
 */
export function driveStatus(input: Uint8Array, len: i32, out: Uint8Array): i32 {
  fillStatus(status);
  const r = decodeLockboxStatus(input, 0, len, status);
  if (r < 0) return statusIsSentinel(status) ? r : DRIVER_TARGET_CHANGED;
  let o = put32(out, 0, r);
  o = put32(out, o, i32(status.lockboxId));
  o = put32(out, o, i32(status.associationId));
  o = put32(out, o, i32(status.firmwareVersion));
  o = put32(out, o, i32(status.utc));
  o = put32(out, o, status.clockTrusted ? 1 : 0);
  o = put32(out, o, i32(status.batteryMillivolts));
  o = put32(out, o, i32(status.nextSequence));
  o = put32(out, o, i32(status.logCapacity));
  o = put32(out, o, i32(status.settingsVersion));
  o = put32(out, o, i32(status.denylistVersion));
  o = put32(out, o, i32(status.denylistCount));
  o = put32(out, o, i32(status.ownerSerial));
  for (let i = 0; i < 12; i++) out[o++] = status.listing[i];
  o = put32(out, o, encodeLockboxStatus(status, out, o + 4, STATUS_BODY_SIZE - 1));
  const e = encodeLockboxStatus(status, out, o + 4, STATUS_BODY_SIZE);
  o = put32(out, o, e);
  return e < 0 ? o : o + e;
}

/** readMfgHeader(sub) of input[0..len), then writeReplyHeader(sub, that status) (7 bytes). */
export function driveMfgHeader(sub: u8, input: Uint8Array, len: i32, out: Uint8Array): i32 {
  const r = readMfgHeader(sub, input, 0, len);
  put32(out, 0, r);
  writeReplyHeader(sub, r, out, 4);
  return 7;
}

/** encodeReadLog: the 5-byte READ LOG request body. */
export function driveReadLog(fromSeq: u32, maxRecords: i32, out: Uint8Array): i32 {
  return encodeReadLog(fromSeq, maxRecords, out, 0);
}

/**
 * A reader MFG reply header in input[0..len): ERR_TRUNCATED when shorter than the header (the
 * caller's check replyStatus relies on), else replyStatus, then writeReplyHeader(sub, status) (7 bytes).
 */
export function driveReaderReply(sub: u8, input: Uint8Array, len: i32, out: Uint8Array): i32 {
  if (len < MFG_REPLY_HEADER) return ERR_TRUNCATED;
  const r = replyStatus(input, 0);
  put32(out, 0, r);
  writeReplyHeader(sub, r, out, 4);
  return 7;
}

/** decodeCardStatus of input[0..len) into a sentinel-filled status; on success its fields and ATR. */
export function driveCardStatus(input: Uint8Array, len: i32, out: Uint8Array): i32 {
  slot.present = true;
  slot.connected = true;
  slot.bitRate = u32(SENTINEL);
  slot.atrLen = SENTINEL;
  for (let i = 0; i < slot.atr.length; i++) slot.atr[i] = 0x5a;
  const r = decodeCardStatus(input, 0, len, slot);
  if (r < 0) {
    let intact = slot.present && slot.connected && slot.bitRate == u32(SENTINEL) && slot.atrLen == SENTINEL;
    for (let i = 0; i < slot.atr.length; i++) if (slot.atr[i] != 0x5a) intact = false;
    return intact ? r : DRIVER_TARGET_CHANGED;
  }
  let o = put32(out, 0, r);
  o = put32(out, o, slot.present ? 1 : 0);
  o = put32(out, o, slot.connected ? 1 : 0);
  o = put32(out, o, i32(slot.bitRate));
  o = put32(out, o, slot.atrLen);
  for (let i = 0; i < slot.atrLen; i++) out[o++] = slot.atr[i];
  return o;
}

/**
 * Every service decoder, the CARS digit and MAC readers (the MAC's window is always 32 bytes) and
 * the TZ parser on the window (off, len) of an 8-byte buffer: their
 * return codes (one i32 each). Windows outside the buffer must be refused, not read (a trap in WASM).
 */
export function driveWindow(off: i32, len: i32, out: Uint8Array): i32 {
  let o = put32(out, 0, readMfgHeader(0x11, small, off, len));
  fillStatus(status);
  o = put32(out, o, decodeLockboxStatus(small, off, len, status));
  o = put32(out, o, decodeCardStatus(small, off, len, slot));
  o = put32(out, o, carsCodeFromDigits(small, off, len));
  o = put32(out, o, carsCodeFromMac(small, off));
  return put32(out, o, parseTzRule(small, off, len, rule));
}

function putName(out: Uint8Array, at: i32, name: string): i32 {
  let o = at;
  for (let i = 0; i < name.length; i++) out[o++] = u8(name.charCodeAt(i));
  out[o++] = 0;
  return o;
}

/** The time, CARS, service and reader error names and the reason name of one code, NUL-separated. */
export function driveNames(code: i32, out: Uint8Array): i32 {
  let o = putName(out, 0, timeErrorName(code));
  o = putName(out, o, carsErrorName(code));
  o = putName(out, o, serviceErrorName(code));
  o = putName(out, o, readerErrorName(code));
  return putName(out, o, reasonName(code));
}
