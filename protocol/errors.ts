/**
 * Error codes shared by every codec in protocol/. A decoder returns a length or value >= 0 on
 * success and one of these negative codes on failure; it never throws. Each area of the library
 * owns a disjoint range and defines its codes in its own errors.ts; SPEC.md lists them all.
 *
 *   -1 ..  -19  common (this file)
 *  -20 ..  -59  OSDP                 protocol/osdp/errors.ts
 *  -60 ..  -99  ISO 7816             protocol/iso7816/errors.ts
 * -100 .. -139  card files/records   protocol/card/errors.ts
 * -140 .. -159  firmware image       protocol/image/errors.ts
 * -160 .. -179  time and TZ rules    protocol/time/errors.ts
 * -180 .. -199  CARS codes           protocol/cars/errors.ts
 * -200 .. -239  lockbox/reader service messages (MFG)  protocol/service/errors.ts
 * -240 .. -259  firmware crypto      firmware/crypto/errors.ts
 * -260 .. -279  test-rig link        protocol/rig/errors.ts
 */

/** Success. */
export const OK: i32 = 0;
/** The input ends before the format says it does. */
export const ERR_TRUNCATED: i32 = -1;
/** The input is longer than the format allows (trailing bytes, or over a maximum size). */
export const ERR_OVERLONG: i32 = -2;
/** The caller's output buffer cannot hold the result; nothing was written. */
export const ERR_OUTPUT_TOO_SMALL: i32 = -3;
/** A field holds a value the format does not define. */
export const ERR_BAD_VALUE: i32 = -4;
/** An argument passed by the caller (not untrusted input) is out of range. */
export const ERR_BAD_ARGUMENT: i32 = -5;

/** Name of a common error code, or "" when the code is not one of this file's. */
export function commonErrorName(code: i32): string {
  switch (code) {
    case OK: return "OK";
    case ERR_TRUNCATED: return "ERR_TRUNCATED";
    case ERR_OVERLONG: return "ERR_OVERLONG";
    case ERR_OUTPUT_TOO_SMALL: return "ERR_OUTPUT_TOO_SMALL";
    case ERR_BAD_VALUE: return "ERR_BAD_VALUE";
    case ERR_BAD_ARGUMENT: return "ERR_BAD_ARGUMENT";
    default: return "";
  }
}
