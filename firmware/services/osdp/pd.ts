/**
 * OSDP v2.2 peripheral device (PD) service: feed it the bytes received on the bus; it frames them,
 * keeps to its address, enforces the sequence-number rules (§5.5), runs the secure-channel
 * handshake and MAC/encryption (Annex D), dispatches commands to an OsdpPdHandler and transmits
 * the reply. Allocation-free after construction; bounded work per received byte. Portable
 * AssemblyScript, so the Node tests run it against the control panel (simulator/osdp/cp.ts).
 */
import { BlockCipher } from "../../../protocol/blockcipher";
import { copyBytes, zeroBytes, constantTimeEqual } from "../../../protocol/bytes";
import * as C from "../../../protocol/osdp/codes";
import * as E from "../../../protocol/osdp/errors";
import { OsdpPacket, OSDP_BROADCAST, OSDP_MAX_PACKET, encodePacket } from "../../../protocol/osdp/packet";
import { OsdpFramer } from "../../../protocol/osdp/framer";
import { OsdpSecureChannel, writeScbkD } from "../../../protocol/osdp/secure";
import { OsdpVendorData, OSDP_MAX_DATA, decodeEmpty, decodeVendorData, encodeVendorData } from "../../../protocol/osdp/payload";
import {
  OsdpRequest, decodeRequest, OsdpOut, decodeOut, OsdpLed, decodeLed, OsdpBuz, decodeBuz, OsdpComSettings,
  decodeComSettings, encodeComSettings, OsdpKeyset, decodeKeyset, OsdpFileTransfer, decodeFileTransfer,
} from "../../../protocol/osdp/commands";
import {
  OsdpPdId, encodePdId, OsdpPdCap, encodePdCap, OsdpLocalStatus, encodeLocalStatus, OsdpRawCard, encodeRawCard,
  OsdpKeypad, encodeKeypad, OsdpFileStatus, encodeFileStatus,
} from "../../../protocol/osdp/replies";
import { OsdpPdHandler, POLL_IDLE, POLL_CARD, POLL_KEYPAD, MFG_ACK, MFG_REPLY } from "./handler";

/** Secure-channel state: none, CCRYPT sent (waiting for SCRYPT), established. */
const SC_NONE: i32 = 0;
const SC_CHALLENGED: i32 = 1;
const SC_ACTIVE: i32 = 2;

/** One OSDP peripheral device on the bus (§5 link rules, §6/§7 messages, Annex D secure channel). */
export class OsdpPd {
  private readonly handler: OsdpPdHandler;
  /** PD address 0..0x7E (§5.3). */
  address: u8;
  /** Secure-channel base key (Annex D.2). */
  readonly scbk: Uint8Array = new Uint8Array(16);
  /** Accept a handshake with the well-known install key SCBK-D (install mode, Annex D.2). Off by default. */
  scbkDEnabled: bool = false;
  /** Refuse application commands other than POLL/ID/CAP outside a secure channel (NAK 0x06). */
  secureRequired: bool = false;
  /** Refuse osdp_FILETRANSFER outside a secure channel (NAK 0x06): firmware images come only from a control panel holding the SCBK. */
  fileTransferNeedsSecure: bool = false;
  /** cUID sent in osdp_CCRYPT (§7.16): identifies this PD to the ACU. */
  readonly clientUid: Uint8Array = new Uint8Array(8);

  /** Diagnostics: candidate packets dropped by the framer (bad CRC, length, SOM, ...). */
  framingErrors: i32 = 0;
  /** Diagnostics: osdp_NAK replies sent. */
  naksSent: i32 = 0;
  /** Diagnostics: replies repeated for a repeated sequence number. */
  repeats: i32 = 0;
  /** Diagnostics: the ERR_OSDP_* code behind the last NAK or ignored packet (0 = none yet). */
  lastError: i32 = 0;

  private readonly framer: OsdpFramer = new OsdpFramer();
  private readonly packet: OsdpPacket = new OsdpPacket();
  private readonly header: OsdpPacket = new OsdpPacket();
  private readonly channel: OsdpSecureChannel;
  private scState: i32 = SC_NONE;
  private readonly rndA: Uint8Array = new Uint8Array(8);
  private readonly rndB: Uint8Array = new Uint8Array(8);
  private readonly cryptogram: Uint8Array = new Uint8Array(16);
  private readonly key: Uint8Array = new Uint8Array(16);

