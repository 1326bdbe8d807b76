/**
 * The VERIFY PIN block (spec §3.10), ISO 9564-1 format 2 as used by ISO 7816-4 VERIFY: 8 bytes,
 * first nibble 2, second nibble the digit count (4..12), then the digits in packed BCD, then F
 * padding. It travels only under C-DECRYPTION (spec §2.6).
 */
import { ERR_BAD_ARGUMENT } from "../errors";
import { inBounds } from "../bytes";
import { ERR_CARD_BAD_PIN_BLOCK } from "./errors";

/** PIN block size. */
export const PIN_BLOCK_SIZE: i32 = 8;
/** Fewest PIN digits. */
export const PIN_MIN_DIGITS: i32 = 4;
/** Most PIN digits. */
export const PIN_MAX_DIGITS: i32 = 12;

/**
 * Writes the PIN block for digits[0..n) (each 0..9) to out[off..off+8) (spec §3.10); returns 8, or
 * ERR_BAD_ARGUMENT for a digit count or digit out of range.
 */
export function encodePinBlock(digits: Uint8Array, n: i32, out: Uint8Array, off: i32): i32 {
  if (n < PIN_MIN_DIGITS || n > PIN_MAX_DIGITS) return ERR_BAD_ARGUMENT;
  for (let i = 0; i < n; i++) if (digits[i] > 9) return ERR_BAD_ARGUMENT;
  out[off] = u8(0x20 | n);
  for (let i = 0; i < 14; i++) {
    const nibble: u32 = i < n ? u32(digits[i]) : 0x0f;
    const at = off + 1 + (i >> 1);
    out[at] = (i & 1) == 0 ? u8(nibble << 4) : u8(u32(out[at]) | nibble);
  }
  return PIN_BLOCK_SIZE;
}

/** Checks a PIN block (spec §3.10); returns the digit count, or ERR_CARD_BAD_PIN_BLOCK. */
export function checkPinBlock(buf: Uint8Array, off: i32, len: i32): i32 {
  if (!inBounds(buf, off, len)) return ERR_BAD_ARGUMENT;
  if (len != PIN_BLOCK_SIZE) return ERR_CARD_BAD_PIN_BLOCK;
  const head = u32(buf[off]);
  const n = i32(head & 0x0f);
  if ((head >>> 4) != 2 || n < PIN_MIN_DIGITS || n > PIN_MAX_DIGITS) return ERR_CARD_BAD_PIN_BLOCK;
  for (let i = 0; i < 14; i++) {
    const b = u32(buf[off + 1 + (i >> 1)]);
    const nibble = (i & 1) == 0 ? b >>> 4 : b & 0x0f;
    if (i < n ? nibble > 9 : nibble != 0x0f) return ERR_CARD_BAD_PIN_BLOCK;
  }
  return n;
}
