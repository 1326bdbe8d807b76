// protocol/time: calendar arithmetic and POSIX TZ rules against Node's ICU time-zone database
// (an independent implementation) across both DST transitions, and a seeded fuzz of the parser.
import { describe, it, expect } from "vitest";
import { dayNumber, checkedDayNumber, civilFromDays, CivilDate, weekdayOf } from "../../protocol/time/civil.ts";
import { parseTzRule, TzRule, offsetAt, utcToLocal, localToUtc, nextLocalMidnight } from "../../protocol/time/tz.ts";
import * as E from "../../protocol/time/errors.ts";
import { Rng } from "../support/rng.ts";

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

function rule(text: string): TzRule {
  const r = new TzRule();
  const b = ascii(text);
  expect(parseTzRule(b, 0, b.length, r)).toBe(0);
  return r;
}

/** UTC offset in seconds of an IANA zone at a UTC instant, from ICU (Intl). */
const formatters = new Map<string, Intl.DateTimeFormat>();
function icuOffset(zone: string, utcSeconds: number): number {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric",
    });
    formatters.set(zone, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(utcSeconds * 1000)).map((x) => [x.type, x.value]));
  const local = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second) / 1000;
  return local - utcSeconds;
}

const ZONES: [string, string][] = [
  ["CST6CDT,M3.2.0,M11.1.0", "America/Chicago"],
  ["EST5EDT,M3.2.0,M11.1.0", "America/New_York"],
  ["PST8PDT,M3.2.0,M11.1.0", "America/Los_Angeles"],
  ["CET-1CEST,M3.5.0,M10.5.0/3", "Europe/Berlin"],
  ["AEST-10AEDT,M10.1.0,M4.1.0/3", "Australia/Sydney"],
  ["<-03>3", "America/Sao_Paulo"],
  ["MST7", "America/Phoenix"],
];

describe("civil calendar", () => {
  it("day numbers agree with Date.UTC for every day 1970..2105", () => {
    const d = new CivilDate();
    for (let days = 0; days <= 49672; days += 1) {
      const js = new Date(days * 86400000);
      civilFromDays(days, d);
      if (d.year !== js.getUTCFullYear() || d.month !== js.getUTCMonth() + 1 || d.day !== js.getUTCDate() || d.weekday !== js.getUTCDay()) {
        throw new Error(`day ${days}: ${d.year}-${d.month}-${d.day} wd ${d.weekday} vs ${js.toISOString()}`);
      }
      expect(dayNumber(d.year, d.month, d.day)).toBe(days);
    }
    expect(weekdayOf(0)).toBe(4);
  });

  it("checkedDayNumber refuses days that do not exist", () => {
    expect(checkedDayNumber(2024, 2, 29)).toBe(Date.UTC(2024, 1, 29) / 86400000);
    expect(checkedDayNumber(2023, 2, 29)).toBe(E.ERR_DATE_RANGE);
    expect(checkedDayNumber(1900, 3, 1)).toBe(E.ERR_DATE_RANGE);
    expect(checkedDayNumber(2024, 13, 1)).toBe(E.ERR_DATE_RANGE);
    expect(checkedDayNumber(2024, 4, 31)).toBe(E.ERR_DATE_RANGE);
  });
});

