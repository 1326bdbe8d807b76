// Lockbox opening rules and CARS, end to end: the lockbox firmware (build/lockbox.wasm) on the
// simulator host, talking T=1 + SCP03 to the card emulator. For each rule: the box opens when it
// should; each denial keeps the box shut, shows its documented pattern (protocol/SPEC.md Lockbox §5) and
// is logged with its reason and a valid MAC.
import { describe, it, expect } from "vitest";
import { world, attempt, settings, applySettings, utc, chicago, CHICAGO, type World } from "./support.ts";
import { icuLocalDay, specCarsCode } from "../support/oracles.ts";
import { SimLockbox, LIGHT } from "../../simulator/world/lockbox.ts";
import { SimAssociation } from "../../simulator/world/association.ts";
import * as L from "../../protocol/card/layouts.ts";
import * as C from "../../protocol/card/commands.ts";
import { EVENT_OPENED, EVENT_DENIED, EVENT_CARS_APPLIED, EVENT_SETTINGS_APPLIED, EVENT_OWNERSHIP_TAKEN, EVENT_SHACKLE_RELEASED,
  EVENT_OWNERSHIP_RELEASED } from "../../protocol/card/records.ts";
import * as R from "../../protocol/service/reasons.ts";
import { LockboxServiceClient } from "../../simulator/world/service-client.ts";
import { Rng } from "../support/rng.ts";

const T0 = utc(2026, 3, 2, 15); // Monday 2026-03-02 15:00Z

function lastRecord(w: World) {
  const log = w.box.auditLog();
  return log[log.length - 1];
}

/** The box stayed shut, shows the pattern, and logged a MAC'd denial with the reason. */
function expectDenied(w: World, o: ReturnType<typeof attempt>, reason: number, steady: number, flashing: number): void {
  expect(o.released).toEqual([]);
  expect({ steady: o.steady, flashing: o.flashing }).toEqual({ steady, flashing });
  const last = lastRecord(w);
  expect(last.record.eventType).toBe(EVENT_DENIED);
  expect(last.record.reason).toBe(reason);
  expect(last.macValid).toBe(true);
}

describe("opening", () => {
  it("card + PIN opens the key compartment, logs a MAC'd record and hands it to the card", () => {
    const w = world(T0);
    const o = attempt(w.box, w.alice, "1234E");
    expect(o.released).toEqual([0]);
    expect(o.steady).toBe(LIGHT.READY);
    const last = lastRecord(w);
    expect(last.record.eventType).toBe(EVENT_OPENED);
    expect(last.record.cardSerial).toBe(1001);
    expect(last.record.utc).toBeGreaterThanOrEqual(T0);
    expect(last.macValid).toBe(true);
    w.box.remove();
    const own = w.assoc.readRecords(w.alice, C.FILE_ACCESS);
    expect(own.map((r) => Buffer.from(r.subarray(4)).toString("hex"))).toContain(Buffer.from(last.bytes).toString("hex"));
  });

  it("a card whose access file is full: the box still opens and keeps the record, READY + CODE flashing says renew", () => {
    const w = world(T0);
    const small = w.assoc.issue("Small", 1020, "1357", T0 + 86400 * 30, L.ROLE_AGENT, { records: [2, 128, 16, 16] });
    for (let i = 0; i < 2; i++) {
      expect(attempt(w.box, small, "1357E").steady).toBe(LIGHT.READY);
      w.box.remove();
    }
    const o = attempt(w.box, small, "1357E");
    expect(o.released).toEqual([0]);
    expect({ steady: o.steady, flashing: o.flashing }).toEqual({ steady: LIGHT.READY, flashing: LIGHT.CODE });
    expect(lastRecord(w).record.eventType).toBe(EVENT_OPENED);
    w.box.remove();
    expect(w.assoc.readRecords(small, C.FILE_ACCESS).length).toBe(2);
  });

  it("the next card carries the previous 3 accesses and the ones the server has not acknowledged", () => {
    const w = world(T0);
    const bob = w.assoc.issue("Bob", 1003, "4321", T0 + 86400 * 30);
    for (let i = 0; i < 4; i++) {
      expect(attempt(w.box, w.alice, "1234E").released).toEqual([0]);
      w.box.remove();
    }
    expect(attempt(w.box, bob, "4321E").released).toEqual([0]);
    w.box.remove();
    const log = w.box.auditLog();
    const seqs = (holder: typeof bob): number[] => w.assoc.readRecords(holder, C.FILE_CARRIED).map((r) => new DataView(r.buffer, r.byteOffset).getUint32(8)).sort();
    expect(seqs(bob)).toEqual(log.slice(0, -1).map((r) => r.record.sequence));
    // A card whose renewal said "box 5001 acknowledged below 5" gets only the previous 3.
    const carol = w.assoc.issue("Carol", 1006, "1357", T0 + 86400 * 30);
    w.assoc.renew(carol, T0 + 86400 * 30, T0, new Map([[5001, 5]]));
    expect(attempt(w.box, carol, "1357E").released).toEqual([0]);
    w.box.remove();
    expect(seqs(carol)).toEqual([3, 4, 5]);
  });
});

