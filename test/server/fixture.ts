/**
 * A small world in the server store for tests: one association (card id 257, TZ America/Chicago
 * rule), an office, members and a listing, inserted the way the Import Utility stores them.
 */
import type { Database } from "better-sqlite3";
import { provisionAssociation } from "../../simulator/server/admin.ts";
import { associationKeys, type AssociationKeys } from "../../simulator/server/keys.ts";

export const ASSOCIATION = "assoc-1";
export const ASSOCIATION_CARD_ID = 257;
export const TZ = "CST6CDT,M3.2.0,M11.1.0";

/** Inserts the association, office, members M1 (active), M2 (active), M3 (inactive) and listing L1. */
export function seedWorld(db: Database, opts: { renewalDays?: number; carsPeriod?: number } = {}): void {
  const now = "2026-01-01T00:00:00.000Z";
  db.prepare(`INSERT INTO associations (id, name, renewal_period_days, cars_renewal_period_days, cars_monthly_limit, cars_consecutive_day_limit, tz_rule, created_at)
    VALUES (?, 'Test Board', ?, ?, 3, 2, ?, ?)`).run(ASSOCIATION, opts.renewalDays ?? 7, opts.carsPeriod ?? 1, TZ, now);
  provisionAssociation(db, ASSOCIATION, ASSOCIATION_CARD_ID);
  db.prepare(`INSERT INTO offices (association_id, office_key, name, status, created_at, updated_at) VALUES (?, 'O1', 'Office', 'active', ?, ?)`).run(ASSOCIATION, now, now);
  const member = db.prepare(`INSERT INTO members (association_id, member_key, member_mls_id, first_name, last_name, status, created_at, updated_at)
    VALUES (?, ?, ?, ?, 'Agent', ?, ?, ?)`);
  member.run(ASSOCIATION, "M1", "A1", "Ann", "active", now, now);
  member.run(ASSOCIATION, "M2", "A2", "Bob", "active", now, now);
  member.run(ASSOCIATION, "M3", "A3", "Cid", "inactive", now, now);
  db.prepare(`INSERT INTO listings (association_id, listing_key, listing_id, standard_status, created_at, updated_at) VALUES (?, 'LK1', 'L1', 'Active', ?, ?)`)
    .run(ASSOCIATION, now, now);
}

/** The association's master keys (unsealed from the store). */
export function masterKeys(db: Database): AssociationKeys {
  const keys = associationKeys(db, ASSOCIATION);
  if (!keys) throw new Error(`${ASSOCIATION} is not provisioned`);
  return keys;
}

/** JSON request helper: returns status and parsed body. */
// The tests read whichever fields of the reply they check; API.md is the reply's type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function call(base: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(base + path, { method, headers: body === undefined ? {} : { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}
