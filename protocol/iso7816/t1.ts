/**
 * ISO/IEC 7816-3 §11.3 T=1 block: prologue NAD PCB LEN, information field INF (LEN bytes, 0..254),
 * epilogue EDC (LRC: 1 byte; CRC: 2 bytes, high byte first). PCB coding §11.3.2.2:
 *   I-block 0 N(S) M 00000     R-block 100 N(R) eeee     S-block 11 R ttttt
 * Three EDC variants are supported because public readers disagree on the CRC (protocol/SPEC.md (ISO 7816 chapter)).
 */
import { OK, ERR_TRUNCATED, ERR_OVERLONG, ERR_OUTPUT_TOO_SMALL, ERR_BAD_ARGUMENT } from "../errors";
import { ERR_T1_BAD_LEN, ERR_T1_BAD_EDC, ERR_T1_BAD_PCB, ERR_T1_INF_TOO_LONG, ERR_T1_BAD_CONTROL_INF } from "./errors";
import { lrc8, crc16Lsb } from "../crc";
import { copyBytes, inBounds } from "../bytes";

/** EDC = LRC (XOR of NAD..INF), the default. §11.4.4. */
export const T1_EDC_LRC: i32 = 0;
/** EDC = CRC-16/MCRF4XX (reflected 0x1021, init FFFF), high byte first: Linux pcsc-lite CCID. */
export const T1_EDC_CRC: i32 = 1;
/** EDC = CRC-16/ARC (reflected 0x8005, init 0), high byte first: the Windows 10 inbox driver. */
export const T1_EDC_CRC_ARC: i32 = 2;

/** Largest INF: LEN 00..FE; FF is reserved. §11.3.2.3. */
export const T1_MAX_INF: i32 = 254;
/** Largest block: prologue + 254 + 2-byte CRC. */
export const T1_MAX_BLOCK: i32 = 259;

/** Block kinds by PCB bits 8..7 (§11.3.2.2): information, receive-ready, supervisory. */
export const T1_BLOCK_I: i32 = 0;
/** R-block (PCB 100x xxxx). */
export const T1_BLOCK_R: i32 = 1;
/** S-block (PCB 11xx xxxx). */
export const T1_BLOCK_S: i32 = 2;

/** R-block error code (PCB b4..b1, §11.3.2.2): error-free acknowledgement. */
export const T1_R_OK: i32 = 0;
/** R-block error code: EDC or parity error. */
export const T1_R_EDC_ERROR: i32 = 1;
/** R-block error code: other error. */
export const T1_R_OTHER_ERROR: i32 = 2;

/** S-block function (PCB b5..b1, §11.3.2.2): resynchronise the block layer. */
export const T1_S_RESYNCH: i32 = 0;
/** S-block function: information field size (INF: new IFS). */
export const T1_S_IFS: i32 = 1;
/** S-block function: abort the chain. */
export const T1_S_ABORT: i32 = 2;
/** S-block function: waiting time extension (INF: BWT multiplier). */
export const T1_S_WTX: i32 = 3;
/** S-block function: VPP error (response only). */
export const T1_S_VPP_ERROR: i32 = 4;

/** A decoded block. INF stays in the caller's buffer at infOff..infOff+infLen. */
export class T1Block {
  nad: i32 = 0;
  pcb: i32 = 0;
  kind: i32 = T1_BLOCK_I;
  /** I-block send sequence number N(S). */
  ns: i32 = 0;
  /** I-block more-data bit M (chaining). */
  more: bool = false;
  /** R-block N(R): the N(S) of the I-block the sender expects next. */
  nr: i32 = 0;
  /** R-block error code (T1_R_*). */
  error: i32 = 0;
  /** S-block function (T1_S_*). */
  sType: i32 = 0;
  sResponse: bool = false;
  /** The INF byte of S(IFS) / S(WTX), else -1. */
  sValue: i32 = -1;
  infOff: i32 = 0;
  infLen: i32 = 0;
  /** Whole block length including the epilogue. */
  length: i32 = 0;
}

/** PCB of I(N(S), M). */
export function pcbI(ns: i32, more: bool): i32 {
  return ((ns & 1) << 6) | (more ? 0x20 : 0);
}

/** PCB of R(N(R), error). */
export function pcbR(nr: i32, error: i32): i32 {
  return 0x80 | ((nr & 1) << 4) | (error & 15);
}

/** PCB of an S-block request or response. */
export function pcbS(sType: i32, response: bool): i32 {
  return 0xc0 | (response ? 0x20 : 0) | (sType & 31);
}

/** Epilogue length for an EDC mode: 1 (LRC) or 2 (either CRC). */
export function edcLength(edcMode: i32): i32 {
  return edcMode == T1_EDC_LRC ? 1 : 2;
}

/** Total block length announced by a prologue's LEN byte, or ERR_T1_BAD_LEN for FF. */
export function t1BlockLength(lenByte: i32, edcMode: i32): i32 {
  if (lenByte == 0xff) return ERR_T1_BAD_LEN;
  return 3 + lenByte + edcLength(edcMode);
}

function edcValue(edcMode: i32, buf: Uint8Array, off: i32, len: i32): i32 {
  if (edcMode == T1_EDC_LRC) return lrc8(buf, off, len);
  if (edcMode == T1_EDC_CRC) return crc16Lsb(0x8408, 0xffff, 0, buf, off, len);
  return crc16Lsb(0xa001, 0, 0, buf, off, len);
}

/**
 * Checks a PCB and its INF against §11.3.2: reserved bits clear, defined R error codes and S
 * functions (VPP error only as a response), no INF on R-blocks and RESYNCH/ABORT/VPP, one INF byte
 * 01..FE on S(IFS) and 01..FF on S(WTX). Returns OK, ERR_T1_BAD_PCB or ERR_T1_BAD_CONTROL_INF.
 */
