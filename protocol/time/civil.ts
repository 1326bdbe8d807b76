/**
 * Proleptic Gregorian calendar arithmetic on day numbers (days since 1970-01-01) and on u32
 * seconds since the Unix epoch (UTC or local), valid 1970-01-01 .. 2105-12-31. SPEC.md "Time".
 * The day-number conversions are the usual era/day-of-era decomposition (400-year cycles of
 * 146,097 days, March-based years so the leap day is last).
 */
import { ERR_DATE_RANGE } from "./errors";

/** Seconds in a civil day (UTC and the local calendars have no leap seconds here). */
export const SECONDS_PER_DAY: u32 = 86400;
/** Last day number the u32-seconds clock can represent whole (2105-12-31). */
export const LAST_DAY: i32 = 49672;

/** A calendar date; weekday 0 = Sunday as in POSIX TZ rules. */
export class CivilDate {
  year: i32 = 1970;
  month: i32 = 1;
  day: i32 = 1;
  weekday: i32 = 4;
}

/** Day number of a Gregorian date (no range check; see checkedDayNumber). */
export function dayNumber(year: i32, month: i32, day: i32): i32 {
  const y = month <= 2 ? year - 1 : year;
  const era = i32(y / 400);
  const yearOfEra = y - era * 400;
  const marchMonth = month > 2 ? month - 3 : month + 9;
  const dayOfYear = i32((153 * marchMonth + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + i32(yearOfEra / 4) - i32(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

/** Days in a month of a year (Gregorian leap rule). */
export function daysInMonth(year: i32, month: i32): i32 {
  if (month == 2) return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28;
  return month == 4 || month == 6 || month == 9 || month == 11 ? 30 : 31;
}

/** Day number of a date, or ERR_DATE_RANGE for a day that does not exist or is outside 1970..2105. */
export function checkedDayNumber(year: i32, month: i32, day: i32): i32 {
  if (year < 1970 || year > 2105 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return ERR_DATE_RANGE;
  return dayNumber(year, month, day);
}

/** Weekday of a day number, 0 = Sunday (1970-01-01 was a Thursday). */
export function weekdayOf(days: i32): i32 {
  return (days + 4) % 7;
}

/** Fills `into` with the date of a day number >= 0 and returns it. */
export function civilFromDays(days: i32, into: CivilDate): CivilDate {
  const z = days + 719468;
  const era = i32(z / 146097);
  const dayOfEra = z - era * 146097;
  const yearOfEra = i32((dayOfEra - i32(dayOfEra / 1460) + i32(dayOfEra / 36524) - i32(dayOfEra / 146096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + i32(yearOfEra / 4) - i32(yearOfEra / 100));
  const marchMonth = i32((5 * dayOfYear + 2) / 153);
  into.day = dayOfYear - i32((153 * marchMonth + 2) / 5) + 1;
  into.month = marchMonth < 10 ? marchMonth + 3 : marchMonth - 9;
  into.year = yearOfEra + era * 400 + (into.month <= 2 ? 1 : 0);
  into.weekday = weekdayOf(days);
  return into;
}

/** Whole days since the epoch of a seconds count. */
export function daysOf(seconds: u32): i32 {
  return i32(seconds / SECONDS_PER_DAY);
}

/** Seconds since midnight of a seconds count. */
export function secondOfDay(seconds: u32): i32 {
  return i32(seconds % SECONDS_PER_DAY);
}

/** Seconds count at midnight starting day `days`. */
export function startOfDay(days: i32): u32 {
  return u32(u32(days) * SECONDS_PER_DAY);
}

/** seconds + delta, wrapping as u32 does in wasm (callers keep results inside 1970..2105). */
export function addSeconds(seconds: u32, delta: i32): u32 {
  return u32(seconds + u32(delta));
}
