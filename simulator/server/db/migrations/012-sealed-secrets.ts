/**
 * Secrets at rest (issue 12): the association master keys are sealed under the store key
 * (db/secrets.ts; openStore attaches it before migrating). The key columns of 001 only take 16
 * bytes, so each is replaced by a column of the same name holding the 45-byte sealed value
 * (format ‖ nonce ‖ ciphertext ‖ tag), and keys an older server stored in the clear are sealed on
 * the way, in the migration's transaction.
 */
import type { Migration } from "../migrate.ts";
import { sealSecret, secretContext } from "../secrets.ts";

const COLUMNS = ["key_card_auth", "key_server", "key_audit"] as const;
/** 01 ‖ nonce (12) ‖ 16-byte key encrypted ‖ tag (16). */
const SEALED_KEY_SIZE = 45;

export const migration: Migration = {
  description: "association master keys sealed under the store key (45-byte sealed values replace the 16-byte columns)",
  up(db) {
    for (const column of COLUMNS) {
      const sealed = `sealed_${column}`;
      db.exec(`ALTER TABLE associations ADD COLUMN ${sealed} BLOB CHECK (${sealed} IS NULL OR length(${sealed}) = ${SEALED_KEY_SIZE})`);
      const rows = db.prepare(`SELECT id, ${column} AS value FROM associations WHERE ${column} IS NOT NULL`).all() as { id: string; value: Uint8Array }[];
      const write = db.prepare(`UPDATE associations SET ${sealed} = ? WHERE id = ?`);
      for (const r of rows) write.run(sealSecret(db, r.value, secretContext("associations", column, r.id)), r.id);
      db.exec(`ALTER TABLE associations DROP COLUMN ${column}`);
      db.exec(`ALTER TABLE associations RENAME COLUMN ${sealed} TO ${column}`);
    }
  },
};
