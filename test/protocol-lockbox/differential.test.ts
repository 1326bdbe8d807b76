// WASM build = TypeScript build for protocol/time, protocol/cars and protocol/service (the lockbox
// service port and the reader MFG codec), and the seeded fuzz run: every decoder gets 100,000
// random and mutated inputs through both builds (the same driver, test/wasm/lockbox-drivers.ts,
// runs in each); return codes and all output bytes must be identical, each result must be a decoded
// message or one of the decoder's documented error codes, and a failing decoder must leave its
// target untouched. Computations (calendar, TZ offsets, DST transitions, CARS) are compared on
// ≥ 10,000 random inputs each. Nothing may throw or trap.
import { describe, it, expect } from "vitest";
import { createHmac } from "node:crypto";
import { Rng } from "../support/rng.ts";
import { toHex } from "../support/vectors.ts";
import { specCarsNumber } from "../support/oracles.ts";
import { newTally } from "../support/differential.ts";
import { h, out, compare, expectClean, sweepInput } from "./harness.ts";
import { randomRule, mutateRule, instantsFor, randomStatusBody, randomCardStatusBody, ascii, REAL_RULES, RULE_ALPHABET, type GeneratedRule } from "./gen.ts";
import * as D from "../wasm/lockbox-drivers.ts";
import { carsMessage, carsCodeFromMac } from "../../protocol/cars/cars.ts";
import { LAST_DAY } from "../../protocol/time/civil.ts";
import { TzRule, parseTzRule } from "../../protocol/time/tz.ts";
import * as TE from "../../protocol/time/errors.ts";
import * as CE from "../../protocol/cars/errors.ts";
import { ERR_SVC_BAD_REPLY } from "../../protocol/service/errors.ts";
import { MFG_LB_STATUS, MFG_LB_READ_LOG, MFG_LB_READ_SETTINGS, MFG_LB_SET_TIME } from "../../protocol/service/mfg.ts";
import { MFG_CARD_STATUS, MFG_CARD_CONNECT, MFG_CARD_APDU, MFG_CARD_OFF, ERR_READER_BAD_REPLY } from "../../protocol/service/reader.ts";
import { ERR_TRUNCATED, ERR_OVERLONG, ERR_BAD_ARGUMENT } from "../../protocol/errors.ts";

const FUZZ = 100_000;
const COMPUTE = 20_000;
const i32sOf = (b: Uint8Array): number[] => Array.from(new Int32Array(b.slice().buffer));

/** A real rule with the fields the TypeScript parser gives it (used only to place instants near its transitions). */
function parsedRule(text: string): GeneratedRule {
  const r = new TzRule();
  const b = ascii(text);
  if (parseTzRule(b, 0, b.length, r) !== 0) throw new Error(`${text} does not parse`);
  return { text, fields: { stdOffset: r.stdOffset, dstOffset: r.dstOffset, hasDst: r.hasDst, start: { ...r.start }, end: { ...r.end } } };
}

/** Half random bytes, half mutated valid inputs, and every fifth one valid and unmutated. */
function fuzzInput(rng: Rng, n: number, valid: () => Uint8Array, maxRandom: number): Uint8Array {
  if (n % 5 === 4) return valid();
  return n % 2 === 0 ? rng.bytes(rng.int(0, maxRandom)) : rng.mutate(valid());
}