describe("POSIX TZ rules vs the ICU zone database", () => {
  for (const [text, zone] of ZONES) {
    it(`${text} matches ${zone} around each transition and at random instants 2020-2035`, () => {
      const r = rule(text);
      const rng = new Rng(0x7a11);
      const from = Date.UTC(2020, 0, 1) / 1000, to = Date.UTC(2035, 11, 31) / 1000;
      for (let i = 0; i < 1000; i++) {
        const t = rng.int(from, to);
        expect(offsetAt(r, t), `${zone} at ${new Date(t * 1000).toISOString()}`).toBe(icuOffset(zone, t));
      }
      // Every day where ICU's offset changes: that day at 5-minute steps.
      for (let t = from; t < to; t += 86400) {
        if (icuOffset(zone, t) === icuOffset(zone, t + 86400)) continue;
        for (let s = t; s <= t + 86400; s += 300) expect(offsetAt(r, s)).toBe(icuOffset(zone, s));
      }
    });
  }

  it("local midnight is 24, 23 or 25 hours after the previous one across DST (Chicago)", () => {
    const r = rule("CST6CDT,M3.2.0,M11.1.0");
    // 2026-03-08 (spring forward) and 2026-11-01 (fall back), local noon.
    const springNoon = Date.UTC(2026, 2, 8, 18) / 1000;
    const fallNoon = Date.UTC(2026, 10, 1, 18) / 1000;
    const springMidnight = nextLocalMidnight(r, springNoon);
    const fallMidnight = nextLocalMidnight(r, fallNoon);
    expect(springMidnight).toBe(Date.UTC(2026, 2, 9, 5) / 1000);
    expect(fallMidnight).toBe(Date.UTC(2026, 10, 2, 6) / 1000);
    expect(nextLocalMidnight(r, Date.UTC(2026, 2, 8, 5) / 1000 - 1)).toBe(Date.UTC(2026, 2, 8, 6) / 1000);
    expect(springMidnight - nextLocalMidnight(r, springNoon - 86400)).toBe(23 * 3600);
    expect(fallMidnight - nextLocalMidnight(r, fallNoon - 86400)).toBe(25 * 3600);
    for (const t of [springMidnight, fallMidnight]) expect((t + icuOffset("America/Chicago", t)) % 86400).toBe(0);
  });

  it("localToUtc inverts utcToLocal outside the repeated hour", () => {
    const r = rule("CET-1CEST,M3.5.0,M10.5.0/3");
    const rng = new Rng(99);
    for (let i = 0; i < 2000; i++) {
      const t = rng.int(Date.UTC(2020, 0, 1) / 1000, Date.UTC(2030, 0, 1) / 1000);
      const back = localToUtc(r, utcToLocal(r, t));
      if (back !== t) expect(back).toBe(t - 3600); // the repeated hour maps to its first occurrence
    }
  });
});

describe("TZ rule parser errors", () => {
  const cases: [string, number][] = [
    ["", E.ERR_TZ_NAME], ["C6", E.ERR_TZ_NAME], ["<AB>5", E.ERR_TZ_NAME], ["CST", E.ERR_TZ_OFFSET],
    ["CST25", E.ERR_TZ_OFFSET], ["CST6:60", E.ERR_TZ_OFFSET], ["CST6CDT", E.ERR_TZ_NO_RULE],
    ["CST6CDT,M13.2.0,M11.1.0", E.ERR_TZ_TRANSITION], ["CST6CDT,M3.6.0,M11.1.0", E.ERR_TZ_TRANSITION],
    ["CST6CDT,J60,M11.1.0", E.ERR_TZ_TRANSITION], ["CST6CDT,M3.2.0", E.ERR_TZ_TRANSITION],
    ["CST6CDT,M3.2.0/200,M11.1.0", E.ERR_TZ_TIME], ["CST6CDT,M3.2.0,M11.1.0x", E.ERR_TZ_TRAILING],
    ["CST6CDTxx", E.ERR_TZ_NO_RULE], ["A".repeat(60) + "5", E.ERR_TZ_TRAILING],
  ];
  for (const [text, code] of cases) {
    it(`"${text.slice(0, 24)}" → ${E.timeErrorName(code)}`, () => {
      const r = rule("EST5");
      const b = ascii(text);
      expect(parseTzRule(b, 0, b.length, r)).toBe(code);
      expect(r.stdOffset).toBe(-5 * 3600); // unchanged
    });
  }

  it("fuzz: mutated rules return OK or a time error code, and never throw", () => {
    const rng = new Rng(0x5eed);
    const seeds = ZONES.map(([t]) => ascii(t));
    for (let i = 0; i < 20000; i++) {
      const input = rng.mutate(rng.pick(seeds));
      const r = new TzRule();
      const code = parseTzRule(input, 0, input.length, r);
      if (code !== 0) expect(E.timeErrorName(code)).not.toBe("");
      else expect(Math.abs(r.stdOffset)).toBeLessThanOrEqual(25 * 3600);
    }
  });
});
