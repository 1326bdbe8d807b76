/**
 * The update partition at the top of a device's flash (protocol/SPEC.md Image §5): the boot block
 * written at the factory, the two slots, the scratch sector and the boot-state log, in sectors:
 *
 *   … device data … | primary (S) | secondary (S) | scratch | log A | log B | boot block
 *
 * The boot-state log is how the application and the boot code tell each other what happened
 * (a transfer's progress, an image checked and waiting, each step of a swap, a confirmation): a
 * sequence of 32-byte records, each programmed once and carrying its CRC, so a power cut leaves at
 * most one torn record, which readers skip. BootState.apply replays them. Big-endian, like the
 * rest of the devices' flash (Lockbox §2). Portable AssemblyScript: app, boot code and Node share it.
 */
import { inBounds, readU32BE, writeU32BE } from "../bytes";
import { crc32 } from "../crc";
import { ERR_BAD_ARGUMENT, ERR_TRUNCATED, ERR_BAD_VALUE } from "../errors";
import { ERR_IMAGE_NOT_CONFIRMED } from "./errors";

/** Sectors the partition needs besides its two slots: scratch, log A, log B, boot block. */
export const PARTITION_FIXED_SECTORS: i32 = 4;

/** Boot block (at the start of the last sector): magic "LBXB". */
export const BOOT_BLOCK_MAGIC: u32 = 0x4c425842;
export const BOOT_BLOCK_VERSION: u8 = 1;
/** Bytes of the boot block: magic, version, device model, slot sectors, public key, CRC-32. */
export const BOOT_BLOCK_SIZE: i32 = 44;

/** What the factory provisioned for the boot code: which device this is, how big a slot is, the key images must be signed with. */
export class BootBlock {
  deviceModel: u8 = 0;
  slotSectors: i32 = 0;
  readonly publicKey: Uint8Array = new Uint8Array(32);
}

/**
 * Decodes a boot block at buf[off..off+len): ERR_TRUNCATED (short), ERR_BAD_VALUE (magic, version,
 * CRC, or no slot sectors); `into` written only on success. Returns BOOT_BLOCK_SIZE.
 */
export function decodeBootBlock(buf: Uint8Array, off: i32, len: i32, into: BootBlock): i32 {
  if (!inBounds(buf, off, len)) return ERR_BAD_ARGUMENT;
  if (len < BOOT_BLOCK_SIZE) return ERR_TRUNCATED;
  if (readU32BE(buf, off) != BOOT_BLOCK_MAGIC || buf[off + 4] != BOOT_BLOCK_VERSION) return ERR_BAD_VALUE;
  if (crc32(buf, off, BOOT_BLOCK_SIZE - 4) != readU32BE(buf, off + BOOT_BLOCK_SIZE - 4)) return ERR_BAD_VALUE;
  const sectors = (i32(buf[off + 6]) << 8) | i32(buf[off + 7]);
  if (sectors == 0) return ERR_BAD_VALUE;
  into.deviceModel = buf[off + 5];
  into.slotSectors = sectors;
  for (let i = 0; i < 32; i++) into.publicKey[i] = buf[off + 8 + i];
  return BOOT_BLOCK_SIZE;
}

/** Encodes a boot block at out[off..]; returns BOOT_BLOCK_SIZE or ERR_BAD_ARGUMENT. */
export function encodeBootBlock(b: BootBlock, out: Uint8Array, off: i32): i32 {
  if (!inBounds(out, off, BOOT_BLOCK_SIZE) || b.slotSectors < 1 || b.slotSectors > 0xffff) return ERR_BAD_ARGUMENT;
  writeU32BE(out, off, BOOT_BLOCK_MAGIC);
  out[off + 4] = BOOT_BLOCK_VERSION;
  out[off + 5] = b.deviceModel;
  out[off + 6] = u8(b.slotSectors >> 8);
  out[off + 7] = u8(b.slotSectors);
  for (let i = 0; i < 32; i++) out[off + 8 + i] = b.publicKey[i];
  writeU32BE(out, off + BOOT_BLOCK_SIZE - 4, crc32(out, off, BOOT_BLOCK_SIZE - 4));
  return BOOT_BLOCK_SIZE;
}

