/**
 * Key diversification (spec §5, docs/ARCHITECTURE.md §5): every device key is the SP 800-108 AES-CMAC KDF
 * (kdfCmac, SCP03 derivation-data layout) of an association master key, with a derivation
 * constant and a 16-byte context that are distinct per purpose, so firmware and the server derive
 * byte-identical keys and a key for one purpose is never valid for another.
 *
 * Context (16 bytes): purpose label (8 ASCII bytes) || association id (u32 BE) || device id
 * (u32 BE: card serial, lockbox id, or 0 for association-wide keys). Output length L = 128 bits.
 */
import { BlockCipher } from "../blockcipher";
import { kdfCmac } from "./cmac";

/** Static SCP03 K-ENC of the lockbox↔card key set; master: association card-auth master; device: card serial. */
export const KEY_CARD_AUTH_ENC: u8 = 0x41;
/** Static SCP03 K-MAC of the lockbox↔card key set; master: association card-auth master; device: card serial. */
export const KEY_CARD_AUTH_MAC: u8 = 0x42;
/** Static SCP03 K-ENC of the card↔server key set; master: server master; device: card serial. */
export const KEY_CARD_SERVER_ENC: u8 = 0x43;
/** Static SCP03 K-MAC of the card↔server key set; master: server master; device: card serial. */
export const KEY_CARD_SERVER_MAC: u8 = 0x44;
/** Audit-record MAC key of one lockbox; master: association audit master; device: lockbox id. */
export const KEY_LOCKBOX_AUDIT: u8 = 0x45;
/** Association CARS code key; master: server master; device: 0. */
export const KEY_CARS: u8 = 0x46;
/** Association denylist MAC key; master: server master; device: 0. */
export const KEY_DENYLIST: u8 = 0x47;

/** Size of the KDF context (spec §5). */
export const KEY_CONTEXT_SIZE: i32 = 16;

const context = new Uint8Array(KEY_CONTEXT_SIZE);

function label(purpose: u8): string {
  switch (purpose) {
    case KEY_CARD_AUTH_ENC: return "CARDAENC";
    case KEY_CARD_AUTH_MAC: return "CARDAMAC";
    case KEY_CARD_SERVER_ENC: return "CARDSENC";
    case KEY_CARD_SERVER_MAC: return "CARDSMAC";
    case KEY_LOCKBOX_AUDIT: return "LBXAUDIT";
    case KEY_CARS: return "ASSNCARS";
    case KEY_DENYLIST: return "ASSNDENY";
    default: return "";
  }
}

/**
 * Writes the 16-byte KDF context for `purpose` (spec §5) to out[off..]; returns false, writing
 * nothing, for an unknown purpose.
 */
export function keyContext(purpose: u8, associationId: u32, deviceId: u32, out: Uint8Array, off: i32): bool {
  const name = label(purpose);
  if (name.length != 8) return false;
  for (let i = 0; i < 8; i++) out[off + i] = u8(name.charCodeAt(i));
  out[off + 8] = u8(associationId >>> 24);
  out[off + 9] = u8(associationId >>> 16);
  out[off + 10] = u8(associationId >>> 8);
  out[off + 11] = u8(associationId);
  out[off + 12] = u8(deviceId >>> 24);
  out[off + 13] = u8(deviceId >>> 16);
  out[off + 14] = u8(deviceId >>> 8);
  out[off + 15] = u8(deviceId);
  return true;
}

/**
 * Derives the 16-byte key for `purpose` from the master key at master[masterOff..] (spec §5)
 * into out[outOff..]. Returns false, writing nothing, for an unknown purpose.
 */
export function deriveKey(bc: BlockCipher, master: Uint8Array, masterOff: i32, purpose: u8, associationId: u32, deviceId: u32, out: Uint8Array, outOff: i32): bool {
  if (!keyContext(purpose, associationId, deviceId, context, 0)) return false;
  return kdfCmac(bc, master, masterOff, purpose, context, 0, KEY_CONTEXT_SIZE, 128, out, outOff);
}
