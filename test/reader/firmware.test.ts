import { beforeEach, describe, expect, it } from "vitest";
import { statSync } from "node:fs";
import type { Database } from "better-sqlite3";
import { openStore } from "../../simulator/server/db/store.ts";
import { runRenewal } from "../../simulator/server/renewal.ts";
import { ReaderClient } from "../../simulator/server/reader-client.ts";
import { OsdpControlPanel, type ByteLink } from "../../simulator/osdp/cp.ts";
import { DeviceHost } from "../../simulator/host/host.ts";
import { Flash } from "../../simulator/host/flash.ts";
import { Rtc } from "../../simulator/host/rtc.ts";
import { LoopbackCardPort } from "../../simulator/card/t1-port.ts";
import { EVENT_OPENED } from "../../protocol/card/records.ts";
import type { Card } from "../../simulator/card/card.ts";
import { Rng } from "../support/rng.ts";
import { seedWorld } from "../server/fixture.ts";
import { newCard, lockboxWrites, nextChallenge, type TestRecord } from "../server/cards.ts";

const WASM = "build/reader.wasm";
const T0 = Date.UTC(2026, 2, 10, 15, 0, 0) / 1000;
let db: Database;

beforeEach(async () => {
  db = (await openStore(":memory:")).db;
  seedWorld(db);
});

/** reader.wasm in the simulator host with `card` inserted, linked in memory to a control panel; optional byte noise. */
function firmwareReader(card: Card, rng?: Rng, rate = 0, useScbkD = false) {
  let toHost: ((b: Uint8Array) => void) | null = null;
  const noisy = (b: Uint8Array): Uint8Array => {
    if (!rng) return b;
    const out: number[] = [];
    for (const x of b) {
      const r = rng.u32() / 2 ** 32;
      if (r < rate) continue; // dropped
      if (r < 2 * rate) out.push(x ^ 0x10); // corrupted
      else out.push(x);
      if (r > 1 - rate) out.push(x); // duplicated
    }
    return Uint8Array.from(out);
  };
  const host = new DeviceHost({
    wasm: WASM, flash: new Flash(64 * 1024), rtc: new Rtc(T0), seed: 3,
    onEvent: (e) => {
      if (e.kind !== "uart") return;
      const b = noisy(e.bytes);
      setImmediate(() => toHost?.(b));
    },
  });
  host.insertCard(new LoopbackCardPort(card.t1()));
  host.boot();
  const link: ByteLink = {
    write(bytes) {
      const b = noisy(bytes.slice());
      setImmediate(() => {
        host.uartReceive(b);
        host.advance(25);
      });
    },
    onData(listener) {
      toHost = listener;
      return () => (toHost = null);
    },
  };
  return { host, cp: new OsdpControlPanel(link, { address: 0, timeoutMs: 40, retries: 10, useScbkD }) };
}

async function cardWith(serial: number, member: string, n: number): Promise<Card> {
  const card = newCard(db, member, serial, T0);
  const recs: TestRecord[] = Array.from({ length: n }, (_, i) => ({ file: 1, lockboxId: 0x10, sequence: serial * 100 + i, utc: T0 + i, eventType: EVENT_OPENED, cardSerial: serial }));
  await lockboxWrites(db, card, serial, recs);
  return card;
}

