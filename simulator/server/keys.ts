/**
 * The server's keys (docs/ARCHITECTURE.md §5): every key it uses is diversified on demand from the
 * association's master keys with protocol/card/keys.ts, so firmware, card and server derive
 * byte-identical keys and no derived key is ever stored. Masters never leave the server, and in the
 * store they are sealed under the store key (db/secrets.ts): associationKeys() and
 * storeAssociationKeys() are the only code that reads or writes those columns.
 */
import type { Database } from "better-sqlite3";
import { aesBlockCipher } from "../crypto/index.ts";
import { sealSecret, openSecret, secretContext } from "./db/secrets.ts";
import { deriveKey, KEY_LOCKBOX_AUDIT, KEY_CARS, KEY_DENYLIST } from "../../protocol/card/keys.ts";
import { PARTY_LOCKBOX, PARTY_SERVER } from "../../protocol/card/commands.ts";
import { cardKeys, type StaticKeys } from "../card/client.ts";

/** An association's numeric id and master keys, as the associations table holds them. */
export interface AssociationKeys {
  cardId: number;
  cardAuthMaster: Uint8Array;
  serverMaster: Uint8Array;
  auditMaster: Uint8Array;
}

const bc = aesBlockCipher();

/** The master-key columns of the associations table, by AssociationKeys field. */
export const MASTER_KEY_COLUMNS = { cardAuthMaster: "key_card_auth", serverMaster: "key_server", auditMaster: "key_audit" } as const;

/** An association's card id and master keys, unsealed; null when it has not been provisioned for cards. */
export function associationKeys(db: Database, associationId: string): AssociationKeys | null {
  const r = db.prepare("SELECT card_id, key_card_auth, key_server, key_audit FROM associations WHERE id = ?").get(associationId) as
    { card_id: number | null; key_card_auth: Uint8Array | null; key_server: Uint8Array | null; key_audit: Uint8Array | null } | undefined;
  if (!r || r.card_id === null || !r.key_card_auth || !r.key_server || !r.key_audit) return null;
  const open = (column: string, v: Uint8Array) => openSecret(db, v, secretContext("associations", column, associationId));
  return {
    cardId: r.card_id,
    cardAuthMaster: open("key_card_auth", r.key_card_auth),
    serverMaster: open("key_server", r.key_server),
    auditMaster: open("key_audit", r.key_audit),
  };
}

/** Stores an association's card id and master keys, each sealed under the store key. */
export function storeAssociationKeys(db: Database, associationId: string, keys: AssociationKeys): void {
  const seal = (column: string, v: Uint8Array) => {
    if (v.length !== 16) throw new Error(`${column}: a master key is 16 bytes`);
    return sealSecret(db, v, secretContext("associations", column, associationId));
  };
  db.prepare("UPDATE associations SET card_id = ?, key_card_auth = ?, key_server = ?, key_audit = ? WHERE id = ?")
    .run(keys.cardId, seal("key_card_auth", keys.cardAuthMaster), seal("key_server", keys.serverMaster), seal("key_audit", keys.auditMaster), associationId);
}

function derive(master: Uint8Array, purpose: number, association: number, device: number): Uint8Array {
  const out = new Uint8Array(16);
  if (!deriveKey(bc, master, 0, purpose, association >>> 0, device >>> 0, out, 0)) throw new Error(`unknown key purpose ${purpose}`);
  return out;
}

/** The card↔server SCP03 static keys of one card (spec §5: KEY_CARD_SERVER_ENC/MAC), as the card client derives them. */
export function cardServerKeys(a: AssociationKeys, serial: number): StaticKeys {
  return cardKeys(PARTY_SERVER, a.serverMaster, a.cardId >>> 0, serial >>> 0, bc);
}

/** The lockbox↔card SCP03 static keys of one card (spec §5: KEY_CARD_AUTH_ENC/MAC), for personalization. */
export function cardAuthKeys(a: AssociationKeys, serial: number): StaticKeys {
  return cardKeys(PARTY_LOCKBOX, a.cardAuthMaster, a.cardId >>> 0, serial >>> 0, bc);
}

/** One lockbox's audit-record MAC key (spec §5: KEY_LOCKBOX_AUDIT). */
export function lockboxAuditKey(a: AssociationKeys, lockboxId: number): Uint8Array {
  return derive(a.auditMaster, KEY_LOCKBOX_AUDIT, a.cardId, lockboxId);
}

/** The association's CARS code key (spec §5: KEY_CARS). */
export function carsKey(a: AssociationKeys): Uint8Array {
  return derive(a.serverMaster, KEY_CARS, a.cardId, 0);
}

/** The association's denylist MAC key (spec §5: KEY_DENYLIST). */
export function denylistKey(a: AssociationKeys): Uint8Array {
  return derive(a.serverMaster, KEY_DENYLIST, a.cardId, 0);
}
