/**
 * Limits and errors of the server (issue 12 item 6): every bad request a client can make is a 4xx
 * with a specific code, never a 500; renewal sessions are capped per client address and in total;
 * PIN verifier work (scrypt) is bounded. Written against the HTTP interface, so they hold for any
 * HTTP framework the server runs on.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { request } from "node:http";
import { startServer, type RunningServer } from "../../simulator/server/app.ts";
import { PinKdf, pinVerifier } from "../../simulator/server/pin-kdf.ts";
import { seedWorld, call, ASSOCIATION, ASSOCIATION_CARD_ID } from "./fixture.ts";

const T0 = Date.UTC(2026, 2, 10, 15, 0, 0) / 1000;

/** One raw request with a request target exactly as given, from `localAddress` when set. */
// The tests read whichever fields of the reply they check (as test/server/fixture.ts call does).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function raw(port: number, method: string, path: string, opts: { body?: unknown; localAddress?: string } = {}): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const text = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const req = request({ host: "127.0.0.1", port, method, path, localAddress: opts.localAddress, headers: text ? { "content-type": "application/json" } : {} }, (res) => {
      let got = "";
      res.on("data", (d) => (got += d));
      res.on("end", () => resolve({ status: res.statusCode!, body: JSON.parse(got) }));
    });
    req.on("error", reject);
    req.end(text);
  });
}

describe("bad requests are 4xx with a specific code, never 500", () => {
  let srv: RunningServer;
  beforeAll(async () => {
    srv = await startServer({ db: ":memory:", port: 0, env: { now: () => T0 } });
    seedWorld(srv.store.db);
    srv.store.db.prepare("INSERT INTO associations (id, name, created_at) VALUES ('other', 'Other Board', '2026-01-01T00:00:00Z')").run();
  });
  afterAll(async () => srv.close());

  it("a path whose percent-encoding is malformed is bad-request", async () => {
    for (const path of ["/api/cards/%zz", "/api/%E0%A4%A", "/api/cards/%", "/api/lockboxes/%ff%fe/settings"]) {
      expect(await raw(srv.port, "GET", path), path).toMatchObject({ status: 400, body: { error: "bad-request" } });
    }
  });

  it("a request target that is not a path (a broken absolute form, the asterisk form) is refused with a 4xx code", async () => {
    for (const [method, target] of [["GET", "http://[::1"], ["OPTIONS", "*"]]) {
      const r = await raw(srv.port, method, target);
      expect(r.status, target).toBeGreaterThanOrEqual(400);
      expect(r.status, target).toBeLessThan(500);
      expect(typeof r.body.error).toBe("string");
    }
  });

  it("a lockbox for an unknown association is unknown-association (not a foreign-key failure)", async () => {
    expect(await call(srv.url, "POST", "/api/lockboxes", { id: "00000010", association: "no-such-board" }))
      .toMatchObject({ status: 404, body: { error: "unknown-association" } });
    expect(srv.store.db.prepare("SELECT COUNT(*) AS n FROM lockboxes").get()).toEqual({ n: 0 });
  });

  it("a card id already given to another association is a conflict (not a unique-index failure)", async () => {
    expect(await call(srv.url, "POST", "/api/associations/other/provision", { cardId: ASSOCIATION_CARD_ID }))
      .toMatchObject({ status: 409, body: { error: "conflict" } });
    expect(srv.store.db.prepare("SELECT card_id FROM associations WHERE id = 'other'").get()).toEqual({ card_id: null });
  });

  it("a card serial already issued is a conflict; serial 00000000 is refused, not replaced by a random one", async () => {
    expect((await call(srv.url, "POST", "/api/cards", { association: ASSOCIATION, memberKey: "M1", pin: "1234", serial: "0000abcd" })).status).toBe(200);
    expect(await call(srv.url, "POST", "/api/cards", { association: ASSOCIATION, memberKey: "M2", pin: "1234", serial: "0000abcd" }))
      .toMatchObject({ status: 409, body: { error: "conflict" } });
    const zero = await call(srv.url, "POST", "/api/cards", { association: ASSOCIATION, memberKey: "M2", pin: "1234", serial: "00000000" });
    expect(zero).toMatchObject({ status: 400, body: { error: "bad-request" } });
    expect(zero.body.message).toContain("00000000");
    expect(srv.store.db.prepare("SELECT serial FROM cards ORDER BY serial").all()).toEqual([{ serial: "0000abcd" }]);
  });
});

