// The Import Utility end to end against a real SQLite store: the RESO sample records, initial and
// incremental loads, reconciliation, eligibility, ownership, pending assignments, provenance,
// malformed rows, strict mode and crashes. Expected outcomes are derived in the test from the
// feeds themselves (and the DD 2.0 lookups), never from the importer's own output.
import { describe, it, expect, afterEach } from "vitest";
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { runImport, type ImportReport } from "../../simulator/server/import/run.ts";
import { adminEdit } from "../../simulator/server/db/provenance.ts";
import { renewalEligibility } from "../../simulator/server/db/eligibility.ts";
import { dumpStore } from "../../simulator/server/db/store.ts";
import { loadVectors, vectorsDir } from "../support/vectors.ts";
import { sandbox, dataDump, column, type Sandbox } from "./helpers.ts";
import { office, member, property, stamp, csvField, type Rec } from "./synthetic.ts";

let box: Sandbox | null = null;
afterEach(() => {
  box?.cleanup();
  box = null;
});

async function fresh(): Promise<Sandbox> {
  box = await sandbox();
  return box;
}

function rejected(r: ImportReport): [string, number, string][] {
  return r.rejections.map((x) => [x.resource, x.row, x.code]);
}

/** A published RESO sample record: any field may be absent. */
type VectorRecord = Partial<Rec>;

const base = (): { Office: Rec[]; Member: Rec[]; Property: Rec[] } => ({
  Office: [0, 1, 2].map((i) => office(i)),
  Member: [0, 1, 2, 3, 4].map((i) => member(i, 3)),
  Property: [0, 1, 2, 3].map((i) => property(i, 5)),
});

describe("RESO sample records (vectors/reso)", () => {
  interface Lookup { LookupName: string; StandardLookupValue: string; LegacyODataValue: string }
  const lookups = loadVectors<{ lookups: Lookup[] }>("reso/dd_lookups_2.0.json").lookups;
  const standard = (name: string, v: unknown): string | undefined =>
    lookups.find((l) => l.LookupName === name && (l.StandardLookupValue === v || l.LegacyODataValue === v))?.StandardLookupValue;
  const isInstant = (v: unknown): boolean =>
    typeof v === "string" && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(v) && !Number.isNaN(Date.parse(v));

  /** The fate of each sample record, by the rules of the issue, in feed order. */
  function expectedFates(records: VectorRecord[], key: string, statusField: string, statusLookup: string, statusRequired: boolean): string[] {
    const seen = new Set<unknown>();
    return records.map((r) => {
      if (r[key] === undefined || r[key] === null) return "missing-key";
      if (seen.has(r[key])) return "duplicate-key";
      seen.add(r[key]);
      if (r.ModificationTimestamp !== undefined && !isInstant(r.ModificationTimestamp)) return "bad-timestamp";
      if (r[statusField] === undefined) return statusRequired ? "missing-field" : "applied";
      return standard(statusLookup, r[statusField]) === undefined ? "unknown-enum" : "applied";
    });
  }

  it("applies every valid sample record and rejects each invalid one with the predicted reason", async () => {
    const sb = await fresh();
    const report = await runImport(sb.store.db, { associationId: "A1", from: join(vectorsDir(), "reso"), full: true });
    expect(report.status).toBe("applied");
    const specs = [
      ["Office", "office.json", "OfficeKey", "OfficeStatus", "OfficeStatus", false],
      ["Member", "member.json", "MemberKey", "MemberStatus", "MemberStatus", true],
      ["Property", "property.json", "ListingKey", "StandardStatus", "StandardStatus", false],
    ] as const;
    for (const [resource, file, key, field, lookup, required] of specs) {
      const records = loadVectors<VectorRecord[]>(`reso/${file}`);
      const fates = expectedFates(records, key, field, lookup, required);
      const predicted = fates.map((f, i) => [resource, i + 1, f] as [string, number, string]).filter(([, , f]) => f !== "applied");
      expect(rejected(report).filter(([r]) => r === resource), resource).toEqual(predicted);
      expect(report.resources[resource]?.added, resource).toBe(fates.filter((f) => f === "applied").length);
    }
    // Each stored listing carries the DD StandardLookupValue of its record's status.
    const props = loadVectors<VectorRecord[]>("reso/property.json");
    const fates = expectedFates(props, "ListingKey", "StandardStatus", "StandardStatus", false);
    const stored = column(sb.store, "SELECT listing_key, standard_status FROM listings ORDER BY id");
    expect(stored).toEqual(props.filter((_, i) => fates[i] === "applied").map((p) => [p.ListingKey, p.StandardStatus === undefined ? null : standard("StandardStatus", p.StandardStatus)]));
    expect(sb.store.db.prepare("SELECT count(*) AS n FROM import_rejections WHERE run_id = ?").get(report.runId)).toEqual({ n: report.totals.rejected });
  });
});

