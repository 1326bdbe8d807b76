// protocol/iso7816 against the published vectors in t1_blocks.json (observed pcscd/CCID/Windows
// traffic, real ATRs from smartcard_list.txt and pyscard, Fi/Di tables) and ISO 7816-3/-4 examples.
import { describe, it, expect } from "vitest";
import { Atr, decodeAtr, encodeAtr, EDC_CRC, EDC_LRC } from "../../protocol/iso7816/atr.ts";
import { Pps, decodePps, encodePps, ppsAccepted } from "../../protocol/iso7816/pps.ts";
import {
  T1Block, decodeT1Block, encodeT1Block, T1_EDC_LRC, T1_EDC_CRC, T1_EDC_CRC_ARC, T1_BLOCK_I, T1_BLOCK_R, T1_BLOCK_S,
} from "../../protocol/iso7816/t1.ts";
import { fiOf, diOf, fMaxKHzOf, bitRate, etuNanos, cwtEtu, bwtEtu } from "../../protocol/iso7816/timing.ts";
import { ERR_TRUNCATED } from "../../protocol/errors.ts";
import { ERR_T1_BAD_EDC } from "../../protocol/iso7816/errors.ts";
import { loadVectors, hex, toHex } from "../support/vectors.ts";

interface BlockVector {
  block_hex: string; NAD: string; PCB: string; LEN: number; INF_hex: string; EDC_hex: string; id?: string; crc_register?: string;
  pcb_decoded: { type: string; "N(S)"?: number; M?: number; "N(R)"?: number; error?: string; response?: boolean; function?: string };
}
const t1 = loadVectors("t1_blocks.json");

const R_ERRORS: Record<string, number> = { "none (acknowledge)": 0, "EDC or parity error": 1, "other error": 2 };
const S_FUNCTIONS: Record<string, number> = { RESYNCH: 0, IFS: 1, ABORT: 2, WTX: 3, "VPP error": 4 };

function checkBlocks(vectors: BlockVector[], edcMode: number): void {
  expect(vectors.length).toBeGreaterThan(0);
  const b = new T1Block();
  for (const v of vectors) {
    const bytes = hex(v.block_hex);
    expect(decodeT1Block(bytes, 0, bytes.length, edcMode, 254, b), v.block_hex).toBe(bytes.length);
    expect(b.nad).toBe(parseInt(v.NAD, 16));
    expect(b.pcb).toBe(parseInt(v.PCB, 16));
    expect(b.infLen).toBe(v.LEN);
    expect(toHex(bytes.subarray(b.infOff, b.infOff + b.infLen))).toBe(v.INF_hex);
    const d = v.pcb_decoded;
    if (d.type === "I") {
      expect(b.kind).toBe(T1_BLOCK_I);
      expect(b.ns).toBe(d["N(S)"]);
      expect(b.more).toBe(d.M === 1);
    } else if (d.type === "R") {
      expect(b.kind).toBe(T1_BLOCK_R);
      expect(b.nr).toBe(d["N(R)"]);
      expect(b.error).toBe(R_ERRORS[d.error!]);
    } else {
      expect(b.kind).toBe(T1_BLOCK_S);
      expect(b.sResponse).toBe(d.response);
      expect(b.sType).toBe(S_FUNCTIONS[d.function!]);
    }
    const out = new Uint8Array(300);
    const n = encodeT1Block(b.nad, b.pcb, bytes, b.infOff, b.infLen, edcMode, out, 0, out.length);
    expect(toHex(out.subarray(0, n))).toBe(v.block_hex);
    if (v.crc_register) expect(parseInt(v.EDC_hex, 16)).toBe(parseInt(v.crc_register, 16));
  }
}