  private readonly data: Uint8Array = new Uint8Array(OSDP_MAX_PACKET);
  private readonly reply: Uint8Array = new Uint8Array(OSDP_MAX_DATA);
  private readonly tx: Uint8Array = new Uint8Array(OSDP_MAX_PACKET + 1);
  private txLen: i32 = 0;
  private readonly nak: Uint8Array = new Uint8Array(1);
  private readonly nakTx: Uint8Array = new Uint8Array(16);
  private lastSqn: i32 = -1;
  private pendingAddress: i32 = -1;

  private readonly request: OsdpRequest = new OsdpRequest();
  private readonly out: OsdpOut = new OsdpOut();
  private readonly led: OsdpLed = new OsdpLed();
  private readonly buz: OsdpBuz = new OsdpBuz();
  private readonly com: OsdpComSettings = new OsdpComSettings();
  private readonly keyset: OsdpKeyset = new OsdpKeyset();
  private readonly file: OsdpFileTransfer = new OsdpFileTransfer();
  private readonly mfgIn: OsdpVendorData = new OsdpVendorData();
  private readonly mfgOut: OsdpVendorData = new OsdpVendorData();
  private readonly pdid: OsdpPdId = new OsdpPdId();
  private readonly pdcap: OsdpPdCap = new OsdpPdCap();
  private readonly lstat: OsdpLocalStatus = new OsdpLocalStatus();
  private readonly raw: OsdpRawCard = new OsdpRawCard();
  private readonly keypad: OsdpKeypad = new OsdpKeypad();
  private readonly ftstat: OsdpFileStatus = new OsdpFileStatus();

  constructor(address: u8, scbk: Uint8Array, cipher: BlockCipher, handler: OsdpPdHandler) {
    this.handler = handler;
    this.channel = new OsdpSecureChannel(cipher);
    this.address = address;
    copyBytes(scbk, 0, this.scbk, 0, 16);
  }

  /**
   * Back to the power-on state with `address` and `scbk`: no session, no previous reply, nothing
   * buffered, counters zero (settings such as scbkDEnabled are kept).
   */
  reset(address: u8, scbk: Uint8Array): void {
    this.address = address;
    copyBytes(scbk, 0, this.scbk, 0, 16);
    this.framer.reset();
    this.scState = SC_NONE;
    this.txLen = 0;
    this.lastSqn = -1;
    this.pendingAddress = -1;
    this.framingErrors = 0;
    this.naksSent = 0;
    this.repeats = 0;
  }

  /** True while a secure channel is established. */
  secure(): bool {
    return this.scState == SC_ACTIVE;
  }

  /** Bus idle longer than the inter-character timeout (§5.9): abandon any partial packet. */
  idle(): void {
    while (this.framer.abandonPartial()) this.drain();
  }

  /** Bytes received on the bus: frames them and answers each complete command addressed here. */
  receive(buf: Uint8Array, off: i32, len: i32): void {
    let done = 0;
    while (done < len) {
      const n = this.framer.push(buf, off + done, len - done);
      if (n <= 0) break;
      done += n;
      this.drain();
    }
  }

  private drain(): void {
    for (;;) {
      const r = this.framer.next(this.packet);
      if (r == 0) return;
      // An unknown command code still reaches onPacket: dispatch answers it with NAK 0x03.
      if (r > 0 || r == E.ERR_OSDP_UNKNOWN_COMMAND) this.onPacket(this.packet, this.framer.buf);
      else this.framingErrors++;
    }
  }

