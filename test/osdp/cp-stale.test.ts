// The control panel never takes a late reply to an abandoned command as the answer to a later one
// (simulator/osdp/cp.ts; protocol/SPEC.md OSDP §4). Each case replays, over the in-memory link and
// a hand-scripted PD, a way a stale reply with the right address and SQN 0 reached the old control
// panel after a restart and was accepted as the next command's answer.
import { describe, it, expect } from "vitest";
import { OsdpControlPanel, OsdpError } from "../../simulator/osdp/cp.ts";
import { mayAnswer } from "../../simulator/osdp/answers.ts";
import { linkPair } from "./link.ts";
import { scriptedPd, replyPacket, mfgReply, delivered, type ScriptedCommand } from "./scripted-pd.ts";
import * as C from "../../protocol/osdp/codes.ts";
import * as E from "../../protocol/osdp/errors.ts";

const ADDRESS = 5;
const VENDOR = 0x0a0b0c;

function setup(answer: (cmd: ScriptedCommand, write: (b: Uint8Array) => void) => void, quietMs: number) {
  const [cpLink, pdLink] = linkPair();
  const pd = scriptedPd(pdLink, (cmd) => answer(cmd, (b) => pdLink.write(b)));
  const cp = new OsdpControlPanel(cpLink, { address: ADDRESS, timeoutMs: 30, retries: 1, quietMs });
  return { cp, pd, pdWrite: (b: Uint8Array) => pdLink.write(b) };
}

async function timedOut(p: Promise<unknown>): Promise<void> {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(OsdpError);
  expect((e as OsdpError).code).toBe(E.ERR_OSDP_TIMEOUT);
}

/** The scripted PD stays silent to MFG 01 02 03 (its late answer is written by the test) and echoes MFG 09 09. */
function isSecond(cmd: ScriptedCommand): boolean {
  return cmd.code === C.CMD_MFG && cmd.data.length === 5 && cmd.data[3] === 9;
}

describe("OSDP CP: stale replies after a restart at SQN 0", () => {
  it("a late answer arriving as the next command would go out drains away; the next command gets its own answer", async () => {
    const { cp, pd, pdWrite } = setup((cmd, write) => { if (isSecond(cmd)) write(mfgReply(ADDRESS, cmd.sqn, VENDOR, [9, 9])); }, 100);
    await timedOut(cp.mfg(VENDOR, Uint8Array.of(1, 2, 3)));
    const next = cp.mfg(VENDOR, Uint8Array.of(9, 9));
    // The PD's answer to the abandoned MFG 01 02 03, same address and SQN 0, right behind it.
    const stale = mfgReply(ADDRESS, 0, VENDOR, [3, 2, 1]);
    pdWrite(stale);
    const rep = await next;
    expect(Array.from(rep!.data.subarray(0, rep!.dataLen))).toEqual([9, 9]);
    expect(pd.commands.map((c) => c.sqn)).toEqual([0, 0, 0]);
    expect(cp.stats.discarded).toBeGreaterThanOrEqual(stale.length);
    expect(cp.stats.drains).toBe(2);
    cp.close();
  });

  it("the head of a late answer heard between commands cannot be completed by bytes after the next command", async () => {
    const stale = mfgReply(ADDRESS, 0, VENDOR, [3, 2, 1]);
    const { cp, pdWrite } = setup((cmd, write) => {
      if (!isSecond(cmd)) return;
      write(stale.subarray(6));
      write(mfgReply(ADDRESS, cmd.sqn, VENDOR, [9, 9]));
    }, 5);
    await timedOut(cp.mfg(VENDOR, Uint8Array.of(1, 2, 3)));
    pdWrite(stale.subarray(0, 6));
    await delivered();
    const rep = await cp.mfg(VENDOR, Uint8Array.of(9, 9));
    expect(Array.from(rep!.data.subarray(0, rep!.dataLen))).toEqual([9, 9]);
    expect(cp.stats.discarded).toBeGreaterThanOrEqual(6);
    cp.close();
  });

  it("a reply that cannot answer the command in flight (osdp_PDID to osdp_LSTAT) is refused despite address and SQN", async () => {
    const { cp } = setup((cmd, write) => {
      if (cmd.code !== C.CMD_LSTAT) return;
      write(replyPacket(ADDRESS, 0, C.REPLY_PDID, Uint8Array.of(1, 0x26, 0x5c, 7, 2, 0xef, 0xbe, 0xad, 0xde, 1, 4, 9)));
      write(replyPacket(ADDRESS, cmd.sqn, C.REPLY_LSTATR, Uint8Array.of(1, 0)));
    }, 5);
    await timedOut(cp.id());
    const status = await cp.localStatus();
    expect([status.tamper, status.power]).toEqual([1, 0]);
    expect(cp.stats.ignored).toBe(1);
    cp.close();
  });

  it("a line that never falls quiet delays SQN 0 by at most one exchange's reply budget: the command still goes out", async () => {
    const [cpLink, pdLink] = linkPair();
    scriptedPd(pdLink, (cmd) => pdLink.write(replyPacket(ADDRESS, cmd.sqn, C.REPLY_ACK, new Uint8Array(0))));
    const chatter = setInterval(() => pdLink.write(Uint8Array.of(0xff)), 2);
    const cp = new OsdpControlPanel(cpLink, { address: ADDRESS, timeoutMs: 30, retries: 1, quietMs: 20 });
    try {
      expect(await cp.poll()).toBeNull();
    } finally {
      clearInterval(chatter);
      cp.close();
    }
    expect(cp.stats.discarded).toBeGreaterThan(0);
  });
});

