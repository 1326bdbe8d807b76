/**
 * What a renewal reads from and writes to the store (docs/ARCHITECTURE.md §2 Renewal, §6 exactly-once): the
 * card's context (card, member, association keys), and the ONE transaction that stores an upload
 * with deduplication by (lockbox id, lockbox sequence), applies ownership and "settings applied"
 * events, records the renewal and signs the current denylist. Nothing here talks to the card.
 */
import type { Database } from "better-sqlite3";
import { EVENT_OWNERSHIP_TAKEN, EVENT_OWNERSHIP_RELEASED, EVENT_SETTINGS_APPLIED } from "../../protocol/card/records.ts";
import { ServerError } from "./errors.ts";
import { denylistKey, associationKeys, type AssociationKeys } from "./keys.ts";
import { signedDenylist } from "./denylist.ts";
import { deviceId, eventName, type UploadedRecord } from "./records.ts";

/** The card, its member and its association as a renewal needs them. */
export interface CardContext {
  serial: string;
  status: string;
  expiresAt: string;
  issueCounter: number;
  reactivationPending: boolean;
  memberId: number;
  memberStatus: string;
  memberKey: string;
  associationId: string;
  renewalPeriodDays: number;
  keys: AssociationKeys;
  /** The RENEW sent and not yet confirmed by the card (migration 013), or null. */
  pending: PendingRenewal | null;
}

/** A renewal whose RENEW the card has not confirmed yet. */
export interface PendingRenewal {
  renewalId: number;
  expiresAt: string;
  issueCounter: number;
}

interface ContextRow {
  serial: string; status: string; expires_at: string; issue_counter: number; reactivation_pending: number; member_id: number;
  member_status: string; member_key: string; association_id: string; renewal_period_days: number;
  pending_renewal_id: number | null; pending_expires_at: string | null; pending_issue_counter: number | null;
}

/** Loads a card's context; unknown-card when the serial is not issued here. */
export function loadCardContext(db: Database, serial: string): CardContext {
  const row = db.prepare(`
    SELECT c.serial, c.status, c.expires_at, c.issue_counter, c.reactivation_pending, c.member_id,
           m.status AS member_status, m.member_key, a.id AS association_id, a.renewal_period_days,
           c.pending_renewal_id, c.pending_expires_at, c.pending_issue_counter
    FROM cards c JOIN members m ON m.id = c.member_id JOIN associations a ON a.id = c.association_id
    WHERE c.serial = ?`).get(serial) as ContextRow | undefined;
  if (!row) throw new ServerError("unknown-card", `card ${serial} was not issued by this server`);
  const keys = associationKeys(db, row.association_id);
  if (!keys) throw new ServerError("unknown-association", `association ${row.association_id} has no card id or master keys`);
  return {
    serial: row.serial,
    status: row.status,
    expiresAt: row.expires_at,
    issueCounter: row.issue_counter,
    reactivationPending: row.reactivation_pending === 1,
    memberId: row.member_id,
    memberStatus: row.member_status,
    memberKey: row.member_key,
    associationId: row.association_id,
    renewalPeriodDays: row.renewal_period_days,
    keys,
    pending: row.pending_renewal_id === null ? null
      : { renewalId: row.pending_renewal_id, expiresAt: row.pending_expires_at!, issueCounter: row.pending_issue_counter! },
  };
}

/** Refuses a card that may not renew (docs/ARCHITECTURE.md §2): lost, deactivated, or its member not active. */
export function checkMayRenew(ctx: CardContext): void {
  if (ctx.status === "lost") throw new ServerError("card-lost", `card ${ctx.serial} is reported lost or stolen`);
  if (ctx.status !== "active") throw new ServerError("card-deactivated", `card ${ctx.serial} is deactivated; an administrator must reactivate it`);
  if (ctx.memberStatus !== "active") throw new ServerError("member-inactive", `member ${ctx.memberKey} is ${ctx.memberStatus}`);
}

/** A signed denylist (spec §3.9) and its version. */
export interface SignedDenylist {
  version: number;
  blob: Uint8Array;
}

/**
 * The association's current denylist: every lost or deactivated card that has not yet expired,
 * ascending by serial, at most `capacity` entries (those expiring last are kept: they matter
 * longest). A new version is signed and stored when the set differs from the newest stored one.
 * Call inside the renewal transaction.
 */