/** Where everything is, as sector numbers, for a flash of `sectors` sectors (Image §5). */
export class PartitionLayout {
  sectorSize: i32 = 0;
  slotSectors: i32 = 0;
  primary: i32 = 0;
  secondary: i32 = 0;
  scratch: i32 = 0;
  logA: i32 = 0;
  logB: i32 = 0;
  bootBlock: i32 = 0;

  /** Bytes of one slot. */
  slotBytes(): i32 {
    return this.slotSectors * this.sectorSize;
  }

  /** First sector of the partition: the device's own data must end before it. */
  first(): i32 {
    return this.primary;
  }
}

/** The sector the boot block is in: the last one. */
export function bootBlockSector(flashBytes: i32, sectorSize: i32): i32 {
  return flashBytes / sectorSize - 1;
}

/**
 * Fills `into` for a flash of flashBytes in sectors of sectorSize with slots of slotSectors;
 * ERR_BAD_VALUE when the partition does not fit above sector 0.
 */
export function layoutPartition(flashBytes: i32, sectorSize: i32, slotSectors: i32, into: PartitionLayout): i32 {
  if (sectorSize <= 0 || flashBytes <= 0 || flashBytes % sectorSize != 0 || slotSectors < 1) return ERR_BAD_ARGUMENT;
  const sectors = flashBytes / sectorSize;
  const first = sectors - PARTITION_FIXED_SECTORS - 2 * slotSectors;
  if (first < 1) return ERR_BAD_VALUE;
  into.sectorSize = sectorSize;
  into.slotSectors = slotSectors;
  into.primary = first;
  into.secondary = first + slotSectors;
  into.scratch = first + 2 * slotSectors;
  into.logA = into.scratch + 1;
  into.logB = into.scratch + 2;
  into.bootBlock = into.scratch + 3;
  return 0;
}

// ---------------------------------------------------------------- the boot-state log

/** Bytes of a record: type, 27 bytes of body, CRC-32 of the 28 before it. */
export const LOG_RECORD_SIZE: i32 = 32;
/** The header record of a log sector: "LBXS", generation. */
export const LOG_MAGIC: u32 = 0x4c425853;

export const REC_HEADER: u8 = 0x01;
export const REC_SNAPSHOT: u8 = 0x02;
export const REC_TRANSFER_BEGIN: u8 = 0x10;
export const REC_TRANSFER_PROGRESS: u8 = 0x11;
export const REC_ACCEPTED: u8 = 0x20;
export const REC_REJECTED: u8 = 0x21;
export const REC_SWAP_BEGIN: u8 = 0x30;
export const REC_SWAP_STEP: u8 = 0x31;
export const REC_SWAP_DONE: u8 = 0x32;
export const REC_CONFIRMED: u8 = 0x40;

/** State of the primary slot: the image runs for good, or on trial until it confirms itself. */
export const PRIMARY_CONFIRMED: u8 = 0;
export const PRIMARY_TESTING: u8 = 1;

/** State of the secondary slot. */
export const SECONDARY_EMPTY: u8 = 0;
/** A transfer is under way (or was cut): `received` bytes are in, resumable. */
export const SECONDARY_RECEIVING: u8 = 1;
/** Every byte is in; the application has not checked it yet. */
export const SECONDARY_RECEIVED: u8 = 2;
/** The application checked it; the boot code verifies and test-boots it at the next reset. */
export const SECONDARY_PENDING: u8 = 3;
/** Refused (lastResult says why); the running image is unchanged. */
export const SECONDARY_REJECTED: u8 = 4;
/** The image the confirmed one replaced. */
export const SECONDARY_PREVIOUS: u8 = 5;
/** An image that was test-booted and reset before confirming: the old one was put back. */
export const SECONDARY_REVERTED: u8 = 6;

/** Swap kinds. */
export const SWAP_NONE: u8 = 0;
export const SWAP_TEST: u8 = 1;
export const SWAP_REVERT: u8 = 2;
/** Steps per swapped sector (scratch ← secondary, secondary ← primary, primary ← scratch). */
export const SWAP_STEPS_PER_SECTOR: i32 = 3;

/** The state the log describes (Image §5.3). */
export class BootState {
  primary: u8 = PRIMARY_CONFIRMED;
  secondary: u8 = SECONDARY_EMPTY;
  /** The last refusal (an ERR_IMAGE_* code) or 0. */
  lastResult: i32 = 0;
  /** The transfer into the secondary slot: total bytes, bytes safely in, CRC-32 of those bytes. */
  total: u32 = 0;
  received: u32 = 0;
  crc: u32 = 0;
  /** A swap under way: its kind, its sectors, the steps completed (sector × 3 + step). */
  swapKind: u8 = SWAP_NONE;
  swapSectors: i32 = 0;
  swapDone: i32 = 0;

