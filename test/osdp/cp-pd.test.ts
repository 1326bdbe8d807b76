// Control panel (simulator/osdp/cp.ts) ⇄ peripheral device (firmware/services/osdp/pd.ts) in
// process: plain and secure exchanges, handshake failures, KEYSET, sequence-number rules, and a
// noisy link on which no corrupted, dropped or duplicated byte ever yields a wrong accepted reply.
import { describe, it, expect } from "vitest";
import { Rng } from "../support/rng.ts";
import { OsdpControlPanel, OsdpError, type ControlPanelOptions } from "../../simulator/osdp/cp.ts";
import { linkPair, type Noise } from "./link.ts";
import { startMemoryPd, TEST_VENDOR } from "./memory-pd.ts";
import { nodeBlockCipher } from "./aes.ts";
import { OsdpPacket, encodePacket, decodePacket } from "../../protocol/osdp/packet.ts";
import { OsdpRawCard, FT_STATUS_PROCESSED, FT_STATUS_UNRECOGNISED } from "../../protocol/osdp/replies.ts";
import * as C from "../../protocol/osdp/codes.ts";
import * as E from "../../protocol/osdp/errors.ts";

const SCBK = Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i);

function setup(opts: Partial<ControlPanelOptions> = {}, pdScbk = SCBK, noise?: [Noise, Noise]) {
  const [cpLink, pdLink] = linkPair(noise?.[0], noise?.[1]);
  const wire: Uint8Array[] = [];
  pdLink.onData((b) => wire.push(b));
  const { pd, handler } = startMemoryPd(pdLink, 5, pdScbk);
  const cp = new OsdpControlPanel(cpLink, { address: 5, cipher: nodeBlockCipher(), scbk: SCBK, timeoutMs: 50, ...opts });
  return { cp, pd, handler, wire };
}

async function rejection(p: Promise<unknown>): Promise<OsdpError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof OsdpError) return e;
    throw e;
  }
  throw new Error("expected the exchange to fail");
}

describe("OSDP CP ⇄ PD, plain", () => {
  it("ID, CAP, LSTAT, POLL (idle and card), MFG reply/ACK/NAK, unknown command", async () => {
    const { cp, handler } = setup();
    const id = await cp.id();
    expect([id.vendor, id.model, id.serial, id.fwMinor]).toEqual([0x5c2601, 7, 0xdeadbeef, 4]);
    const cap = await cp.capabilities();
    expect(cap.count).toBe(2);
    expect(cap.entries[1].functionCode).toBe(9);
    handler.tamper = 1;
    expect((await cp.localStatus()).tamper).toBe(1);
    expect(await cp.poll()).toBeNull();
    handler.cards.push(Uint8Array.of(0x12, 0x34, 0x56));
    const card = await cp.poll();
    expect(card).toBeInstanceOf(OsdpRawCard);
    expect(Array.from((card as OsdpRawCard).data.subarray(0, 3))).toEqual([0x12, 0x34, 0x56]);
    const rep = await cp.mfg(TEST_VENDOR, Uint8Array.of(1, 2, 3));
    expect(Array.from(rep!.data.subarray(0, rep!.dataLen))).toEqual([3, 2, 1]);
    expect(await cp.mfg(TEST_VENDOR, new Uint8Array(0))).toBeNull();
    const nak = await rejection(cp.mfg(0x123456, Uint8Array.of(1)));
    expect([nak.code, nak.nakReason]).toEqual([E.ERR_OSDP_NAK, C.NAK_UNABLE]);
    const unknown = await rejection(cp.command(C.CMD_ISTAT));
    expect(unknown.nakReason).toBe(C.NAK_UNKNOWN_COMMAND);
    const short = await rejection(cp.command(C.CMD_ID));
    expect(short.nakReason).toBe(C.NAK_BAD_LENGTH);
    cp.close();
  });

  it("COMSET answers osdp_COM at the old address, then the PD moves", async () => {
    const { cp, pd } = setup();
    const com = await cp.comSet(9, 38400);
    expect([com.address, com.baud]).toEqual([9, 38400]);
    expect(pd.address).toBe(9);
    const timeout = await rejection(cp.id());
    expect(timeout.code).toBe(E.ERR_OSDP_TIMEOUT);
    cp.close();
  });
});