  private onPacket(p: OsdpPacket, buf: Uint8Array): void {
    if (p.isReply || (p.address != this.address && p.address != OSDP_BROADCAST)) {
      this.lastError = E.ERR_OSDP_WRONG_ADDRESS;
      return;
    }
    const sqn = i32(p.sqn);
    this.header.useCrc = p.useCrc;
    this.header.sqn = p.sqn;
    if (sqn == 0) {
      // §5.5: SQN 0 means the ACU restarted the link; any session it had is gone too.
      this.scState = SC_NONE;
    } else if (sqn == this.lastSqn && this.txLen > 0) {
      this.repeats++;
      this.handler.transmit(this.tx, 0, this.txLen);
      return;
    } else if (this.lastSqn > 0 && sqn != (this.lastSqn % 3) + 1) {
      this.refuseUnauthenticated(E.ERR_OSDP_BAD_SEQUENCE);
      return;
    }
    const scb = i32(p.scbType);
    if (this.scState == SC_ACTIVE && scb == 0) {
      // A plain command inside a session is unauthenticated: refuse it (its reply would leak in
      // clear) without letting it move the link state the real ACU relies on.
      this.refuseUnauthenticated(E.ERR_OSDP_SECURE_REQUIRED);
      return;
    }
    this.lastSqn = sqn;
    if (scb == i32(C.SCS_11) || p.code == C.CMD_CHLNG) {
      this.onChallenge(p, buf);
    } else if (scb == i32(C.SCS_13) || p.code == C.CMD_SCRYPT) {
      this.onServerCryptogram(p, buf);
    } else if (scb == i32(C.SCS_15) || scb == i32(C.SCS_17)) {
      if (this.scState != SC_ACTIVE) {
        this.refuse(E.ERR_OSDP_NO_SESSION, false);
        return;
      }
      const n = this.channel.openPacket(p, buf, this.data, 0, this.data.length);
      if (n < 0) {
        // Annex D.5: a MAC or padding failure ends the session; the ACU must start over.
        this.scState = SC_NONE;
        this.refuse(n, false);
        return;
      }
      this.dispatch(p.code, n, true);
    } else {
      if (this.secureRequired && p.code != C.CMD_POLL && p.code != C.CMD_ID && p.code != C.CMD_CAP) {
        this.refuse(E.ERR_OSDP_SECURE_REQUIRED, false);
        return;
      }
      copyBytes(buf, p.dataOff, this.data, 0, p.dataLen);
      this.dispatch(p.code, p.dataLen, false);
    }
  }

  /** Annex D.3 step 1: CHLNG(RND.A) → CCRYPT(cUID, RND.B, client cryptogram). */
  private onChallenge(p: OsdpPacket, buf: Uint8Array): void {
    this.scState = SC_NONE;
    if (p.scbType != C.SCS_11 || p.code != C.CMD_CHLNG || p.dataLen != 8) {
      this.refuse(E.ERR_OSDP_BAD_SCB, false);
      return;
    }
    const useScbkD = p.scbData == 0;
    if (useScbkD && !this.scbkDEnabled) {
      this.refuse(E.ERR_OSDP_SCBK_D_DISABLED, false);
      return;
    }
    copyBytes(buf, p.dataOff, this.rndA, 0, 8);
    this.handler.random(this.rndB, 0, 8);
    if (useScbkD) writeScbkD(this.key, 0);
    else copyBytes(this.scbk, 0, this.key, 0, 16);
    this.channel.deriveSessionKeys(this.key, 0, this.rndA, 0);
    zeroBytes(this.key, 0, 16);
    copyBytes(this.clientUid, 0, this.reply, 0, 8);
    copyBytes(this.rndB, 0, this.reply, 8, 8);
    this.channel.clientCryptogram(this.rndA, 0, this.rndB, 0, this.reply, 16);
    this.scState = SC_CHALLENGED;
    this.sendHandshake(C.REPLY_CCRYPT, C.SCS_12, p.scbData, 32);
  }

  /** Annex D.3 step 2: SCRYPT(server cryptogram) → RMAC_I(initial R-MAC); the session starts. */
  private onServerCryptogram(p: OsdpPacket, buf: Uint8Array): void {
    if (this.scState != SC_CHALLENGED || p.scbType != C.SCS_13 || p.code != C.CMD_SCRYPT || p.dataLen != 16) {
      this.scState = SC_NONE;
      this.refuse(E.ERR_OSDP_BAD_SCB, false);
      return;
    }
    this.channel.serverCryptogram(this.rndA, 0, this.rndB, 0, this.cryptogram, 0);
    if (!constantTimeEqual(this.cryptogram, 0, buf, p.dataOff, 16)) {
      this.scState = SC_NONE;
      this.refuse(E.ERR_OSDP_BAD_CRYPTOGRAM, false);
      return;
    }
    this.channel.initialRmac(buf, p.dataOff, this.reply, 0);
    this.scState = SC_ACTIVE;
    this.sendHandshake(C.REPLY_RMAC_I, C.SCS_14, 0x01, 16);
  }

