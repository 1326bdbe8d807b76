/**
 * Error codes of the test-rig link (range -260..-279 of protocol/errors.ts): the frame and message
 * checks of protocol/rig/frame.ts and messages.ts, and the statuses a fixture answers a command
 * with. protocol/SPEC.md Rig §6
 */

/** A frame does not start with the start byte A5. */
export const ERR_RIG_BAD_SOF: i32 = -260;
/** The version byte is not the one this side speaks (RIG_VERSION). */
export const ERR_RIG_BAD_VERSION: i32 = -261;
/** The CRC-16 trailer does not match the frame. */
export const ERR_RIG_BAD_CRC: i32 = -262;
/** The type byte is not a defined message type. */
export const ERR_RIG_UNKNOWN_TYPE: i32 = -263;
/** A defined type sent the wrong way (a reply or event to the fixture, a command from it). */
export const ERR_RIG_WRONG_DIRECTION: i32 = -264;
/** The body's length or a field value is not allowed for the message type. */
export const ERR_RIG_BAD_BODY: i32 = -265;
/** The fixture cannot do this (the capability bit is clear in its HELLO reply). */
export const ERR_RIG_UNSUPPORTED: i32 = -266;
/** KEYS while the device is powered off. */
export const ERR_RIG_POWERED_OFF: i32 = -267;
/** INSERT: the fixture's card emulator holds no card with this serial. */
export const ERR_RIG_NO_SUCH_CARD: i32 = -268;
/** INSERT: a card is already in the slot. */
export const ERR_RIG_SLOT_BUSY: i32 = -269;
/** REMOVE: the slot is empty. */
export const ERR_RIG_SLOT_EMPTY: i32 = -270;
/** INSERT: the card is in another device's slot (fixtures that share one set of cards). */
export const ERR_RIG_CARD_BUSY: i32 = -271;

/** Name of a rig error code, or "" when it is not one of this file's. */
export function rigErrorName(code: i32): string {
  switch (code) {
    case ERR_RIG_BAD_SOF: return "ERR_RIG_BAD_SOF";
    case ERR_RIG_BAD_VERSION: return "ERR_RIG_BAD_VERSION";
    case ERR_RIG_BAD_CRC: return "ERR_RIG_BAD_CRC";
    case ERR_RIG_UNKNOWN_TYPE: return "ERR_RIG_UNKNOWN_TYPE";
    case ERR_RIG_WRONG_DIRECTION: return "ERR_RIG_WRONG_DIRECTION";
    case ERR_RIG_BAD_BODY: return "ERR_RIG_BAD_BODY";
    case ERR_RIG_UNSUPPORTED: return "ERR_RIG_UNSUPPORTED";
    case ERR_RIG_POWERED_OFF: return "ERR_RIG_POWERED_OFF";
    case ERR_RIG_NO_SUCH_CARD: return "ERR_RIG_NO_SUCH_CARD";
    case ERR_RIG_SLOT_BUSY: return "ERR_RIG_SLOT_BUSY";
    case ERR_RIG_SLOT_EMPTY: return "ERR_RIG_SLOT_EMPTY";
    case ERR_RIG_CARD_BUSY: return "ERR_RIG_CARD_BUSY";
    default: return "";
  }
}
