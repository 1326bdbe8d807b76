// The CARS wrong-code lockout survives power (protocol/SPEC.md Lockbox §4.1, §2.3): three tries per
// lockout, 15 minutes of the box's clock; a battery swap does not clear it, and a power cut before
// any flash write of an attempt never yields more tries than that. The state is read back from flash
// by the byte layout in the spec (CRC from node:zlib), not through the firmware.
import { describe, it, expect } from "vitest";
import { crc32 } from "node:zlib";
import { world, attempt, settings, applySettings, utc, CHICAGO, type World } from "./support.ts";
import { icuLocalDay, specCarsCode } from "../support/oracles.ts";
import { SECTOR_SIZE } from "../../simulator/world/lockbox.ts";
import { LockboxServiceClient } from "../../simulator/world/service-client.ts";
import type { CardHolder } from "../../simulator/world/association.ts";
import { EVENT_DENIED, EVENT_CARS_APPLIED } from "../../protocol/card/records.ts";
import * as R from "../../protocol/service/reasons.ts";

const T0 = utc(2026, 3, 2, 15);
const TRIES = 3;
const LOCKOUT_S = 900;
const WRONG = "F011111111E";
/** Spec §2.3: 108 bytes before the CARS tries, then count (1) and lockout end (4). */
const STATE_V1 = 108;
const STATE_V2 = 113;

interface Tries { charged: number; lockedUntil: number }

/** The newest valid A/B copy of the state (spec §2.2, sectors 1 and 2), or null when none is valid. */
function stateCopy(w: World): { gen: number; payload: Uint8Array } | null {
  let best: { gen: number; payload: Uint8Array } | null = null;
  for (const sector of [1, 2]) {
    const b = Buffer.from(w.box.host.flash.bytes.subarray(sector * SECTOR_SIZE, (sector + 1) * SECTOR_SIZE));
    const len = b.readUInt16BE(4);
    if (len > STATE_V2 || crc32(b.subarray(0, 6 + len)) !== b.readUInt32BE(6 + len)) continue;
    const gen = b.readUInt32BE(0);
    if (!best || gen > best.gen) best = { gen, payload: new Uint8Array(b.subarray(6, 6 + len)) };
  }
  return best;
}

const statePayload = (w: World): Uint8Array => stateCopy(w)!.payload;
const stateGeneration = (w: World): number => stateCopy(w)?.gen ?? 0;

/** CARS tries as kept (spec §2.3); no state copy yet means none charged. */
function tries(w: World): Tries {
  const c = stateCopy(w);
  if (!c) return { charged: 0, lockedUntil: 0 };
  const p = Buffer.from(c.payload);
  expect(p.length).toBe(STATE_V2);
  return { charged: p[STATE_V1], lockedUntil: p.readUInt32BE(STATE_V1 + 1) };
}

/** A thief pulls the battery: RAM and the RTC's time are lost; the box then boots again. */
function swapBattery(w: World): void {
  w.box.host.removeCard();
  w.box.host.rtc.loseBattery(w.box.host.micros);
  w.box.host.boot();
  expect(w.box.host.running).toBe(true);
}

function expiredWorld(t = T0): World & { card: CardHolder; right: () => string } {
  const w = world(t);
  const card = w.assoc.issue("Exp", 1010, "2468", t - 3600);
  return { ...w, card, right: () => `F0${specCarsCode(w.assoc.carsKey(), 1010, icuLocalDay(w.box.utc(), "UTC"), 1)}E` };
}

const lastRecord = (w: World) => w.box.auditLog().at(-1).record;

/** One CARS entry with the card inserted and taken out again; the newest record's reason or event. */
function enter(w: World & { card: CardHolder }, keys: string): { event: number; reason: number } {
  attempt(w.box, w.card, keys);
  const r = lastRecord(w);
  w.box.remove();
  return { event: r.eventType, reason: r.reason };
}

/** One CARS entry whose ENT falls in second `t` of the box's clock (keys typed with no gaps). */
function enterAt(w: World & { card: CardHolder }, keys: string, t: number): { event: number; reason: number } {
  while (w.box.utc() < t - 1) w.box.host.advance(100);
  w.box.insert(w.card);
  while (w.box.utc() < t) w.box.host.advance(10);
  w.box.type(keys, 0);
  const r = lastRecord(w);
  expect(r.utc).toBe(t);
  w.box.remove();
  return { event: r.eventType, reason: r.reason };
}

const LOCKED = { event: EVENT_DENIED, reason: R.REASON_CARS_LOCKED_OUT };
const WRONG_CODE = { event: EVENT_DENIED, reason: R.REASON_CARS_WRONG };
const APPLIED = { event: EVENT_CARS_APPLIED, reason: 0 };

