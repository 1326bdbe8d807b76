/**
 * The reference server's store (docs/ARCHITECTURE.md §3, server/: SQLite store): one SQLite file opened with
 * better-sqlite3 in WAL mode with foreign keys enforced, migrated to the newest schema on open; its
 * files are the owner's only (0600) and its secrets are sealed under a key it does not keep
 * (secrets.ts).
 */
import Sqlite from "better-sqlite3";
import type { Database } from "better-sqlite3";
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { applyMigrations, loadMigrations } from "./migrate.ts";
import { attachStoreKey, storeKeyFromEnvironment, verifyStoreKey, type StoreKeySource } from "./secrets.ts";

/** An open store: the connection plus the few helpers every server part needs. */
export interface Store {
  db: Database;
  /** The file path, or ":memory:". */
  path: string;
  /** Versions of the migrations applied by this open (empty when the file was current). */
  migrated: number[];
  /** Where the key sealing the store's secrets came from ("option" when passed to openStore). */
  keySource: StoreKeySource | "option";
  close(): void;
}

/** How to open the store; the defaults suit the server. */
export interface OpenStoreOptions {
  /** Milliseconds a writer waits for another connection's write lock (default 5000). */
  busyTimeoutMs?: number;
  /** Folder of numbered migration modules (default: ./migrations next to this file). */
  migrationsDir?: string;
  /** The store key (32 bytes) sealing the store's secrets; default from the environment (db/secrets.ts). */
  storeKey?: Uint8Array;
}

/** Owner-only: the store holds member data and sealed secrets. */
const FILE_MODE = 0o600;

/** Where the store lives unless told otherwise: $LOCKBOX_DB, else ./var/lockbox.db. */
export function defaultStorePath(): string {
  return process.env.LOCKBOX_DB ?? "./var/lockbox.db";
}

/** Opens (creating if needed) the store at `path` and applies pending migrations. */
export async function openStore(path = defaultStorePath(), opts: OpenStoreOptions = {}): Promise<Store> {
  const migrations = await loadMigrations(opts.migrationsDir);
  const key = opts.storeKey ? { key: opts.storeKey, source: "option" as const } : storeKeyFromEnvironment();
  if (path !== ":memory:") {
    mkdirSync(dirname(resolve(path)), { recursive: true, mode: 0o700 });
    // SQLite gives its -wal and -shm files the database file's mode, so creating it 0600 covers all three.
    if (!existsSync(path)) closeSync(openSync(path, "a", FILE_MODE));
    for (const file of [path, `${path}-wal`, `${path}-shm`]) if (existsSync(file)) chmodSync(file, FILE_MODE);
  }
  const db = new Sqlite(path, { timeout: opts.busyTimeoutMs ?? 5000 });
  try {
    attachStoreKey(db, key.key);
    if (path !== ":memory:") db.pragma("journal_mode = WAL");
    // FULL: every commit is fsync'd to the WAL before COMMIT returns, so what the server acknowledges
    // (an upload receipt, an applied import, a CARS code) survives a power cut (docs/ARCHITECTURE.md §6 "durable
    // before acknowledged"). NORMAL would only survive a crash of the process.
    db.pragma("synchronous = FULL");
    db.pragma("foreign_keys = ON");
    const migrated = applyMigrations(db, migrations);
    verifyStoreKey(db);
    return { db, path, migrated, keySource: key.source, close: () => db.close() };
  } catch (err) {
    db.close();
    throw err;
  }
}

/**
 * Every row of every table, in a canonical text form (tables by name, rows sorted), so a
 * test can prove that a failed or crashed operation left the store exactly as it was.
 */
export function dumpStore(db: Database): string {
  const tables = db
    .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .all() as { name: string }[];
  const out: string[] = [];
  for (const { name } of tables) {
    out.push(`## ${name}`);
    const rows = db.prepare(`SELECT * FROM "${name}"`).raw().all() as unknown[][];
    const lines = rows.map((row) =>
      row.map((v) => (v instanceof Uint8Array ? `x'${Buffer.from(v).toString("hex")}'` : JSON.stringify(v))).join("|"),
    );
    out.push(...lines.sort());
  }
  return out.join("\n");
}