describe("OSDP CP ⇄ PD, file transfer (§6.21)", () => {
  for (const secure of [false, true]) {
    it(`${secure ? "secure" : "plain"}: 3,000 bytes in fragments capped by FtUpdateMsgMax, then keep-alives until processed`, async () => {
      const { cp, handler } = setup();
      if (secure) await cp.establishSecureChannel();
      handler.fileMsgMax = 200;
      handler.finishingPolls = 2;
      const file = Uint8Array.from({ length: 3000 }, (_, i) => (i * 13 + 7) & 0xff);
      const progress: number[] = [];
      const st = await cp.fileTransfer(1, file, { fragmentSize: 512, onProgress: (n) => progress.push(n) });
      expect(st.status).toBe(FT_STATUS_PROCESSED);
      expect(Buffer.compare(handler.file, file)).toBe(0);
      const fragments = handler.log.filter((l) => l.startsWith("file"));
      // First fragment 512 bytes (before the PD's limit is known), then 200-byte ones, then 2 empty keep-alives.
      expect(fragments[0]).toBe("file 0 512");
      expect(fragments[1]).toBe("file 512 200");
      expect(fragments.slice(-3)).toEqual(["file 2912 88", "file 3000 0", "file 3000 0"]);
      expect(progress.at(-1)).toBe(3000);
      cp.close();
    });
  }

  it("a negative FtStatusDetail rejects the transfer", async () => {
    const { cp, handler } = setup();
    handler.fileRefusal = FT_STATUS_UNRECOGNISED;
    await expect(cp.fileTransfer(9, new Uint8Array(10))).rejects.toThrow(/FtStatusDetail -2/);
    cp.close();
  });
});

describe("OSDP CP ⇄ PD, secure channel", () => {
  it("handshake with the SCBK, then MAC'd and encrypted traffic that hides the payload", async () => {
    const { cp, pd, wire } = setup();
    await cp.establishSecureChannel();
    expect(cp.isSecure()).toBe(true);
    expect(pd.secure()).toBe(true);
    wire.length = 0;
    const secret = Uint8Array.from({ length: 40 }, (_, i) => 0x41 + (i % 26));
    const rep = await cp.mfg(TEST_VENDOR, secret);
    expect(Array.from(rep!.data.subarray(0, rep!.dataLen))).toEqual(Array.from(secret).reverse());
    const sent = Buffer.concat(wire);
    expect(sent.includes(Buffer.from(secret.subarray(0, 8)))).toBe(false);
    const p = new OsdpPacket();
    expect(decodePacket(sent, 0, sent.length, p)).toBe(sent.length);
    expect(p.scbType).toBe(C.SCS_17);
    expect((await cp.id()).serial).toBe(0xdeadbeef);
    cp.close();
  });

  it("secureRequired: only POLL/ID/CAP in clear, and a clear POLL never reveals a card", async () => {
    const { cp, pd, handler } = setup();
    pd.secureRequired = true;
    handler.cards.push(Uint8Array.of(0xca, 0xfe));
    expect(await cp.poll()).toBeNull();
    expect((await cp.id()).serial).toBe(0xdeadbeef);
    expect((await rejection(cp.localStatus())).nakReason).toBe(C.NAK_ENCRYPTION_REQUIRED);
    await cp.establishSecureChannel();
    const card = await cp.poll();
    expect(Array.from((card as OsdpRawCard).data.subarray(0, 2))).toEqual([0xca, 0xfe]);
    cp.close();
  });

  it("a wrong SCBK fails with ERR_OSDP_BAD_CRYPTOGRAM and no session", async () => {
    const { cp, pd } = setup({}, new Uint8Array(16).fill(7));
    expect((await rejection(cp.establishSecureChannel())).code).toBe(E.ERR_OSDP_BAD_CRYPTOGRAM);
    expect(cp.isSecure()).toBe(false);
    expect(pd.secure()).toBe(false);
    cp.close();
  });

  it("SCBK-D only when the PD enables install mode", async () => {
    const off = setup({ useScbkD: true });
    const refused = await rejection(off.cp.establishSecureChannel());
    expect([refused.code, refused.nakReason]).toEqual([E.ERR_OSDP_NAK, C.NAK_BAD_SCB]);
    off.cp.close();
    const on = setup({ useScbkD: true });
    on.pd.scbkDEnabled = true;
    await on.cp.establishSecureChannel();
    expect(on.pd.secure()).toBe(true);
    on.cp.close();
  });

  it("KEYSET installs a new SCBK that the next session uses; refused outside a session", async () => {
    const { cp, pd, handler } = setup();
    const fresh = Uint8Array.from({ length: 16 }, (_, i) => 0x10 * (i % 16));
    expect((await rejection(cp.keySet(fresh))).code).toBe(E.ERR_OSDP_SECURE_REQUIRED);
    await cp.establishSecureChannel();
    await cp.keySet(fresh);
    expect(Array.from(handler.storedScbk!)).toEqual(Array.from(fresh));
    expect(Array.from(pd.scbk)).toEqual(Array.from(fresh));
    await expect(cp.establishSecureChannel()).rejects.toThrow(/cryptogram/);
    cp.close();
  });

  it("a plain command inside a session is refused with NAK 0x06 and does not disturb the session", async () => {
    const { cp, pd, handler } = setup();
    await cp.establishSecureChannel();
    // An attacker's plain osdp_ID with the next SQN (the handshake used 0 and 1), straight into the PD.
    const h = new OsdpPacket();
    h.address = 5; h.sqn = 2; h.code = C.CMD_ID;
    const out = new Uint8Array(32);
    const n = encodePacket(h, Uint8Array.of(0), 0, 1, out, 0, 32);
    const replies: Uint8Array[] = [];
    // Put back on the same object below, so `this` is the handler again.
    // eslint-disable-next-line @typescript-eslint/unbound-method
    const original = handler.transmit;
    handler.transmit = (b: Uint8Array, o: number, l: number): void => { replies.push(b.slice(o, o + l)); };
    pd.receive(out, 0, n);
    handler.transmit = original;
    const p = new OsdpPacket();
    expect(decodePacket(replies[0], 0, replies[0].length, p)).toBe(replies[0].length);
    expect([p.code, replies[0][p.dataOff]]).toEqual([C.REPLY_NAK, C.NAK_ENCRYPTION_REQUIRED]);
    expect(pd.lastError).toBe(E.ERR_OSDP_SECURE_REQUIRED);
    // The real ACU carries on with the same SQN the attacker used.
    expect((await cp.id()).serial).toBe(0xdeadbeef);
    expect(pd.secure()).toBe(true);
    cp.close();
  });
});

