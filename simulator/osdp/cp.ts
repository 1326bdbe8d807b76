/**
 * OSDP v2.2 control panel (ACU) over any byte duplex: a Node Duplex stream, serialport's
 * SerialPort, or an in-memory link. Sends one command at a time, waits for the reply with a
 * timeout and retries (re-sending the identical bytes with the same sequence number, §5.5), runs
 * the secure-channel handshake (Annex D.3, SCBK or install-mode SCBK-D) and MACs/encrypts
 * commands once it is up. Every reply is framed, checked and MAC-verified by protocol/osdp before
 * it is accepted; anything else is counted and ignored until the retry.
 *
 * A reply is only ever matched to the command in flight (OSDP §4): bytes that arrive while no
 * command is outstanding are discarded unframed, whatever is buffered is dropped before every
 * (re)transmission, a reply code that cannot answer the command is refused (answers.ts), and before
 * SQN 0 is used again after a restart the line must first fall quiet for an inter-character timeout,
 * so a late answer to an abandoned command drains away instead of answering the next one.
 */
import { randomBytes } from "node:crypto";
import type { Duplex } from "node:stream";
import type { BlockCipher } from "../../protocol/blockcipher.ts";
import * as C from "../../protocol/osdp/codes.ts";
import * as E from "../../protocol/osdp/errors.ts";
import { OsdpPacket, encodePacket, OSDP_MAX_PACKET } from "../../protocol/osdp/packet.ts";
import { OsdpFramer } from "../../protocol/osdp/framer.ts";
import { OsdpSecureChannel, writeScbkD } from "../../protocol/osdp/secure.ts";
import { OsdpVendorData, OSDP_MAX_DATA, decodeVendorData, encodeVendorData } from "../../protocol/osdp/payload.ts";
import { OsdpComSettings, decodeComSettings, encodeComSettings, OsdpFileTransfer, encodeFileTransfer } from "../../protocol/osdp/commands.ts";
import {
  OsdpNak, decodeNak, OsdpPdId, decodePdId, OsdpPdCap, decodePdCap, OsdpLocalStatus, decodeLocalStatus,
  OsdpRawCard, decodeRawCard, OsdpKeypad, decodeKeypad, OsdpCcrypt, decodeCcrypt, OsdpFileStatus, decodeFileStatus,
  FT_STATUS_OK, FT_STATUS_FINISHING,
} from "../../protocol/osdp/replies.ts";
import { aesBlockCipher } from "../crypto/index.ts";
import { mayAnswer } from "./answers.ts";

/** Empty osdp_FILETRANSFER keep-alives the ACU sends while a PD reports "finishing" before giving up. */
export const MAX_FILE_KEEPALIVES = 600;

/** The byte transport the control panel talks over. */
export interface ByteLink {
  write(bytes: Uint8Array): void;
  /** Registers the receive callback; returns a function that unregisters it. */
  onData(listener: (bytes: Uint8Array) => void): () => void;
}

