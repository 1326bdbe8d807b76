// The WASM harness of protocol/rig (test/wasm/rig.ts) and test/support/differential.ts's comparison
// bound to it: each input goes through the WASM build and the TypeScript build of the same driver
// (test/wasm/rig-drivers.ts).
import { expect } from "vitest";
import { loadHarness } from "../support/wasm.ts";
import { compareBuilds, expectAgreed, type Tally } from "../support/differential.ts";
import { DRIVER_TARGET_CHANGED } from "../wasm/rig-drivers.ts";

export interface RigHarness {
  decode(len: number, direction: number): number;
  framer(len: number, chunk: number): number;
  window(off: number, len: number): number;
  name(code: number): number;
}

export const h = loadHarness<RigHarness>("rig");
/** The TypeScript build's output buffer (the drivers write here under Node). */
export const out = new Uint8Array(65536);

/** compareBuilds on this harness and `out`. */
export function compare(t: Tally, what: () => string, wasm: number, ts: number): void {
  compareBuilds(t, h, out, what, wasm, ts);
}

/** No disagreement, no decoder that changed its target on error, and only the allowed error codes. */
export function expectClean(t: Tally, allowed: number[]): void {
  expect(t.errors.has(DRIVER_TARGET_CHANGED), "a decoder changed its output object and then failed").toBe(false);
  expectAgreed(t, allowed);
}
