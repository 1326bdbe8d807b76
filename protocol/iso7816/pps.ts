/**
 * ISO/IEC 7816-3 §9 protocol and parameters selection: PPSS FF, PPS0 (b1..b4 protocol T, b5/b6/b7
 * announce PPS1/PPS2/PPS3, b8 reserved), optional PPS1 (Fi/Di), PPS2, PPS3, and PCK making the XOR
 * of PPSS..PCK zero. The same layout serves the reader's request and the card's response.
 */
import { OK, ERR_TRUNCATED, ERR_OVERLONG, ERR_OUTPUT_TOO_SMALL, ERR_BAD_ARGUMENT } from "../errors";
import { ERR_PPS_BAD_PPSS, ERR_PPS_BAD_PCK, ERR_PPS_BAD_PPS0, ERR_PPS_BAD_PPS1, ERR_PPS_REJECTED } from "./errors";
import { fiDiValid, diOf, FIDI_DEFAULT } from "./timing";
import { inBounds } from "../bytes";

/** Longest PPS message: PPSS PPS0 PPS1 PPS2 PPS3 PCK. */
export const PPS_MAX_LEN: i32 = 6;

/** One PPS request or response. An absent PPSn is -1. */
export class Pps {
  protocol: i32 = 1;
  pps1: i32 = -1;
  pps2: i32 = -1;
  pps3: i32 = -1;

  set(protocol: i32, pps1: i32, pps2: i32, pps3: i32): Pps {
    this.protocol = protocol;
    this.pps1 = pps1;
    this.pps2 = pps2;
    this.pps3 = pps3;
    return this;
  }
}

/** Number of bytes the PPS whose first two bytes are PPSS PPS0 occupies. */
export function ppsLength(pps0: i32): i32 {
  return 3 + ((pps0 >> 4) & 1) + ((pps0 >> 5) & 1) + ((pps0 >> 6) & 1);
}

/**
 * Parses exactly one PPS message in buf[off..off+len) into `into`; returns its length or
 * ERR_PPS_BAD_PPSS / _BAD_PPS0 / _BAD_PCK / _BAD_PPS1, ERR_TRUNCATED, ERR_OVERLONG. `into` is
 * unchanged on error. §9.2.
 */
export function decodePps(buf: Uint8Array, off: i32, len: i32, into: Pps): i32 {
  if (!inBounds(buf, off, len)) return ERR_BAD_ARGUMENT;
  if (len < 1) return ERR_TRUNCATED;
  if (buf[off] != 0xff) return ERR_PPS_BAD_PPSS;
  if (len < 2) return ERR_TRUNCATED;
  const pps0 = i32(buf[off + 1]);
  if ((pps0 & 0x80) != 0) return ERR_PPS_BAD_PPS0;
  const total = ppsLength(pps0);
  if (len < total) return ERR_TRUNCATED;
  if (len > total) return ERR_OVERLONG;
  let x = 0;
  for (let i = 0; i < total; i++) x ^= i32(buf[off + i]);
  if (x != 0) return ERR_PPS_BAD_PCK;
  let pos = off + 2;
  const pps1 = (pps0 & 0x10) != 0 ? i32(buf[pos++]) : -1;
  const pps2 = (pps0 & 0x20) != 0 ? i32(buf[pos++]) : -1;
  const pps3 = (pps0 & 0x40) != 0 ? i32(buf[pos]) : -1;
  if (pps1 >= 0 && !fiDiValid(pps1)) return ERR_PPS_BAD_PPS1;
  into.set(pps0 & 15, pps1, pps2, pps3);
  return total;
}

/** Writes `pps` with its PCK; returns the length or ERR_BAD_ARGUMENT / ERR_OUTPUT_TOO_SMALL. §9.2. */
export function encodePps(pps: Pps, out: Uint8Array, off: i32, cap: i32): i32 {
  if (pps.protocol < 0 || pps.protocol > 15 || pps.pps1 > 0xff || pps.pps2 > 0xff || pps.pps3 > 0xff) return ERR_BAD_ARGUMENT;
  if (pps.pps1 >= 0 && !fiDiValid(pps.pps1)) return ERR_BAD_ARGUMENT;
  let pps0 = pps.protocol;
  if (pps.pps1 >= 0) pps0 |= 0x10;
  if (pps.pps2 >= 0) pps0 |= 0x20;
  if (pps.pps3 >= 0) pps0 |= 0x40;
  const total = ppsLength(pps0);
  if (cap < total) return ERR_OUTPUT_TOO_SMALL;
  out[off] = 0xff;
  out[off + 1] = u8(pps0);
  let pos = off + 2;
  if (pps.pps1 >= 0) out[pos++] = u8(pps.pps1);
  if (pps.pps2 >= 0) out[pos++] = u8(pps.pps2);
  if (pps.pps3 >= 0) out[pos++] = u8(pps.pps3);
  let x = 0;
  for (let p = off; p < pos; p++) x ^= i32(out[p]);
  out[pos] = u8(x);
  return total;
}

/**
 * The reader's acceptance rule (§9.3): the response must name the requested protocol; each of
 * PPS1..PPS3 must either echo the request or be absent (absent PPS1 means Fd/Dd), and the response
 * may not add a parameter the request did not carry. Returns the Fi/Di byte now in force (the
 * echoed PPS1, or 11) or ERR_PPS_REJECTED.
 */
export function ppsAccepted(request: Pps, response: Pps): i32 {
  if (response.protocol != request.protocol) return ERR_PPS_REJECTED;
  if (response.pps1 >= 0 && response.pps1 != request.pps1) return ERR_PPS_REJECTED;
  if (response.pps2 >= 0 && response.pps2 != request.pps2) return ERR_PPS_REJECTED;
  if (response.pps3 >= 0 && response.pps3 != request.pps3) return ERR_PPS_REJECTED;
  return response.pps1 >= 0 ? response.pps1 : FIDI_DEFAULT;
}

/**
 * The card's rule for a request (§9.3): it answers with the request itself when it offers the
 * protocol (bit T of `protocolsMask`) and can run the requested Fi/Di: the same Fi index as its
 * TA1 and a Di index whose Di is no greater than TA1's. Otherwise it stays silent (returns
 * ERR_PPS_REJECTED) and the reader resets it. PPS2/PPS3 are refused (not supported here).
 */
export function ppsCardAccepts(request: Pps, protocolsMask: i32, cardFidi: i32): i32 {
  if (((protocolsMask >> request.protocol) & 1) == 0) return ERR_PPS_REJECTED;
  if (request.pps2 >= 0 || request.pps3 >= 0) return ERR_PPS_REJECTED;
  if (request.pps1 < 0 || request.pps1 == FIDI_DEFAULT) return OK;
  if ((request.pps1 >> 4) != (cardFidi >> 4)) return ERR_PPS_REJECTED;
  if (diOf(request.pps1 & 15) > diOf(cardFidi & 15)) return ERR_PPS_REJECTED;
  return OK;
}
