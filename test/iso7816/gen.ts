/**
 * Seeded generators of valid ISO 7816 messages for the round-trip, differential and fuzz tests.
 * Each returns the encoded bytes together with the fields it chose, so tests can compare decoded
 * fields with what was generated rather than with the code under test.
 */
import type { Rng } from "../support/rng.ts";
import { Atr, encodeAtr, ATR_MAX_LEN } from "../../protocol/iso7816/atr.ts";
import { Pps, encodePps } from "../../protocol/iso7816/pps.ts";
import { encodeT1Block, pcbI, pcbR, pcbS, T1_MAX_BLOCK } from "../../protocol/iso7816/t1.ts";
import { CommandApdu, encodeCommandApdu, encodeResponseApdu } from "../../protocol/iso7816/apdu.ts";

/** Fi/Di bytes whose both nibbles are defined (ISO 7816-3 tables 7 and 8, copied from the spec). */
export const VALID_FIDI: number[] = [];
for (const f of [0, 1, 2, 3, 4, 5, 6, 9, 10, 11, 12, 13]) for (const d of [1, 2, 3, 4, 5, 6, 7, 8, 9]) VALID_FIDI.push((f << 4) | d);

export interface GeneratedAtr { bytes: Uint8Array; atr: Atr }

/** A random well-formed ATR (any TS form, up to 6 groups, legal TA1 and T=1 bytes, 0..15 historical). */
export function randomAtr(rng: Rng): GeneratedAtr {
  for (;;) {
    const a = new Atr();
    a.clearInterface();
    a.tsByte = rng.pick([0x3b, 0x3f, 0x03]);
    a.groups = rng.int(0, 6);
    let prevT = -1;
    for (let i = 1; i <= a.groups; i++) {
      const t1Group = i >= 3 && prevT === 1;
      if (rng.bool()) a.ta[i] = i === 1 ? rng.pick(VALID_FIDI) : t1Group ? rng.int(1, 254) : rng.int(0, 255);
      if (rng.bool()) a.tb[i] = t1Group ? (rng.int(0, 9) << 4) | rng.int(0, 15) : rng.int(0, 255);
      if (rng.bool()) a.tc[i] = rng.int(0, 255);
      if (i < a.groups) {
        a.td[i] = rng.pick([0, 1, 1, 1, 15, rng.int(0, 15)]);
        prevT = a.td[i];
      }
    }
    a.historicalLen = rng.int(0, 15);
    for (let j = 0; j < a.historicalLen; j++) a.historical[j] = rng.int(0, 255);
    const out = new Uint8Array(ATR_MAX_LEN);
    const n = encodeAtr(a, out, 0, out.length);
    if (n > 0) return { bytes: out.slice(0, n), atr: a };
  }
}

/** A random well-formed PPS request or response. */
export function randomPps(rng: Rng): { bytes: Uint8Array; pps: Pps } {
  const p = new Pps().set(rng.int(0, 15), rng.bool() ? rng.pick(VALID_FIDI) : -1, rng.bool() ? rng.int(0, 255) : -1, rng.bool() ? rng.int(0, 255) : -1);
  const out = new Uint8Array(6);
  const n = encodePps(p, out, 0, 6);
  return { bytes: out.slice(0, n), pps: p };
}

export interface GeneratedBlock { bytes: Uint8Array; nad: number; pcb: number; inf: Uint8Array; edcMode: number }

/** A random well-formed I-, R- or S-block in a random EDC mode. */
export function randomT1Block(rng: Rng, edcMode = rng.int(0, 2), maxInf = 254): GeneratedBlock {
  const nad = rng.bool() ? 0 : rng.int(0, 255);
  let pcb: number;
  let inf: Uint8Array;
  switch (rng.int(0, 2)) {
    case 0:
      pcb = pcbI(rng.int(0, 1), rng.bool());
      inf = rng.bytes(rng.bool() ? rng.int(0, Math.min(16, maxInf)) : rng.int(0, maxInf));
      break;
    case 1:
      pcb = pcbR(rng.int(0, 1), rng.int(0, 2));
      inf = new Uint8Array(0);
      break;
    default: {
      const type = rng.int(0, 4);
      pcb = pcbS(type, type === 4 ? true : rng.bool());
      inf = type === 1 ? Uint8Array.of(rng.int(1, 254)) : type === 3 ? Uint8Array.of(rng.int(1, 255)) : new Uint8Array(0);
    }
  }
  const out = new Uint8Array(T1_MAX_BLOCK);
  const n = encodeT1Block(nad, pcb, inf, 0, inf.length, edcMode, out, 0, out.length);
  if (n < 0) throw new Error(`generator produced an unencodable block: ${n}`);
  return { bytes: out.slice(0, n), nad, pcb, inf, edcMode };
}

export interface GeneratedCommand { bytes: Uint8Array; c: CommandApdu; data: Uint8Array }

/** A random command APDU of any of the seven cases, short or extended. */
export function randomCommandApdu(rng: Rng, maxData = 600): GeneratedCommand {
  const extended = rng.int(0, 3) === 0;
  const withData = rng.bool();
  const withLe = rng.bool();
  const nc = withData ? rng.int(1, extended ? maxData : 255) : 0;
  const ne = withLe ? (extended ? rng.pick([rng.int(1, 65536), 65536, 257]) : rng.int(1, 256)) : 0;
  const c = new CommandApdu().set(rng.int(0, 255), rng.int(0, 255), rng.int(0, 255), rng.int(0, 255), nc, ne, extended && (nc > 0 || ne > 0));
  const data = rng.bytes(nc);
  const out = new Uint8Array(nc + 16);
  const n = encodeCommandApdu(c, data, 0, out, 0, out.length);
  return { bytes: out.slice(0, n), c, data };
}

/** A random response APDU: 0..maxData data bytes and any SW. */
export function randomResponseApdu(rng: Rng, maxData = 300): { bytes: Uint8Array; data: Uint8Array; sw: number } {
  const data = rng.bytes(rng.int(0, maxData));
  const sw = rng.pick([0x9000, 0x6a82, 0x6100 | rng.int(0, 255), rng.int(0, 0xffff)]);
  const out = new Uint8Array(data.length + 2);
  encodeResponseApdu(data, 0, data.length, sw, out, 0, out.length);
  return { bytes: out, data, sw };
}
