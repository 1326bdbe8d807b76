import { beforeEach, describe, expect, it } from "vitest";
import type { Database } from "better-sqlite3";
import { openStore } from "../../simulator/server/db/store.ts";
import { runRenewal } from "../../simulator/server/renewal.ts";
import { EVENT_OPENED } from "../../protocol/card/records.ts";
import { OsdpRawCard, OsdpKeypad } from "../../protocol/osdp/replies.ts";
import { OsdpLed } from "../../protocol/osdp/commands.ts";
import { POLL_IDLE, POLL_CARD } from "../../firmware/services/osdp/handler.ts";
import {
  MFG_CARD_STATUS, MFG_CARD_CONNECT, MFG_CARD_APDU, MFG_CARD_OFF, replyStatus, ERR_READER_BAD_COMMAND, ERR_READER_NO_CARD, ERR_READER_NOT_CONNECTED,
} from "../../protocol/service/reader.ts";
import { LIGHT_GREEN, LIGHT_AMBER } from "../../firmware/reader/reader.ts";
import { Rng } from "../support/rng.ts";
import fc from "fast-check";
import { OsdpVendorData } from "../../protocol/osdp/payload.ts";
import { READER_VENDOR } from "../../protocol/service/reader.ts";
import { seedWorld } from "../server/fixture.ts";
import { newCard, lockboxWrites, nextChallenge, type TestRecord } from "../server/cards.ts";
import { readerWith, mfg, viaReader } from "./slot.ts";

const T0 = Date.UTC(2026, 2, 10, 15, 0, 0) / 1000;
const A = 0x00bc614e;
let db: Database;

beforeEach(async () => {
  db = (await openStore(":memory:")).db;
  seedWorld(db);
});

