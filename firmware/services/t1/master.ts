/**
 * The interface-device (reader/lockbox) side of ISO/IEC 7816-3 T=1: ATR, PPS to the best rate both
 * sides support (§9), S(IFS) negotiation to IFSD 254 (§11.4.2), APDU exchange with chaining in
 * both directions (§11.6.2), WTX (§11.6.3.2), R-block error recovery and RESYNCH (§11.6.3).
 *
 * Portable AssemblyScript: the same file runs in the firmware and under Node (tests drive it with
 * the card emulator). It allocates only in its constructor; every loop is bounded; it never traps
 * and reports failures as ERR_LINK_* / codec error codes. Hardware is reached only through the
 * injected CardPort (firmware wraps its HAL card slot in one).
 */
import { OK, ERR_TRUNCATED, ERR_BAD_ARGUMENT } from "../../../protocol/errors";
import {
  ERR_LINK_NO_CARD, ERR_LINK_NO_T1, ERR_LINK_PPS_FAILED, ERR_LINK_FAILED, ERR_LINK_ABORTED,
  ERR_LINK_RESPONSE_TOO_LONG, ERR_LINK_NOT_CONNECTED, ERR_T1_BAD_EDC,
} from "../../../protocol/iso7816/errors";
import { Atr, decodeAtr, ATR_MAX_LEN, EDC_CRC } from "../../../protocol/iso7816/atr";
import { Pps, decodePps, encodePps, ppsAccepted, ppsLength, PPS_MAX_LEN } from "../../../protocol/iso7816/pps";
import {
  T1Block, decodeT1Block, encodeT1Block, t1BlockLength, pcbI, pcbR, pcbS, T1_MAX_BLOCK, T1_MAX_INF,
  T1_EDC_LRC, T1_EDC_CRC, T1_BLOCK_I, T1_BLOCK_R, T1_S_RESYNCH, T1_S_IFS, T1_S_ABORT, T1_S_WTX,
  T1_R_OK, T1_R_EDC_ERROR, T1_R_OTHER_ERROR,
} from "../../../protocol/iso7816/t1";
import { fiOf, diOf, bitRate, bwtEtu, cwtEtu, FIDI_DEFAULT } from "../../../protocol/iso7816/timing";
import { APDU_MAX_EXTENDED } from "../../../protocol/iso7816/apdu";
import { copyBytes } from "../../../protocol/bytes";

/** The card contacts, as the firmware's HAL (or a simulator) provides them. Synchronous. */
export interface CardPort {
  /** Cold or warm reset; reads the ATR into buf[off..off+cap). Returns its length, 0 = no answer. */
  reset(buf: Uint8Array, off: i32, cap: i32): i32;
  /** Sends len bytes to the card. */
  transmit(buf: Uint8Array, off: i32, len: i32): void;
  /**
   * Receives up to max bytes into buf[off..), waiting at most timeoutEtu for the first byte and
   * for each next one. Returns the number received (fewer than max means the line went quiet).
   */
  receive(buf: Uint8Array, off: i32, max: i32, timeoutEtu: i32): i32;
  /** Switches the UART to the Fi/Di byte now in force (after PPS). */
  setFiDi(fidi: i32): void;
}

/** Invalid blocks tolerated in a row before RESYNCH (§11.6.3.2 allows the reader to choose). */
export const T1_MAX_RETRIES: i32 = 3;
/** RESYNCH attempts before the link is declared failed. */
export const T1_MAX_RESYNCH: i32 = 3;
/** The IFSD this reader offers: the maximum. */
export const T1_IFSD: i32 = 254;
/** Initial waiting time for the PPS response, in ETU (WI = 10 default: 960 · 10). §10.2. */
const PPS_WAIT_ETU: i32 = 9600;
/** Internal: the current exchange must be restarted after RESYNCH. */
const NEED_RESYNCH: i32 = -1000;

