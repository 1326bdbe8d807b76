/**
 * The card side of ISO/IEC 7816-3 T=1 for the smart-card emulator: an ATR offering T=1 with a
 * faster rate in TA1 and an IFSC (§8), the PPS answer (§9.3), and the block layer (§11): chaining
 * both ways, IFS from the reader, WTX before long operations, R-block recovery and RESYNCH. It wraps
 * the applet's APDU handler. Framing is by burst: each call to receive() is everything the reader
 * sent before the line went quiet for longer than CWT, which is how a real card delimits blocks.
 *
 * Timing model: the card is clocked at `clockHz` (default 4 MHz, the usual CCID reader clock);
 * every character costs 12 ETU at the Fi/Di in force when it crosses (the T=1 minimum with TC1
 * absent), and processing time is reported by the applet in ETU. wireMicros sums both directions.
 */
import { Atr, decodeAtr, encodeAtr, setT1CardAtr, EDC_CRC, EDC_LRC } from "../../protocol/iso7816/atr.ts";
import { Pps, decodePps, ppsCardAccepts } from "../../protocol/iso7816/pps.ts";
import {
  T1Block, decodeT1Block, encodeT1Block, pcbI, pcbR, pcbS, T1_MAX_BLOCK, T1_EDC_CRC, T1_EDC_LRC, T1_BLOCK_I, T1_BLOCK_R, T1_BLOCK_S,
  T1_R_OK, T1_R_EDC_ERROR, T1_R_OTHER_ERROR, T1_S_RESYNCH, T1_S_IFS, T1_S_ABORT, T1_S_WTX,
} from "../../protocol/iso7816/t1.ts";
import { ERR_T1_BAD_EDC } from "../../protocol/iso7816/errors.ts";
import { fiOf, diOf, bwtEtu, FIDI_DEFAULT } from "../../protocol/iso7816/timing.ts";
import { APDU_MAX_EXTENDED } from "../../protocol/iso7816/apdu.ts";

/** How the emulated card presents itself on the contacts. */
export interface CardT1Options {
  /**
   * The applet: a command APDU in, a response APDU (data + SW) out. Its exceptions propagate out of
   * receive() (a simulated power cut must reach the simulation); reset() starts the link afresh.
   */
  handler: (apdu: Uint8Array) => Uint8Array;
  /** TA1: the fastest Fi/Di the card runs (default 96: F 512, D 32, 250 kbit/s at 4 MHz). */
  fidi?: number;
  /** IFSC advertised in TA3 (default 254). */
  ifsc?: number;
  /** BWI and CWI advertised in TB3 (defaults 4 and 5). */
  bwi?: number;
  cwi?: number;
  edc?: "lrc" | "crc";
  historical?: Uint8Array;
  /** Card clock in Hz (default 4 MHz). */
  clockHz?: number;
  /** Simulated processing time of a command in ETU; above BWT the card asks for WTX first. */
  processingEtu?: (apdu: Uint8Array) => number;
}

const HISTORICAL_DEFAULT = new TextEncoder().encode("LOCKBOX");

/** Microseconds per ETU at Fi/Di byte `fidi` (TA1 coding, ISO/IEC 7816-3 §7.1) on a card clocked at `clockHz`. */
export function etuMicros(fidi: number, clockHz: number): number {
  return (fiOf(fidi >> 4) / diOf(fidi & 15) / clockHz) * 1e6;
}

/** A contact card's T=1 interface (ATR, PPS, block layer) around one APDU handler. §8, §9, §11. */
export class CardT1 {
  readonly atrBytes: Uint8Array;
  readonly clockHz: number;
  /** Fi/Di in force, and the one the last reply was sent at (it changes right after a PPS echo). */
  fidi = FIDI_DEFAULT;
  replyFidi = FIDI_DEFAULT;
  /** Simulated time of all characters and processing so far, in microseconds. */
  wireMicros = 0;
  /** Command APDUs handed to the handler so far. */
  apdus = 0;
  wtxSent = 0;