describe("reader application (portable firmware, run under Node against the card emulator)", () => {
  it("reports insertion with the ATR and removal in answer to POLL, and shows it in the lights", () => {
    const card = newCard(db, "M1", A, T0);
    const { reader, board } = readerWith(card);
    const raw = new OsdpRawCard();
    const keypad = new OsdpKeypad();
    expect(reader.poll(raw, keypad)).toBe(POLL_IDLE);
    reader.cardInserted();
    expect(board.steady & LIGHT_GREEN).toBe(LIGHT_GREEN);
    expect(reader.poll(raw, keypad)).toBe(POLL_CARD);
    const atr = card.t1().reset();
    expect(raw.bitCount).toBe(8 * (1 + atr.length));
    expect(Buffer.from(raw.data.subarray(0, 1 + atr.length)).toString("hex")).toBe("01" + Buffer.from(atr).toString("hex"));
    expect(reader.poll(raw, keypad)).toBe(POLL_IDLE);
    reader.cardRemoved();
    expect(board.steady & LIGHT_GREEN).toBe(0);
    expect(reader.poll(raw, keypad)).toBe(POLL_CARD);
    expect(raw.bitCount).toBe(8);
    expect(raw.data[0]).toBe(0);
  });

  it("answers status, connect, APDU and power-off; refuses bad commands with specific codes", () => {
    const card = newCard(db, "M1", A, T0);
    const { reader, board } = readerWith(card);
    expect(replyStatus(mfg(reader, MFG_CARD_CONNECT), 0)).toBe(ERR_READER_NO_CARD);
    expect(replyStatus(mfg(reader, MFG_CARD_APDU, Uint8Array.of(0, 0xa4, 4, 0)), 0)).toBe(ERR_READER_NO_CARD);
    reader.cardInserted();
    const st = mfg(reader, MFG_CARD_STATUS);
    expect([st[0], replyStatus(st, 0), st[3], st[4]]).toEqual([0x81, 0, 1, 1]);
    expect(new DataView(st.buffer).getUint32(5)).toBe(250000);
    const sel = mfg(reader, MFG_CARD_APDU, Uint8Array.of(0x00, 0xa4, 0x04, 0x00, 0x09, 0xf0, 0x4c, 0x42, 0x58, 0x43, 0x41, 0x52, 0x44, 0x01, 0x00));
    expect(Buffer.from(sel).toString("hex")).toBe("830000" + "9000");
    mfg(reader, MFG_CARD_OFF);
    expect(board.powerOffs).toBe(1);
    expect(replyStatus(mfg(reader, MFG_CARD_APDU, Uint8Array.of(0, 0xa4, 4, 0)), 0)).toBe(ERR_READER_NOT_CONNECTED);
    expect(replyStatus(mfg(reader, MFG_CARD_CONNECT), 0)).toBe(0);
    for (const [sub, body] of [[0x09, []], [MFG_CARD_STATUS, [1]], [MFG_CARD_APDU, [0, 1]], [MFG_CARD_APDU, new Array(262).fill(0)]] as [number, number[]][]) {
      const r = mfg(reader, sub, Uint8Array.from(body));
      expect(replyStatus(r, 0)).toBe(ERR_READER_BAD_COMMAND);
    }
    expect(replyStatus(mfg(reader, MFG_CARD_STATUS, new Uint8Array(0), 0x123456), 0)).toBe(ERR_READER_BAD_COMMAND);
    // The status carries the ATR the card sent at its reset (byte 9 its length, then the bytes).
    const atr = card.t1().reset();
    expect([st[9], st.length]).toEqual([atr.length, 10 + atr.length]);
    expect(Buffer.from(st.subarray(10)).toString("hex")).toBe(Buffer.from(atr).toString("hex"));
  });

  it("answers any MFG command bytes with a well-formed reply and a known status (fuzz)", () => {
    const card = newCard(db, "M1", A, T0);
    const { reader } = readerWith(card);
    reader.cardInserted();
    const known = new Set([0, ERR_READER_BAD_COMMAND, ERR_READER_NO_CARD, ERR_READER_NOT_CONNECTED]);
    fc.assert(
      fc.property(fc.constantFrom(READER_VENDOR, READER_VENDOR, 0x000000, 0xffffff), fc.uint8Array({ maxLength: 300 }), fc.boolean(), (vendor, body, present) => {
        if (present !== reader.present) {
          if (present) reader.cardInserted();
          else reader.cardRemoved();
        }
        const cmd = new OsdpVendorData();
        cmd.vendor = vendor;
        cmd.data.set(body);
        cmd.dataLen = body.length;
        const reply = new OsdpVendorData();
        reader.mfg(cmd, reply);
        expect(reply.vendor).toBe(READER_VENDOR);
        expect(reply.dataLen).toBeGreaterThanOrEqual(3);
        const status = replyStatus(reply.data, 0);
        // APDU statuses may also be ISO 7816 link errors (-60..-99).
        expect(known.has(status) || (status <= -60 && status >= -99)).toBe(true);
        if (vendor === READER_VENDOR && body.length > 0) expect(reply.data[0]).toBe(body[0] | 0x80);
      }),
      { seed: 99, numRuns: 3000 },
    );
  });

  it("takes host light commands (osdp_LED) on top of its own state", () => {
    const card = newCard(db, "M1", A, T0);
    const { reader, board } = readerWith(card);
    const led = new OsdpLed();
    led.count = 1;
    led.records[0].permControl = 1;
    led.records[0].permOnColor = 3;
    led.records[0].permOnTime = 5;
    led.records[0].permOffTime = 5;
    expect(reader.led(led)).toBe(true);
    expect(board.flashing & LIGHT_AMBER).toBe(LIGHT_AMBER);
  });

  it("relays a whole renewal between card and server without understanding it", async () => {
    const card = newCard(db, "M1", A, T0);
    const recs: TestRecord[] = Array.from({ length: 12 }, (_, i) => ({ file: 1, lockboxId: 0x10, sequence: i + 1, utc: T0 + i, eventType: EVENT_OPENED, cardSerial: A }));
    await lockboxWrites(db, card, A, recs);
    const { reader } = readerWith(card);
    reader.cardInserted();
    const out = await runRenewal(db, { now: () => T0 + 60, randomBytes: nextChallenge }, viaReader(reader));
    expect(out).toMatchObject({ recordsUploaded: 12, recordsNew: 12 });
    expect(reader.apdus).toBeGreaterThan(8);
  });

  it("survives noise on the card line: corrupted bursts are retried by T=1, the renewal completes", async () => {
    const card = newCard(db, "M1", A, T0);
    await lockboxWrites(db, card, A, [{ file: 1, lockboxId: 0x10, sequence: 1, utc: T0, eventType: EVENT_OPENED, cardSerial: A }]);
    const rng = new Rng(0x7e57);
    let corrupted = 0;
    let bursts = 0;
    const { reader } = readerWith(card, (burst) => {
      if (burst.length > 0 && ++bursts % 7 === 0) {
        corrupted++;
        const copy = burst.slice();
        copy[rng.int(0, copy.length - 1)] ^= 1 << rng.int(0, 7);
        return copy;
      }
      return burst;
    });
    reader.cardInserted();
    const out = await runRenewal(db, { now: () => T0 + 60, randomBytes: nextChallenge }, viaReader(reader));
    expect(out.recordsNew).toBe(1);
    expect(corrupted).toBeGreaterThan(0);
    expect(reader.t1.stats.errors).toBeGreaterThan(0);
  });
});