/** Counters a caller turns into wire time (12 ETU per character at the negotiated rate). */
export class T1Stats {
  bytesSent: i32 = 0;
  bytesReceived: i32 = 0;
  blocksSent: i32 = 0;
  blocksReceived: i32 = 0;
  /** Invalid or missing blocks answered with an R-block or a retransmission. */
  errors: i32 = 0;
  resynchs: i32 = 0;
  wtx: i32 = 0;
  /** Sum of the receive timeouts that expired, in ETU (time lost to silence). */
  timeoutEtu: i32 = 0;

  /** Adds an expired timeout, saturating at 2^31-1 so both builds agree. */
  addTimeout(etu: i32): void {
    this.timeoutEtu = etu > 0x7fffffff - this.timeoutEtu ? 0x7fffffff : this.timeoutEtu + etu;
  }

  clear(): void {
    this.bytesSent = 0;
    this.bytesReceived = 0;
    this.blocksSent = 0;
    this.blocksReceived = 0;
    this.errors = 0;
    this.resynchs = 0;
    this.wtx = 0;
    this.timeoutEtu = 0;
  }
}

/** One reader's T=1 link to the card in its slot (§11), driven through a CardPort. */
export class T1Master {
  port: CardPort;
  /** Reader clock in Hz and the fastest bit rate its UART supports. */
  clockHz: i32;
  maxBitRate: i32;
  atr: Atr = new Atr();
  /** The ATR bytes of the last reset, as the card sent them; atrLen 0 when it did not answer. */
  readonly atrBytes: Uint8Array = new Uint8Array(ATR_MAX_LEN);
  atrLen: i32 = 0;
  stats: T1Stats = new T1Stats();
  connected: bool = false;
  /** Negotiated parameters, valid once connected. */
  fidi: i32 = FIDI_DEFAULT;
  edc: i32 = T1_EDC_LRC;
  ifsc: i32 = 32;
  ifsd: i32 = 32;
  /** Our next N(S) and the N(S) we expect from the card. */
  ns: i32 = 0;
  nr: i32 = 0;

  private block: T1Block = new T1Block();
  private request: Pps = new Pps();
  private reply: Pps = new Pps();
  private ppsBuf: Uint8Array = new Uint8Array(PPS_MAX_LEN);
  private rx: Uint8Array = new Uint8Array(T1_MAX_BLOCK);
  private iTx: Uint8Array = new Uint8Array(T1_MAX_BLOCK);
  private iTxLen: i32 = 0;
  private ctlTx: Uint8Array = new Uint8Array(T1_MAX_BLOCK);
  private ctlTxLen: i32 = 0;
  private one: Uint8Array = new Uint8Array(1);
  private discard: Uint8Array = new Uint8Array(1);
  private wtxMultiplier: i32 = 1;

  constructor(port: CardPort, clockHz: i32, maxBitRate: i32) {
    this.port = port;
    this.clockHz = clockHz;
    this.maxBitRate = maxBitRate;
  }

  /**
   * Resets the card, parses its ATR, selects T=1 at the best common rate (PPS, or the specific
   * mode of TA2), and negotiates IFSD. Returns OK, an ATR error, ERR_LINK_NO_CARD / _NO_T1 /
   * _PPS_FAILED / _FAILED.
   */
  connect(): i32 {
    this.connected = false;
    this.stats.clear();
    let r = this.resetCard();
    if (r != OK) return r;
    const a = this.atr;
    if (a.specificMode) {
      if (a.specificProtocol != 1) return ERR_LINK_NO_T1;
      this.fidi = a.specificImplicit ? FIDI_DEFAULT : a.fidi;
    } else {
      const best = this.bestFidi(a.fidi);
      if (best != FIDI_DEFAULT || a.firstProtocol != 1) {
        r = this.pps(best);
        if (r < 0 && best != FIDI_DEFAULT) {
          r = this.resetCard();
          if (r != OK) return r;
          r = a.firstProtocol == 1 ? FIDI_DEFAULT : this.pps(FIDI_DEFAULT);
        }
        if (r < 0) return ERR_LINK_PPS_FAILED;
        this.fidi = r;
      } else {
        this.fidi = FIDI_DEFAULT;
      }
    }
    this.port.setFiDi(this.fidi);
    this.edc = a.edc == EDC_CRC ? T1_EDC_CRC : T1_EDC_LRC;
    this.startBlockLayer();
    this.connected = true;
    return OK;
  }

