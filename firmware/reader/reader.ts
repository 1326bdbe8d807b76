/**
 * The USB card reader's application (docs/ARCHITECTURE.md §1 "Card reader", issue 6; protocol/SPEC.md (Reader chapter)):
 * an OSDP peripheral device whose handler answers ID, CAP, LSTAT, LED and the reader's MFG
 * commands (card status, connect, APDU pass-through, power-off, image status), takes firmware
 * images by osdp_FILETRANSFER through its board's update service, reports card insertion and removal
 * in answer to POLL, and drives the lights. It holds no keys and interprets no APDU: the card and
 * the server talk end to end through it.
 *
 * Portable AssemblyScript: the firmware (main.ts) gives it the HAL card contacts and light output;
 * Node tests give it the card emulator's slot. Buffers are allocated once, at construction.
 */
import { CardPort, T1Master } from "../services/t1/master";
import { OsdpPdHandler, POLL_IDLE, POLL_CARD, MFG_REPLY } from "../services/osdp/handler";
import { OsdpVendorData } from "../../protocol/osdp/payload";
import { OsdpOut, OsdpLed, OsdpBuz, OsdpComSettings, OsdpFileTransfer } from "../../protocol/osdp/commands";
import { OsdpPdId, OsdpPdCap, OsdpLocalStatus, OsdpRawCard, OsdpKeypad, OsdpFileStatus } from "../../protocol/osdp/replies";
import { copyBytes, writeU32BE } from "../../protocol/bytes";
import {
  READER_VENDOR, MFG_CARD_STATUS, MFG_CARD_CONNECT, MFG_CARD_APDU, MFG_CARD_OFF, MFG_REPLY_HEADER, MFG_STATUS_FIXED,
  CARD_EVENT_FORMAT, CARD_EVENT_INSERTED, CARD_EVENT_REMOVED, ERR_READER_BAD_COMMAND, ERR_READER_NO_CARD, ERR_READER_NOT_CONNECTED,
  writeReplyHeader,
} from "../../protocol/service/reader";
import { MFG_IMAGE_STATUS } from "../../protocol/service/image";

/** Light bits (spec §2.7): green = card connected and ready, amber = card busy, red = last exchange failed. */
export const LIGHT_GREEN: i32 = 1;
export const LIGHT_AMBER: i32 = 2;
export const LIGHT_RED: i32 = 4;

/** Card clock and the fastest bit rate of the reader's card UART (as the lockbox's). */
export const READER_CARD_CLOCK_HZ: i32 = 4000000;
export const READER_CARD_MAX_BIT_RATE: i32 = 250000;

/** Longest command APDU the reader relays (short APDUs with SCP03 wrapping fit well inside). */
const MAX_APDU: i32 = 261;
/** Largest response APDU: 256 data bytes + SW. */
const MAX_RESPONSE: i32 = 258;

/** What the reader needs from its board besides the card contacts. */
export interface ReaderBoard {
  /** Sets the lights: steady and flashing bit masks of LIGHT_*. */
  lights(steady: i32, flashing: i32): void;
  /** Sends an OSDP reply packet on the USB-serial UART. */
  transmit(buf: Uint8Array, off: i32, len: i32): void;
  /** Fills out[off..off+len) from the hardware RNG. */
  random(out: Uint8Array, off: i32, len: i32): void;
  /** Persists a new OSDP SCBK (osdp_KEYSET); false when it cannot. */
  storeScbk(key: Uint8Array, off: i32): bool;
  /** Removes power from the card contacts. */
  cardPowerOff(): void;
  /** The running firmware's version for osdp_PDID (fwMajor, fwMinor, fwBuild). */
  firmwareVersion(into: OsdpPdId): void;
  /** osdp_FILETRANSFER into the update partition (firmware/services/update.ts); false when the board takes no images. */
  fileTransfer(cmd: OsdpFileTransfer, status: OsdpFileStatus): bool;
  /** Writes the IMAGE STATUS body (protocol/service/image.ts) at out[off..]; returns its length, or -1 without an update service. */
  imageStatus(out: Uint8Array, off: i32): i32;
}