describe("renewal sessions are capped per client address and in total", () => {
  it("a fifth session from one address is too-many-sessions (429) while another address still gets one", async () => {
    const srv = await startServer({ db: ":memory:", port: 0, renewalLimits: { perSource: 4, total: 10 } });
    try {
      for (let i = 0; i < 4; i++) expect((await raw(srv.port, "POST", "/api/renewals")).status).toBe(200);
      const refused = await raw(srv.port, "POST", "/api/renewals");
      expect(refused).toMatchObject({ status: 429, body: { error: "too-many-sessions" } });
      expect(refused.body.message).toContain("127.0.0.1");
      expect((await raw(srv.port, "POST", "/api/renewals", { localAddress: "127.0.0.2" })).status).toBe(200);
      expect((await call(srv.url, "GET", "/api/health")).body.renewalsInProgress).toBe(5);
    } finally {
      await srv.close();
    }
  });

  it("past the total the server is busy (503), and an abandoned session's slot comes back when it expires", async () => {
    const srv = await startServer({ db: ":memory:", port: 0, sessionIdleMs: 300, renewalLimits: { perSource: 10, total: 3 } });
    try {
      for (let i = 0; i < 3; i++) expect((await raw(srv.port, "POST", "/api/renewals", { localAddress: `127.0.0.${10 + i}` })).status).toBe(200);
      expect(await raw(srv.port, "POST", "/api/renewals", { localAddress: "127.0.0.20" })).toMatchObject({ status: 503, body: { error: "server-busy" } });
      // The three hosts never answer: their sessions expire after 300 ms idle and free their slots.
      let status = 0;
      for (let wait = 0; wait < 200 && status !== 200; wait++) {
        await new Promise((r) => setTimeout(r, 50));
        status = (await raw(srv.port, "POST", "/api/renewals", { localAddress: "127.0.0.20" })).status;
      }
      expect(status).toBe(200);
    } finally {
      await srv.close();
    }
  });
});

describe("PIN verifier work (scrypt) is bounded", () => {
  it("PinKdf runs `concurrency` derivations, queues `queue` more and refuses the rest at once as server-busy", async () => {
    const kdf = new PinKdf({ concurrency: 2, queue: 3 });
    const salt = new Uint8Array(16).fill(7);
    const calls = Array.from({ length: 8 }, (_, i) => kdf.verifier(`12${i}4`, salt).then((v) => ({ ok: v }), (e: { code?: string }) => ({ refused: e.code })));
    expect(kdf.load).toBe(5);
    const results = await Promise.all(calls);
    expect(results.slice(5)).toEqual([{ refused: "server-busy" }, { refused: "server-busy" }, { refused: "server-busy" }]);
    // The ones that ran give node:crypto's scryptSync answer (RFC 7914, N = 2^14, r = 8, p = 1).
    for (let i = 0; i < 5; i++) expect(results[i]).toEqual({ ok: pinVerifier(`12${i}4`, salt) });
    expect(kdf.load).toBe(0);
  });

  it("a CARS request that finds the PIN work saturated is server-busy (503) and costs no PIN try", async () => {
    const srv = await startServer({ db: ":memory:", port: 0, env: { now: () => T0 }, pinKdfLimits: { concurrency: 0, queue: 0 } });
    try {
      seedWorld(srv.store.db);
      srv.store.db.prepare("INSERT INTO cards (serial, association_id, member_id, status, expires_at, issued_at, pin_salt, pin_verifier) VALUES ('00bc614e', ?, 1, 'active', '2026-03-01T00:00:00Z', '2026-01-01T00:00:00Z', ?, ?)")
        .run(ASSOCIATION, new Uint8Array(16), pinVerifier("1234", new Uint8Array(16)));
      expect(await call(srv.url, "POST", "/api/cars", { serial: "00bc614e", pin: "9999" })).toMatchObject({ status: 503, body: { error: "server-busy" } });
      expect(await call(srv.url, "POST", "/api/cards", { association: ASSOCIATION, memberKey: "M2", pin: "1234" })).toMatchObject({ status: 503, body: { error: "server-busy" } });
      expect((await call(srv.url, "GET", "/api/cards/00bc614e")).body.pinFailures).toBe(0);
    } finally {
      await srv.close();
    }
  });

  it("concurrent wrong PINs are charged before the work: 20 at once give exactly 5 pin-wrong, then pin-locked", async () => {
    const srv = await startServer({ db: ":memory:", port: 0, env: { now: () => T0 }, pinKdfLimits: { concurrency: 2, queue: 32 } });
    try {
      seedWorld(srv.store.db);
      srv.store.db.prepare("INSERT INTO cards (serial, association_id, member_id, status, expires_at, issued_at, pin_salt, pin_verifier) VALUES ('00bc614e', ?, 1, 'active', '2026-03-01T00:00:00Z', '2026-01-01T00:00:00Z', ?, ?)")
        .run(ASSOCIATION, new Uint8Array(16), pinVerifier("1234", new Uint8Array(16)));
      const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => call(srv.url, "POST", "/api/cars", { serial: "00bc614e", pin: String(5000 + i) })));
      const codes = answers.map((a) => a.body.error).sort();
      expect(codes.filter((c) => c === "pin-wrong")).toHaveLength(5);
      expect(codes.filter((c) => c === "pin-locked")).toHaveLength(15);
      expect((await call(srv.url, "GET", "/api/cards/00bc614e")).body.pinFailures).toBe(5);
    } finally {
      await srv.close();
    }
  });
});
