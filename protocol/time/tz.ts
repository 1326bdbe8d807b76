/**
 * POSIX TZ rules (IEEE Std 1003.1, 8.3 "TZ", the Mm.w.d form) for a lockbox's local time:
 * parse `CST6CDT,M3.2.0,M11.1.0` from ASCII bytes, give the UTC offset at an instant, convert a
 * local time back to UTC, and find the next local midnight. SPEC.md "Time and TZ rules".
 * Offsets are stored the way they are applied (local = UTC + offset), i.e. negated from the rule
 * text, where `6` means six hours WEST of Greenwich.
 */
import { OK } from "../errors";
import { inBounds } from "../bytes";
import { ERR_TZ_NAME, ERR_TZ_OFFSET, ERR_TZ_NO_RULE, ERR_TZ_TRANSITION, ERR_TZ_TIME, ERR_TZ_TRAILING } from "./errors";
import { dayNumber, daysInMonth, weekdayOf, daysOf, startOfDay, addSeconds, CivilDate, civilFromDays } from "./civil";

/** Longest TZ rule text a lockbox stores (the settings record reserves this many bytes). */
export const TZ_RULE_MAX_LEN: i32 = 48;

/** One "Mm.w.d/time" transition: week 5 means the last such weekday of the month. */
export class TzTransition {
  month: i32 = 0;
  week: i32 = 0;
  weekday: i32 = 0;
  /** Seconds after local midnight, in the time in force before the transition (default 02:00). */
  time: i32 = 7200;
}

/** A parsed rule; `hasDst` false means a fixed offset. */
export class TzRule {
  stdOffset: i32 = 0;
  dstOffset: i32 = 0;
  hasDst: bool = false;
  start: TzTransition = new TzTransition();
  end: TzTransition = new TzTransition();
}

/** Reusable parse cursor so parsing allocates nothing. */
class Cursor {
  buf: Uint8Array = new Uint8Array(0);
  pos: i32 = 0;
  end: i32 = 0;
  peek(): i32 {
    return this.pos < this.end ? i32(this.buf[this.pos]) : -1;
  }
}
const cursor = new Cursor();
const scratchDate = new CivilDate();
const scratchStart = new TzTransition();
const scratchEnd = new TzTransition();

