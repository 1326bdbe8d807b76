/**
 * Secrets at rest in the store (issue 12): a column that holds a secret (an association's master
 * keys, an import source's bearer token or client secret) holds it sealed with AES-256-GCM
 * (NIST SP 800-38D) under the store key, which is never in the store: it comes from
 * LOCKBOX_STORE_KEY (64 hex digits), from the file named by LOCKBOX_STORE_KEY_FILE (64 hex digits,
 * readable by its owner only), or in development mode (simulator/dev-mode.ts) from a published
 * development key. A sealed value is
 *
 *   01 (format) ‖ nonce (12, random) ‖ ciphertext ‖ tag (16)
 *
 * with associated data "<table>.<column>:<row key>", so a value copied to another row or column
 * does not open. openStore() attaches the key to its connection; sealSecret/openSecret find it there.
 */
import type { Database } from "better-sqlite3";
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { developmentMode } from "../../dev-mode.ts";

/** Bytes of a store key (AES-256). */
export const STORE_KEY_SIZE = 32;
const FORMAT = 0x01;
const NONCE_SIZE = 12;
const TAG_SIZE = 16;
/** Published, so it protects nothing: development mode only. */
const DEV_STORE_KEY = "4c6f636b626f78206465762073746f7265206b65792c206e6f74206120736563"; // "Lockbox dev store key, not a sec"

/** The store key is missing, malformed, or not the key this store's secrets were sealed with. */
export class StoreKeyError extends Error {
  override name = "StoreKeyError";
}

/** Where a store key came from. */
export type StoreKeySource = "LOCKBOX_STORE_KEY" | "LOCKBOX_STORE_KEY_FILE" | "development";

function parseKey(hex: string, where: string): Uint8Array {
  const text = hex.trim();
  if (!/^[0-9a-fA-F]{64}$/.test(text)) throw new StoreKeyError(`${where} must be ${STORE_KEY_SIZE * 2} hex digits (a 256-bit key)`);
  return Uint8Array.from(Buffer.from(text, "hex"));
}

/** The store key from the environment (see the file comment); StoreKeyError when there is none. */
export function storeKeyFromEnvironment(): { key: Uint8Array; source: StoreKeySource } {
  const direct = process.env.LOCKBOX_STORE_KEY;
  const file = process.env.LOCKBOX_STORE_KEY_FILE;
  if (direct && file) throw new StoreKeyError("set LOCKBOX_STORE_KEY or LOCKBOX_STORE_KEY_FILE, not both");
  if (direct) return { key: parseKey(direct, "LOCKBOX_STORE_KEY"), source: "LOCKBOX_STORE_KEY" };
  if (file) {
    let mode: number;
    try {
      mode = statSync(file).mode;
    } catch {
      throw new StoreKeyError(`LOCKBOX_STORE_KEY_FILE ${file} cannot be read`);
    }
    if ((mode & 0o077) !== 0) throw new StoreKeyError(`LOCKBOX_STORE_KEY_FILE ${file} is readable by others (mode ${(mode & 0o777).toString(8)}): chmod 600 it`);
    return { key: parseKey(readFileSync(file, "utf8"), `the key in ${file}`), source: "LOCKBOX_STORE_KEY_FILE" };
  }
  if (developmentMode()) return { key: parseKey(DEV_STORE_KEY, "the development store key"), source: "development" };
  throw new StoreKeyError("the store seals its secrets with a key it does not keep: set LOCKBOX_STORE_KEY=<64 hex digits> or LOCKBOX_STORE_KEY_FILE=<file>, or run in development mode (lockbox --dev, LOCKBOX_DEV=1)");
}

const keys = new WeakMap<Database, Uint8Array>();

/** Gives connection `db` its store key (openStore does this before the migrations run). */
export function attachStoreKey(db: Database, key: Uint8Array): void {
  if (key.length !== STORE_KEY_SIZE) throw new StoreKeyError(`a store key is ${STORE_KEY_SIZE} bytes`);
  keys.set(db, key.slice());
}

function keyOf(db: Database): Uint8Array {
  const key = keys.get(db);
  if (!key) throw new StoreKeyError("this connection has no store key (open the store with openStore)");
  return key;
}

/** The associated data naming where a sealed value lives: "<table>.<column>:<row key>". */
export function secretContext(table: string, column: string, row: string | number): string {
  return `${table}.${column}:${row}`;
}

/** Seals `secret` for the column and row `context` names. */
export function sealSecret(db: Database, secret: Uint8Array | string, context: string): Uint8Array {
  const plain = typeof secret === "string" ? Buffer.from(secret, "utf8") : secret;
  const nonce = randomBytes(NONCE_SIZE);
  const cipher = createCipheriv("aes-256-gcm", keyOf(db), nonce, { authTagLength: TAG_SIZE });
  cipher.setAAD(Buffer.from(context, "utf8"));
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return new Uint8Array(Buffer.concat([Buffer.of(FORMAT), nonce, body, cipher.getAuthTag()]));
}

/** True when `value` has the shape of a sealed value (a plaintext master key is 16 bytes and never does). */
export function isSealed(value: Uint8Array): boolean {
  return value.length >= 1 + NONCE_SIZE + TAG_SIZE && value[0] === FORMAT;
}

/** Opens a sealed value of `context`; StoreKeyError when it does not open (another key, another row, altered). */
export function openSecret(db: Database, sealed: Uint8Array, context: string): Uint8Array {
  if (!isSealed(sealed)) throw new StoreKeyError(`${context} is not a sealed value`);
  const nonce = sealed.subarray(1, 1 + NONCE_SIZE);
  const tag = sealed.subarray(sealed.length - TAG_SIZE);
  const decipher = createDecipheriv("aes-256-gcm", keyOf(db), nonce, { authTagLength: TAG_SIZE });
  decipher.setAAD(Buffer.from(context, "utf8"));
  decipher.setAuthTag(tag);
  try {
    return new Uint8Array(Buffer.concat([decipher.update(sealed.subarray(1 + NONCE_SIZE, sealed.length - TAG_SIZE)), decipher.final()]));
  } catch {
    throw new StoreKeyError(`${context} does not open with this store key (another key, moved, or altered)`);
  }
}

/** openSecret for a text secret (tokens, client secrets). */
export function openSecretText(db: Database, sealed: Uint8Array, context: string): string {
  return Buffer.from(openSecret(db, sealed, context)).toString("utf8");
}

const CHECK_CONTEXT = secretContext("store_key_check", "sealed", 1);
const CHECK_TEXT = "lockbox store key check";

/**
 * Proves the attached key is this store's: the first open creates store_key_check and seals a
 * known text into it; every later open must open it, so a wrong key fails at start with a clear
 * error instead of at the first renewal.
 */
export function verifyStoreKey(db: Database): void {
  db.exec("CREATE TABLE IF NOT EXISTS store_key_check (id INTEGER PRIMARY KEY CHECK (id = 1), sealed BLOB NOT NULL) STRICT");
  const row = db.prepare("SELECT sealed FROM store_key_check WHERE id = 1").get() as { sealed: Uint8Array } | undefined;
  if (!row) {
    db.prepare("INSERT INTO store_key_check (id, sealed) VALUES (1, ?)").run(sealSecret(db, CHECK_TEXT, CHECK_CONTEXT));
    return;
  }
  try {
    if (openSecretText(db, row.sealed, CHECK_CONTEXT) === CHECK_TEXT) return;
  } catch {
    // reported below
  }
  throw new StoreKeyError("the store key does not open this store's secrets: it was sealed with another LOCKBOX_STORE_KEY");
}
