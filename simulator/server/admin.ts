/**
 * The association administrator's operations on the store (docs/ARCHITECTURE.md §2; API.md §Cards,
 * §Lockboxes): provisioning an association's card id and master keys, issuing cards with a PIN
 * verifier, deactivating, reporting lost, reactivating (recorded, and the next renewal is recorded
 * as a reactivation), registering lockboxes, staging settings, and reading card status and access
 * logs. Each operation is one transaction.
 */
import type { Database } from "better-sqlite3";
import { randomBytes, timingSafeEqual } from "node:crypto";
import { ServerError } from "./errors.ts";
import { deviceId } from "./records.ts";
import { DEFAULT_SETTINGS, mergeSettings, type LockboxSettings } from "./settings.ts";
import { daysLeft } from "./cars-policy.ts";
import { pinVerifier, type PinKdf } from "./pin-kdf.ts";
import { associationKeys, storeAssociationKeys } from "./keys.ts";
import { issueCard } from "../card/issue.ts";
import { parseTzRule, TzRule, localDay } from "../../protocol/time/tz.ts";
import { CivilDate, civilFromDays, dayNumber } from "../../protocol/time/civil.ts";
import { ROLE_AGENT } from "../../protocol/card/layouts.ts";

/** Gives an association its card id and fresh random master keys, unless it has them already. */
export function provisionAssociation(db: Database, associationId: string, cardId: number): void {
  const row = db.prepare("SELECT card_id FROM associations WHERE id = ?").get(associationId) as { card_id: number | null } | undefined;
  if (!row) throw new ServerError("unknown-association", `no association ${associationId}`);
  if (row.card_id !== null) return;
  const holder = db.prepare("SELECT id FROM associations WHERE card_id = ?").get(cardId) as { id: string } | undefined;
  if (holder) throw new ServerError("conflict", `card id ${cardId} belongs to association ${holder.id}`);
  storeAssociationKeys(db, associationId, { cardId, cardAuthMaster: randomBytes(16), serverMaster: randomBytes(16), auditMaster: randomBytes(16) });
}

/** A card as the API shows it (API.md §Cards). */
export interface CardStatusView {
  serial: string;
  association: string;
  memberKey: string;
  memberStatus: string;
  status: string;
  expiresAt: string;
  daysLeft: number;
  issuedAt: string;
  lastRenewedAt: string | null;
  deactivatedAt: string | null;
  reactivatedAt: string | null;
  reactivationPending: boolean;
  carsCodesThisMonth: number;
  pinFailures: number;
  /**
   * A renewal whose RENEW the card has not confirmed (it may have been pulled): its expiry, and when
   * it was stored. Until the card's next contact settles it, `expiresAt` stays the card's.
   */
  renewalPending: { expiresAt: string; since: string } | null;
}

/** A PIN verifier and its salt, as the cards table keeps them. */
export interface PinRecord {
  salt: Uint8Array;
  verifier: Uint8Array;
}

/** Checks a new card's PIN and serial request before any work is spent on them. */
export function checkNewCard(pin: string, serial?: number): void {
  if (!/^[0-9]{4,12}$/.test(pin)) throw new ServerError("bad-request", "PIN must be 4..12 digits");
  // Serial 0 means "no card" on lockbox records and owner fields (protocol/SPEC.md Lockbox §2.3).
  if (serial === 0) throw new ServerError("bad-request", "card serial 00000000 is reserved (it means no card); give another or none");
}

/**
 * Issues a card to an active member: a fresh serial (or `serial`), a PIN verifier, expiry one
 * renewal period out. `pinRecord` is the verifier computed by the caller (the server's bounded
 * PinKdf); without it the verifier is computed here.
 */