  private readonly opts: CardT1Options;
  private readonly atr = new Atr();
  private readonly edcMode: number;
  private readonly block = new T1Block();
  private negotiating = true;
  private ns = 0;
  private nr = 0;
  private ifsd = 32;
  private command: number[] = [];
  private response: Uint8Array | null = null;
  private responseSent = 0;
  private pendingAfterWtx = false;
  private last: Uint8Array = new Uint8Array(0);
  private lastKind = -1;
  /** Our last I-block, until the reader's next I-block shows it arrived. */
  private lastI: Uint8Array | null = null;
  private lastIns = 0;
  private lastMore = false;

  constructor(opts: CardT1Options) {
    this.opts = opts;
    this.clockHz = opts.clockHz ?? 4_000_000;
    const hist = opts.historical ?? HISTORICAL_DEFAULT;
    const r = setT1CardAtr(this.atr, opts.fidi ?? 0x96, opts.ifsc ?? 254, opts.bwi ?? 4, opts.cwi ?? 5,
      opts.edc === "crc" ? EDC_CRC : EDC_LRC, hist, 0, hist.length);
    if (r < 0) throw new Error(`invalid T=1 card parameters (${r})`);
    const out = new Uint8Array(33);
    const n = encodeAtr(this.atr, out, 0, out.length);
    if (n < 0) throw new Error(`ATR does not fit (${n})`);
    this.atrBytes = out.slice(0, n);
    if (decodeAtr(this.atrBytes, 0, n, this.atr) !== n) throw new Error("card ATR does not parse");
    this.edcMode = opts.edc === "crc" ? T1_EDC_CRC : T1_EDC_LRC;
  }

  /** Cold/warm reset: the block layer and rate return to their initial state; returns the ATR. */
  reset(): Uint8Array {
    this.fidi = FIDI_DEFAULT;
    this.replyFidi = FIDI_DEFAULT;
    this.negotiating = true;
    this.restartBlockLayer();
    this.wireMicros += this.charMicros(this.atrBytes.length);
    return this.atrBytes.slice();
  }

  /** Microseconds per ETU at the Fi/Di in force. */
  etuMicros(fidi = this.fidi): number {
    return etuMicros(fidi, this.clockHz);
  }

  /** One burst from the reader; returns the card's answer (empty: the card stays silent). */
  receive(burst: Uint8Array): Uint8Array {
    this.wireMicros += this.charMicros(burst.length);
    this.replyFidi = this.fidi;
    let reply: Uint8Array;
    if (this.negotiating && burst.length > 0 && burst[0] === 0xff) {
      reply = this.answerPps(burst);
    } else {
      this.negotiating = false;
      reply = this.onBlock(burst);
    }
    this.wireMicros += reply.length * 12 * this.etuMicros(this.replyFidi);
    return reply;
  }

  private charMicros(n: number): number {
    return n * 12 * this.etuMicros();
  }

  private answerPps(burst: Uint8Array): Uint8Array {
    const req = new Pps();
    if (decodePps(burst, 0, burst.length, req) < 0) return new Uint8Array(0);
    if (ppsCardAccepts(req, this.atr.protocols, this.atr.fidi) < 0) return new Uint8Array(0);
    this.negotiating = false;
    this.fidi = req.pps1 >= 0 ? req.pps1 : FIDI_DEFAULT;
    return burst.slice();
  }

  private restartBlockLayer(): void {
    this.ns = 0;
    this.nr = 0;
    this.ifsd = 32;
    this.command = [];
    this.response = null;
    this.pendingAfterWtx = false;
    this.last = new Uint8Array(0);
    this.lastKind = -1;
    this.lastI = null;
  }

  private onBlock(burst: Uint8Array): Uint8Array {
    const b = this.block;
    const r = decodeT1Block(burst, 0, burst.length, this.edcMode, this.atr.ifsc, b);
    if (r < 0) {
      if (this.pendingAfterWtx) return this.resend(this.last);
      return this.send(pcbR(this.nr, r === ERR_T1_BAD_EDC ? T1_R_EDC_ERROR : T1_R_OTHER_ERROR));
    }
    if (b.kind === T1_BLOCK_I) return this.onIBlock(burst);
    if (b.kind === T1_BLOCK_R) return this.onRBlock();
    return this.onSBlock();
  }