export function currentDenylist(db: Database, ctx: CardContext, nowIso: string, capacity: number): SignedDenylist {
  const rows = db.prepare(`
    SELECT serial, expires_at FROM cards
    WHERE association_id = ? AND status IN ('lost', 'deactivated') AND expires_at > ?
    ORDER BY expires_at DESC, serial LIMIT ?`).all(ctx.associationId, nowIso, capacity) as { serial: string; expires_at: string }[];
  rows.sort((a, b) => (a.serial < b.serial ? -1 : a.serial > b.serial ? 1 : 0));
  const latest = db.prepare("SELECT version, blob FROM denylist_versions WHERE association_id = ? ORDER BY version DESC LIMIT 1")
    .get(ctx.associationId) as { version: number; blob: Uint8Array } | undefined;
  const version = (latest?.version ?? 0) + 1;
  const body = signedDenylist(denylistKey(ctx.keys), version, rows.map((r) => [parseInt(r.serial, 16), Math.floor(Date.parse(r.expires_at) / 1000)] as const));
  if (latest && sameEntries(latest.blob, body)) return { version: latest.version, blob: new Uint8Array(latest.blob) };
  db.prepare("INSERT INTO denylist_versions (association_id, version, entries, blob, created_at) VALUES (?, ?, ?, ?, ?)")
    .run(ctx.associationId, version, rows.length, body, nowIso);
  return { version, blob: body };
}

function sameEntries(stored: Uint8Array, fresh: Uint8Array): boolean {
  if (stored.length !== fresh.length) return false;
  for (let i = 4; i < fresh.length - 16; i++) if (stored[i] !== fresh[i]) return false;
  return true;
}

/** What the renewal transaction stores. */
export interface RenewalInput {
  ctx: CardContext;
  /** The authorization the card holds now (read in this session): it settles a pending renewal. */
  cardHolds: { expiry: number; issueCounter: number };
  records: UploadedRecord[];
  receipt: Uint8Array;
  nowIso: string;
  newExpiryIso: string;
  issueCounter: number;
  denylistCapacity: number;
}

/** What it stored. */
export interface RenewalStored {
  uploadId: number;
  recordsNew: number;
  recordsDuplicate: number;
  kind: "renewal" | "reactivation";
  denylist: SignedDenylist;
  /** This renewal's row; confirmRenewal() takes it once the card answers RENEW. */
  renewalId: number;
  /** The earlier pending renewal this contact settled: confirmed (the card holds it) or never applied. */
  settled: { renewalId: number; confirmed: boolean } | null;
}

/**
 * Stores an upload and its renewal in ONE transaction (docs/ARCHITECTURE.md §6): every record not already
 * held is inserted (a record already held, from this card or another, is counted as duplicate),
 * new ownership records move the lockbox, new "settings applied" records close the staged
 * settings, an earlier pending renewal is settled, the new expiry and issue counter are recorded
 * as pending (confirmRenewal makes them the card's), and the denylist is brought current.
 * Either all of it is stored or, on any error, none of it.
 */
