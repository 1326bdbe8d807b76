/**
 * ISO/IEC 7816-3 §8 Answer-to-Reset: parser (TS, T0, TAi/TBi/TCi/TDi, historical bytes, TCK) with
 * the derived parameters a reader needs (protocols offered, TA1 Fi/Di, TC1 guard time, specific
 * mode, T=1 IFSC/CWI/BWI/EDC), and the encoder the card emulator uses to build its ATR.
 */
import { OK, ERR_TRUNCATED, ERR_OVERLONG, ERR_OUTPUT_TOO_SMALL, ERR_BAD_ARGUMENT } from "../errors";
import { ERR_ATR_BAD_TS, ERR_ATR_BAD_TCK, ERR_ATR_TOO_LONG, ERR_ATR_BAD_TA1, ERR_ATR_BAD_T1_PARAM } from "./errors";
import { fiOf, diOf, fMaxKHzOf, fiDiValid, FIDI_DEFAULT } from "./timing";
import { inBounds } from "../bytes";

/** An ATR is at most 33 bytes: TS plus 32. §8.2.1. */
export const ATR_MAX_LEN: i32 = 33;
/** Interface-byte groups an ATR can hold (each group after the first needs its TD byte). */
export const ATR_MAX_GROUPS: i32 = 32;
/** At most 15 historical bytes (low nibble of T0). §8.2.2. */
export const ATR_MAX_HISTORICAL: i32 = 15;

/** TS = 3B: direct convention. §8.1. */
export const TS_DIRECT: i32 = 0x3b;
/** TS = 3F: inverse convention, bytes already converted by the UART. §8.1. */
export const TS_INVERSE: i32 = 0x3f;
/** TS read as 03: inverse convention received by a direct-convention UART; every byte needs conversion. */
export const TS_INVERSE_RAW: i32 = 0x03;

/** T=1 EDC from the first TC for T=1, bit 1 = 0: LRC. §11.4.4. */
export const EDC_LRC: i32 = 0;
/** TC bit 1 = 1: CRC. §11.4.4. */
export const EDC_CRC: i32 = 1;

/** T=1 IFSC (and IFSD) when the ATR is silent. §11.4.2. */
export const T1_DEFAULT_IFS: i32 = 32;
/** T=1 CWI when the ATR is silent. §11.4.3. */
export const T1_DEFAULT_CWI: i32 = 13;
/** T=1 BWI when the ATR is silent. §11.4.3. */
export const T1_DEFAULT_BWI: i32 = 4;

/**
 * A parsed ATR. Interface bytes are stored by group number i (1-based, as in TAi): -1 = absent.
 * Derived fields are filled by decodeAtr; encodeAtr reads only tsByte, the interface bytes' values
 * (TDi's low nibble; its high nibble is recomputed), groups and the historical bytes.
 */
export class Atr {
  /** TS as received (3B, 3F, or 03 for raw inverse convention). */
  tsByte: i32 = TS_DIRECT;
  t0: i32 = 0;
  /** Number of interface-byte groups: 0 when T0's Y1 is 0, else 1 + the number of TDi (a group may be empty). */
  groups: i32 = 0;
  ta: Int32Array = new Int32Array(ATR_MAX_GROUPS + 1);
  tb: Int32Array = new Int32Array(ATR_MAX_GROUPS + 1);
  tc: Int32Array = new Int32Array(ATR_MAX_GROUPS + 1);
  td: Int32Array = new Int32Array(ATR_MAX_GROUPS + 1);
  historical: Uint8Array = new Uint8Array(ATR_MAX_HISTORICAL);
  historicalLen: i32 = 0;
  /** TCK value, or -1 when absent (only T=0 offered). */
  tck: i32 = -1;
  /** Total ATR length in bytes. */
  length: i32 = 0;