export function issueCardRecord(db: Database, associationId: string, memberKey: string, pin: string, nowUtc: number, serial?: number, pinRecord?: PinRecord): { serial: string; expiresAt: string } {
  checkNewCard(pin, serial);
  return db.transaction(() => {
    const member = db.prepare("SELECT m.id, m.status, a.renewal_period_days, a.card_id FROM members m JOIN associations a ON a.id = m.association_id WHERE m.association_id = ? AND m.member_key = ?")
      .get(associationId, memberKey) as { id: number; status: string; renewal_period_days: number; card_id: number | null } | undefined;
    if (!member) throw new ServerError("unknown-member", `no member ${memberKey} in association ${associationId}`);
    if (member.status !== "active") throw new ServerError("member-inactive", `member ${memberKey} is ${member.status}`);
    if (member.card_id === null) throw new ServerError("unknown-association", `association ${associationId} is not provisioned for cards`);
    if (serial !== undefined && db.prepare("SELECT 1 FROM cards WHERE serial = ?").get(deviceId(serial))) {
      throw new ServerError("conflict", `card ${deviceId(serial)} already exists`);
    }
    let id = serial ?? 0;
    while (id === 0 || db.prepare("SELECT 1 FROM cards WHERE serial = ?").get(deviceId(id))) id = randomBytes(4).readUInt32BE(0);
    const salt = pinRecord?.salt ?? randomBytes(16);
    const verifier = pinRecord?.verifier ?? pinVerifier(pin, salt);
    const expiresAt = new Date((nowUtc + member.renewal_period_days * 86400) * 1000).toISOString();
    db.prepare(`INSERT INTO cards (serial, association_id, member_id, status, expires_at, issued_at, pin_salt, pin_verifier)
      VALUES (?, ?, ?, 'active', ?, ?, ?, ?)`).run(deviceId(id), associationId, member.id, expiresAt, iso(nowUtc), salt, verifier);
    return { serial: deviceId(id), expiresAt };
  })();
}

/**
 * Personalizes the emulated chip of an issued card (simulator/card/issue.ts) and saves it as a card
 * file at `path`: the keys are diversified from the association's masters inside the issuing call
 * and leave the server only inside the sealed card file, as they would at a card bureau.
 */
export function personalizeCard(db: Database, serial: string, pin: string, path: string): void {
  const r = db.prepare(`SELECT c.expires_at, c.issue_counter, c.association_id, m.member_key, m.member_mls_id
    FROM cards c JOIN members m ON m.id = c.member_id WHERE c.serial = ?`).get(serial) as
    { expires_at: string; issue_counter: number; association_id: string; member_key: string; member_mls_id: string | null } | undefined;
  if (!r) throw new ServerError("unknown-card", `no card ${serial}`);
  const keys = associationKeys(db, r.association_id);
  if (!keys) throw new ServerError("unknown-association", `association ${r.association_id} is not provisioned for cards`);
  issueCard({
    cardSerial: parseInt(serial, 16), associationId: keys.cardId, roleFlags: ROLE_AGENT, memberKey: r.member_key.slice(0, 24), mlsId: (r.member_mls_id ?? "").slice(0, 16),
    cardAuthMaster: keys.cardAuthMaster, serverMaster: keys.serverMaster, pin, expiry: Math.floor(Date.parse(r.expires_at) / 1000), issueCounter: Math.max(1, r.issue_counter),
  }, { path });
}

function iso(utc: number): string {
  return new Date(utc * 1000).toISOString();
}

/**
 * Checks a PIN against the card's verifier (CARS requests). The try is charged before the verifier
 * is derived, in one atomic UPDATE, so concurrent guesses cannot exceed `maxFailures` between them;
 * a right PIN gives the tries back. At `maxFailures` the card is pin-locked until an administrator
 * unlocks it.
 */
export async function checkPin(db: Database, serial: string, pin: string, maxFailures: number, kdf: PinKdf): Promise<void> {
  const row = db.prepare("SELECT pin_salt, pin_verifier FROM cards WHERE serial = ?").get(serial) as
    { pin_salt: Uint8Array | null; pin_verifier: Uint8Array | null } | undefined;
  if (!row) throw new ServerError("unknown-card", `no card ${serial}`);
  const charged = db.prepare("UPDATE cards SET pin_failures = pin_failures + 1 WHERE serial = ? AND pin_failures < ? RETURNING pin_failures")
    .get(serial, maxFailures) as { pin_failures: number } | undefined;
  if (!charged) throw new ServerError("pin-locked", `too many wrong PINs for card ${serial}; an administrator must unlock it`);
  let ok = false;
  if (row.pin_salt !== null && row.pin_verifier !== null && /^[0-9]{4,12}$/.test(pin)) {
    try {
      ok = timingSafeEqual(await kdf.verifier(pin, row.pin_salt), row.pin_verifier);
    } catch (err) {
      // Not evaluated (server busy): the try is given back.
      db.prepare("UPDATE cards SET pin_failures = MAX(pin_failures - 1, 0) WHERE serial = ?").run(serial);
      throw err;
    }
  }
  if (!ok) throw new ServerError("pin-wrong", `wrong PIN for card ${serial} (${maxFailures - charged.pin_failures} tries left)`);
  db.prepare("UPDATE cards SET pin_failures = 0 WHERE serial = ?").run(serial);
}

