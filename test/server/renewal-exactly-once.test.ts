import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStore, type Store } from "../../simulator/server/db/store.ts";
import { runRenewal, type RenewalEnv } from "../../simulator/server/renewal.ts";
import type { Transmit } from "../../simulator/server/card-channel.ts";
import { Card } from "../../simulator/card/card.ts";
import { PowerCut } from "../../simulator/card/eeprom.ts";
import { EVENT_OPENED } from "../../protocol/card/records.ts";
import { seedWorld } from "./fixture.ts";
import { newCard, direct, lockboxWrites, readBack, nextChallenge, type TestRecord } from "./cards.ts";

const T0 = Date.UTC(2026, 2, 10, 15, 0, 0) / 1000;
const A = 0x00bc614e;
const RECORDS: TestRecord[] = [
  ...Array.from({ length: 7 }, (_, i) => ({ file: 1, lockboxId: 0x100, sequence: i + 1, utc: T0 + i, eventType: EVENT_OPENED, cardSerial: A })),
  ...Array.from({ length: 3 }, (_, i) => ({ file: 2, lockboxId: 0x200, sequence: i + 40, utc: T0 - i, eventType: EVENT_OPENED, cardSerial: 0x99 })),
];
const dir = mkdtempSync(join(tmpdir(), "lockbox-once-"));
const basePath = join(dir, "base.db");
let baseCard: Card;
let clock = T0 + 3600;
const env: RenewalEnv = { now: () => clock, randomBytes: nextChallenge };

class HostKilled extends Error {}

beforeAll(async () => {
  const store = await openStore(basePath);
  seedWorld(store.db, { renewalDays: 7 });
  baseCard = newCard(store.db, "M1", A, T0);
  await lockboxWrites(store.db, baseCard, A, RECORDS);
  store.db.pragma("wal_checkpoint(TRUNCATE)");
  store.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let copies = 0;
/** A fresh copy of the prepared world: the store file and the card, before any renewal. */
async function fresh(): Promise<{ path: string; card: Card }> {
  const path = join(dir, `run-${++copies}.db`);
  copyFileSync(basePath, path);
  const card = new Card({ ...baseCard.sealed(), eeprom: baseCard.eeprom.bytes.slice() }, { random: nextChallenge });
  card.powerOn();
  return { path, card };
}

/** After the interrupted run: restart the server (reopen the file), re-insert the card, renew, check. */
async function rerunAndCheck(path: string, card: Card): Promise<void> {
  card.powerOn();
  const store: Store = await openStore(path);
  try {
    clock += 60;
    const out = await runRenewal(store.db, env, direct(card));
    const rows = store.db.prepare("SELECT lockbox_id, lockbox_seq, COUNT(*) AS n FROM access_events GROUP BY lockbox_id, lockbox_seq ORDER BY 1, 2").all() as { lockbox_seq: number; n: number }[];
    expect(rows.map((r) => r.lockbox_seq)).toEqual(RECORDS.map((r) => r.sequence));
    expect(rows.every((r) => r.n === 1)).toBe(true);
    const view = await readBack(store.db, card, A);
    for (let f = 0; f < 4; f++) expect(view.cursor.first[f]).toBe(view.cursor.next[f]);
    expect(view.authorization.expiry).toBe(Date.parse(out.expiresAt) / 1000);
    const dbCard = store.db.prepare("SELECT expires_at, issue_counter FROM cards").get() as { expires_at: string; issue_counter: number };
    expect(dbCard).toEqual({ expires_at: out.expiresAt, issue_counter: view.authorization.issueCounter });
    const stored = store.db.prepare("SELECT SUM(records_new) AS n FROM uploads").get() as { n: number };
    expect(stored.n).toBe(RECORDS.length);
  } finally {
    store.close();
  }
}

describe("exactly once: interrupt the renewal at every step, run it again", () => {
  let apdus = 0;
  let eepromWrites = 0;

  it("measures a clean renewal", async () => {
    const { path, card } = await fresh();
    const store = await openStore(path);
    const w = card.eeprom.writes;
    await runRenewal(store.db, env, async (a) => (apdus++, card.transmitApdu(a)));
    eepromWrites = card.eeprom.writes - w;
    store.close();
    console.log(`clean renewal of ${RECORDS.length} records: ${apdus} APDUs, ${eepromWrites} EEPROM page writes (each is a cut point below)`);
    expect(apdus).toBeGreaterThan(12);
    expect(eepromWrites).toBeGreaterThan(3);
  });

  it("card pulled before the k-th APDU reaches it, for every k", async () => {
    for (let k = 1; k <= apdus; k++) {
      const { path, card } = await fresh();
      const store = await openStore(path);
      let n = 0;
      const pulled: Transmit = async (a) => {
        if (++n === k) throw new HostKilled(`card pulled before APDU ${k}`);
        return card.transmitApdu(a);
      };
      await expect(runRenewal(store.db, env, pulled)).rejects.toBeInstanceOf(HostKilled);
      store.close();
      await rerunAndCheck(path, card);
    }
  });

  it("serial cut or host killed after the card executed the k-th APDU (answer lost), for every k", async () => {
    for (let k = 1; k <= apdus; k++) {
      const { path, card } = await fresh();
      const store = await openStore(path);
      let n = 0;
      // The card executed the command and committed; the host never hears the answer.
      const losing: Transmit = async (a) => {
        const resp = card.transmitApdu(a);
        if (++n === k) throw new HostKilled(`answer to APDU ${k} lost`);
        return resp;
      };
      await expect(runRenewal(store.db, env, losing)).rejects.toBeInstanceOf(HostKilled);
      store.close();
      await rerunAndCheck(path, card);
    }
  });

  it("power cut before every EEPROM write of the renewal", async () => {
    for (let k = 1; k <= eepromWrites; k++) {
      const { path, card } = await fresh();
      const store = await openStore(path);
      card.eeprom.cutPowerBeforeWrite(k);
      await expect(runRenewal(store.db, env, direct(card))).rejects.toBeInstanceOf(PowerCut);
      store.close();
      await rerunAndCheck(path, card);
    }
  });
});
