/**
 * The comparison loop of the WASM-vs-TypeScript differential tests: each input goes through both
 * builds of the same driver, and the return code and every output byte must be identical.
 */
import { expect } from "vitest";
import type { Harness } from "./wasm.ts";

/** What a differential run saw: results by code, and the first few disagreements. */
export interface Tally { ok: number; errors: Map<number, number>; mismatches: string[]; runs: number }

export function newTally(): Tally {
  return { ok: 0, errors: new Map(), mismatches: [], runs: 0 };
}

/**
 * Compares one call of the same driver in both builds: `wasm` and `ts` are the return values, and
 * when they are byte counts (> 0) the harness output must match `tsOut` over that length. Collects
 * rather than asserts so loops of 100,000 stay fast; expectAgreed asserts afterwards.
 */
export function compareBuilds(t: Tally, h: Harness<unknown>, tsOut: Uint8Array, what: () => string, wasm: number, ts: number): void {
  t.runs++;
  let same = wasm === ts;
  if (same && ts > 0) {
    const w = h.output(ts);
    for (let i = 0; i < ts; i++) if (w[i] !== tsOut[i]) { same = false; break; }
  }
  if (!same && t.mismatches.length < 5) t.mismatches.push(`${what()}: wasm ${wasm} ts ${ts}`);
  if (ts >= 0) t.ok++;
  else t.errors.set(ts, (t.errors.get(ts) ?? 0) + 1);
}

/** The builds never disagreed, and every error code seen is one of `allowed`. */
export function expectAgreed(t: Tally, allowed: number[]): void {
  expect(t.mismatches).toEqual([]);
  for (const code of t.errors.keys()) expect(allowed, `unexpected error code ${code}`).toContain(code);
}
