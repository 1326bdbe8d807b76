/**
 * Administrator edits of vendor-supplied fields (docs/ARCHITECTURE.md §2, Import: "fields an administrator
 * edited locally must not be overwritten"). An edit writes the column and records its provenance;
 * the Import Utility then skips that column for that record until the provenance is cleared.
 */
import type { Database } from "better-sqlite3";

/** The record kinds the vendor supplies and the columns an administrator may override. */
export const EDITABLE_FIELDS = {
  office: ["office_mls_id", "name", "address1", "city", "state_or_province", "postal_code", "phone"],
  member: ["member_mls_id", "first_name", "last_name", "email", "phone", "member_type", "national_association_id"],
  listing: ["listing_id", "street_number", "street_name", "city", "state_or_province", "postal_code"],
} as const;

/** A kind of vendor record: office, member or listing. */
export type Entity = keyof typeof EDITABLE_FIELDS;

const TABLES: Record<Entity, { table: string; key: string }> = {
  office: { table: "offices", key: "office_key" },
  member: { table: "members", key: "member_key" },
  listing: { table: "listings", key: "listing_key" },
};

/** Sets one field of one vendor record as an administrator and records that it is locally owned. */
export function adminEdit(
  db: Database,
  edit: { associationId: string; entity: Entity; key: string; field: string; value: string | null; by: string; at?: string },
): void {
  const allowed: readonly string[] = EDITABLE_FIELDS[edit.entity];
  if (!allowed.includes(edit.field)) throw new Error(`${edit.entity}.${edit.field} is not an editable field`);
  const { table, key } = TABLES[edit.entity];
  const at = edit.at ?? new Date().toISOString();
  db.transaction(() => {
    const r = db
      .prepare(`UPDATE ${table} SET ${edit.field} = ?, updated_at = ? WHERE association_id = ? AND ${key} = ?`)
      .run(edit.value, at, edit.associationId, edit.key);
    if (r.changes !== 1) throw new Error(`no ${edit.entity} '${edit.key}' in association '${edit.associationId}'`);
    db.prepare(
      `INSERT INTO field_provenance (association_id, entity, entity_key, field, source, edited_by, edited_at)
       VALUES (?, ?, ?, ?, 'admin', ?, ?)
       ON CONFLICT DO UPDATE SET edited_by = excluded.edited_by, edited_at = excluded.edited_at`,
    ).run(edit.associationId, edit.entity, edit.key, edit.field, edit.by, at);
  })();
}

/** Hands a field back to the vendor: the next import overwrites it again. */
export function clearAdminEdit(db: Database, associationId: string, entity: Entity, key: string, field: string): boolean {
  const r = db
    .prepare("DELETE FROM field_provenance WHERE association_id = ? AND entity = ? AND entity_key = ? AND field = ?")
    .run(associationId, entity, key, field);
  return r.changes === 1;
}
