// The simulator host's peripherals (NOR flash semantics and fault hook, RTC drift and battery loss)
// and the lockbox clock rules on top of them: after a battery swap the clock never goes back past
// the newest logged record and is untrusted until a renewed card's authenticated server time
// corrects it; every correction is logged.
import { describe, it, expect } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Flash, PowerCut } from "../../simulator/host/flash.ts";
import { SimLockbox } from "../../simulator/world/lockbox.ts";
import { Rtc, RTC_RESET_UTC } from "../../simulator/host/rtc.ts";
import { world, attempt, utc, settings } from "../lockbox/support.ts";
import { LockboxServiceClient } from "../../simulator/world/service-client.ts";
import { EVENT_OPENED } from "../../protocol/card/records.ts";

describe("NOR flash", () => {
  it("program only clears bits, stays in a page; erase sets FF; out of range is -1", () => {
    const f = new Flash(8192, 4096);
    expect(f.program(10, Uint8Array.of(0xf0, 0x0f))).toBe(0);
    expect(f.program(10, Uint8Array.of(0x3c, 0xff))).toBe(0);
    expect(Array.from(f.read(10, 2)!)).toEqual([0x30, 0x0f]);
    expect(f.program(250, new Uint8Array(10))).toBe(-1);
    expect(f.program(8190, new Uint8Array(4))).toBe(-1);
    expect(f.erase(2)).toBe(-1);
    expect(f.erase(0)).toBe(0);
    expect(f.read(10, 2)).toEqual(Uint8Array.of(0xff, 0xff));
    expect(f.read(8190, 4)).toBeNull();
  });

  it("a file-backed flash keeps its contents across host restarts (a lockbox survives the simulator)", () => {
    const dir = mkdtempSync(join(tmpdir(), "lbx-flash-"));
    try {
      const path = join(dir, "box.flash");
      const w = world(utc(2026, 3, 2, 15), { flashPath: path });
      attempt(w.box, w.alice, "1234E");
      w.box.remove();
      const again = new SimLockbox(w.assoc, { lockboxId: 5001, utc: utc(2026, 3, 2, 16), flashPath: path });
      expect(again.auditLog().map((r) => r.record.sequence)).toEqual([1]);
      expect(again.auditLog()[0].macValid).toBe(true);
      expect(new Flash(again.host.flash.bytes.length, 4096, path).bytes).toEqual(again.host.flash.bytes);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it("the fault hook cuts power before the k-th write, which then does not happen", () => {
    const f = new Flash(4096, 4096);
    f.cutPowerBeforeWrite(2);
    expect(f.program(0, Uint8Array.of(1))).toBe(0);
    expect(() => f.program(1, Uint8Array.of(2))).toThrow(PowerCut);
    expect(f.read(0, 2)).toEqual(Uint8Array.of(1, 0xff));
    expect(f.program(1, Uint8Array.of(2))).toBe(0);
  });
});

describe("RTC", () => {
  it("drifts by its ppm and loses its time on a battery swap", () => {
    const r = new Rtc(1_000_000, 100);
    expect(r.read(86_400e6)).toBe(1_000_000 + 86_400 + 8);
    r.loseBattery(86_400e6);
    expect(r.valid).toBe(false);
    expect(r.read(86_400e6)).toBe(RTC_RESET_UTC);
    r.write(86_400e6, 2_000_000);
    expect(r.valid).toBe(true);
  });
});

describe("lockbox clock", () => {
  const T0 = utc(2026, 3, 2, 15);

  it("battery swap: untrusted, never behind the last record; a renewed card's server time corrects it (logged)", async () => {
    const w = world(T0);
    attempt(w.box, w.alice, "1234E");
    w.box.remove();
    const lastLogged = w.box.auditLog().at(-1).record.utc;
    w.box.host.advance(3600_000);
    w.box.host.rtc.loseBattery(w.box.host.micros);
    w.box.host.boot();
    const svc = new LockboxServiceClient(w.box.serviceLink());
    let st = await svc.status();
    expect(st.clockTrusted).toBe(false);
    expect(st.utc).toBeGreaterThanOrEqual(lastLogged);
    expect(st.utc).toBeLessThan(lastLogged + 60);
    // An access now is stamped no earlier than the last record.
    attempt(w.box, w.alice, "1234E");
    w.box.remove();
    expect(w.box.auditLog().at(-1).record.utc).toBeGreaterThanOrEqual(lastLogged);
    // Alice renews at a reader: the server writes its time; her next visit sets the clock.
    const serverTime = T0 + 2 * 3600;
    w.assoc.renew(w.alice, T0 + 60 * 86400, serverTime);
    attempt(w.box, w.alice, "1234E");
    w.box.remove();
    st = await svc.status();
    expect(st.clockTrusted).toBe(true);
    expect(st.utc).toBeGreaterThanOrEqual(serverTime);
    const log = w.box.auditLog();
    const set = log.find((r) => r.record.eventType === 0x30)!;
    expect(set.macValid).toBe(true);
    expect(new DataView(set.record.payload.buffer).getUint32(4)).toBe(serverTime);
    expect(log.at(-1).record.eventType).toBe(EVENT_OPENED);
    svc.cp.close();
  });

  it("a trusted clock is not moved back by an older server time, and is stepped forward only beyond 5 minutes", () => {
    const w = world(T0, { driftPpm: -100 });
    w.box.host.advance(30 * 86400_000); // the RTC loses ~259 s over 30 days
    const rtcNow = w.box.utc();
    w.assoc.renew(w.alice, T0 + 90 * 86400, rtcNow - 600);
    attempt(w.box, w.alice, "1234E");
    w.box.remove();
    expect(w.box.auditLog().some((r) => r.record.eventType === 0x30)).toBe(false);
    expect(w.box.utc()).toBeGreaterThanOrEqual(rtcNow);
    w.assoc.renew(w.alice, T0 + 90 * 86400, w.box.utc() + 200);
    attempt(w.box, w.alice, "1234E");
    w.box.remove();
    expect(w.box.auditLog().some((r) => r.record.eventType === 0x30)).toBe(false);
    const ahead = w.box.utc() + 900;
    w.assoc.renew(w.alice, T0 + 90 * 86400, ahead);
    attempt(w.box, w.alice, "1234E");
    w.box.remove();
    const set = w.box.auditLog().filter((r) => r.record.eventType === 0x30);
    expect(set.length).toBe(1);
    expect(w.box.utc()).toBeGreaterThanOrEqual(ahead);
  });

  it("untrusted input never traps the firmware: random key and card events", () => {
    const w = world(T0);
    let seed = 7;
    const next = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 16;
    for (let i = 0; i < 3000; i++) {
      const r = next() % 20;
      if (r === 0) w.box.insert(next() % 2 ? w.alice : w.owner);
      else if (r === 1) w.box.host.removeCard();
      else if (r === 2) w.box.host.advance(next() % 40_000);
      else w.box.host.pressKey(next() % 16 - 1);
    }
    expect(w.box.host.running).toBe(true);
    for (const r of w.box.auditLog()) expect(r.macValid).toBe(true);
  });
});

describe("no allocation after init", () => {
  it("every feature, repeated: the firmware's memory high-water mark does not move", async () => {
    const T0 = utc(2026, 3, 2, 15);
    const w = world(T0);
    const exp = w.assoc.issue("Exp", 1010, "2468", T0 - 60);
    const svc = new LockboxServiceClient(w.box.serviceLink(), w.box.scbk);
    await svc.cp.establishSecureChannel();
    let version = 2;
    const round = async (): Promise<void> => {
      attempt(w.box, w.alice, "1234E");
      w.box.remove();
      attempt(w.box, w.alice, "9999E1234E");
      w.box.remove();
      w.assoc.stageSettings(w.owner, settings({ version: version++, shackle: "2468", tz: "CST6CDT,M3.2.0,M11.1.0" }));
      w.assoc.pushDenylist(w.owner, version, [[1777, T0 + 86400 * 400]]);
      attempt(w.box, w.owner, "5678F2123E");
      w.box.remove();
      attempt(w.box, w.owner, "5678F1E");
      w.box.remove();
      const auth = w.assoc.readAuthorization(exp);
      const day = Math.floor((w.box.utc() - 6 * 3600) / 86400);
      attempt(w.box, exp, `F0${w.assoc.carsCode(1010, day, auth.carsLastSequence + 1)}E2468E`);
      w.box.remove();
      attempt(w.box, exp, "F011111111E");
      w.box.remove();
      await svc.status();
      await svc.readAllLog(1);
      await svc.settings();
      await svc.setTime(w.box.utc() + 60);
      w.box.host.advance(86400_000);
    };
    await round();
    const mark = w.box.host.memoryHighWater();
    for (let i = 0; i < 15; i++) await round();
    expect(w.box.host.memoryHighWater()).toBe(mark);
    expect(w.box.host.running).toBe(true);
    svc.cp.close();
  });
});

describe("real-time mode", () => {
  it("simulated time follows the wall clock", async () => {
    const { runInRealTime } = await import("../../simulator/host/realtime.ts");
    const w = world(utc(2026, 3, 2, 15));
    const start = w.box.host.micros;
    const stop = runInRealTime([w.box.host], 10);
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, 300));
    stop();
    const wall = (performance.now() - t0) * 1000;
    const simulated = w.box.host.micros - start;
    expect(simulated).toBeGreaterThan(wall * 0.3);
    expect(simulated).toBeLessThanOrEqual(wall * 1.1);
  });
});
