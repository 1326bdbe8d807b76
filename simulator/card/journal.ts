/**
 * All-or-nothing commits over the page EEPROM (protocol/SPEC.md Card §8.1): a write-ahead journal.
 *
 *   page 0            commit record: "JRNL" ‖ n (u16) ‖ n × home page index (u16) ‖ … ‖ CRC-32 at 60
 *   pages 1..27       journal: the new contents of the n changed home pages
 *   pages 28..        home image (Layout), whose header carries a CRC-32 of the whole image
 *
 * A commit writes the n journal pages, then the commit record (the commit point), then the n home
 * pages, then erases the commit record: 2n + 2 page writes. At power-up a commit record whose
 * CRC-32 covers itself and its journal pages is replayed (idempotent), so a cut before the commit
 * point leaves the old state and a cut after it yields the new state.
 *
 * The CRC-32 is CRC-32/ISO-HDLC, the one protocol/crc.ts defines; here it is node:zlib's native
 * implementation, because every commit and power-up checks the whole home image.
 */
import { crc32 } from "node:zlib";
import { Eeprom } from "./eeprom.ts";
import { HOME_MAGIC } from "./layout.ts";

/** Bytes per EEPROM page. */
export const PAGE_SIZE = 64;
/** Most home pages one commit may change. */
export const JOURNAL_PAGES = 27;
/** First page of the home image. */
export const HOME_FIRST_PAGE = 1 + JOURNAL_PAGES;
const JOURNAL_MAGIC = 0x4a524e4c;
const RECORD_CRC_AT = 60;

/** EEPROM pages needed for a home image of `homeSize` bytes. */
export function eepromPages(homeSize: number): number {
  return HOME_FIRST_PAGE + Math.ceil(homeSize / PAGE_SIZE);
}

/** CRC-32 of the commit record's first 60 bytes followed by the `count` journal pages. */
function journalCrc(e: Eeprom, record: Uint8Array, count: number): number {
  return crc32(e.bytes.subarray(PAGE_SIZE, PAGE_SIZE * (1 + count)), crc32(record.subarray(0, RECORD_CRC_AT)));
}

/** CRC-32 of the home image's bytes 8.. (what its header carries). */
function homeCrc(home: Uint8Array): number {
  return crc32(home.subarray(8));
}

/** Sets the home image's CRC-32 (bytes 4..8) over bytes 8.. . */
export function sealHome(home: Uint8Array): void {
  new DataView(home.buffer, home.byteOffset).setUint32(4, homeCrc(home));
}

/** True when the home image has its magic and its CRC-32 matches (the power-up integrity check). */
export function homeIntact(home: Uint8Array): boolean {
  const v = new DataView(home.buffer, home.byteOffset);
  return home.length > 8 && v.getUint32(0) === HOME_MAGIC && v.getUint32(4) === homeCrc(home);
}

/** The home image as stored in the EEPROM (a copy, `size` bytes). */
export function readHome(e: Eeprom, size: number): Uint8Array {
  return e.bytes.slice(HOME_FIRST_PAGE * PAGE_SIZE, HOME_FIRST_PAGE * PAGE_SIZE + size);
}

/** Home pages where `next` differs from `current` (compared a 32-bit word at a time where both are aligned). */
function changedPages(current: Uint8Array, next: Uint8Array): number[] {
  const changed: number[] = [];
  const n = next.length;
  const aligned = (current.byteOffset & 3) === 0 && (next.byteOffset & 3) === 0;
  const wc = aligned ? new Uint32Array(current.buffer, current.byteOffset, n >>> 2) : null;
  const wn = aligned ? new Uint32Array(next.buffer, next.byteOffset, n >>> 2) : null;
  for (let at = 0; at < n; at += PAGE_SIZE) {
    const end = Math.min(at + PAGE_SIZE, n);
    let i = at;
    let same = true;
    if (wc && wn) {
      for (const wend = end >>> 2; i >>> 2 < wend && same; i += 4) same = wc[i >>> 2] === wn[i >>> 2];
      if (!same) {
        changed.push(at / PAGE_SIZE);
        continue;
      }
    }
    for (; i < end && same; i++) same = current[i] === next[i];
    if (!same) changed.push(at / PAGE_SIZE);
  }
  return changed;
}

/**
 * Commits `next` over `current` (the EEPROM's home image, kept in step by the caller): seals
 * next's CRC, writes the changed pages through the journal, then copies next into current.
 * Returns the number of page writes. A PowerCut thrown from a write propagates; current is then
 * stale and the card must power up again (recover) before it is used.
 */
export function commit(e: Eeprom, current: Uint8Array, next: Uint8Array): number {
  sealHome(next);
  const changed = changedPages(current, next);
  if (changed.length === 0) return 0;
  if (changed.length > JOURNAL_PAGES) throw new Error(`one commit changes ${changed.length} pages; the journal holds ${JOURNAL_PAGES}`);
  const page = new Uint8Array(PAGE_SIZE);
  const before = e.writes;
  changed.forEach((p, i) => {
    page.fill(0);
    page.set(next.subarray(p * PAGE_SIZE, (p + 1) * PAGE_SIZE));
    e.writePage(1 + i, page);
  });
  const record = new Uint8Array(PAGE_SIZE);
  const v = new DataView(record.buffer);
  v.setUint32(0, JOURNAL_MAGIC);
  v.setUint16(4, changed.length);
  changed.forEach((p, i) => v.setUint16(6 + 2 * i, p));
  v.setUint32(RECORD_CRC_AT, journalCrc(e, record, changed.length));
  e.writePage(0, record);
  for (const p of changed) {
    page.fill(0);
    page.set(next.subarray(p * PAGE_SIZE, (p + 1) * PAGE_SIZE));
    e.writePage(HOME_FIRST_PAGE + p, page);
  }
  e.writePage(0, new Uint8Array(PAGE_SIZE));
  current.set(next);
  return e.writes - before;
}

/**
 * Power-up recovery: replays a complete journal (its commit record's CRC verifies), then erases
 * the record. Returns the number of page writes (0 when there was nothing to replay). A cut during
 * recovery is harmless: the next power-up replays again.
 */
export function recover(e: Eeprom): number {
  const record = e.bytes.slice(0, PAGE_SIZE);
  const v = new DataView(record.buffer);
  if (v.getUint32(0) !== JOURNAL_MAGIC) return 0;
  const count = v.getUint16(4);
  const before = e.writes;
  if (count >= 1 && count <= JOURNAL_PAGES && v.getUint32(RECORD_CRC_AT) === journalCrc(e, record, count)) {
    for (let i = 0; i < count; i++) {
      const p = v.getUint16(6 + 2 * i);
      if (HOME_FIRST_PAGE + p < e.pageCount) e.writePage(HOME_FIRST_PAGE + p, e.bytes.slice((1 + i) * PAGE_SIZE, (2 + i) * PAGE_SIZE));
    }
  }
  e.writePage(0, new Uint8Array(PAGE_SIZE));
  return e.writes - before;
}
