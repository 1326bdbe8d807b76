// The card side of T=1 (simulator/card/t1.ts) on its own: the ATR it advertises, its PPS answers,
// and 100,000 random and mutated reader bursts that must never make it throw or answer garbage.
import { describe, it, expect } from "vitest";
import { CardT1 } from "../../simulator/card/t1.ts";
import { Atr, decodeAtr } from "../../protocol/iso7816/atr.ts";
import { T1Block, decodeT1Block, T1_EDC_LRC, T1_EDC_CRC } from "../../protocol/iso7816/t1.ts";
import { Rng } from "../support/rng.ts";
import { randomT1Block } from "./gen.ts";
import { hex, toHex } from "../support/vectors.ts";

describe("card ATR and PPS", () => {
  it("advertises T=1 only, TA1, IFSC, BWI/CWI and the EDC it was given", () => {
    const card = new CardT1({ handler: () => Uint8Array.of(0x90, 0), fidi: 0x18, ifsc: 100, bwi: 5, cwi: 3, edc: "crc" });
    const atrBytes = card.reset();
    const a = new Atr();
    expect(decodeAtr(atrBytes, 0, atrBytes.length, a)).toBe(atrBytes.length);
    expect([a.protocols, a.fidi, a.ifsc, a.bwi, a.cwi, a.edc, a.specificMode]).toEqual([2, 0x18, 100, 5, 3, 1, false]);
    expect(new TextDecoder().decode(a.historical.subarray(0, a.historicalLen))).toBe("LOCKBOX");
  });

  it("echoes an acceptable PPS and switches rate after the echo; stays silent on one it cannot run", () => {
    const card = new CardT1({ handler: () => Uint8Array.of(0x90, 0) });
    card.reset();
    expect(toHex(card.receive(hex("ff119778")))).toBe("");
    expect(card.fidi).toBe(0x11);
    expect(toHex(card.receive(hex("ff11957b")))).toBe("ff11957b");
    expect(card.replyFidi).toBe(0x11);
    expect(card.fidi).toBe(0x95);
    card.reset();
    expect(card.fidi).toBe(0x11);
  });
});

describe("card block layer fuzz", () => {
  for (const edc of ["lrc", "crc"] as const) {
    it(`${edc.toUpperCase()}: 50,000 random and mutated bursts: no exception, every answer a valid block`, () => {
      const rng = new Rng(edc === "lrc" ? 0xcafe : 0xbabe);
      const edcMode = edc === "lrc" ? T1_EDC_LRC : T1_EDC_CRC;
      const card = new CardT1({ handler: (apdu) => new Uint8Array(apdu.length % 300 + 2), ifsc: 32, edc,
        processingEtu: (apdu) => (apdu.length % 7 === 0 ? 1e7 : 0) });
      card.reset();
      const b = new T1Block();
      let answered = 0;
      for (let n = 0; n < 50_000; n++) {
        if (n % 5000 === 0) card.reset();
        const valid = randomT1Block(rng, edcMode, 32).bytes;
        const burst = n % 3 === 0 ? valid : n % 3 === 1 ? rng.mutate(valid) : rng.bytes(rng.int(0, 40));
        const reply = card.receive(burst);
        if (reply.length === 0) continue;
        answered++;
        if (decodeT1Block(reply, 0, reply.length, edcMode, 254, b) !== reply.length) {
          expect.fail(`invalid answer ${toHex(reply)} to ${toHex(burst)}`);
        }
      }
      expect(answered).toBeGreaterThan(40_000);
    });
  }
});