describe("loading and keeping in sync", () => {
  it("initial load links members to offices and listings to their agents", async () => {
    const sb = await fresh();
    const r = await runImport(sb.store.db, { associationId: "A1", from: sb.feed(base()) });
    expect(r.totals).toMatchObject({ added: 12, updated: 0, unchanged: 0, rejected: 0 });
    expect(column(sb.store, "SELECT m.member_key, o.office_key FROM members m JOIN offices o ON o.id = m.office_id ORDER BY m.id")).toEqual(
      base().Member.map((m) => [m.MemberKey, m.OfficeKey]),
    );
    expect(column(sb.store, "SELECT l.listing_key, m.member_key, l.pending_assignment FROM listings l JOIN members m ON m.id = l.list_agent_id ORDER BY l.id")).toEqual(
      base().Property.map((p) => [p.ListingKey, p.ListAgentKey, 0]),
    );
    expect(column(sb.store, "SELECT resource, modification_timestamp, record_key FROM import_cursors ORDER BY resource")).toEqual([
      ["Member", "2024-01-01T00:00:04.0000000Z", "MEM4"],
      ["Office", "2024-01-01T00:00:02.0000000Z", "OFF2"],
      ["Property", "2024-01-01T00:00:03.0000000Z", "L3"],
    ]);
  });

  it("an incremental run adds, updates and leaves unchanged records alone", async () => {
    const sb = await fresh();
    await runImport(sb.store.db, { associationId: "A1", from: sb.feed(base()) });
    const next = base();
    next.Member[1] = member(1, 3, { MemberEmail: "new@example.com", ModificationTimestamp: stamp(100) });
    next.Member.push(member(5, 3, { ModificationTimestamp: stamp(101) }));
    const r = await runImport(sb.store.db, { associationId: "A1", from: sb.feed(next) });
    expect(r.totals).toMatchObject({ added: 1, updated: 1, unchanged: 11, deactivated: 0, rejected: 0 });
    expect(column(sb.store, "SELECT email FROM members WHERE member_key = 'MEM1'")).toEqual(["new@example.com"]);
    expect(r.resources.Member?.cursor).toEqual({ timestamp: "2024-01-01T00:01:41.0000000Z", key: "MEM5" });
  });

  it("only a full run's key reconciliation finds deletions", async () => {
    const sb = await fresh();
    await runImport(sb.store.db, { associationId: "A1", from: sb.feed(base()) });
    const gone = base();
    gone.Member.splice(4, 1);
    gone.Property.splice(2, 1);
    gone.Office.splice(2, 1);
    const src = sb.feed(gone);
    const incremental = await runImport(sb.store.db, { associationId: "A1", from: src });
    expect(incremental.totals.deactivated).toBe(0);
    const full = await runImport(sb.store.db, { associationId: "A1", from: src, full: true });
    expect(full.totals).toMatchObject({ deactivated: 3, added: 0, updated: 0 });
    expect(column(sb.store, "SELECT status FROM members WHERE member_key = 'MEM4'")).toEqual(["terminated"]);
    expect(column(sb.store, "SELECT deleted FROM listings WHERE listing_key = 'L2'")).toEqual([1]);
    expect(column(sb.store, "SELECT status FROM offices WHERE office_key = 'OFF2'")).toEqual(["deleted"]);
    expect(column(sb.store, "SELECT e.event, e.from_status, e.to_status FROM member_status_events e JOIN members m ON m.id = e.member_id WHERE m.member_key = 'MEM4'")).toEqual([
      ["terminated", "active", "terminated"],
    ]);
  });
});