  /** Bit t set when T=t is offered (T=0 when there is no TD1). */
  protocols: i32 = 0;
  firstProtocol: i32 = 0;
  /** The card's TA1 byte, or 11 (Fd, Dd) when absent. */
  fidi: i32 = FIDI_DEFAULT;
  fi: i32 = 372;
  di: i32 = 1;
  fMaxKHz: i32 = 5000;
  /** TC1 extra guard time N (FF = minimum guard time). */
  guardN: i32 = 0;
  /** TA2 present: the card is in specific mode and does not accept PPS. §8.3 */
  specificMode: bool = false;
  specificProtocol: i32 = -1;
  /** TA2 bit 5: the card uses implicit (not TA1) parameters. */
  specificImplicit: bool = false;
  ifsc: i32 = T1_DEFAULT_IFS;
  cwi: i32 = T1_DEFAULT_CWI;
  bwi: i32 = T1_DEFAULT_BWI;
  edc: i32 = EDC_LRC;
  /** First TA for T=15 (clock stop XI and class UI), or -1. */
  t15Ta: i32 = -1;

  clearInterface(): void {
    for (let i = 0; i <= ATR_MAX_GROUPS; i++) {
      this.ta[i] = -1;
      this.tb[i] = -1;
      this.tc[i] = -1;
      this.td[i] = -1;
    }
    this.groups = 0;
  }

  copyFrom(o: Atr): void {
    this.tsByte = o.tsByte;
    this.t0 = o.t0;
    this.groups = o.groups;
    for (let i = 0; i <= ATR_MAX_GROUPS; i++) {
      this.ta[i] = o.ta[i];
      this.tb[i] = o.tb[i];
      this.tc[i] = o.tc[i];
      this.td[i] = o.td[i];
    }
    for (let i = 0; i < ATR_MAX_HISTORICAL; i++) this.historical[i] = o.historical[i];
    this.historicalLen = o.historicalLen;
    this.tck = o.tck;
    this.length = o.length;
    this.protocols = o.protocols;
    this.firstProtocol = o.firstProtocol;
    this.fidi = o.fidi;
    this.fi = o.fi;
    this.di = o.di;
    this.fMaxKHz = o.fMaxKHz;
    this.guardN = o.guardN;
    this.specificMode = o.specificMode;
    this.specificProtocol = o.specificProtocol;
    this.specificImplicit = o.specificImplicit;
    this.ifsc = o.ifsc;
    this.cwi = o.cwi;
    this.bwi = o.bwi;
    this.edc = o.edc;
    this.t15Ta = o.t15Ta;
  }
}

/** Converts one byte between inverse convention (as a direct UART reads it) and its value. §8.1. */
export function inverseConventionByte(b: i32): i32 {
  let r = 0;
  for (let i = 0; i < 8; i++) r |= ((b >> i) & 1) << (7 - i);
  return (~r) & 0xff;
}

function atrByte(buf: Uint8Array, at: i32, raw: bool): i32 {
  const b = i32(buf[at]);
  return raw ? inverseConventionByte(b) : b;
}

const scratch = new Atr();

/**
 * Parses the ATR in buf[off..off+len) (exactly one ATR) into `into`; returns its length or an error
 * (ERR_ATR_*, ERR_TRUNCATED, ERR_OVERLONG). `into` is unchanged on error. §8.2, §8.3, §11.4.
 */
export function decodeAtr(buf: Uint8Array, off: i32, len: i32, into: Atr): i32 {
  if (!inBounds(buf, off, len)) return ERR_BAD_ARGUMENT;
  if (len < 1) return ERR_TRUNCATED;
  const ts = i32(buf[off]);
  if (ts != TS_DIRECT && ts != TS_INVERSE && ts != TS_INVERSE_RAW) return ERR_ATR_BAD_TS;
  const raw = ts == TS_INVERSE_RAW;
  if (len < 2) return ERR_TRUNCATED;
  const a = scratch;
  a.clearInterface();
  a.tsByte = ts;
  a.t0 = atrByte(buf, off + 1, raw);
  a.protocols = 0;
  a.firstProtocol = -1;
  let needTck = false;
  let y = a.t0 >> 4;
  let pos = 2;
  let i = 1;
  if (y != 0) a.groups = 1;
  while (y != 0) {
    const count = ((y & 1) + ((y >> 1) & 1) + ((y >> 2) & 1) + ((y >> 3) & 1));
    if (pos + count > ATR_MAX_LEN) return ERR_ATR_TOO_LONG;
    if (pos + count > len) return ERR_TRUNCATED;
    if ((y & 1) != 0) a.ta[i] = atrByte(buf, off + pos++, raw);
    if ((y & 2) != 0) a.tb[i] = atrByte(buf, off + pos++, raw);
    if ((y & 4) != 0) a.tc[i] = atrByte(buf, off + pos++, raw);
    if ((y & 8) == 0) break;
    const td = atrByte(buf, off + pos++, raw);
    a.td[i] = td;
    const t = td & 15;
    if (t != 0) needTck = true;
    a.protocols |= 1 << t;
    if (a.firstProtocol < 0) a.firstProtocol = t;
    y = td >> 4;
    i++;
    a.groups = i;
  }
  const k = a.t0 & 15;
  const total = pos + k + (needTck ? 1 : 0);
  if (total > ATR_MAX_LEN) return ERR_ATR_TOO_LONG;
  if (len < total) return ERR_TRUNCATED;
  if (len > total) return ERR_OVERLONG;
  if (needTck) {
    let x = 0;
    for (let j = 1; j < total; j++) x ^= atrByte(buf, off + j, raw);
    if (x != 0) return ERR_ATR_BAD_TCK;
    a.tck = atrByte(buf, off + total - 1, raw);
  } else {
    a.tck = -1;
  }
  if (a.firstProtocol < 0) {
    a.protocols = 1;
    a.firstProtocol = 0;
  }
  const r = deriveParameters(a);
  if (r != OK) return r;
  for (let j = 0; j < k; j++) a.historical[j] = u8(atrByte(buf, off + pos + j, raw));
  a.historicalLen = k;
  a.length = total;
  into.copyFrom(a);
  return total;
}