export function storeRenewal(db: Database, input: RenewalInput): RenewalStored {
  const { ctx } = input;
  return db.transaction((): RenewalStored => {
    // An administrator may have deactivated the card while its records were being read.
    const current = loadCardContext(db, ctx.serial);
    checkMayRenew(current);
    const settled = settlePending(db, current, input.cardHolds, input.nowIso);
    const upload = db.prepare(`INSERT INTO uploads (card_serial, at, records_received, records_new, records_duplicate, receipt)
      VALUES (?, ?, ?, 0, 0, ?)`).run(ctx.serial, input.nowIso, input.records.length, input.receipt);
    const uploadId = Number(upload.lastInsertRowid);
    const insert = db.prepare(`INSERT INTO access_events
      (lockbox_id, lockbox_seq, utc, at, event_type, event, reason, card_serial, payload, mac, file, carried_by, upload_id, listing_id)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, (SELECT listing_id FROM lockboxes WHERE id = ?)) ON CONFLICT (lockbox_id, lockbox_seq) DO NOTHING`);
    let fresh = 0;
    for (const r of input.records) {
      const added = insert.run(deviceId(r.lockboxId), r.sequence, r.utc, new Date(r.utc * 1000).toISOString(), r.eventType, eventName(r.eventType),
        r.reason, deviceId(r.cardSerial), r.payload, r.mac, r.file, ctx.serial, uploadId, deviceId(r.lockboxId)).changes;
      if (added === 0) continue;
      fresh++;
      applySideEffects(db, r, input.nowIso);
    }
    db.prepare("UPDATE uploads SET records_new = ?, records_duplicate = ? WHERE id = ?").run(fresh, input.records.length - fresh, uploadId);
    const denylist = currentDenylist(db, ctx, input.nowIso, input.denylistCapacity);
    const kind = ctx.reactivationPending ? "reactivation" : "renewal";
    const previous = db.prepare("SELECT expires_at FROM cards WHERE serial = ?").get(ctx.serial) as { expires_at: string };
    const renewalId = Number(db.prepare(`INSERT INTO renewals (card_serial, upload_id, at, previous_expiry, new_expiry, issue_counter, kind, denylist_version)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)`).run(ctx.serial, uploadId, input.nowIso, previous.expires_at, input.newExpiryIso, input.issueCounter, kind, denylist.version).lastInsertRowid);
    // The expiry in force stays the card's until the card confirms RENEW (confirmRenewal).
    db.prepare(`UPDATE cards SET pending_renewal_id = ?, pending_expires_at = ?, pending_issue_counter = ?, reactivation_pending = 0 WHERE serial = ?`)
      .run(renewalId, input.newExpiryIso, input.issueCounter, ctx.serial);
    return { uploadId, recordsNew: fresh, recordsDuplicate: input.records.length - fresh, kind, denylist, renewalId, settled };
  })();
}

/**
 * Settles the card's pending renewal from the authorization it holds now: the same issue counter
 * and expiry mean it took that RENEW (its answer was lost), so the renewal is confirmed; anything
 * else means it never got it, and the pending mark goes (that renewal stays unconfirmed).
 */
function settlePending(db: Database, ctx: CardContext, holds: { expiry: number; issueCounter: number }, nowIso: string): { renewalId: number; confirmed: boolean } | null {
  const p = ctx.pending;
  if (!p) return null;
  const confirmed = holds.issueCounter === p.issueCounter && holds.expiry === Date.parse(p.expiresAt) / 1000;
  if (confirmed) applyConfirmation(db, ctx.serial, p.renewalId, nowIso);
  else db.prepare("UPDATE cards SET pending_renewal_id = NULL, pending_expires_at = NULL, pending_issue_counter = NULL WHERE serial = ?").run(ctx.serial);
  return { renewalId: p.renewalId, confirmed };
}

function applyConfirmation(db: Database, serial: string, renewalId: number, nowIso: string): void {
  const moved = db.prepare(`UPDATE cards SET expires_at = pending_expires_at, issue_counter = pending_issue_counter,
      last_renewed_at = (SELECT at FROM renewals WHERE id = ?), pending_renewal_id = NULL, pending_expires_at = NULL, pending_issue_counter = NULL
    WHERE serial = ? AND pending_renewal_id = ?`).run(renewalId, serial, renewalId).changes;
  if (moved === 0) throw new Error(`card ${serial} has no pending renewal ${renewalId}`);
  db.prepare("UPDATE renewals SET confirmed_at = ? WHERE id = ?").run(nowIso, renewalId);
}

/**
 * The card answered RENEW with 9000: the renewal's expiry and issue counter are now the card's, so
 * they become the ones in force (one transaction, durable before the renewal goes on).
 */
export function confirmRenewal(db: Database, serial: string, renewalId: number, nowIso: string): void {
  db.transaction(() => applyConfirmation(db, serial, renewalId, nowIso))();
}

function mlsNumber(payload: Uint8Array): string {
  const end = payload.indexOf(0);
  return Buffer.from(payload.subarray(0, end < 0 ? payload.length : end)).toString("latin1");
}