/** Adapts a Node Duplex (a socket, a PassThrough pair, serialport's SerialPort) to a ByteLink. */
export function streamLink(stream: Duplex): ByteLink {
  return {
    write: (bytes) => { stream.write(Buffer.from(bytes)); },
    onData(listener) {
      const fn = (chunk: Buffer): void => listener(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
      stream.on("data", fn);
      return () => stream.off("data", fn);
    },
  };
}

/** A failed exchange; `code` is an ERR_OSDP_* value, `nakReason` the PD's NAK reason (§7.3), `ftStatus` a refusing FtStatusDetail (§7.19). */
export class OsdpError extends Error {
  constructor(readonly code: number, message: string, readonly nakReason?: number, readonly ftStatus?: number) {
    super(message);
    this.name = "OsdpError";
  }
}

/** Settings of a control panel link to one PD (§5.3 address, §5.9 timing, Annex D keys). */
export interface ControlPanelOptions {
  /** PD address 0..0x7E, or 0x7F to broadcast. */
  address: number;
  /** Reply timeout per attempt in ms (default 200, the §5.9 reply delay budget). */
  timeoutMs?: number;
  /** Re-sends after the first attempt (default 3). */
  retries?: number;
  /** CRC-16 (default) or checksum trailer. */
  useCrc?: boolean;
  /** AES-128 for the secure channel (default: simulator/crypto). */
  cipher?: BlockCipher;
  /** Secure-channel base key; required for establishSecureChannel() unless useScbkD. */
  scbk?: Uint8Array;
  /** Handshake with the install-mode key SCBK-D instead of the SCBK (must be enabled on the PD too). */
  useScbkD?: boolean;
  /** Random source for RND.A (default node:crypto). */
  random?: (n: number) => Uint8Array;
  /**
   * Silence in ms the line must keep before a command at SQN 0 goes out (default 20, the nominal
   * §5.9 inter-character timeout); waited for at most one exchange's reply budget.
   */
  quietMs?: number;
}

/** A reply as accepted: its code, plaintext payload and security-block type. */
export interface OsdpReply {
  code: number;
  data: Uint8Array;
  scbType: number;
  scbData: number;
}

/** Link statistics, for diagnostics and the noisy-link tests. */
export interface ControlPanelStats {
  sent: number;
  retries: number;
  timeouts: number;
  framingErrors: number;
  /** Well-formed packets not accepted as the awaited reply (wrong address/SQN/reply code, bad MAC, ...). */
  ignored: number;
  /** Bytes dropped unframed: arrived with no command in flight, or still buffered at a (re)transmission. */
  discarded: number;
  /** Waits for a quiet line before reusing SQN 0. */
  drains: number;
}

interface Waiter {
  command: number;
  sqn: number;
  resolve(reply: OsdpReply): void;
}

/** An OSDP ACU talking to one PD (§5.5 sequencing and retries, §6 commands, Annex D secure channel). */
export class OsdpControlPanel {
  readonly stats: ControlPanelStats = { sent: 0, retries: 0, timeouts: 0, framingErrors: 0, ignored: 0, discarded: 0, drains: 0 };
  private readonly address: number;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly useCrc: boolean;
  private readonly scbk?: Uint8Array;
  private readonly useScbkD: boolean;
  private readonly random: (n: number) => Uint8Array;
  private readonly quietMs: number;
  private readonly channel: OsdpSecureChannel;
  private readonly framer = new OsdpFramer();
  private readonly packet = new OsdpPacket();
  private readonly unsubscribe: () => void;
  private sqn = 0;
  private secure = false;
  private waiter: Waiter | null = null;
  private busy = false;
  /** SQN is 0 and the line has not been drained since: set at start and by every restart. */
  private drainDue = true;
  /** While draining: restarts the quiet-gap timer (a byte arrived). */
  private lineActive: (() => void) | null = null;

  constructor(private readonly link: ByteLink, opts: ControlPanelOptions) {
    if (!Number.isInteger(opts.address) || opts.address < 0 || opts.address > 0x7f) throw new RangeError("address must be 0..0x7F");
    this.address = opts.address;
    this.timeoutMs = opts.timeoutMs ?? 200;
    this.retries = opts.retries ?? 3;
    this.useCrc = opts.useCrc ?? true;
    this.scbk = opts.scbk;
    this.useScbkD = opts.useScbkD ?? false;
    this.random = opts.random ?? ((n) => new Uint8Array(randomBytes(n)));
    this.quietMs = opts.quietMs ?? 20;
    this.channel = new OsdpSecureChannel(opts.cipher ?? aesBlockCipher());
    this.unsubscribe = link.onData((bytes) => this.onData(bytes));
  }

  /** Stops listening to the link. */
  close(): void {
    this.unsubscribe();
  }

  /** True while a secure channel is established. */
  isSecure(): boolean {
    return this.secure;
  }

  /**
   * Sends command `code` with `data` and resolves with the accepted reply. osdp_NAK rejects with
   * ERR_OSDP_NAK; no reply after all retries rejects with ERR_OSDP_TIMEOUT and restarts the link
   * (next SQN 0, session dropped, sent only once the line has fallen quiet).
   */
  async command(code: number, data: Uint8Array = new Uint8Array(0)): Promise<OsdpReply> {
    const reply = await this.exchange(code, data, 0, 0);
    if (reply.code === C.REPLY_NAK) {
      const nak = new OsdpNak();
      const reason = decodeNak(reply.data, 0, reply.data.length, nak) >= 0 ? nak.reason : 0;
      if (reason === C.NAK_BAD_SCB || reason === C.NAK_BAD_SEQUENCE) this.restart();
      throw new OsdpError(E.ERR_OSDP_NAK, `PD answered osdp_NAK reason ${reason}`, reason);
    }
    return reply;
  }

  /** osdp_POLL §6.1: null for osdp_ACK, else the reported card read or keypad entry. */
  async poll(): Promise<OsdpRawCard | OsdpKeypad | null> {
    const r = await this.command(C.CMD_POLL);
    if (r.code === C.REPLY_RAW) return this.decoded(r, new OsdpRawCard(), decodeRawCard);
    if (r.code === C.REPLY_KEYPAD) return this.decoded(r, new OsdpKeypad(), decodeKeypad);
    this.expect(r, C.REPLY_ACK);
    return null;
  }

  /** osdp_ID §6.2 → osdp_PDID. */
  async id(): Promise<OsdpPdId> {
    const r = await this.command(C.CMD_ID, Uint8Array.of(0));
    this.expect(r, C.REPLY_PDID);
    return this.decoded(r, new OsdpPdId(), decodePdId);
  }

  /** osdp_CAP §6.3 → osdp_PDCAP. */
  async capabilities(): Promise<OsdpPdCap> {
    const r = await this.command(C.CMD_CAP, Uint8Array.of(0));
    this.expect(r, C.REPLY_PDCAP);
    return this.decoded(r, new OsdpPdCap(), decodePdCap);
  }

  /** osdp_LSTAT §6.4 → osdp_LSTATR. */
  async localStatus(): Promise<OsdpLocalStatus> {
    const r = await this.command(C.CMD_LSTAT);
    this.expect(r, C.REPLY_LSTATR);
    return this.decoded(r, new OsdpLocalStatus(), decodeLocalStatus);
  }

  /** osdp_COMSET §6.13 → osdp_COM: the settings the PD now uses (talk to the new address afterwards). */
  async comSet(address: number, baud: number): Promise<OsdpComSettings> {
    const f = new OsdpComSettings();
    f.address = address;
    f.baud = baud;
    const r = await this.command(C.CMD_COMSET, this.encoded(f, encodeComSettings, 5));
    this.expect(r, C.REPLY_COM);
    return this.decoded(r, new OsdpComSettings(), decodeComSettings);
  }

  /** osdp_KEYSET §6.17: installs a new SCBK on the PD (secure channel required). */
  async keySet(scbk: Uint8Array): Promise<void> {
    if (!this.secure) throw new OsdpError(E.ERR_OSDP_SECURE_REQUIRED, "osdp_KEYSET needs a secure channel");
    if (scbk.length !== 16) throw new RangeError("SCBK must be 16 bytes");
    this.expect(await this.command(C.CMD_KEYSET, Uint8Array.from([0x01, 16, ...scbk])), C.REPLY_ACK);
  }

  /**
   * osdp_MFG §6.22 with vendor code `vendor` (24-bit OUI) and `data`: null for osdp_ACK, or the
   * osdp_MFGREP vendor data.
   */
  async mfg(vendor: number, data: Uint8Array): Promise<OsdpVendorData | null> {
    const f = new OsdpVendorData();
    f.vendor = vendor;
    f.data.set(data);
    f.dataLen = data.length;
    const r = await this.command(C.CMD_MFG, this.encoded(f, encodeVendorData, 3 + data.length));
    if (r.code === C.REPLY_ACK) return null;
    this.expect(r, C.REPLY_MFGREP);
    return this.decoded(r, new OsdpVendorData(), decodeVendorData);
  }

  /**
   * osdp_FILETRANSFER §6.21: sends `file` in fragments of at most `fragmentSize` bytes (or the
   * PD's FtUpdateMsgMax when smaller), waiting FtDelay between fragments as osdp_FTSTAT asks, then
   * keeps sending empty fragments while the PD reports "finishing". Resolves with the final
   * osdp_FTSTAT (status processed or rebooting); a negative FtStatusDetail rejects with the
   * status in OsdpError.ftStatus. `offset` resumes a transfer the PD already holds the start of.
   */
  async fileTransfer(fileType: number, file: Uint8Array, opts: { fragmentSize?: number; offset?: number; onProgress?: (sent: number, total: number) => void } = {}): Promise<OsdpFileStatus> {
    let max = Math.max(1, Math.min(opts.fragmentSize ?? 128, OSDP_MAX_DATA - 11));
    let offset = opts.offset ?? 0;
    if (!Number.isInteger(offset) || offset < 0 || offset > file.length) throw new RangeError("offset must lie within the file");
    for (let keepAlives = 0; keepAlives <= MAX_FILE_KEEPALIVES; keepAlives += offset >= file.length ? 1 : 0) {
      const size = Math.min(max, file.length - offset);
      const f = new OsdpFileTransfer();
      f.fileType = fileType;
      f.totalSize = file.length;
      f.offset = offset;
      f.data.set(file.subarray(offset, offset + size));
      f.dataLen = size;
      const r = await this.command(C.CMD_FILETRANSFER, this.encoded(f, encodeFileTransfer, 11 + size));
      this.expect(r, C.REPLY_FTSTAT);
      const st = this.decoded(r, new OsdpFileStatus(), decodeFileStatus);
      if (st.status < 0) throw new OsdpError(E.ERR_OSDP_UNEXPECTED, `PD refused the file transfer: FtStatusDetail ${st.status}`, undefined, st.status);
      offset += size;
      opts.onProgress?.(offset, file.length);
      const done = offset >= file.length;
      if (done && st.status !== FT_STATUS_OK && st.status !== FT_STATUS_FINISHING) return st;
      if (st.updateMsgMax > 0) max = Math.min(max, st.updateMsgMax);
      if (st.delay > 0) await new Promise((resolve) => setTimeout(resolve, st.delay));
      if (done && st.status === FT_STATUS_OK) {
        throw new OsdpError(E.ERR_OSDP_UNEXPECTED, "PD acknowledged the last fragment without processing the file");
      }
    }
    throw new OsdpError(E.ERR_OSDP_TIMEOUT, `PD still finishing the file after ${MAX_FILE_KEEPALIVES} keep-alives`);
  }

  /**
   * Annex D.3 handshake: CHLNG(RND.A) → CCRYPT (client cryptogram verified) → SCRYPT(server
   * cryptogram) → RMAC_I (verified). Afterwards every command is MAC'd and its data encrypted.
   */
  async establishSecureChannel(): Promise<void> {
    this.secure = false;
    const key = new Uint8Array(16);
    if (this.useScbkD) writeScbkD(key, 0);
    else if (this.scbk?.length === 16) key.set(this.scbk);
    else throw new OsdpError(E.ERR_OSDP_SCBK_D_DISABLED, "no SCBK configured and SCBK-D not enabled");
    const selector = this.useScbkD ? 0 : 1;
    const rndA = this.random(8);
    this.channel.deriveSessionKeys(key, 0, rndA, 0);
    key.fill(0);
    const cc = await this.exchange(C.CMD_CHLNG, rndA, C.SCS_11, selector);
    if (cc.code !== C.REPLY_CCRYPT || cc.scbType !== C.SCS_12) this.handshakeFailed(cc, "osdp_CCRYPT");
    const ccrypt = this.decoded(cc, new OsdpCcrypt(), decodeCcrypt);
    const expected = new Uint8Array(16);
    this.channel.clientCryptogram(rndA, 0, ccrypt.rndB, 0, expected, 0);
    if (Buffer.compare(expected, ccrypt.cryptogram) !== 0) {
      throw new OsdpError(E.ERR_OSDP_BAD_CRYPTOGRAM, "PD client cryptogram does not verify: wrong SCBK");
    }
    const server = new Uint8Array(16);
    this.channel.serverCryptogram(rndA, 0, ccrypt.rndB, 0, server, 0);
    const rmac = await this.exchange(C.CMD_SCRYPT, server, C.SCS_13, selector);
    if (rmac.code !== C.REPLY_RMAC_I || rmac.scbType !== C.SCS_14 || rmac.data.length !== 16) this.handshakeFailed(rmac, "osdp_RMAC_I");
    const want = new Uint8Array(16);
    this.channel.initialRmac(server, 0, want, 0);
    if (rmac.scbData !== 0x01 || Buffer.compare(want, rmac.data) !== 0) {
      throw new OsdpError(E.ERR_OSDP_BAD_CRYPTOGRAM, "PD initial R-MAC does not verify");
    }
    this.secure = true;
  }

  private handshakeFailed(r: OsdpReply, wanted: string): never {
    const reason = r.code === C.REPLY_NAK && r.data.length > 0 ? r.data[0] : undefined;
    throw new OsdpError(reason === undefined ? E.ERR_OSDP_UNEXPECTED : E.ERR_OSDP_NAK,
      `handshake: expected ${wanted}, got reply 0x${r.code.toString(16)}`, reason);
  }

  private expect(r: OsdpReply, code: number): void {
    if (r.code !== code) throw new OsdpError(E.ERR_OSDP_UNEXPECTED, `expected reply 0x${code.toString(16)}, got 0x${r.code.toString(16)}`);
  }

  private decoded<T>(r: OsdpReply, into: T, decode: (b: Uint8Array, o: number, l: number, f: T) => number): T {
    const n = decode(r.data, 0, r.data.length, into);
    if (n < 0) throw new OsdpError(n, `reply 0x${r.code.toString(16)} payload: ${E.osdpErrorName(n)}`);
    return into;
  }

  private encoded<T>(f: T, encode: (f: T, o: Uint8Array, off: number, cap: number) => number, size: number): Uint8Array {
    const out = new Uint8Array(size);
    const n = encode(f, out, 0, size);
    if (n < 0) throw new RangeError(`cannot encode command: error ${n}`);
    return out.subarray(0, n);
  }

  private restart(): void {
    this.sqn = 0;
    this.secure = false;
    this.drainDue = true;
  }

  /** One command/reply exchange with retries; the packet is built once so re-sends are identical. */
  private async exchange(code: number, data: Uint8Array, scbType: number, scbData: number): Promise<OsdpReply> {
    if (this.busy) throw new OsdpError(E.ERR_OSDP_UNEXPECTED, "one command at a time");
    this.busy = true;
    try {
      if (this.drainDue) {
        await this.lineQuiet();
        this.drainDue = false;
      }
      const h = new OsdpPacket();
      h.address = this.address;
      h.sqn = this.sqn;
      h.useCrc = this.useCrc;
      h.mark = true;
      h.code = code;
      h.scbType = scbType;
      h.scbData = scbData;
      const out = new Uint8Array(OSDP_MAX_PACKET + 1);
      const n = this.secure && scbType === 0
        ? this.channel.sealPacket(h, data, 0, data.length, true, out, 0, out.length)
        : encodePacket(h, data, 0, data.length, out, 0, out.length);
      if (n < 0) throw new OsdpError(n, `cannot build command 0x${code.toString(16)}: ${E.osdpErrorName(n)}`);
      const bytes = out.slice(0, n);
      for (let attempt = 0; attempt <= this.retries; attempt++) {
        if (attempt > 0) this.stats.retries++;
        this.stats.sent++;
        const reply = await this.awaitReply(bytes, code, h.sqn);
        if (reply) {
          this.sqn = this.sqn % 3 + 1;
          return reply;
        }
        this.stats.timeouts++;
      }
      this.restart();
      throw new OsdpError(E.ERR_OSDP_TIMEOUT, `no reply to command 0x${code.toString(16)} after ${this.retries + 1} attempts`);
    } finally {
      this.busy = false;
    }
  }

  /**
   * Resolves once no byte has arrived for quietMs (§5.9 inter-character timeout), or after one
   * exchange's whole reply budget on a line that never falls quiet; everything heard meanwhile is
   * discarded, since no command is in flight.
   */
  private lineQuiet(): Promise<void> {
    this.stats.drains++;
    return new Promise((resolve) => {
      let gap: ReturnType<typeof setTimeout> | undefined;
      const done = (): void => {
        clearTimeout(gap);
        clearTimeout(limit);
        this.lineActive = null;
        resolve();
      };
      const limit = setTimeout(done, this.timeoutMs * (this.retries + 1));
      this.lineActive = () => {
        clearTimeout(gap);
        gap = setTimeout(done, this.quietMs);
      };
      this.lineActive();
    });
  }

  /** Sends one attempt and waits for its reply; only bytes arriving after the write are framed. */
  private awaitReply(bytes: Uint8Array, command: number, sqn: number): Promise<OsdpReply | null> {
    this.stats.discarded += this.framer.buffered();
    this.framer.reset();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        resolve(null);
      }, this.timeoutMs);
      this.waiter = {
        command,
        sqn,
        resolve: (reply) => {
          clearTimeout(timer);
          this.waiter = null;
          resolve(reply);
        },
      };
      this.link.write(bytes);
    });
  }

  /** Frames bytes only while a command is in flight: anything else answers nothing the ACU sent. */
  private onData(bytes: Uint8Array): void {
    let done = 0;
    while (this.waiter && done < bytes.length) {
      const n = this.framer.push(bytes, done, bytes.length - done);
      if (n <= 0) break;
      done += n;
      this.takePackets();
    }
    this.stats.discarded += bytes.length - done;
    this.lineActive?.();
  }

  private takePackets(): void {
    for (;;) {
      const r = this.framer.next(this.packet);
      if (r === 0) return;
      if (r < 0) this.stats.framingErrors++;
      else if (!this.accept(this.packet, this.framer.buf)) this.stats.ignored++;
    }
  }

  /** Checks a framed packet against the awaited reply; opens it when the session is secure. */
  private accept(p: OsdpPacket, buf: Uint8Array): boolean {
    const w = this.waiter;
    if (!w || !p.isReply || p.sqn !== w.sqn || (p.address !== this.address && this.address !== 0x7f)) return false;
    if (!mayAnswer(w.command, p.code)) return false;
    let data: Uint8Array;
    if (this.secure && p.macOff >= 0) {
      const plain = new Uint8Array(OSDP_MAX_PACKET);
      const n = this.channel.openPacket(p, buf, plain, 0, plain.length);
      if (n < 0) return false;
      data = plain.slice(0, n);
    } else if (this.secure && p.code !== C.REPLY_NAK) {
      // Inside a session only a NAK (the PD dropped the session) may come back in the clear.
      return false;
    } else {
      data = buf.slice(p.dataOff, p.dataOff + p.dataLen);
    }
    w.resolve({ code: p.code, data, scbType: p.scbType, scbData: p.scbData });
    return true;
  }
}
