// The server runs each association's import schedule (issue 7, "the server runs it"): started with
// a store file, it imports a due association's feed by itself and stops the scheduler on close.
import { it, expect } from "vitest";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServer } from "../../simulator/server/app.ts";
import { openStore } from "../../simulator/server/db/store.ts";
import { upsertAssociation } from "../../simulator/server/db/associations.ts";
import type { ImportReport } from "../../simulator/server/import/run.ts";
import { office, member } from "../import/synthetic.ts";

it("a server on a store file runs a due scheduled import and reports it", async () => {
  const dir = mkdtempSync(join(tmpdir(), "lockbox-sched-"));
  try {
    const db = join(dir, "server.db");
    const feed = join(dir, "feed");
    mkdirSync(feed);
    writeFileSync(join(feed, "Office.json"), JSON.stringify({ value: [office(0)] }));
    writeFileSync(join(feed, "Member.json"), JSON.stringify({ value: [member(0, 1), member(1, 1)] }));
    const setup = await openStore(db);
    upsertAssociation(setup.db, "A1", { import_schedule: "02:00", tz_rule: "UTC0", import_source: feed });
    setup.close();

    // The association was created now; its first 02:00 slot is at most two days later.
    const later = new Date(Date.now() + 2 * 86_400_000);
    const reports: ImportReport[] = [];
    const srv = await startServer({
      db,
      port: 0,
      importScheduler: { checkEveryMs: 20, now: () => later, onReport: (r) => reports.push(r) },
    });
    try {
      expect(srv.imports).not.toBeNull();
      for (let i = 0; i < 250 && reports.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(reports).toHaveLength(1);
      expect(reports[0]).toMatchObject({ associationId: "A1", status: "applied" });
      expect(reports[0].totals.added).toBe(3);
      const members = srv.store.db.prepare("SELECT COUNT(*) AS n FROM members WHERE association_id = 'A1'").get() as { n: number };
      expect(members.n).toBe(2);
    } finally {
      await srv.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it("an in-memory server runs no scheduler", async () => {
  const srv = await startServer({ db: ":memory:", port: 0 });
  expect(srv.imports).toBeNull();
  await srv.close();
});
