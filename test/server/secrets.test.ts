/**
 * Secrets at rest (issue 12 item 4): the store's files are the owner's only, the association master
 * keys are sealed under a store key the store does not keep (AES-256-GCM, checked against
 * node:crypto by opening them independently), and without a valid key the store does not open
 * unless development mode was asked for, which announces itself.
 */
import { afterEach, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { createDecipheriv, randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { openStore } from "../../simulator/server/db/store.ts";
import { sealSecret, openSecret, secretContext, StoreKeyError } from "../../simulator/server/db/secrets.ts";
import { associationKeys } from "../../simulator/server/keys.ts";
import { seedWorld, ASSOCIATION } from "./fixture.ts";

const TEST_KEY = process.env.LOCKBOX_STORE_KEY!;
const saved = { key: process.env.LOCKBOX_STORE_KEY, file: process.env.LOCKBOX_STORE_KEY_FILE, dev: process.env.LOCKBOX_DEV };
afterEach(() => {
  for (const [name, v] of [["LOCKBOX_STORE_KEY", saved.key], ["LOCKBOX_STORE_KEY_FILE", saved.file], ["LOCKBOX_DEV", saved.dev]] as const) {
    if (v === undefined) delete process.env[name];
    else process.env[name] = v;
  }
});

const tempDir = () => mkdtempSync(join(tmpdir(), "lockbox-secrets-"));
const mode = (path: string) => statSync(path).mode & 0o777;
const contains = (hay: Buffer, needle: Uint8Array) => hay.indexOf(Buffer.from(needle)) >= 0;

/** AES-256-GCM open by node:crypto alone, from the documented layout 01 ‖ nonce ‖ ciphertext ‖ tag. */
function independentOpen(key: Buffer, sealed: Uint8Array, context: string): Buffer {
  expect(sealed[0]).toBe(1);
  const d = createDecipheriv("aes-256-gcm", key, sealed.subarray(1, 13));
  d.setAAD(Buffer.from(context));
  d.setAuthTag(sealed.subarray(sealed.length - 16));
  return Buffer.concat([d.update(sealed.subarray(13, sealed.length - 16)), d.final()]);
}

describe("the store's files and secrets", () => {
  it("creates the database, -wal and -shm files 0600 whatever the umask, and tightens an existing 0644 store", async () => {
    const dir = tempDir();
    const path = join(dir, "lockbox.db");
    const old = process.umask(0o022);
    try {
      const store = await openStore(path);
      seedWorld(store.db);
      for (const f of [path, `${path}-wal`, `${path}-shm`]) expect(mode(f), f).toBe(0o600);
      store.close();
      chmodSync(path, 0o644);
      (await openStore(path)).close();
      expect(mode(path)).toBe(0o600);
    } finally {
      process.umask(old);
    }
  });

  it("keeps the master keys sealed: not one plaintext key byte string is in the files; each opens with the store key (node:crypto)", async () => {
    const dir = tempDir();
    const path = join(dir, "lockbox.db");
    const store = await openStore(path);
    seedWorld(store.db);
    const keys = associationKeys(store.db, ASSOCIATION)!;
    const raw = store.db.prepare("SELECT key_card_auth, key_server, key_audit FROM associations WHERE id = ?").get(ASSOCIATION) as Record<string, Uint8Array>;
    const files = Buffer.concat([readFileSync(path), existsSync(`${path}-wal`) ? readFileSync(`${path}-wal`) : Buffer.alloc(0)]);
    for (const [column, key] of [["key_card_auth", keys.cardAuthMaster], ["key_server", keys.serverMaster], ["key_audit", keys.auditMaster]] as const) {
      expect(contains(files, key), column).toBe(false);
      expect(raw[column].length).toBe(45);
      expect(new Uint8Array(independentOpen(Buffer.from(TEST_KEY, "hex"), raw[column], `associations.${column}:${ASSOCIATION}`))).toEqual(key);
    }
    store.close();
  });

  it("a sealed value does not open in another row or column, nor altered", async () => {
    const { db } = await openStore(":memory:");
    const sealed = sealSecret(db, "bearer abc", secretContext("associations", "import_token", "A1"));
    expect(Buffer.from(openSecret(db, sealed, secretContext("associations", "import_token", "A1"))).toString()).toBe("bearer abc");
    expect(() => openSecret(db, sealed, secretContext("associations", "import_token", "A2"))).toThrow(StoreKeyError);
    expect(() => openSecret(db, sealed, secretContext("associations", "key_server", "A1"))).toThrow(StoreKeyError);
    const altered = sealed.slice();
    altered[15] ^= 1;
    expect(() => openSecret(db, altered, secretContext("associations", "import_token", "A1"))).toThrow(StoreKeyError);
  });

  it("seals keys an older store kept in the clear when it migrates", async () => {
    const dir = tempDir();
    const path = join(dir, "old.db");
    // The schema as it was before migration 012: every module but 012, re-exported from the real ones.
    const old = join(dir, "migrations");
    const real = resolve("simulator/server/db/migrations");
    const { mkdirSync, readdirSync } = await import("node:fs");
    mkdirSync(old);
    for (const f of readdirSync(real).filter((f) => /^\d{3}-/.test(f) && !f.startsWith("012"))) writeFileSync(join(old, f), `export { migration } from ${JSON.stringify(join(real, f))};\n`);
    const before = await openStore(path, { migrationsDir: old });
    const master = randomBytes(16);
    before.db.prepare("INSERT INTO associations (id, name, card_id, key_card_auth, key_server, key_audit, created_at) VALUES ('A1', 'Old Board', 9, ?, ?, ?, '2026-01-01')").run(master, master, master);
    before.close();
    const after = await openStore(path);
    expect(after.migrated).toContain(12);
    expect(associationKeys(after.db, "A1")).toEqual({ cardId: 9, cardAuthMaster: new Uint8Array(master), serverMaster: new Uint8Array(master), auditMaster: new Uint8Array(master) });
    const raw = after.db.prepare("SELECT key_server FROM associations WHERE id = 'A1'").get() as { key_server: Uint8Array };
    expect(raw.key_server.length).toBe(45);
    after.close();
  });
});

describe("the store key", () => {
  it("without LOCKBOX_STORE_KEY, a key file or development mode, the store refuses to open and says how to fix it", async () => {
    delete process.env.LOCKBOX_STORE_KEY;
    await expect(openStore(join(tempDir(), "x.db"))).rejects.toThrow(/LOCKBOX_STORE_KEY=<64 hex digits> or LOCKBOX_STORE_KEY_FILE=<file>, or run in development mode/);
    process.env.LOCKBOX_STORE_KEY = "abc";
    await expect(openStore(":memory:")).rejects.toThrow(/LOCKBOX_STORE_KEY must be 64 hex digits/);
  });

  it("takes the key from a 0600 key file and refuses a file others can read", async () => {
    delete process.env.LOCKBOX_STORE_KEY;
    const file = join(tempDir(), "store.key");
    writeFileSync(file, `${TEST_KEY}\n`, { mode: 0o644 });
    chmodSync(file, 0o644);
    process.env.LOCKBOX_STORE_KEY_FILE = file;
    await expect(openStore(":memory:")).rejects.toThrow(/readable by others \(mode 644\)/);
    chmodSync(file, 0o600);
    const store = await openStore(":memory:");
    expect(store.keySource).toBe("LOCKBOX_STORE_KEY_FILE");
    store.close();
  });

  it("a store sealed under one key is refused, at open, under another", async () => {
    const path = join(tempDir(), "lockbox.db");
    (await openStore(path)).close();
    process.env.LOCKBOX_STORE_KEY = randomBytes(32).toString("hex");
    await expect(openStore(path)).rejects.toThrow(/sealed with another LOCKBOX_STORE_KEY/);
  });

  it("development mode uses the published key, and the lockbox command announces it on every start", async () => {
    delete process.env.LOCKBOX_STORE_KEY;
    process.env.LOCKBOX_DEV = "1";
    const store = await openStore(":memory:");
    expect(store.keySource).toBe("development");
    store.close();
    const env = { ...process.env };
    delete env.LOCKBOX_DEV;
    delete env.LOCKBOX_STORE_KEY;
    const dev = spawnSync("node_modules/.bin/tsx", ["tools/lockbox.ts", "--dev", "import", "--help"], { encoding: "utf8", env });
    expect(dev.status).toBe(0);
    expect(dev.stderr).toContain("DEVELOPMENT MODE");
    expect(dev.stderr).toContain("published development store key");
    const plain = spawnSync("node_modules/.bin/tsx", ["tools/lockbox.ts", "import", "--help"], { encoding: "utf8", env });
    expect(plain.stderr).not.toContain("DEVELOPMENT MODE");
  });
});