  /** Decodes an application command's payload (in this.data) and answers it. */
  private dispatch(code: u8, len: i32, secure: bool): void {
    const h = this.handler;
    const d = this.data;
    let r: i32;
    let replyCode = C.REPLY_ACK;
    let replyLen = 0;
    switch (code) {
      case C.CMD_POLL: {
        r = decodeEmpty(d, 0, len);
        if (r < 0) break;
        // Card and keypad events go out only encrypted when the PD requires a secure channel.
        const what = !secure && this.secureRequired ? POLL_IDLE : h.poll(this.raw, this.keypad);
        if (what == POLL_CARD) { replyCode = C.REPLY_RAW; replyLen = encodeRawCard(this.raw, this.reply, 0, this.reply.length); }
        else if (what == POLL_KEYPAD) { replyCode = C.REPLY_KEYPAD; replyLen = encodeKeypad(this.keypad, this.reply, 0, this.reply.length); }
        break;
      }
      case C.CMD_ID:
        r = decodeRequest(d, 0, len, this.request);
        if (r < 0) break;
        h.identify(this.pdid);
        replyCode = C.REPLY_PDID;
        replyLen = encodePdId(this.pdid, this.reply, 0, this.reply.length);
        break;
      case C.CMD_CAP:
        r = decodeRequest(d, 0, len, this.request);
        if (r < 0) break;
        h.capabilities(this.pdcap);
        replyCode = C.REPLY_PDCAP;
        replyLen = encodePdCap(this.pdcap, this.reply, 0, this.reply.length);
        break;
      case C.CMD_LSTAT:
        r = decodeEmpty(d, 0, len);
        if (r < 0) break;
        h.localStatus(this.lstat);
        replyCode = C.REPLY_LSTATR;
        replyLen = encodeLocalStatus(this.lstat, this.reply, 0, this.reply.length);
        break;
      case C.CMD_OUT:
        r = decodeOut(d, 0, len, this.out);
        if (r >= 0 && !h.output(this.out)) r = E.ERR_OSDP_UNEXPECTED;
        break;
      case C.CMD_LED:
        r = decodeLed(d, 0, len, this.led);
        if (r >= 0 && !h.led(this.led)) r = E.ERR_OSDP_UNEXPECTED;
        break;
      case C.CMD_BUZ:
        r = decodeBuz(d, 0, len, this.buz);
        if (r >= 0 && !h.buzzer(this.buz)) r = E.ERR_OSDP_UNEXPECTED;
        break;
      case C.CMD_COMSET:
        r = decodeComSettings(d, 0, len, this.com);
        if (r < 0) break;
        if (!h.comSet(this.com)) { r = E.ERR_OSDP_UNEXPECTED; break; }
        replyCode = C.REPLY_COM;
        replyLen = encodeComSettings(this.com, this.reply, 0, this.reply.length);
        if (replyLen > 0) this.pendingAddress = i32(this.com.address);
        break;
      case C.CMD_KEYSET:
        if (!secure) { r = E.ERR_OSDP_SECURE_REQUIRED; break; }
        r = decodeKeyset(d, 0, len, this.keyset);
        if (r < 0) break;
        if (!h.storeScbk(this.keyset.key, 0)) { r = E.ERR_OSDP_UNEXPECTED; break; }
        copyBytes(this.keyset.key, 0, this.scbk, 0, 16);
        zeroBytes(this.keyset.key, 0, 16);
        break;
      case C.CMD_FILETRANSFER:
        if (!secure && this.fileTransferNeedsSecure) { r = E.ERR_OSDP_SECURE_REQUIRED; break; }
        r = decodeFileTransfer(d, 0, len, this.file);
        if (r < 0) break;
        if (!h.fileTransfer(this.file, this.ftstat)) { r = E.ERR_OSDP_UNEXPECTED; break; }
        replyCode = C.REPLY_FTSTAT;
        replyLen = encodeFileStatus(this.ftstat, this.reply, 0, this.reply.length);
        break;
      case C.CMD_MFG: {
        r = decodeVendorData(d, 0, len, this.mfgIn);
        if (r < 0) break;
        const what = h.mfg(this.mfgIn, this.mfgOut);
        if (what == MFG_REPLY) { replyCode = C.REPLY_MFGREP; replyLen = encodeVendorData(this.mfgOut, this.reply, 0, this.reply.length); }
        else if (what != MFG_ACK) r = E.ERR_OSDP_UNEXPECTED;
        break;
      }
      default:
        r = E.ERR_OSDP_UNKNOWN_COMMAND;
    }
    zeroBytes(d, 0, len);
    if (r < 0) {
      this.refuse(r, secure);
      return;
    }
    if (replyLen < 0) {
      // The handler filled fields its reply cannot encode: the command is not carried out as asked.
      this.refuse(E.ERR_OSDP_UNEXPECTED, secure);
      return;
    }
    this.send(replyCode, replyLen, secure);
    if (this.pendingAddress >= 0) {
      this.address = u8(this.pendingAddress);
      this.pendingAddress = -1;
    }
  }