describe("the lockout is kept in flash", () => {
  it("three wrong codes, battery swap: still locked out until 15 min of box time after the third", () => {
    const w = expiredWorld();
    for (let i = 0; i < TRIES; i++) expect(enter(w, WRONG)).toEqual(WRONG_CODE);
    const third = lastRecord(w).utc;
    const t = tries(w);
    expect(t.lockedUntil - third).toBeGreaterThanOrEqual(LOCKOUT_S - 1);
    expect(t.lockedUntil - third).toBeLessThanOrEqual(LOCKOUT_S);
    swapBattery(w);
    // Untrusted clock, restarted at the newest record (Lockbox §7): the lockout still runs in full.
    expect(w.box.utc()).toBeLessThan(t.lockedUntil);
    expect(enter(w, w.right())).toEqual(LOCKED);
    w.box.host.advance((t.lockedUntil - w.box.utc() - 30) * 1000);
    expect(enter(w, w.right())).toEqual(LOCKED);
    swapBattery(w);
    expect(enter(w, w.right())).toEqual(LOCKED);
    w.box.host.advance((t.lockedUntil - w.box.utc() + 1) * 1000);
    expect(enter(w, w.right())).toEqual(APPLIED);
    expect(tries(w)).toEqual({ charged: 0, lockedUntil: 0 });
  });

  it("the lockout ends exactly 900 s after the third try's charge (trusted clock)", () => {
    const w = expiredWorld();
    enter(w, WRONG);
    enter(w, WRONG);
    const third = w.box.utc() + 2;
    expect(enterAt(w, WRONG, third)).toEqual(WRONG_CODE);
    expect(tries(w)).toEqual({ charged: 0, lockedUntil: third + LOCKOUT_S });
    expect(enterAt(w, w.right(), third + LOCKOUT_S - 1)).toEqual(LOCKED);
    expect(enterAt(w, w.right(), third + LOCKOUT_S)).toEqual(APPLIED);
  });

  it("tries are counted across power cycles: 2 wrong, swap, 1 wrong → locked out", () => {
    const w = expiredWorld();
    expect(enter(w, WRONG)).toEqual(WRONG_CODE);
    expect(enter(w, WRONG)).toEqual(WRONG_CODE);
    expect(tries(w).charged).toBe(2);
    swapBattery(w);
    expect(enter(w, WRONG)).toEqual(WRONG_CODE);
    expect(enter(w, w.right())).toEqual(LOCKED);
  });

  it("a right code gives the tries back: 2 wrong, right, 2 wrong still leave one try", () => {
    const w = expiredWorld();
    enter(w, WRONG);
    enter(w, WRONG);
    expect(enter(w, w.right())).toEqual(APPLIED);
    expect(tries(w)).toEqual({ charged: 0, lockedUntil: 0 });
    enter(w, WRONG);
    enter(w, WRONG);
    expect(tries(w).charged).toBe(2);
  });

  it("the third try may still be the right code (the lockout its charge started is lifted)", () => {
    const w = expiredWorld();
    enter(w, WRONG);
    enter(w, WRONG);
    expect(enter(w, w.right())).toEqual(APPLIED);
    expect(tries(w)).toEqual({ charged: 0, lockedUntil: 0 });
  });

  it("bounded flash writes: one state write per wrong code, two for a right one, none while locked out", () => {
    const w = expiredWorld();
    const stateWrites = (keys: string): number => {
      const gen = stateGeneration(w);
      enter(w, keys);
      return stateGeneration(w) - gen;
    };
    expect(stateWrites(WRONG)).toBe(1);
    expect(stateWrites(w.right())).toBe(2);
    for (let i = 0; i < TRIES; i++) expect(stateWrites(WRONG)).toBe(1);
    expect(stateWrites(w.right())).toBe(0);
    expect(lastRecord(w).reason).toBe(R.REASON_CARS_LOCKED_OUT);
  });
});

describe("the lockout and the clock", () => {
  it("a clock set back over the service port shortens a lockout to at most 15 min from the new time", async () => {
    const w = expiredWorld();
    for (let i = 0; i < TRIES; i++) enter(w, WRONG);
    const svc = new LockboxServiceClient(w.box.serviceLink(), w.box.scbk);
    await svc.cp.establishSecureChannel();
    await svc.setTime(w.box.utc() - 86400);
    svc.cp.close();
    expect(enter(w, w.right())).toEqual(LOCKED);
    const t = tries(w);
    expect(t.lockedUntil - w.box.utc()).toBeLessThanOrEqual(LOCKOUT_S);
    w.box.host.advance((t.lockedUntil - w.box.utc() + 1) * 1000);
    expect(enter(w, w.right())).toEqual(APPLIED);
  });

  it("a clock set forward by an authenticated source ends the lockout at the new time", async () => {
    const w = expiredWorld();
    for (let i = 0; i < TRIES; i++) enter(w, WRONG);
    const svc = new LockboxServiceClient(w.box.serviceLink(), w.box.scbk);
    await svc.cp.establishSecureChannel();
    await svc.setTime(tries(w).lockedUntil + 1);
    svc.cp.close();
    expect(enter(w, w.right())).toEqual(APPLIED);
  });
});

