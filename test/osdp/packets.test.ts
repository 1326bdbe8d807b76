// OSDP packet layer and streaming framer: specific errors for each way a packet can be wrong,
// round trip, WASM = TypeScript on random and mutated packets, fuzz, and resync on noisy streams.
import { describe, it, expect } from "vitest";
import { Rng } from "../support/rng.ts";
import { hex, loadVectors } from "../support/vectors.ts";
import { packetRoundTrip, frameStream, PACKET_SUMMARY_LEN } from "../wasm/osdp-driver.ts";
import { loadOsdpHarness } from "./harness.ts";
import { buildPacket, randomPacketSpec, type PacketSpec } from "./generators.ts";
import { OsdpPacket, decodePacket, decodePacketKeepUnknown, encodePacket } from "../../protocol/osdp/packet.ts";
import { OsdpFramer } from "../../protocol/osdp/framer.ts";
import * as E from "../../protocol/osdp/errors.ts";
import { ERR_OUTPUT_TOO_SMALL } from "../../protocol/errors.ts";

const out = new Uint8Array(65536);
const base: PacketSpec = { address: 1, isReply: false, sqn: 1, useCrc: true, mark: false, scb: [], code: 0x61, data: Uint8Array.of(0), mac: [] };

/** A valid packet with the header fields of `base` changed, and its trailer recomputed. */
function pkt(change: Partial<PacketSpec> = {}): Uint8Array {
  return buildPacket({ ...base, ...change });
}

/** Applies `edit` to a valid packet's bytes without fixing the trailer. */
function edited(bytes: Uint8Array, edit: (b: Uint8Array) => void): Uint8Array {
  const b = Uint8Array.from(bytes);
  edit(b);
  return b;
}

describe("OSDP packet decoder: one named error per fault, nothing written", () => {
  const good = pkt();
  const cases: [string, Uint8Array, number][] = [
    ["empty input", new Uint8Array(0), E.ERR_OSDP_TRUNCATED],
    ["only the mark", Uint8Array.of(0xff), E.ERR_OSDP_TRUNCATED],
    ["bad SOM", edited(good, (b) => { b[0] = 0x52; }), E.ERR_OSDP_BAD_SOM],
    ["header cut short", good.subarray(0, 4), E.ERR_OSDP_TRUNCATED],
    ["packet cut short", good.subarray(0, good.length - 1), E.ERR_OSDP_TRUNCATED],
    ["trailing byte", Uint8Array.from([...good, 0]), E.ERR_OSDP_OVERLONG],
    ["reserved CTRL bit", pkt({ sqn: 0x10 }), E.ERR_OSDP_BAD_CTRL],
    ["length below minimum", edited(good, (b) => { b[2] = 7; }), E.ERR_OSDP_BAD_LENGTH],
    ["length above maximum", edited(good, (b) => { b[2] = 0x01; b[3] = 0x04; }), E.ERR_OSDP_BAD_LENGTH],
    ["bad CRC", edited(good, (b) => { b[b.length - 1] ^= 1; }), E.ERR_OSDP_BAD_CRC],
    ["bad checksum", edited(pkt({ useCrc: false }), (b) => { b[b.length - 1] ^= 1; }), E.ERR_OSDP_BAD_CHECKSUM],
    ["undefined SCB type", pkt({ scb: [2, 0x19] }), E.ERR_OSDP_BAD_SCB],
    ["SCB length 1", pkt({ scb: [1, 0x15] }), E.ERR_OSDP_BAD_SCB],
    ["SCS_15 with a data byte", pkt({ scb: [3, 0x15, 0], mac: [1, 2, 3, 4] }), E.ERR_OSDP_BAD_SCB],
    ["reply SCB type on a command", pkt({ scb: [2, 0x16], mac: [1, 2, 3, 4] }), E.ERR_OSDP_BAD_SCB],
    ["SCS_11 key selector 2", pkt({ scb: [3, 0x11, 2] }), E.ERR_OSDP_BAD_SCB],
    ["SCB longer than the packet", pkt({ scb: [40, 0x15] }), E.ERR_OSDP_BAD_LENGTH],
    ["SCS_15 without room for the MAC", pkt({ scb: [2, 0x15], data: new Uint8Array(0) }), E.ERR_OSDP_BAD_LENGTH],
    ["unknown command", pkt({ code: 0x63 }), E.ERR_OSDP_UNKNOWN_COMMAND],
    ["reply code sent as a command", pkt({ code: 0x45 }), E.ERR_OSDP_UNKNOWN_COMMAND],
    ["unknown reply", pkt({ isReply: true, code: 0x60 }), E.ERR_OSDP_UNKNOWN_REPLY],
  ];
  for (const [name, bytes, want] of cases) {
    it(`${name} → ${E.osdpErrorName(want)}`, () => {
      const p = new OsdpPacket();
      p.code = 0xee;
      p.dataLen = 77;
      expect(decodePacket(bytes, 0, bytes.length, p)).toBe(want);
      expect([p.code, p.dataLen]).toEqual([0xee, 77]);
    });
  }

  it("decodePacketKeepUnknown describes a verified packet with an undefined code, and still names the error", () => {
    const p = new OsdpPacket();
    const bytes = pkt({ code: 0x63, sqn: 2 });
    expect(decodePacketKeepUnknown(bytes, 0, bytes.length, p)).toBe(E.ERR_OSDP_UNKNOWN_COMMAND);
    expect([p.code, p.sqn, p.address, p.dataLen]).toEqual([0x63, 2, 1, 1]);
    const bad = edited(bytes, (b) => { b[b.length - 1] ^= 1; });
    p.code = 0xee;
    expect(decodePacketKeepUnknown(bad, 0, bad.length, p)).toBe(E.ERR_OSDP_BAD_CRC);
    expect(p.code).toBe(0xee);
  });

  it("accepts the valid packet these faults start from, with and without a mark", () => {
    const p = new OsdpPacket();
    expect(decodePacket(good, 0, good.length, p)).toBe(good.length);
    const marked = pkt({ mark: true });
    expect(decodePacket(marked, 0, marked.length, p)).toBe(marked.length);
    expect(p.mark).toBe(true);
  });

  it("encoder refuses a too-small buffer and writes nothing", () => {
    const p = new OsdpPacket();
    p.code = 0x60;
    const buf = new Uint8Array(7).fill(0xaa);
    expect(encodePacket(p, buf, 0, 0, buf, 0, 7)).toBe(ERR_OUTPUT_TOO_SMALL);
    expect(buf.every((b) => b === 0xaa)).toBe(true);
  });
});

