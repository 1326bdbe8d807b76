/**
 * Lockbox outcome reasons: the `reason` byte of the audit records a lockbox writes (protocol/SPEC.md
 * Card §4.1 leaves it lockbox-defined; Lockbox §5 lists each with its light and buzzer pattern). Shared by the firmware, the server (to show why an access was refused) and tools.
 */

/** Success: no reason. */
export const REASON_NONE: i32 = 0;
/** The card belongs to another association. */
export const REASON_OTHER_ASSOCIATION: i32 = 1;
/** The card failed mutual authentication (not a genuine card of this association). */
export const REASON_NOT_GENUINE: i32 = 2;
/** The authorization expired and no CARS extension covers now. */
export const REASON_EXPIRED: i32 = 3;
/** The card is on the denylist and has not expired. */
export const REASON_DENYLISTED: i32 = 4;
/** The card refused the PIN and has tries left. */
export const REASON_WRONG_PIN: i32 = 5;
/** The card's PIN is blocked (no tries left). */
export const REASON_PIN_BLOCKED: i32 = 6;
/** Outside the access days or hours, in the box's local time. */
export const REASON_OUTSIDE_HOURS: i32 = 7;
/** The box is in privacy (do-not-disturb) mode. */
export const REASON_PRIVACY: i32 = 8;
/** The call-before-showing code was wrong, or not keyed within 30 s. */
export const REASON_CBS_WRONG: i32 = 9;
/** No CARS sequence in the window gives the code (wrong, replayed, another card's, another day's). */
export const REASON_CARS_WRONG: i32 = 10;
/** The card already had the month's CARS codes. */
export const REASON_CARS_MONTH_LIMIT: i32 = 11;
/** Another CARS code would exceed the consecutive-day limit. */
export const REASON_CARS_CONSECUTIVE_LIMIT: i32 = 12;
/** Too many wrong CARS codes: CARS entry locked for 15 minutes. */
export const REASON_CARS_LOCKED_OUT: i32 = 13;
/** Shackle release by a non-owner without the right shackle code. */
export const REASON_SHACKLE_CODE_WRONG: i32 = 14;
/** The card link failed or the card refused a command it should accept. */
export const REASON_CARD_ERROR: i32 = 15;
/** Taking ownership needs a listing agent's card. */
export const REASON_NOT_LISTING_AGENT: i32 = 16;
/** The keyed entry has no meaning (unknown function, wrong length). */
export const REASON_BAD_ENTRY: i32 = 17;

/** Name of a reason code, "" for an unknown one. */
export function reasonName(reason: i32): string {
  switch (reason) {
    case REASON_NONE: return "none";
    case REASON_OTHER_ASSOCIATION: return "other association";
    case REASON_NOT_GENUINE: return "not a genuine card";
    case REASON_EXPIRED: return "expired";
    case REASON_DENYLISTED: return "denylisted";
    case REASON_WRONG_PIN: return "wrong PIN";
    case REASON_PIN_BLOCKED: return "PIN blocked";
    case REASON_OUTSIDE_HOURS: return "outside access hours";
    case REASON_PRIVACY: return "privacy mode";
    case REASON_CBS_WRONG: return "CBS code wrong or missing";
    case REASON_CARS_WRONG: return "CARS code wrong";
    case REASON_CARS_MONTH_LIMIT: return "CARS monthly limit";
    case REASON_CARS_CONSECUTIVE_LIMIT: return "CARS consecutive-day limit";
    case REASON_CARS_LOCKED_OUT: return "CARS locked out";
    case REASON_SHACKLE_CODE_WRONG: return "shackle code wrong";
    case REASON_CARD_ERROR: return "card error";
    case REASON_NOT_LISTING_AGENT: return "not a listing agent";
    case REASON_BAD_ENTRY: return "bad entry";
    default: return "";
  }
}
