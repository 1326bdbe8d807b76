// The server store: numbered migrations applied once and in order, clashing numbers refused, WAL and
// foreign keys on, and the admin-edit and eligibility helpers the import relies on.
import { describe, it, expect, afterEach } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStore } from "../../simulator/server/db/store.ts";
import { adminEdit, clearAdminEdit } from "../../simulator/server/db/provenance.ts";
import { upsertAssociation } from "../../simulator/server/db/associations.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), "lockbox-store-"));
  dirs.push(d);
  return d;
}

function migrationDir(files: Record<string, string>): string {
  const dir = tmp();
  for (const [name, sql] of Object.entries(files)) {
    writeFileSync(join(dir, name), `export const migration = { description: ${JSON.stringify(name)}, up(db) { db.exec(${JSON.stringify(sql)}); } };\n`);
  }
  return dir;
}

describe("store", () => {
  it("opens in WAL mode with foreign keys enforced and the core schema applied once", async () => {
    const path = join(tmp(), "sub", "lockbox.db");
    const first = await openStore(path);
    expect(first.migrated[0]).toBe(1);
    expect(first.db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(first.db.pragma("foreign_keys", { simple: true })).toBe(1);
    expect(() => first.db.prepare("INSERT INTO offices (association_id, office_key, status, created_at, updated_at) VALUES ('nope', 'k', 'active', 'x', 'x')").run()).toThrow(/FOREIGN KEY/);
    first.close();
    const again = await openStore(path);
    expect(again.migrated).toEqual([]);
    again.close();
  });

  it("applies numbered migration modules in number order, skips other files, refuses duplicate numbers", async () => {
    const dir = migrationDir({
      "002-second.ts": "CREATE TABLE b (x INTEGER REFERENCES a(x))",
      "001-first.ts": "CREATE TABLE a (x INTEGER PRIMARY KEY)",
      "notes.md": "",
    });
    const s = await openStore(":memory:", { migrationsDir: dir });
    expect(s.migrated).toEqual([1, 2]);
    expect(s.db.prepare("SELECT version, file FROM schema_migrations ORDER BY version").raw().all()).toEqual([[1, "001-first.ts"], [2, "002-second.ts"]]);
    s.close();
    const clash = migrationDir({ "001-a.ts": "SELECT 1", "001-b.ts": "SELECT 1" });
    await expect(openStore(":memory:", { migrationsDir: clash })).rejects.toThrow(/share number 001/);
  });

  it("a failing migration leaves no trace of itself", async () => {
    const path = join(tmp(), "m.db");
    const dir = migrationDir({ "001-ok.ts": "CREATE TABLE a (x)", "002-bad.ts": "CREATE TABLE c (x); SELECT nonsense()" });
    await expect(openStore(path, { migrationsDir: dir })).rejects.toThrow(/nonsense/);
    const fixed = migrationDir({ "001-ok.ts": "CREATE TABLE a (x)", "002-bad.ts": "CREATE TABLE c (y)" });
    const s = await openStore(path, { migrationsDir: fixed });
    expect(s.migrated).toEqual([2]);
    expect(s.db.prepare("SELECT name FROM pragma_table_info('c')").raw().all()).toEqual([["y"]]);
    s.close();
  });

  it("an admin edit records provenance only for editable fields of existing records", async () => {
    const s = await openStore(":memory:");
    upsertAssociation(s.db, "A1");
    s.db.prepare("INSERT INTO offices (association_id, office_key, status, created_at, updated_at) VALUES ('A1', 'O1', 'active', 'x', 'x')").run();
    adminEdit(s.db, { associationId: "A1", entity: "office", key: "O1", field: "phone", value: "555", by: "ann", at: "t1" });
    expect(s.db.prepare("SELECT phone FROM offices").raw().get()).toEqual(["555"]);
    expect(s.db.prepare("SELECT entity, entity_key, field, edited_by FROM field_provenance").raw().all()).toEqual([["office", "O1", "phone", "ann"]]);
    expect(() => adminEdit(s.db, { associationId: "A1", entity: "office", key: "O1", field: "status", value: "deleted", by: "ann" })).toThrow(/not an editable field/);
    expect(() => adminEdit(s.db, { associationId: "A1", entity: "office", key: "O9", field: "phone", value: "1", by: "ann" })).toThrow(/no office 'O9'/);
    expect(clearAdminEdit(s.db, "A1", "office", "O1", "phone")).toBe(true);
    expect(s.db.prepare("SELECT count(*) FROM field_provenance").raw().get()).toEqual([0]);
    s.close();
  });
});
