import { beforeAll, afterAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import type { Database } from "better-sqlite3";
import { openStore } from "../../simulator/server/db/store.ts";
import { runRenewal } from "../../simulator/server/renewal.ts";
import { ServerError } from "../../simulator/server/errors.ts";
import { decodeStoredRecord } from "../../simulator/server/records.ts";
import { startServer, type RunningServer } from "../../simulator/server/app.ts";
import type { Transmit } from "../../simulator/server/card-channel.ts";
import type { Card } from "../../simulator/card/card.ts";
import { EVENT_OPENED } from "../../protocol/card/records.ts";
import { Rng } from "../support/rng.ts";
import { seedWorld, ASSOCIATION } from "./fixture.ts";
import { newCard, lockboxWrites, nextChallenge, direct } from "./cards.ts";

const T0 = Date.UTC(2026, 2, 10, 15, 0, 0) / 1000;
const A = 0x00bc614e;

describe("untrusted bytes never crash the server", () => {
  let db: Database;
  let card: Card;
  let apdus = 0;
  beforeAll(async () => {
    db = (await openStore(":memory:")).db;
    seedWorld(db);
    card = newCard(db, "M1", A, T0);
    await lockboxWrites(db, card, A, Array.from({ length: 7 }, (_, i) => ({ file: 1, lockboxId: 0x10, sequence: i + 1, utc: T0 + i, eventType: EVENT_OPENED, cardSerial: A })));
    // How many APDUs come before the receipt: measured with a run stopped there, then undone.
    const counting: Transmit = async (a) => {
      apdus++;
      if (a[1] === 0x4a) throw new Error("stop before the receipt");
      return card.transmitApdu(a);
    };
    await expect(runRenewal(db, { now: () => T0, randomBytes: nextChallenge }, counting)).rejects.toThrow("stop before the receipt");
    expect(apdus).toBeGreaterThan(2);
    db.prepare("UPDATE cards SET pending_renewal_id = NULL, pending_expires_at = NULL, pending_issue_counter = NULL").run();
    db.prepare("DELETE FROM renewals").run();
    db.prepare("DELETE FROM access_events").run();
    db.prepare("DELETE FROM uploads").run();
  });

  it("a renewal whose card answers are mutated at a random step ends with a ServerError (or completes), never anything else", async () => {
    const rng = new Rng(0xc0ffee);
    let refused = 0;
    for (let run = 0; run < 150; run++) {
      const at = rng.int(1, apdus + 4);
      let n = 0;
      const mutating: Transmit = async (a) => {
        const r = card.transmitApdu(a);
        return ++n === at ? rng.mutate(r) : r;
      };
      card.powerOn();
      try {
        await runRenewal(db, { now: () => T0, randomBytes: nextChallenge }, mutating);
      } catch (err) {
        expect(err).toBeInstanceOf(ServerError);
        refused++;
      }
      const rows = db.prepare("SELECT lockbox_seq, COUNT(*) AS c FROM access_events GROUP BY lockbox_seq").all() as { lockbox_seq: number; c: number }[];
      expect(rows.every((r) => r.lockbox_seq >= 1 && r.lockbox_seq <= 7 && r.c === 1)).toBe(true);
    }
    expect(refused).toBeGreaterThan(0);
    card.powerOn();
    const out = await runRenewal(db, { now: () => T0, randomBytes: nextChallenge }, direct(card));
    expect((db.prepare("SELECT COUNT(*) AS n FROM access_events").get() as { n: number }).n).toBe(7);
    expect(out.recordsUploaded).toBe(0);
  });

  it("decodeStoredRecord takes any bytes: a record or upload-malformed", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 60 }), (bytes) => {
        try {
          const r = decodeStoredRecord(1, bytes, 0);
          expect(bytes.length).toBeGreaterThanOrEqual(42);
          expect(r.raw.length).toBe(38);
        } catch (err) {
          expect(err).toBeInstanceOf(ServerError);
          expect((err as ServerError).code).toBe("upload-malformed");
        }
      }),
      { seed: 42, numRuns: 20000 },
    );
  });
});

describe("the HTTP API never answers 500 to a malformed request", () => {
  let srv: RunningServer;
  beforeAll(async () => {
    srv = await startServer({ db: ":memory:", port: 0, env: { now: () => T0 } });
    seedWorld(srv.store.db);
  });
  afterAll(async () => srv.close());

  it("random JSON bodies and paths", async () => {
    const routes: [string, string][] = [
      ["POST", "/api/cards"], ["POST", "/api/cars"], ["POST", "/api/lockboxes"], ["PUT", "/api/lockboxes/00000010/settings"],
      ["POST", "/api/renewals/abc"], ["POST", `/api/associations/${ASSOCIATION}/provision`], ["POST", "/api/cards/00bc614e/deactivate"],
    ];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), fc.jsonValue(), async ([method, path], body) => {
        const res = await fetch(srv.url + path, { method, body: JSON.stringify(body) });
        expect(res.status).toBeLessThan(500);
        const j = (await res.json()) as { error?: string };
        if (res.status >= 400) expect(typeof j.error).toBe("string");
      }),
      { seed: 7, numRuns: 300 },
    );
  });
});
