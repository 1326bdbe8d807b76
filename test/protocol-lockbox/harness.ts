// The WASM harness of protocol/time, protocol/cars and protocol/service (test/wasm/lockbox.ts), and
// test/support/differential.ts's comparison bound to it: each input goes through the WASM build and
// the TypeScript build of the same driver (test/wasm/lockbox-drivers.ts).
import { expect } from "vitest";
import { loadHarness } from "../support/wasm.ts";
import { compareBuilds, expectAgreed, type Tally } from "../support/differential.ts";
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

/** The tzSweep input: the rule text, then each instant as a little-endian u32. */
export function sweepInput(rule: Uint8Array, times: number[]): Uint8Array {
  const input = new Uint8Array(rule.length + times.length * 4);
  input.set(rule);
  const view = new DataView(input.buffer);
  times.forEach((v, i) => view.setUint32(rule.length + i * 4, v, true));
  return input;
}

/** compareBuilds on this harness and `out`. */
export function compare(t: Tally, what: () => string, wasm: number, ts: number): void {
  compareBuilds(t, h, out, what, wasm, ts);
}

/** No disagreement, no decoder that changed its target on error, and only the allowed error codes. */
export function expectClean(t: Tally, allowed: number[]): void {
  expect(t.errors.has(DRIVER_TARGET_CHANGED), "a decoder changed its output object and then failed").toBe(false);
  expectAgreed(t, allowed);
}
