// The import schedule: daily at HH:MM local time of the association's POSIX TZ rule (checked
// against the ICU time-zone database through Intl, America/Chicago = CST6CDT,M3.2.0,M11.1.0), one
// run per slot, and a full reconciliation when the last full run is old enough.
import { describe, it, expect, afterEach } from "vitest";
import fc from "fast-check";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { lastSlot, ImportScheduler, startImportScheduler } from "../../simulator/server/import/scheduler.ts";
import { upsertAssociation } from "../../simulator/server/db/associations.ts";
import type { ImportReport } from "../../simulator/server/import/run.ts";
import { sandbox, column, type Sandbox } from "./helpers.ts";
import { office, member } from "./synthetic.ts";

const chicago = new Intl.DateTimeFormat("en-CA", {
  timeZone: "America/Chicago", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
});
function local(d: Date): { date: string; time: string } {
  const p = Object.fromEntries(chicago.formatToParts(d).map((x) => [x.type, x.value]));
  return { date: `${p.year}-${p.month}-${p.day}`, time: `${p.hour}:${p.minute}` };
}
function dayBefore(date: string): string {
  return new Date(Date.parse(`${date}T12:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
}

let sb: Sandbox | null = null;
afterEach(() => {
  sb?.cleanup();
  sb = null;
});

describe("lastSlot", () => {
  it("is the latest 02:00 Chicago time at or before now (03:00 on the spring-forward day)", () => {
    const rule = "CST6CDT,M3.2.0,M11.1.0";
    fc.assert(
      fc.property(fc.date({ min: new Date("2024-01-01T00:00:00Z"), max: new Date("2031-12-31T00:00:00Z"), noInvalidDate: true }), (now) => {
        const slot = lastSlot("02:00", rule, now);
        expect(slot.getTime()).toBeLessThanOrEqual(now.getTime());
        const s = local(slot), n = local(now);
        expect(["02:00", "03:00"]).toContain(s.time);
        if (s.time === "03:00") expect(local(new Date(slot.getTime() - 3_600_000)).time).toBe("01:00");
        expect(s.date).toBe(n.time >= s.time ? n.date : dayBefore(n.date));
      }),
      { seed: 0x5c4ed, numRuns: 400 },
    );
  });

  it("refuses a malformed schedule or TZ rule", () => {
    expect(() => lastSlot("2:00", "UTC0", new Date())).toThrow(/HH:MM/);
    expect(() => lastSlot("02:00", "Mars/Olympus", new Date())).toThrow(/does not parse/);
  });
});

describe("ImportScheduler", () => {
  it("runs once per daily slot, full when the last full run is a week old", async () => {
    sb = await sandbox();
    const from = sb.feed({ Office: [office(0)], Member: [member(0, 1)] });
    upsertAssociation(sb.store.db, "A1", { import_schedule: "02:00", tz_rule: "UTC0", import_source: from, import_full_every_days: 7 });
    let now = new Date("2024-01-02T01:00:00Z");
    const scheduler = new ImportScheduler(sb.store.db, { now: () => now });
    const modes = async (): Promise<string[]> => (await scheduler.tick()).map((r) => `${r.mode}/${r.status}`);
    expect(await modes()).toEqual(["full/applied"]);
    expect(await modes()).toEqual([]);
    now = new Date("2024-01-02T02:00:00Z");
    expect(await modes()).toEqual(["incremental/applied"]);
    now = new Date("2024-01-03T01:59:59Z");
    expect(await modes()).toEqual([]);
    now = new Date("2024-01-08T02:00:00Z");
    expect(await modes()).toEqual(["incremental/applied"]);
    now = new Date("2024-01-09T02:00:00Z");
    expect(await modes()).toEqual(["full/applied"]);
    expect(column(sb.store, "SELECT trigger, mode FROM import_runs ORDER BY id")).toEqual([
      ["schedule", "full"], ["schedule", "incremental"], ["schedule", "incremental"], ["schedule", "full"],
    ]);
  });

  it("retries a failed scheduled run an hour later, until one succeeds", async () => {
    sb = await sandbox();
    const missing = join(sb.dir, "not-there-yet");
    upsertAssociation(sb.store.db, "A1", { import_schedule: "02:00", tz_rule: "UTC0", import_source: missing });
    let now = new Date("2024-01-02T02:00:00Z");
    const scheduler = new ImportScheduler(sb.store.db, { now: () => now });
    const statuses = async (): Promise<string[]> => (await scheduler.tick()).map((r) => r.status);
    expect(await statuses()).toEqual(["failed"]);
    now = new Date("2024-01-02T02:59:00Z");
    expect(await statuses()).toEqual([]);
    now = new Date("2024-01-02T03:00:00Z");
    expect(await statuses()).toEqual(["failed"]);
    mkdirSync(missing);
    writeFileSync(join(missing, "office.json"), JSON.stringify([office(0)]));
    now = new Date("2024-01-02T04:00:00Z");
    expect(await statuses()).toEqual(["applied"]);
    now = new Date("2024-01-02T05:00:00Z");
    expect(await statuses()).toEqual([]);
  });

  it("started on its own connection, it checks by itself and reports each run", async () => {
    sb = await sandbox();
    upsertAssociation(sb.store.db, "A1", { import_schedule: "00:00", tz_rule: "UTC0", import_source: sb.feed({ Office: [office(0)] }) });
    const reports: ImportReport[] = [];
    const running = await startImportScheduler(sb.store.path, { checkEveryMs: 10, onReport: (r) => reports.push(r) });
    for (let i = 0; i < 100 && reports.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    await running.stop();
    expect(reports.map((r) => [r.associationId, r.status])).toEqual([["A1", "applied"]]);
    // The run committed through the scheduler's connection is visible to the server's.
    expect(column(sb.store, "SELECT office_key FROM offices")).toEqual(["OFF0"]);
    await expect(startImportScheduler(":memory:")).rejects.toThrow(/needs a store file/);
  });
});