describe("layout upgrade", () => {
  it("a 108-byte state (written before the tries were kept) keeps its settings and starts with no tries charged", () => {
    const w = expiredWorld();
    applySettings(w, settings({ version: 5, startMinute: 60, endMinute: 1380, tz: CHICAGO }));
    enter(w, WRONG);
    const p = statePayload(w).subarray(0, STATE_V1);
    expect(new DataView(p.buffer, p.byteOffset).getUint32(5)).toBe(5);
    // Rewrite both copies as the older firmware would have: generation 7, 108-byte payload.
    const copy = Buffer.alloc(6 + STATE_V1 + 4);
    copy.writeUInt32BE(7, 0);
    copy.writeUInt16BE(STATE_V1, 4);
    Buffer.from(p).copy(copy, 6);
    copy.writeUInt32BE(crc32(copy.subarray(0, 6 + STATE_V1)), 6 + STATE_V1);
    const flash = w.box.host.flash.bytes;
    flash.fill(0xff, SECTOR_SIZE, 3 * SECTOR_SIZE);
    flash.set(copy, SECTOR_SIZE);
    swapBattery(w);
    enter(w, WRONG);
    expect(Buffer.from(statePayload(w).subarray(0, STATE_V1)).equals(Buffer.from(p))).toBe(true);
    expect(tries(w).charged).toBe(1);
  });
});

/**
 * Power cut before every flash write of an attempt. A try is "told" when the box could show the thief
 * whether the code was right before power failed: a denial (lights, buzzer, record), or, for the right
 * code cut at the same write, the card taking the extension (APPLY CARS went out on the card line).
 * Spec §4.1: every told try is charged in flash before the cut, so told tries never exceed 3 per lockout.
 */
describe("power cut before every flash write of a CARS attempt", () => {
  /** Writes of one wrong-code attempt (state charge + journal record), measured. */
  const writesOfWrong = (() => {
    const w = expiredWorld();
    const n = w.box.host.flash.writes;
    enter(w, WRONG);
    return w.box.host.flash.writes - n;
  })();

  /**
   * One attempt with power cut before its k-th flash write, then a battery swap. `denied`: a new
   * wrong-code record (the box logs a denial before showing it); `applied`: the card took the extension.
   */
  function cutAttempt(w: World & { card: CardHolder }, keys: string, k: number): { denied: boolean; applied: boolean } {
    const log = w.box.auditLog();
    const newest = log.length > 0 ? log[log.length - 1].record.sequence : 0;
    w.box.insert(w.card);
    w.box.host.flash.cutPowerBeforeWrite(k);
    w.box.type(keys);
    w.box.host.flash.disarm();
    const cut = !w.box.host.running;
    if (cut) swapBattery(w);
    else w.box.remove();
    const fresh = w.box.auditLog().filter((r) => r.record.sequence > newest && r.record.eventType === EVENT_DENIED);
    return { denied: fresh.some((r) => r.record.reason === R.REASON_CARS_WRONG), applied: w.assoc.readAuthorization(w.card).carsTempExpiry !== 0 };
  }

  it("a wrong attempt makes a bounded number of flash writes (state charge, then the record)", () => {
    expect(writesOfWrong).toBeGreaterThanOrEqual(3);
    expect(writesOfWrong).toBeLessThanOrEqual(4);
  });

  for (let k = 1; k <= 5; k++) {
    it(`cut before write ${k}: a told try is already charged; an untold one is not`, () => {
      // The same cut with the right code shows whether the box had evaluated the code by then.
      const right = expiredWorld();
      const evaluated = cutAttempt(right, right.right(), k).applied;
      const w = expiredWorld();
      const r = cutAttempt(w, WRONG, k);
      const told = evaluated || r.denied;
      expect(tries(w).charged, `cut ${k}`).toBe(told ? 1 : 0);
      enter(w, WRONG);
      enter(w, WRONG);
      expect(enter(w, w.right())).toEqual(told ? LOCKED : APPLIED);
    });
  }

  it("a thief cutting power at every write in turn, with battery swaps, sees at most 3 wrong codes, then is locked out", () => {
    const w = expiredWorld();
    let denied = 0;
    for (let round = 0; round < 4 * (writesOfWrong + 1); round++) {
      if (cutAttempt(w, WRONG, 1 + (round % (writesOfWrong + 1))).denied) denied++;
    }
    expect(denied).toBeGreaterThan(0);
    expect(denied).toBeLessThanOrEqual(TRIES);
    expect(enter(w, w.right())).toEqual(LOCKED);
    swapBattery(w);
    expect(enter(w, w.right())).toEqual(LOCKED);
  });
});