/** Fills the derived fields from the interface bytes; returns OK or ERR_ATR_BAD_TA1 / _BAD_T1_PARAM. */
function deriveParameters(a: Atr): i32 {
  a.fidi = a.ta[1] >= 0 ? a.ta[1] : FIDI_DEFAULT;
  if (!fiDiValid(a.fidi)) return ERR_ATR_BAD_TA1;
  a.fi = fiOf(a.fidi >> 4);
  a.di = diOf(a.fidi & 15);
  a.fMaxKHz = fMaxKHzOf(a.fidi >> 4);
  a.guardN = a.tc[1] >= 0 ? a.tc[1] : 0;
  a.specificMode = a.ta[2] >= 0;
  a.specificProtocol = a.specificMode ? a.ta[2] & 15 : -1;
  a.specificImplicit = a.specificMode && (a.ta[2] & 0x10) != 0;
  a.ifsc = T1_DEFAULT_IFS;
  a.cwi = T1_DEFAULT_CWI;
  a.bwi = T1_DEFAULT_BWI;
  a.edc = EDC_LRC;
  a.t15Ta = -1;
  let haveTa = false;
  let haveTb = false;
  let haveTc = false;
  for (let i = 3; i <= a.groups; i++) {
    const t = a.td[i - 1] & 15;
    if (t == 1) {
      if (!haveTa && a.ta[i] >= 0) {
        haveTa = true;
        if (a.ta[i] == 0 || a.ta[i] == 0xff) return ERR_ATR_BAD_T1_PARAM;
        a.ifsc = a.ta[i];
      }
      if (!haveTb && a.tb[i] >= 0) {
        haveTb = true;
        if ((a.tb[i] >> 4) > 9) return ERR_ATR_BAD_T1_PARAM;
        a.bwi = a.tb[i] >> 4;
        a.cwi = a.tb[i] & 15;
      }
      if (!haveTc && a.tc[i] >= 0) {
        haveTc = true;
        a.edc = a.tc[i] & 1;
      }
    } else if (t == 15 && a.t15Ta < 0 && a.ta[i] >= 0) {
      a.t15Ta = a.ta[i];
    }
  }
  return OK;
}

/**
 * Writes the ATR described by atr.tsByte, its interface bytes (groups 1..atr.groups) and historical
 * bytes; T0 and every TDi high nibble are computed from which bytes are present, and TCK is appended
 * when a TDi names a protocol other than T=0. Returns the length or ERR_BAD_ARGUMENT / ERR_ATR_TOO_LONG
 * / ERR_OUTPUT_TOO_SMALL; nothing is written on error. §8.2.
 */
