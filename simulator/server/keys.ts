/**
 * The server's keys (docs/ARCHITECTURE.md §5): every key it uses is diversified on demand from the
 * association's master keys with protocol/card/keys.ts, so firmware, card and server derive
 * byte-identical keys and no derived key is ever stored. Masters never leave the server.
 */
import { aesBlockCipher } from "../crypto/index.ts";
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
