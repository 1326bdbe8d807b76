import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Card } from "../../simulator/card/card.ts";
import { startServer, type RunningServer } from "../../simulator/server/app.ts";
import { renewOverHttp, RenewRefused } from "../../simulator/server/renew-client.ts";
import { registerLockbox } from "../../simulator/server/admin.ts";
import { EVENT_OPENED } from "../../protocol/card/records.ts";
import { seedWorld, call } from "./fixture.ts";
import { newCard, direct, lockboxWrites, nextChallenge } from "./cards.ts";

const T0 = Date.UTC(2026, 2, 10, 15, 0, 0) / 1000;
const A = 0x00bc614e;
let srv: RunningServer;

beforeAll(async () => {
  // The default idle limit (30 s): a loaded machine may pause a renewal for more than a few hundred ms.
  srv = await startServer({ db: ":memory:", port: 0, env: { now: () => T0 + 3600, randomBytes: nextChallenge } });
  seedWorld(srv.store.db);
});
afterAll(async () => srv.close());

describe("renewal over the HTTP API (the host only relays)", () => {
  it("renews, and the showing appears in the listing's, lockbox's and agent's access log", async () => {
    const db = srv.store.db;
    const card = newCard(db, "M1", A, T0);
    registerLockbox(db, "0001e240", "assoc-1", T0);
    db.prepare("UPDATE lockboxes SET listing_id = (SELECT id FROM listings WHERE listing_id = 'L1') WHERE id = '0001e240'").run();
    await lockboxWrites(db, card, A, [{ file: 1, lockboxId: 0x1e240, sequence: 1, utc: T0 + 60, eventType: EVENT_OPENED, cardSerial: A }]);
    const steps: number[] = [];
    const phases = new Set<string>();
    const out = await renewOverHttp(srv.url, direct(card), (s, _a, p) => {
      steps.push(s);
      if (p) phases.add(`${p.phase} ${p.done}/${p.total}`);
    });
    expect([...phases]).toEqual(expect.arrayContaining(["upload 0/1", "store 1/1"]));
    expect(out).toMatchObject({ serial: "00bc614e", recordsUploaded: 1, recordsNew: 1, kind: "renewal" });
    expect(steps).toEqual(steps.map((_, i) => i + 1));
    const expected = { at: new Date((T0 + 60) * 1000).toISOString(), lockbox: "0001e240", sequence: 1, event: "opened", card: "00bc614e", agent: "M1", listing: "L1", carriedBy: "00bc614e" };
    for (const q of ["listing=L1", "lockbox=0001e240", "agent=M1"]) {
      expect((await call(srv.url, "GET", `/api/access-log?${q}`)).body.events).toEqual([{ ...expected, reason: 0 }]);
    }
    expect((await call(srv.url, "GET", "/api/cards/00bc614e")).body.lastRenewedAt).toBe(new Date((T0 + 3600) * 1000).toISOString());
  });

  it("refusals reach the host as API errors; unknown and expired sessions are refused", async () => {
    const card = newCard(srv.store.db, "M2", 0x42, T0);
    srv.store.db.prepare("UPDATE cards SET status = 'deactivated' WHERE serial = '00000042'").run();
    await expect(renewOverHttp(srv.url, direct(card))).rejects.toMatchObject({ code: "card-deactivated", status: 403 });
    await expect(renewOverHttp(srv.url, async () => { throw new RenewRefused("x", "y", 0); })).rejects.toBeInstanceOf(RenewRefused);
    expect(await call(srv.url, "POST", "/api/renewals/abc", { response: "9000" })).toMatchObject({ status: 404, body: { error: "unknown-session" } });
    const quick = await startServer({ db: ":memory:", port: 0, env: { now: () => T0 + 3600, randomBytes: nextChallenge }, sessionIdleMs: 300 });
    try {
      const first = await call(quick.url, "POST", "/api/renewals", {});
      expect(first.body.apdu).toMatch(/^00a40400/);
      await new Promise((r) => setTimeout(r, 400));
      expect(await call(quick.url, "POST", `/api/renewals/${first.body.session}`, { response: "9000" })).toMatchObject({ status: 404, body: { error: "unknown-session" } });
      expect((await call(quick.url, "GET", "/api/health")).body.renewalsInProgress).toBe(0);
    } finally {
      await quick.close();
    }
  });
});

describe("card issuance writes a card file the renewal accepts", () => {
  it("issues, personalizes, and the issued card renews", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lockbox-cards-"));
    const s = await startServer({ db: ":memory:", port: 0, env: { now: () => T0, randomBytes: nextChallenge }, cardsDir: dir });
    try {
      seedWorld(s.store.db);
      const issued = await call(s.url, "POST", "/api/cards", { association: "assoc-1", memberKey: "M1", pin: "1357" });
      expect(issued.body.cardFile).toBe(join(dir, `${issued.body.serial}.card`));
      const card = Card.load(issued.body.cardFile);
      card.powerOn();
      const out = await renewOverHttp(s.url, direct(card));
      expect(out).toMatchObject({ serial: issued.body.serial, recordsUploaded: 0, kind: "renewal" });
    } finally {
      await s.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("server restarted in the middle of a renewal", () => {
  it("the host's session is gone (unknown-session); running the renewal again stores everything once", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lockbox-restart-"));
    const db = join(dir, "restart.db");
    const env = { now: () => T0 + 3600, randomBytes: nextChallenge };
    let s = await startServer({ db, port: 0, env });
    try {
      seedWorld(s.store.db);
      const card = newCard(s.store.db, "M1", 0x77, T0);
      const recs = Array.from({ length: 12 }, (_, i) => ({ file: 1, lockboxId: 0x1e240, sequence: i + 1, utc: T0 + i, eventType: EVENT_OPENED, cardSerial: 0x77 }));
      await lockboxWrites(s.store.db, card, 0x77, recs);
      let relayed = 0;
      const port = s.port;
      const restarting = async (a: Uint8Array) => {
        if (++relayed === 9) {
          await s.close();
          s = await startServer({ db, port, env });
        }
        return card.transmitApdu(a);
      };
      await expect(renewOverHttp(s.url, restarting)).rejects.toMatchObject({ code: "unknown-session" });
      card.powerOn();
      expect(await renewOverHttp(s.url, direct(card))).toMatchObject({ recordsUploaded: 12, recordsNew: 12 });
      expect(s.store.db.prepare("SELECT COUNT(*) AS n FROM access_events").get()).toEqual({ n: 12 });
    } finally {
      await s.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
