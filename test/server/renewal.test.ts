import { beforeEach, describe, expect, it } from "vitest";
import type { Database } from "better-sqlite3";
import { openStore } from "../../simulator/server/db/store.ts";
import { runRenewal, type RenewalEnv } from "../../simulator/server/renewal.ts";
import { stageSettings, registerLockbox } from "../../simulator/server/admin.ts";
import { EVENT_OPENED, EVENT_DENIED, EVENT_OWNERSHIP_TAKEN, EVENT_SETTINGS_APPLIED } from "../../protocol/card/records.ts";
import { seedWorld } from "./fixture.ts";
import { newCard, direct, lockboxWrites, readBack, nextChallenge, sealed, type TestRecord } from "./cards.ts";
import { lockboxAuditKey } from "../../simulator/server/keys.ts";
import { masterKeys } from "./fixture.ts";

const T0 = Date.UTC(2026, 2, 10, 15, 0, 0) / 1000;
const A = 0x00bc614e;
const B = 0x00bc614f;
const BOX1 = 0x0001e240;
const BOX2 = 0x0001e241;
let db: Database;
let clock: number;
const env: RenewalEnv = { now: () => clock, randomBytes: nextChallenge };

beforeEach(async () => {
  clock = T0;
  db = (await openStore(":memory:")).db;
  seedWorld(db, { renewalDays: 7 });
});

/** Card A's visit: three own accesses at BOX1, and two carried records of card B at BOX2. */
function visitRecords(): TestRecord[] {
  return [
    { file: 1, lockboxId: BOX1, sequence: 1, utc: T0 + 60, eventType: EVENT_OPENED, cardSerial: A },
    { file: 1, lockboxId: BOX1, sequence: 2, utc: T0 + 120, eventType: EVENT_DENIED, cardSerial: A, reason: 3 },
    { file: 1, lockboxId: BOX1, sequence: 3, utc: T0 + 180, eventType: EVENT_OPENED, cardSerial: A },
    { file: 2, lockboxId: BOX2, sequence: 5, utc: T0 - 600, eventType: EVENT_OPENED, cardSerial: B },
    { file: 2, lockboxId: BOX2, sequence: 6, utc: T0 - 300, eventType: EVENT_OPENED, cardSerial: B },
  ];
}

function events(): { lockbox_id: string; lockbox_seq: number; utc: number; event_type: number; reason: number; card_serial: string; file: number; mac: string }[] {
  return db.prepare("SELECT lockbox_id, lockbox_seq, utc, event_type, reason, card_serial, file, hex(mac) AS mac FROM access_events ORDER BY lockbox_id, lockbox_seq").all() as never;
}

const hex8 = (n: number) => n.toString(16).padStart(8, "0");