describe("a noisy card line", () => {
  it("corrupted, dropped and extra bytes on the card link: T=1 recovers and every access opens, never a wrong one", () => {
    const w = world(T0);
    const rng = new Rng(0x0153);
    const noise = (burst: Uint8Array): Uint8Array => (rng.int(0, 9) === 0 ? rng.mutate(burst) : burst);
    let opened = 0;
    for (let i = 0; i < 30; i++) {
      w.box.host.drainEvents();
      w.box.insert(w.alice, noise);
      w.box.type("1234E");
      if (SimLockbox.releases(w.box.host.drainEvents()).length > 0) opened++;
      w.box.remove();
    }
    const log = w.box.auditLog();
    // A link that cannot recover is a card error (reason 15), never an opening without the right PIN.
    for (const r of log) expect([EVENT_OPENED, EVENT_DENIED]).toContain(r.record.eventType);
    for (const r of log) if (r.record.eventType === EVENT_DENIED) expect(r.record.reason).toBe(R.REASON_CARD_ERROR);
    expect(opened).toBe(log.filter((r) => r.record.eventType === EVENT_OPENED).length);
    expect(opened).toBeGreaterThanOrEqual(20);
  });
});

describe("denials", () => {
  it("a card of another association: ERROR, logged (lockbox only)", () => {
    const w = world(T0);
    const other = new SimAssociation(300, 9).issue("Eve", 2001, "1111", T0 + 86400);
    const o = attempt(w.box, other, "1111E");
    expectDenied(w, o, R.REASON_OTHER_ASSOCIATION, LIGHT.ERROR, 0);
    expect(lastRecord(w).record.cardSerial).toBe(2001);
  });

  it("expired card: CODE+ERROR steady", () => {
    const w = world(T0);
    const old = w.assoc.issue("Old", 1004, "1234", T0 - 60);
    expectDenied(w, attempt(w.box, old, "1234E"), R.REASON_EXPIRED, LIGHT.CODE | LIGHT.ERROR, 0);
  });

  it("denylisted card (list brought by another card, MAC checked) until the revoked card would have expired", () => {
    const w = world(T0);
    w.assoc.pushDenylist(w.owner, 5, [[1001, T0 + 2 * 86400], [1777, T0 + 86400]]);
    attempt(w.box, w.owner, "");
    w.box.remove();
    expectDenied(w, attempt(w.box, w.alice, "1234E"), R.REASON_DENYLISTED, LIGHT.ERROR, 0);
    w.box.remove();
    w.box.host.advance(2 * 86400 * 1000 + 1000);
    expect(attempt(w.box, w.alice, "1234E").released).toEqual([0]);
  });

  it("entries for cards that expired anyway are dropped when the list is taken", async () => {
    const w = world(T0);
    w.assoc.pushDenylist(w.owner, 4, [[1001, T0 + 86400], [1500, T0 - 86400], [1600, T0 - 1]]);
    attempt(w.box, w.owner, "");
    w.box.remove();
    const svc = new LockboxServiceClient(w.box.serviceLink());
    const st = await svc.status();
    svc.cp.close();
    expect(st.denylistVersion).toBe(4);
    expect(st.denylistCount).toBe(1);
    expectDenied(w, attempt(w.box, w.alice, "1234E"), R.REASON_DENYLISTED, LIGHT.ERROR, 0);
  });

  it("a denylist whose MAC fails is ignored; a card of the same association id with other keys is not genuine", () => {
    const w = world(T0);
    w.assoc.pushDenylist(w.owner, 9, [[1001, T0 + 86400]], new Uint8Array(16).fill(7));
    attempt(w.box, w.owner, "");
    w.box.remove();
    expect(attempt(w.box, w.alice, "1234E").released).toEqual([0]);
    w.box.remove();
    const forged = new SimAssociation(257, 8).issue("F", 1005, "1234", T0 + 86400);
    expectDenied(w, attempt(w.box, forged, "1234E"), R.REASON_NOT_GENUINE, LIGHT.ERROR, 0);
  });

  it("wrong PIN: CODE + ERROR flashing each time; the third locks the card; then even the right PIN is refused", () => {
    const w = world(T0);
    w.box.insert(w.alice);
    for (let i = 0; i < 2; i++) {
      w.box.host.drainEvents();
      w.box.type("9999E");
      expect(SimLockbox.releases(w.box.host.drainEvents())).toEqual([]);
      expect(w.box.host.lights).toEqual({ steady: LIGHT.CODE, flashing: LIGHT.ERROR });
      expect(lastRecord(w).record.reason).toBe(R.REASON_WRONG_PIN);
    }
    w.box.type("9999E");
    expect(lastRecord(w).record.reason).toBe(R.REASON_PIN_BLOCKED);
    w.box.remove();
    expectDenied(w, attempt(w.box, w.alice, "1234E"), R.REASON_PIN_BLOCKED, LIGHT.ERROR, 0);
  });

  it("outside access hours (local time): ERROR steady, DND flashing", () => {
    const w = world(chicago(2026, 3, 2, 7, 0));
    applySettings(w, settings({ version: 2, startMinute: 8 * 60, endMinute: 20 * 60, tz: CHICAGO }));
    expect(lastRecord(w).record.eventType).toBe(EVENT_SETTINGS_APPLIED);
    expectDenied(w, attempt(w.box, w.alice, "1234E"), R.REASON_OUTSIDE_HOURS, LIGHT.ERROR, LIGHT.DND);
    w.box.remove();
    w.box.host.advance(3600 * 1000);
    expect(attempt(w.box, w.alice, "1234E").released).toEqual([0]);
  });

  it("access days: a day not in the mask is refused", () => {
    const w = world(T0); // Monday
    applySettings(w, settings({ version: 2, dayMask: 0x7f & ~(1 << 1) }));
    expectDenied(w, attempt(w.box, w.alice, "1234E"), R.REASON_OUTSIDE_HOURS, LIGHT.ERROR, LIGHT.DND);
  });

  it("privacy mode: DND + ERROR", () => {
    const w = world(T0);
    applySettings(w, settings({ version: 2, flags: L.SETTINGS_PRIVACY_MODE }));
    expectDenied(w, attempt(w.box, w.alice, "1234E"), R.REASON_PRIVACY, LIGHT.DND | LIGHT.ERROR, 0);
  });

  it("CBS required: CODE flashes for the code; a wrong one is refused, the right one opens", () => {
    const w = world(T0);
    applySettings(w, settings({ version: 2, flags: L.SETTINGS_CBS_REQUIRED, cbs: "5551" }));
    const o = attempt(w.box, w.alice, "1234E");
    expect(o.released).toEqual([]);
    expect(w.box.host.lights).toEqual({ steady: 0, flashing: LIGHT.CODE });
    w.box.type("1111E");
    expect(lastRecord(w).record.reason).toBe(R.REASON_CBS_WRONG);
    expect(w.box.host.lights).toEqual({ steady: LIGHT.CODE, flashing: LIGHT.ERROR });
    w.box.remove();
    attempt(w.box, w.alice, "1234E");
    w.box.host.drainEvents();
    w.box.type("5551E");
    expect(SimLockbox.releases(w.box.host.drainEvents())).toEqual([0]);
  });

  it("CBS required and not keyed within 30 s: refused as missing", () => {
    const w = world(T0);
    applySettings(w, settings({ version: 2, flags: L.SETTINGS_CBS_REQUIRED, cbs: "5551" }));
    attempt(w.box, w.alice, "1234E");
    w.box.host.advance(29_000);
    expect(w.box.host.lights).toEqual({ steady: 0, flashing: LIGHT.CODE });
    w.box.host.advance(2_000);
    expect(lastRecord(w).record.reason).toBe(R.REASON_CBS_WRONG);
    expect(w.box.host.lights).toEqual({ steady: LIGHT.CODE, flashing: LIGHT.ERROR });
    w.box.type("5551E");
    expect(SimLockbox.releases(w.box.host.drainEvents())).toEqual([]);
  });

  it("a half-typed PIN is dropped after 30 s without a key", () => {
    const w = world(T0);
    w.box.insert(w.alice);
    w.box.type("12");
    w.box.host.advance(31_000);
    w.box.host.drainEvents();
    w.box.type("34E");
    expect(SimLockbox.releases(w.box.host.drainEvents())).toEqual([]);
    expect(lastRecord(w).record.reason).toBe(R.REASON_BAD_ENTRY);
    w.box.type("1234E");
    expect(lastRecord(w).record.eventType).toBe(EVENT_OPENED);
  });

  it("settings are applied once (same version again is ignored)", () => {
    const w = world(T0);
    applySettings(w, settings({ version: 2 }));
    const n = w.box.auditLog().length;
    applySettings(w, settings({ version: 2 }));
    expect(w.box.auditLog().length).toBe(n);
    const applied = w.assoc.readRecords(w.owner, C.FILE_SETTINGS_APPLIED);
    expect(applied.length).toBe(1);
    expect(new DataView(applied[0].buffer, applied[0].byteOffset).getUint32(4 + 18)).toBe(2);
  });
});

