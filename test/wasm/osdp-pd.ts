// Portable: runs the OSDP PD service (firmware/services/osdp/pd.ts) with a fixed, deterministic
// handler, in the WASM harness and under Node, so a recorded bus stream can be replayed through
// both builds and their transmitted bytes compared.
import { BlockCipher } from "../../protocol/blockcipher";
import { copyBytes } from "../../protocol/bytes";
import { OsdpVendorData } from "../../protocol/osdp/payload";
import { OsdpOut, OsdpLed, OsdpBuz, OsdpComSettings, OsdpFileTransfer } from "../../protocol/osdp/commands";
import { OsdpPdId, OsdpPdCap, OsdpLocalStatus, OsdpRawCard, OsdpKeypad, OsdpFileStatus } from "../../protocol/osdp/replies";
import { OsdpPdHandler, POLL_IDLE, POLL_CARD, MFG_REPLY, MFG_UNABLE } from "../../firmware/services/osdp/handler";
import { OsdpPd } from "../../firmware/services/osdp/pd";

/** Address of the replayed PD. */
export const REPLAY_PD_ADDRESS: u8 = 5;

/** Deterministic handler: counter-based "random", echoing MFG, a card on every 4th POLL. */
export class FixedPdHandler implements OsdpPdHandler {
  out: Uint8Array = new Uint8Array(0);
  outLen: i32 = 0;
  counter: i32 = 0;
  polls: i32 = 0;

  identify(into: OsdpPdId): void {
    into.vendor = 0x5c2601;
    into.model = 1;
    into.version = 2;
    into.serial = 0x01020304;
    into.fwMajor = 1;
    into.fwMinor = 0;
    into.fwBuild = 7;
  }
  capabilities(into: OsdpPdCap): void {
    into.count = 1;
    into.entries[0].functionCode = 9;
    into.entries[0].compliance = 1;
    into.entries[0].count = 1;
  }
  localStatus(into: OsdpLocalStatus): void {
    into.tamper = 0;
    into.power = 0;
  }
  poll(raw: OsdpRawCard, keypad: OsdpKeypad): i32 {
    this.polls++;
    if (this.polls % 4 != 0) return POLL_IDLE;
    raw.reader = 0;
    raw.format = 1;
    raw.bitCount = 26;
    for (let i = 0; i < 4; i++) raw.data[i] = u8(this.polls + i);
    return POLL_CARD;
  }
  output(cmd: OsdpOut): bool { return true; }
  led(cmd: OsdpLed): bool { return true; }
  buzzer(cmd: OsdpBuz): bool { return cmd.tone != 1; }
  comSet(cmd: OsdpComSettings): bool { return false; }
  storeScbk(key: Uint8Array, off: i32): bool { return true; }
  fileTransfer(cmd: OsdpFileTransfer, status: OsdpFileStatus): bool {
    status.action = 0;
    status.delay = 0;
    status.status = cmd.offset + u32(cmd.dataLen) == cmd.totalSize ? 1 : 0;
    status.updateMsgMax = 128;
    return true;
  }
  mfg(cmd: OsdpVendorData, reply: OsdpVendorData): i32 {
    if (cmd.dataLen > 200) return MFG_UNABLE;
    reply.vendor = cmd.vendor;
    reply.dataLen = cmd.dataLen;
    for (let i = 0; i < cmd.dataLen; i++) reply.data[i] = cmd.data[cmd.dataLen - 1 - i];
    return MFG_REPLY;
  }
  random(out: Uint8Array, off: i32, len: i32): void {
    for (let i = 0; i < len; i++) out[off + i] = u8(this.counter++ * 37 + 11);
  }
  transmit(buf: Uint8Array, off: i32, len: i32): void {
    if (this.outLen + 2 + len > this.out.length) return;
    this.out[this.outLen] = u8(len);
    this.out[this.outLen + 1] = u8(len >>> 8);
    copyBytes(buf, off, this.out, this.outLen + 2, len);
    this.outLen += 2 + len;
  }
}

const replayScbk = new Uint8Array(16);
const replayHandler = new FixedPdHandler();
let replayPdInstance: OsdpPd | null = null;

/**
 * Feeds buf[off..off+len) to a PD reset to power-on state (SCBK = 00 01 .. 0F, SCBK-D enabled when `installMode`)
 * in `chunk`-byte pieces, calling idle() after each piece when `idleEvery` (a quiet bus), and
 * writes every transmitted reply to out as [lenLo, lenHi, bytes]. Returns the bytes written.
 */
export function replayPd(cipher: BlockCipher, buf: Uint8Array, off: i32, len: i32, chunk: i32, idleEvery: bool, installMode: bool, out: Uint8Array): i32 {
  for (let i = 0; i < 16; i++) replayScbk[i] = u8(i);
  const handler = replayHandler;
  handler.out = out;
  handler.outLen = 0;
  handler.counter = 0;
  handler.polls = 0;
  let pd = replayPdInstance;
  if (pd == null) {
    pd = new OsdpPd(REPLAY_PD_ADDRESS, replayScbk, cipher, handler);
    replayPdInstance = pd;
  }
  pd.reset(REPLAY_PD_ADDRESS, replayScbk);
  pd.scbkDEnabled = installMode;
  for (let at = 0; at < len; at += chunk) {
    pd.receive(buf, off + at, at + chunk <= len ? chunk : len - at);
    if (idleEvery) pd.idle();
  }
  pd.idle();
  return handler.outLen;
}
