/**
 * The card chip's EEPROM model (spec: protocol/SPEC.md Card §8): a byte array written only in
 * whole pages, one page per write, with a counter of writes and a fault hook that "cuts power"
 * before the k-th write so tearing can be tested at every write of every transaction.
 */

/** Thrown by a page write the fault hook refused: power was cut before that write happened. */
export class PowerCut extends Error {
  override name = "PowerCut";
  constructor(readonly writeNumber: number) {
    super(`power cut before EEPROM write ${writeNumber}`);
  }
}

/** Page-written EEPROM with a write counter and a power-cut fault hook (spec §8.1). */
export class Eeprom {
  readonly bytes: Uint8Array;
  /** Page writes performed since creation (or since resetCounter). */
  writes = 0;
  private cutAt = 0;
  private armedFrom = 0;

  constructor(readonly pageSize: number, readonly pageCount: number, initial?: Uint8Array) {
    this.bytes = new Uint8Array(pageSize * pageCount);
    if (initial) {
      if (initial.length !== this.bytes.length) throw new Error(`EEPROM image is ${initial.length} bytes, expected ${this.bytes.length}`);
      this.bytes.set(initial);
    }
  }

  /**
   * Arms the fault hook: the k-th page write from now (k ≥ 1) throws PowerCut instead of writing,
   * and every write after it until powerUp(). k = 0 disarms it.
   */
  cutPowerBeforeWrite(k: number): void {
    this.cutAt = k;
    this.armedFrom = this.writes;
  }

  /** True once an armed cut has happened: the chip is unpowered until powerUp(). */
  tripped = false;

  /** Writes one whole page from src[srcOff..srcOff+pageSize). */
  writePage(page: number, src: Uint8Array, srcOff = 0): void {
    if (page < 0 || page >= this.pageCount) throw new RangeError(`EEPROM page ${page} out of range`);
    if (this.tripped) throw new PowerCut(this.writes + 1);
    if (this.cutAt > 0 && this.writes - this.armedFrom + 1 === this.cutAt) {
      this.tripped = true;
      this.cutAt = 0;
      throw new PowerCut(this.writes + 1);
    }
    this.bytes.set(src.subarray(srcOff, srcOff + this.pageSize), page * this.pageSize);
    this.writes++;
  }

  /** Power returns. A cut that already fired is spent; one armed since stays armed (it may hit recovery). */
  powerUp(): void {
    this.tripped = false;
  }

  /** A copy of this EEPROM (for tearing tests that replay one command many times). */
  clone(): Eeprom {
    const e = new Eeprom(this.pageSize, this.pageCount, this.bytes);
    e.writes = this.writes;
    return e;
  }
}
