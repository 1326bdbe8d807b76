// Round trip: for random valid messages of every type, decode gives the generated fields and
// encode(decode(bytes)) gives the same bytes back.
import { describe, it, expect } from "vitest";
import { Rng } from "../support/rng.ts";
import { Atr, decodeAtr, encodeAtr } from "../../protocol/iso7816/atr.ts";
import { Pps, decodePps, encodePps } from "../../protocol/iso7816/pps.ts";
import { T1Block, decodeT1Block, encodeT1Block } from "../../protocol/iso7816/t1.ts";
import { CommandApdu, ResponseApdu, decodeCommandApdu, encodeCommandApdu, decodeResponseApdu } from "../../protocol/iso7816/apdu.ts";
import { randomAtr, randomPps, randomT1Block, randomCommandApdu, randomResponseApdu } from "./gen.ts";
import { toHex } from "../support/vectors.ts";

const N = 5000;

describe("round trip (seeded)", () => {
  it(`ATR: ${N} random ATRs`, () => {
    const rng = new Rng(0xa7a7);
    const a = new Atr();
    const out = new Uint8Array(33);
    for (let n = 0; n < N; n++) {
      const g = randomAtr(rng);
      expect(decodeAtr(g.bytes, 0, g.bytes.length, a)).toBe(g.bytes.length);
      expect(a.tsByte).toBe(g.atr.tsByte);
      expect(toHex(a.historical.subarray(0, a.historicalLen))).toBe(toHex(g.atr.historical.subarray(0, g.atr.historicalLen)));
      for (let i = 1; i <= Math.max(a.groups, g.atr.groups); i++) {
        expect([a.ta[i], a.tb[i], a.tc[i]]).toEqual([g.atr.ta[i], g.atr.tb[i], g.atr.tc[i]]);
        if (i < g.atr.groups) expect(a.td[i] & 15).toBe(g.atr.td[i]);
      }
      expect(toHex(out.subarray(0, encodeAtr(a, out, 0, 33)))).toBe(toHex(g.bytes));
    }
  });

  it(`PPS: ${N} random requests`, () => {
    const rng = new Rng(0x9955);
    const p = new Pps();
    const out = new Uint8Array(6);
    for (let n = 0; n < N; n++) {
      const g = randomPps(rng);
      expect(decodePps(g.bytes, 0, g.bytes.length, p)).toBe(g.bytes.length);
      expect([p.protocol, p.pps1, p.pps2, p.pps3]).toEqual([g.pps.protocol, g.pps.pps1, g.pps.pps2, g.pps.pps3]);
      expect(toHex(out.subarray(0, encodePps(p, out, 0, 6)))).toBe(toHex(g.bytes));
    }
  });

  it(`T=1: ${N} random I/R/S blocks in all three EDC modes`, () => {
    const rng = new Rng(0x7171);
    const b = new T1Block();
    const out = new Uint8Array(300);
    for (let n = 0; n < N; n++) {
      const g = randomT1Block(rng);
      expect(decodeT1Block(g.bytes, 0, g.bytes.length, g.edcMode, 254, b)).toBe(g.bytes.length);
      expect([b.nad, b.pcb, toHex(g.bytes.subarray(b.infOff, b.infOff + b.infLen))]).toEqual([g.nad, g.pcb, toHex(g.inf)]);
      const m = encodeT1Block(b.nad, b.pcb, g.bytes, b.infOff, b.infLen, g.edcMode, out, 0, 300);
      expect(toHex(out.subarray(0, m))).toBe(toHex(g.bytes));
    }
  });

  it(`C-APDU: ${N} random commands of all seven cases`, () => {
    const rng = new Rng(0xc4c4);
    const c = new CommandApdu();
    const seen = new Set<string>();
    for (let n = 0; n < N; n++) {
      const g = randomCommandApdu(rng);
      expect(decodeCommandApdu(g.bytes, 0, g.bytes.length, c)).toBe(g.bytes.length);
      expect([c.cla, c.ins, c.p1, c.p2, c.nc, c.ne, c.apduCase]).toEqual([g.c.cla, g.c.ins, g.c.p1, g.c.p2, g.c.nc, g.c.ne, g.c.apduCase]);
      expect(toHex(g.bytes.subarray(c.dataOff, c.dataOff + c.nc))).toBe(toHex(g.data));
      seen.add(`${c.apduCase}${c.extended ? "E" : "S"}`);
      const out = new Uint8Array(g.bytes.length);
      expect(encodeCommandApdu(c, g.bytes, c.dataOff, out, 0, out.length)).toBe(g.bytes.length);
      expect(toHex(out)).toBe(toHex(g.bytes));
    }
    expect([...seen].sort()).toEqual(["1S", "2E", "2S", "3E", "3S", "4E", "4S"]);
  });

  it(`R-APDU: ${N} random responses`, () => {
    const rng = new Rng(0x5a5a);
    const r = new ResponseApdu();
    for (let n = 0; n < N; n++) {
      const g = randomResponseApdu(rng);
      expect(decodeResponseApdu(g.bytes, 0, g.bytes.length, r)).toBe(g.bytes.length);
      expect([r.dataLen, r.sw]).toEqual([g.data.length, g.sw]);
    }
  });
});