describe("reader firmware (build/reader.wasm) in the simulator host", () => {
  it("fits its 48 KiB budget and one page of memory", () => {
    const card = newCard(db, "M1", 0x41, T0);
    const { host } = firmwareReader(card);
    expect(statSync(WASM).size).toBeLessThanOrEqual(48 * 1024);
    expect(host.memoryBytes()).toBe(65536);
  });

  it("renews through the firmware with noise on the serial link; every record stored once", async () => {
    const card = await cardWith(0x42, "M1", 15);
    const { cp } = firmwareReader(card, new Rng(0xbad5eed), 0.002);
    const reader = new ReaderClient(cp);
    await reader.connect();
    const out = await runRenewal(db, { now: () => T0 + 60, randomBytes: nextChallenge }, reader.transmit());
    expect(out).toMatchObject({ recordsUploaded: 15, recordsNew: 15 });
    expect(cp.stats.retries).toBeGreaterThan(0);
    expect((db.prepare("SELECT COUNT(DISTINCT lockbox_seq) AS n, COUNT(*) AS m FROM access_events").get())).toEqual({ n: 15, m: 15 });
  });

  it("a new reader (SCBK erased) takes the install-mode secure channel; the renewal runs inside it", async () => {
    const card = await cardWith(0x45, "M1", 4);
    const { cp } = firmwareReader(card, undefined, 0, true);
    await cp.establishSecureChannel();
    expect(cp.isSecure()).toBe(true);
    const reader = new ReaderClient(cp);
    await reader.connect();
    const out = await runRenewal(db, { now: () => T0 + 60, randomBytes: nextChallenge }, reader.transmit());
    expect(out).toMatchObject({ recordsUploaded: 4, recordsNew: 4 });
  });

  it("card pulled out of the reader at every step of the renewal: refused with a reader error, re-inserted, renewed, stored once", async () => {
    const card = await cardWith(0x46, "M2", 8);
    const { host, cp } = firmwareReader(card);
    const reader = new ReaderClient(cp);
    const env = { now: () => T0 + 60, randomBytes: nextChallenge };
    for (let k = 1; k <= 14; k += 2) {
      await reader.connect();
      const relay = reader.transmit();
      let n = 0;
      const pulling = async (a: Uint8Array) => {
        if (++n === k) {
          host.removeCard();
          card.powerOff();
        }
        return relay(a);
      };
      await expect(runRenewal(db, env, pulling)).rejects.toMatchObject({ code: -231 });
      card.powerOn();
      host.insertCard(new LoopbackCardPort(card.t1()));
    }
    await reader.connect();
    await runRenewal(db, env, reader.transmit());
    const rows = db.prepare("SELECT COUNT(*) AS n, COUNT(DISTINCT lockbox_seq) AS d FROM access_events").get();
    expect(rows).toEqual({ n: 8, d: 8 });
  });

  it("allocates nothing after the first renewal: memory high-water stays put", async () => {
    const card = await cardWith(0x43, "M2", 3);
    const { host, cp } = firmwareReader(card);
    const reader = new ReaderClient(cp);
    await reader.connect();
    const env = { now: () => T0 + 60, randomBytes: nextChallenge };
    await runRenewal(db, env, reader.transmit());
    const mark = host.memoryHighWater();
    await lockboxWrites(db, card, 0x43, [{ file: 1, lockboxId: 0x10, sequence: 999, utc: T0, eventType: EVENT_OPENED, cardSerial: 0x43 }]);
    await reader.connect();
    await runRenewal(db, env, reader.transmit());
    expect(host.memoryHighWater()).toBe(mark);
  });

  it("never traps on random and mutated bytes on its UART, and still answers afterwards", async () => {
    const card = newCard(db, "M1", 0x44, T0);
    const { host, cp } = firmwareReader(card);
    const reader = new ReaderClient(cp);
    const rng = new Rng(0xf022);
    const valid = Uint8Array.from(Buffer.from("537f0d00046e00802500006e38", "hex"));
    for (let i = 0; i < 3000; i++) {
      host.uartReceive(rng.bool() ? rng.bytes(rng.int(1, 300)) : rng.mutate(valid));
      if (i % 50 === 0) host.advance(25);
    }
    host.advance(100);
    // Let the PD's answers to the garbage drain before the control panel starts (as a CP flushes its input).
    await new Promise((r) => setTimeout(r, 20));
    expect(host.running).toBe(true);
    expect((await reader.status()).present).toBe(true);
  });
});