describe("protocol/time: WASM = TypeScript", () => {
  it(`civilFromDays, dayNumber, checkedDayNumber, daysInMonth, weekdayOf on ${COMPUTE.toLocaleString("en")} day numbers (seed 0x7101)`, () => {
    const rng = new Rng(0x7101);
    const t = newTally();
    for (let n = 0; n < COMPUTE; n++) {
      const days = n % 4 === 0 ? rng.int(-719_468, 200_000) : rng.int(0, LAST_DAY + 40);
      compare(t, () => `days ${days}`, h.exports.civilFromDays(days), D.driveCivilFromDays(days, out));
    }
    expectClean(t, []);
    expect(t.runs).toBe(COMPUTE);
  });

  it(`checkedDayNumber, dayNumber, daysInMonth on ${FUZZ.toLocaleString("en")} (year, month, day), real or not (seed 0x7102)`, () => {
    const rng = new Rng(0x7102);
    const t = newTally();
    const checked = new Map<number, number>();
    for (let n = 0; n < FUZZ; n++) {
      const year = n % 3 === 0 ? rng.int(-20_000, 20_000) : rng.int(1965, 2110);
      const month = rng.int(-1, 14);
      const day = rng.int(-1, 33);
      compare(t, () => `${year}-${month}-${day}`, h.exports.dayNumber(year, month, day), D.driveDayNumber(year, month, day, out));
      const c = new DataView(out.buffer).getInt32(0, true);
      checked.set(c < 0 ? c : 0, (checked.get(c < 0 ? c : 0) ?? 0) + 1);
    }
    expectClean(t, []);
    expect([...checked.keys()].sort()).toEqual([TE.ERR_DATE_RANGE, 0].sort());
  });

  it(`daysOf, secondOfDay, startOfDay, addSeconds on ${COMPUTE.toLocaleString("en")} u32 instants and signed deltas (seed 0x7103)`, () => {
    const rng = new Rng(0x7103);
    const t = newTally();
    for (let n = 0; n < COMPUTE; n++) {
      const s = rng.u32();
      const delta = rng.bool() ? rng.u32() | 0 : rng.int(-200_000, 200_000);
      compare(t, () => `${s} ${delta}`, h.exports.seconds(s, delta), D.driveSeconds(s, delta, out));
    }
    expectClean(t, []);
  });

  it(`parseTzRule: ${FUZZ.toLocaleString("en")} random, mutated and valid rules (seed 0x7104)`, () => {
    const rng = new Rng(0x7104);
    const t = newTally();
    const valid = (): Uint8Array => ascii(rng.int(0, 9) === 0 ? rng.pick(REAL_RULES) : randomRule(rng).text);
    for (let n = 0; n < FUZZ; n++) {
      let input: Uint8Array;
      if (n % 7 === 3) {
        const len = rng.int(0, 52);
        input = ascii(Array.from({ length: len }, () => RULE_ALPHABET[rng.int(0, RULE_ALPHABET.length - 1)]).join(""));
      } else if (n % 7 === 5) input = mutateRule(rng, new TextDecoder().decode(valid()));
      else input = fuzzInput(rng, n, valid, 56);
      h.setInput(input);
      compare(t, () => toHex(input), h.exports.tzParse(input.length), D.driveTzParse(input, input.length, out));
    }
    const all = [TE.ERR_TZ_NAME, TE.ERR_TZ_OFFSET, TE.ERR_TZ_NO_RULE, TE.ERR_TZ_TRANSITION, TE.ERR_TZ_TIME, TE.ERR_TZ_TRAILING];
    expectClean(t, all);
    expect([...t.errors.keys()].sort()).toEqual([...all].sort());
    expect(t.ok).toBeGreaterThan(FUZZ / 10);
  });

  it("isDstAt, offsetAt, utcToLocal, localToUtc, nextLocalMidnight, localDay: 600 random rules × 40 instants around their transitions (seed 0x7105)", () => {
    const rng = new Rng(0x7105);
    const t = newTally();
    const rules = [...REAL_RULES.map(parsedRule), ...Array.from({ length: 600 - REAL_RULES.length }, () => randomRule(rng))];
    let instants = 0;
    for (const r of rules) {
      const times = instantsFor(rng, r.fields, 40);
      const rule = ascii(r.text);
      const input = sweepInput(rule, times);
      h.setInput(input);
      compare(t, () => r.text, h.exports.tzSweep(rule.length, times.length), D.driveTzSweep(input, rule.length, times.length, out));
      instants += times.length;
    }
    expectClean(t, []);
    expect(t.ok).toBe(600);
    expect(instants).toBeGreaterThanOrEqual(COMPUTE);
  });
});