describe("CARS renewal", () => {
  const expiredWorld = (t: number, opts = {}) => {
    const w = world(t, opts);
    const card = w.assoc.issue("Exp", 1010, "2468", t - 3600);
    return { w, card, key: w.assoc.carsKey() };
  };

  it("expired card + today's code: READY, card valid until local midnight, then PIN opens; nothing uploaded", () => {
    const t = T0;
    const { w, card, key } = expiredWorld(t);
    const code = specCarsCode(key, 1010, icuLocalDay(t, "UTC"), 1);
    const o = attempt(w.box, card, `F0${code}E`);
    expect(o.released).toEqual([]);
    expect(w.box.host.lights.steady).toBe(LIGHT.READY);
    expect(lastRecord(w).record.eventType).toBe(EVENT_CARS_APPLIED);
    w.box.type("2468E");
    expect(lastRecord(w).record.eventType).toBe(EVENT_OPENED);
    w.box.remove();
    const auth = w.assoc.readAuthorization(card);
    expect(auth.carsTempExpiry).toBe(utc(2026, 3, 3));
    expect(auth.carsLastSequence).toBe(1);
    expect(auth.carsMonthCount).toBe(1);
  });

  it("a server renewal carries the card's CARS counters over and clears its extension (SPEC Reader §3.2 step 10)", () => {
    const { w, card, key } = expiredWorld(T0);
    attempt(w.box, card, `F0${specCarsCode(key, 1010, icuLocalDay(T0, "UTC"), 1)}E`);
    w.box.remove();
    const before = w.assoc.readAuthorization(card);
    w.assoc.renew(card, T0 + 30 * 86400, T0);
    const after = w.assoc.readAuthorization(card);
    expect(after.expiry).toBe(T0 + 30 * 86400);
    expect(after.carsTempExpiry).toBe(0);
    expect([after.carsMonthCount, after.carsLastSequence]).toEqual([1, 1]);
    expect([after.carsMonth, after.carsLastDay, after.carsConsecutiveDays]).toEqual([before.carsMonth, before.carsLastDay, before.carsConsecutiveDays]);
  });

  for (const [what, make] of [
    ["wrong", (key: Uint8Array, day: number) => String((Number(specCarsCode(key, 1010, day, 1)) + 1) % 1e8).padStart(8, "0")],
    ["another card's", (key: Uint8Array, day: number) => specCarsCode(key, 1001, day, 1)],
    ["yesterday's", (key: Uint8Array, day: number) => specCarsCode(key, 1010, day - 1, 1)],
    ["too far ahead", (key: Uint8Array, day: number) => specCarsCode(key, 1010, day, 7)],
    ["7 digits", () => "1234567"],
  ] as const) {
    it(`${what} code: CODE+ERROR flashing, logged, card unchanged`, () => {
      const { w, card, key } = expiredWorld(T0);
      const o = attempt(w.box, card, `F0${make(key, icuLocalDay(T0, "UTC"))}E`);
      expectDenied(w, o, R.REASON_CARS_WRONG, 0, LIGHT.CODE | LIGHT.ERROR);
      w.box.remove();
      expect(w.assoc.readAuthorization(card).carsTempExpiry).toBe(0);
    });
  }

  it("a replayed code is refused", () => {
    const { w, card, key } = expiredWorld(T0);
    const code = specCarsCode(key, 1010, icuLocalDay(T0, "UTC"), 1);
    attempt(w.box, card, `F0${code}E`);
    w.box.remove();
    expectDenied(w, attempt(w.box, card, `F0${code}E`), R.REASON_CARS_WRONG, 0, LIGHT.CODE | LIGHT.ERROR);
  });

  it("monthly limit (3): the 4th code in a month is refused", () => {
    const { w, card, key } = expiredWorld(utc(2026, 3, 2, 12), { carsConsecutiveDays: 0 });
    for (let i = 1; i <= 3; i++) {
      const day = icuLocalDay(w.box.utc(), "UTC");
      attempt(w.box, card, `F0${specCarsCode(key, 1010, day, i)}E`);
      expect(lastRecord(w).record.eventType).toBe(EVENT_CARS_APPLIED);
      w.box.remove();
      w.box.host.advance(2 * 86400 * 1000);
    }
    const day = icuLocalDay(w.box.utc(), "UTC");
    expectDenied(w, attempt(w.box, card, `F0${specCarsCode(key, 1010, day, 4)}E`), R.REASON_CARS_MONTH_LIMIT, 0, LIGHT.CODE | LIGHT.ERROR);
  });

  it("consecutive-day limit (2): a code on a third day in a row is refused", () => {
    const { w, card, key } = expiredWorld(utc(2026, 3, 2, 12));
    for (let i = 1; i <= 2; i++) {
      attempt(w.box, card, `F0${specCarsCode(key, 1010, icuLocalDay(w.box.utc(), "UTC"), i)}E`);
      expect(lastRecord(w).record.eventType).toBe(EVENT_CARS_APPLIED);
      w.box.remove();
      w.box.host.advance(86400 * 1000);
    }
    const day = icuLocalDay(w.box.utc(), "UTC");
    expectDenied(w, attempt(w.box, card, `F0${specCarsCode(key, 1010, day, 3)}E`), R.REASON_CARS_CONSECUTIVE_LIMIT, 0, LIGHT.CODE | LIGHT.ERROR);
  });

  it("three wrong codes lock CARS out, even for the right code", () => {
    const { w, card, key } = expiredWorld(T0);
    w.box.insert(card);
    for (let i = 0; i < 3; i++) w.box.type("F011111111E");
    w.box.type(`F0${specCarsCode(key, 1010, icuLocalDay(T0, "UTC"), 1)}E`);
    expect(lastRecord(w).record.reason).toBe(R.REASON_CARS_LOCKED_OUT);
  });

  it("local midnight across both DST transitions (Chicago): extension ends at the next local 00:00", () => {
    for (const [y, m, d] of [[2026, 3, 8], [2026, 11, 1]] as const) {
      const t = chicago(y, m, d, 12);
      const { w, card, key } = expiredWorld(t);
      applySettings(w, settings({ version: 2, tz: CHICAGO }));
      attempt(w.box, card, `F0${specCarsCode(key, 1010, icuLocalDay(t, "America/Chicago"), 1)}E`);
      expect(lastRecord(w).record.eventType).toBe(EVENT_CARS_APPLIED);
      w.box.remove();
      expect(w.assoc.readAuthorization(card).carsTempExpiry).toBe(chicago(y, m, d + 1, 0));
    }
  });
});