describe("OSDP packets: round trip, WASM = TypeScript, fuzz (100,000 inputs)", () => {
  const h = loadOsdpHarness();

  it("every random valid packet decodes to its spec and re-encodes byte for byte", () => {
    const rng = new Rng(0x9ac4e7);
    const p = new OsdpPacket();
    for (let i = 0; i < 5000; i++) {
      const spec = randomPacketSpec(rng);
      const bytes = buildPacket(spec);
      expect(decodePacket(bytes, 0, bytes.length, p)).toBe(bytes.length);
      expect([p.address, p.isReply, p.sqn, p.useCrc, p.mark, p.code, p.dataLen]).toEqual(
        [spec.address, spec.isReply, spec.sqn, spec.useCrc, spec.mark, spec.code, spec.data.length]);
      expect(p.scbType).toBe(spec.scb.length ? spec.scb[1] : 0);
      const n = packetRoundTrip(bytes, 0, bytes.length, out);
      expect(Buffer.compare(out.subarray(PACKET_SUMMARY_LEN, n), bytes)).toBe(0);
    }
  });

  it("identical summaries, re-encodings and errors; no throw, no trap; errors are named", () => {
    const rng = new Rng(0x0d5f);
    const valid = Array.from({ length: 1000 }, () => buildPacket(randomPacketSpec(rng)));
    const noise = rng.bytes(1 << 16);
    const scratch = new Uint8Array(2048);
    const failures: string[] = [];
    let accepted = 0;
    for (let i = 0; i < 100_000; i++) {
      let input: Uint8Array;
      if (i % 3 === 0) input = valid[i % valid.length];
      else if (i % 3 === 1) input = rng.mutateInto(valid[rng.u32() % valid.length], scratch);
      else {
        const len = rng.int(0, 80);
        const at = rng.int(0, noise.length - len);
        input = Uint8Array.from(noise.subarray(at, at + len));
        if (len > 0 && rng.bool()) input[0] = 0x53;
      }
      const ts = packetRoundTrip(input, 0, input.length, out);
      h.setInput(input);
      const wasm = h.exports.packet(input.length);
      if (ts !== wasm) failures.push(`ts ${ts} wasm ${wasm}: ${Buffer.from(input).toString("hex")}`);
      else if (ts > 0) {
        accepted++;
        if (Buffer.compare(h.output(ts), out.subarray(0, ts)) !== 0) failures.push(`bytes differ: ${Buffer.from(input).toString("hex")}`);
        if (Buffer.compare(out.subarray(PACKET_SUMMARY_LEN, ts), input) !== 0) failures.push(`re-encoding differs: ${Buffer.from(input).toString("hex")}`);
      } else if (E.osdpErrorName(ts) === "") failures.push(`unnamed ${ts}`);
      if (failures.length > 5) break;
    }
    expect(failures).toEqual([]);
    expect(accepted).toBeGreaterThan(33_000);
  });
});

