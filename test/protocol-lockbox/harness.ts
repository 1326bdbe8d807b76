// The WASM harness of protocol/time, protocol/cars and protocol/service (test/wasm/lockbox.ts) and
// the comparison loop shared by the differential tests: each input goes through the WASM build and
// the TypeScript build of the same driver (test/wasm/lockbox-drivers.ts), and the results (return
// code and every output byte) must be identical.
import { expect } from "vitest";
import { loadHarness } from "../support/wasm.ts";
import { DRIVER_TARGET_CHANGED } from "../wasm/lockbox-drivers.ts";

export interface LockboxHarness {
  civilFromDays(days: number): number;
  dayNumber(year: number, month: number, day: number): number;
  seconds(s: number, delta: number): number;
  tzParse(len: number): number;
  tzSweep(ruleLen: number, count: number): number;
  cars(serial: number, day: number, sequence: number, macOff: number): number;
  carsDigits(len: number): number;
  carsLimits(carsMonth: number, monthCount: number, lastDay: number, consecutive: number, today: number, month: number, perMonth: number, consecutiveDays: number): number;
  status(len: number): number;
  mfgHeader(sub: number, len: number): number;
  readLog(fromSeq: number, maxRecords: number): number;
  readerReply(sub: number, len: number): number;
  cardStatus(len: number): number;
  window(off: number, len: number): number;
  names(code: number): number;
  carsCode(keyLen: number, serial: number, day: number, sequence: number): number;
}

export const h = loadHarness<LockboxHarness>("lockbox");
/** The TypeScript build's output buffer (the drivers write here under Node). */
export const out = new Uint8Array(65536);

/** What a differential run saw: results by code, and the first few disagreements. */
export interface Tally { ok: number; errors: Map<number, number>; mismatches: string[]; runs: number }

export function newTally(): Tally {
  return { ok: 0, errors: new Map(), mismatches: [], runs: 0 };
}

/**
 * Compares one call: `wasm` and `ts` are the two builds' return values, and when they are byte
 * counts (≥ 0) the two output buffers must match over that length. Collects rather than asserts so
 * loops of 100,000 stay fast; expectClean asserts afterwards.
 */
export function compare(t: Tally, what: () => string, wasm: number, ts: number): void {
  t.runs++;
  let same = wasm === ts;
  if (same && ts > 0) {
    const w = h.output(ts);
    for (let i = 0; i < ts; i++) if (w[i] !== out[i]) { same = false; break; }
  }
  if (!same && t.mismatches.length < 5) t.mismatches.push(`${what()}: wasm ${wasm} ts ${ts}`);
  if (ts >= 0) t.ok++;
  else t.errors.set(ts, (t.errors.get(ts) ?? 0) + 1);
}

/** No disagreement, no decoder that changed its target on error, and only the allowed error codes. */
export function expectClean(t: Tally, allowed: number[]): void {
  expect(t.mismatches).toEqual([]);
  expect(t.errors.has(DRIVER_TARGET_CHANGED), "a decoder changed its output object and then failed").toBe(false);
  for (const code of t.errors.keys()) expect(allowed, `unexpected error code ${code}`).toContain(code);
}
