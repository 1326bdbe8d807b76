// Round trips and independent oracles for protocol/time and protocol/service, in both builds:
// random valid TZ rules parse to the fields the grammar says they mean; the offset in force agrees
// with a model built on JS Date (gen.ts); every day number 1970..2105 agrees with JS Date; random
// STATUS bodies and reply headers survive encode → decode → encode; CARD_STATUS bodies built from
// the spec layout decode to their fields.
import { describe, it, expect } from "vitest";
import { Rng } from "../support/rng.ts";
import { h, out, sweepInput } from "./harness.ts";
import { randomRule, modelOffset, instantsFor, randomCardStatusBody, ascii, type RuleFields } from "./gen.ts";
import * as D from "../wasm/lockbox-drivers.ts";
import { TzRule, parseTzRule, offsetAt, utcToLocal, localToUtc, nextLocalMidnight } from "../../protocol/time/tz.ts";
import { LAST_DAY, CivilDate, civilFromDays, checkedDayNumber } from "../../protocol/time/civil.ts";
import { LockboxStatus, encodeLockboxStatus, decodeLockboxStatus, readMfgHeader, STATUS_BODY_SIZE } from "../../protocol/service/mfg.ts";
import { writeReplyHeader, replyStatus } from "../../protocol/service/reader.ts";
import { ERR_OUTPUT_TOO_SMALL } from "../../protocol/errors.ts";

const i32s = (b: Uint8Array): number[] => Array.from(new Int32Array(b.buffer, b.byteOffset, b.byteLength >> 2));

/** The 12 i32 words driveTzParse writes (OK, then the 11 fields), as the generator states them. */
function fieldWords(f: RuleFields): number[] {
  const t = (x: RuleFields["start"]): number[] => [x.month, x.week, x.weekday, x.time];
  return [0, f.stdOffset, f.dstOffset, f.hasDst ? 1 : 0, ...(f.hasDst ? [...t(f.start), ...t(f.end)] : Array(8).fill(0x5a5a5a5a))];
}