export function checkPcb(pcb: i32, inf: Uint8Array, infOff: i32, infLen: i32): i32 {
  if ((pcb & 0x80) == 0) return (pcb & 0x1f) != 0 ? ERR_T1_BAD_PCB : OK;
  if ((pcb & 0x40) == 0) {
    if ((pcb & 0x20) != 0 || (pcb & 15) > T1_R_OTHER_ERROR) return ERR_T1_BAD_PCB;
    return infLen != 0 ? ERR_T1_BAD_CONTROL_INF : OK;
  }
  const t = pcb & 31;
  if (t > T1_S_VPP_ERROR || (t == T1_S_VPP_ERROR && (pcb & 0x20) == 0)) return ERR_T1_BAD_PCB;
  if (t == T1_S_IFS || t == T1_S_WTX) {
    if (infLen != 1) return ERR_T1_BAD_CONTROL_INF;
    const v = i32(inf[infOff]);
    if (v == 0 || (t == T1_S_IFS && v == 0xff)) return ERR_T1_BAD_CONTROL_INF;
    return OK;
  }
  return infLen != 0 ? ERR_T1_BAD_CONTROL_INF : OK;
}

/**
 * Decodes exactly one block in buf[off..off+len) with EDC mode `edcMode`, accepting an I-block INF
 * of at most `maxInf` bytes (the receiver's IFS). Checks, in order: prologue present (ERR_TRUNCATED),
 * LEN FF (ERR_T1_BAD_LEN), length (ERR_TRUNCATED / ERR_OVERLONG), EDC (ERR_T1_BAD_EDC), PCB and
 * control INF (ERR_T1_BAD_PCB / _BAD_CONTROL_INF), INF size (ERR_T1_INF_TOO_LONG). Returns the
 * block length; `into` is unchanged on error. §11.3, §11.4.
 */
export function decodeT1Block(buf: Uint8Array, off: i32, len: i32, edcMode: i32, maxInf: i32, into: T1Block): i32 {
  if (!inBounds(buf, off, len)) return ERR_BAD_ARGUMENT;
  if (len < 3) return ERR_TRUNCATED;
  const infLen = i32(buf[off + 2]);
  if (infLen == 0xff) return ERR_T1_BAD_LEN;
  const edcLen = edcLength(edcMode);
  const total = 3 + infLen + edcLen;
  if (len < total) return ERR_TRUNCATED;
  if (len > total) return ERR_OVERLONG;
  const body = 3 + infLen;
  const edc = edcValue(edcMode, buf, off, body);
  const got = edcLen == 1 ? i32(buf[off + body]) : (i32(buf[off + body]) << 8) | i32(buf[off + body + 1]);
  if (edc != got) return ERR_T1_BAD_EDC;
  const pcb = i32(buf[off + 1]);
  const check = checkPcb(pcb, buf, off + 3, infLen);
  if (check != OK) return check;
  if ((pcb & 0x80) == 0 && infLen > maxInf) return ERR_T1_INF_TOO_LONG;
  into.nad = i32(buf[off]);
  into.pcb = pcb;
  into.kind = (pcb & 0x80) == 0 ? T1_BLOCK_I : (pcb & 0x40) == 0 ? T1_BLOCK_R : T1_BLOCK_S;
  into.ns = (pcb >> 6) & 1;
  into.more = (pcb & 0xa0) == 0x20;
  into.nr = (pcb >> 4) & 1;
  into.error = into.kind == T1_BLOCK_R ? pcb & 15 : 0;
  into.sType = pcb & 31;
  into.sResponse = (pcb & 0x20) != 0;
  into.sValue = into.kind == T1_BLOCK_S && infLen == 1 ? i32(buf[off + 3]) : -1;
  into.infOff = off + 3;
  into.infLen = infLen;
  into.length = total;
  return total;
}

/**
 * Writes the block NAD PCB LEN INF EDC with INF = src[srcOff..srcOff+infLen). Returns its length,
 * ERR_BAD_ARGUMENT (infLen outside 0..254, NAD/EDC mode out of range), ERR_T1_BAD_PCB /
 * _BAD_CONTROL_INF (a block the decoder would refuse) or ERR_OUTPUT_TOO_SMALL; writes nothing on error.
 */
export function encodeT1Block(nad: i32, pcb: i32, src: Uint8Array, srcOff: i32, infLen: i32, edcMode: i32, out: Uint8Array, off: i32, cap: i32): i32 {
  if (infLen < 0 || infLen > T1_MAX_INF || nad < 0 || nad > 0xff || pcb < 0 || pcb > 0xff) return ERR_BAD_ARGUMENT;
  if (edcMode < T1_EDC_LRC || edcMode > T1_EDC_CRC_ARC) return ERR_BAD_ARGUMENT;
  const check = checkPcb(pcb, src, srcOff, infLen);
  if (check != OK) return check;
  const edcLen = edcLength(edcMode);
  const total = 3 + infLen + edcLen;
  if (cap < total) return ERR_OUTPUT_TOO_SMALL;
  out[off] = u8(nad);
  out[off + 1] = u8(pcb);
  out[off + 2] = u8(infLen);
  copyBytes(src, srcOff, out, off + 3, infLen);
  const body = 3 + infLen;
  const edc = edcValue(edcMode, out, off, body);
  if (edcLen == 1) {
    out[off + body] = u8(edc);
  } else {
    out[off + body] = u8(edc >> 8);
    out[off + body + 1] = u8(edc);
  }
  return total;
}