  reset(): void {
    this.primary = PRIMARY_CONFIRMED;
    this.secondary = SECONDARY_EMPTY;
    this.lastResult = 0;
    this.total = 0;
    this.received = 0;
    this.crc = 0;
    this.swapKind = SWAP_NONE;
    this.swapSectors = 0;
    this.swapDone = 0;
  }

  copyFrom(s: BootState): void {
    this.primary = s.primary;
    this.secondary = s.secondary;
    this.lastResult = s.lastResult;
    this.total = s.total;
    this.received = s.received;
    this.crc = s.crc;
    this.swapKind = s.swapKind;
    this.swapSectors = s.swapSectors;
    this.swapDone = s.swapDone;
  }

  /** Applies the record at buf[off..off+32) (already CRC-checked); returns false for a type it does not know. */
  apply(buf: Uint8Array, off: i32): bool {
    const type = buf[off];
    const b = off + 1;
    if (type == REC_SNAPSHOT) {
      this.primary = buf[b];
      this.secondary = buf[b + 1];
      this.lastResult = signed16(buf, b + 2);
      this.total = readU32BE(buf, b + 4);
      this.received = readU32BE(buf, b + 8);
      this.crc = readU32BE(buf, b + 12);
      this.swapKind = SWAP_NONE;
    } else if (type == REC_TRANSFER_BEGIN) {
      this.secondary = SECONDARY_RECEIVING;
      this.total = readU32BE(buf, b);
      this.received = 0;
      this.crc = 0;
      this.lastResult = 0;
    } else if (type == REC_TRANSFER_PROGRESS) {
      if (this.secondary != SECONDARY_RECEIVING) return true;
      this.received = readU32BE(buf, b);
      this.crc = readU32BE(buf, b + 4);
      if (this.received == this.total) this.secondary = SECONDARY_RECEIVED;
    } else if (type == REC_ACCEPTED) {
      if (this.secondary == SECONDARY_RECEIVED) this.secondary = SECONDARY_PENDING;
    } else if (type == REC_REJECTED) {
      this.secondary = SECONDARY_REJECTED;
      this.lastResult = signed16(buf, b);
    } else if (type == REC_SWAP_BEGIN) {
      this.swapKind = buf[b];
      this.swapSectors = (i32(buf[b + 1]) << 8) | i32(buf[b + 2]);
      this.swapDone = 0;
    } else if (type == REC_SWAP_STEP) {
      this.swapDone = ((i32(buf[b]) << 8) | i32(buf[b + 1])) * SWAP_STEPS_PER_SECTOR + i32(buf[b + 2]);
    } else if (type == REC_SWAP_DONE) {
      if (buf[b] == SWAP_TEST) {
        this.primary = PRIMARY_TESTING;
        this.secondary = SECONDARY_PREVIOUS;
      } else {
        this.primary = PRIMARY_CONFIRMED;
        this.secondary = SECONDARY_REVERTED;
        this.lastResult = ERR_IMAGE_NOT_CONFIRMED;
      }
      this.swapKind = SWAP_NONE;
    } else if (type == REC_CONFIRMED) {
      this.primary = PRIMARY_CONFIRMED;
    } else {
      return type == REC_HEADER;
    }
    return true;
  }
}

function signed16(buf: Uint8Array, at: i32): i32 {
  const v = (i32(buf[at]) << 8) | i32(buf[at + 1]);
  return v >= 0x8000 ? v - 0x10000 : v;
}

/** Starts a record of `type` at out[off..off+32): zero body. Fill the body, then sealRecord. */
export function beginRecord(type: u8, out: Uint8Array, off: i32): void {
  for (let i = 0; i < LOG_RECORD_SIZE; i++) out[off + i] = 0;
  out[off] = type;
}

/** Writes the CRC-32 of bytes 0..27 of the record at out[off] into bytes 28..31. */
export function sealRecord(out: Uint8Array, off: i32): void {
  writeU32BE(out, off + LOG_RECORD_SIZE - 4, crc32(out, off, LOG_RECORD_SIZE - 4));
}