/** The reader application; see the file comment. */
export class Reader implements OsdpPdHandler {
  board: ReaderBoard;
  t1: T1Master;
  present: bool = false;
  /** A card event waits for the next POLL: -1 none, else CARD_EVENT_INSERTED / _REMOVED. */
  pendingEvent: i32 = -1;
  /** Lights the host set with osdp_LED, OR'd with the reader's own state. */
  hostSteady: i32 = 0;
  hostFlashing: i32 = 0;
  failed: bool = false;
  /** Counters for the host's status and the bench. */
  apdus: i32 = 0;
  private resp: Uint8Array = new Uint8Array(MAX_RESPONSE);

  constructor(board: ReaderBoard, contacts: CardPort) {
    this.board = board;
    this.t1 = new T1Master(contacts, READER_CARD_CLOCK_HZ, READER_CARD_MAX_BIT_RATE);
  }

  /** Card-detect closed: connect at once (so the event carries the ATR) and queue the event. */
  cardInserted(): void {
    this.present = true;
    this.failed = this.t1.connect() < 0;
    this.pendingEvent = CARD_EVENT_INSERTED;
    this.showLights();
  }

  /** Card-detect opened: the link is gone; queue the event. */
  cardRemoved(): void {
    this.present = false;
    this.t1.connected = false;
    this.failed = false;
    this.pendingEvent = CARD_EVENT_REMOVED;
    this.showLights();
  }

  showLights(): void {
    let steady = this.hostSteady;
    let flashing = this.hostFlashing;
    if (this.failed) flashing |= LIGHT_RED;
    else if (this.t1.connected) steady |= LIGHT_GREEN;
    else if (this.present) flashing |= LIGHT_AMBER;
    this.board.lights(steady, flashing);
  }

  identify(into: OsdpPdId): void {
    into.vendor = READER_VENDOR;
    into.model = 0x52;
    into.version = 1;
    into.serial = 1;
    this.board.firmwareVersion(into);
  }

  capabilities(into: OsdpPdCap): void {
    // Function 4: LED control (1 LED, basic); 9: communication security (AES-128, SCBK-D if enabled); 10: receive buffer.
    into.count = 3;
    into.entries[0].functionCode = 4;
    into.entries[0].compliance = 1;
    into.entries[0].count = 1;
    into.entries[1].functionCode = 9;
    into.entries[1].compliance = 1;
    into.entries[1].count = 1;
    into.entries[2].functionCode = 10;
    into.entries[2].compliance = u8(1024 & 0xff);
    into.entries[2].count = u8(1024 >> 8);
  }

  localStatus(into: OsdpLocalStatus): void {
    into.tamper = 0;
    into.power = 0;
  }

  poll(raw: OsdpRawCard, keypad: OsdpKeypad): i32 {
    if (this.pendingEvent < 0) return POLL_IDLE;
    raw.reader = 0;
    raw.format = CARD_EVENT_FORMAT;
    raw.data[0] = u8(this.pendingEvent);
    let n = 1;
    if (this.pendingEvent == CARD_EVENT_INSERTED) {
      copyBytes(this.t1.atrBytes, 0, raw.data, 1, this.t1.atrLen);
      n += this.t1.atrLen;
    }
    raw.bitCount = u16(n * 8);
    this.pendingEvent = -1;
    return POLL_CARD;
  }

  output(cmd: OsdpOut): bool {
    return false;
  }

  /** osdp_LED: LED 0's permanent colour becomes a light (1 red, 2 green, 3 amber); on/off times both set = flashing. */
  led(cmd: OsdpLed): bool {
    for (let i = 0; i < cmd.count; i++) {
      const r = cmd.records[i];
      if (r.led != 0 || r.permControl != 1) continue;
      const bit = r.permOnColor == 1 ? LIGHT_RED : r.permOnColor == 2 ? LIGHT_GREEN : r.permOnColor == 3 ? LIGHT_AMBER : 0;
      const blink = r.permOnTime != 0 && r.permOffTime != 0;
      this.hostSteady = blink ? 0 : bit;
      this.hostFlashing = blink ? bit : 0;
    }
    this.showLights();
    return true;
  }

  buzzer(cmd: OsdpBuz): bool {
    return false;
  }

  comSet(cmd: OsdpComSettings): bool {
    return false;
  }

  storeScbk(key: Uint8Array, off: i32): bool {
    return this.board.storeScbk(key, off);
  }