describe("member status, cards and ownership", () => {
  function addCard(sb: Sandbox, serial: string, memberKey: string): void {
    sb.store.db
      .prepare("INSERT INTO cards (serial, association_id, member_id, status, expires_at, issued_at) SELECT ?, 'A1', id, 'active', '2030-01-01T00:00:00.000Z', '2024-01-01T00:00:00.000Z' FROM members WHERE member_key = ?")
      .run(serial, memberKey);
  }

  it("an Inactive status blocks renewal; reactivation is recorded and the card waits for an administrator", async () => {
    const sb = await fresh();
    await runImport(sb.store.db, { associationId: "A1", from: sb.feed(base()) });
    addCard(sb, "C1", "MEM1");
    expect(renewalEligibility(sb.store.db, "C1")).toBe("ok");
    const off = base();
    off.Member[1] = member(1, 3, { MemberStatus: "Inactive", ModificationTimestamp: stamp(50) });
    const r1 = await runImport(sb.store.db, { associationId: "A1", from: sb.feed(off), now: () => new Date("2024-02-01T00:00:00Z") });
    expect(r1.totals.deactivated).toBe(1);
    expect(renewalEligibility(sb.store.db, "C1")).toBe("member-inactive");
    expect(column(sb.store, "SELECT status, deactivated_at FROM cards WHERE serial = 'C1'")).toEqual([["deactivated", "2024-02-01T00:00:00.000Z"]]);
    const on = base();
    on.Member[1] = member(1, 3, { ModificationTimestamp: stamp(60) });
    const r2 = await runImport(sb.store.db, { associationId: "A1", from: sb.feed(on), now: () => new Date("2024-03-01T00:00:00Z") });
    expect(r2.totals.reactivated).toBe(1);
    expect(column(sb.store, "SELECT status, eligible, deactivated_at, reactivated_at FROM members WHERE member_key = 'MEM1'")).toEqual([
      ["active", 1, "2024-02-01T00:00:00.000Z", "2024-03-01T00:00:00.000Z"],
    ]);
    expect(column(sb.store, "SELECT event FROM member_status_events ORDER BY id")).toEqual(["deactivated", "reactivated"]);
    expect(renewalEligibility(sb.store.db, "C1")).toBe("card-deactivated");
  });

  it("a listing-agent change moves the lockbox to the new agent and records it", async () => {
    const sb = await fresh();
    await runImport(sb.store.db, { associationId: "A1", from: sb.feed(base()) });
    sb.store.db
      .prepare("INSERT INTO lockboxes (id, association_id, listing_id, owner_member_id, created_at) SELECT 'LB1', 'A1', l.id, l.list_agent_id, 'now' FROM listings l WHERE listing_key = 'L1'")
      .run();
    const next = base();
    next.Property[1] = property(1, 5, { ListAgentKey: "MEM3", ListAgentMlsId: "M3", ModificationTimestamp: stamp(70) });
    const r = await runImport(sb.store.db, { associationId: "A1", from: sb.feed(next) });
    expect(r.ownershipMoved).toBe(1);
    expect(column(sb.store, "SELECT m.member_key FROM lockboxes b JOIN members m ON m.id = b.owner_member_id")).toEqual(["MEM3"]);
    expect(column(sb.store, "SELECT h.source, h.reason, m.member_key FROM lockbox_ownership_history h JOIN members m ON m.id = h.owner_member_id")).toEqual([
      ["import", "listing agent changed", "MEM3"],
    ]);
  });

  it("a listing whose agent is unknown stays pending and is assigned by a later run; so is a box's MLS#", async () => {
    const sb = await fresh();
    await runImport(sb.store.db, { associationId: "A1", from: sb.feed(base()) });
    const withNew = base();
    withNew.Property.push(property(9, 5, { ListAgentKey: "MEM9", ListAgentMlsId: "M9", ListingId: "MLS9", ModificationTimestamp: stamp(90) }));
    sb.store.db.prepare("INSERT INTO lockboxes (id, association_id, pending_listing_mls_id, owner_member_id, created_at) SELECT 'LB9', 'A1', 'MLS9', id, 'now' FROM members WHERE member_key = 'MEM0'").run();
    const r1 = await runImport(sb.store.db, { associationId: "A1", from: sb.feed({ Property: withNew.Property }) });
    expect(column(sb.store, "SELECT pending_assignment, list_agent_id FROM listings WHERE listing_key = 'L9'")).toEqual([[1, null]]);
    expect(r1).toMatchObject({ pendingResolved: 1, pendingRemaining: 1 });
    expect(column(sb.store, "SELECT l.listing_key FROM lockboxes b JOIN listings l ON l.id = b.listing_id")).toEqual(["L9"]);
    const r2 = await runImport(sb.store.db, { associationId: "A1", from: sb.feed({ Member: [member(9, 3, { ModificationTimestamp: stamp(95) })] }) });
    expect(r2).toMatchObject({ pendingResolved: 1, pendingRemaining: 0, ownershipMoved: 1 });
    expect(column(sb.store, "SELECT l.pending_assignment, m.member_key FROM listings l JOIN members m ON m.id = l.list_agent_id WHERE listing_key = 'L9'")).toEqual([[0, "MEM9"]]);
  });

  it("fields an administrator edited are not overwritten; the rest still update", async () => {
    const sb = await fresh();
    await runImport(sb.store.db, { associationId: "A1", from: sb.feed(base()) });
    adminEdit(sb.store.db, { associationId: "A1", entity: "member", key: "MEM2", field: "email", value: "desk@board.example", by: "admin1" });
    const next = base();
    next.Member[2] = member(2, 3, { MemberEmail: "vendor@example.com", MemberLastName: "Renamed", ModificationTimestamp: stamp(80) });
    const r = await runImport(sb.store.db, { associationId: "A1", from: sb.feed(next) });
    expect(r.totals.updated).toBe(1);
    expect(column(sb.store, "SELECT email, last_name FROM members WHERE member_key = 'MEM2'")).toEqual([["desk@board.example", "Renamed"]]);
  });
});

