import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type RunningServer } from "../../simulator/server/app.ts";
import { renewOverHttp } from "../../simulator/server/renew-client.ts";
import { ReaderClient } from "../../simulator/server/reader-client.ts";
import { OsdpControlPanel } from "../../simulator/osdp/cp.ts";
import { registerLockbox } from "../../simulator/server/admin.ts";
import { EVENT_OPENED } from "../../protocol/card/records.ts";
import { seedWorld, call } from "../server/fixture.ts";
import { newCard, lockboxWrites, nextChallenge, type TestRecord } from "../server/cards.ts";
import { readerDevice, type SerialNoise } from "./device.ts";

const T0 = Date.UTC(2026, 2, 10, 15, 0, 0) / 1000;
let srv: RunningServer;

beforeAll(async () => {
  srv = await startServer({ db: ":memory:", port: 0, env: { now: () => T0 + 3600, randomBytes: nextChallenge } });
  seedWorld(srv.store.db);
  registerLockbox(srv.store.db, "00000010", "assoc-1", T0);
  srv.store.db.prepare("UPDATE lockboxes SET listing_id = (SELECT id FROM listings WHERE listing_id = 'L1')").run();
});
afterAll(async () => srv.close());

async function renewThroughReader(serial: number, member: string, records: number, noise?: SerialNoise) {
  const card = newCard(srv.store.db, member, serial, T0);
  const recs: TestRecord[] = Array.from({ length: records }, (_, i) => ({ file: 1, lockboxId: 0x10, sequence: serial * 100 + i + 1, utc: T0 + i, eventType: EVENT_OPENED, cardSerial: serial }));
  await lockboxWrites(srv.store.db, card, serial, recs);
  const dev = readerDevice(card, noise);
  const cp = new OsdpControlPanel(dev.link, { address: 0, timeoutMs: 50, retries: 8 });
  const client = new ReaderClient(cp);
  let asked = 0;
  // The card goes in once the host has asked for it (not on a timer, which a loaded machine can outrun).
  await client.waitForCard(5000, () => {
    asked++;
    setTimeout(() => dev.reader.cardInserted(), 30);
  }, 10);
  const st = await client.connect();
  const out = await renewOverHttp(srv.url, client.transmit());
  cp.close();
  return { out, st, asked, cp, dev };
}

describe("lockbox renew path: control panel ⇄ OSDP ⇄ reader (PD + application) ⇄ T=1 ⇄ card, and HTTP to the server", () => {
  it("waits for the card, connects, renews; the accesses are in the listing's access log", async () => {
    const { out, st, asked } = await renewThroughReader(0x21, "M1", 6);
    expect(asked).toBe(1);
    expect(st).toMatchObject({ present: true, connected: true, bitRate: 250000 });
    expect(out).toMatchObject({ serial: "00000021", recordsUploaded: 6, recordsNew: 6 });
    const log = (await call(srv.url, "GET", "/api/access-log?listing=L1")).body.events as { card: string }[];
    expect(log.filter((e) => e.card === "00000021").length).toBe(6);
  });

  it("completes correctly with corrupted, dropped and duplicated bytes on the serial link", async () => {
    const noise = { seed: 0x5eed, corrupt: 0.002, drop: 0.001, duplicate: 0.001 };
    const { out, cp, dev } = await renewThroughReader(0x22, "M2", 20, noise);
    expect(out).toMatchObject({ recordsUploaded: 20, recordsNew: 20 });
    expect(dev.count.corrupted + dev.count.dropped + dev.count.duplicated).toBeGreaterThan(0);
    expect(cp.stats.retries).toBeGreaterThan(0);
    const n = srv.store.db.prepare("SELECT COUNT(*) AS n FROM access_events WHERE card_serial = '00000022'").get() as { n: number };
    expect(n.n).toBe(20);
    console.log(`serial noise: ${JSON.stringify(dev.count)}; control panel ${JSON.stringify(cp.stats)}; PD framing errors ${dev.pd.framingErrors}, repeats ${dev.pd.repeats}`);
  });
});