  /** Bit rate in force, at this reader's clock. */
  bitRate(): i32 {
    return bitRate(fiOf(this.fidi >> 4), diOf(this.fidi & 15), this.clockHz);
  }

  /**
   * Sends the command APDU apdu[off..off+len) and receives the response APDU into
   * resp[respOff..respOff+respCap). Returns the response length or ERR_LINK_*; a response that
   * does not fit is received in full, dropped, and reported as ERR_LINK_RESPONSE_TOO_LONG.
   * After RESYNCH the command is sent again from its start (§11.6.3.2): a card that had already
   * executed it executes it twice, which ISO/IEC 7816-3 permits.
   */
  transceive(apdu: Uint8Array, off: i32, len: i32, resp: Uint8Array, respOff: i32, respCap: i32): i32 {
    if (!this.connected) return ERR_LINK_NOT_CONNECTED;
    if (len < 4 || len > APDU_MAX_EXTENDED || off < 0 || off + len > apdu.length) return ERR_BAD_ARGUMENT;
    if (respCap < 0 || respOff < 0 || respOff + respCap > resp.length) return ERR_BAD_ARGUMENT;
    for (let attempt = 0; attempt <= T1_MAX_RESYNCH; attempt++) {
      const r = this.exchange(apdu, off, len, resp, respOff, respCap);
      if (r != NEED_RESYNCH) return r;
      if (!this.resynch()) break;
    }
    this.connected = false;
    return ERR_LINK_FAILED;
  }

  private resetCard(): i32 {
    const n = this.port.reset(this.atrBytes, 0, ATR_MAX_LEN);
    this.atrLen = n > 0 && n <= ATR_MAX_LEN ? n : 0;
    if (this.atrLen == 0) return ERR_LINK_NO_CARD;
    this.stats.bytesReceived += n;
    const r = decodeAtr(this.atrBytes, 0, n, this.atr);
    if (r < 0) return r;
    if ((this.atr.protocols & 2) == 0) return ERR_LINK_NO_T1;
    return OK;
  }

  /** The fastest Fi/Di with the card's Fi, a Di no greater than the card's, and a rate we support. */
  private bestFidi(cardFidi: i32): i32 {
    const fiIndex = cardFidi >> 4;
    const fi = fiOf(fiIndex);
    if (this.clockHz > this.atr.fMaxKHz * 1000) return FIDI_DEFAULT;
    let best = FIDI_DEFAULT;
    let bestRate = bitRate(372, 1, this.clockHz);
    const cardDi = diOf(cardFidi & 15);
    for (let d = 1; d <= 9; d++) {
      const di = diOf(d);
      if (di > cardDi) continue;
      const rate = bitRate(fi, di, this.clockHz);
      if (rate <= this.maxBitRate && rate > bestRate) {
        best = (fiIndex << 4) | d;
        bestRate = rate;
      }
    }
    return best;
  }

  /** One PPS exchange selecting T=1 and `fidi` (PPS1 omitted for the default). Returns the Fi/Di in force or an error. */
  private pps(fidi: i32): i32 {
    this.request.set(1, fidi == FIDI_DEFAULT ? -1 : fidi, -1, -1);
    const n = encodePps(this.request, this.ppsBuf, 0, PPS_MAX_LEN);
    if (n < 0) return n;
    this.send(this.ppsBuf, n);
    let got = this.port.receive(this.ppsBuf, 0, 2, PPS_WAIT_ETU);
    if (got == 2) {
      const total = ppsLength(i32(this.ppsBuf[1]));
      if (total <= PPS_MAX_LEN) got += this.port.receive(this.ppsBuf, 2, total - 2, PPS_WAIT_ETU);
    }
    this.stats.bytesReceived += got;
    if (got < 3) {
      this.stats.addTimeout(PPS_WAIT_ETU);
      return ERR_LINK_PPS_FAILED;
    }
    const r = decodePps(this.ppsBuf, 0, got, this.reply);
    if (r < 0) return r;
    return ppsAccepted(this.request, this.reply);
  }

