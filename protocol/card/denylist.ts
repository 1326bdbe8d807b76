/**
 * The versioned denylist (spec §3.9) the server signs and cards carry to lockboxes:
 * version (u32 BE) || count (u16 BE) || count × (card serial u32 BE || that card's expiry u32 BE)
 * || AES-CMAC (16 bytes) under the association denylist key (spec §5, KEY_DENYLIST) over all
 * preceding bytes. Entries are sorted by serial, strictly ascending, so a lockbox can search
 * without copying; an entry is dropped once the revoked card's expiry has passed.
 */
import { BlockCipher } from "../blockcipher";
import { constantTimeEqual, inBounds, readU32BE } from "../bytes";
import { ERR_TRUNCATED, ERR_OVERLONG, ERR_BAD_ARGUMENT } from "../errors";
import { ERR_CARD_TOO_MANY, ERR_CARD_BAD_FIELD } from "./errors";
import { aesCmac } from "./cmac";

/** Size of version + count. */
export const DENYLIST_HEADER_SIZE: i32 = 6;
/** Size of one entry. */
export const DENYLIST_ENTRY_SIZE: i32 = 8;
/** Size of the trailing MAC. */
export const DENYLIST_MAC_SIZE: i32 = 16;

/** Total encoded size of a denylist with `count` entries (spec §3.9). */
export function denylistSize(count: i32): i32 {
  return DENYLIST_HEADER_SIZE + DENYLIST_ENTRY_SIZE * count + DENYLIST_MAC_SIZE;
}

/** The denylist version (spec §3.9); call only on a checked denylist. */
export function denylistVersion(buf: Uint8Array, off: i32): u32 {
  return readU32BE(buf, off);
}

/** The number of entries (spec §3.9); call only on a checked denylist. */
export function denylistCount(buf: Uint8Array, off: i32): i32 {
  return i32((u32(buf[off + 4]) << 8) | u32(buf[off + 5]));
}

/**
 * Checks the layout (spec §3.9): exact length for its count, count ≤ maxEntries, serials strictly
 * ascending. Returns the entry count, or ERR_TRUNCATED / ERR_OVERLONG / ERR_CARD_TOO_MANY /
 * ERR_CARD_BAD_FIELD. Does not check the MAC (denylistMacValid).
 */
export function checkDenylist(buf: Uint8Array, off: i32, len: i32, maxEntries: i32): i32 {
  if (!inBounds(buf, off, len)) return ERR_BAD_ARGUMENT;
  if (len < DENYLIST_HEADER_SIZE) return ERR_TRUNCATED;
  const count = denylistCount(buf, off);
  if (count > maxEntries) return ERR_CARD_TOO_MANY;
  const size = denylistSize(count);
  if (len < size) return ERR_TRUNCATED;
  if (len > size) return ERR_OVERLONG;
  for (let i = 1; i < count; i++) {
    const at = off + DENYLIST_HEADER_SIZE + i * DENYLIST_ENTRY_SIZE;
    if (readU32BE(buf, at) <= readU32BE(buf, at - DENYLIST_ENTRY_SIZE)) return ERR_CARD_BAD_FIELD;
  }
  return count;
}

const mac = new Uint8Array(16);

/** Writes the MAC of a denylist whose header and entries are in place (spec §3.9). */
export function sealDenylist(bc: BlockCipher, key: Uint8Array, keyOff: i32, buf: Uint8Array, off: i32, count: i32): void {
  const covered = DENYLIST_HEADER_SIZE + DENYLIST_ENTRY_SIZE * count;
  aesCmac(bc, key, keyOff, buf, off, covered, buf, off + covered);
}

/** True when the MAC of a checked denylist verifies (constant-time compare; spec §3.9). */
export function denylistMacValid(bc: BlockCipher, key: Uint8Array, keyOff: i32, buf: Uint8Array, off: i32, count: i32): bool {
  const covered = DENYLIST_HEADER_SIZE + DENYLIST_ENTRY_SIZE * count;
  aesCmac(bc, key, keyOff, buf, off, covered, mac, 0);
  return constantTimeEqual(mac, 0, buf, off + covered, DENYLIST_MAC_SIZE);
}

/**
 * True when `serial` is listed and its entry is still in force at `now` (UTC seconds): an entry
 * whose revoked card has expired no longer matters (spec §3.9). Binary search over a checked list.
 */
export function denylistDenies(buf: Uint8Array, off: i32, count: i32, serial: u32, now: u32): bool {
  let lo = 0;
  let hi = count - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const at = off + DENYLIST_HEADER_SIZE + mid * DENYLIST_ENTRY_SIZE;
    const s = readU32BE(buf, at);
    if (s == serial) return readU32BE(buf, at + 4) > now;
    if (s < serial) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}
