// ISO 7816 T=1: block encode/decode throughput, WASM next to TypeScript (same protocol/ source),
// and the simulated wire time of a card exchange against its lower bound at the negotiated rate.
import { T1Block, decodeT1Block, encodeT1Block, T1_EDC_LRC, T1_EDC_CRC } from "../protocol/iso7816/t1.ts";
import { T1Master } from "../firmware/services/t1/master.ts";
import { CardT1 } from "../simulator/card/t1.ts";
import { LoopbackCardPort } from "../simulator/card/t1-port.ts";
import { consume, type BenchGroup, type BenchMetric } from "../tools/lib/bench.ts";
import { loadHarness } from "../test/support/wasm.ts";

interface IsoHarness {
  t1Decode(len: number, edcMode: number): number;
  t1Encode(infLen: number, edcMode: number): number;
}

/** Every case copies its input into the harness buffer first, so WASM and TypeScript pay the same copy. */
function codecGroup(h: ReturnType<typeof loadHarness<IsoHarness>>, infLen: number, edcMode: number, label: string): BenchGroup {
  const inf = new Uint8Array(infLen).map((_, i) => (i * 37) & 0xff);
  const block = new Uint8Array(259);
  const len = encodeT1Block(0, 0x40, inf, 0, infLen, edcMode, block, 0, block.length);
  const out = new Uint8Array(259);
  const into = new T1Block();
  return {
    title: `T=1 block ${label}: ${len} bytes (INF ${infLen})`,
    baselines: ["TypeScript decode", "TypeScript encode"],
    cases: [
      { name: "TypeScript decode", bytes: len, fn: () => { h.setInput(block.subarray(0, len)); consume(decodeT1Block(block, 0, len, edcMode, 254, into)); } },
      { name: "WASM decode", bytes: len, fn: () => { h.setInput(block.subarray(0, len)); consume(h.exports.t1Decode(len, edcMode)); } },
      { name: "TypeScript encode", bytes: len, fn: () => { h.setInput(inf); consume(encodeT1Block(0, 0x40, inf, 0, infLen, edcMode, out, 0, 259)); } },
      { name: "WASM encode", bytes: len, fn: () => { h.setInput(inf); consume(h.exports.t1Encode(infLen, edcMode)); } },
    ],
  };
}

/** One 300-byte command and 1000-byte response through master ⇄ card at the PPS-negotiated rate. */
function wireMetrics(): BenchMetric[] {
  const card = new CardT1({ handler: (apdu) => new Uint8Array(1002).fill(apdu[1]).fill(0x90, 1000, 1001).fill(0, 1001) });
  const port = new LoopbackCardPort(card);
  const master = new T1Master(port, card.clockHz, 1_000_000);
  if (master.connect() !== 0) throw new Error("bench: connect failed");
  const apdu = new Uint8Array(304).fill(7);
  const t0 = port.wireMicros();
  const b0 = master.stats.bytesSent + master.stats.bytesReceived;
  const n = master.transceive(apdu, 0, apdu.length, new Uint8Array(2048), 0, 2048);
  if (n !== 1002) throw new Error(`bench: exchange failed (${n})`);
  const micros = port.wireMicros() - t0;
  const bytes = master.stats.bytesSent + master.stats.bytesReceived - b0;
  const charMicros = 12 * card.etuMicros();
  const bound = (304 + 1002) * charMicros;
  return [
    { name: "negotiated rate", value: master.bitRate(), unit: "bit/s", note: `Fi/Di ${master.fidi.toString(16)} at ${card.clockHz / 1e6} MHz` },
    { name: "300-byte command + 1000-byte response, simulated wire time", value: micros / 1000, unit: "ms", note: `${bytes} bytes on the line incl. prologues, EDC and R-blocks` },
    { name: "lower bound (APDU bytes only, 12 ETU each)", value: bound / 1000, unit: "ms" },
    { name: "goodput share of the line", value: bound / micros, unit: "" },
  ];
}

export function groups(): BenchGroup[] {
  const h = loadHarness<IsoHarness>("iso7816");
  return [
    codecGroup(h, 254, T1_EDC_LRC, "LRC"),
    codecGroup(h, 254, T1_EDC_CRC, "CRC"),
    codecGroup(h, 5, T1_EDC_LRC, "LRC, short"),
    { title: "T=1 link: master ⇄ card emulator exchange", metrics: wireMetrics },
  ];
}
