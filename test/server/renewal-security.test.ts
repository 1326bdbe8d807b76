import { beforeEach, describe, expect, it } from "vitest";
import type { Database } from "better-sqlite3";
import { openStore, dumpStore } from "../../simulator/server/db/store.ts";
import { runRenewal, type RenewalEnv } from "../../simulator/server/renewal.ts";
import { deactivateCard, reactivateCard } from "../../simulator/server/admin.ts";
import type { Transmit } from "../../simulator/server/card-channel.ts";
import type { Card } from "../../simulator/card/card.ts";
import { EVENT_OPENED } from "../../protocol/card/records.ts";
import { seedWorld } from "./fixture.ts";
import { newCard, direct, lockboxWrites, nextChallenge, type TestRecord } from "./cards.ts";

const T0 = Date.UTC(2026, 2, 10, 15, 0, 0) / 1000;
const A = 0x00bc614e;
const B = 0x00bc614f;
const BOX = 0x0001e240;
let db: Database;
const env: RenewalEnv = { now: () => T0 + 3600, randomBytes: nextChallenge };
const rec = (sequence: number, file = 1, cardSerial = A): TestRecord => ({ file, lockboxId: BOX, sequence, utc: T0 + sequence, eventType: EVENT_OPENED, cardSerial });

beforeEach(async () => {
  db = (await openStore(":memory:")).db;
  seedWorld(db, { renewalDays: 7 });
});

/** Records every APDU/response pair crossing the relay. */
function recording(card: Card, log: { apdu: Uint8Array; resp: Uint8Array }[]): Transmit {
  return async (apdu) => {
    const resp = card.transmitApdu(apdu);
    log.push({ apdu: apdu.slice(), resp: resp.slice() });
    return resp;
  };
}

/** Runs a renewal that must be refused with `code`; proves nothing was stored and nothing written to the card. */
async function refused(card: Card, transmit: Transmit, code: string): Promise<void> {
  const before = dumpStore(db);
  const home = card.home();
  const writes = card.eeprom.writes;
  await expect(runRenewal(db, env, transmit)).rejects.toMatchObject({ code });
  expect(dumpStore(db)).toBe(before);
  expect(card.eeprom.writes).toBe(writes);
  card.powerOn();
  expect(Buffer.from(card.home()).equals(Buffer.from(home))).toBe(true);
}

