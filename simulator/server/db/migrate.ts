/**
 * The migration runner of the server store (docs/ARCHITECTURE.md §3, server/: SQLite store). Every module in
 * `migrations/` named `NNN-<what>.ts` is one migration; they run in number order, each in its own
 * transaction, and the applied ones are recorded in `schema_migrations`, so several engineers can
 * add numbered files independently (import owns 001–009, the server 010–029).
 */
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Database } from "better-sqlite3";

/** What a migration module exports (as `migration`). */
export interface Migration {
  /** One line: what the migration adds and why. */
  description: string;
  /** Applies the migration; runs inside a transaction the runner opens. */
  up(db: Database): void;
}

/** One numbered migration found on disk. */
export interface MigrationFile {
  version: number;
  file: string;
  migration: Migration;
}

const FILE_NAME = /^(\d{3})-[a-z0-9-]+\.ts$/;
const defaultDir = join(dirname(fileURLToPath(import.meta.url)), "migrations");

/** Loads every `NNN-*.ts` module of `dir` in version order; two files with one number is an error. */
export async function loadMigrations(dir = defaultDir): Promise<MigrationFile[]> {
  const found: MigrationFile[] = [];
  for (const file of readdirSync(dir).sort()) {
    const m = FILE_NAME.exec(file);
    if (!m) continue;
    const version = Number(m[1]);
    const clash = found.find((f) => f.version === version);
    if (clash) throw new Error(`migrations ${clash.file} and ${file} share number ${m[1]}`);
    const mod = (await import(pathToFileURL(join(dir, file)).href)) as { migration?: Migration };
    if (!mod.migration || typeof mod.migration.up !== "function") {
      throw new Error(`migration ${file} does not export \`migration\` with an up(db) function`);
    }
    found.push({ version, file, migration: mod.migration });
  }
  return found;
}

/** Applies the migrations not yet recorded, in order; returns the versions it applied. */
export function applyMigrations(db: Database, migrations: MigrationFile[]): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    file TEXT NOT NULL,
    description TEXT NOT NULL,
    applied_at TEXT NOT NULL
  ) STRICT`);
  const done = new Set(
    (db.prepare("SELECT version FROM schema_migrations").all() as { version: number }[]).map((r) => r.version),
  );
  const record = db.prepare("INSERT INTO schema_migrations (version, file, description, applied_at) VALUES (?, ?, ?, ?)");
  const applied: number[] = [];
  for (const m of migrations) {
    if (done.has(m.version)) continue;
    db.transaction(() => {
      m.migration.up(db);
      record.run(m.version, m.file, m.migration.description, new Date().toISOString());
    })();
    applied.push(m.version);
  }
  return applied;
}