describe("renewal protocol, card emulator in process", () => {
  it("uploads every record, stores it as written, frees the card and writes the new authorization", async () => {
    const card = newCard(db, "M1", A, T0);
    const recs = visitRecords();
    await lockboxWrites(db, card, A, recs);
    clock = T0 + 3600;
    const phases: string[] = [];
    const out = await runRenewal(db, env, direct(card), (p) => phases.push(p));
    expect(out).toMatchObject({ serial: hex8(A), kind: "renewal", recordsUploaded: 5, recordsNew: 5, recordsDuplicate: 0, denylistVersion: 1 });
    expect(out.expiresAt).toBe(new Date((clock + 7 * 86400) * 1000).toISOString());
    expect(new Set(phases)).toEqual(new Set(["authenticate", "upload", "store", "write"]));
    const keys = masterKeys(db);
    expect(events()).toEqual(recs.map((r) => ({
      lockbox_id: hex8(r.lockboxId), lockbox_seq: r.sequence, utc: r.utc, event_type: r.eventType, reason: r.reason ?? 0, card_serial: hex8(r.cardSerial), file: r.file,
      mac: Buffer.from(sealed(r, lockboxAuditKey(keys, r.lockboxId)).subarray(30)).toString("hex").toUpperCase(),
    })));
    const view = await readBack(db, card, A);
    expect(view.authorization.expiry).toBe(clock + 7 * 86400);
    expect(view.authorization.issueCounter).toBe(2);
    for (let f = 0; f < 4; f++) expect(view.cursor.first[f]).toBe(view.cursor.next[f]);
    expect(view.cursor.next[0]).toBe(3);
    expect(view.cursor.next[1]).toBe(2);
    expect(view.serverTime.serverTime).toBe(clock);
    const marks = new Map<number, number>();
    for (let i = 0; i < view.serverTime.count; i++) marks.set(view.serverTime.lockboxIds[i], view.serverTime.ackedBelow[i]);
    expect(marks).toEqual(new Map([[BOX1, 4], [BOX2, 1]]));
    expect(view.denylistVersion).toBe(1);
    const card_ = db.prepare("SELECT expires_at, issue_counter FROM cards WHERE serial = ?").get(hex8(A));
    expect(card_).toEqual({ expires_at: out.expiresAt, issue_counter: 2 });
  });

  it("an expired card renews normally; a second renewal uploads nothing new", async () => {
    const card = newCard(db, "M1", A, T0);
    await lockboxWrites(db, card, A, visitRecords().slice(0, 1));
    clock = T0 + 30 * 86400;
    expect((await runRenewal(db, env, direct(card))).recordsNew).toBe(1);
    clock += 60;
    const again = await runRenewal(db, env, direct(card));
    expect(again).toMatchObject({ recordsUploaded: 0, recordsNew: 0, kind: "renewal" });
    expect((await readBack(db, card, A)).authorization.issueCounter).toBe(3);
    expect(db.prepare("SELECT COUNT(*) AS n FROM renewals").get()).toEqual({ n: 2 });
  });

  it("stores a record carried by two cards once", async () => {
    const a = newCard(db, "M1", A, T0);
    const b = newCard(db, "M2", B, T0);
    const shared: TestRecord = { file: 2, lockboxId: BOX2, sequence: 9, utc: T0 + 5, eventType: EVENT_OPENED, cardSerial: 0x777 };
    await lockboxWrites(db, a, A, [shared]);
    await lockboxWrites(db, b, B, [shared, { ...shared, sequence: 10 }]);
    expect((await runRenewal(db, env, direct(a))).recordsNew).toBe(1);
    expect(await runRenewal(db, env, direct(b))).toMatchObject({ recordsUploaded: 2, recordsNew: 1, recordsDuplicate: 1 });
    expect(events().map((e) => e.lockbox_seq)).toEqual([9, 10]);
  });

  it("applies ownership and settings-applied records, then stages the owner's pending settings", async () => {
    const card = newCard(db, "M1", A, T0);
    registerLockbox(db, hex8(BOX1), "assoc-1", T0);
    const mls = new Uint8Array(12);
    mls.set(Buffer.from("L1"));
    await lockboxWrites(db, card, A, [{ file: 3, lockboxId: BOX1, sequence: 1, utc: T0 + 1, eventType: EVENT_OWNERSHIP_TAKEN, cardSerial: A, payload: mls }]);
    await runRenewal(db, env, direct(card));
    expect(db.prepare("SELECT l.listing_id, m.member_key FROM lockboxes b JOIN listings l ON l.id = b.listing_id JOIN members m ON m.id = b.owner_member_id WHERE b.id = ?").get(hex8(BOX1)))
      .toEqual({ listing_id: "L1", member_key: "M1" });
    stageSettings(db, hex8(BOX1), { startMinute: 480, endMinute: 1080 }, T0);
    const out = await runRenewal(db, env, direct(card));
    expect(out.settingsStaged).toBe(1);
    const staged = await (await readBack(db, card, A)).stagedFor(BOX1);
    expect(staged && Buffer.from(staged.subarray(1, 9)).toString("hex")).toBe(hex8(BOX1) + "00000001");
    await lockboxWrites(db, card, A, [{ file: 4, lockboxId: BOX1, sequence: 2, utc: T0 + 9, eventType: EVENT_SETTINGS_APPLIED, cardSerial: A, payload: Uint8Array.of(0, 0, 0, 1) }]);
    expect((await runRenewal(db, env, direct(card))).settingsStaged).toBe(0);
    expect(db.prepare("SELECT applied_at IS NOT NULL AS applied FROM staged_settings").get()).toEqual({ applied: 1 });
    // Ownership of a box the server has never seen registers it in the card's association.
    await lockboxWrites(db, card, A, [{ file: 3, lockboxId: BOX2, sequence: 1, utc: T0 + 20, eventType: EVENT_OWNERSHIP_TAKEN, cardSerial: A, payload: mls }]);
    await runRenewal(db, env, direct(card));
    expect(db.prepare("SELECT b.association_id, m.member_key FROM lockboxes b JOIN members m ON m.id = b.owner_member_id WHERE b.id = ?").get(hex8(BOX2)))
      .toEqual({ association_id: "assoc-1", member_key: "M1" });
  });

  it("puts deactivated and lost cards on the next denylist until they would have expired", async () => {
    const a = newCard(db, "M1", A, T0);
    newCard(db, "M2", B, T0);
    db.prepare("UPDATE cards SET status = 'lost' WHERE serial = ?").run(hex8(B));
    expect((await runRenewal(db, env, direct(a))).denylistVersion).toBe(1);
    const blob = db.prepare("SELECT blob, entries FROM denylist_versions WHERE version = 1").get() as { blob: Uint8Array; entries: number };
    expect(blob.entries).toBe(1);
    expect(Buffer.from(blob.blob.subarray(6, 14)).toString("hex")).toBe(hex8(B) + hex8(T0 + 7 * 86400));
    expect((await runRenewal(db, env, direct(a))).denylistVersion).toBe(1);
    clock = T0 + 8 * 86400;
    expect((await runRenewal(db, env, direct(a))).denylistVersion).toBe(2);
    expect((await readBack(db, a, A)).denylistVersion).toBe(2);
  });
});
