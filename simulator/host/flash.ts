/**
 * Simulated NOR flash behind the HAL flash calls (firmware/hal/hal.ts): erase sets a sector to FF,
 * program can only clear bits and must stay inside one 256-byte page. Optionally backed by a file
 * (written through on every change). The fault hook cuts power before the k-th write (program or
 * erase), so tests can show the firmware is crash-safe at every write.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";

/** A program may not cross a page of this many bytes (protocol/SPEC.md Lockbox §2). */
export const FLASH_PAGE_SIZE = 256;

/** Thrown out of a HAL flash call when the simulated power fails; the host stops the device. */
export class PowerCut extends Error {
  override name = "PowerCut";
}

/** The simulated NOR flash chip behind hal.flash* (protocol/SPEC.md Lockbox §2). */
export class Flash {
  readonly bytes: Uint8Array;
  readonly sectorSize: number;
  /** Writes (programs + erases) performed so far. */
  writes = 0;
  /** When set, power fails just before write number `cutBeforeWrite` (1-based, counted from now). */
  private cutAt = 0;
  private readonly path: string | null;

  constructor(size: number, sectorSize = 4096, path: string | null = null) {
    if (size % sectorSize !== 0) throw new Error("flash size must be a whole number of sectors");
    this.sectorSize = sectorSize;
    this.path = path;
    this.bytes = new Uint8Array(size).fill(0xff);
    if (path && existsSync(path)) {
      const file = readFileSync(path);
      if (file.length !== size) throw new Error(`${path}: flash file is ${file.length} bytes, expected ${size}`);
      this.bytes.set(file);
    }
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
    if (addr < 0 || len < 0 || addr + len > this.bytes.length) return null;
    return this.bytes.subarray(addr, addr + len);
  }

  /** NOR program: new = old AND data. Returns 0, or -1 when out of range or crossing a page. */
  program(addr: number, data: Uint8Array): number {
    if (addr < 0 || addr + data.length > this.bytes.length) return -1;
    if (data.length > 0 && Math.floor(addr / FLASH_PAGE_SIZE) !== Math.floor((addr + data.length - 1) / FLASH_PAGE_SIZE)) return -1;
    this.beforeWrite();
    for (let i = 0; i < data.length; i++) this.bytes[addr + i] &= data[i];
    this.persist();
    return 0;
  }

  erase(sector: number): number {
    if (sector < 0 || (sector + 1) * this.sectorSize > this.bytes.length) return -1;
    this.beforeWrite();
    this.bytes.fill(0xff, sector * this.sectorSize, (sector + 1) * this.sectorSize);
    this.persist();
    return 0;
  }
}