describe("malformed input", () => {
  function badFeed(sb: Sandbox): string {
    const dir = sb.feed({ Office: base().Office });
    const members = [
      JSON.stringify(member(0, 3)),
      JSON.stringify({ ...member(1, 3), MemberKey: undefined }),
      JSON.stringify(member(2, 3, { MemberStatus: "Retired" })),
      JSON.stringify(member(3, 3, { ModificationTimestamp: "2021-08-21T00:01:01.01.007Z" })),
      JSON.stringify(member(0, 3, { MemberFirstName: "Again" })),
      '{"MemberKey": "MEM5", "MemberStatus": "Active",}',
      JSON.stringify(member(6, 3)),
    ];
    writeFileSync(join(dir, "Member.json"), `{"value":[${members.join(",")}]}`);
    const cols = ["ListingKey", "ListingId", "StandardStatus", "ListAgentKey", "ModificationTimestamp"];
    const rows = [0, 1].map((i) => property(i, 5)).map((p) => cols.map((c) => csvField(p[c] ?? null)).join(","));
    writeFileSync(join(dir, "Property.csv"), [cols.join(","), rows[0], 'L7,"MLS7"x,Active,MEM0,2024-01-01T00:00:00Z', rows[1], ""].join("\r\n"));
    return dir;
  }
  const expectedRejections = [
    ["Member", 2, "missing-key"],
    ["Member", 3, "unknown-enum"],
    ["Member", 4, "bad-timestamp"],
    ["Member", 5, "duplicate-key"],
    ["Member", 6, "broken-json"],
    ["Property", 3, "broken-csv"],
  ];

  it("rejects each bad row with its reason while the good rows apply", async () => {
    const sb = await fresh();
    const r = await runImport(sb.store.db, { associationId: "A1", from: badFeed(sb) });
    expect(r.status).toBe("applied");
    expect(rejected(r)).toEqual(expectedRejections);
    expect(r.rejections.map((x) => x.reason)).toEqual([
      "MemberKey is missing",
      'MemberStatus "Retired" is not a MemberStatus value',
      'ModificationTimestamp "2021-08-21T00:01:01.01.007Z" is not an ISO 8601 date-time with zone',
      'duplicate MemberKey "MEM0" (first at row 1)',
      expect.stringMatching(/^broken JSON: /),
      "broken CSV: text after the closing quote of field 2",
    ]);
    expect(column(sb.store, "SELECT member_key, first_name FROM members ORDER BY id")).toEqual([["MEM0", "First0"], ["MEM6", "First6"]]);
    expect(column(sb.store, "SELECT listing_key FROM listings ORDER BY id")).toEqual(["L0", "L1"]);
    const stored = column(sb.store, "SELECT resource, row, code FROM import_rejections WHERE run_id = ? ORDER BY id", r.runId);
    expect(stored).toEqual(expectedRejections);
  });

  it("in strict mode applies nothing when any row is rejected, and stores the report", async () => {
    const sb = await fresh();
    await runImport(sb.store.db, { associationId: "A1", from: sb.feed(base()) });
    const before = dataDump(sb.store);
    const r = await runImport(sb.store.db, { associationId: "A1", from: badFeed(sb), strict: true });
    expect(r.status).toBe("rejected");
    expect(dataDump(sb.store)).toBe(before);
    expect(column(sb.store, "SELECT status, rejected FROM import_runs WHERE id = ?", r.runId)).toEqual([["rejected", 6]]);
    expect(column(sb.store, "SELECT resource, row, code FROM import_rejections WHERE run_id = ? ORDER BY id", r.runId)).toEqual(expectedRejections);
  });

  it("a document that breaks off applies the records before the break and skips reconciliation", async () => {
    const sb = await fresh();
    await runImport(sb.store.db, { associationId: "A1", from: sb.feed(base()) });
    const dir = sb.feed({});
    writeFileSync(join(dir, "Member.json"), `{"value":[${JSON.stringify(member(0, 3, { MemberLastName: "Cut", ModificationTimestamp: stamp(200) }))},{"MemberKey":"MEM1"`);
    const r = await runImport(sb.store.db, { associationId: "A1", from: dir, full: true });
    expect(r.resources.Member).toMatchObject({ updated: 1, deactivated: 0, rejected: 1, reconciled: false });
    expect(r.rejections[0]).toMatchObject({ code: "broken-json", reason: expect.stringContaining("document ends before its closing bracket") });
    expect(column(sb.store, "SELECT count(*) FROM members WHERE status = 'active'")).toEqual([5]);
  });

  it("a full run with a row whose key is unreadable deletes nobody and says why", async () => {
    const sb = await fresh();
    await runImport(sb.store.db, { associationId: "A1", from: sb.feed(base()) });
    const dir = sb.feed({});
    writeFileSync(join(dir, "Member.json"), `[${JSON.stringify(member(0, 3))}, {"MemberKey": "MEM1", "MemberStatus": "Active",}]`);
    const r = await runImport(sb.store.db, { associationId: "A1", from: dir, full: true });
    expect(r.resources.Member).toMatchObject({ unchanged: 1, rejected: 1, deactivated: 0, reconciled: false });
    expect(r.warnings).toEqual(["Member: deletions not reconciled because 1 row(s) without a readable key"]);
    expect(column(sb.store, "SELECT count(*) FROM members WHERE status = 'active'")).toEqual([5]);
  });

  it("a CSV feed with a vendor mapping file imports under RESO names", async () => {
    const sb = await fresh();
    const dir = sb.feed({});
    writeFileSync(join(dir, "agents.csv"), 'AgentID,First,Last,Stat,Updated\r\nX1,Ann,"O\'Neil, Jr",A,2024-05-01T10:00:00-05:00\r\nX2,Bo,Li,I,2024-05-01T10:00:00Z\r\n');
    writeFileSync(join(dir, "mapping.json"), JSON.stringify({
      Member: { file: "agents.csv", columns: { AgentID: "MemberKey", First: "MemberFirstName", Last: "MemberLastName", Stat: "MemberStatus", Updated: "ModificationTimestamp" }, values: { MemberStatus: { A: "Active", I: "Inactive" } } },
    }));
    const r = await runImport(sb.store.db, { associationId: "A1", from: dir });
    expect(r.totals).toMatchObject({ added: 2, rejected: 0 });
    expect(column(sb.store, "SELECT member_key, last_name, status, modification_timestamp FROM members ORDER BY id")).toEqual([
      ["X1", "O'Neil, Jr", "active", "2024-05-01T15:00:00.0000000Z"],
      ["X2", "Li", "inactive", "2024-05-01T10:00:00.0000000Z"],
    ]);
  });
});

