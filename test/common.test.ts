// protocol/crc.ts and protocol/bytes.ts: catalogue check values, WASM-vs-TypeScript differential,
// and fuzzing of the byte reader.
import { describe, it, expect } from "vitest";
import { crc16AugCcitt, crc16Msb, crc16Lsb, crc32Lsb, crc32, lrc8, osdpChecksum } from "../protocol/crc.ts";
import { ByteReader, ByteWriter, copyBytes, zeroBytes, bytesEqual, readU32BE, writeU32BE, constantTimeEqual } from "../protocol/bytes.ts";
import { ERR_BAD_ARGUMENT, ERR_OUTPUT_TOO_SMALL, ERR_TRUNCATED } from "../protocol/errors.ts";
import { readerProgram } from "./wasm/reader-program.ts";
import { loadVectors, hex } from "./support/vectors.ts";
import { loadHarness } from "./support/wasm.ts";
import { newTally, compareBuilds, expectAgreed } from "./support/differential.ts";
import { Rng } from "./support/rng.ts";

interface CrcModel { name: string; width: number; poly: string; init: string; refin: boolean; refout: boolean; xorout: string; check: string }

const models: CrcModel[] = [
  ...loadVectors<{ cases: CrcModel[] }>("crc_catalogue.json").cases,
  ...loadVectors<{ cases: CrcModel[] }>("crc_catalogue_extra.json").cases,
];
const CHECK = new TextEncoder().encode("123456789");

function reflect(value: number, width: number): number {
  let r = 0;
  for (let i = 0; i < width; i++) if (value & (2 ** i)) r += 2 ** (width - 1 - i);
  return r;
}

/** Runs a catalogue model through the matching generic routine of protocol/crc.ts. */
function crcOf(m: CrcModel, data: Uint8Array, off = 0, len = data.length): number {
  const poly = parseInt(m.poly, 16), init = parseInt(m.init, 16), xorout = parseInt(m.xorout, 16);
  if (m.width === 16) {
    return m.refin ? crc16Lsb(reflect(poly, 16), reflect(init, 16), xorout, data, off, len) : crc16Msb(poly, init, xorout, data, off, len);
  }
  return crc32Lsb(reflect(poly, 32), reflect(init, 32), xorout, data, off, len);
}

interface CommonHarness {
  crcAugCcitt(len: number): number;
  crcMsb16(poly: number, init: number, xorout: number, len: number): number;
  crcLsb16(poly: number, init: number, xorout: number, len: number): number;
  crcLsb32(poly: number, init: number, xorout: number, len: number): number;
  crcHdlc32(len: number): number;
  lrc(len: number): number;
  checksum(len: number): number;
  readerProgramOf(progLen: number, dataOff: number, dataLen: number): number;
}

describe("CRC catalogue check values (RevEng)", () => {
  for (const m of models) {
    it(`${m.name} of "123456789" is ${m.check}`, () => {
      expect(m.refin).toBe(m.refout);
      expect(crcOf(m, CHECK)).toBe(parseInt(m.check, 16));
    });
  }

  it("CRC-16/AUG-CCITT (OSDP) table version matches the catalogue and the Annex E packets", () => {
    expect(crc16AugCcitt(CHECK, 0, 9)).toBe(0xe5cc);
    const annex = loadVectors("osdp_annex_e.json");
    for (const c of annex.crc_cases) {
      const msg = hex(c.message_without_crc_hex);
      expect(crc16AugCcitt(msg, 0, msg.length)).toBe(parseInt(c.crc_value, 16));
    }
    for (const c of annex.checksum_cases) {
      const msg = hex(c.message_without_checksum_hex);
      expect(osdpChecksum(msg, 0, msg.length)).toBe(parseInt(c.checksum_hex, 16));
    }
  });

  it("CRC-32/ISO-HDLC table version matches the catalogue", () => {
    expect(crc32(CHECK, 0, 9)).toBe(0xcbf43926);
  });

  it("LRC of the observed T=1 blocks is zero over the whole block", () => {
    const t1 = loadVectors("t1_blocks.json");
    const blocks: { block_hex: string }[] = t1.lrc_blocks_observed;
    expect(blocks.length).toBeGreaterThan(0);
    for (const b of blocks) {
      const bytes = hex(b.block_hex);
      expect(lrc8(bytes, 0, bytes.length)).toBe(0);
    }
  });

  it("honours the offset and length window", () => {
    const padded = new Uint8Array([0xaa, ...CHECK, 0x55]);
    expect(crc16AugCcitt(padded, 1, 9)).toBe(0xe5cc);
    expect(crc32(padded, 1, 9)).toBe(0xcbf43926);
  });
});