  /** Block layer from its initial state (after ATR/PPS or RESYNCH): sequence numbers, IFSC, IFSD. */
  private startBlockLayer(): void {
    this.ns = 0;
    this.nr = 0;
    this.ifsc = this.atr.ifsc;
    this.ifsd = 32;
    this.wtxMultiplier = 1;
    for (let attempt = 0; attempt < T1_MAX_RETRIES; attempt++) {
      this.one[0] = u8(T1_IFSD);
      this.sendControl(pcbS(T1_S_IFS, false), this.one, 1);
      const r = this.receiveBlock();
      const b = this.block;
      if (r == OK && b.pcb == pcbS(T1_S_IFS, true) && b.sValue == T1_IFSD) {
        this.ifsd = T1_IFSD;
        return;
      }
      this.stats.errors++;
    }
  }

  /** S(RESYNCH) exchange (§11.6.3.2 rule 6); on success the block layer restarts. */
  private resynch(): bool {
    for (let attempt = 0; attempt < T1_MAX_RETRIES; attempt++) {
      this.stats.resynchs++;
      this.sendControl(pcbS(T1_S_RESYNCH, false), this.one, 0);
      const r = this.receiveBlock();
      if (r == OK && this.block.pcb == pcbS(T1_S_RESYNCH, true)) {
        this.startBlockLayer();
        return true;
      }
    }
    return false;
  }

  /** One APDU exchange; NEED_RESYNCH when errors persist. */
  private exchange(apdu: Uint8Array, off: i32, len: i32, resp: Uint8Array, respOff: i32, respCap: i32): i32 {
    let sent = 0;
    let chunk = this.sendChunk(apdu, off, len, 0);
    let sending = true;
    let respLen = 0;
    let overflow = false;
    let errors = 0;
    const maxSteps = 256 + 4 * (len + respCap);
    const b = this.block;
    for (let step = 0; step < maxSteps; step++) {
      const r = this.receiveBlock();
      if (r != OK) {
        if (++errors > T1_MAX_RETRIES) return NEED_RESYNCH;
        this.stats.errors++;
        this.sendControl(pcbR(this.nr, r == ERR_T1_BAD_EDC ? T1_R_EDC_ERROR : T1_R_OTHER_ERROR), this.one, 0);
        continue;
      }
      if (b.kind == T1_BLOCK_I) {
        const lastChunkSent = sending && sent + chunk == len;
        if ((!lastChunkSent && sending) || b.ns != this.nr) {
          if (++errors > T1_MAX_RETRIES) return NEED_RESYNCH;
          this.stats.errors++;
          this.sendControl(pcbR(this.nr, T1_R_OTHER_ERROR), this.one, 0);
          continue;
        }
        if (sending) {
          sending = false;
          this.ns ^= 1;
        }
        errors = 0;
        this.nr ^= 1;
        if (respLen + b.infLen > respCap) overflow = true;
        if (!overflow) copyBytes(this.rx, b.infOff, resp, respOff + respLen, b.infLen);
        respLen += b.infLen;
        if (b.more) {
          this.sendControl(pcbR(this.nr, T1_R_OK), this.one, 0);
          continue;
        }
        return overflow ? ERR_LINK_RESPONSE_TOO_LONG : respLen;
      }
      if (b.kind == T1_BLOCK_R) {
        if (sending && b.nr != this.ns && sent + chunk < len) {
          errors = 0;
          this.ns ^= 1;
          sent += chunk;
          chunk = this.sendChunk(apdu, off, len, sent);
          continue;
        }
        if (++errors > T1_MAX_RETRIES) return NEED_RESYNCH;
        this.stats.errors++;
        if (!sending) this.resendControl();
        else if (b.nr == this.ns) this.resendI();
        else this.sendControl(pcbR(this.nr, T1_R_OTHER_ERROR), this.one, 0);
        continue;
      }
      if (b.sResponse) {
        if (++errors > T1_MAX_RETRIES) return NEED_RESYNCH;
        this.stats.errors++;
        this.sendControl(pcbR(this.nr, T1_R_OTHER_ERROR), this.one, 0);
        continue;
      }
      if (b.sType == T1_S_WTX) {
        this.stats.wtx++;
        this.one[0] = u8(b.sValue);
        this.sendControl(pcbS(T1_S_WTX, true), this.one, 1);
        this.wtxMultiplier = b.sValue;
      } else if (b.sType == T1_S_IFS) {
        this.ifsc = b.sValue;
        this.one[0] = u8(b.sValue);
        this.sendControl(pcbS(T1_S_IFS, true), this.one, 1);
      } else if (b.sType == T1_S_ABORT) {
        this.sendControl(pcbS(T1_S_ABORT, true), this.one, 0);
        return ERR_LINK_ABORTED;
      } else {
        return NEED_RESYNCH;
      }
    }
    return NEED_RESYNCH;
  }