describe("crash safety: one transaction per run", () => {
  it("a fault after N records leaves every data table exactly as before and records the failed run", async () => {
    const sb = await fresh();
    await runImport(sb.store.db, { associationId: "A1", from: sb.feed(base()) });
    const before = dataDump(sb.store);
    const next = base();
    next.Member = next.Member.map((_, i) => member(i, 3, { MemberStatus: "Inactive", ModificationTimestamp: stamp(300 + i) }));
    const r = await runImport(sb.store.db, {
      associationId: "A1",
      from: sb.feed(next),
      full: true,
      onProgress: (p) => {
        if (p.phase === "apply" && p.resource === "Member" && p.records === 4) throw new Error("injected fault");
      },
    });
    expect(r).toMatchObject({ status: "failed", error: "injected fault" });
    expect(dataDump(sb.store)).toBe(before);
    expect(column(sb.store, "SELECT status, error FROM import_runs WHERE id = ?", r.runId)).toEqual([["failed", "injected fault"]]);
  });

  it("a process killed mid-run leaves the database file exactly as before", async () => {
    const sb = await fresh();
    await runImport(sb.store.db, { associationId: "A1", from: sb.feed(base()) });
    const next = base();
    next.Member = next.Member.map((_, i) => member(i, 3, { MemberLastName: "Changed", ModificationTimestamp: stamp(400 + i) }));
    const src = sb.feed(next);
    const before = dumpStore(sb.store.db);
    const dbPath = sb.store.path;
    // TMPDIR inside the sandbox: the killed run cannot remove its spool, the sandbox clean-up does.
    const env = { ...process.env, TMPDIR: sb.dir };
    const child = spawnSync(process.execPath, ["--import", "tsx", join(import.meta.dirname, "crash-child.ts"), dbPath, src, "3"], { encoding: "utf8", env });
    expect(child.signal).toBe("SIGKILL");
    expect(child.stdout).toContain("killing at record 3 of Member");
    sb.store.close();
    const { openStore } = await import("../../simulator/server/db/store.ts");
    const reopened = await openStore(dbPath);
    box = { ...sb, store: reopened };
    expect(dumpStore(reopened.db)).toBe(before);
  });
});