/** 1: an intact record; 0: blank (all ff, never written); -1: torn or corrupt. */
export function recordStatus(buf: Uint8Array, off: i32): i32 {
  let blank = true;
  for (let i = 0; i < LOG_RECORD_SIZE && blank; i++) blank = buf[off + i] == 0xff;
  if (blank) return 0;
  return crc32(buf, off, LOG_RECORD_SIZE - 4) == readU32BE(buf, off + LOG_RECORD_SIZE - 4) ? 1 : -1;
}

/** Header record of a log sector with `generation`. */
export function encodeLogHeader(generation: u32, out: Uint8Array, off: i32): void {
  beginRecord(REC_HEADER, out, off);
  writeU32BE(out, off + 1, LOG_MAGIC);
  writeU32BE(out, off + 5, generation);
  sealRecord(out, off);
}

/** The generation (0..2^31-1) of an intact header record at buf[off], or -1 when it is not one. */
export function logHeaderGeneration(buf: Uint8Array, off: i32): i32 {
  if (recordStatus(buf, off) != 1 || buf[off] != REC_HEADER || readU32BE(buf, off + 1) != LOG_MAGIC) return -1;
  return i32(readU32BE(buf, off + 5) & 0x7fffffff);
}

/** The snapshot record of `s` (a state with no swap under way). */
export function encodeSnapshot(s: BootState, out: Uint8Array, off: i32): void {
  beginRecord(REC_SNAPSHOT, out, off);
  out[off + 1] = s.primary;
  out[off + 2] = s.secondary;
  out[off + 3] = u8(s.lastResult >> 8);
  out[off + 4] = u8(s.lastResult);
  writeU32BE(out, off + 5, s.total);
  writeU32BE(out, off + 9, s.received);
  writeU32BE(out, off + 13, s.crc);
  sealRecord(out, off);
}

/** A record with no body (REC_ACCEPTED, REC_CONFIRMED). */
export function encodeMarker(type: u8, out: Uint8Array, off: i32): void {
  beginRecord(type, out, off);
  sealRecord(out, off);
}

/** REC_TRANSFER_BEGIN: a transfer of `total` bytes into the secondary slot starts. */
export function encodeTransferBegin(total: u32, out: Uint8Array, off: i32): void {
  beginRecord(REC_TRANSFER_BEGIN, out, off);
  writeU32BE(out, off + 1, total);
  sealRecord(out, off);
}

/** REC_TRANSFER_PROGRESS: the first `received` bytes (CRC-32 `crc`) are programmed. */
export function encodeTransferProgress(received: u32, crc: u32, out: Uint8Array, off: i32): void {
  beginRecord(REC_TRANSFER_PROGRESS, out, off);
  writeU32BE(out, off + 1, received);
  writeU32BE(out, off + 5, crc);
  sealRecord(out, off);
}

/** REC_REJECTED: the secondary image was refused for `code` (an ERR_IMAGE_* value). */
export function encodeRejected(code: i32, out: Uint8Array, off: i32): void {
  beginRecord(REC_REJECTED, out, off);
  out[off + 1] = u8(code >> 8);
  out[off + 2] = u8(code);
  sealRecord(out, off);
}

/** REC_SWAP_BEGIN: a swap of `kind` over the first `sectors` sectors of both slots starts. */
export function encodeSwapBegin(kind: u8, sectors: i32, out: Uint8Array, off: i32): void {
  beginRecord(REC_SWAP_BEGIN, out, off);
  out[off + 1] = kind;
  out[off + 2] = u8(sectors >> 8);
  out[off + 3] = u8(sectors);
  sealRecord(out, off);
}

/** REC_SWAP_STEP: step 1, 2 or 3 of sector `sector` is done. */
export function encodeSwapStep(sector: i32, step: i32, out: Uint8Array, off: i32): void {
  beginRecord(REC_SWAP_STEP, out, off);
  out[off + 1] = u8(sector >> 8);
  out[off + 2] = u8(sector);
  out[off + 3] = u8(step);
  sealRecord(out, off);
}

/** REC_SWAP_DONE: the swap of `kind` is complete. */
export function encodeSwapDone(kind: u8, out: Uint8Array, off: i32): void {
  beginRecord(REC_SWAP_DONE, out, off);
  out[off + 1] = kind;
  sealRecord(out, off);
}
