/**
 * ISO/IEC 7816 error codes (range -60..-99, protocol/errors.ts). Codecs also return the common
 * codes ERR_TRUNCATED / ERR_OVERLONG (input shorter or longer than its own length fields say),
 * ERR_OUTPUT_TOO_SMALL (encoders) and ERR_BAD_ARGUMENT (caller mistakes). protocol/SPEC.md (ISO 7816 chapter) lists
 * them all with the check order of each decoder.
 */

/** ATR: TS is neither 3B (direct), 3F (inverse, already converted) nor 03 (inverse, raw). 7816-3 §8.1. */
export const ERR_ATR_BAD_TS: i32 = -60;
/** ATR: the XOR of T0..TCK is not 00. 7816-3 §8.2.5. */
export const ERR_ATR_BAD_TCK: i32 = -61;
/** ATR: the interface and historical bytes announced need more than the 33-byte maximum. §8.2.1. */
export const ERR_ATR_TOO_LONG: i32 = -62;
/** ATR: TA1 names an RFU Fi or Di index. §8.3, tables 7 and 8. */
export const ERR_ATR_BAD_TA1: i32 = -63;
/** ATR: a T=1 specific byte is illegal: IFSC 00 or FF, or BWI > 9. §11.4. */
export const ERR_ATR_BAD_T1_PARAM: i32 = -64;

/** PPS: PPSS is not FF. §9.2. */
export const ERR_PPS_BAD_PPSS: i32 = -65;
/** PPS: the XOR of PPSS..PCK is not 00. §9.2. */
export const ERR_PPS_BAD_PCK: i32 = -66;
/** PPS: PPS0 bit 8 (reserved) is set. §9.2. */
export const ERR_PPS_BAD_PPS0: i32 = -67;
/** PPS: PPS1 names an RFU Fi or Di index. §9.2. */
export const ERR_PPS_BAD_PPS1: i32 = -68;
/** PPS: the response does not confirm the request (protocol differs or a parameter was changed). §9.3. */
export const ERR_PPS_REJECTED: i32 = -69;

/** T=1: LEN is FF, which ISO/IEC 7816-3 §11.3.2.3 reserves. */
export const ERR_T1_BAD_LEN: i32 = -70;
/** T=1: the LRC or CRC epilogue does not match the block. §11.3.4. */
export const ERR_T1_BAD_EDC: i32 = -71;
/** T=1: the PCB is not a defined I-, R- or S-block coding. §11.3.2.2. */
export const ERR_T1_BAD_PCB: i32 = -72;
/** T=1: LEN exceeds the receiver's information field size (IFSC or IFSD). §11.4.2. */
export const ERR_T1_INF_TOO_LONG: i32 = -73;
/** T=1: an R-block carries INF, or an S-block's INF is the wrong size or value (IFS 00/FF, WTX 00). */
export const ERR_T1_BAD_CONTROL_INF: i32 = -74;

/** C-APDU: a short Lc (B1 != 00) disagrees with the number of body bytes. 7816-3 §12.1.3. */
export const ERR_APDU_LC_MISMATCH: i32 = -80;
/** C-APDU: the body starts with 00 but is not a valid extended case (2E, 3E, 4E). §12.1.3. */
export const ERR_APDU_BAD_EXTENDED: i32 = -81;
/** C-APDU: an extended Lc (00 B2 B3) disagrees with the number of body bytes. §12.1.3. */
export const ERR_APDU_EXT_LC_MISMATCH: i32 = -82;

/** Link (firmware/services/t1): the card sent no ATR, or a power/reset failure. */
export const ERR_LINK_NO_CARD: i32 = -90;
/** Link: the ATR does not offer T=1. */
export const ERR_LINK_NO_T1: i32 = -91;
/** Link: no PPS response, or a PPS exchange that failed both at the card's rate and at default rate. */
export const ERR_LINK_PPS_FAILED: i32 = -92;
/** Link: blocks kept failing and RESYNCH did not recover the link. §11.6.3. */
export const ERR_LINK_FAILED: i32 = -93;
/** Link: the card aborted the chain with S(ABORT). §11.6.2. */
export const ERR_LINK_ABORTED: i32 = -94;
/** Link: the response does not fit the caller's buffer; the rest of the chain was received and dropped. */
export const ERR_LINK_RESPONSE_TOO_LONG: i32 = -95;
/** Link: transceive called before a successful connect (or after the link failed). */
export const ERR_LINK_NOT_CONNECTED: i32 = -96;

/** Name of an ISO 7816 error code, or "" when the code is not one of this file's. */
export function iso7816ErrorName(code: i32): string {
  switch (code) {
    case ERR_ATR_BAD_TS: return "ERR_ATR_BAD_TS";
    case ERR_ATR_BAD_TCK: return "ERR_ATR_BAD_TCK";
    case ERR_ATR_TOO_LONG: return "ERR_ATR_TOO_LONG";
    case ERR_ATR_BAD_TA1: return "ERR_ATR_BAD_TA1";
    case ERR_ATR_BAD_T1_PARAM: return "ERR_ATR_BAD_T1_PARAM";
    case ERR_PPS_BAD_PPSS: return "ERR_PPS_BAD_PPSS";
    case ERR_PPS_BAD_PCK: return "ERR_PPS_BAD_PCK";
    case ERR_PPS_BAD_PPS0: return "ERR_PPS_BAD_PPS0";
    case ERR_PPS_BAD_PPS1: return "ERR_PPS_BAD_PPS1";
    case ERR_PPS_REJECTED: return "ERR_PPS_REJECTED";
    case ERR_T1_BAD_LEN: return "ERR_T1_BAD_LEN";
    case ERR_T1_BAD_EDC: return "ERR_T1_BAD_EDC";
    case ERR_T1_BAD_PCB: return "ERR_T1_BAD_PCB";
    case ERR_T1_INF_TOO_LONG: return "ERR_T1_INF_TOO_LONG";
    case ERR_T1_BAD_CONTROL_INF: return "ERR_T1_BAD_CONTROL_INF";
    case ERR_APDU_LC_MISMATCH: return "ERR_APDU_LC_MISMATCH";
    case ERR_APDU_BAD_EXTENDED: return "ERR_APDU_BAD_EXTENDED";
    case ERR_APDU_EXT_LC_MISMATCH: return "ERR_APDU_EXT_LC_MISMATCH";
    case ERR_LINK_NO_CARD: return "ERR_LINK_NO_CARD";
    case ERR_LINK_NO_T1: return "ERR_LINK_NO_T1";
    case ERR_LINK_PPS_FAILED: return "ERR_LINK_PPS_FAILED";
    case ERR_LINK_FAILED: return "ERR_LINK_FAILED";
    case ERR_LINK_ABORTED: return "ERR_LINK_ABORTED";
    case ERR_LINK_RESPONSE_TOO_LONG: return "ERR_LINK_RESPONSE_TOO_LONG";
    case ERR_LINK_NOT_CONNECTED: return "ERR_LINK_NOT_CONNECTED";
    default: return "";
  }
}