/** Deactivates a card or reports it lost (it goes on the denylist until it would have expired). */
export function deactivateCard(db: Database, serial: string, lost: boolean, nowUtc: number): void {
  const changes = db.prepare("UPDATE cards SET status = ?, deactivated_at = ?, reactivation_pending = 0 WHERE serial = ?")
    .run(lost ? "lost" : "deactivated", iso(nowUtc), serial).changes;
  if (changes === 0) throw new ServerError("unknown-card", `no card ${serial}`);
}

/** An administrator's reactivation: the card may renew again, and that renewal is recorded as a reactivation. */
export function reactivateCard(db: Database, serial: string, nowUtc: number): void {
  const row = db.prepare("SELECT status FROM cards WHERE serial = ?").get(serial) as { status: string } | undefined;
  if (!row) throw new ServerError("unknown-card", `no card ${serial}`);
  if (row.status === "active") throw new ServerError("conflict", `card ${serial} is active`);
  db.prepare("UPDATE cards SET status = 'active', reactivated_at = ?, reactivation_pending = 1, pin_failures = 0 WHERE serial = ?").run(iso(nowUtc), serial);
}

/** Clears the CARS PIN lock after the administrator checked the agent's identity. */
export function unlockPin(db: Database, serial: string): void {
  if (db.prepare("UPDATE cards SET pin_failures = 0 WHERE serial = ?").run(serial).changes === 0) throw new ServerError("unknown-card", `no card ${serial}`);
}

/** A card's status for the API. */
export function cardStatus(db: Database, serial: string, nowUtc: number): CardStatusView {
  const r = db.prepare(`SELECT c.*, m.member_key, m.status AS member_status FROM cards c JOIN members m ON m.id = c.member_id WHERE c.serial = ?`).get(serial) as
    Record<string, string | number | null> | undefined;
  if (!r) throw new ServerError("unknown-card", `no card ${serial}`);
  const tz = db.prepare("SELECT a.tz_rule FROM cards c JOIN associations a ON a.id = c.association_id WHERE c.serial = ?").get(serial) as { tz_rule: string };
  const { today, monthStart } = localMonth(associationTzRule(tz.tz_rule), nowUtc);
  const cars = db.prepare("SELECT COUNT(*) AS n FROM cars_codes WHERE card_serial = ? AND local_day BETWEEN ? AND ?").get(serial, monthStart, today) as { n: number };
  return {
    serial, association: String(r.association_id), memberKey: String(r.member_key), memberStatus: String(r.member_status), status: String(r.status),
    expiresAt: String(r.expires_at), daysLeft: daysLeft(Date.parse(String(r.expires_at)) / 1000, nowUtc), issuedAt: String(r.issued_at),
    lastRenewedAt: r.last_renewed_at as string | null, deactivatedAt: r.deactivated_at as string | null, reactivatedAt: r.reactivated_at as string | null,
    reactivationPending: r.reactivation_pending === 1, carsCodesThisMonth: cars.n, pinFailures: Number(r.pin_failures),
    renewalPending: r.pending_renewal_id === null ? null : {
      expiresAt: String(r.pending_expires_at),
      since: (db.prepare("SELECT at FROM renewals WHERE id = ?").get(r.pending_renewal_id) as { at: string }).at,
    },
  };
}

