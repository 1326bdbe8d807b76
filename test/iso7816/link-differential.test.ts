// The T=1 master in WASM = the T=1 master in TypeScript: card sessions recorded from the card
// emulator (clean and noisy) are replayed into both builds through test/wasm/iso7816-link.ts; the
// bytes the master transmits, its results and counters must be identical — also for mutated
// sessions, where the card's answers are arbitrary bytes (no trap, no hang, a result or an error).
import { describe, it, expect } from "vitest";
import { Rng } from "../support/rng.ts";
import { loadHarness } from "../support/wasm.ts";
import { replayLink } from "../wasm/iso7816-link.ts";
import { T1Master } from "../../firmware/services/t1/master.ts";
import { CardT1 } from "../../simulator/card/t1.ts";
import { LoopbackCardPort, type LineNoise } from "../../simulator/card/t1-port.ts";

interface LinkHarness { link(len: number): number }
const h = loadHarness<LinkHarness>("iso7816");
const out = new Uint8Array(65536);

class RecordingPort extends LoopbackCardPort {
  bursts: Uint8Array[] = [];
  override reset(buf: Uint8Array, off: number, cap: number): number {
    const n = super.reset(buf, off, cap);
    this.bursts.push(buf.slice(off, off + n));
    return n;
  }
  override transmit(buf: Uint8Array, off: number, len: number): void {
    super.transmit(buf, off, len);
    this.bursts.push(this.pendingReply());
  }
}

function u16(n: number): number[] {
  return [n & 0xff, n >> 8];
}

function applet(apdu: Uint8Array): Uint8Array {
  const out = new Uint8Array((apdu[3] % 200) + 2);
  out.set(apdu.subarray(0, Math.min(apdu.length, out.length - 2)));
  out[out.length - 2] = 0x90;
  return out;
}

/** Records a session of 1..4 APDUs against the card emulator; returns the script bytes. */
function record(rng: Rng, noise: LineNoise | null): Uint8Array {
  const card = new CardT1({ handler: applet, ifsc: rng.pick([8, 32, 254]), edc: rng.bool() ? "lrc" : "crc",
    processingEtu: () => (rng.int(0, 5) === 0 ? 3_000_000 : 0) });
  const port = new RecordingPort(card, noise);
  const master = new T1Master(port, 4_000_000, 1_000_000);
  const apdus: Uint8Array[] = [];
  for (let k = rng.int(1, 4); k > 0; k--) {
    const a = rng.bytes(4 + rng.int(0, 300));
    apdus.push(a);
  }
  if (master.connect() === 0) {
    for (const a of apdus) master.transceive(a, 0, a.length, new Uint8Array(1024), 0, 1024);
  }
  const script = [apdus.length];
  for (const a of apdus) script.push(...u16(a.length), ...a);
  for (const b of port.bursts) script.push(...u16(b.length), ...b);
  return Uint8Array.from(script);
}

function noise(rng: Rng): LineNoise {
  return (burst) => (burst.length > 0 && rng.int(0, 9) === 0 ? rng.mutate(burst) : burst);
}

function compare(script: Uint8Array): boolean {
  h.setInput(script);
  const w = h.exports.link(script.length);
  const t = replayLink(script, script.length, out);
  return w === t && Buffer.compare(h.output(w), out.subarray(0, t)) === 0;
}

describe("T=1 master: WASM build = TypeScript build on replayed card sessions", () => {
  it("500 recorded sessions (clean and noisy) and 10,000 mutations of them give identical transcripts", () => {
    const rng = new Rng(0x71);
    const mismatches: string[] = [];
    let nonTrivial = 0;
    for (let n = 0; n < 500; n++) {
      const script = record(rng, n % 2 === 0 ? null : noise(rng));
      if (script.length > 40) nonTrivial++;
      if (!compare(script)) mismatches.push(Buffer.from(script).toString("hex"));
      for (let m = 0; m < 20; m++) {
        const mutated = rng.mutate(script);
        if (!compare(mutated)) mismatches.push(Buffer.from(mutated).toString("hex"));
      }
    }
    expect(mismatches.slice(0, 3)).toEqual([]);
    expect(nonTrivial).toBeGreaterThan(450);
  });

  it("replaying a clean recording reproduces the live session's responses", () => {
    const rng = new Rng(0x72);
    for (let n = 0; n < 20; n++) {
      const card = new CardT1({ handler: applet, ifsc: 16 });
      const port = new RecordingPort(card);
      const master = new T1Master(port, 4_000_000, 1_000_000);
      expect(master.connect()).toBe(0);
      const a = rng.bytes(4 + rng.int(0, 100));
      const resp = new Uint8Array(1024);
      const len = master.transceive(a, 0, a.length, resp, 0, 1024);
      expect(len).toBeGreaterThan(0);
      const script = Uint8Array.from([1, ...u16(a.length), ...a, ...port.bursts.flatMap((b) => [...u16(b.length), ...b])]);
      h.setInput(script);
      const w = h.exports.link(script.length);
      const transcript = h.output(w);
      const needle = Buffer.concat([Buffer.from(Int32Array.of(len).buffer), Buffer.from(resp.subarray(0, len))]);
      expect(Buffer.from(transcript).indexOf(needle)).toBeGreaterThan(0);
    }
  });
});