describe("local time across DST (Chicago, access 08:00-09:00 local)", () => {
  for (const [label, y, m, d] of [["day after spring forward", 2026, 3, 9], ["day after fall back", 2026, 11, 2], ["spring-forward day", 2026, 3, 8], ["fall-back day", 2026, 11, 1]] as const) {
    it(`${label}: 07:59 refused, 08:30 opens, 09:01 refused`, () => {
      const w = world(chicago(y, m, d, 7, 59));
      applySettings(w, settings({ version: 2, startMinute: 8 * 60, endMinute: 9 * 60, tz: CHICAGO }));
      w.box.host.rtc.write(w.box.host.micros, chicago(y, m, d, 7, 59) - 2);
      expect(attempt(w.box, w.alice, "1234E").released).toEqual([]);
      w.box.remove();
      w.box.host.rtc.write(w.box.host.micros, chicago(y, m, d, 8, 30));
      expect(attempt(w.box, w.alice, "1234E").released).toEqual([0]);
      w.box.remove();
      w.box.host.rtc.write(w.box.host.micros, chicago(y, m, d, 9, 1));
      expect(attempt(w.box, w.alice, "1234E").released).toEqual([]);
    });
  }
});

describe("owner functions", () => {
  it("PIN FUNC 2 <MLS#> takes ownership; owner PIN FUNC 1 releases the shackle and detaches; others need the shackle code", () => {
    const w = world(T0);
    applySettings(w, settings({ version: 2, shackle: "2468" }));
    attempt(w.box, w.owner, "5678F2778899E");
    expect(lastRecord(w).record.eventType).toBe(EVENT_OWNERSHIP_TAKEN);
    expect(Buffer.from(lastRecord(w).record.payload).toString("latin1").replace(/\0+$/, "")).toBe("778899");
    w.box.remove();
    expect(w.assoc.readRecords(w.owner, C.FILE_OWNERSHIP).length).toBe(1);
    expect(attempt(w.box, w.alice, "1234F2123E").released).toEqual([]);
    expect(lastRecord(w).record.reason).toBe(R.REASON_NOT_LISTING_AGENT);
    w.box.remove();
    expect(attempt(w.box, w.alice, "1234F1E").released).toEqual([]);
    expect(lastRecord(w).record.reason).toBe(R.REASON_SHACKLE_CODE_WRONG);
    w.box.remove();
    expect(attempt(w.box, w.owner, "5678F1E").released).toEqual([1]);
    const log = w.box.auditLog().slice(-2).map((r) => r.record.eventType);
    expect(log).toEqual([EVENT_SHACKLE_RELEASED, EVENT_OWNERSHIP_RELEASED]);
    w.box.remove();
    expect(attempt(w.box, w.alice, "1234F12468E").released).toEqual([1]);
  });
});
