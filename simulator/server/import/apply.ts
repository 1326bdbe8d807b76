/**
 * Writing vendor records into the store (docs/ARCHITECTURE.md §2, Import; issue 7, Semantics): upsert by key
 * with change detection, member status driving eligibility and cards, listing-agent changes moving
 * lockbox ownership, listings whose agent is unknown kept pending and retried, administrator-edited
 * fields left alone, and deletions found by a full key reconciliation. Runs inside the caller's
 * transaction; never commits on its own.
 */
import type { Database, Statement } from "better-sqlite3";
import type { Entity } from "../db/provenance.ts";
import type { NormalizedRecord, ResourceName } from "./resources.ts";

/** What one record did to the store. */
export type Outcome = "added" | "updated" | "unchanged";

/** Counts for one resource (or the whole run). */
export interface Counts {
  added: number;
  updated: number;
  /** Went inactive, or was deleted at the vendor (found by reconciliation or a `Delete` status). */
  deactivated: number;
  /** Members that came back to Active (recorded in member_status_events). */
  reactivated: number;
  unchanged: number;
  rejected: number;
}

/** All counts zero. */
export function emptyCounts(): Counts {
  return { added: 0, updated: 0, deactivated: 0, reactivated: 0, unchanged: 0, rejected: 0 };
}

/** Side effects beyond the rows themselves. */
export interface Effects {
  /** Lockboxes whose owner moved to a listing's new listing agent. */
  ownershipMoved: number;
  /** Pending listings that found their agent, and lockboxes that found their MLS#. */
  pendingResolved: number;
}

type Row = Record<string, unknown>;

const OFFICE_COLUMNS = ["office_mls_id", "name", "address1", "city", "state_or_province", "postal_code", "phone", "status", "modification_timestamp"];
const MEMBER_COLUMNS = [
  "member_mls_id", "first_name", "last_name", "email", "phone", "member_type", "status", "office_id", "office_key",
  "national_association_id", "modification_timestamp",
];
const LISTING_COLUMNS = [
  "listing_id", "standard_status", "list_agent_key", "list_agent_mls_id", "co_list_agent_key", "co_list_agent_mls_id",
  "list_agent_id", "co_list_agent_id", "pending_assignment", "street_number", "street_name", "city", "state_or_province",
  "postal_code", "deleted", "modification_timestamp",
];

function insertSql(table: string, keyColumn: string, columns: string[]): string {
  const all = ["association_id", keyColumn, ...columns, "created_at", "updated_at"];
  return `INSERT INTO ${table} (${all.join(", ")}) VALUES (${all.map((c) => `@${c}`).join(", ")})`;
}

function updateSql(table: string, columns: string[]): string {
  return `UPDATE ${table} SET ${columns.map((c) => `${c} = @${c}`).join(", ")}, updated_at = @updated_at WHERE id = @id`;
}

/** Applies one run's records for one association. */
export class Applier {
  readonly effects: Effects = { ownershipMoved: 0, pendingResolved: 0 };
  private readonly protectedFields = new Map<string, Set<string>>();
  private readonly s: Record<string, Statement>;

