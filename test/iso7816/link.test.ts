// The T=1 link engines end to end: the reader-side master (firmware/services/t1/master.ts) against
// the card side (simulator/card/t1.ts) over an in-process port, clean and noisy.
import { describe, it, expect } from "vitest";
import { T1Master } from "../../firmware/services/t1/master.ts";
import { CardT1, type CardT1Options } from "../../simulator/card/t1.ts";
import { LoopbackCardPort, type LineNoise } from "../../simulator/card/t1-port.ts";
import { OK } from "../../protocol/errors.ts";
import { ERR_LINK_FAILED, ERR_LINK_RESPONSE_TOO_LONG, ERR_LINK_NOT_CONNECTED } from "../../protocol/iso7816/errors.ts";
import { Rng } from "../support/rng.ts";

const CLOCK = 4_000_000;

/** Test applet: answers with `ne` bytes derived from the command (or the command reversed) + 9000. */
function applet(apdu: Uint8Array): Uint8Array {
  const want = (apdu[2] << 8) | apdu[3];
  const out = new Uint8Array(want + 2);
  for (let i = 0; i < want; i++) out[i] = (apdu[i % apdu.length] + i) & 0xff;
  out[want] = 0x90;
  return out;
}

function expected(apdu: Uint8Array): Uint8Array {
  return applet(apdu);
}

function command(rng: Rng, dataLen: number, respLen: number): Uint8Array {
  const apdu = new Uint8Array(4 + dataLen);
  apdu[0] = 0x80;
  apdu[1] = rng.int(0, 255);
  apdu[2] = respLen >> 8;
  apdu[3] = respLen & 0xff;
  apdu.set(rng.bytes(dataLen), 4);
  return apdu;
}

function setup(opts: Partial<CardT1Options> = {}, noise: LineNoise | null = null, maxRate = 1_000_000) {
  const delivered: Uint8Array[] = [];
  const card = new CardT1({ handler: (apdu) => (delivered.push(apdu.slice()), applet(apdu)), ...opts });
  const port = new LoopbackCardPort(card, noise);
  const master = new T1Master(port, CLOCK, maxRate);
  return { card, port, master, delivered };
}

function transceive(master: T1Master, apdu: Uint8Array, cap = 70_000): Uint8Array | number {
  const resp = new Uint8Array(cap);
  const r = master.transceive(apdu, 0, apdu.length, resp, 0, cap);
  return r < 0 ? r : resp.slice(0, r);
}

describe("T=1 master ⇄ card", () => {
  it("connects: PPS to the card's TA1 (F 512, D 32 = 250 kbit/s at 4 MHz), IFSD 254, IFSC from the ATR", () => {
    const { master, card, port } = setup({ ifsc: 200 });
    expect(master.transceive(new Uint8Array(4), 0, 4, new Uint8Array(2), 0, 2)).toBe(ERR_LINK_NOT_CONNECTED);
    expect(master.connect()).toBe(OK);
    expect(master.fidi).toBe(0x96);
    expect(card.fidi).toBe(0x96);
    expect(port.fidi).toBe(0x96);
    expect(master.bitRate()).toBe((CLOCK * 32) / 512);
    expect(master.ifsd).toBe(254);
    expect(master.ifsc).toBe(200);
  });

  it("picks the fastest Di the reader supports when the card's TA1 is faster", () => {
    const { master, card } = setup({ fidi: 0x97 }, null, 300_000);
    expect(master.connect()).toBe(OK);
    expect(master.fidi).toBe(0x96);
    expect(card.fidi).toBe(0x96);
  });

  it("exchanges APDUs with chaining in both directions (IFSC 16, responses up to 1000 bytes)", () => {
    const { master, card, delivered } = setup({ ifsc: 16 });
    expect(master.connect()).toBe(OK);
    const rng = new Rng(0x1234);
    for (let n = 0; n < 60; n++) {
      const apdu = command(rng, rng.int(0, 600), rng.int(0, 1000));
      expect(transceive(master, apdu)).toEqual(expected(apdu));
      expect(delivered.at(-1)).toEqual(apdu);
    }
    expect(card.apdus).toBe(60);
    expect(master.stats.errors).toBe(0);
  });

  it("reports wire time: every byte counted costs 12 ETU at the negotiated rate", () => {
    const { master, port } = setup();
    expect(master.connect()).toBe(OK);
    const apdu = command(new Rng(1), 300, 700);
    const before = port.wireMicros();
    const bytesBefore = master.stats.bytesSent + master.stats.bytesReceived;
    expect(transceive(master, apdu)).toEqual(expected(apdu));
    const bytes = master.stats.bytesSent + master.stats.bytesReceived - bytesBefore;
    // 304-byte command in 2 I-blocks + R ack, 702-byte response in 3 I-blocks + 2 R acks (LRC).
    expect(bytes).toBe(304 + 2 * 4 + 4 + 702 + 3 * 4 + 2 * 4);
    expect(port.wireMicros() - before).toBeCloseTo(bytes * 12 * (512 / 32 / CLOCK) * 1e6, 6);
  });

  it("answers the card's WTX request before a long operation and still gets the response", () => {
    const { master, card } = setup({ processingEtu: (apdu) => (apdu[1] === 0x99 ? 5_000_000 : 0) });
    expect(master.connect()).toBe(OK);
    const apdu = command(new Rng(2), 10, 300);
    apdu[1] = 0x99;
    expect(transceive(master, apdu)).toEqual(expected(apdu));
    expect(card.wtxSent).toBe(1);
    expect(master.stats.wtx).toBe(1);
  });

  it("uses the CRC epilogue when the ATR's TC3 asks for it", () => {
    const { master } = setup({ edc: "crc", ifsc: 32 });
    expect(master.connect()).toBe(OK);
    expect(master.edc).toBe(1);
    const apdu = command(new Rng(3), 100, 500);
    expect(transceive(master, apdu)).toEqual(expected(apdu));
  });

  it("drops a response larger than the caller's buffer and says so", () => {
    const { master } = setup();
    expect(master.connect()).toBe(OK);
    const apdu = command(new Rng(4), 4, 600);
    expect(transceive(master, apdu, 100)).toBe(ERR_LINK_RESPONSE_TOO_LONG);
    const next = command(new Rng(5), 4, 20);
    expect(transceive(master, next)).toEqual(expected(next));
  });
});

