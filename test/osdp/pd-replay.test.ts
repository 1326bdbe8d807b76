// The PD service compiled to WASM behaves exactly like the TypeScript build: a recorded bus
// session (plain commands, the secure-channel handshake, MAC'd and encrypted commands, repeats,
// refused commands) and thousands of corrupted variants of it are replayed through both builds
// and every transmitted byte compared.
import { describe, it, expect } from "vitest";
import { Rng } from "../support/rng.ts";
import { replayPd, FixedPdHandler, REPLAY_PD_ADDRESS } from "../wasm/osdp-pd.ts";
import { loadOsdpHarness } from "./harness.ts";
import { nodeBlockCipher } from "./aes.ts";
import { validPayload } from "./generators.ts";
import { OsdpPd } from "../../firmware/services/osdp/pd.ts";
import { OsdpPacket, encodePacket, decodePacket } from "../../protocol/osdp/packet.ts";
import { OsdpSecureChannel } from "../../protocol/osdp/secure.ts";
import * as C from "../../protocol/osdp/codes.ts";

interface PdExports { pdReplay(len: number, chunk: number, flags: number): number }

const SCBK = Uint8Array.from({ length: 16 }, (_, i) => i);
const cipher = nodeBlockCipher();

/** Drives a live TypeScript PD like a control panel would and records the command stream. */
function recordSession(rng: Rng, commands: number): { stream: Uint8Array; replies: Uint8Array[] } {
  const handler = new FixedPdHandler();
  handler.out = new Uint8Array(1 << 16);
  const pd = new OsdpPd(REPLAY_PD_ADDRESS, SCBK, cipher, handler);
  const cp = new OsdpSecureChannel(nodeBlockCipher());
  const stream: number[] = [];
  const replies: Uint8Array[] = [];
  let sqn = 0;
  let secure = false;
  const out = new Uint8Array(2048);
  const p = new OsdpPacket();

  const send = (code: number, data: Uint8Array, scbType = 0, scbData = 0, repeat = false): Uint8Array => {
    const h = new OsdpPacket();
    h.address = REPLAY_PD_ADDRESS;
    h.sqn = sqn;
    h.code = code;
    h.mark = rng.bool();
    h.useCrc = rng.int(0, 3) !== 0;
    h.scbType = scbType;
    h.scbData = scbData;
    const n = secure && scbType === 0 ? cp.sealPacket(h, data, 0, data.length, true, out, 0, out.length)
      : encodePacket(h, data, 0, data.length, out, 0, out.length);
    expect(n).toBeGreaterThan(0);
    const bytes = out.slice(0, n);
    const before = handler.outLen;
    for (let k = repeat ? 2 : 1; k > 0; k--) {
      stream.push(...bytes);
      pd.receive(bytes, 0, n);
    }
    const len = handler.out[before] | (handler.out[before + 1] << 8);
    const reply = handler.out.slice(before + 2, before + 2 + len);
    replies.push(reply);
    expect(decodePacket(reply, 0, reply.length, p)).toBe(reply.length);
    expect(p.sqn).toBe(sqn);
    sqn = sqn % 3 + 1;
    return reply;
  };

  send(C.CMD_POLL, new Uint8Array(0));
  send(C.CMD_ID, Uint8Array.of(0));
  const rndA = rng.bytes(8);
  cp.deriveSessionKeys(SCBK, 0, rndA, 0);
  const cc = send(C.CMD_CHLNG, rndA, C.SCS_11, 1);
  decodePacket(cc, 0, cc.length, p);
  expect(p.code).toBe(C.REPLY_CCRYPT);
  const rndB = cc.slice(p.dataOff + 8, p.dataOff + 16);
  const server = new Uint8Array(16);
  cp.serverCryptogram(rndA, 0, rndB, 0, server, 0);
  const rm = send(C.CMD_SCRYPT, server, C.SCS_13, 1);
  decodePacket(rm, 0, rm.length, p);
  expect(p.code).toBe(C.REPLY_RMAC_I);
  cp.initialRmac(server, 0, new Uint8Array(16), 0);
  secure = true;
  const menu = [C.CMD_POLL, C.CMD_ID, C.CMD_CAP, C.CMD_LSTAT, C.CMD_OUT, C.CMD_LED, C.CMD_BUZ, C.CMD_FILETRANSFER, C.CMD_MFG];
  for (let i = 0; i < commands; i++) {
    const code = rng.pick(menu);
    const reply = send(code, validPayload(rng, code, false), 0, 0, rng.int(0, 9) === 0);
    decodePacket(reply, 0, reply.length, p);
    expect(p.scbType === C.SCS_16 || p.scbType === C.SCS_18).toBe(true);
    expect(cp.openPacket(p, reply, new Uint8Array(2048), 0, 2048)).toBeGreaterThanOrEqual(0);
  }
  return { stream: Uint8Array.from(stream), replies };
}

function tsReplay(stream: Uint8Array, chunk: number, flags: number, out: Uint8Array): number {
  return replayPd(cipher, stream, 0, stream.length, chunk, (flags & 1) !== 0, (flags & 2) !== 0, out);
}

describe("OSDP PD service: WASM build = TypeScript build", () => {
  const h = loadOsdpHarness();
  const ex = h.exports as unknown as PdExports;
  const session = recordSession(new Rng(0x9d5e55), 120);

  it("replays a recorded 124-command session (handshake, secure commands, repeats) identically, in any chunking", () => {
    expect(session.stream.length).toBeLessThan(60_000);
    const out = new Uint8Array(65536);
    const want = Buffer.concat(session.replies.flatMap((r) => [Buffer.from([r.length & 0xff, r.length >> 8]), Buffer.from(r)]));
    for (const [chunk, flags] of [[1, 0], [3, 0], [64, 0], [65536, 0], [17, 1]]) {
      const n = tsReplay(session.stream, chunk, flags, out);
      // Without idle gaps the PD answers as it did live, plus one repeated reply per repeated
      // command; idling mid-packet (flags 1) drops packets, and both builds must drop the same.
      if (flags === 0) {
        expect(n).toBeGreaterThanOrEqual(want.length);
        expect(Buffer.compare(out.subarray(0, 200), want.subarray(0, 200))).toBe(0);
      }
      h.setInput(session.stream);
      expect(ex.pdReplay(session.stream.length, chunk, flags)).toBe(n);
      expect(Buffer.compare(h.output(n), out.subarray(0, n))).toBe(0);
    }
  });

  it("identical replies on 1,500 corrupted versions of the session (no trap, no throw)", () => {
    const rng = new Rng(0xc0ee);
    const out = new Uint8Array(65536);
    const failures: string[] = [];
    for (let i = 0; i < 1500 && failures.length < 3; i++) {
      const stream = rng.mutate(session.stream);
      const chunk = rng.int(1, 200), flags = rng.int(0, 3);
      const n = tsReplay(stream, chunk, flags, out);
      h.setInput(stream);
      const w = ex.pdReplay(stream.length, chunk, flags);
      if (w !== n || Buffer.compare(h.output(n), out.subarray(0, n)) !== 0) failures.push(`case ${i}: ts ${n} wasm ${w}`);
    }
    expect(failures).toEqual([]);
  });
});