describe("T=1 blocks (t1_blocks.json)", () => {
  it("every observed LRC block decodes to its published fields and re-encodes byte for byte", () => {
    checkBlocks(t1.lrc_blocks_observed, T1_EDC_LRC);
  });
  it("every constructed LRC block (R, S RESYNCH/ABORT/WTX/IFS/VPP, empty I) decodes and re-encodes", () => {
    checkBlocks(t1.lrc_blocks_constructed, T1_EDC_LRC);
  });
  it("the constructed chaining example decodes block by block and reassembles the 13-byte APDU", () => {
    const vectors: BlockVector[] = t1.lrc_chaining_example_constructed;
    checkBlocks(vectors, T1_EDC_LRC);
    const b = new T1Block();
    const parts: string[] = [];
    for (const v of vectors) {
      const bytes = hex(v.block_hex);
      decodeT1Block(bytes, 0, bytes.length, T1_EDC_LRC, 8, b);
      if ((v as unknown as { direction: string }).direction === "reader -> card") parts.push(toHex(bytes.subarray(b.infOff, b.infOff + b.infLen)));
    }
    expect(parts.join("")).toBe("00a4040008a000000003000000");
  });
  it("every Linux CCID CRC block (CRC-16/MCRF4XX, high byte first) decodes and re-encodes", () => {
    checkBlocks(t1.crc_blocks_linux_ccid, T1_EDC_CRC);
  });
  it("every Windows 10 CRC block (CRC-16/ARC, high byte first) decodes and re-encodes in the ARC variant", () => {
    checkBlocks(t1.crc_blocks_windows10, T1_EDC_CRC_ARC);
  });
  it("the two CRC variants are not interchangeable: each variant's blocks fail the other's check", () => {
    const b = new T1Block();
    for (const v of t1.crc_blocks_linux_ccid as BlockVector[]) {
      const bytes = hex(v.block_hex);
      expect(decodeT1Block(bytes, 0, bytes.length, T1_EDC_CRC_ARC, 254, b)).toBe(ERR_T1_BAD_EDC);
    }
    for (const v of t1.crc_blocks_windows10 as BlockVector[]) {
      const bytes = hex(v.block_hex);
      expect(decodeT1Block(bytes, 0, bytes.length, T1_EDC_CRC, 254, b)).toBe(ERR_T1_BAD_EDC);
    }
  });
});

describe("PPS (t1_blocks.json pps_examples)", () => {
  it("decodes each exchange, maps PPS1 through the Fi/Di tables, re-encodes and accepts the echo", () => {
    const p = new Pps();
    for (const v of t1.pps_examples as { pps_hex: string; PPS0: string; PPS1: string; Fi: number; Di: number; PCK: string }[]) {
      const bytes = hex(v.pps_hex);
      expect(decodePps(bytes, 0, bytes.length, p)).toBe(bytes.length);
      expect(p.protocol).toBe(parseInt(v.PPS0, 16) & 15);
      expect(p.pps1).toBe(parseInt(v.PPS1, 16));
      expect(fiOf(p.pps1 >> 4)).toBe(v.Fi);
      expect(diOf(p.pps1 & 15)).toBe(v.Di);
      const out = new Uint8Array(6);
      expect(toHex(out.subarray(0, encodePps(p, out, 0, 6)))).toBe(v.pps_hex);
      expect(ppsAccepted(p, p)).toBe(parseInt(v.PPS1, 16));
      expect(ppsAccepted(p, new Pps().set(1, -1, -1, -1))).toBe(0x11);
    }
  });
});

interface AtrVector {
  atr_hex: string; TS: string; convention: string; T0: string; historical_bytes_hex: string; interface_bytes: Record<string, string>;
  protocols_offered: string[]; first_offered_protocol: string; tck_required: boolean; TCK?: string | null; length_ok: boolean;
  TA1?: { Fi: number; Di: number; f_max_MHz: number; absent?: boolean }; TC1_extra_guard_time_N?: number;
  T1_parameters?: { IFSC: number; BWI: number; CWI: number; EDC: string }; T15_global_TA?: { byte: string };
}

function checkAtr(v: AtrVector): void {
  const bytes = hex(v.atr_hex);
  const a = new Atr();
  expect(decodeAtr(bytes, 0, bytes.length, a), v.atr_hex).toBe(bytes.length);
  expect(a.tsByte).toBe(parseInt(v.TS, 16));
  expect(a.t0).toBe(parseInt(v.T0, 16));
  expect(toHex(a.historical.subarray(0, a.historicalLen))).toBe(v.historical_bytes_hex);
  const seen: Record<string, string> = {};
  for (let i = 1; i <= a.groups; i++) {
    for (const [name, arr] of [["TA", a.ta], ["TB", a.tb], ["TC", a.tc], ["TD", a.td]] as const) {
      if (arr[i] >= 0) seen[`${name}${i}`] = arr[i].toString(16).padStart(2, "0");
    }
  }
  expect(seen).toEqual(v.interface_bytes);
  const offered = [];
  for (let t = 0; t < 16; t++) if (a.protocols & (1 << t)) offered.push(`T=${t}`);
  expect(offered).toEqual(v.protocols_offered);
  expect(`T=${a.firstProtocol}`).toBe(v.first_offered_protocol);
  expect(a.tck >= 0).toBe(v.tck_required);
  if (v.TCK) expect(a.tck).toBe(parseInt(v.TCK, 16));
  if (v.TA1) {
    expect(a.fi).toBe(v.TA1.Fi);
    expect(a.di).toBe(v.TA1.Di);
    expect(a.fMaxKHz).toBe(v.TA1.f_max_MHz * 1000);
  }
  if (v.TC1_extra_guard_time_N !== undefined) expect(a.guardN).toBe(v.TC1_extra_guard_time_N);
  if (v.T1_parameters) {
    expect(a.ifsc).toBe(v.T1_parameters.IFSC);
    expect(a.bwi).toBe(v.T1_parameters.BWI);
    expect(a.cwi).toBe(v.T1_parameters.CWI);
    expect(a.edc).toBe(v.T1_parameters.EDC === "CRC" ? EDC_CRC : EDC_LRC);
  }
  expect(a.t15Ta).toBe(v.T15_global_TA ? parseInt(v.T15_global_TA.byte, 16) : -1);
  const out = new Uint8Array(33);
  expect(toHex(out.subarray(0, encodeAtr(a, out, 0, 33)))).toBe(v.atr_hex);
}