/** Ownership and "settings applied" records change the lockbox they came from (spec §4.1). */
function applySideEffects(db: Database, r: UploadedRecord, nowIso: string): void {
  const box = deviceId(r.lockboxId);
  if (r.eventType === EVENT_SETTINGS_APPLIED) {
    const version = ((r.payload[0] << 24) | (r.payload[1] << 16) | (r.payload[2] << 8) | r.payload[3]) >>> 0;
    db.prepare("UPDATE staged_settings SET applied_at = ? WHERE lockbox_id = ? AND version <= ? AND applied_at IS NULL").run(nowIso, box, version);
    return;
  }
  if (r.eventType !== EVENT_OWNERSHIP_TAKEN && r.eventType !== EVENT_OWNERSHIP_RELEASED) return;
  const card = db.prepare("SELECT member_id, association_id FROM cards WHERE serial = ?").get(deviceId(r.cardSerial)) as { member_id: number; association_id: string } | undefined;
  if (!card) return;
  // A box the server has not seen yet is one of the card's association (its record's MAC says so).
  db.prepare("INSERT INTO lockboxes (id, association_id, created_at) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING").run(box, card.association_id, nowIso);
  const lockbox = db.prepare("SELECT association_id FROM lockboxes WHERE id = ?").get(box) as { association_id: string };
  const mls = mlsNumber(r.payload);
  if (r.eventType === EVENT_OWNERSHIP_TAKEN) {
    const listing = db.prepare("SELECT id FROM listings WHERE association_id = ? AND listing_id = ? AND deleted = 0").get(lockbox.association_id, mls) as { id: number } | undefined;
    db.prepare("UPDATE lockboxes SET owner_member_id = ?, listing_id = ?, pending_listing_mls_id = ? WHERE id = ?")
      .run(card.member_id, listing?.id ?? null, listing ? null : mls, box);
    db.prepare("INSERT INTO lockbox_ownership_history (lockbox_id, owner_member_id, listing_id, source, reason, at) VALUES (?, ?, ?, 'card', ?, ?)")
      .run(box, card.member_id, listing?.id ?? null, `ownership taken for MLS# ${mls} (record ${r.sequence})`, nowIso);
  } else {
    db.prepare("UPDATE lockboxes SET listing_id = NULL, pending_listing_mls_id = NULL WHERE id = ?").run(box);
    db.prepare("INSERT INTO lockbox_ownership_history (lockbox_id, owner_member_id, listing_id, source, reason, at) VALUES (?, ?, NULL, 'card', ?, ?)")
      .run(box, card.member_id, `released from listing (record ${r.sequence})`, nowIso);
  }
}

/**
 * Per lockbox (up to `max`, most recently heard from first), the sequence number below which the
 * server holds every record (spec §3.5 ack marks). Lockbox sequences start at 1; a lockbox whose
 * record 1 the server lacks is acknowledged below 1 (nothing).
 */
export function ackMarks(db: Database, lockboxIds: number[], max: number): { lockboxId: number; ackedBelow: number }[] {
  const firstGap = db.prepare(`
    SELECT COALESCE((SELECT MIN(a.lockbox_seq) + 1 FROM access_events a
      WHERE a.lockbox_id = @id AND NOT EXISTS (SELECT 1 FROM access_events b WHERE b.lockbox_id = @id AND b.lockbox_seq = a.lockbox_seq + 1)), 1) AS gap,
      (SELECT MIN(lockbox_seq) FROM access_events WHERE lockbox_id = @id) AS first`);
  return lockboxIds.slice(0, max).map((id) => {
    const row = firstGap.get({ id: deviceId(id) }) as { gap: number; first: number | null };
    return { lockboxId: id, ackedBelow: row.first === 1 ? row.gap : 1 };
  });
}

/**
 * Staged settings waiting for the lockboxes this member owns: the newest version per lockbox not
 * yet reported applied.
 */
export function pendingSettings(db: Database, memberId: number): { lockboxId: string; version: number; settings: string }[] {
  return db.prepare(`
    SELECT s.lockbox_id AS lockboxId, s.version, s.settings FROM staged_settings s JOIN lockboxes l ON l.id = s.lockbox_id
    WHERE l.owner_member_id = ? AND s.applied_at IS NULL
      AND s.version = (SELECT MAX(version) FROM staged_settings WHERE lockbox_id = s.lockbox_id)
    ORDER BY s.lockbox_id`).all(memberId) as { lockboxId: string; version: number; settings: string }[];
}