describe("OSDP framer", () => {
  const h = loadOsdpHarness();
  const annex = loadVectors("osdp_annex_e.json");
  const vectors: Uint8Array[] = annex.framing_packets.filter((c: { trailer_valid: boolean }) => c.trailer_valid)
    .map((c: { packet_with_mark_hex: string }) => hex(c.packet_with_mark_hex));

  /** Runs the TS framer over `stream` in `chunk`-byte pieces; returns packets (hex) and errors. */
  function frame(stream: Uint8Array, chunk: number): { packets: string[]; errors: number[] } {
    const f = new OsdpFramer();
    const p = new OsdpPacket();
    const packets: string[] = [], errors: number[] = [];
    for (let fed = 0; ;) {
      const r = f.next(p);
      if (r > 0) packets.push(Buffer.from(f.buf.subarray(p.somOff, p.somOff + r)).toString("hex"));
      else if (r < 0) errors.push(r);
      else if (fed < stream.length) fed += f.push(stream, fed, Math.min(chunk, stream.length - fed));
      else if (!f.abandonPartial()) break;
    }
    return { packets, errors };
  }

  it("finds every packet of a clean stream in order, whatever the chunk size", () => {
    const stream = Uint8Array.from(vectors.flatMap((v) => [...v]));
    const want = vectors.map((v) => Buffer.from(v.subarray(1)).toString("hex"));
    const valid = new Set(want);
    for (const chunk of [1, 2, 7, 64, 4096]) {
      const got = frame(stream, chunk);
      // libosdp_scs16_while_sc_inactive and _invalid_scb are valid frames the decoder refuses.
      expect(got.packets.filter((x) => valid.has(x))).toEqual(got.packets);
      expect(got.packets.length).toBe(want.length - 2);
    }
  });

  it("skips noise, drops corrupted packets, and still finds every intact one (1,000 noisy streams)", () => {
    const rng = new Rng(0x5eed);
    for (let s = 0; s < 1000; s++) {
      const parts: number[] = [];
      const intact: string[] = [];
      const sent = new Set<string>();
      for (let k = rng.int(1, 8); k > 0; k--) {
        const spec = randomPacketSpec(rng);
        spec.useCrc = true;
        const bytes = buildPacket(spec);
        const som = Buffer.from(bytes.subarray(spec.mark ? 1 : 0)).toString("hex");
        sent.add(som);
        for (let n = rng.int(0, 6); n > 0; n--) parts.push(rng.int(0, 255) === 0x53 ? 0 : rng.int(0, 255) & 0xfe);
        if (rng.int(0, 3) === 0) {
          const bad = Uint8Array.from(bytes);
          bad[rng.int(0, bad.length - 1)] ^= 1 << rng.int(0, 7);
          parts.push(...bad);
        } else {
          parts.push(...bytes);
          intact.push(som);
        }
      }
      const got = frame(Uint8Array.from(parts), rng.int(1, 40));
      for (const x of got.packets) expect(sent.has(x)).toBe(true);
      for (const x of intact) expect(got.packets).toContain(x);
    }
  });

  it("fuzz: 100,000 random and mutated byte strings through one framer; every yield is a valid packet", () => {
    const rng = new Rng(0xf0220);
    const valid = Array.from({ length: 500 }, () => buildPacket(randomPacketSpec(rng)));
    const scratch = new Uint8Array(2048);
    const f = new OsdpFramer();
    const p = new OsdpPacket();
    const check = new OsdpPacket();
    let packets = 0, dropped = 0, bad = 0;
    for (let i = 0; i < 100_000; i++) {
      const input = i % 4 === 0 ? rng.bytes(rng.int(0, 40)) : i % 4 === 1 ? valid[i % valid.length] : rng.mutateInto(valid[rng.u32() % valid.length], scratch);
      for (let fed = 0; fed < input.length || f.buffered() > 0;) {
        const r = f.next(p);
        if (r > 0) {
          packets++;
          if (decodePacket(f.buf, p.somOff, r, check) !== r) bad++;
        } else if (r < 0) {
          dropped++;
          if (E.osdpErrorName(r) === "") bad++;
        } else if (fed < input.length) {
          fed += f.push(input, fed, input.length - fed);
        } else {
          break;
        }
      }
      if (rng.int(0, 9) === 0) while (f.abandonPartial()) if (f.next(p) > 0) packets++;
    }
    expect(bad).toBe(0);
    expect(packets).toBeGreaterThan(25_000);
    expect(dropped).toBeGreaterThan(10_000);
  });

  it("WASM framer = TypeScript framer on 10,000 mutated streams", () => {
    const rng = new Rng(0xf4a3e);
    const tsOut = new Uint8Array(65536);
    for (let s = 0; s < 10_000; s++) {
      const parts: number[] = [];
      for (let k = rng.int(1, 6); k > 0; k--) parts.push(...buildPacket(randomPacketSpec(rng)));
      const stream = rng.mutate(Uint8Array.from(parts));
      const chunk = rng.int(1, 50);
      const n = frameStream(stream, 0, stream.length, chunk, tsOut);
      h.setInput(stream);
      expect(h.exports.frame(stream.length, chunk)).toBe(n);
      expect(Buffer.compare(h.output(n), tsOut.subarray(0, n))).toBe(0);
    }
  });
});
