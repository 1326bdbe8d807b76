/**
 * Error codes of the card area (protocol/card/): record and object layouts and SCP03 secure
 * messaging. Range -100..-139 (protocol/errors.ts). Spec: protocol/SPEC.md Card §7
 */

/** A format byte at the start of an object names a version this code does not know. */
export const ERR_CARD_BAD_FORMAT: i32 = -100;
/** A text field (member key, MLS id, TZ rule) holds a byte outside printable ASCII or bad padding. */
export const ERR_CARD_BAD_TEXT: i32 = -101;
/** A count field exceeds the layout's maximum (denylist entries, ack marks). */
export const ERR_CARD_TOO_MANY: i32 = -102;
/** A PIN block is malformed (length nibble, non-digit, padding). */
export const ERR_CARD_BAD_PIN_BLOCK: i32 = -103;
/** A packed-BCD code field holds a non-digit or bad padding. */
export const ERR_CARD_BAD_CODE: i32 = -104;
/** Access hours: minutes past 1439, or an unknown event type / flag bit. */
export const ERR_CARD_BAD_FIELD: i32 = -105;
/** An APDU is not a well-formed short ISO 7816-4 command APDU. */
export const ERR_CARD_BAD_APDU: i32 = -110;
/** A secured APDU is too short to carry its MAC, or its CLA lacks the secure-messaging bit. */
export const ERR_CARD_SM_MISSING: i32 = -111;
/** The C-MAC or R-MAC does not verify (wrong key, altered or replayed APDU). */
export const ERR_CARD_BAD_MAC: i32 = -112;
/** Encrypted data is not a whole number of blocks or its 80 00.. padding is wrong. */
export const ERR_CARD_BAD_PADDING: i32 = -113;
/** The card or host cryptogram does not verify. */
export const ERR_CARD_BAD_CRYPTOGRAM: i32 = -114;
/** The security level is not one of 01, 03, 11, 13, 33. */
export const ERR_CARD_BAD_SECURITY_LEVEL: i32 = -115;
/** The INITIALIZE UPDATE response does not have the SCP03 layout (length, SCP id, i-parameter). */
export const ERR_CARD_BAD_INIT_RESPONSE: i32 = -116;
/** The wrapped APDU would not fit in a short APDU (255 data bytes). */
export const ERR_CARD_SM_TOO_LONG: i32 = -117;

/** Name of a card-area error code, or "" when the code is not one of this file's. */
export function cardErrorName(code: i32): string {
  switch (code) {
    case ERR_CARD_BAD_FORMAT: return "ERR_CARD_BAD_FORMAT";
    case ERR_CARD_BAD_TEXT: return "ERR_CARD_BAD_TEXT";
    case ERR_CARD_TOO_MANY: return "ERR_CARD_TOO_MANY";
    case ERR_CARD_BAD_PIN_BLOCK: return "ERR_CARD_BAD_PIN_BLOCK";
    case ERR_CARD_BAD_CODE: return "ERR_CARD_BAD_CODE";
    case ERR_CARD_BAD_FIELD: return "ERR_CARD_BAD_FIELD";
    case ERR_CARD_BAD_APDU: return "ERR_CARD_BAD_APDU";
    case ERR_CARD_SM_MISSING: return "ERR_CARD_SM_MISSING";
    case ERR_CARD_BAD_MAC: return "ERR_CARD_BAD_MAC";
    case ERR_CARD_BAD_PADDING: return "ERR_CARD_BAD_PADDING";
    case ERR_CARD_BAD_CRYPTOGRAM: return "ERR_CARD_BAD_CRYPTOGRAM";
    case ERR_CARD_BAD_SECURITY_LEVEL: return "ERR_CARD_BAD_SECURITY_LEVEL";
    case ERR_CARD_BAD_INIT_RESPONSE: return "ERR_CARD_BAD_INIT_RESPONSE";
    case ERR_CARD_SM_TOO_LONG: return "ERR_CARD_SM_TOO_LONG";
    default: return "";
  }
}
