/**
 * A PD whose every answer the test writes by hand, for the control panel's stale-reply tests: it
 * frames the commands arriving on its link and hands each to the test, which writes whatever bytes
 * it likes back (late replies, halves of replies, replies to other commands).
 */
import type { ByteLink } from "../../simulator/osdp/cp.ts";
import { OsdpFramer } from "../../protocol/osdp/framer.ts";
import { OsdpPacket, encodePacket, OSDP_MAX_PACKET } from "../../protocol/osdp/packet.ts";
import { OsdpVendorData, encodeVendorData } from "../../protocol/osdp/payload.ts";
import * as C from "../../protocol/osdp/codes.ts";

/** A command as the PD framed it. */
export interface ScriptedCommand {
  code: number;
  sqn: number;
  data: Uint8Array;
}

/** Frames commands from `link` and calls `answer` for each; `commands` records them in order. */
export function scriptedPd(link: ByteLink, answer: (cmd: ScriptedCommand) => void): { commands: ScriptedCommand[] } {
  const framer = new OsdpFramer();
  const packet = new OsdpPacket();
  const commands: ScriptedCommand[] = [];
  link.onData((bytes) => {
    framer.push(bytes, 0, bytes.length);
    while (framer.next(packet) > 0) {
      const cmd = { code: packet.code, sqn: packet.sqn, data: framer.buf.slice(packet.dataOff, packet.dataOff + packet.dataLen) };
      commands.push(cmd);
      answer(cmd);
    }
  });
  return { commands };
}

/** A plain reply packet from PD `address` (CRC trailer). */
export function replyPacket(address: number, sqn: number, code: number, data: Uint8Array): Uint8Array {
  const h = new OsdpPacket();
  h.address = address;
  h.sqn = sqn;
  h.code = code;
  h.isReply = true;
  h.useCrc = true;
  const out = new Uint8Array(OSDP_MAX_PACKET);
  const n = encodePacket(h, data, 0, data.length, out, 0, out.length);
  if (n < 0) throw new Error(`cannot encode reply: ${n}`);
  return out.slice(0, n);
}

/** osdp_MFGREP from PD `address` carrying `bytes` under vendor code `vendor`. */
export function mfgReply(address: number, sqn: number, vendor: number, bytes: number[]): Uint8Array {
  const f = new OsdpVendorData();
  f.vendor = vendor;
  f.data.set(bytes);
  f.dataLen = bytes.length;
  const data = new Uint8Array(3 + bytes.length);
  if (encodeVendorData(f, data, 0, data.length) !== data.length) throw new Error("cannot encode vendor data");
  return replyPacket(address, sqn, C.REPLY_MFGREP, data);
}

/** Resolves after the in-memory link (test/osdp/link.ts) has delivered everything written so far. */
export function delivered(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}