describe("WASM build = TypeScript build (protocol/crc.ts, protocol/bytes.ts)", () => {
  const h = loadHarness<CommonHarness>("common");

  it("every CRC, LRC and checksum agrees on 10,000 random inputs", () => {
    const rng = new Rng(0xc0ffee);
    for (let n = 0; n < 10_000; n++) {
      const data = rng.bytes(rng.int(0, 300));
      h.setInput(data);
      const m = models[n % models.length];
      expect(h.exports.crcAugCcitt(data.length)).toBe(crc16AugCcitt(data, 0, data.length));
      expect(h.exports.crcHdlc32(data.length) >>> 0).toBe(crc32(data, 0, data.length));
      expect(h.exports.lrc(data.length)).toBe(lrc8(data, 0, data.length));
      expect(h.exports.checksum(data.length)).toBe(osdpChecksum(data, 0, data.length));
      const poly = parseInt(m.poly, 16), init = parseInt(m.init, 16), xorout = parseInt(m.xorout, 16);
      const expected = crcOf(m, data);
      let got: number;
      if (m.width === 32) got = h.exports.crcLsb32(reflect(poly, 32), reflect(init, 32), xorout, data.length) >>> 0;
      else if (m.refin) got = h.exports.crcLsb16(reflect(poly, 16), reflect(init, 16), xorout, data.length);
      else got = h.exports.crcMsb16(poly, init, xorout, data.length);
      expect(got).toBe(expected);
    }
  });

  it("ByteReader gives identical values and errors on 100,000 random programs", () => {
    const rng = new Rng(0xbeef);
    const out = new Uint8Array(65536);
    const t = newTally();
    for (let n = 0; n < 100_000; n++) {
      const prog = rng.bytes(rng.int(0, 24));
      const data = rng.bytes(rng.int(0, 40));
      const input = new Uint8Array([...prog, ...data]);
      h.setInput(input);
      const wasm = h.exports.readerProgramOf(prog.length, prog.length, data.length);
      const ts = readerProgram(input, prog.length, prog.length, data.length, out);
      compareBuilds(t, h, out, () => `#${n} ${Buffer.from(input).toString("hex")}`, wasm, ts);
    }
    expectAgreed(t, [ERR_TRUNCATED]);
    expect(t.ok).toBeGreaterThan(0);
    expect(t.errors.get(ERR_TRUNCATED)).toBeGreaterThan(0);
  });
});

describe("ByteWriter", () => {
  it("writes big- and little-endian fields and refuses to overrun, writing nothing", () => {
    const buf = new Uint8Array(8).fill(0xee);
    const w = new ByteWriter().reset(buf, 1, 6);
    w.writeU16LE(0x1234);
    w.writeU32BE(0xdeadbeef);
    expect(w.error).toBe(0);
    expect(Array.from(buf)).toEqual([0xee, 0x34, 0x12, 0xde, 0xad, 0xbe, 0xef, 0xee]);
    w.writeU8(1);
    expect(w.error).toBe(ERR_OUTPUT_TOO_SMALL);
    expect(buf[7]).toBe(0xee);
    expect(w.length()).toBe(6);
  });
});

describe("constantTimeEqual", () => {
  it("agrees with a plain compare on every one-byte difference, and refuses outside windows", () => {
    const a = Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7, 0x80, 0xff]);
    const b = Uint8Array.from([9, ...a]);
    expect(constantTimeEqual(a, 0, b, 1, a.length)).toBe(true);
    expect(constantTimeEqual(a, 0, b, 0, 0)).toBe(true);
    for (let i = 0; i < a.length; i++) {
      for (const bit of [0x01, 0x80]) {
        const c = Uint8Array.from(b);
        c[1 + i] ^= bit;
        expect(constantTimeEqual(a, 0, c, 1, a.length), `byte ${i} bit ${bit}`).toBe(false);
      }
    }
    expect(constantTimeEqual(a, 1, b, 2, a.length)).toBe(false);
    expect(constantTimeEqual(a, -1, b, 0, 1)).toBe(false);
  });
});

describe("windows outside the buffer", () => {
  it("copy, zero and compare refuse them and touch nothing", () => {
    const a = new Uint8Array([1, 2, 3, 4]);
    const b = new Uint8Array(4).fill(9);
    expect(copyBytes(a, 2, b, 0, 3)).toBe(false);
    expect(copyBytes(a, 0, b, 2, 3)).toBe(false);
    expect(copyBytes(a, -1, b, 0, 1)).toBe(false);
    expect(zeroBytes(b, 3, 2)).toBe(false);
    expect(Array.from(b)).toEqual([9, 9, 9, 9]);
    expect(bytesEqual(a, 0, a, 1, 4)).toBe(false);
    expect(copyBytes(a, 0, a, 1, 3)).toBe(true);
    expect(Array.from(a)).toEqual([1, 1, 2, 3]);
  });

  it("a reader or writer reset onto one reports ERR_BAD_ARGUMENT and moves no bytes", () => {
    const buf = new Uint8Array(4).fill(7);
    const r = new ByteReader().reset(buf, 2, 3);
    expect(r.error).toBe(ERR_BAD_ARGUMENT);
    expect(r.readU8()).toBe(0);
    const w = new ByteWriter().reset(buf, 3, 2);
    w.writeU8(1);
    expect(w.error).toBe(ERR_BAD_ARGUMENT);
    expect(Array.from(buf)).toEqual([7, 7, 7, 7]);
  });

  it("CRCs of such a window are 0 in both builds and read nothing", () => {
    const h = loadHarness<CommonHarness>("common");
    expect(crc16AugCcitt(CHECK, 5, 9)).toBe(0);
    expect(crc32(CHECK, -1, 2)).toBe(0);
    expect(h.exports.crcAugCcitt(70_000)).toBe(0);
    expect(h.exports.crcHdlc32(-3)).toBe(0);
  });
});

describe("readU32BE / writeU32BE", () => {
  it("read and write the big-endian byte order, unsigned under Node too", () => {
    const b = new Uint8Array(6);
    writeU32BE(b, 1, 0xfedcba98);
    expect(Array.from(b)).toEqual([0, 0xfe, 0xdc, 0xba, 0x98, 0]);
    expect(readU32BE(b, 1)).toBe(0xfedcba98);
    expect(readU32BE(new Uint8Array([0x12, 0x34, 0x56, 0x78]), 0)).toBe(0x12345678);
  });
});