/** Inverse convention as a direct-convention UART receives it: bit order reversed, levels inverted. */
function toRawInverse(bytes: Uint8Array): Uint8Array {
  return bytes.map((b) => {
    let r = 0;
    for (let i = 0; i < 8; i++) if (b & (1 << i)) r |= 0x80 >> i;
    return ~r & 0xff;
  });
}

describe("ATR (t1_blocks.json atrs, pyscard_atr_cases)", () => {
  it("parses the 12 real ATRs to their published fields and rebuilds each byte for byte", () => {
    expect(t1.atrs.length).toBe(12);
    for (const v of t1.atrs as AtrVector[]) checkAtr(v);
  });
  it("parses pyscard's cases (incl. inverse convention TS = 3F) and refuses the one without its TCK", () => {
    for (const c of t1.pyscard_atr_cases as { parsed: AtrVector }[]) {
      if (c.parsed.length_ok) {
        checkAtr(c.parsed);
      } else {
        const bytes = hex(c.parsed.atr_hex);
        expect(decodeAtr(bytes, 0, bytes.length, new Atr())).toBe(ERR_TRUNCATED);
      }
    }
  });
  it("parses an inverse-convention ATR received raw (TS read as 03) to the same fields", () => {
    for (const v of t1.atrs as AtrVector[]) {
      const raw = toRawInverse(hex(v.atr_hex.replace(/^3b/, "3f")));
      expect(raw[0]).toBe(0x03);
      const a = new Atr();
      const direct = new Atr();
      const dbytes = hex(v.atr_hex);
      expect(decodeAtr(raw, 0, raw.length, a)).toBe(raw.length);
      decodeAtr(dbytes, 0, dbytes.length, direct);
      expect([a.t0, a.protocols, a.fidi, a.ifsc, a.bwi, a.cwi, a.edc, a.tck]).toEqual(
        [direct.t0, direct.protocols, direct.fidi, direct.ifsc, direct.bwi, direct.cwi, direct.edc, direct.tck]);
      const out = new Uint8Array(33);
      expect(toHex(out.subarray(0, encodeAtr(a, out, 0, 33)))).toBe(toHex(raw));
    }
  });
});

describe("Fi/Di tables and timing (t1_blocks.json fi_di_tables)", () => {
  it("Fi, f(max) and Di match the published tables; RFU indices give 0", () => {
    const tables = t1.fi_di_tables as { Fi: Partial<Record<string, { Fi: number; f_max_MHz: number }>>; Di: Partial<Record<string, number>> };
    for (let i = 0; i < 16; i++) {
      const f = tables.Fi[i.toString(16)];
      expect(fiOf(i)).toBe(f ? f.Fi : 0);
      expect(fMaxKHzOf(i)).toBe(f ? Math.round(f.f_max_MHz * 1000) : 0);
      expect(diOf(i)).toBe(tables.Di[i.toString(16)] ?? 0);
    }
  });
  it("bit rate and ETU follow D·f/F (3.5712 MHz at Fd/Dd is the classic 9600 bit/s)", () => {
    expect(bitRate(372, 1, 3_571_200)).toBe(9600);
    expect(bitRate(512, 32, 4_000_000)).toBe(250_000);
    expect(etuNanos(372, 1, 4000)).toBe(93_000);
    expect(etuNanos(512, 32, 4000)).toBe(4000);
    for (const fi of [372, 512, 558, 744, 768, 1024, 1116, 1488, 1536, 1860, 2048]) {
      for (const di of [1, 2, 4, 8, 12, 16, 20, 32, 64]) {
        for (const khz of [1000, 3571, 4000, 5000, 20000]) {
          expect(bitRate(fi, di, khz * 1000)).toBe(Math.floor((khz * 1000 * di) / fi));
          expect(etuNanos(fi, di, khz)).toBe(Math.floor((fi * 1e6) / (di * khz)));
        }
        for (let bwi = 0; bwi <= 9; bwi++) {
          expect(bwtEtu(bwi, fi, di)).toBe(11 + Number((BigInt(2 ** bwi * 960 * 372) * BigInt(di)) / BigInt(fi)));
        }
      }
    }
    expect(cwtEtu(13)).toBe(11 + 8192);
    expect(cwtEtu(5)).toBe(43);
  });
});