describe("TZ rules", () => {
  it("10,000 random rules from the grammar parse, in both builds, to the fields they were built from (seed 0x7201)", () => {
    const rng = new Rng(0x7201);
    const bad: string[] = [];
    for (let n = 0; n < 10_000; n++) {
      const r = randomRule(rng);
      const b = ascii(r.text);
      h.setInput(b);
      const w = h.exports.tzParse(b.length);
      const ts = D.driveTzParse(b, b.length, out);
      const want = fieldWords(r.fields).map((v) => v | 0);
      if ((w !== 48 || ts !== 48 || i32s(h.output(48)).join() !== want.join() || i32s(out.subarray(0, 48)).join() !== want.join()) && bad.length < 5) {
        bad.push(`${r.text}: wasm ${w} ts ${ts} → ${i32s(out.subarray(0, 48)).join()} want ${want.join()}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it("the offset in force agrees with the JS Date model on 400 random rules × 50 instants, 1971..2104, in both builds (seed 0x7202)", () => {
    const rng = new Rng(0x7202);
    const bad: string[] = [];
    let checked = 0;
    let dstSeen = 0;
    for (let n = 0; n < 400; n++) {
      const r = randomRule(rng);
      const times = instantsFor(rng, r.fields, 80).filter((t) => t >= 31_536_000 && t < 4_260_000_000).slice(0, 50);
      const rule = ascii(r.text);
      const input = sweepInput(rule, times);
      h.setInput(input);
      const n1 = h.exports.tzSweep(rule.length, times.length);
      const n2 = D.driveTzSweep(input, rule.length, times.length, out);
      const w = i32s(h.output(n1));
      const s = i32s(out.subarray(0, n2));
      times.forEach((t, i) => {
        const want = modelOffset(r.fields, t);
        const stride = D.TZ_SWEEP_STRIDE / 4;
        if (want === r.fields.dstOffset && want !== r.fields.stdOffset) dstSeen++;
        if ((w[i * stride + 1] !== want || s[i * stride + 1] !== want) && bad.length < 5) bad.push(`${r.text} at ${t}: wasm ${w[i * stride + 1]} ts ${s[i * stride + 1]} model ${want}`);
        checked++;
      });
    }
    expect(bad).toEqual([]);
    expect(checked).toBeGreaterThanOrEqual(10_000);
    expect(dstSeen).toBeGreaterThan(1000);
  });

  it("local ↔ UTC: every local time that exists maps back to itself; the next local midnight is later and at 00:00 local or inside a skipped hour (seed 0x7203)", () => {
    const rng = new Rng(0x7203);
    const rule = new TzRule();
    const bad: string[] = [];
    for (let n = 0; n < 10_000; n++) {
      const r = randomRule(rng);
      const b = ascii(r.text);
      expect(parseTzRule(b, 0, b.length, rule)).toBe(0);
      const [utc] = instantsFor(rng, r.fields, 1).map((t) => Math.min(Math.max(t, 31_536_000), 4_260_000_000));
      const local = utcToLocal(rule, utc);
      if (utcToLocal(rule, localToUtc(rule, local)) !== local && bad.length < 5) bad.push(`${r.text} local of ${utc} does not map back`);
      const midnight = nextLocalMidnight(rule, utc);
      const at = utcToLocal(rule, midnight) % 86400;
      const gap = Math.abs(rule.dstOffset - rule.stdOffset);
      if ((midnight <= utc || at > gap) && bad.length < 5) bad.push(`${r.text} midnight after ${utc} is ${midnight} (${at} s into the local day)`);
      if (offsetAt(rule, utc) !== modelOffset(r.fields, utc) && bad.length < 5) bad.push(`${r.text} offset at ${utc}`);
    }
    expect(bad).toEqual([]);
  });
});

describe("calendar", () => {
  it("every day number 0..LAST_DAY (1970-01-01..2105-12-31) is the JS Date calendar date, in both builds, and maps back", () => {
    const date = new CivilDate();
    const bad: string[] = [];
    for (let days = 0; days <= LAST_DAY; days++) {
      const d = new Date(days * 86_400_000);
      const want = [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCDay()];
      civilFromDays(days, date);
      const ts = [date.year, date.month, date.day, date.weekday];
      h.exports.civilFromDays(days);
      const w = i32s(h.output(32));
      if ((ts.join() !== want.join() || w.slice(0, 4).join() !== want.join() || w[6] !== days || checkedDayNumber(date.year, date.month, date.day) !== days) && bad.length < 5) {
        bad.push(`${days}: ts ${ts.join()} wasm ${w.slice(0, 4).join()} want ${want.join()}`);
      }
    }
    expect(bad).toEqual([]);
    expect(new Date(LAST_DAY * 86_400_000).toISOString().slice(0, 10)).toBe("2105-12-31");
  });
});

describe("service port and reader MFG", () => {
  it("10,000 random STATUS objects: encode → decode (both builds) → the same fields and bytes; a 48-byte window is refused (seed 0x5e11)", () => {
    const rng = new Rng(0x5e11);
    const body = new Uint8Array(STATUS_BODY_SIZE);
    const back = new LockboxStatus();
    for (let n = 0; n < 10_000; n++) {
      const s = new LockboxStatus();
      s.lockboxId = rng.u32(); s.associationId = rng.u32(); s.firmwareVersion = rng.int(0, 0xffff); s.utc = rng.u32();
      s.clockTrusted = rng.bool(); s.batteryMillivolts = rng.int(0, 0xffff); s.nextSequence = rng.u32(); s.logCapacity = rng.int(0, 0xffff);
      s.settingsVersion = rng.u32(); s.denylistVersion = rng.u32(); s.denylistCount = rng.int(0, 0xffff); s.ownerSerial = rng.u32();
      s.listing.set(rng.bytes(12));
      expect(encodeLockboxStatus(s, body, 0, STATUS_BODY_SIZE - 1)).toBe(ERR_OUTPUT_TOO_SMALL);
      expect(encodeLockboxStatus(s, body, 0, STATUS_BODY_SIZE)).toBe(STATUS_BODY_SIZE);
      expect(decodeLockboxStatus(body, 0, STATUS_BODY_SIZE, back)).toBe(0);
      expect({ ...back, listing: Array.from(back.listing) }).toEqual({ ...s, listing: Array.from(s.listing) });
      h.setInput(body);
      const w = h.exports.status(STATUS_BODY_SIZE);
      expect(D.driveStatus(body, STATUS_BODY_SIZE, out)).toBe(w);
      const wasm = h.output(w);
      expect(Buffer.compare(wasm, out.subarray(0, w))).toBe(0);
      expect(new DataView(wasm.buffer).getInt32(w - STATUS_BODY_SIZE - 8, true)).toBe(ERR_OUTPUT_TOO_SMALL);
      expect(Buffer.from(wasm.subarray(w - STATUS_BODY_SIZE)).toString("hex")).toBe(Buffer.from(body).toString("hex"));
    }
  });

  it("10,000 CARD_STATUS bodies built from the spec layout decode, in both builds, to their fields (seed 0x5e12)", () => {
    const rng = new Rng(0x5e12);
    const bad: string[] = [];
    for (let n = 0; n < 10_000; n++) {
      const body = randomCardStatusBody(rng);
      const v = new DataView(body.buffer);
      const want = [body.length, body[0], body[1], v.getInt32(2), body[6]];
      h.setInput(body);
      const w = h.exports.cardStatus(body.length);
      const ts = D.driveCardStatus(body, body.length, out);
      const wasm = h.output(w);
      const fields = i32s(wasm.subarray(0, 20));
      if ((w !== ts || fields.join() !== want.join() || Buffer.compare(wasm.subarray(20), body.subarray(7)) !== 0 || Buffer.compare(wasm, out.subarray(0, ts)) !== 0) && bad.length < 5) {
        bad.push(`${Buffer.from(body).toString("hex")}: ${fields.join()} want ${want.join()}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it("reply headers: read(write(sub, status)) = status for every sub-command and i16 status, in both builds", () => {
    const hdr = new Uint8Array(3);
    for (let sub = 0; sub < 128; sub += 7) {
      for (let status = -32768; status < 32768; status += 97) {
        writeReplyHeader(sub, status, hdr, 0);
        expect(readMfgHeader(sub, hdr, 0, 3)).toBe(status);
        h.setInput(hdr);
        expect(h.exports.mfgHeader(sub, 3)).toBe(7);
        expect(new DataView(h.output(4).buffer).getInt32(0, true)).toBe(status);
        writeReplyHeader(sub, status, hdr, 0);
        expect(hdr[0]).toBe(sub | 0x80);
        expect(replyStatus(hdr, 0)).toBe(status);
      }
    }
  });
});