describe("OSDP PD sequence numbers (§5.5)", () => {
  function rawPd() {
    const sent: Uint8Array[] = [];
    const link = { write: (b: Uint8Array) => { sent.push(Uint8Array.from(b)); }, onData: () => () => {} };
    const { pd, handler } = startMemoryPd(link, 5, SCBK);
    const command = (sqn: number, code: number, data: number[]): void => {
      const h = new OsdpPacket();
      h.address = 5; h.sqn = sqn; h.code = code;
      const out = new Uint8Array(64);
      const n = encodePacket(h, Uint8Array.from(data), 0, data.length, out, 0, 64);
      pd.receive(out, 0, n);
    };
    return { pd, handler, sent, command };
  }

  it("repeats the previous reply byte for byte on a repeated SQN, without re-running the command", () => {
    const { handler, sent, command, pd } = rawPd();
    command(0, C.CMD_POLL, []);
    command(1, C.CMD_MFG, [0x0c, 0x0b, 0x0a, 9, 8]);
    command(1, C.CMD_MFG, [0x0c, 0x0b, 0x0a, 9, 8]);
    expect(sent.length).toBe(3);
    expect(Buffer.compare(sent[1], sent[2])).toBe(0);
    expect(handler.log.filter((l) => l.startsWith("mfg")).length).toBe(1);
    expect(pd.repeats).toBe(1);
  });

  it("NAKs an out-of-order SQN with reason 0x04, and SQN 0 restarts", () => {
    const { sent, command, pd } = rawPd();
    command(0, C.CMD_POLL, []);
    command(1, C.CMD_POLL, []);
    command(3, C.CMD_POLL, []);
    const p = new OsdpPacket();
    const last = sent[2];
    expect(decodePacket(last, 0, last.length, p)).toBe(last.length);
    expect([p.code, last[p.dataOff]]).toEqual([C.REPLY_NAK, C.NAK_BAD_SEQUENCE]);
    expect(pd.lastError).toBe(E.ERR_OSDP_BAD_SEQUENCE);
    command(0, C.CMD_POLL, []);
    const again = sent[3];
    expect(decodePacket(again, 0, again.length, p)).toBe(again.length);
    expect(p.code).toBe(C.REPLY_ACK);
  });

  it("answers a command code OSDP does not define with NAK 0x03", () => {
    const { sent, command, pd } = rawPd();
    command(0, 0x63, [1, 2]);
    const p = new OsdpPacket();
    expect(decodePacket(sent[0], 0, sent[0].length, p)).toBe(sent[0].length);
    expect([p.code, sent[0][p.dataOff], p.sqn]).toEqual([C.REPLY_NAK, C.NAK_UNKNOWN_COMMAND, 0]);
    expect(pd.lastError).toBe(E.ERR_OSDP_UNKNOWN_COMMAND);
    expect(pd.framingErrors).toBe(0);
  });

  it("refuses a forged SCRYPT with NAK 0x05 and no session", () => {
    const { sent, command, pd } = rawPd();
    command(0, C.CMD_POLL, []);
    const h = new OsdpPacket();
    const out = new Uint8Array(64);
    h.address = 5; h.sqn = 1; h.code = C.CMD_CHLNG; h.scbType = C.SCS_11; h.scbData = 1;
    pd.receive(out, 0, encodePacket(h, Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8), 0, 8, out, 0, 64));
    h.sqn = 2; h.code = C.CMD_SCRYPT; h.scbType = C.SCS_13;
    pd.receive(out, 0, encodePacket(h, new Uint8Array(16).fill(9), 0, 16, out, 0, 64));
    const p = new OsdpPacket();
    const last = sent[sent.length - 1];
    expect(decodePacket(last, 0, last.length, p)).toBe(last.length);
    expect([p.code, last[p.dataOff]]).toEqual([C.REPLY_NAK, C.NAK_BAD_SCB]);
    expect(pd.lastError).toBe(E.ERR_OSDP_BAD_CRYPTOGRAM);
    expect(pd.secure()).toBe(false);
  });

  it("ignores packets for other addresses and replies (no answer at all)", () => {
    const { sent, pd } = rawPd();
    const h = new OsdpPacket();
    h.address = 6; h.code = C.CMD_POLL;
    const out = new Uint8Array(16);
    pd.receive(out, 0, encodePacket(h, out, 0, 0, out, 0, 16));
    h.address = 5; h.isReply = true; h.code = C.REPLY_ACK;
    pd.receive(out, 0, encodePacket(h, out, 0, 0, out, 0, 16));
    expect(sent.length).toBe(0);
    expect(pd.lastError).toBe(E.ERR_OSDP_WRONG_ADDRESS);
  });
});

