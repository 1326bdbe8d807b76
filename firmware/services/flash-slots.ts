/**
 * A crash-safe store for one small record in two flash sectors (A/B), protocol/SPEC.md Lockbox §2.2
 * Each write goes to the sector NOT holding the newest copy: erase, then program
 *   generation (u32 BE) ‖ length (u16 BE) ‖ payload ‖ CRC-32 (of everything before it)
 * page by page. A power cut at any point leaves the other sector's copy intact and valid, so a
 * reader sees the old record or the new one, never a mix.
 */
import { crc32 } from "../../protocol/crc";
import { halFlashRead, halFlashProgram, halFlashErase, halFlashSectorSize } from "../hal/hal";
import { readU32BE, writeU32BE } from "../../protocol/bytes";

const HEADER: i32 = 6;
const PAGE: i32 = 256;

/** One record kept crash-safe in two sectors (protocol/SPEC.md Lockbox §2.2). */
export class FlashSlots {
  firstSector: i32;
  capacity: i32;
  /** The newest valid copy: 0 or 1, or -1 when neither is valid (never written). */
  current: i32 = -1;
  generation: u32 = 0;
  /** Payload length of the newest copy. */
  length: i32 = 0;
  private buf: Uint8Array;
  private checkedGeneration: u32 = 0;

  /** `capacity` payload bytes in sectors firstSector and firstSector+1. */
  constructor(firstSector: i32, capacity: i32) {
    this.firstSector = firstSector;
    this.capacity = capacity;
    this.buf = new Uint8Array(HEADER + capacity + 4);
  }

  private sectorAddr(slot: i32): i32 {
    return (this.firstSector + slot) * halFlashSectorSize();
  }

  /** Reads a copy into the internal buffer and sets checkedGeneration; false when torn/blank/invalid. */
  private check(slot: i32): bool {
    const b = this.buf;
    if (halFlashRead(this.sectorAddr(slot), b.dataStart, HEADER) != 0) return false;
    const len = (i32(b[4]) << 8) | i32(b[5]);
    if (len > this.capacity) return false;
    if (halFlashRead(this.sectorAddr(slot), b.dataStart, HEADER + len + 4) != 0) return false;
    if (crc32(b, 0, HEADER + len) != readU32BE(b, HEADER + len)) return false;
    this.checkedGeneration = readU32BE(b, 0);
    return true;
  }

  /** Finds the newest valid copy (at power-on). Returns its payload length, or -1 when none. */
  mount(): i32 {
    const aValid = this.check(0);
    const a = this.checkedGeneration;
    const bValid = this.check(1);
    const b = this.checkedGeneration;
    this.current = -1;
    if (!aValid && !bValid) return -1;
    this.current = aValid && (!bValid || a >= b) ? 0 : 1;
    this.check(this.current);
    this.generation = this.checkedGeneration;
    this.length = (i32(this.buf[4]) << 8) | i32(this.buf[5]);
    return this.length;
  }

  /** Copies the newest payload into out[off..); returns its length or -1 when none. */
  read(out: Uint8Array, off: i32): i32 {
    if (this.current < 0 || !this.check(this.current)) return -1;
    for (let i = 0; i < this.length; i++) out[off + i] = this.buf[HEADER + i];
    return this.length;
  }

  /** Stores payload src[off..off+len) as the new copy; returns 0, or -1 (too long / flash error). */
  write(src: Uint8Array, off: i32, len: i32): i32 {
    if (len < 0 || len > this.capacity) return -1;
    const slot = this.current == 0 ? 1 : 0;
    const gen = this.generation + 1;
    const b = this.buf;
    writeU32BE(b, 0, gen);
    b[4] = u8(len >>> 8);
    b[5] = u8(len);
    for (let i = 0; i < len; i++) b[HEADER + i] = src[off + i];
    writeU32BE(b, HEADER + len, crc32(b, 0, HEADER + len));
    if (halFlashErase(this.firstSector + slot) != 0) return -1;
    const total = HEADER + len + 4;
    const base = this.sectorAddr(slot);
    for (let at = 0; at < total; at += PAGE) {
      const n = min(PAGE, total - at);
      if (halFlashProgram(base + at, b.dataStart + <usize>at, n) != 0) return -1;
    }
    this.current = slot;
    this.generation = gen;
    this.length = len;
    return 0;
  }
}