function isAlpha(c: i32): bool {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isDigit(c: i32): bool {
  return c >= 48 && c <= 57;
}

function parseName(c: Cursor): i32 {
  let n = 0;
  if (c.peek() == 60) {
    c.pos++;
    while (c.pos < c.end && (isAlpha(c.peek()) || isDigit(c.peek()) || c.peek() == 43 || c.peek() == 45)) {
      c.pos++;
      n++;
    }
    if (c.peek() != 62 || n < 3) return ERR_TZ_NAME;
    c.pos++;
    return OK;
  }
  while (c.pos < c.end && isAlpha(c.peek())) {
    c.pos++;
    n++;
  }
  return n >= 3 ? OK : ERR_TZ_NAME;
}

/** Parses an unsigned number of at most `maxDigits` digits, or -1. */
function parseNumber(c: Cursor, maxDigits: i32): i32 {
  let v = -1;
  let n = 0;
  while (n < maxDigits && isDigit(c.peek())) {
    v = (v < 0 ? 0 : v * 10) + c.peek() - 48;
    c.pos++;
    n++;
  }
  return v;
}

/** [+-]hh[:mm[:ss]] with hours up to maxHours; returns seconds, or `bad` (never a valid value). */
function parseHms(c: Cursor, maxHours: i32, bad: i32): i32 {
  let sign = 1;
  if (c.peek() == 43 || c.peek() == 45) {
    if (c.peek() == 45) sign = -1;
    c.pos++;
  }
  const h = parseNumber(c, 3);
  if (h < 0 || h > maxHours) return bad;
  let total = h * 3600;
  for (let part = 0; part < 2 && c.peek() == 58; part++) {
    c.pos++;
    const v = parseNumber(c, 2);
    if (v < 0 || v > 59) return bad;
    total += part == 0 ? v * 60 : v;
  }
  return sign * total;
}

const BAD_TIME: i32 = 0x7fffffff;

function parseTransition(c: Cursor, into: TzTransition): i32 {
  if (c.peek() != 77) return ERR_TZ_TRANSITION;
  c.pos++;
  const m = parseNumber(c, 2);
  if (m < 1 || m > 12 || c.peek() != 46) return ERR_TZ_TRANSITION;
  c.pos++;
  const w = parseNumber(c, 1);
  if (w < 1 || w > 5 || c.peek() != 46) return ERR_TZ_TRANSITION;
  c.pos++;
  const d = parseNumber(c, 1);
  if (d < 0 || d > 6) return ERR_TZ_TRANSITION;
  let time = 7200;
  if (c.peek() == 47) {
    c.pos++;
    time = parseHms(c, 167, BAD_TIME);
    if (time == BAD_TIME) return ERR_TZ_TIME;
  }
  into.month = m;
  into.week = w;
  into.weekday = d;
  into.time = time;
  return OK;
}

/**
 * Parses a POSIX TZ rule from ASCII text in buf[off..off+len). Returns OK and fills `into`, or a
 * negative error code leaving `into` unchanged. Accepts `std offset [dst [offset] ,Mm.w.d[/t],Mm.w.d[/t]]`.
 */
export function parseTzRule(buf: Uint8Array, off: i32, len: i32, into: TzRule): i32 {
  if (len > TZ_RULE_MAX_LEN || !inBounds(buf, off, len)) return ERR_TZ_TRAILING;
  const c = cursor;
  c.buf = buf;
  c.pos = off;
  c.end = off + len;
  if (parseName(c) != OK) return ERR_TZ_NAME;
  const std = parseHms(c, 24, BAD_TIME);
  if (std == BAD_TIME) return ERR_TZ_OFFSET;
  if (c.pos == c.end) {
    into.stdOffset = -std;
    into.dstOffset = -std;
    into.hasDst = false;
    return OK;
  }
  if (parseName(c) != OK) return ERR_TZ_NAME;
  let dst = std - 3600;
  if (c.peek() != 44) {
    if (c.pos == c.end) return ERR_TZ_NO_RULE;
    dst = parseHms(c, 24, BAD_TIME);
    if (dst == BAD_TIME) return ERR_TZ_OFFSET;
  }
  if (c.peek() != 44) return c.pos == c.end ? ERR_TZ_NO_RULE : ERR_TZ_TRAILING;
  c.pos++;
  let err = parseTransition(c, scratchStart);
  if (err != OK) return err;
  if (c.peek() != 44) return ERR_TZ_TRANSITION;
  c.pos++;
  err = parseTransition(c, scratchEnd);
  if (err != OK) return err;
  if (c.pos != c.end) return ERR_TZ_TRAILING;
  into.stdOffset = -std;
  into.dstOffset = -dst;
  into.hasDst = true;
  copyTransition(scratchStart, into.start);
  copyTransition(scratchEnd, into.end);
  return OK;
}

function copyTransition(from: TzTransition, to: TzTransition): void {
  to.month = from.month;
  to.week = from.week;
  to.weekday = from.weekday;
  to.time = from.time;
}

/** Day number of a transition's date in `year`. */
function transitionDay(t: TzTransition, year: i32): i32 {
  const first = dayNumber(year, t.month, 1);
  let day = first + ((t.weekday - weekdayOf(first) + 7) % 7) + (t.week - 1) * 7;
  const last = first + daysInMonth(year, t.month) - 1;
  while (day > last) day -= 7;
  return day;
}

/** UTC instant of a transition in `year`; `before` is the offset in force until then. */
function transitionUtc(t: TzTransition, year: i32, before: i32): u32 {
  return addSeconds(startOfDay(transitionDay(t, year)), t.time - before);
}

/** True when daylight time is in force at the UTC instant. */
export function isDstAt(rule: TzRule, utc: u32): bool {
  if (!rule.hasDst) return false;
  const year = civilFromDays(daysOf(addSeconds(utc, rule.stdOffset)), scratchDate).year;
  const start = transitionUtc(rule.start, year, rule.stdOffset);
  const end = transitionUtc(rule.end, year, rule.dstOffset);
  if (start < end) return utc >= start && utc < end;
  return utc >= start || utc < end;
}

/** Seconds to add to UTC to get local time at the UTC instant. */
export function offsetAt(rule: TzRule, utc: u32): i32 {
  return isDstAt(rule, utc) ? rule.dstOffset : rule.stdOffset;
}

/** Local seconds count (seconds since 1970-01-01 00:00 local) of a UTC instant. */
export function utcToLocal(rule: TzRule, utc: u32): u32 {
  return addSeconds(utc, offsetAt(rule, utc));
}

/**
 * UTC instant of a local seconds count. In a repeated interval (clocks set back) it gives the
 * earlier instant; in a skipped interval (clocks set forward) it gives the instant the clock showed
 * that time under the old offset, i.e. as far into the new offset as the clocks jumped.
 */
export function localToUtc(rule: TzRule, local: u32): u32 {
  const asDst = addSeconds(local, -rule.dstOffset);
  const asStd = addSeconds(local, -rule.stdOffset);
  const dstValid = offsetAt(rule, asDst) == rule.dstOffset;
  const stdValid = offsetAt(rule, asStd) == rule.stdOffset;
  if (dstValid != stdValid) return dstValid ? asDst : asStd;
  const earlier = asDst < asStd ? asDst : asStd;
  const later = asDst < asStd ? asStd : asDst;
  return dstValid ? earlier : later;
}

/**
 * UTC instant of the first local midnight after the UTC instant (the end of its local day). When
 * the clocks were just set back and the repeated interval spans midnight, that midnight's first
 * instant is already past, so it is the second one.
 */
export function nextLocalMidnight(rule: TzRule, utc: u32): u32 {
  const midnight = startOfDay(daysOf(utcToLocal(rule, utc)) + 1);
  const first = localToUtc(rule, midnight);
  if (first > utc) return first;
  const asDst = addSeconds(midnight, -rule.dstOffset);
  const asStd = addSeconds(midnight, -rule.stdOffset);
  return asDst < asStd ? asStd : asDst;
}

/** Local day number (days since 1970-01-01 in local time) of a UTC instant. */
export function localDay(rule: TzRule, utc: u32): i32 {
  return daysOf(utcToLocal(rule, utc));
}
