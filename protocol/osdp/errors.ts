/**
 * OSDP error codes (range -20..-59, protocol/errors.ts). Codecs also return the common codes
 * ERR_OUTPUT_TOO_SMALL (encoders) and ERR_BAD_ARGUMENT (caller mistakes). The packet-layer codes
 * follow the checks of SIA OSDP v2.2 §5 in the order the decoder applies them; protocol/SPEC.md (OSDP chapter) lists
 * which NAK reason (§7.3) a PD answers with for each.
 */

/** The packet does not start with SOM 0x53 (after an optional 0xFF mark), §5.1. */
export const ERR_OSDP_BAD_SOM: i32 = -20;
/** The input ends before the packet's length field says it does, or before the header ends. */
export const ERR_OSDP_TRUNCATED: i32 = -21;
/** The input holds bytes after the packet the length field describes. */
export const ERR_OSDP_OVERLONG: i32 = -22;
/** The length field is below the minimum for the header it announces, or above OSDP_MAX_PACKET. */
export const ERR_OSDP_BAD_LENGTH: i32 = -23;
/** The CRC-16 trailer does not match (§5.7). */
export const ERR_OSDP_BAD_CRC: i32 = -24;
/** The 8-bit checksum trailer does not match (§5.7). */
export const ERR_OSDP_BAD_CHECKSUM: i32 = -25;
/** CTRL has a reserved bit (0x70 or 0x80) set (§5.5). */
export const ERR_OSDP_BAD_CTRL: i32 = -26;
/** Security block: unknown type, wrong SEC_BLK_LEN for its type, or undefined SEC_BLK_DATA (§5.6, Annex D). */
export const ERR_OSDP_BAD_SCB: i32 = -27;
/** The command code is not one OSDP v2.2 defines (§6). */
export const ERR_OSDP_UNKNOWN_COMMAND: i32 = -28;
/** The reply code is not one OSDP v2.2 defines (§7). */
export const ERR_OSDP_UNKNOWN_REPLY: i32 = -29;
/** A reply or command carries a sequence number the link state does not expect (§5.5). */
export const ERR_OSDP_BAD_SEQUENCE: i32 = -30;
/** Decrypted data does not end in 0x80 followed only by 0x00 bytes, or is not a multiple of 16 (Annex D.4). */
export const ERR_OSDP_BAD_PADDING: i32 = -31;
/** The packet's 4-byte MAC does not match the one computed with the session keys (Annex D.5). */
export const ERR_OSDP_BAD_MAC: i32 = -32;
/** The payload length is not one the message allows (§6, §7 per message). */
export const ERR_OSDP_BAD_PAYLOAD_LENGTH: i32 = -33;
/** A payload field holds a value the message does not define. */
export const ERR_OSDP_BAD_FIELD: i32 = -34;
/** The packet is addressed to another PD. */
export const ERR_OSDP_WRONG_ADDRESS: i32 = -35;
/** A secure packet (SCS_15..18) arrived while no secure session is established. */
export const ERR_OSDP_NO_SESSION: i32 = -36;
/** The peer's cryptogram does not verify: wrong SCBK or a forged handshake (Annex D.3). */
export const ERR_OSDP_BAD_CRYPTOGRAM: i32 = -37;
/** The peer asked for the install-mode key SCBK-D, which is not enabled (Annex D.2). */
export const ERR_OSDP_SCBK_D_DISABLED: i32 = -38;
/** A message arrived that the current state does not allow (e.g. SCRYPT before CHLNG). */
export const ERR_OSDP_UNEXPECTED: i32 = -39;
/** The payload has more entries or data bytes than the codec's fixed capacity. */
export const ERR_OSDP_TOO_MANY: i32 = -40;
/** No valid reply arrived within the timeout after all retries (control panel). */
export const ERR_OSDP_TIMEOUT: i32 = -41;
/** The PD answered osdp_NAK (control panel). */
export const ERR_OSDP_NAK: i32 = -42;
/** The packet needs encryption but the session requires a secure channel (plain command refused). */
export const ERR_OSDP_SECURE_REQUIRED: i32 = -43;

/** Name of an OSDP error code, or "" when the code is not one of this file's. */
export function osdpErrorName(code: i32): string {
  switch (code) {
    case ERR_OSDP_BAD_SOM: return "ERR_OSDP_BAD_SOM";
    case ERR_OSDP_TRUNCATED: return "ERR_OSDP_TRUNCATED";
    case ERR_OSDP_OVERLONG: return "ERR_OSDP_OVERLONG";
    case ERR_OSDP_BAD_LENGTH: return "ERR_OSDP_BAD_LENGTH";
    case ERR_OSDP_BAD_CRC: return "ERR_OSDP_BAD_CRC";
    case ERR_OSDP_BAD_CHECKSUM: return "ERR_OSDP_BAD_CHECKSUM";
    case ERR_OSDP_BAD_CTRL: return "ERR_OSDP_BAD_CTRL";
    case ERR_OSDP_BAD_SCB: return "ERR_OSDP_BAD_SCB";
    case ERR_OSDP_UNKNOWN_COMMAND: return "ERR_OSDP_UNKNOWN_COMMAND";
    case ERR_OSDP_UNKNOWN_REPLY: return "ERR_OSDP_UNKNOWN_REPLY";
    case ERR_OSDP_BAD_SEQUENCE: return "ERR_OSDP_BAD_SEQUENCE";
    case ERR_OSDP_BAD_PADDING: return "ERR_OSDP_BAD_PADDING";
    case ERR_OSDP_BAD_MAC: return "ERR_OSDP_BAD_MAC";
    case ERR_OSDP_BAD_PAYLOAD_LENGTH: return "ERR_OSDP_BAD_PAYLOAD_LENGTH";
    case ERR_OSDP_BAD_FIELD: return "ERR_OSDP_BAD_FIELD";
    case ERR_OSDP_WRONG_ADDRESS: return "ERR_OSDP_WRONG_ADDRESS";
    case ERR_OSDP_NO_SESSION: return "ERR_OSDP_NO_SESSION";
    case ERR_OSDP_BAD_CRYPTOGRAM: return "ERR_OSDP_BAD_CRYPTOGRAM";
    case ERR_OSDP_SCBK_D_DISABLED: return "ERR_OSDP_SCBK_D_DISABLED";
    case ERR_OSDP_UNEXPECTED: return "ERR_OSDP_UNEXPECTED";
    case ERR_OSDP_TOO_MANY: return "ERR_OSDP_TOO_MANY";
    case ERR_OSDP_TIMEOUT: return "ERR_OSDP_TIMEOUT";
    case ERR_OSDP_NAK: return "ERR_OSDP_NAK";
    case ERR_OSDP_SECURE_REQUIRED: return "ERR_OSDP_SECURE_REQUIRED";
    default: return "";
  }
}