  constructor(private readonly db: Database, private readonly associationId: string, private readonly runId: number, private readonly now: string) {
    const rows = db
      .prepare("SELECT entity, entity_key, field FROM field_provenance WHERE association_id = ?")
      .all(associationId) as { entity: string; entity_key: string; field: string }[];
    for (const r of rows) {
      const id = `${r.entity}\u0000${r.entity_key}`;
      let set = this.protectedFields.get(id);
      if (!set) this.protectedFields.set(id, (set = new Set()));
      set.add(r.field);
    }
    const p = (sql: string): Statement => db.prepare(sql);
    this.s = {
      officeGet: p("SELECT * FROM offices WHERE association_id = ? AND office_key = ?"),
      officeInsert: p(insertSql("offices", "office_key", OFFICE_COLUMNS)),
      officeUpdate: p(updateSql("offices", OFFICE_COLUMNS)),
      officeByKey: p("SELECT id, office_key FROM offices WHERE association_id = ? AND office_key = ?"),
      officeByMlsId: p("SELECT id, office_key FROM offices WHERE association_id = ? AND office_mls_id = ? ORDER BY status = 'active' DESC, id LIMIT 1"),
      memberGet: p("SELECT * FROM members WHERE association_id = ? AND member_key = ?"),
      memberInsert: p(insertSql("members", "member_key", MEMBER_COLUMNS)),
      memberUpdate: p(updateSql("members", MEMBER_COLUMNS)),
      memberByKey: p("SELECT id FROM members WHERE association_id = ? AND member_key = ?"),
      memberByMlsId: p("SELECT id FROM members WHERE association_id = ? AND member_mls_id = ? ORDER BY status = 'active' DESC, id LIMIT 1"),
      memberStamp: p("UPDATE members SET deactivated_at = COALESCE(@deactivated_at, deactivated_at), reactivated_at = COALESCE(@reactivated_at, reactivated_at) WHERE id = @id"),
      memberEvent: p("INSERT INTO member_status_events (member_id, event, from_status, to_status, at, import_run_id) VALUES (?, ?, ?, ?, ?, ?)"),
      cardsDeactivate: p("UPDATE cards SET status = 'deactivated', deactivated_at = ? WHERE member_id = ? AND status = 'active'"),
      listingGet: p("SELECT * FROM listings WHERE association_id = ? AND listing_key = ?"),
      listingInsert: p(insertSql("listings", "listing_key", LISTING_COLUMNS)),
      listingUpdate: p(updateSql("listings", LISTING_COLUMNS)),
      boxesOfListing: p("SELECT id, owner_member_id FROM lockboxes WHERE listing_id = ?"),
      boxOwner: p("UPDATE lockboxes SET owner_member_id = ? WHERE id = ?"),
      boxDetach: p("UPDATE lockboxes SET listing_id = NULL WHERE id = ?"),
      boxAttach: p("UPDATE lockboxes SET listing_id = ?, pending_listing_mls_id = NULL WHERE id = ?"),
      history: p(
        "INSERT INTO lockbox_ownership_history (lockbox_id, owner_member_id, listing_id, source, reason, at, import_run_id) VALUES (?, ?, ?, 'import', ?, ?, ?)",
      ),
    };
  }

  /** Upserts one record of `resource`; `counts` gets its effect. */
  apply(resource: ResourceName, rec: NormalizedRecord, counts: Counts): Outcome {
    const outcome = resource === "Office" ? this.office(rec, counts) : resource === "Member" ? this.member(rec, counts) : this.listing(rec, counts);
    counts[outcome]++;
    return outcome;
  }

  /** Keeps the administrator's value of every field the administrator edited. */
  private merge(entity: Entity, key: string, existing: Row | undefined, incoming: Row): Row {
    const locked = existing ? this.protectedFields.get(`${entity}\u0000${key}`) : undefined;
    if (locked && existing) for (const f of locked) if (f in incoming) incoming[f] = existing[f];
    return incoming;
  }

  private upsert(table: Entity, keyColumn: string, key: string, existing: Row | undefined, row: Row, columns: string[]): { outcome: Outcome; id: number } {
    const merged = this.merge(table, key, existing, row);
    const s = this.s;
    if (!existing) {
      const r = s[`${table}Insert`].run({ ...merged, association_id: this.associationId, [keyColumn]: key, created_at: this.now, updated_at: this.now });
      return { outcome: "added", id: Number(r.lastInsertRowid) };
    }
    const id = existing.id as number;
    if (columns.every((c) => existing[c] === merged[c])) return { outcome: "unchanged", id };
    s[`${table}Update`].run({ ...merged, id, updated_at: this.now });
    return { outcome: "updated", id };
  }

  private office(rec: NormalizedRecord, counts: Counts): Outcome {
    const existing = this.s.officeGet.get(this.associationId, rec.key) as Row | undefined;
    const status = rec.fields.status === "Inactive" ? "inactive" : "active";
    const row: Row = { ...rec.fields, status, modification_timestamp: rec.timestamp };
    const { outcome } = this.upsert("office", "office_key", rec.key, existing, row, OFFICE_COLUMNS);
    if (existing && existing.status !== "inactive" && status === "inactive") counts.deactivated++;
    return outcome;
  }