/** Line noise: per burst, with probability p, one of: flip a bit, replace a byte, truncate, append garbage, lose it. */
function noisy(rng: Rng, p: number, counts: { hits: number }): LineNoise {
  return (burst) => {
    if (burst.length === 0 || rng.u32() / 2 ** 32 >= p) return burst;
    counts.hits++;
    const out = burst.slice();
    const at = rng.int(0, out.length - 1);
    switch (rng.int(0, 4)) {
      case 0: out[at] ^= 1 << rng.int(0, 7); return out;
      case 1: out[at] = (out[at] + rng.int(1, 255)) & 0xff; return out;
      case 2: return out.slice(0, at);
      case 3: return Uint8Array.from([...out, ...rng.bytes(rng.int(1, 4))]);
      default: return new Uint8Array(0);
    }
  };
}

describe("T=1 over a noisy line", () => {
  for (const [edc, p] of [["lrc", 0.05], ["lrc", 0.2], ["crc", 0.1]] as const) {
    it(`${edc.toUpperCase()}, ${p * 100}% of bursts damaged, WTX on a quarter of the commands: every response is exact or a link failure, no wrong APDU reaches the applet`, () => {
      const rng = new Rng(0x5eed + p * 100);
      const counts = { hits: 0 };
      const { master, delivered, card } = setup({ ifsc: 32, edc, processingEtu: (apdu) => (apdu[1] % 4 === 0 ? 5_000_000 : 0) },
        noisy(rng, p, counts));
      const sent: string[] = [];
      let ok = 0, failed = 0;
      for (let n = 0; n < 150; n++) {
        if (!master.connected && master.connect() !== OK) { failed++; continue; }
        const apdu = command(rng, rng.int(0, 200), rng.int(0, 400));
        sent.push(Buffer.from(apdu).toString("hex"));
        const got = transceive(master, apdu);
        if (typeof got === "number") {
          expect(got).toBe(ERR_LINK_FAILED);
          failed++;
        } else {
          expect(got).toEqual(expected(apdu));
          ok++;
        }
      }
      const sentSet = new Set(sent);
      for (const d of delivered) expect(sentSet.has(Buffer.from(d).toString("hex"))).toBe(true);
      expect(counts.hits).toBeGreaterThan(20);
      expect(card.wtxSent).toBeGreaterThan(20);
      expect(master.stats.errors).toBeGreaterThan(0);
      expect(ok).toBeGreaterThan(p >= 0.2 ? 60 : 120);
      console.log(`noise ${edc} p=${p}: ${counts.hits} damaged bursts, ${ok} exchanges ok, ${failed} link failures, ` +
        `${master.stats.resynchs} RESYNCH since last connect, ${delivered.length - sent.length} commands executed twice after RESYNCH`);
    });
  }
});
