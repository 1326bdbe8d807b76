/**
 * The signed denylist the server writes to cards (protocol/SPEC.md Card §3.9, layout and MAC in
 * protocol/card/denylist.ts): the one builder for the renewal store and the simulated association.
 */
import { DENYLIST_HEADER_SIZE, DENYLIST_ENTRY_SIZE, denylistSize, sealDenylist } from "../../protocol/card/denylist.ts";
import { aesBlockCipher } from "../crypto/index.ts";

/** One denied card: its serial and its expiry (UTC seconds), after which the entry may be dropped. */
export type DenylistEntry = readonly [serial: number, expiry: number];

const bc = aesBlockCipher();

/** Version ‖ count ‖ `entries` (already ascending by serial, spec §3.9) ‖ MAC under `key`. */
export function signedDenylist(key: Uint8Array, version: number, entries: readonly DenylistEntry[]): Uint8Array {
  const list = new Uint8Array(denylistSize(entries.length));
  const v = new DataView(list.buffer);
  v.setUint32(0, version);
  v.setUint16(4, entries.length);
  entries.forEach(([serial, expiry], i) => {
    v.setUint32(DENYLIST_HEADER_SIZE + i * DENYLIST_ENTRY_SIZE, serial);
    v.setUint32(DENYLIST_HEADER_SIZE + i * DENYLIST_ENTRY_SIZE + 4, expiry);
  });
  sealDenylist(bc, key, 0, list, 0, entries.length);
  return list;
}
