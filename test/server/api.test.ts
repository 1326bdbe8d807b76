import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type RunningServer } from "../../simulator/server/app.ts";
import { carsKey } from "../../simulator/server/keys.ts";
import { seedWorld, masterKeys, call, ASSOCIATION } from "./fixture.ts";
import { specCarsCode } from "../support/oracles.ts";

// 2026-03-10T15:00Z = 10:00 CDT on Tuesday 10 March 2026 (DST began 8 March).
const T0 = Date.UTC(2026, 2, 10, 15, 0, 0) / 1000;
let clock = T0;
let srv: RunningServer;
let base: string;

beforeAll(async () => {
  srv = await startServer({ db: ":memory:", port: 0, env: { now: () => clock } });
  base = srv.url;
  seedWorld(srv.store.db, { renewalDays: 7, carsPeriod: 1 });
});
afterAll(async () => srv.close());

describe("server HTTP API", () => {
  it("answers health, unknown routes and bad bodies with specific errors", async () => {
    expect((await call(base, "GET", "/api/health")).body.ok).toBe(true);
    expect(await call(base, "GET", "/api/nope")).toMatchObject({ status: 404, body: { error: "not-found" } });
    const bad = await fetch(base + "/api/cards", { method: "POST", body: "{not json" });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toBe("bad-json");
    const big = await fetch(base + "/api/cards", { method: "POST", body: "x".repeat(1_100_000) });
    expect(big.status).toBe(413);
    expect(await call(base, "POST", "/api/cards", { association: ASSOCIATION, memberKey: "M1" })).toMatchObject({ status: 400, body: { error: "bad-request" } });
    expect(await call(base, "GET", "/api/cards/XYZ")).toMatchObject({ status: 400, body: { error: "bad-request" } });
  });

  it("issues cards to active members only, and reports status", async () => {
    const issued = await call(base, "POST", "/api/cards", { association: ASSOCIATION, memberKey: "M1", pin: "1234", serial: "00bc614e" });
    expect(issued.status).toBe(200);
    expect(issued.body).toEqual({ serial: "00bc614e", expiresAt: new Date((T0 + 7 * 86400) * 1000).toISOString(), cardFile: null });
    expect(await call(base, "POST", "/api/cards", { association: ASSOCIATION, memberKey: "M3", pin: "1234" })).toMatchObject({ status: 403, body: { error: "member-inactive" } });
    expect(await call(base, "POST", "/api/cards", { association: ASSOCIATION, memberKey: "M9", pin: "1234" })).toMatchObject({ status: 404, body: { error: "unknown-member" } });
    expect(await call(base, "POST", "/api/cards", { association: ASSOCIATION, memberKey: "M1", pin: "12" })).toMatchObject({ status: 400 });
    const st = await call(base, "GET", "/api/cards/00bc614e");
    expect(st.body).toMatchObject({ serial: "00bc614e", memberKey: "M1", status: "active", daysLeft: 7, renewalPending: null });
    expect(await call(base, "GET", "/api/cards/00000001")).toMatchObject({ status: 404, body: { error: "unknown-card" } });
  });

  it("CARS: refuses early, issues the lockbox's code, repeats it the same day, enforces PIN tries and limits", async () => {
    const serial = 0x00bc614e;
    expect(await call(base, "POST", "/api/cars", { serial: "00bc614e", pin: "1234" })).toMatchObject({ status: 409, body: { error: "cars-too-early" } });
    clock = T0 + 7 * 86400 + 3600; // expired an hour ago
    const day = Math.floor((clock - 5 * 3600) / 86400);
    const key = carsKey(masterKeys(srv.store.db));
    const first = await call(base, "POST", "/api/cars", { serial: "00bc614e", pin: "1234" });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ code: specCarsCode(key, serial, day, 1), sequence: 1, localDay: day, repeated: false });
    // Valid until local midnight (05:00Z while on CDT).
    expect(first.body.validUntil).toBe(new Date((day + 1) * 86400 * 1000 + 5 * 3600 * 1000).toISOString());
    const again = await call(base, "POST", "/api/cars", { serial: "00bc614e", pin: "1234" });
    expect(again.body).toMatchObject({ code: first.body.code, sequence: 1, repeated: true });
    clock += 86400;
    const second = await call(base, "POST", "/api/cars", { serial: "00bc614e", pin: "1234" });
    expect(second.body).toMatchObject({ code: specCarsCode(key, serial, day + 1, 2), sequence: 2 });
    clock += 86400;
    expect(await call(base, "POST", "/api/cars", { serial: "00bc614e", pin: "1234" })).toMatchObject({ status: 409, body: { error: "cars-consecutive-limit" } });
    clock += 86400;
    expect((await call(base, "POST", "/api/cars", { serial: "00bc614e", pin: "1234" })).body.sequence).toBe(3);
    clock += 2 * 86400;
    expect(await call(base, "POST", "/api/cars", { serial: "00bc614e", pin: "1234" })).toMatchObject({ status: 409, body: { error: "cars-monthly-limit" } });
    for (let i = 0; i < 4; i++) expect((await call(base, "POST", "/api/cars", { serial: "00bc614e", pin: "9999" })).body.error).toBe("pin-wrong");
    expect((await call(base, "POST", "/api/cars", { serial: "00bc614e", pin: "9999" })).body.error).toBe("pin-wrong");
    expect(await call(base, "POST", "/api/cars", { serial: "00bc614e", pin: "1234" })).toMatchObject({ status: 403, body: { error: "pin-locked" } });
    expect((await call(base, "GET", "/api/cards/00bc614e")).body).toMatchObject({ carsCodesThisMonth: 3, pinFailures: 5 });
    expect((await call(base, "POST", "/api/cards/00bc614e/unlock-pin", {})).body.pinFailures).toBe(0);
    expect((await call(base, "POST", "/api/cars", { serial: "00bc614e", pin: "1234" })).body.error).toBe("cars-monthly-limit");
  });

  it("deactivation refuses CARS; reactivation is recorded and pending for the next renewal", async () => {
    await call(base, "POST", "/api/cards", { association: ASSOCIATION, memberKey: "M2", pin: "4321", serial: "00000042" });
    clock += 8 * 86400;
    const d = await call(base, "POST", "/api/cards/00000042/deactivate", {});
    expect(d.body).toMatchObject({ status: "deactivated" });
    expect(await call(base, "POST", "/api/cars", { serial: "00000042", pin: "4321" })).toMatchObject({ status: 403, body: { error: "card-deactivated" } });
    const r = await call(base, "POST", "/api/cards/00000042/reactivate", {});
    expect(r.body).toMatchObject({ status: "active", reactivationPending: true });
    expect(r.body.reactivatedAt).toBe(new Date(clock * 1000).toISOString());
    expect(await call(base, "POST", "/api/cards/00000042/reactivate", {})).toMatchObject({ status: 409, body: { error: "conflict" } });
    const lost = await call(base, "POST", "/api/cards/00000042/deactivate", { lost: true });
    expect(lost.body.status).toBe("lost");
    expect((await call(base, "POST", "/api/cars", { serial: "00000042", pin: "4321" })).body.error).toBe("card-lost");
  });

  it("registers lockboxes and stages settings as versions; refuses bad settings", async () => {
    expect((await call(base, "POST", "/api/lockboxes", { id: "0001e240", association: ASSOCIATION })).status).toBe(200);
    expect((await call(base, "GET", "/api/lockboxes/0001e240/settings")).body).toMatchObject({ version: 0, settings: { dayMask: 127, tzRule: "UTC0" } });
    const s1 = await call(base, "PUT", "/api/lockboxes/0001e240/settings", { startMinute: 480, endMinute: 1200, tzRule: "CST6CDT,M3.2.0,M11.1.0" });
    expect(s1.body).toMatchObject({ version: 1, settings: { startMinute: 480, endMinute: 1200 } });
    const s2 = await call(base, "PUT", "/api/lockboxes/0001e240/settings", { cbsRequired: true, cbsCode: "4455" });
    expect(s2.body).toMatchObject({ version: 2, settings: { startMinute: 480, cbsRequired: true, cbsCode: "4455" } });
    for (const bad of [{ startMinute: 1440 }, { tzRule: "not a rule" }, { cbsRequired: true, cbsCode: "" }, { shackleCode: "12a" }, { dayMask: 128 }]) {
      expect(await call(base, "PUT", "/api/lockboxes/0001e240/settings", bad)).toMatchObject({ status: 400, body: { error: "bad-request" } });
    }
    expect((await call(base, "GET", "/api/lockboxes/0001e240/settings")).body.version).toBe(2);
    expect(await call(base, "GET", "/api/lockboxes/0000ffff/settings")).toMatchObject({ status: 404, body: { error: "unknown-lockbox" } });
  });

  it("access log needs exactly one selector", async () => {
    expect(await call(base, "GET", "/api/access-log")).toMatchObject({ status: 400 });
    expect((await call(base, "GET", "/api/access-log?listing=L1")).body).toEqual({ by: "listing", key: "L1", events: [] });
  });
});
