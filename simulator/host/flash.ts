/**
 * Simulated NOR flash behind the HAL flash calls (firmware/hal/hal.ts): erase sets a sector to FF,
 * program can only clear bits and must stay inside one 256-byte page. Optionally backed by a file
 * (written through on every change). The fault hook cuts power before the k-th write (program or
 * erase), so tests can show the firmware is crash-safe at every write. A parked device's flash can
 * be compacted to the pages that are not erased; the next access brings the whole array back.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";

/** A program may not cross a page of this many bytes (protocol/SPEC.md Lockbox §2). */
export const FLASH_PAGE_SIZE = 256;

/** Thrown out of a HAL flash call when the simulated power fails; the host stops the device. */
export class PowerCut extends Error {
  override name = "PowerCut";
}

/** One flash write: a program of `data` at `addr`, or an erase of `sector`. */
export type FlashWrite = { kind: "program"; addr: number; data: Uint8Array } | { kind: "erase"; sector: number };

/** The simulated NOR flash chip behind hal.flash* (protocol/SPEC.md Lockbox §2). */
export class Flash {
  readonly sectorSize: number;
  readonly size: number;
  private array: Uint8Array | null;
  /** While compacted: the indexes of the pages that are not all FF, and their bytes. */
  private packed: { pages: Uint16Array; data: Uint8Array } | null = null;
  /** Writes (programs + erases) performed so far. */
  writes = 0;
  /** Called after every write that happened (tests record the sequence to rebuild the flash before any of them). */
  onWrite: ((op: FlashWrite) => void) | null = null;
  /** When set, power fails just before write number `cutBeforeWrite` (1-based, counted from now). */
  private cutAt = 0;
  private readonly path: string | null;

  constructor(size: number, sectorSize = 4096, path: string | null = null) {
    if (size % sectorSize !== 0) throw new Error("flash size must be a whole number of sectors");
    if (size / FLASH_PAGE_SIZE > 0x10000) throw new Error("flash larger than 65,536 pages");
    this.sectorSize = sectorSize;
    this.size = size;
    this.path = path;
    this.array = new Uint8Array(size).fill(0xff);
    if (path && existsSync(path)) {
      const file = readFileSync(path);
      if (file.length !== size) throw new Error(`${path}: flash file is ${file.length} bytes, expected ${size}`);
      this.array.set(file);
    }
  }

  /** The whole chip (brought back from its compact form if it was compacted). */
  get bytes(): Uint8Array {
    if (this.array) return this.array;
    const a = new Uint8Array(this.size).fill(0xff);
    const p = this.packed!;
    p.pages.forEach((page, i) => a.set(p.data.subarray(i * FLASH_PAGE_SIZE, (i + 1) * FLASH_PAGE_SIZE), page * FLASH_PAGE_SIZE));
    this.packed = null;
    this.array = a;
    return a;
  }

  /** Keeps only the pages that are not erased until the next access (a parked device's flash). */
  compact(): void {
    const a = this.array;
    if (!a) return;
    const pages: number[] = [];
    for (let p = 0; p * FLASH_PAGE_SIZE < a.length; p++) {
      const end = (p + 1) * FLASH_PAGE_SIZE;
      for (let i = p * FLASH_PAGE_SIZE; i < end; i++) {
        if (a[i] !== 0xff) {
          pages.push(p);
          break;
        }
      }
    }
    const data = new Uint8Array(pages.length * FLASH_PAGE_SIZE);
    pages.forEach((p, i) => data.set(a.subarray(p * FLASH_PAGE_SIZE, (p + 1) * FLASH_PAGE_SIZE), i * FLASH_PAGE_SIZE));
    this.packed = { pages: Uint16Array.from(pages), data };
    this.array = null;
  }

  /** Bytes held: the whole chip, or the kept pages while compacted. */
  heldBytes(): number {
    return this.array ? this.array.byteLength : this.packed!.data.byteLength + this.packed!.pages.byteLength;
  }

  /** Arms the fault hook: the k-th write from now (k >= 1) does not happen and throws PowerCut. */
  cutPowerBeforeWrite(k: number): void {
    this.cutAt = this.writes + k;
  }

  disarm(): void {
    this.cutAt = 0;
  }

  private beforeWrite(): void {
    if (this.cutAt !== 0 && this.writes + 1 === this.cutAt) {
      this.cutAt = 0;
      throw new PowerCut(`power cut before flash write ${this.writes + 1}`);
    }
    this.writes++;
  }

  private persist(): void {
    if (this.path) writeFileSync(this.path, this.bytes);
  }

  read(addr: number, len: number): Uint8Array | null {
    if (addr < 0 || len < 0 || addr + len > this.size) return null;
    return this.bytes.subarray(addr, addr + len);
  }

  /** NOR program: new = old AND data. Returns 0, or -1 when out of range or crossing a page. */
  program(addr: number, data: Uint8Array): number {
    if (addr < 0 || addr + data.length > this.size) return -1;
    if (data.length > 0 && Math.floor(addr / FLASH_PAGE_SIZE) !== Math.floor((addr + data.length - 1) / FLASH_PAGE_SIZE)) return -1;
    this.beforeWrite();
    const bytes = this.bytes;
    for (let i = 0; i < data.length; i++) bytes[addr + i] &= data[i];
    this.persist();
    this.onWrite?.({ kind: "program", addr, data });
    return 0;
  }

  erase(sector: number): number {
    if (sector < 0 || (sector + 1) * this.sectorSize > this.size) return -1;
    this.beforeWrite();
    this.bytes.fill(0xff, sector * this.sectorSize, (sector + 1) * this.sectorSize);
    this.persist();
    this.onWrite?.({ kind: "erase", sector });
    return 0;
  }
}
