// Model-based property test of the import semantics: random sequences of member feeds (updates,
// status changes, duplicates, bad rows, incremental and full runs) against a plain-data model of
// the rules in the issue: first occurrence of a key wins, rejected rows change nothing, a full run
// terminates every member it does not list, and every status change is an event.
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStore } from "../../simulator/server/db/store.ts";
import { upsertAssociation } from "../../simulator/server/db/associations.ts";
import { runImport } from "../../simulator/server/import/run.ts";

interface Row { key: number; status: "Active" | "Inactive" | "Bogus"; email: number }
interface Run { full: boolean; rows: Row[] }

const row = fc.record({ key: fc.integer({ min: 0, max: 7 }), status: fc.constantFrom("Active", "Inactive", "Bogus"), email: fc.integer({ min: 0, max: 3 }) }) as fc.Arbitrary<Row>;
const run = fc.record({ full: fc.boolean(), rows: fc.array(row, { maxLength: 10 }) });

type Status = "active" | "inactive" | "terminated";

function model(runs: Run[]): { members: Map<string, { status: Status; email: string }>; events: string[]; rejected: number[] } {
  const members = new Map<string, { status: Status; email: string }>();
  const events: string[] = [];
  const rejected: number[] = [];
  const change = (key: string, to: Status): void => {
    const m = members.get(key)!;
    const from = m.status;
    if (from === to) return;
    if (from === "active") events.push(`${key}:${to === "terminated" ? "terminated" : "deactivated"}`);
    else if (to === "active") events.push(`${key}:reactivated`);
    else if (to === "terminated") events.push(`${key}:terminated`);
    m.status = to;
  };
  for (const r of runs) {
    const seen = new Set<string>();
    let bad = 0;
    for (const x of r.rows) {
      const key = `K${x.key}`;
      if (seen.has(key) || x.status === "Bogus") bad++;
      if (seen.has(key)) continue;
      seen.add(key);
      if (x.status === "Bogus") continue;
      const status: Status = x.status === "Active" ? "active" : "inactive";
      const email = `e${x.email}@example.com`;
      if (!members.has(key)) members.set(key, { status, email });
      else {
        members.get(key)!.email = email;
        change(key, status);
      }
    }
    if (r.full) for (const key of members.keys()) if (!seen.has(key)) change(key, "terminated");
    rejected.push(bad);
  }
  return { members, events, rejected };
}

describe("import semantics against a model", () => {
  it("random incremental and full runs leave exactly the members and events the rules predict", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lockbox-model-"));
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(run, { minLength: 1, maxLength: 5 }), async (runs) => {
          const expected = model(runs);
          const store = await openStore(":memory:");
          upsertAssociation(store.db, "A1");
          for (const [n, r] of runs.entries()) {
            const file = join(dir, `member-${n}.json`);
            writeFileSync(file, JSON.stringify(r.rows.map((x) => ({ MemberKey: `K${x.key}`, MemberStatus: x.status, MemberEmail: `e${x.email}@example.com` }))));
            const report = await runImport(store.db, { associationId: "A1", from: file, full: r.full });
            expect(report.status).toBe("applied");
            expect(report.totals.rejected).toBe(expected.rejected[n]);
          }
          const got = store.db.prepare("SELECT member_key, status, email FROM members ORDER BY member_key").raw().all();
          expect(got).toEqual([...expected.members.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, m]) => [k, m.status, m.email]));
          const events = store.db.prepare("SELECT m.member_key || ':' || e.event FROM member_status_events e JOIN members m ON m.id = e.member_id ORDER BY e.id").raw().all().map((r) => (r as string[])[0]);
          expect(events).toEqual(expected.events);
          store.close();
        }),
        { seed: 0x30de1, numRuns: 60 },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
