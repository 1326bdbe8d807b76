// OSDP payload codecs: round trip of valid messages, WASM = TypeScript on random and mutated
// inputs, and a seeded fuzz run of every decoder (each result a valid re-encoding or a named error).
import { describe, it, expect } from "vitest";
import { Rng } from "../support/rng.ts";
import { payloadRoundTrip } from "../wasm/osdp-driver.ts";
import { loadOsdpHarness } from "./harness.ts";
import { CODECS, validPayload } from "./generators.ts";
import { osdpErrorName } from "../../protocol/osdp/errors.ts";

const out = new Uint8Array(4096);
/** Inputs per codec through both builds; the fuzz loop below runs every one of them. */
const PER_CODEC = 100_000;
const BATCH_BYTES = 60_000;

function roundTrip(code: number, isReply: boolean, input: Uint8Array): { r: number; bytes: Uint8Array } {
  const r = payloadRoundTrip(code, isReply, input, 0, input.length, out);
  return { r, bytes: out.slice(0, Math.max(r, 0)) };
}

/**
 * Random and mutated inputs for one codec: a third valid (from a pool of 500), a third mutated
 * valid ones, a third random bytes. Yielded views are only valid until the next one.
 */
function* inputs(rng: Rng, code: number, isReply: boolean, count: number): Generator<Uint8Array> {
  const pool = rng.bytes(1 << 16);
  const valid = Array.from({ length: 500 }, () => validPayload(rng, code, isReply));
  const scratch = new Uint8Array(2048);
  for (let i = 0; i < count; i++) {
    const kind = i % 3;
    if (kind === 0) yield valid[rng.u32() % valid.length];
    else if (kind === 1) yield rng.mutateInto(valid[rng.u32() % valid.length], scratch);
    else {
      const len = rng.int(0, rng.bool() ? 40 : 600);
      const at = rng.int(0, pool.length - len);
      yield pool.subarray(at, at + len);
    }
  }
}

describe("OSDP payload round trip (decode → encode → decode → encode)", () => {
  for (const [code, isReply, name] of CODECS) {
    it(`${name} (0x${code.toString(16)}) reproduces 1,000 random valid payloads byte for byte`, () => {
      const rng = new Rng(0x05d9 + code + (isReply ? 0x100 : 0));
      for (let i = 0; i < 1000; i++) {
        const p = validPayload(rng, code, isReply);
        const first = roundTrip(code, isReply, p);
        expect(first.r, `${name} ${Buffer.from(p).toString("hex")}`).toBe(p.length);
        expect(first.bytes).toEqual(p);
        const second = roundTrip(code, isReply, first.bytes);
        expect(second.bytes).toEqual(first.bytes);
      }
    });
  }
});

describe("OSDP payload decoders: WASM = TypeScript and fuzz (100,000 inputs per codec)", () => {
  const h = loadOsdpHarness();

  for (const [code, isReply, name] of CODECS) {
    it(`${name}: identical results, no throw or trap, only valid output or a named error`, () => {
      const rng = new Rng(0xf022 + code * 2 + (isReply ? 1 : 0));
      const batch = new Uint8Array(65536);
      const expected = new Uint8Array(65536 * 2);
      let at = 0, exp = 0, count = 0, valid = 0;
      const errors = new Set<string>();
      const failures: string[] = [];
      const flush = (): void => {
        if (count === 0) return;
        h.setInput(batch.subarray(0, at));
        const n = h.exports.payloadBatch(count);
        expect(n).toBe(exp);
        expect(Buffer.compare(h.output(n), expected.subarray(0, exp))).toBe(0);
        at = exp = count = 0;
      };
      for (const input of inputs(rng, code, isReply, PER_CODEC)) {
        if (at + 4 + input.length > BATCH_BYTES || exp + 2 + 4096 > expected.length) flush();
        const { r, bytes } = roundTrip(code, isReply, input);
        if (r >= 0) {
          valid++;
          if (Buffer.compare(bytes, input) !== 0) failures.push(`re-encoding differs: ${Buffer.from(input).toString("hex")}`);
        } else {
          const label = osdpErrorName(r);
          if (label === "") failures.push(`unnamed error ${r}: ${Buffer.from(input).toString("hex")}`);
          errors.add(label);
        }
        batch.set([code, isReply ? 1 : 0, input.length & 0xff, input.length >> 8], at);
        batch.set(input, at + 4);
        at += 4 + input.length;
        expected[exp] = r & 0xff;
        expected[exp + 1] = (r >> 8) & 0xff;
        expected.set(bytes, exp + 2);
        exp += 2 + bytes.length;
        count++;
      }
      flush();
      expect(failures.slice(0, 5)).toEqual([]);
      expect(valid).toBeGreaterThan(PER_CODEC / 3 - 1);
      if (code !== 0x60 && code !== 0x64 && code !== 0x40 && code !== 0x79) expect(errors.size).toBeGreaterThan(0);
    });
  }
});
