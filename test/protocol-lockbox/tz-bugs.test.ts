// Bugs the differential/property runs found in protocol/time/tz.ts, pinned with hand-worked
// instants (each derivation is in the comment; Date.UTC only spells the calendar). Both builds.
import { describe, it, expect } from "vitest";
import { h, out, sweepInput } from "./harness.ts";
import { ascii } from "./gen.ts";
import * as D from "../wasm/lockbox-drivers.ts";
import { TzRule, parseTzRule, localToUtc, nextLocalMidnight, utcToLocal } from "../../protocol/time/tz.ts";

const at = (y: number, mo: number, d: number, hh: number, mm = 0): number => Date.UTC(y, mo - 1, d, hh, mm) / 1000;

function parsed(text: string): TzRule {
  const r = new TzRule();
  const b = ascii(text);
  expect(parseTzRule(b, 0, b.length, r)).toBe(0);
  return r;
}

/** localToUtc and nextLocalMidnight of one instant in the WASM build (the sweep driver's words 3 and 4). */
function wasmAt(text: string, t: number): { localToUtc: number; nextMidnight: number } {
  const rule = ascii(text);
  const input = sweepInput(rule, [t]);
  h.setInput(input);
  expect(h.exports.tzSweep(rule.length, 1)).toBe(D.TZ_SWEEP_STRIDE);
  const v = new DataView(h.output(D.TZ_SWEEP_STRIDE).buffer);
  expect(D.driveTzSweep(input, rule.length, 1, out)).toBe(D.TZ_SWEEP_STRIDE);
  return { localToUtc: v.getUint32(12, true), nextMidnight: v.getUint32(16, true) };
}

describe("protocol/time/tz.ts bugs", () => {
  it("nextLocalMidnight after DST ends at 00:30 (the repeated half hour spans midnight) is later than now", () => {
    // Standard UTC+7, daylight UTC+8, DST ends the first Tuesday of September at 00:30 daylight
    // time: 2017-09-05 00:30 +08 = 2017-09-04 16:30Z, and the clocks go back to 23:30 +07.
    // At 16:30:30Z it is 23:30:30 local on the 4th; the 5th's 00:00 +07 is 17:00Z. The old code
    // returned 16:00Z (00:00 +08, already past), so a CARS extension would have expired at once.
    const text = "AAA-7BBB,M3.1.1,M9.1.2/0:30";
    const now = at(2017, 9, 4, 16, 30) + 30;
    expect(nextLocalMidnight(parsed(text), now)).toBe(at(2017, 9, 4, 17));
    expect(wasmAt(text, now).nextMidnight).toBe(at(2017, 9, 4, 17));
  });

  it("negative DST (Europe/Dublin style) with the skipped interval spanning midnight: localToUtc and nextLocalMidnight", () => {
    // Standard IST = UTC+1, "daylight" GMT = UTC+0 in winter; winter ends the last Sunday of March
    // (2026-03-29) at 23:30 GMT = 23:30Z, when the clocks jump to 00:30 IST: 00:00..00:30 local is
    // skipped. Local 00:10 on the 30th read under the old offset (GMT) is 00:10Z, which the clock
    // shows as 01:10 IST. The old code gave 23:10Z on the 29th (shown as 23:10, not 00:10), and as
    // the next local midnight after 23:00Z it returned 23:00Z itself.
    const text = "IST-1GMT0,M10.5.0,M3.5.0/23:30";
    const rule = parsed(text);
    const local = at(2026, 3, 30, 0, 10);
    expect(localToUtc(rule, local)).toBe(at(2026, 3, 30, 0, 10));
    expect(utcToLocal(rule, localToUtc(rule, local))).toBe(at(2026, 3, 30, 1, 10));
    expect(wasmAt(text, local).localToUtc).toBe(at(2026, 3, 30, 0, 10));
    const now = at(2026, 3, 29, 23);
    expect(nextLocalMidnight(rule, now)).toBe(at(2026, 3, 30, 0));
    expect(wasmAt(text, now).nextMidnight).toBe(at(2026, 3, 30, 0));
  });

  it("the ordinary cases keep their documented answers: US fall back (repeated hour) and spring forward (skipped hour)", () => {
    // CST6CDT 2026: DST starts 2026-03-08 02:00 CST = 08:00Z, ends 2026-11-01 02:00 CDT = 07:00Z.
    const rule = parsed("CST6CDT,M3.2.0,M11.1.0");
    // 01:30 on 1 Nov happens twice: 06:30Z (CDT) and 07:30Z (CST); the earlier one.
    expect(localToUtc(rule, at(2026, 11, 1, 1, 30))).toBe(at(2026, 11, 1, 6, 30));
    // 02:30 on 8 Mar does not exist; under the old offset (CST) it is 08:30Z, shown as 03:30 CDT.
    expect(localToUtc(rule, at(2026, 3, 8, 2, 30))).toBe(at(2026, 3, 8, 8, 30));
    expect(nextLocalMidnight(rule, at(2026, 11, 1, 12))).toBe(at(2026, 11, 2, 6));
  });
});
