/**
 * The reader application under Node: the portable firmware/reader/reader.ts over the card
 * emulator's T=1 slot (simulator/card/t1-port.ts), with a board that records lights, and a
 * `transmit` that relays one APDU through the reader's MFG APDU command, as the host tool does.
 */
import { Reader, type ReaderBoard } from "../../firmware/reader/reader.ts";
import { READER_VENDOR, MFG_CARD_APDU, replyStatus, MFG_REPLY_HEADER } from "../../protocol/service/reader.ts";
import { OsdpVendorData } from "../../protocol/osdp/payload.ts";
import type { OsdpPdId } from "../../protocol/osdp/replies.ts";
import { LoopbackCardPort, type LineNoise } from "../../simulator/card/t1-port.ts";
import type { Card } from "../../simulator/card/card.ts";
import type { Transmit } from "../../simulator/server/card-channel.ts";

export class TestBoard implements ReaderBoard {
  steady = 0;
  flashing = 0;
  powerOffs = 0;
  lights(steady: number, flashing: number): void {
    this.steady = steady;
    this.flashing = flashing;
  }
  /** Where the reader's OSDP replies go. */
  onTransmit: ((bytes: Uint8Array) => void) | null = null;
  transmit(buf: Uint8Array, off: number, len: number): void {
    this.onTransmit?.(buf.slice(off, off + len));
  }
  random(out: Uint8Array, off: number, len: number): void {
    out.fill(0x5a, off, off + len);
  }
  storeScbk(): boolean {
    return true;
  }
  cardPowerOff(): void {
    this.powerOffs++;
  }
  /** No update partition under Node: version 1.0.0, no images taken (the firmware's own is tested in test/update/). */
  firmwareVersion(into: OsdpPdId): void {
    into.fwMajor = 1;
    into.fwMinor = 0;
    into.fwBuild = 0;
  }
  fileTransfer(): boolean {
    return false;
  }
  imageStatus(): number {
    return -1;
  }
}

/** A reader with `card` in its slot (not yet inserted). */
export function readerWith(card: Card, noise: LineNoise | null = null): { reader: Reader; board: TestBoard; port: LoopbackCardPort } {
  const board = new TestBoard();
  const port = new LoopbackCardPort(card.t1(), noise);
  return { reader: new Reader(board, port), board, port };
}

/** Sends one MFG command (sub-command + body) and returns the reply data. */
export function mfg(reader: Reader, sub: number, body: Uint8Array = new Uint8Array(0), vendor = READER_VENDOR): Uint8Array {
  const cmd = new OsdpVendorData();
  cmd.vendor = vendor;
  cmd.data[0] = sub;
  cmd.data.set(body, 1);
  cmd.dataLen = 1 + body.length;
  const reply = new OsdpVendorData();
  reader.mfg(cmd, reply);
  return reply.data.slice(0, reply.dataLen);
}

/** A Transmit through the reader's APDU pass-through; a reader error throws with its code. */
export function viaReader(reader: Reader): Transmit {
  return async (apdu) => {
    const r = mfg(reader, MFG_CARD_APDU, apdu);
    const status = replyStatus(r, 0);
    if (status !== 0) throw new Error(`reader status ${status}`);
    return r.slice(MFG_REPLY_HEADER);
  };
}
