/**
 * An in-memory OsdpPdHandler for the control-panel ⇄ PD tests: fixed identity and capabilities,
 * queued card/keypad events, an echoing osdp_MFG, and a record of what the PD asked it to do.
 */
import { randomBytes } from "node:crypto";
import type { ByteLink } from "../../simulator/osdp/cp.ts";
import type { OsdpPdHandler } from "../../firmware/services/osdp/handler.ts";
import { POLL_IDLE, POLL_CARD, MFG_ACK, MFG_REPLY, MFG_UNABLE } from "../../firmware/services/osdp/handler.ts";
import { OsdpPd } from "../../firmware/services/osdp/pd.ts";
import type { OsdpVendorData } from "../../protocol/osdp/payload.ts";
import type { OsdpOut, OsdpLed, OsdpBuz, OsdpComSettings, OsdpFileTransfer } from "../../protocol/osdp/commands.ts";
import type { OsdpPdId, OsdpPdCap, OsdpLocalStatus, OsdpRawCard, OsdpKeypad, OsdpFileStatus } from "../../protocol/osdp/replies.ts";
import { FT_STATUS_OK, FT_STATUS_FINISHING, FT_STATUS_PROCESSED } from "../../protocol/osdp/replies.ts";
import { nodeBlockCipher } from "./aes.ts";

/** The vendor code the memory PD answers osdp_MFG for (anything else: NAK 0x09). */
export const TEST_VENDOR = 0x0a0b0c;

export class MemoryPdHandler implements OsdpPdHandler {
  readonly log: string[] = [];
  readonly cards: Uint8Array[] = [];
  storedScbk: Uint8Array | null = null;
  tamper = 0;
  constructor(private readonly link: ByteLink) {}

  identify(into: OsdpPdId): void {
    into.vendor = 0x5c2601;
    into.model = 7;
    into.version = 2;
    into.serial = 0xdeadbeef;
    into.fwMajor = 1;
    into.fwMinor = 4;
    into.fwBuild = 9;
  }
  capabilities(into: OsdpPdCap): void {
    into.count = 2;
    into.entries[0].functionCode = 1; into.entries[0].compliance = 1; into.entries[0].count = 0;
    into.entries[1].functionCode = 9; into.entries[1].compliance = 1; into.entries[1].count = 1;
  }
  localStatus(into: OsdpLocalStatus): void {
    into.tamper = this.tamper;
    into.power = 0;
  }
  poll(raw: OsdpRawCard, _keypad: OsdpKeypad): number {
    const card = this.cards.shift();
    if (!card) return POLL_IDLE;
    raw.reader = 0;
    raw.format = 0;
    raw.bitCount = card.length * 8;
    raw.data.set(card);
    return POLL_CARD;
  }
  output(cmd: OsdpOut): boolean { this.log.push(`out ${cmd.count}`); return true; }
  led(cmd: OsdpLed): boolean { this.log.push(`led ${cmd.count}`); return true; }
  buzzer(cmd: OsdpBuz): boolean { this.log.push(`buz ${cmd.tone}`); return true; }
  comSet(cmd: OsdpComSettings): boolean { this.log.push(`comset ${cmd.address} ${cmd.baud}`); return true; }
  storeScbk(key: Uint8Array, off: number): boolean {
    this.storedScbk = key.slice(off, off + 16);
    return true;
  }
  /** Received osdp_FILETRANSFER contents, by offset. */
  file = new Uint8Array(0);
  /** FtUpdateMsgMax to report; FtStatusDetail to report instead of success; "finishing" polls before done. */
  fileMsgMax = 0;
  fileRefusal = 0;
  finishingPolls = 0;
  fileTransfer(cmd: OsdpFileTransfer, status: OsdpFileStatus): boolean {
    if (this.file.length !== cmd.totalSize) this.file = new Uint8Array(cmd.totalSize);
    this.file.set(cmd.data.subarray(0, cmd.dataLen), cmd.offset);
    this.log.push(`file ${cmd.offset} ${cmd.dataLen}`);
    status.action = 0;
    status.delay = 1;
    status.updateMsgMax = this.fileMsgMax;
    const last = cmd.offset + cmd.dataLen === cmd.totalSize;
    if (this.fileRefusal) status.status = this.fileRefusal;
    else if (!last) status.status = FT_STATUS_OK;
    else status.status = this.finishingPolls-- > 0 ? FT_STATUS_FINISHING : FT_STATUS_PROCESSED;
    return true;
  }
  mfg(cmd: OsdpVendorData, reply: OsdpVendorData): number {
    this.log.push(`mfg ${cmd.dataLen}`);
    if (cmd.vendor !== TEST_VENDOR) return MFG_UNABLE;
    if (cmd.dataLen === 0) return MFG_ACK;
    reply.vendor = cmd.vendor;
    for (let i = 0; i < cmd.dataLen; i++) reply.data[i] = cmd.data[cmd.dataLen - 1 - i];
    reply.dataLen = cmd.dataLen;
    return MFG_REPLY;
  }
  random(out: Uint8Array, off: number, len: number): void {
    out.set(randomBytes(len), off);
  }
  transmit(buf: Uint8Array, off: number, len: number): void {
    this.link.write(buf.slice(off, off + len));
  }
}

/** Inter-character timeout of the simulated UART (§5.9): the bus idle this long ends a packet. */
export const IDLE_MS = 5;

/**
 * A PD at `address` with `scbk`, running on `link` with a MemoryPdHandler; like the firmware, it
 * calls pd.idle() when the bus has been quiet for IDLE_MS.
 */
export function startMemoryPd(link: ByteLink, address: number, scbk: Uint8Array): { pd: OsdpPd; handler: MemoryPdHandler } {
  const handler = new MemoryPdHandler(link);
  const pd = new OsdpPd(address, scbk, nodeBlockCipher(), handler);
  let idle: NodeJS.Timeout | undefined;
  link.onData((bytes) => {
    pd.receive(bytes, 0, bytes.length);
    clearTimeout(idle);
    idle = setTimeout(() => pd.idle(), IDLE_MS);
    idle.unref();
  });
  return { pd, handler };
}