  private member(rec: NormalizedRecord, counts: Counts): Outcome {
    const existing = this.s.memberGet.get(this.associationId, rec.key) as Row | undefined;
    const { office_mls_id: officeMlsId, ...fields } = rec.fields;
    const office = (fields.office_key !== null
      ? this.s.officeByKey.get(this.associationId, fields.office_key)
      : officeMlsId !== null ? this.s.officeByMlsId.get(this.associationId, officeMlsId) : undefined) as { id: number; office_key: string } | undefined;
    const status = fields.status === "Inactive" ? "inactive" : "active";
    const row: Row = { ...fields, status, office_id: office?.id ?? null, office_key: fields.office_key ?? office?.office_key ?? null, modification_timestamp: rec.timestamp };
    const { outcome, id } = this.upsert("member", "member_key", rec.key, existing, row, MEMBER_COLUMNS);
    if (existing && existing.status !== status) this.statusChanged(id, existing.status as string, status, counts);
    return outcome;
  }

  /** Eligibility follows member status (docs/ARCHITECTURE.md §2, Renewal); cards stay deactivated until an administrator reactivates them. */
  private statusChanged(memberId: number, from: string, to: string, counts: Counts): void {
    if (from === "active") {
      this.s.memberStamp.run({ id: memberId, deactivated_at: this.now, reactivated_at: null });
      this.s.cardsDeactivate.run(this.now, memberId);
      this.s.memberEvent.run(memberId, to === "terminated" ? "terminated" : "deactivated", from, to, this.now, this.runId);
      counts.deactivated++;
    } else if (to === "active") {
      this.s.memberStamp.run({ id: memberId, deactivated_at: null, reactivated_at: this.now });
      this.s.memberEvent.run(memberId, "reactivated", from, to, this.now, this.runId);
      counts.reactivated++;
    } else if (to === "terminated") {
      this.s.memberEvent.run(memberId, "terminated", from, to, this.now, this.runId);
      counts.deactivated++;
    }
  }

  private findMember(key: string | null, mlsId: string | null): number | null {
    const row = (key !== null
      ? this.s.memberByKey.get(this.associationId, key)
      : mlsId !== null ? this.s.memberByMlsId.get(this.associationId, mlsId) : undefined) as { id: number } | undefined;
    return row?.id ?? null;
  }

  private listing(rec: NormalizedRecord, counts: Counts): Outcome {
    const existing = this.s.listingGet.get(this.associationId, rec.key) as Row | undefined;
    const f = rec.fields;
    const agentNamed = f.list_agent_key !== null || f.list_agent_mls_id !== null;
    const listAgentId = this.findMember(f.list_agent_key, f.list_agent_mls_id);
    const deleted = f.standard_status === "Delete" ? 1 : 0;
    const row: Row = {
      ...f,
      list_agent_id: listAgentId,
      co_list_agent_id: this.findMember(f.co_list_agent_key, f.co_list_agent_mls_id),
      pending_assignment: agentNamed && listAgentId === null && !deleted ? 1 : 0,
      deleted,
      modification_timestamp: rec.timestamp,
    };
    const { outcome, id } = this.upsert("listing", "listing_key", rec.key, existing, row, LISTING_COLUMNS);
    if (existing && listAgentId !== null && existing.list_agent_id !== listAgentId) this.moveOwnership(id, listAgentId);
    if (deleted && (!existing || existing.deleted === 0)) {
      this.detachBoxes(id, "listing deleted at the vendor");
      counts.deactivated++;
    }
    return outcome;
  }

  /** The lockboxes on a listing follow its listing agent (docs/ARCHITECTURE.md §2, Ownership). */
  private moveOwnership(listingId: number, agentId: number): void {
    for (const box of this.s.boxesOfListing.all(listingId) as { id: string; owner_member_id: number | null }[]) {
      if (box.owner_member_id === agentId) continue;
      this.s.boxOwner.run(agentId, box.id);
      this.s.history.run(box.id, agentId, listingId, "listing agent changed", this.now, this.runId);
      this.effects.ownershipMoved++;
    }
  }

  private detachBoxes(listingId: number, reason: string): void {
    for (const box of this.s.boxesOfListing.all(listingId) as { id: string; owner_member_id: number | null }[]) {
      this.s.boxDetach.run(box.id);
      this.s.history.run(box.id, box.owner_member_id, null, reason, this.now, this.runId);
    }
  }