  /** Answers osdp_NAK with the §7.3 reason for `code`, and records the code in lastError. */
  private refuse(code: i32, secure: bool): void {
    this.lastError = code;
    this.naksSent++;
    this.pendingAddress = -1;
    this.reply[0] = nakReason(code);
    this.send(C.REPLY_NAK, 1, secure && this.scState == SC_ACTIVE);
  }

  /** NAK for a packet that must not change state: sent from its own buffer, not kept for repeats. */
  private refuseUnauthenticated(code: i32): void {
    this.lastError = code;
    this.naksSent++;
    this.prepareHeader(C.REPLY_NAK);
    this.nak[0] = nakReason(code);
    const n = encodePacket(this.header, this.nak, 0, 1, this.nakTx, 0, this.nakTx.length);
    if (n > 0) this.handler.transmit(this.nakTx, 0, n);
  }

  private sendHandshake(code: u8, scbType: u8, scbData: u8, len: i32): void {
    const h = this.header;
    this.prepareHeader(code);
    h.scbType = scbType;
    h.scbData = scbData;
    this.txLen = encodePacket(h, this.reply, 0, len, this.tx, 0, this.tx.length);
    this.transmit(len);
  }

  private send(code: u8, len: i32, secure: bool): void {
    this.prepareHeader(code);
    if (secure) this.txLen = this.channel.sealPacket(this.header, this.reply, 0, len, true, this.tx, 0, this.tx.length);
    else this.txLen = encodePacket(this.header, this.reply, 0, len, this.tx, 0, this.tx.length);
    this.transmit(len);
  }

  private prepareHeader(code: u8): void {
    const h = this.header;
    h.address = this.address;
    h.isReply = true;
    h.mark = true;
    h.scbType = 0;
    h.scbData = 0;
    h.code = code;
  }

  /** Sends the packet in tx and wipes the `replyLen` payload bytes it was built from. */
  private transmit(replyLen: i32): void {
    zeroBytes(this.reply, 0, replyLen);
    if (this.txLen > 0) this.handler.transmit(this.tx, 0, this.txLen);
    else this.txLen = 0;
  }
}

/** NAK reason (§7.3) for a command refused with `code` (the table in protocol/SPEC.md OSDP §5). */
function nakReason(code: i32): u8 {
  if (code == E.ERR_OSDP_BAD_PAYLOAD_LENGTH || code == E.ERR_OSDP_TOO_MANY) return C.NAK_BAD_LENGTH;
  if (code == E.ERR_OSDP_UNKNOWN_COMMAND) return C.NAK_UNKNOWN_COMMAND;
  if (code == E.ERR_OSDP_BAD_SEQUENCE) return C.NAK_BAD_SEQUENCE;
  if (code == E.ERR_OSDP_SECURE_REQUIRED) return C.NAK_ENCRYPTION_REQUIRED;
  if (code == E.ERR_OSDP_BAD_SCB || code == E.ERR_OSDP_NO_SESSION || code == E.ERR_OSDP_BAD_MAC ||
    code == E.ERR_OSDP_BAD_PADDING || code == E.ERR_OSDP_BAD_CRYPTOGRAM || code == E.ERR_OSDP_SCBK_D_DISABLED) {
    return C.NAK_BAD_SCB;
  }
  return C.NAK_UNABLE;
}
