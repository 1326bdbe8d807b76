/**
 * Error codes of protocol/time (range -160..-179, protocol/errors.ts). SPEC.md "Time and TZ rules".
 */

/** A TZ rule's zone name is not 3+ letters or a <quoted> name. */
export const ERR_TZ_NAME: i32 = -160;
/** A TZ rule's UTC offset is missing, malformed or beyond ±24:59:59. */
export const ERR_TZ_OFFSET: i32 = -161;
/** A TZ rule has a DST name but no ",start,end" rule (the POSIX default rule is not supported). */
export const ERR_TZ_NO_RULE: i32 = -162;
/** A transition rule is not Mm.w.d[/time] with m 1..12, w 1..5, d 0..6 (Jn and n forms unsupported). */
export const ERR_TZ_TRANSITION: i32 = -163;
/** A transition time is malformed or beyond ±167 hours. */
export const ERR_TZ_TIME: i32 = -164;
/** Bytes follow a complete rule, or the rule is longer than TZ_RULE_MAX_LEN. */
export const ERR_TZ_TRAILING: i32 = -165;
/** A civil date is outside 1970-01-01 .. 2105-12-31 or not a real day. */
export const ERR_DATE_RANGE: i32 = -166;

/** Name of a protocol/time error code, or "" when the code is not one of this file's. */
export function timeErrorName(code: i32): string {
  switch (code) {
    case ERR_TZ_NAME: return "ERR_TZ_NAME";
    case ERR_TZ_OFFSET: return "ERR_TZ_OFFSET";
    case ERR_TZ_NO_RULE: return "ERR_TZ_NO_RULE";
    case ERR_TZ_TRANSITION: return "ERR_TZ_TRANSITION";
    case ERR_TZ_TIME: return "ERR_TZ_TIME";
    case ERR_TZ_TRAILING: return "ERR_TZ_TRAILING";
    case ERR_DATE_RANGE: return "ERR_DATE_RANGE";
    default: return "";
  }
}