  /**
   * Full key reconciliation (docs/ARCHITECTURE.md §2: incremental pulls miss deletions): every record of
   * `resource` the vendor no longer lists is marked deleted/terminated.
   */
  reconcile(resource: ResourceName, seen: Map<string, number>, counts: Counts): void {
    const a = this.associationId;
    if (resource === "Office") {
      const rows = this.db.prepare("SELECT id, office_key AS k FROM offices WHERE association_id = ? AND status != 'deleted' ORDER BY id").all(a) as { id: number; k: string }[];
      const del = this.db.prepare("UPDATE offices SET status = 'deleted', updated_at = ? WHERE id = ?");
      for (const r of rows) {
        if (seen.has(r.k)) continue;
        del.run(this.now, r.id);
        counts.deactivated++;
      }
    } else if (resource === "Member") {
      const rows = this.db.prepare("SELECT id, member_key AS k, status FROM members WHERE association_id = ? AND status != 'terminated' ORDER BY id").all(a) as { id: number; k: string; status: string }[];
      const del = this.db.prepare("UPDATE members SET status = 'terminated', updated_at = ? WHERE id = ?");
      for (const r of rows) {
        if (seen.has(r.k)) continue;
        del.run(this.now, r.id);
        this.statusChanged(r.id, r.status, "terminated", counts);
      }
    } else {
      const rows = this.db.prepare("SELECT id, listing_key AS k FROM listings WHERE association_id = ? AND deleted = 0 ORDER BY id").all(a) as { id: number; k: string }[];
      const del = this.db.prepare("UPDATE listings SET deleted = 1, pending_assignment = 0, updated_at = ? WHERE id = ?");
      for (const r of rows) {
        if (seen.has(r.k)) continue;
        del.run(this.now, r.id);
        this.detachBoxes(r.id, "listing gone from the vendor feed");
        counts.deactivated++;
      }
    }
  }

  /**
   * Retries what waited for data that may have arrived since: listings whose listing agent was
   * unknown, lockboxes given an MLS# before the listing was imported, members whose office was
   * unknown. Returns how many are still pending.
   */
  retryPending(): number {
    const a = this.associationId;
    const listings = this.db
      .prepare("SELECT id, list_agent_key AS k, list_agent_mls_id AS m FROM listings WHERE association_id = ? AND pending_assignment = 1 AND deleted = 0")
      .all(a) as { id: number; k: string | null; m: string | null }[];
    const resolve = this.db.prepare("UPDATE listings SET list_agent_id = ?, pending_assignment = 0, updated_at = ? WHERE id = ?");
    let still = 0;
    for (const l of listings) {
      const agent = this.findMember(l.k, l.m);
      if (agent === null) {
        still++;
        continue;
      }
      resolve.run(agent, this.now, l.id);
      this.moveOwnership(l.id, agent);
      this.effects.pendingResolved++;
    }
    const boxes = this.db
      .prepare(
        `SELECT b.id, b.owner_member_id AS owner, l.id AS listing FROM lockboxes b
         JOIN listings l ON l.association_id = b.association_id AND l.listing_id = b.pending_listing_mls_id AND l.deleted = 0
         WHERE b.association_id = ? AND b.pending_listing_mls_id IS NOT NULL`,
      )
      .all(a) as { id: string; owner: number | null; listing: number }[];
    for (const b of boxes) {
      this.s.boxAttach.run(b.listing, b.id);
      this.s.history.run(b.id, b.owner, b.listing, "MLS# entered at the box matched an imported listing", this.now, this.runId);
      this.effects.pendingResolved++;
    }
    still += (this.db.prepare("SELECT count(*) AS n FROM lockboxes WHERE association_id = ? AND pending_listing_mls_id IS NOT NULL").get(a) as { n: number }).n;
    this.db
      .prepare(
        `UPDATE members SET office_id = (SELECT o.id FROM offices o WHERE o.association_id = members.association_id AND o.office_key = members.office_key)
         WHERE association_id = ? AND office_id IS NULL AND office_key IS NOT NULL`,
      )
      .run(a);
    return still;
  }
}
