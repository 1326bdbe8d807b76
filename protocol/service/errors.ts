/**
 * Error codes of the lockbox service port (range -200..-219 of -200..-239, protocol/errors.ts;
 * the reader uses -230..-239). Sent as the status of MFG replies; protocol/SPEC.md Lockbox §6
 */

/** The MFG command is empty, names an unknown sub-command, or its body has the wrong length. */
export const ERR_SVC_BAD_COMMAND: i32 = -200;
/** A state-changing sub-command arrived outside the OSDP secure channel. */
export const ERR_SVC_NEEDS_SECURE: i32 = -201;
/** READ LOG: the box keeps no record at or above the asked sequence number. */
export const ERR_SVC_NO_RECORD: i32 = -202;
/** SET TIME: a time before 2000-01-01 or after 2105. */
export const ERR_SVC_BAD_TIME: i32 = -203;
/** The reply is not a well-formed lockbox MFG reply (Node side). */
export const ERR_SVC_BAD_REPLY: i32 = -204;
/** The flash write failed. */
export const ERR_SVC_FLASH: i32 = -205;

/** Name of a service error code, or "" when it is not one of this file's. */
export function serviceErrorName(code: i32): string {
  switch (code) {
    case ERR_SVC_BAD_COMMAND: return "ERR_SVC_BAD_COMMAND";
    case ERR_SVC_NEEDS_SECURE: return "ERR_SVC_NEEDS_SECURE";
    case ERR_SVC_NO_RECORD: return "ERR_SVC_NO_RECORD";
    case ERR_SVC_BAD_TIME: return "ERR_SVC_BAD_TIME";
    case ERR_SVC_BAD_REPLY: return "ERR_SVC_BAD_REPLY";
    case ERR_SVC_FLASH: return "ERR_SVC_FLASH";
    default: return "";
  }
}
