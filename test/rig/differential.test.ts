// WASM build = TypeScript build for protocol/rig, and the seeded fuzz run: 100,000 random, mutated
// and valid frames through decodeMessage in both builds (the same driver, test/wasm/rig-drivers.ts),
// 3,000 noisy streams through RigFramer in random chunk sizes, every out-of-buffer window. Return
// codes and all output bytes must be identical, every result a frame or one of the documented
// error codes (each of which must occur), and a failing decoder must leave its target untouched.
// Nothing may throw or trap.
import { describe, it, expect } from "vitest";
import { Rng } from "../support/rng.ts";
import { toHex } from "../support/vectors.ts";
import { newTally } from "../support/differential.ts";
import { h, out, compare, expectClean } from "./harness.ts";
import { randomMessage, specFrame, ALL_TYPES } from "./gen.ts";
import * as D from "../wasm/rig-drivers.ts";
import * as E from "../../protocol/rig/errors.ts";
import { RIG_TO_FIXTURE, RIG_EITHER_WAY } from "../../protocol/rig/messages.ts";
import { ERR_TRUNCATED, ERR_OVERLONG, ERR_BAD_ARGUMENT } from "../../protocol/errors.ts";

const FUZZ = 100_000;
const FRAME_ERRORS = [E.ERR_RIG_BAD_SOF, E.ERR_RIG_BAD_VERSION, E.ERR_RIG_BAD_CRC, ERR_TRUNCATED, ERR_OVERLONG];
const MESSAGE_ERRORS = [E.ERR_RIG_UNKNOWN_TYPE, E.ERR_RIG_WRONG_DIRECTION, E.ERR_RIG_BAD_BODY];

/** A frame whose CRC is right but whose type or body was mutated: it reaches the message checks. */
function mutatedBody(rng: Rng): Uint8Array {
  const g = randomMessage(rng);
  const body = rng.mutate(g.frame.subarray(5, g.frame.length - 2)).subarray(0, 255);
  const type = rng.int(0, 3) === 0 ? rng.int(0, 255) : g.msg.type;
  return specFrame(type, g.msg.seq, body);
}

function fuzzInput(rng: Rng, n: number): Uint8Array {
  switch (n % 6) {
    case 0: return randomMessage(rng).frame;
    case 1: return rng.mutate(randomMessage(rng).frame);
    case 2: return mutatedBody(rng);
    case 3: return specFrame(rng.int(0, 255), rng.int(0, 255), rng.bytes(rng.int(0, 12)), rng.int(0, 7) === 0 ? rng.int(0, 255) : 1);
    case 4: return Uint8Array.from([0xa5, 0x01, ...rng.bytes(rng.int(0, 40))]);
    default: return rng.bytes(rng.int(0, 300));
  }
}

describe("protocol/rig: WASM = TypeScript", () => {
  it(`decodeMessage: ${FUZZ.toLocaleString("en")} random, mutated and valid frames in all three directions (seed 0x5101)`, () => {
    const rng = new Rng(0x5101);
    const t = newTally();
    for (let n = 0; n < FUZZ; n++) {
      const input = fuzzInput(rng, n);
      const dir = rng.int(RIG_TO_FIXTURE, RIG_EITHER_WAY);
      h.setInput(input);
      compare(t, () => `${toHex(input)} dir ${dir}`, h.exports.decode(input.length, dir), D.driveDecode(input, input.length, dir, out));
    }
    const all = [...FRAME_ERRORS, ...MESSAGE_ERRORS];
    expectClean(t, all);
    expect([...t.errors.keys()].sort()).toEqual([...all].sort());
    expect(t.ok).toBeGreaterThan(FUZZ / 10);
  });

  it("RigFramer: 3,000 streams of frames, noise and broken frames pushed in random chunk sizes (seed 0x5102)", () => {
    const rng = new Rng(0x5102);
    const t = newTally();
    let frames = 0;
    for (let n = 0; n < 3000; n++) {
      const parts: Uint8Array[] = [];
      for (let k = rng.int(1, 8); k > 0; k--) {
        const r = rng.int(0, 4);
        parts.push(r === 0 ? rng.bytes(rng.int(0, 40)) : r === 1 ? rng.mutate(randomMessage(rng).frame) : randomMessage(rng).frame);
      }
      const input = Uint8Array.from(parts.flatMap((p) => [...p]));
      const chunk = rng.int(1, 300);
      h.setInput(input);
      compare(t, () => `${toHex(input)} chunk ${chunk}`, h.exports.framer(input.length, chunk), D.driveFramer(input, input.length, chunk, out));
      frames += parts.length;
    }
    expectClean(t, []);
    expect(t.ok).toBe(3000);
    expect(frames).toBeGreaterThan(10_000);
  });

  it("windows outside the buffer are refused by decodeFrame, decodeMessage, push and encodeMessage, never read", () => {
    const t = newTally();
    let refused = 0;
    for (let off = -3; off <= 11; off++) {
      for (let len = -3; len <= 11; len++) {
        compare(t, () => `off ${off} len ${len}`, h.exports.window(off, len), D.driveWindow(off, len, out));
        const words = Array.from(new Int32Array(out.slice(0, 20).buffer));
        if (off < 0 || len < 0 || off + len > 8) {
          expect(words, `off ${off} len ${len}`).toEqual([ERR_BAD_ARGUMENT, ERR_BAD_ARGUMENT, 1, ERR_BAD_ARGUMENT, ERR_BAD_ARGUMENT]);
          refused++;
        }
      }
    }
    expectClean(t, []);
    expect(refused).toBeGreaterThan(100);
  });

  it("rigErrorName: the same in both builds for -300..0, a name for each of the 12 rig codes and none for others", () => {
    const named: number[] = [];
    for (let code = -300; code <= 0; code++) {
      const w = h.exports.name(code);
      const s = D.driveName(code, out);
      expect(toHex(h.output(w))).toBe(toHex(out.subarray(0, s)));
      if (s > 1) named.push(code);
    }
    expect(named).toEqual(Array.from({ length: 12 }, (_, i) => -271 + i));
  });

  it("the generator covers every type the spec defines", () => {
    expect(ALL_TYPES.length).toBe(9 + 10 + 9);
  });
});