  /** Sends I(N(S), M) with apdu bytes from `sent`; returns the chunk size. */
  private sendChunk(apdu: Uint8Array, off: i32, len: i32, sent: i32): i32 {
    let chunk = len - sent;
    if (chunk > this.ifsc) chunk = this.ifsc;
    if (chunk > T1_MAX_INF) chunk = T1_MAX_INF;
    const more = sent + chunk < len;
    this.iTxLen = encodeT1Block(0, pcbI(this.ns, more), apdu, off + sent, chunk, this.edc, this.iTx, 0, T1_MAX_BLOCK);
    this.resendI();
    return chunk;
  }

  private resendI(): void {
    if (this.iTxLen > 0) this.send(this.iTx, this.iTxLen);
  }

  private sendControl(pcb: i32, inf: Uint8Array, infLen: i32): void {
    this.ctlTxLen = encodeT1Block(0, pcb, inf, 0, infLen, this.edc, this.ctlTx, 0, T1_MAX_BLOCK);
    this.resendControl();
  }

  private resendControl(): void {
    if (this.ctlTxLen > 0) this.send(this.ctlTx, this.ctlTxLen);
  }

  private send(buf: Uint8Array, len: i32): void {
    this.stats.bytesSent += len;
    this.stats.blocksSent++;
    this.port.transmit(buf, 0, len);
  }

  /**
   * Reads one block: prologue within BWT (times the pending WTX multiplier), the rest within CWT.
   * Returns OK with this.block filled, or the error that makes it invalid.
   */
  private receiveBlock(): i32 {
    const base = bwtEtu(this.atr.bwi, fiOf(this.fidi >> 4), diOf(this.fidi & 15));
    const bwt = base > i32(0x7fffffff / this.wtxMultiplier) ? 0x7fffffff : base * this.wtxMultiplier;
    const cwt = cwtEtu(this.atr.cwi);
    this.wtxMultiplier = 1;
    const got = this.port.receive(this.rx, 0, 3, bwt);
    this.stats.bytesReceived += got;
    if (got < 3) {
      this.stats.addTimeout(got == 0 ? bwt : cwt);
      return ERR_TRUNCATED;
    }
    const total = t1BlockLength(i32(this.rx[2]), this.edc);
    if (total < 0) {
      this.drain(cwt);
      return total;
    }
    const rest = this.port.receive(this.rx, 3, total - 3, cwt);
    this.stats.bytesReceived += rest;
    if (rest < total - 3) {
      this.stats.addTimeout(cwt);
      return ERR_TRUNCATED;
    }
    this.stats.blocksReceived++;
    const r = decodeT1Block(this.rx, 0, total, this.edc, this.ifsd, this.block);
    if (r < 0) {
      this.drain(cwt);
      return r;
    }
    return OK;
  }

  /** Discards bytes until the line is quiet for `cwt`; returns how many were discarded. */
  private drain(cwt: i32): i32 {
    let n = 0;
    for (let i = 0; i < T1_MAX_BLOCK; i++) {
      if (this.port.receive(this.discard, 0, 1, cwt) == 0) break;
      n++;
    }
    this.stats.bytesReceived += n;
    this.stats.addTimeout(cwt);
    return n;
  }
}