describe("protocol/cars: WASM = TypeScript = node:crypto HMAC-SHA256 + RFC 4226 §5.3", () => {
  it("the spec's worked example (protocol/SPEC.md Lockbox §4): card 12345678, day 20521, sequence 4 → 32616613", () => {
    const key = Buffer.from("4561ef439e81029185ee05da7dc8d913", "hex");
    h.setInput(key);
    expect(h.exports.carsCode(16, 12345678, 20521, 4)).toBe(32616613);
    expect(toHex(h.output(8))).toBe("00bc614e50290004");
    expect(specCarsNumber(key, 12345678, 20521, 4)).toBe(32616613);
  });

  it(`the firmware's code (WASM SHA-256) = TypeScript build = independent computation on ${COMPUTE.toLocaleString("en")} random (key, serial, day, sequence), and its 8 keyed digits read back (seed 0xca01)`, () => {
    const rng = new Rng(0xca01);
    const msg = new Uint8Array(8);
    const bad: string[] = [];
    for (let n = 0; n < COMPUTE; n++) {
      const key = rng.bytes(rng.int(0, 3) === 0 ? rng.int(0, 100) : 16);
      const serial = rng.u32();
      const day = rng.bool() ? rng.int(0, 0xffff) : rng.int(18_000, 30_000);
      const sequence = rng.int(0, 0xffff);
      h.setInput(key);
      const wasm = h.exports.carsCode(key.length, serial, day, sequence);
      carsMessage(serial, day, sequence, msg, 0);
      const ts = carsCodeFromMac(new Uint8Array(createHmac("sha256", key).update(msg).digest()), 0);
      const ind = specCarsNumber(key, serial, day, sequence);
      const message = toHex(h.output(8));
      const keyed = Uint8Array.from(String(ind).padStart(8, "0"), (c) => c.charCodeAt(0) - 48);
      h.setInput(keyed);
      const fromKeys = [h.exports.carsDigits(8), new DataView(h.output(4).buffer).getInt32(0, true), D.driveCarsDigits(keyed, 8, out), new DataView(out.buffer).getInt32(0, true)];
      if ((wasm !== ts || ts !== ind || message !== toHex(msg) || fromKeys.join() !== [4, ind, 4, ind].join()) && bad.length < 5) {
        bad.push(`${toHex(key)} ${serial} ${day} ${sequence}: ${wasm} ${ts} ${ind}, keyed back ${fromKeys.join()}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it(`carsMessage and carsCodeFromMac at any offset on ${COMPUTE.toLocaleString("en")} random inputs (seed 0xca02)`, () => {
    const rng = new Rng(0xca02);
    const t = newTally();
    for (let n = 0; n < COMPUTE; n++) {
      const macOff = rng.int(0, 16);
      const input = rng.bytes(macOff + 32);
      const serial = rng.u32();
      const day = rng.u32() | 0;
      const sequence = rng.u32() | 0;
      h.setInput(input);
      compare(t, () => `${toHex(input)} ${macOff}`, h.exports.cars(serial, day, sequence, macOff), D.driveCars(serial, day, sequence, input, macOff, out));
    }
    expectClean(t, []);
  });

  it(`carsCodeFromDigits: ${FUZZ.toLocaleString("en")} random and mutated key sequences (seed 0xca03)`, () => {
    const rng = new Rng(0xca03);
    const t = newTally();
    const valid = (): Uint8Array => Uint8Array.from({ length: 8 }, () => rng.int(0, 9));
    for (let n = 0; n < FUZZ; n++) {
      const input = n % 3 === 0 ? Uint8Array.from({ length: rng.int(0, 10) }, () => rng.int(0, 11)) : fuzzInput(rng, n, valid, 10);
      h.setInput(input);
      compare(t, () => toHex(input), h.exports.carsDigits(input.length), D.driveCarsDigits(input, input.length, out));
    }
    expectClean(t, [CE.ERR_CARS_FORMAT]);
    expect(t.ok).toBeGreaterThan(FUZZ / 10);
  });

  it(`carsLimitsAllow on ${COMPUTE.toLocaleString("en")} random CARS states and limits (seed 0xca04)`, () => {
    const rng = new Rng(0xca04);
    const t = newTally();
    for (let n = 0; n < COMPUTE; n++) {
      const today = rng.int(20_000, 20_100);
      const month = rng.int(24_300, 24_303);
      const a = [rng.int(24_300, 24_303), rng.int(0, 5), rng.pick([0, today - 2, today - 1, today]), rng.int(0, 4), today, month, rng.int(0, 4), rng.int(0, 3)];
      const call = (): number => D.driveCarsLimits(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]);
      compare(t, () => a.join(" "), h.exports.carsLimits(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]), call());
    }
    expectClean(t, [CE.ERR_CARS_MONTH_LIMIT, CE.ERR_CARS_CONSECUTIVE_LIMIT]);
    expect(t.errors.size).toBe(2);
  });
});

describe("protocol/service: WASM = TypeScript", () => {
  it(`decodeLockboxStatus (+ re-encode): ${FUZZ.toLocaleString("en")} random, mutated and valid bodies (seed 0x5e01)`, () => {
    const rng = new Rng(0x5e01);
    const t = newTally();
    for (let n = 0; n < FUZZ; n++) {
      const input = fuzzInput(rng, n, () => randomStatusBody(rng), 60);
      h.setInput(input);
      compare(t, () => toHex(input), h.exports.status(input.length), D.driveStatus(input, input.length, out));
    }
    expectClean(t, [ERR_TRUNCATED, ERR_OVERLONG, ERR_SVC_BAD_REPLY]);
    expect(t.errors.size).toBe(3);
    expect(t.ok).toBeGreaterThan(FUZZ / 10);
  });

  it(`readMfgHeader + writeReplyHeader: ${FUZZ.toLocaleString("en")} random and mutated reply headers; status = the i16, else ERR_SVC_BAD_REPLY (seed 0x5e02)`, () => {
    const rng = new Rng(0x5e02);
    const t = newTally();
    const wrong: string[] = [];
    const subs = [MFG_LB_STATUS, MFG_LB_READ_LOG, MFG_LB_READ_SETTINGS, MFG_LB_SET_TIME];
    for (let n = 0; n < FUZZ; n++) {
      const sub = n % 10 === 0 ? rng.int(0, 255) : rng.pick(subs);
      const valid = (): Uint8Array => Uint8Array.of(sub | 0x80, rng.int(0, 255), rng.int(0, 255), ...rng.bytes(rng.int(0, 6)));
      const input = fuzzInput(rng, n, valid, 8);
      h.setInput(input);
      compare(t, () => `${sub} ${toHex(input)}`, h.exports.mfgHeader(sub, input.length), D.driveMfgHeader(sub, input, input.length, out));
      const status = new DataView(out.buffer).getInt32(0, true);
      const ok = input.length >= 3 && input[0] === (sub | 0x80);
      const expected = ok ? new DataView(input.buffer).getInt16(1) : ERR_SVC_BAD_REPLY;
      if ((status !== expected || (ok && toHex(out.subarray(4, 7)) !== toHex(input.subarray(0, 3)))) && wrong.length < 5) wrong.push(`${sub} ${toHex(input)} → ${status}`);
    }
    expectClean(t, []);
    expect(wrong).toEqual([]);
  });

  it(`encodeReadLog on ${COMPUTE.toLocaleString("en")} random requests matches the spec's layout (seed 0x5e03)`, () => {
    const rng = new Rng(0x5e03);
    const t = newTally();
    for (let n = 0; n < COMPUTE; n++) {
      const from = rng.u32();
      const max = rng.int(0, 300);
      compare(t, () => `${from} ${max}`, h.exports.readLog(from, max), D.driveReadLog(from, max, out));
      if (n === 0) {
        const b = Buffer.alloc(5);
        b.writeUInt32BE(from, 0);
        b[4] = max & 0xff;
        expect(toHex(out.subarray(0, 5))).toBe(b.toString("hex"));
      }
    }
    expectClean(t, []);
    expect(t.ok).toBe(COMPUTE);
  });

  it(`reader MFG reply header (replyStatus + writeReplyHeader): ${FUZZ.toLocaleString("en")} random and mutated replies (seed 0x5e04)`, () => {
    const rng = new Rng(0x5e04);
    const t = newTally();
    const wrong: string[] = [];
    const subs = [MFG_CARD_STATUS, MFG_CARD_CONNECT, MFG_CARD_APDU, MFG_CARD_OFF];
    for (let n = 0; n < FUZZ; n++) {
      const sub = rng.pick(subs);
      const input = fuzzInput(rng, n, () => Uint8Array.of(sub | 0x80, rng.int(0, 255), rng.int(0, 255), ...rng.bytes(rng.int(0, 20))), 24);
      h.setInput(input);
      compare(t, () => `${sub} ${toHex(input)}`, h.exports.readerReply(sub, input.length), D.driveReaderReply(sub, input, input.length, out));
      if (input.length >= 3) {
        const status = new DataView(out.buffer).getInt32(0, true);
        if ((status !== new DataView(input.buffer).getInt16(1) || out[4] !== (sub | 0x80) || toHex(out.subarray(5, 7)) !== toHex(input.subarray(1, 3))) && wrong.length < 5) {
          wrong.push(`${sub} ${toHex(input)} → ${status}`);
        }
      }
    }
    expectClean(t, [ERR_TRUNCATED]);
    expect(wrong).toEqual([]);
  });

  it(`reader decodeCardStatus: ${FUZZ.toLocaleString("en")} random, mutated and valid CARD_STATUS bodies (seed 0x5e05)`, () => {
    const rng = new Rng(0x5e05);
    const t = newTally();
    for (let n = 0; n < FUZZ; n++) {
      const input = fuzzInput(rng, n, () => randomCardStatusBody(rng), 48);
      h.setInput(input);
      compare(t, () => toHex(input), h.exports.cardStatus(input.length), D.driveCardStatus(input, input.length, out));
    }
    expectClean(t, [ERR_TRUNCATED, ERR_OVERLONG, ERR_READER_BAD_REPLY]);
    expect(t.errors.size).toBe(3);
    expect(t.ok).toBeGreaterThan(FUZZ / 10);
  });

  it("(offset, length) windows outside the buffer are refused by every decoder in both builds, never read (no trap)", () => {
    const windows = [[0, 9], [0, 49], [5, 4], [8, 1], [-1, 3], [0, -1], [3, 100], [0x7fffffff, 1], [0x7fffffff - 10, 48], [-0x80000000, 8], [4, 0x7fffffff]];
    for (const [off, len] of windows) {
      const w = h.exports.window(off, len);
      const ts = D.driveWindow(off, len, out);
      const refused = [ERR_BAD_ARGUMENT, ERR_BAD_ARGUMENT, ERR_BAD_ARGUMENT, ERR_BAD_ARGUMENT, ERR_BAD_ARGUMENT, TE.ERR_TZ_TRAILING];
      expect(w, `window ${off},${len}`).toBe(24);
      expect(ts).toBe(24);
      expect(i32sOf(h.output(24)), `WASM, window ${off},${len}`).toEqual(refused);
      expect(i32sOf(out.subarray(0, 24)), `TypeScript, window ${off},${len}`).toEqual(refused);
    }
  });

  it("error and reason names for every code -300..300", () => {
    const t = newTally();
    for (let code = -300; code <= 300; code++) compare(t, () => `${code}`, h.exports.names(code), D.driveNames(code, out));
    expectClean(t, []);
  });
});