describe("OSDP CP ⇄ PD over a noisy link", () => {
  for (const secure of [false, true]) {
    it(`${secure ? "secure" : "plain"}: 100 MFG exchanges; every accepted reply is the right one; link recovers`, async () => {
      const rng = new Rng(secure ? 0x5ec : 0x91a);
      const noise = (): Noise => ({ rng, flip: 0.003, drop: 0.003, duplicate: 0.003 });
      const { cp, handler } = setup({ timeoutMs: 20, retries: 3 }, SCBK, [noise(), noise()]);
      let ok = 0, failed = 0;
      for (let i = 0; i < 100; i++) {
        try {
          if (secure && !cp.isSecure()) await cp.establishSecureChannel();
          const data = rng.bytes(rng.int(1, 60));
          const rep = await cp.mfg(TEST_VENDOR, data);
          expect(Array.from(rep!.data.subarray(0, rep!.dataLen))).toEqual(Array.from(data).reverse());
          ok++;
        } catch (e) {
          if (!(e instanceof OsdpError)) throw e;
          expect([E.ERR_OSDP_TIMEOUT, E.ERR_OSDP_NAK, E.ERR_OSDP_BAD_CRYPTOGRAM]).toContain(e.code);
          failed++;
        }
      }
      const executed = handler.log.filter((l) => l.startsWith("mfg")).length;
      expect(ok).toBeGreaterThan(60);
      expect(executed).toBeGreaterThanOrEqual(ok);
      expect(cp.stats.retries).toBeGreaterThan(0);
      expect(cp.stats.framingErrors).toBeGreaterThan(0);
      expect(ok + failed).toBe(100);
      cp.close();
    });
  }
});
