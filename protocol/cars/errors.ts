/**
 * Error codes of protocol/cars (range -180..-199, protocol/errors.ts). SPEC.md "CARS codes".
 */

/** The keyed code is not exactly 8 decimal digits. */
export const ERR_CARS_FORMAT: i32 = -180;
/** No sequence in the look-ahead window gives this code for this card today (wrong, replayed, another card's or another day's). */
export const ERR_CARS_NO_MATCH: i32 = -181;
/** The card already used the association's monthly allowance of codes. */
export const ERR_CARS_MONTH_LIMIT: i32 = -182;
/** Another code would exceed the association's limit on consecutive days. */
export const ERR_CARS_CONSECUTIVE_LIMIT: i32 = -183;
/** Too many wrong codes: CARS entry is locked out for a while. */
export const ERR_CARS_LOCKED_OUT: i32 = -184;
/** The card's last sequence leaves no room for a next one (65535 used). */
export const ERR_CARS_SEQUENCE_EXHAUSTED: i32 = -185;

/** Name of a protocol/cars error code, or "" when the code is not one of this file's. */
export function carsErrorName(code: i32): string {
  switch (code) {
    case ERR_CARS_FORMAT: return "ERR_CARS_FORMAT";
    case ERR_CARS_NO_MATCH: return "ERR_CARS_NO_MATCH";
    case ERR_CARS_MONTH_LIMIT: return "ERR_CARS_MONTH_LIMIT";
    case ERR_CARS_CONSECUTIVE_LIMIT: return "ERR_CARS_CONSECUTIVE_LIMIT";
    case ERR_CARS_LOCKED_OUT: return "ERR_CARS_LOCKED_OUT";
    case ERR_CARS_SEQUENCE_EXHAUSTED: return "ERR_CARS_SEQUENCE_EXHAUSTED";
    default: return "";
  }
}
