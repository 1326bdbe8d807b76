/**
 * An in-process card slot: has the shape of the reader firmware's CardPort
 * (firmware/services/t1/master.ts; structural, so the simulator does not import firmware) over a CardT1, with optional line noise in each direction. Bytes sent at a rate the other side is
 * not using are lost, as on a real line. Receive timeouts that expire are added to the simulated
 * time (at the reader's ETU), so wireMicros() is the whole exchange time on the wire.
 */
import type { CardT1 } from "./t1.ts";
import { FIDI_DEFAULT } from "../../protocol/iso7816/timing.ts";

/** Transforms one burst on its way across the line (corrupt, drop, insert, truncate). */
export type LineNoise = (burst: Uint8Array, toCard: boolean) => Uint8Array;

/** The reader-side card slot wired straight to a CardT1 in the same process. */
export class LoopbackCardPort {
  readonly card: CardT1;
  noise: LineNoise | null;
  /** Fi/Di the reader's UART uses. */
  fidi = FIDI_DEFAULT;
  /** Simulated microseconds spent waiting on timeouts. */
  timeoutMicros = 0;
  private pending: Uint8Array = new Uint8Array(0);

  constructor(card: CardT1, noise: LineNoise | null = null) {
    this.card = card;
    this.noise = noise;
  }

  /** Characters and processing (from the card) plus expired timeouts, in microseconds. */
  wireMicros(): number {
    return this.card.wireMicros + this.timeoutMicros;
  }

  reset(buf: Uint8Array, off: number, cap: number): number {
    this.fidi = FIDI_DEFAULT;
    this.pending = new Uint8Array(0);
    const atr = this.card.reset();
    const n = Math.min(cap, atr.length);
    buf.set(atr.subarray(0, n), off);
    return n;
  }

  transmit(buf: Uint8Array, off: number, len: number): void {
    let burst: Uint8Array = buf.slice(off, off + len);
    if (this.noise) burst = this.noise(burst, true);
    this.pending = new Uint8Array(0);
    if (this.fidi !== this.card.fidi) return;
    let reply: Uint8Array = this.card.receive(burst);
    if (this.card.replyFidi !== this.fidi) return;
    if (this.noise) reply = this.noise(reply, false);
    this.pending = reply;
  }

  receive(buf: Uint8Array, off: number, max: number, timeoutEtu: number): number {
    const n = Math.min(max, this.pending.length);
    buf.set(this.pending.subarray(0, n), off);
    this.pending = this.pending.subarray(n);
    if (n < max) this.timeoutMicros += timeoutEtu * this.card.etuMicros(this.fidi);
    return n;
  }

  /** The card's reply not yet read by the reader (for recording sessions). */
  pendingReply(): Uint8Array {
    return this.pending.slice();
  }

  setFiDi(fidi: number): void {
    this.fidi = fidi;
  }
}