export function encodeAtr(atr: Atr, out: Uint8Array, off: i32, cap: i32): i32 {
  const ts = atr.tsByte;
  if (ts != TS_DIRECT && ts != TS_INVERSE && ts != TS_INVERSE_RAW) return ERR_BAD_ARGUMENT;
  if (atr.groups < 0 || atr.groups > ATR_MAX_GROUPS) return ERR_BAD_ARGUMENT;
  if (atr.historicalLen < 0 || atr.historicalLen > ATR_MAX_HISTORICAL) return ERR_BAD_ARGUMENT;
  let total = 2 + atr.historicalLen;
  let needTck = false;
  for (let i = 1; i <= atr.groups; i++) {
    if (atr.ta[i] > 0xff || atr.tb[i] > 0xff || atr.tc[i] > 0xff || atr.td[i] > 0xff) return ERR_BAD_ARGUMENT;
    if (atr.ta[i] >= 0) total++;
    if (atr.tb[i] >= 0) total++;
    if (atr.tc[i] >= 0) total++;
    if (i < atr.groups) {
      if (atr.td[i] < 0) return ERR_BAD_ARGUMENT;
      total++;
      if ((atr.td[i] & 15) != 0) needTck = true;
    }
  }
  if (needTck) total++;
  if (total > ATR_MAX_LEN) return ERR_ATR_TOO_LONG;
  if (cap < total) return ERR_OUTPUT_TOO_SMALL;
  const raw = ts == TS_INVERSE_RAW;
  out[off] = u8(ts);
  let pos = off + 1;
  const t0 = (groupPresence(atr, 1) << 4) | atr.historicalLen;
  out[pos++] = u8(t0);
  for (let i = 1; i <= atr.groups; i++) {
    if (atr.ta[i] >= 0) out[pos++] = u8(atr.ta[i]);
    if (atr.tb[i] >= 0) out[pos++] = u8(atr.tb[i]);
    if (atr.tc[i] >= 0) out[pos++] = u8(atr.tc[i]);
    if (i < atr.groups) out[pos++] = u8((groupPresence(atr, i + 1) << 4) | (atr.td[i] & 15));
  }
  for (let j = 0; j < atr.historicalLen; j++) out[pos++] = atr.historical[j];
  if (needTck) {
    let x = 0;
    for (let p = off + 1; p < pos; p++) x ^= i32(out[p]);
    out[pos++] = u8(x);
  }
  if (raw) for (let p = off + 1; p < pos; p++) out[p] = u8(inverseConventionByte(i32(out[p])));
  return total;
}

/** Y nibble announcing group i's TA/TB/TC/TD (TD when group i+1 exists). */
function groupPresence(atr: Atr, i: i32): i32 {
  if (i > atr.groups) return 0;
  let y = 0;
  if (atr.ta[i] >= 0) y |= 1;
  if (atr.tb[i] >= 0) y |= 2;
  if (atr.tc[i] >= 0) y |= 4;
  if (i < atr.groups) y |= 8;
  return y;
}

/**
 * Sets `atr` to the layout of a T=1-only card (the common TA1 TD1=81 TD2=31 TA3 TB3 [TC3] form):
 * TA1 = fidi, T=1 parameters IFSC, BWI/CWI and EDC, and historical[hOff..hOff+hLen). The emulated
 * card's ATR is then encodeAtr(atr). Returns OK or ERR_BAD_ARGUMENT for out-of-range values.
 */
export function setT1CardAtr(atr: Atr, fidi: i32, ifsc: i32, bwi: i32, cwi: i32, edc: i32, hist: Uint8Array, hOff: i32, hLen: i32): i32 {
  if (!fiDiValid(fidi) || ifsc < 1 || ifsc > 254 || bwi < 0 || bwi > 9 || cwi < 0 || cwi > 15) return ERR_BAD_ARGUMENT;
  if ((edc != EDC_LRC && edc != EDC_CRC) || hLen < 0 || hLen > ATR_MAX_HISTORICAL) return ERR_BAD_ARGUMENT;
  atr.clearInterface();
  atr.tsByte = TS_DIRECT;
  atr.groups = 3;
  atr.ta[1] = fidi;
  atr.td[1] = 1;
  atr.td[2] = 1;
  atr.ta[3] = ifsc;
  atr.tb[3] = (bwi << 4) | cwi;
  if (edc == EDC_CRC) atr.tc[3] = 1;
  for (let j = 0; j < hLen; j++) atr.historical[j] = hist[hOff + j];
  atr.historicalLen = hLen;
  return OK;
}