describe("renewal security: the PC and reader are untrusted", () => {
  it("refuses a record forged without the lockbox's audit key", async () => {
    const card = newCard(db, "M1", A, T0);
    await lockboxWrites(db, card, A, [rec(1)]);
    await lockboxWrites(db, card, A, [rec(2)], new Uint8Array(16).fill(7));
    await refused(card, direct(card), "record-bad-mac");
  });

  it("refuses a record altered in transit (any byte of any READ RECORDS response)", async () => {
    const card = newCard(db, "M1", A, T0);
    await lockboxWrites(db, card, A, [rec(1), rec(2), rec(3)]);
    for (const at of [0, 5, 17, 40]) {
      let reads = 0;
      const tamper: Transmit = async (apdu) => {
        const resp = card.transmitApdu(apdu);
        if ((apdu[1] === 0xb2) && ++reads === 1) resp[at % (resp.length - 2)] ^= 0x01;
        return resp;
      };
      await refused(card, tamper, "card-bad-mac");
    }
  });

  it("refuses responses replayed from an earlier renewal", async () => {
    const card = newCard(db, "M1", A, T0);
    await lockboxWrites(db, card, A, [rec(1)]);
    const log: { apdu: Uint8Array; resp: Uint8Array }[] = [];
    await runRenewal(db, env, recording(card, log));
    await lockboxWrites(db, card, A, [rec(2)]);
    // A PC that replays the old session's card answers instead of asking the card.
    let i = 0;
    const replay: Transmit = async () => log[i++].resp;
    await refused(card, replay, "card-bad-cryptogram");
  });

  it("a replayed renewal (the server's old APDUs sent to the card again) changes nothing on the card", async () => {
    const card = newCard(db, "M1", A, T0);
    await lockboxWrites(db, card, A, [rec(1)]);
    const log: { apdu: Uint8Array; resp: Uint8Array }[] = [];
    await runRenewal(db, env, recording(card, log));
    await lockboxWrites(db, card, A, [rec(2)]);
    const home = card.home();
    const sws = log.map(({ apdu }) => {
      const r = card.transmitApdu(apdu);
      return ((r[r.length - 2] << 8) | r[r.length - 1]).toString(16);
    });
    // SELECT, the public identity and INITIALIZE UPDATE (a fresh card challenge) answer; nothing after.
    expect(sws.slice(0, 3)).toEqual(["9000", "9000", "9000"]);
    expect(sws.slice(3).every((sw) => sw !== "9000")).toBe(true);
    expect(Buffer.from(card.home()).equals(Buffer.from(home))).toBe(true);
  });

  it("another card's receipt or renewal does not apply to this card", async () => {
    const a = newCard(db, "M1", A, T0);
    const b = newCard(db, "M2", B, T0);
    await lockboxWrites(db, a, A, [rec(1)]);
    await lockboxWrites(db, b, B, [rec(2, 1, B)]);
    const logA: { apdu: Uint8Array; resp: Uint8Array }[] = [];
    await runRenewal(db, env, recording(a, logA));
    const receiptOrRenew = logA.filter(({ apdu }) => apdu[0] === 0x84 && (apdu[1] === 0x4a || apdu[1] === 0x40)).map(({ apdu }) => apdu);
    expect(receiptOrRenew.length).toBe(2);
    const before = dumpStore(db);
    const home = b.home();
    // Inject A's wrapped APPLY RECEIPT / RENEW into B's own server session, in place of B's.
    let injected = 0;
    const inject: Transmit = async (apdu) => {
      if (apdu[0] === 0x84 && (apdu[1] === 0x4a || apdu[1] === 0x40)) return b.transmitApdu(receiptOrRenew[injected++ % 2]);
      return b.transmitApdu(apdu);
    };
    await expect(runRenewal(db, env, inject)).rejects.toMatchObject({ code: "card-error" });
    // The upload itself was stored (it is genuine), but the card kept its records and authorization.
    expect(dumpStore(db)).not.toBe(before);
    b.powerOn();
    expect(Buffer.from(b.home()).equals(Buffer.from(home))).toBe(true);
    // Running it again without interference completes, and the record is stored once.
    expect(await runRenewal(db, env, direct(b))).toMatchObject({ recordsUploaded: 1, recordsNew: 0, recordsDuplicate: 1 });
  });

  it("refuses a deactivated card, a lost card and an inactive member before anything is written", async () => {
    const card = newCard(db, "M1", A, T0);
    await lockboxWrites(db, card, A, [rec(1)]);
    const log: { apdu: Uint8Array; resp: Uint8Array }[] = [];
    deactivateCard(db, "00bc614e", false, T0);
    await refused(card, recording(card, log), "card-deactivated");
    expect(log.length).toBe(2); // SELECT + public identity only: no session was even opened
    deactivateCard(db, "00bc614e", true, T0);
    await refused(card, direct(card), "card-lost");
    reactivateCard(db, "00bc614e", T0);
    db.prepare("UPDATE members SET status = 'inactive' WHERE member_key = 'M1'").run();
    await refused(card, direct(card), "member-inactive");
  });

  it("a card deactivated while its records are being read is refused at the store step, nothing stored or written", async () => {
    const card = newCard(db, "M1", A, T0);
    await lockboxWrites(db, card, A, [rec(1), rec(2)]);
    const racing: Transmit = async (apdu) => {
      if (apdu[1] === 0xb2) deactivateCard(db, "00bc614e", false, T0);
      return card.transmitApdu(apdu);
    };
    const home = card.home();
    await expect(runRenewal(db, env, racing)).rejects.toMatchObject({ code: "card-deactivated" });
    expect(db.prepare("SELECT COUNT(*) AS n FROM access_events").get()).toEqual({ n: 0 });
    expect(db.prepare("SELECT COUNT(*) AS n FROM uploads").get()).toEqual({ n: 0 });
    card.powerOn();
    expect(Buffer.from(card.home()).equals(Buffer.from(home))).toBe(true);
  });

  it("records an administrator's reactivation as such at the next renewal", async () => {
    const card = newCard(db, "M1", A, T0);
    deactivateCard(db, "00bc614e", false, T0);
    reactivateCard(db, "00bc614e", T0 + 100);
    expect((await runRenewal(db, env, direct(card))).kind).toBe("reactivation");
    expect((await runRenewal(db, env, direct(card))).kind).toBe("renewal");
    expect(db.prepare("SELECT kind FROM renewals ORDER BY id").all()).toEqual([{ kind: "reactivation" }, { kind: "renewal" }]);
  });

  it("refuses a card this server did not issue, and a card of another association", async () => {
    const card = newCard(db, "M1", A, T0);
    db.prepare("UPDATE associations SET card_id = 999").run();
    await refused(card, direct(card), "unknown-card");
    db.prepare("UPDATE associations SET card_id = 257").run();
    db.prepare("PRAGMA foreign_keys = OFF").run();
    db.prepare("UPDATE cards SET serial = '00000001'").run();
    await refused(card, direct(card), "unknown-card");
  });
});
