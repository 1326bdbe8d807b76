/**
 * The lockbox audit log in flash: a crash-safe, sequence-numbered ring of sealed audit records
 * (protocol/SPEC.md Lockbox §2.3; record layout protocol/card/records.ts). Every slot is 64 bytes:
 *   audit record (38) ‖ CRC-32 of the record (4, BE) ‖ 22 × FF
 * A slot is written with one page program. Entering a sector erases it first, which drops the
 * oldest sector's records: capacity = (sectors − 1) × slots per sector records are always kept.
 * A slot whose CRC fails (power cut mid-program) is skipped; sequence numbers are never reused.
 */
import { crc32 } from "../../protocol/crc";
import { AUDIT_RECORD_SIZE } from "../../protocol/card/records";
import { halFlashRead, halFlashProgram, halFlashErase, halFlashSectorSize } from "../hal/hal";
import { readU32BE, writeU32BE } from "../../protocol/bytes";

/** Bytes per journal slot (four per 256-byte page). */
export const JOURNAL_SLOT_SIZE: i32 = 64;
const STORED: i32 = AUDIT_RECORD_SIZE + 4;

/** The flash ring of sealed audit records (protocol/SPEC.md Lockbox §2.4). */
export class AuditJournal {
  firstSector: i32;
  sectorCount: i32;
  slotsPerSector: i32;
  totalSlots: i32;
  /** Slot the next record goes to. */
  head: i32 = 0;
  /** Sequence number of the next record (the first record is 1). */
  nextSeq: u32 = 1;
  /** UTC time of the newest record (0 when the log is empty). */
  newestTime: u32 = 0;
  private slot: Uint8Array = new Uint8Array(STORED);

  constructor(firstSector: i32, sectorCount: i32) {
    this.firstSector = firstSector;
    this.sectorCount = sectorCount;
    this.slotsPerSector = i32(halFlashSectorSize() / JOURNAL_SLOT_SIZE);
    this.totalSlots = this.slotsPerSector * sectorCount;
  }

  /** Records always retained before the ring overwrites them. */
  capacity(): i32 {
    return this.slotsPerSector * (this.sectorCount - 1);
  }

  private addr(slot: i32): i32 {
    return this.firstSector * halFlashSectorSize() + slot * JOURNAL_SLOT_SIZE;
  }

  /** Reads slot into `out` at off (38 bytes); true when it holds an intact record. */
  readSlot(slot: i32, out: Uint8Array, off: i32): bool {
    const b = this.slot;
    if (halFlashRead(this.addr(slot), b.dataStart, STORED) != 0) return false;
    if (crc32(b, 0, AUDIT_RECORD_SIZE) != readU32BE(b, AUDIT_RECORD_SIZE)) return false;
    for (let i = 0; i < AUDIT_RECORD_SIZE; i++) out[off + i] = b[i];
    return true;
  }

  private slotBlank(slot: i32): bool {
    const b = this.slot;
    if (halFlashRead(this.addr(slot), b.dataStart, STORED) != 0) return false;
    for (let i = 0; i < STORED; i++) if (b[i] != 0xff) return false;
    return true;
  }

  /** Scans the ring at power-on: finds the newest record and where the next one goes. */
  mount(scratch: Uint8Array): void {
    let newestSlot = -1;
    let newestSeq: u32 = 0;
    for (let s = 0; s < this.totalSlots; s++) {
      if (!this.readSlot(s, scratch, 0)) continue;
      const seq = seqOf(scratch, 0);
      if (newestSlot < 0 || seq > newestSeq) {
        newestSlot = s;
        newestSeq = seq;
        this.newestTime = timeOf(scratch, 0);
      }
    }
    this.nextSeq = newestSlot < 0 ? 1 : newestSeq + 1;
    let h = newestSlot < 0 ? 0 : (newestSlot + 1) % this.totalSlots;
    // Skip slots left torn by a power cut (never program over them); a sector start is erased anyway.
    for (let n = 0; n < this.slotsPerSector && h % this.slotsPerSector != 0 && !this.slotBlank(h); n++) {
      h = (h + 1) % this.totalSlots;
    }
    this.head = h;
  }

  /**
   * Appends a sealed record (its sequence field must be nextSeq). Returns the slot written, or -1
   * on a flash error. The record is accepted once this returns.
   */
  append(rec: Uint8Array, off: i32): i32 {
    const b = this.slot;
    for (let i = 0; i < AUDIT_RECORD_SIZE; i++) b[i] = rec[off + i];
    writeU32BE(b, AUDIT_RECORD_SIZE, crc32(b, 0, AUDIT_RECORD_SIZE));
    const slot = this.head;
    if (slot % this.slotsPerSector == 0 && halFlashErase(this.firstSector + i32(slot / this.slotsPerSector)) != 0) return -1;
    if (halFlashProgram(this.addr(slot), b.dataStart, STORED) != 0) return -1;
    this.head = (slot + 1) % this.totalSlots;
    this.nextSeq = seqOf(rec, off) + 1;
    this.newestTime = timeOf(rec, off);
    return slot;
  }

  /**
   * Finds the record with sequence `seq`, or failing that the oldest kept record above it
   * (searching back from the newest, bounded by the ring size). Writes it to out and returns its
   * slot, or -1 when no kept record has a sequence >= seq.
   */
  findFrom(seq: u32, out: Uint8Array, off: i32): i32 {
    let found = -1;
    let s = this.head;
    for (let n = 0; n < this.totalSlots; n++) {
      s = s == 0 ? this.totalSlots - 1 : s - 1;
      if (!this.readSlot(s, this.slotOut, 0)) continue;
      const recSeq = seqOf(this.slotOut, 0);
      if (recSeq < seq || recSeq >= this.nextSeq) break;
      found = s;
      if (recSeq == seq) break;
    }
    if (found >= 0) this.readSlot(found, out, off);
    return found;
  }

  /** The slot after `slot` in ring order. */
  nextSlot(slot: i32): i32 {
    return (slot + 1) % this.totalSlots;
  }

  private slotOut: Uint8Array = new Uint8Array(AUDIT_RECORD_SIZE);
}

/** Audit sequence field (bytes 4..7) of a record. */
export function seqOf(rec: Uint8Array, off: i32): u32 {
  return readU32BE(rec, off + 4);
}

/** UTC time field (bytes 8..11) of a record. */
export function timeOf(rec: Uint8Array, off: i32): u32 {
  return readU32BE(rec, off + 8);
}
