// WASM build = TypeScript build, and fuzzing: every decoder gets 100,000 seeded random and mutated
// inputs through both builds (test/wasm/iso7816-drivers.ts runs in each); the return codes and all
// output bytes must be identical, and each result must be a decoded message or one of the
// decoder's documented error codes. Nothing may throw or trap.
import { describe, it, expect } from "vitest";
import { Rng } from "../support/rng.ts";
import { loadHarness } from "../support/wasm.ts";
import { newTally, compareBuilds, expectAgreed, type Tally } from "../support/differential.ts";
import { loadVectors, hex } from "../support/vectors.ts";
import { driveAtr, drivePps, driveT1, driveCommandApdu, driveResponseApdu, driveTiming } from "../wasm/iso7816-drivers.ts";
import { randomAtr, randomPps, randomT1Block, randomCommandApdu, randomResponseApdu } from "./gen.ts";
import { ERR_TRUNCATED, ERR_OVERLONG } from "../../protocol/errors.ts";
import * as E from "../../protocol/iso7816/errors.ts";

interface IsoHarness {
  atr(len: number): number;
  pps(len: number): number;
  t1(len: number, edcMode: number, maxInf: number): number;
  commandApdu(len: number): number;
  responseApdu(len: number): number;
  timing(fidi: number, clockHz: number, bwi: number, cwi: number): number;
}

const h = loadHarness<IsoHarness>("iso7816");
const out = new Uint8Array(65536);
const FUZZ = 100_000;
const t1v = loadVectors("t1_blocks.json");
const vectorBlocks: Uint8Array[] = [...t1v.lrc_blocks_observed, ...t1v.lrc_blocks_constructed].map((b: { block_hex: string }) => hex(b.block_hex));
const vectorAtrs: Uint8Array[] = t1v.atrs.map((a: { atr_hex: string }) => hex(a.atr_hex));

/**
 * Runs `count` fuzz inputs (half random bytes, half mutations of valid messages) through both
 * builds, plus count/4 unmutated valid messages so the decoded fields and re-encodings are compared too.
 */
function differential(seed: number, count: number, valid: (rng: Rng) => Uint8Array, maxRandom: number,
  run: (input: Uint8Array, rng: Rng) => [number, number]): Tally {
  const rng = new Rng(seed);
  const tally = newTally();
  for (let n = 0; n < count * 5 / 4; n++) {
    const input = n % 5 === 4 ? valid(rng) : n % 2 === 0 ? rng.bytes(rng.int(0, maxRandom)) : rng.mutate(valid(rng));
    h.setInput(input);
    const [wasm, ts] = run(input, rng);
    compareBuilds(tally, h, out, () => `seed ${seed} #${n} ${Buffer.from(input).toString("hex")}`, wasm, ts);
  }
  return tally;
}

/** The builds agreed, only allowed codes, and the inputs reached both valid output and several errors. */
function expectClean(t: Tally, allowed: number[]): void {
  expectAgreed(t, allowed);
  expect(t.ok).toBeGreaterThan(0);
  expect(t.errors.size).toBeGreaterThan(1);
}

describe(`WASM = TypeScript on ${FUZZ.toLocaleString("en")} random + mutated inputs per decoder`, () => {
  it("ATR", () => {
    const t = differential(0xa1, FUZZ, (rng) => (rng.int(0, 4) === 0 ? rng.pick(vectorAtrs) : randomAtr(rng).bytes), 40,
      (input) => [h.exports.atr(input.length), driveAtr(input, input.length, out)]);
    expectClean(t, [ERR_TRUNCATED, ERR_OVERLONG, E.ERR_ATR_BAD_TS, E.ERR_ATR_BAD_TCK, E.ERR_ATR_TOO_LONG, E.ERR_ATR_BAD_TA1, E.ERR_ATR_BAD_T1_PARAM]);
    expect(t.ok).toBeGreaterThan(1000);
  });

  it("PPS", () => {
    const t = differential(0xb2, FUZZ, (rng) => randomPps(rng).bytes, 8,
      (input) => [h.exports.pps(input.length), drivePps(input, input.length, out)]);
    expectClean(t, [ERR_TRUNCATED, ERR_OVERLONG, E.ERR_PPS_BAD_PPSS, E.ERR_PPS_BAD_PCK, E.ERR_PPS_BAD_PPS0, E.ERR_PPS_BAD_PPS1]);
  });

  it("T=1 block (LRC, CRC and CRC-ARC; receiver IFS 1..254)", () => {
    const t = differential(0xc3, FUZZ, (rng) => (rng.int(0, 4) === 0 ? rng.pick(vectorBlocks) : randomT1Block(rng, 0).bytes), 270,
      (input, rng) => {
        const edc = rng.int(0, 3) === 0 ? rng.int(1, 2) : 0;
        const maxInf = rng.bool() ? 254 : rng.int(1, 254);
        return [h.exports.t1(input.length, edc, maxInf), driveT1(input, input.length, edc, maxInf, out)];
      });
    expectClean(t, [ERR_TRUNCATED, ERR_OVERLONG, E.ERR_T1_BAD_LEN, E.ERR_T1_BAD_EDC, E.ERR_T1_BAD_PCB, E.ERR_T1_INF_TOO_LONG, E.ERR_T1_BAD_CONTROL_INF]);
    expect(t.ok).toBeGreaterThan(1000);
  });

  it("command APDU", () => {
    const t = differential(0xd4, FUZZ, (rng) => randomCommandApdu(rng, 300).bytes, 400,
      (input) => [h.exports.commandApdu(input.length), driveCommandApdu(input, input.length, out)]);
    expectClean(t, [ERR_TRUNCATED, E.ERR_APDU_LC_MISMATCH, E.ERR_APDU_BAD_EXTENDED, E.ERR_APDU_EXT_LC_MISMATCH]);
    expect(t.ok).toBeGreaterThan(10_000);
  });

  it("response APDU", () => {
    const t = differential(0xe5, FUZZ, (rng) => randomResponseApdu(rng, 64).bytes, 80,
      (input) => [h.exports.responseApdu(input.length), driveResponseApdu(input, input.length, out)]);
    expect(t.mismatches).toEqual([]);
    expect([...t.errors.keys()]).toEqual([ERR_TRUNCATED]);
  });

  it("timing helpers on 10,000 random Fi/Di bytes, clocks and BWI/CWI", () => {
    const rng = new Rng(0xf6);
    for (let n = 0; n < 10_000; n++) {
      const fidi = rng.int(0, 255), clock = rng.int(0, 25_000_000), bwi = rng.int(-1, 10), cwi = rng.int(0, 15);
      const w = h.exports.timing(fidi, clock, bwi, cwi);
      const t = driveTiming(fidi, clock, bwi, cwi, out);
      if (w !== t || Buffer.compare(h.output(w), out.subarray(0, t)) !== 0) expect.fail(`timing ${fidi} ${clock} ${bwi} ${cwi}`);
    }
  });
});
