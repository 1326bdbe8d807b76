/**
 * CARS (Card Authorization Renewal System) codes, SPEC.md "CARS codes" (protocol/SPEC.md Lockbox §4).
 *
 *   message = card serial (u32 BE) ‖ local day (u16 BE, days since 1970-01-01 local) ‖ sequence (u16 BE)
 *   code    = DT(HMAC-SHA256(CARS key, message)) mod 10^8      (DT: RFC 4226 §5.3 dynamic truncation)
 *
 * The CARS key is the association's (protocol/card/keys.ts KEY_CARS). HMAC is injected: this file
 * builds the message and reduces the MAC, the caller computes HMAC-SHA256 with its own crypto.
 * The lockbox tries sequences last+1 .. last+CARS_LOOKAHEAD for today only, so a code works once,
 * for one card, on one local day.
 */
import { OK, ERR_BAD_ARGUMENT } from "../errors";
import { inBounds } from "../bytes";
import { ERR_CARS_FORMAT, ERR_CARS_MONTH_LIMIT, ERR_CARS_CONSECUTIVE_LIMIT } from "./errors";

/** Bytes of the MAC'd message. */
export const CARS_MESSAGE_SIZE: i32 = 8;
/** Decimal digits of a code. */
export const CARS_DIGITS: i32 = 8;
/** Sequences after the card's last one the lockbox tries (codes issued but never used). */
export const CARS_LOOKAHEAD: i32 = 5;
/** Bytes of HMAC-SHA256. */
export const CARS_MAC_SIZE: i32 = 32;

/** Writes the 8-byte CARS message at out[off..off+8). */
export function carsMessage(serial: u32, localDay: i32, sequence: i32, out: Uint8Array, off: i32): void {
  out[off] = u8(serial >>> 24);
  out[off + 1] = u8(serial >>> 16);
  out[off + 2] = u8(serial >>> 8);
  out[off + 3] = u8(serial);
  out[off + 4] = u8(localDay >>> 8);
  out[off + 5] = u8(localDay);
  out[off + 6] = u8(sequence >>> 8);
  out[off + 7] = u8(sequence);
}

/** RFC 4226 §5.3 dynamic truncation of the 32-byte MAC at mac[off..), reduced to 8 digits (ERR_BAD_ARGUMENT: window outside mac). */
export function carsCodeFromMac(mac: Uint8Array, off: i32): i32 {
  if (!inBounds(mac, off, CARS_MAC_SIZE)) return ERR_BAD_ARGUMENT;
  const o = off + i32(mac[off + CARS_MAC_SIZE - 1] & 0x0f);
  const v = u32((u32(mac[o] & 0x7f) << 24) | (u32(mac[o + 1]) << 16) | (u32(mac[o + 2]) << 8) | u32(mac[o + 3]));
  return i32(v % 100000000);
}

/** Parses exactly 8 key values 0..9 (as the keypad reports digits) into the code, or ERR_CARS_FORMAT (ERR_BAD_ARGUMENT: window outside digits). */
export function carsCodeFromDigits(digits: Uint8Array, off: i32, len: i32): i32 {
  if (!inBounds(digits, off, len)) return ERR_BAD_ARGUMENT;
  if (len != CARS_DIGITS) return ERR_CARS_FORMAT;
  let v = 0;
  for (let i = 0; i < len; i++) {
    const d = i32(digits[off + i]);
    if (d > 9) return ERR_CARS_FORMAT;
    v = v * 10 + d;
  }
  return v;
}

/** The association's CARS limits (lockbox settings, spec §4). 0 means no limit. */
export class CarsLimits {
  perMonth: i32 = 3;
  consecutiveDays: i32 = 2;
}

/**
 * Whether the card may take one more code on `today` (local day) in `month` (year × 12 + month − 1),
 * given its CARS state from the authorization object. OK, ERR_CARS_MONTH_LIMIT or ERR_CARS_CONSECUTIVE_LIMIT.
 */
export function carsLimitsAllow(carsMonth: i32, monthCount: i32, lastDay: i32, consecutive: i32, today: i32, month: i32, limits: CarsLimits): i32 {
  if (limits.perMonth > 0 && carsMonth == month && monthCount >= limits.perMonth) return ERR_CARS_MONTH_LIMIT;
  if (limits.consecutiveDays > 0 && lastDay != 0 && today == lastDay + 1 && consecutive >= limits.consecutiveDays) return ERR_CARS_CONSECUTIVE_LIMIT;
  return OK;
}
