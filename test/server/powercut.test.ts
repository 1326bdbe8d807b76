/**
 * Durable before acknowledged (docs/ARCHITECTURE.md §6; issue 12): the upload a renewal stores must be on stable
 * storage before the card gets the receipt that frees its records. A child process runs a renewal
 * with the fsync shim preloaded (test/support/powercut.ts) and is killed the moment APPLY RECEIPT
 * leaves for the card; the store is then reopened as a power failure would leave it.
 */
import { describe, it, expect } from "vitest";
import { mkdtempSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStore } from "../../simulator/server/db/store.ts";
import { EVENT_OPENED } from "../../protocol/card/records.ts";
import { seedWorld } from "./fixture.ts";
import { newCard, lockboxWrites } from "./cards.ts";
import { powercutUnavailable, filesOf, runWatched, powerCut } from "../support/powercut.ts";

const T0 = Date.UTC(2026, 2, 10, 15, 0, 0) / 1000;
const SERIAL = 0x00bc614e;
const RECORDS = 20;
const unavailable = powercutUnavailable();

/** A store with a card holding RECORDS records, closed cleanly; returns the paths. */
async function prepared(): Promise<{ dbDir: string; dbPath: string; cardPath: string }> {
  const root = mkdtempSync(join(tmpdir(), "lockbox-powercut-test-"));
  const dbDir = join(root, "store");
  mkdirSync(dbDir);
  const dbPath = join(dbDir, "lockbox.db");
  const cardPath = join(root, "agent.card");
  const store = await openStore(dbPath);
  seedWorld(store.db);
  const card = newCard(store.db, "M1", SERIAL, T0);
  await lockboxWrites(store.db, card, SERIAL, Array.from({ length: RECORDS }, (_, i) => (
    { file: 1, lockboxId: 0x10, sequence: i + 1, utc: T0 + i, eventType: EVENT_OPENED, cardSerial: SERIAL })));
  card.saveTo(cardPath);
  store.close();
  return { dbDir, dbPath, cardPath };
}

/** Runs the renewal until the receipt leaves, cuts the power, and counts what the store kept. */
async function cutAtReceipt(synchronous?: "NORMAL"): Promise<{ events: number; uploads: number }> {
  const { dbDir, dbPath, cardPath } = await prepared();
  const before = filesOf(dbDir);
  const child = runWatched(dbDir, join(import.meta.dirname, "powercut-child.ts"), [dbPath, cardPath, ...(synchronous ? [synchronous] : [])]);
  expect(child.stderr).toBe("");
  expect(child.stdout).toContain("power cut as APPLY RECEIPT leaves for the card");
  expect(child.signal).toBe("SIGKILL");
  powerCut(dbDir, before);
  const store = await openStore(dbPath);
  try {
    const events = (store.db.prepare("SELECT COUNT(*) AS n FROM access_events").get() as { n: number }).n;
    const uploads = (store.db.prepare("SELECT COUNT(*) AS n FROM uploads").get() as { n: number }).n;
    return { events, uploads };
  } finally {
    store.close();
  }
}

describe.skipIf(unavailable)(`power cut when the receipt leaves for the card${unavailable ? ` (skipped: ${unavailable})` : ""}`, () => {
  it("the upload is on stable storage before APPLY RECEIPT goes out: every record survives", async () => {
    expect(await cutAtReceipt()).toEqual({ events: RECORDS, uploads: 1 });
  });

  it("every commit of the store is durable when it returns (imports, CARS codes, settings commit the same way)", async () => {
    const { dbDir, dbPath } = await prepared();
    const before = filesOf(dbDir);
    const child = runWatched(dbDir, join(import.meta.dirname, "powercut-commit-child.ts"), [dbPath]);
    expect(child.stdout).toContain("committed; power cut");
    expect(child.signal).toBe("SIGKILL");
    powerCut(dbDir, before);
    const store = await openStore(dbPath);
    expect(store.db.prepare("SELECT name FROM associations WHERE id = 'acknowledged'").get()).toEqual({ name: "committed just before the power cut" });
    store.close();
  });

  it("the model is strict enough to see the old loss: with synchronous=NORMAL the same cut loses the upload", async () => {
    expect(await cutAtReceipt("NORMAL")).toEqual({ events: 0, uploads: 0 });
  });
});
