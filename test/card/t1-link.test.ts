// The card over ISO 7816-3 T=1: the reader-side master (firmware/services/t1/master.ts) drives the
// emulated card's T=1 side over an in-process line. On a noisy line corrupted blocks lead to
// R-blocks and retransmission, and the card never receives an APDU the host did not send.
import { describe, it, expect } from "vitest";
import { T1Master } from "../../firmware/services/t1/master.ts";
import { LoopbackCardPort, type LineNoise } from "../../simulator/card/t1-port.ts";
import { CardClient, cardKeys } from "../../simulator/card/client.ts";
import * as C from "../../protocol/card/commands.ts";
import { OK } from "../../protocol/errors.ts";
import { Rng } from "../support/rng.ts";
import { denylistSize } from "../../protocol/card/denylist.ts";
import { newCard, record, CARD_AUTH_MASTER, SERVER_MASTER, ASSOCIATION, SERIAL, PIN } from "./fixture.ts";

const CLOCK = 3_571_200;

/** A card behind a T=1 master; records what the host sent and what the card's applet received. */
function link(noise: LineNoise | null, seed = 7) {
  const received: string[] = [];
  const card = newCard({}, seed, { t1: { clockHz: CLOCK }, trace: (apdu) => received.push(Buffer.from(apdu).toString("hex")) });
  const port = new LoopbackCardPort(card.t1(), noise);
  const master = new T1Master(port, CLOCK, 1_000_000);
  const sent: string[] = [];
  const client = new CardClient((apdu) => {
    sent.push(Buffer.from(apdu).toString("hex"));
    const resp = new Uint8Array(300);
    const n = master.transceive(apdu, 0, apdu.length, resp, 0, resp.length);
    if (n < 0) throw new Error(`T=1 link failed: ${n}`);
    return resp.slice(0, n);
  });
  return { card, port, master, client, sent, received };
}

/** Lockbox insert: mutual authentication, identity, PIN, one access record. */
function visit(client: CardClient, seq: number): void {
  client.select();
  client.authenticate(C.PARTY_LOCKBOX, cardKeys(C.PARTY_LOCKBOX, CARD_AUTH_MASTER, ASSOCIATION, SERIAL));
  expect(client.readObject(C.OBJ_IDENTITY).length).toBe(52);
  expect(client.verifyPin(PIN)).toBe(0x9000);
  client.expectOk(C.INS_APPEND_RECORDS, 0, C.FILE_ACCESS, record(99, seq));
}

describe("card over T=1", () => {
  it("clean line: PPS to TA1, a full lockbox visit, every APDU delivered as sent", () => {
    const l = link(null);
    expect(l.master.connect()).toBe(OK);
    expect(l.master.fidi).toBe(0x96);
    visit(l.client, 1);
    expect(l.received).toEqual(l.sent);
    expect(l.master.stats.errors).toBe(0);
  });

  it("noisy line (seed 0x7e1, 40 lockbox visits): R-blocks and retransmissions, never a wrong APDU", () => {
    const rng = new Rng(0x7e1);
    let corrupted = 0;
    const noise: LineNoise = (burst) => {
      if (burst.length === 0 || rng.int(0, 99) >= 12) return burst;
      corrupted++;
      const out = burst.slice();
      if (rng.int(0, 4) === 0) return out.subarray(0, rng.int(0, out.length - 1));
      out[rng.int(0, out.length - 1)] ^= 1 << rng.int(0, 7);
      return out;
    };
    const l = link(noise);
    expect(l.master.connect()).toBe(OK);
    for (let i = 0; i < 40; i++) visit(l.client, i + 1);
    expect(corrupted).toBeGreaterThan(20);
    expect(l.master.stats.errors).toBeGreaterThan(0);
    // After a RESYNCH the reader sends its last I-block again (ISO 7816-3 §11.6.3.2), so the card may
    // run a command twice; a repeated wrapped command would fail its C-MAC. Nothing else may differ.
    const deduplicated = l.received.filter((a, i) => i === 0 || a !== l.received[i - 1]);
    expect(deduplicated).toEqual(l.sent);
    expect(l.received.length - deduplicated.length).toBeLessThanOrEqual(l.master.stats.resynchs);
    expect(l.client.session.open).toBe(true);
  });

  it("long EEPROM work (a 128-entry denylist commit) asks for WTX when BWT is short (BWI 0), at 9600 bit/s", () => {
    const card = newCard({}, 7, { t1: { clockHz: CLOCK, bwi: 0 } });
    const slow = new T1Master(new LoopbackCardPort(card.t1(), null), CLOCK, 9600);
    expect(slow.connect()).toBe(OK);
    expect(slow.bitRate()).toBe(9600);
    const client = new CardClient((apdu) => {
      const resp = new Uint8Array(300);
      const n = slow.transceive(apdu, 0, apdu.length, resp, 0, resp.length);
      if (n < 0) throw new Error(`T=1 link failed: ${n}`);
      return resp.slice(0, n);
    });
    client.authenticate(C.PARTY_SERVER, cardKeys(C.PARTY_SERVER, SERVER_MASTER, ASSOCIATION, SERIAL));
    const list = new Uint8Array(denylistSize(128));
    new DataView(list.buffer).setUint32(0, 3);
    new DataView(list.buffer).setUint16(4, 128);
    for (let i = 0; i < 128; i++) new DataView(list.buffer).setUint32(6 + 8 * i, i + 1);
    expect(client.updateDenylist(list)).toBe(0x9000);
    expect(card.t1().wtxSent).toBeGreaterThan(0);
    expect(Buffer.from(client.readObject(C.OBJ_DENYLIST)).equals(Buffer.from(list))).toBe(true);
  });
});