  /** osdp_FILETRANSFER: a firmware image, handed to the board's update service. */
  fileTransfer(cmd: OsdpFileTransfer, status: OsdpFileStatus): bool {
    return this.board.fileTransfer(cmd, status);
  }

  /** The reader's MFG commands (spec §2): every one answers osdp_MFGREP with a status. */
  mfg(cmd: OsdpVendorData, reply: OsdpVendorData): i32 {
    reply.vendor = READER_VENDOR;
    const out = reply.data;
    if (cmd.vendor != READER_VENDOR || cmd.dataLen < 1) {
      writeReplyHeader(0x7f, ERR_READER_BAD_COMMAND, out, 0);
      reply.dataLen = MFG_REPLY_HEADER;
      return MFG_REPLY;
    }
    const sub = cmd.data[0];
    const bodyLen = cmd.dataLen - 1;
    if (sub == MFG_CARD_STATUS && bodyLen == 0) {
      reply.dataLen = this.statusReply(sub, 0, out);
    } else if (sub == MFG_CARD_CONNECT && bodyLen == 0) {
      let status = ERR_READER_NO_CARD;
      if (this.present) status = this.t1.connect();
      this.failed = status < 0 && this.present;
      this.showLights();
      reply.dataLen = this.statusReply(sub, status < 0 ? status : 0, out);
    } else if (sub == MFG_CARD_APDU && bodyLen >= 4 && bodyLen <= MAX_APDU) {
      reply.dataLen = this.relay(cmd, out);
    } else if (sub == MFG_IMAGE_STATUS && bodyLen == 0) {
      const n = this.board.imageStatus(out, MFG_REPLY_HEADER);
      writeReplyHeader(sub, n < 0 ? ERR_READER_BAD_COMMAND : 0, out, 0);
      reply.dataLen = MFG_REPLY_HEADER + (n < 0 ? 0 : n);
    } else if (sub == MFG_CARD_OFF && bodyLen == 0) {
      this.t1.connected = false;
      this.board.cardPowerOff();
      this.showLights();
      writeReplyHeader(sub, 0, out, 0);
      reply.dataLen = MFG_REPLY_HEADER;
    } else {
      writeReplyHeader(sub, ERR_READER_BAD_COMMAND, out, 0);
      reply.dataLen = MFG_REPLY_HEADER;
    }
    return MFG_REPLY;
  }

  private statusReply(sub: u8, status: i32, out: Uint8Array): i32 {
    writeReplyHeader(sub, status, out, 0);
    out[3] = this.present ? 1 : 0;
    out[4] = this.t1.connected ? 1 : 0;
    writeU32BE(out, 5, this.t1.connected ? u32(this.t1.bitRate()) : 0);
    const atrLen = this.present ? this.t1.atrLen : 0;
    out[9] = u8(atrLen);
    copyBytes(this.t1.atrBytes, 0, out, MFG_REPLY_HEADER + MFG_STATUS_FIXED, atrLen);
    return MFG_REPLY_HEADER + MFG_STATUS_FIXED + atrLen;
  }

  private relay(cmd: OsdpVendorData, out: Uint8Array): i32 {
    if (!this.present || !this.t1.connected) {
      writeReplyHeader(MFG_CARD_APDU, this.present ? ERR_READER_NOT_CONNECTED : ERR_READER_NO_CARD, out, 0);
      return MFG_REPLY_HEADER;
    }
    this.board.lights(this.hostSteady | LIGHT_GREEN, this.hostFlashing | LIGHT_AMBER);
    const n = this.t1.transceive(cmd.data, 1, cmd.dataLen - 1, this.resp, 0, MAX_RESPONSE);
    this.apdus++;
    this.failed = n < 0;
    this.showLights();
    if (n < 0) {
      writeReplyHeader(MFG_CARD_APDU, n, out, 0);
      return MFG_REPLY_HEADER;
    }
    writeReplyHeader(MFG_CARD_APDU, 0, out, 0);
    copyBytes(this.resp, 0, out, MFG_REPLY_HEADER, n);
    return MFG_REPLY_HEADER + n;
  }

  random(out: Uint8Array, off: i32, len: i32): void {
    this.board.random(out, off, len);
  }

  transmit(buf: Uint8Array, off: i32, len: i32): void {
    this.board.transmit(buf, off, len);
  }
}
