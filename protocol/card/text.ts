/**
 * Fixed-width text and packed-BCD code fields shared by the card layouts (spec §3.0): text is
 * printable ASCII (20..7E) followed only by 00 padding; codes are packed BCD digits followed only
 * by F padding (all F = no code).
 */
import { OK } from "../errors";
import { ERR_CARD_BAD_TEXT, ERR_CARD_BAD_CODE } from "./errors";

/** Checks a NUL-padded ASCII field (spec §3.0); returns OK or ERR_CARD_BAD_TEXT. */
export function checkText(buf: Uint8Array, off: i32, width: i32): i32 {
  let ended = false;
  for (let i = 0; i < width; i++) {
    const c = u32(buf[off + i]);
    if (c == 0) ended = true;
    else if (ended || c < 0x20 || c > 0x7e) return ERR_CARD_BAD_TEXT;
  }
  return OK;
}

/** Checks a packed-BCD, F-padded code field (spec §3.0); returns OK or ERR_CARD_BAD_CODE. */
export function checkBcdCode(buf: Uint8Array, off: i32, width: i32): i32 {
  let ended = false;
  for (let i = 0; i < width * 2; i++) {
    const b = u32(buf[off + (i >> 1)]);
    const nibble = (i & 1) == 0 ? b >>> 4 : b & 0x0f;
    if (nibble == 0x0f) ended = true;
    else if (ended || nibble > 9) return ERR_CARD_BAD_CODE;
  }
  return OK;
}