/** An association's stored POSIX TZ rule, parsed (protocol/SPEC.md Time); a rule that does not parse is a bug in what was stored. */
export function associationTzRule(tzRule: string): TzRule {
  const rule = new TzRule();
  const text = Buffer.from(tzRule, "latin1");
  if (parseTzRule(text, 0, text.length, rule) < 0) throw new Error(`association TZ rule '${tzRule}' does not parse`);
  return rule;
}

/** Today's local day and the first local day of its calendar month under `rule`. */
export function localMonth(rule: TzRule, nowUtc: number): { today: number; monthStart: number } {
  const today = localDay(rule, nowUtc >>> 0);
  const date = civilFromDays(today, new CivilDate());
  return { today, monthStart: dayNumber(date.year, date.month, 1) };
}

/** Registers a lockbox of an association (idempotent for the same association). */
export function registerLockbox(db: Database, lockboxId: string, associationId: string, nowUtc: number): void {
  if (!db.prepare("SELECT 1 FROM associations WHERE id = ?").get(associationId)) throw new ServerError("unknown-association", `no association ${associationId}`);
  const row = db.prepare("SELECT association_id FROM lockboxes WHERE id = ?").get(lockboxId) as { association_id: string } | undefined;
  if (row && row.association_id !== associationId) throw new ServerError("conflict", `lockbox ${lockboxId} belongs to ${row.association_id}`);
  if (!row) db.prepare("INSERT INTO lockboxes (id, association_id, created_at) VALUES (?, ?, ?)").run(lockboxId, associationId, iso(nowUtc));
}

/** The settings in force or staged last for a lockbox, and its version. */
export function lockboxSettings(db: Database, lockboxId: string): { version: number; settings: LockboxSettings; appliedAt: string | null } {
  if (!db.prepare("SELECT 1 FROM lockboxes WHERE id = ?").get(lockboxId)) throw new ServerError("unknown-lockbox", `no lockbox ${lockboxId}`);
  const row = db.prepare("SELECT version, settings, applied_at FROM staged_settings WHERE lockbox_id = ? ORDER BY version DESC LIMIT 1").get(lockboxId) as
    { version: number; settings: string; applied_at: string | null } | undefined;
  return row ? { version: row.version, settings: JSON.parse(row.settings) as LockboxSettings, appliedAt: row.applied_at } : { version: 0, settings: DEFAULT_SETTINGS, appliedAt: null };
}

/** Stages new settings (a partial update over the last) for the owner's card to carry at renewal. */
export function stageSettings(db: Database, lockboxId: string, update: Partial<LockboxSettings>, nowUtc: number): { version: number; settings: LockboxSettings } {
  return db.transaction(() => {
    const current = lockboxSettings(db, lockboxId);
    const settings = mergeSettings(current.settings, update);
    const version = current.version + 1;
    db.prepare("INSERT INTO staged_settings (lockbox_id, version, settings, staged_at) VALUES (?, ?, ?, ?)").run(lockboxId, version, JSON.stringify(settings), iso(nowUtc));
    return { version, settings };
  })();
}

/** One access-log entry (API.md §Access log). */
export interface AccessLogEntry {
  at: string;
  lockbox: string;
  sequence: number;
  event: string;
  reason: number;
  card: string;
  agent: string | null;
  listing: string | null;
  carriedBy: string;
}

/** The access log of a listing (by ListingId), a lockbox or an agent (by MemberKey), newest first. */
export function accessLog(db: Database, by: "listing" | "lockbox" | "agent", key: string, limit: number): AccessLogEntry[] {
  const where = by === "lockbox" ? "e.lockbox_id = ?" : by === "agent" ? "m.member_key = ?" : "l.listing_id = ?";
  return db.prepare(`
    SELECT e.at, e.lockbox_id AS lockbox, e.lockbox_seq AS sequence, e.event, e.reason, e.card_serial AS card,
           m.member_key AS agent, l.listing_id AS listing, e.carried_by AS carriedBy
    FROM access_events e
    LEFT JOIN cards c ON c.serial = e.card_serial
    LEFT JOIN members m ON m.id = c.member_id
    LEFT JOIN listings l ON l.id = e.listing_id
    WHERE ${where}
    ORDER BY e.utc DESC, e.lockbox_seq DESC LIMIT ?`).all(key, limit) as AccessLogEntry[];
}
