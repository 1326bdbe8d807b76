/**
 * Store-and-forward audit (protocol/SPEC.md Lockbox §2.3, docs/ARCHITECTURE.md §2): every event becomes a sealed audit
 * record (protocol/card/records.ts) in the flash journal first; then the card in the slot receives
 * its own record, the box's previous 3 carried-file records, and records above the server's
 * acknowledged mark for this box (from the card's server-time object), as room allows.
 */
import { AuditRecord, encodeAuditRecord, decodeAuditRecord, sealAuditRecord, AUDIT_RECORD_SIZE, AUDIT_PAYLOAD_SIZE, EVENT_OPENED, EVENT_CARS_APPLIED } from "../../protocol/card/records";
import { INS_APPEND_RECORDS, FILE_CARRIED } from "../../protocol/card/commands";
import { AuditJournal, seqOf } from "../services/journal";
import { CardSession } from "../services/card-session";
import { Aes128 } from "../crypto/index";
import { bytesEqual } from "../../protocol/bytes";
import { factory, JOURNAL_SECTOR, pendingEvent, pendingSerial, pendingPayload, setPending, saveState } from "./config";

/** Lockbox-only event: the clock was set (payload: old UTC u32, new UTC u32). Never handed to cards. */
export const EVENT_CLOCK_SET: u8 = 0x30;
/** Records per APPEND RECORDS command (protocol/SPEC.md Card §2.7). */
const PER_APPEND: i32 = 6;
/** Extra not-yet-acknowledged records handed to each card on top of the previous 3. */
const BACKLOG_PER_CARD: i32 = 6;

/** The audit journal (spec §2.4); replaced at init by one sized from the factory block. */
export let journal: AuditJournal = new AuditJournal(JOURNAL_SECTOR, 2);
const rec = new AuditRecord();
/** The journal's newest record, decoded to tell whether the pending event is already logged. */
const newestRec = new AuditRecord();
/** The newest record written (sealed), for handing to the card. */
export const lastRecord = new Uint8Array(AUDIT_RECORD_SIZE);
const batch = new Uint8Array(AUDIT_RECORD_SIZE * PER_APPEND);
const scratch = new Uint8Array(AUDIT_RECORD_SIZE);
const aes = new Aes128();

/** Mounts the journal (sector count from the factory block). */
export function mountJournal(): void {
  journal = new AuditJournal(JOURNAL_SECTOR, factory.journalSectors);
  journal.mount(scratch);
}

/**
 * Seals and appends an event; `payload` (AUDIT_PAYLOAD_SIZE bytes) may be null. Returns the
 * sequence number written, or 0 when flash failed (the caller must then not act).
 */
export function logEvent(now: u32, event: u8, reason: i32, serial: u32, payload: Uint8Array | null): u32 {
  rec.lockboxId = factory.lockboxId;
  rec.sequence = journal.nextSeq;
  rec.utc = now;
  rec.eventType = event;
  rec.reason = u8(reason);
  rec.cardSerial = serial;
  for (let i = 0; i < AUDIT_PAYLOAD_SIZE; i++) rec.payload[i] = payload == null ? 0 : payload[i];
  if (encodeAuditRecord(rec, lastRecord, 0, AUDIT_RECORD_SIZE) < 0) return 0;
  sealAuditRecord(aes, factory.auditKey, 0, lastRecord, 0);
  if (journal.append(lastRecord, 0) < 0) return 0;
  return seqOf(lastRecord, 0);
}

/**
 * Logs the pending state-change event (config.ts) unless the journal's newest record already is it
 * (power failed after logging but before the pending mark was cleared), then clears the mark.
 * Returns true when a record was written now (it is then `lastRecord`).
 */
export function completePending(now: u32): bool {
  if (pendingEvent == 0) return false;
  let logged = false;
  const newest = journal.nextSeq - 1;
  const already = newest >= 1 && journal.findFrom(newest, scratch, 0) >= 0 && decodeAuditRecord(scratch, 0, AUDIT_RECORD_SIZE, newestRec) > 0 &&
    newestRec.sequence == newest && newestRec.eventType == pendingEvent && newestRec.cardSerial == pendingSerial &&
    bytesEqual(newestRec.payload, 0, pendingPayload, 0, AUDIT_PAYLOAD_SIZE);
  if (!already) {
    if (logEvent(now, pendingEvent, 0, pendingSerial, pendingPayload) == 0) return false;
    logged = true;
  }
  setPending(0, 0, pendingPayload);
  saveState();
  return logged;
}

function append(card: CardSession, file: u8, count: i32): bool {
  if (count == 0) return true;
  card.secure(INS_APPEND_RECORDS, 0, file, batch, 0, count * AUDIT_RECORD_SIZE, 8);
  return card.sw == 0x9000;
}

/** Events the carried file takes (protocol/SPEC.md Card §4: 01..04, accesses by any card). */
function carried(event: u8): bool {
  return event >= EVENT_OPENED && event <= EVENT_CARS_APPLIED;
}

/**
 * Gives the card the newest record (in `ownFile`) and carried records (file 02): the 3
 * carried-file records before it, then records from `ackedBelow` on, oldest first, up to
 * BACKLOG_PER_CARD. Returns false when the card did not take the record in its own file (file
 * full: the holder must renew; or the link failed). A full carried file only defers those records.
 */
export function handToCard(card: CardSession, ownFile: u8, ackedBelow: u32): bool {
  for (let i = 0; i < AUDIT_RECORD_SIZE; i++) batch[i] = lastRecord[i];
  const ownOk = append(card, ownFile, 1);
  const newest = seqOf(lastRecord, 0);
  let n = 0;
  // Previous 3 carried-file records, newest first going back; bounded by the ring size.
  let seq = newest;
  for (let tries = 0; n < 3 && seq > 1 && tries < 16; tries++) {
    seq--;
    if (journal.findFrom(seq, scratch, 0) < 0 || seqOf(scratch, 0) != seq) continue;
    if (!carried(scratch[12])) continue;
    for (let i = 0; i < AUDIT_RECORD_SIZE; i++) batch[n * AUDIT_RECORD_SIZE + i] = scratch[i];
    n++;
  }
  append(card, FILE_CARRIED, n);
  n = 0;
  const lowest = newest > 3 ? newest - 3 : 1;
  if (ackedBelow < lowest) {
    let slot = journal.findFrom(ackedBelow, scratch, 0);
    for (let tries = 0; slot >= 0 && n < BACKLOG_PER_CARD && tries < 32; tries++) {
      const s = seqOf(scratch, 0);
      if (s >= lowest) break;
      if (carried(scratch[12])) {
        for (let i = 0; i < AUDIT_RECORD_SIZE; i++) batch[n * AUDIT_RECORD_SIZE + i] = scratch[i];
        n++;
      }
      slot = journal.nextSlot(slot);
      if (!journal.readSlot(slot, scratch, 0) || seqOf(scratch, 0) <= s) break;
    }
  }
  append(card, FILE_CARRIED, n);
  return ownOk;
}
