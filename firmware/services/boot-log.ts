/**
 * The update partition on flash (protocol/SPEC.md Image §6): finding it from the boot block, and
 * the boot-state log through which the application and the boot code hand over (records of
 * protocol/image/partition.ts). The log lives in two sectors used in turn: records are appended
 * one program each; when a sector fills up, the state is compacted into a snapshot at the head of
 * the other sector, whose header (with the next generation) is programmed last, so a power cut at
 * any write leaves either the old sector or the new one authoritative. Shared by the application
 * (firmware/services/update.ts) and the boot code (firmware/boot/).
 */
import { halFlashRead, halFlashProgram, halFlashErase, halFlashSize, halFlashSectorSize } from "../hal/hal";
import {
  BootBlock, BOOT_BLOCK_SIZE, decodeBootBlock, PartitionLayout, layoutPartition, bootBlockSector, BootState,
  LOG_RECORD_SIZE, encodeLogHeader, logHeaderGeneration, recordStatus, encodeSnapshot, SWAP_NONE,
} from "../../protocol/image/partition";

/** The update partition of this device and its boot-state log. */
export class UpdatePartition {
  readonly block: BootBlock = new BootBlock();
  readonly layout: PartitionLayout = new PartitionLayout();
  /** The state the log describes (replayed at mount, updated by every append). */
  readonly state: BootState = new BootState();
  /** True once a valid boot block was found. */
  present: bool = false;
  /** The log sector in use, its generation, and the record index of the next append. */
  private logSector: i32 = -1;
  private generation: i32 = 0;
  private next: i32 = 0;
  private readonly rec: Uint8Array = new Uint8Array(LOG_RECORD_SIZE);
  private readonly blockBuf: Uint8Array = new Uint8Array(BOOT_BLOCK_SIZE);

  /** Records per log sector. */
  recordsPerSector(): i32 {
    return this.layout.sectorSize / LOG_RECORD_SIZE;
  }

  /** Reads the boot block and the log; false when there is no valid boot block (no partition). */
  mount(): bool {
    this.present = false;
    const size = halFlashSize(), sector = halFlashSectorSize();
    if (sector < 512 || size < sector * 2) return false;
    const at = bootBlockSector(size, sector) * sector;
    if (halFlashRead(at, this.blockBuf.dataStart, BOOT_BLOCK_SIZE) != 0) return false;
    if (decodeBootBlock(this.blockBuf, 0, BOOT_BLOCK_SIZE, this.block) < 0) return false;
    if (layoutPartition(size, sector, this.block.slotSectors, this.layout) < 0) return false;
    this.present = true;
    this.replay();
    return true;
  }

  /** Address of byte `offset` of slot sector `first`. */
  address(firstSector: i32, offset: i32): i32 {
    return firstSector * this.layout.sectorSize + offset;
  }

  private readRecord(sector: i32, index: i32): i32 {
    if (halFlashRead(this.address(sector, index * LOG_RECORD_SIZE), this.rec.dataStart, LOG_RECORD_SIZE) != 0) return -1;
    return recordStatus(this.rec, 0);
  }

  private headerGeneration(sector: i32): i32 {
    if (this.readRecord(sector, 0) != 1) return -1;
    return logHeaderGeneration(this.rec, 0);
  }

  /** Picks the sector with the newest valid header and replays its records (torn ones are skipped). */
  private replay(): void {
    this.state.reset();
    const a = this.headerGeneration(this.layout.logA), b = this.headerGeneration(this.layout.logB);
    this.logSector = -1;
    this.generation = 0;
    this.next = 0;
    if (a < 0 && b < 0) return;
    this.logSector = a >= b ? this.layout.logA : this.layout.logB;
    this.generation = a >= b ? a : b;
    const n = this.recordsPerSector();
    let i = 1;
    for (; i < n; i++) {
      const st = this.readRecord(this.logSector, i);
      if (st == 0) break;
      if (st == 1) this.state.apply(this.rec, 0);
    }
    this.next = i;
  }

  /** Records that can still be appended before a compaction. */
  free(): i32 {
    return this.logSector < 0 ? 0 : this.recordsPerSector() - this.next;
  }

  /**
   * Makes room for `records` appends: when the sector in use lacks it (or none is in use yet),
   * writes the state as a snapshot into the other sector, then that sector's header. Only between
   * swaps (a snapshot cannot describe a swap under way). Returns 0 or -1 (flash error).
   */
  reserve(records: i32): i32 {
    if (this.logSector >= 0 && this.free() >= records) return 0;
    if (this.state.swapKind != SWAP_NONE) return -1;
    const target = this.logSector == this.layout.logA ? this.layout.logB : this.layout.logA;
    if (halFlashErase(target) != 0) return -1;
    encodeSnapshot(this.state, this.rec, 0);
    if (halFlashProgram(this.address(target, LOG_RECORD_SIZE), this.rec.dataStart, LOG_RECORD_SIZE) != 0) return -1;
    const generation = (this.generation + 1) & 0x7fffffff;
    encodeLogHeader(u32(generation), this.rec, 0);
    if (halFlashProgram(this.address(target, 0), this.rec.dataStart, LOG_RECORD_SIZE) != 0) return -1;
    this.logSector = target;
    this.generation = generation;
    this.next = 2;
    return this.free() >= records ? 0 : -1;
  }

  /**
   * Appends the sealed record in `record` (32 bytes) and applies it to `state`. Returns 0, or -1 on
   * a flash error or when no room was reserved.
   */
  append(record: Uint8Array): i32 {
    if (this.reserve(1) != 0) return -1;
    if (halFlashProgram(this.address(this.logSector, this.next * LOG_RECORD_SIZE), record.dataStart, LOG_RECORD_SIZE) != 0) return -1;
    this.next++;
    this.state.apply(record, 0);
    return 0;
  }
}
