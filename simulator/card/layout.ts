/**
 * Where each persistent field of the card lives in its home image (protocol/SPEC.md Card §8.2).
 * The home image is a fixed-layout byte array computed from the capacities chosen at
 * personalization; the applet reads and writes fields in a working copy and the journal commits
 * the pages that changed.
 */
import { IDENTITY_SIZE, AUTHORIZATION_SIZE, SETTINGS_SIZE, MAX_ACK_MARKS, serverTimeSize, UPLOAD_CURSOR_SIZE } from "../../protocol/card/layouts.ts";
import { STORED_RECORD_SIZE } from "../../protocol/card/records.ts";
import { denylistSize } from "../../protocol/card/denylist.ts";
import { RECORD_FILE_COUNT } from "../../protocol/card/commands.ts";

/** Capacities of the card's files, fixed at personalization (spec §2 "file full"). */
export interface Capacities {
  /** Records per file, index = file id − 1: access, carried, ownership, settings applied. */
  records: [number, number, number, number];
  stagedSettings: number;
  denylistEntries: number;
  pinTryLimit: number;
}

/** The defaults documented in spec §2. */
export const DEFAULT_CAPACITIES: Capacities = {
  records: [64, 128, 16, 16],
  stagedSettings: 4,
  denylistEntries: 128,
  pinTryLimit: 3,
};

/** "LBXE": first bytes of a valid home image. */
export const HOME_MAGIC = 0x4c425845;
/** Home header: magic (4) ‖ CRC-32 of bytes 8.. (4) ‖ layout version (1) ‖ capacities (12) ‖ 00 00 00. */
export const HOME_HEADER_SIZE = 24;
/** Key block: key version (1) ‖ lockbox K-ENC, K-MAC, server K-ENC, K-MAC (4 × 16). */
export const KEYS_SIZE = 1 + 64;
/** PIN block (8) ‖ tries left (1). */
export const PIN_SIZE = 9;
/** Staged settings slot: used flag (1) ‖ settings (75). */
export const STAGED_SLOT_SIZE = 1 + SETTINGS_SIZE;

/** Byte offsets of every field in the home image for one set of capacities. */
export class Layout {
  readonly keys: number;
  readonly pin: number;
  readonly identity: number;
  readonly authorization: number;
  readonly serverTime: number;
  readonly cursor: number;
  readonly staged: number;
  /** Denylist slot: length (u16, 0 = none) ‖ the denylist bytes. */
  readonly denylist: number;
  readonly files: number[] = [];
  readonly size: number;

  constructor(readonly caps: Capacities) {
    let at = HOME_HEADER_SIZE;
    const take = (n: number): number => {
      const here = at;
      at += n;
      return here;
    };
    this.keys = take(KEYS_SIZE);
    this.pin = take(PIN_SIZE);
    this.identity = take(IDENTITY_SIZE);
    this.authorization = take(AUTHORIZATION_SIZE);
    this.serverTime = take(serverTimeSize(MAX_ACK_MARKS));
    this.cursor = take(UPLOAD_CURSOR_SIZE);
    this.staged = take(caps.stagedSettings * STAGED_SLOT_SIZE);
    this.denylist = take(2 + denylistSize(caps.denylistEntries));
    for (let f = 0; f < RECORD_FILE_COUNT; f++) this.files.push(take(caps.records[f] * STORED_RECORD_SIZE));
    this.size = at;
  }

  /** Offset of the stored-record slot for card sequence `seq` of file `fileId` (a ring: seq mod capacity). */
  recordSlot(fileId: number, seq: number): number {
    const cap = this.caps.records[fileId - 1];
    return this.files[fileId - 1] + (seq % cap) * STORED_RECORD_SIZE;
  }
}

/** Writes the capacities into the home header (bytes 8..20). */
export function writeCapacities(home: Uint8Array, caps: Capacities): void {
  const v = new DataView(home.buffer, home.byteOffset);
  v.setUint8(8, 1);
  for (let f = 0; f < RECORD_FILE_COUNT; f++) v.setUint16(9 + 2 * f, caps.records[f]);
  v.setUint8(17, caps.stagedSettings);
  v.setUint16(18, caps.denylistEntries);
  v.setUint8(20, caps.pinTryLimit);
}

/** Reads the capacities from a home header, or null when the header is not a valid layout. */
export function readCapacities(home: Uint8Array): Capacities | null {
  const v = new DataView(home.buffer, home.byteOffset);
  if (v.getUint32(0) !== HOME_MAGIC || v.getUint8(8) !== 1) return null;
  const records: [number, number, number, number] = [v.getUint16(9), v.getUint16(11), v.getUint16(13), v.getUint16(15)];
  const pinTryLimit = v.getUint8(20);
  if (records.some((r) => r === 0) || pinTryLimit === 0 || pinTryLimit > 15) return null;
  return { records, stagedSettings: v.getUint8(17), denylistEntries: v.getUint16(18), pinTryLimit };
}