  private onIBlock(burst: Uint8Array): Uint8Array {
    const b = this.block;
    if (b.ns !== this.nr || this.response !== null || this.command.length + b.infLen > APDU_MAX_EXTENDED) {
      return this.send(pcbR(this.nr, T1_R_OTHER_ERROR));
    }
    for (let i = 0; i < b.infLen; i++) this.command.push(burst[b.infOff + i]);
    this.nr ^= 1;
    this.lastI = null;
    if (b.more) return this.send(pcbR(this.nr, T1_R_OK));
    const apdu = Uint8Array.from(this.command);
    this.command = [];
    this.apdus++;
    this.response = this.opts.handler(apdu);
    this.responseSent = 0;
    const etu = this.opts.processingEtu?.(apdu) ?? 0;
    this.wireMicros += etu * this.etuMicros();
    const bwt = bwtEtu(this.atr.bwi, fiOf(this.fidi >> 4), diOf(this.fidi & 15));
    if (etu > bwt) {
      this.pendingAfterWtx = true;
      this.wtxSent++;
      return this.send(pcbS(T1_S_WTX, false), Uint8Array.of(Math.min(255, Math.ceil(etu / bwt))));
    }
    return this.sendResponseChunk();
  }

  /**
   * R(N(R)) from the reader: an acknowledgement of our chained I-block asks for the next one; N(R)
   * equal to our last I-block's N(S) asks for it again; otherwise the reader lost our last R- or
   * S-block (send it again) or its own I-block (ask for it with R(other error)).
   */
  private onRBlock(): Uint8Array {
    const b = this.block;
    if (this.lastI !== null && this.lastMore && b.nr !== this.lastIns && b.error === T1_R_OK) {
      return this.sendResponseChunk();
    }
    if (this.lastI !== null && b.nr === this.lastIns) return this.resend(this.lastI);
    if (this.lastKind === T1_BLOCK_R || this.lastKind === T1_BLOCK_S) return this.resend(this.last);
    return this.send(pcbR(this.nr, T1_R_OTHER_ERROR));
  }

  private onSBlock(): Uint8Array {
    const b = this.block;
    if (b.sResponse) {
      if (b.sType === T1_S_WTX && this.pendingAfterWtx) {
        this.pendingAfterWtx = false;
        return this.sendResponseChunk();
      }
      return this.send(pcbR(this.nr, T1_R_OTHER_ERROR));
    }
    switch (b.sType) {
      case T1_S_RESYNCH:
        this.restartBlockLayer();
        return this.send(pcbS(T1_S_RESYNCH, true));
      case T1_S_IFS:
        this.ifsd = b.sValue;
        return this.send(pcbS(T1_S_IFS, true), Uint8Array.of(b.sValue));
      case T1_S_ABORT:
        this.command = [];
        this.response = null;
        return this.send(pcbS(T1_S_ABORT, true));
      default:
        return this.send(pcbR(this.nr, T1_R_OTHER_ERROR));
    }
  }

  private sendResponseChunk(): Uint8Array {
    const resp = this.response ?? new Uint8Array(0);
    const chunk = Math.min(this.ifsd, resp.length - this.responseSent);
    const more = this.responseSent + chunk < resp.length;
    const inf = resp.subarray(this.responseSent, this.responseSent + chunk);
    this.responseSent += chunk;
    this.lastIns = this.ns;
    this.lastMore = more;
    const out = this.send(pcbI(this.ns, more), inf);
    this.lastI = this.last;
    this.ns ^= 1;
    if (!more) this.response = null;
    return out;
  }

  private send(pcb: number, inf: Uint8Array = new Uint8Array(0)): Uint8Array {
    const out = new Uint8Array(T1_MAX_BLOCK);
    const n = encodeT1Block(0, pcb, inf, 0, inf.length, this.edcMode, out, 0, out.length);
    if (n < 0) throw new Error(`card built an invalid block (${n})`);
    this.last = out.slice(0, n);
    this.lastKind = (pcb & 0x80) === 0 ? T1_BLOCK_I : (pcb & 0x40) === 0 ? T1_BLOCK_R : T1_BLOCK_S;
    return this.last.slice();
  }

  private resend(block: Uint8Array): Uint8Array {
    this.last = block;
    this.lastKind = (block[1] & 0x80) === 0 ? T1_BLOCK_I : (block[1] & 0x40) === 0 ? T1_BLOCK_R : T1_BLOCK_S;
    return block.slice();
  }
}