describe("mayAnswer (§6, §7)", () => {
  const commands = [C.CMD_POLL, C.CMD_ID, C.CMD_CAP, C.CMD_LSTAT, C.CMD_OUT, C.CMD_LED, C.CMD_COMSET, C.CMD_KEYSET, C.CMD_CHLNG, C.CMD_SCRYPT, C.CMD_FILETRANSFER, C.CMD_MFG];
  it("osdp_ACK, osdp_NAK and osdp_BUSY answer every command", () => {
    for (const c of commands) for (const r of [C.REPLY_ACK, C.REPLY_NAK, C.REPLY_BUSY]) expect(mayAnswer(c, r)).toBe(true);
  });
  it("a solicited reply answers only the command that asks for it", () => {
    const pairs: [number, number][] = [[C.CMD_ID, C.REPLY_PDID], [C.CMD_CAP, C.REPLY_PDCAP], [C.CMD_COMSET, C.REPLY_COM],
      [C.CMD_CHLNG, C.REPLY_CCRYPT], [C.CMD_SCRYPT, C.REPLY_RMAC_I], [C.CMD_FILETRANSFER, C.REPLY_FTSTAT]];
    for (const [cmd, reply] of pairs) {
      for (const c of commands) expect(mayAnswer(c, reply), `0x${reply.toString(16)} to 0x${c.toString(16)}`).toBe(c === cmd);
    }
  });
  it("osdp_POLL takes the PD's reports, osdp_LSTAT and osdp_MFG their own replies", () => {
    for (const r of [C.REPLY_RAW, C.REPLY_KEYPAD, C.REPLY_LSTATR, C.REPLY_MFGREP]) expect(mayAnswer(C.CMD_POLL, r)).toBe(true);
    expect(mayAnswer(C.CMD_LSTAT, C.REPLY_LSTATR)).toBe(true);
    expect(mayAnswer(C.CMD_LSTAT, C.REPLY_RAW)).toBe(false);
    expect(mayAnswer(C.CMD_MFG, C.REPLY_MFGREP)).toBe(true);
    expect(mayAnswer(C.CMD_LED, C.REPLY_MFGREP)).toBe(false);
  });
});
