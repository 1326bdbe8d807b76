// The card file (protocol/SPEC.md Card §8.3): survives restarts, reveals no field value, refuses a
// modified dump; and the power-up integrity check makes a corrupted EEPROM answer 6581.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { mkdtempSync, rmSync, readFileSync, writeFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as C from "../../protocol/card/commands.ts";
import { Card } from "../../simulator/card/card.ts";
import { issueCard } from "../../simulator/card/issue.ts";
import { CardFileError } from "../../simulator/card/store.ts";
import { cardKeys } from "../../simulator/card/client.ts";
import { params, lockboxClient, serverClient, record, SERIAL, ASSOCIATION, CARD_AUTH_MASTER } from "./fixture.ts";

let dir = "";
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "lockbox-card-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function contains(hay: Uint8Array, needle: Uint8Array): boolean {
  return Buffer.from(hay).indexOf(Buffer.from(needle)) >= 0;
}

describe("card file", () => {
  it("survives a restart: records written by one process are read by the next", () => {
    const path = join(dir, "a.card");
    const card = issueCard(params(), { path });
    card.powerOn();
    lockboxClient(card).expectOk(C.INS_APPEND_RECORDS, 0, C.FILE_ACCESS, record(31, 1));
    const again = Card.load(path);
    again.powerOn();
    const held = serverClient(again).readAllRecords(C.FILE_ACCESS);
    expect(held.length).toBe(1);
    expect(Buffer.from(held[0].subarray(4)).equals(Buffer.from(record(31, 1)))).toBe(true);
  });

  it("a dump reveals no field value: member key, MLS id, serial, PIN block, keys, records", () => {
    const path = join(dir, "b.card");
    const card = issueCard(params(), { path });
    card.powerOn();
    lockboxClient(card).expectOk(C.INS_APPEND_RECORDS, 0, C.FILE_ACCESS, record(31, 1));
    const file = new Uint8Array(readFileSync(path));
    const keys = cardKeys(C.PARTY_LOCKBOX, CARD_AUTH_MASTER, ASSOCIATION, SERIAL);
    const secrets = [
      new TextEncoder().encode("M-100234"), new TextEncoder().encode("AG7781"), Uint8Array.of(0x00, 0xbc, 0x61, 0x4e),
      Uint8Array.of(0x24, 0x25, 0x80, 0xff), keys.enc, keys.mac, record(31, 1).subarray(0, 12),
    ];
    for (const s of secrets) expect(contains(file, s)).toBe(false);
    expect(contains(card.eeprom.bytes, secrets[0])).toBe(true);
  });

  it("a modified dump is refused (every byte position sampled), and so is a non-card file", () => {
    const path = join(dir, "c.card");
    issueCard(params(), { path });
    const file = new Uint8Array(readFileSync(path));
    for (let at = 0; at < file.length; at += 97) {
      const bad = file.slice();
      bad[at] ^= 0x01;
      writeFileSync(path, bad);
      expect(() => Card.load(path), `byte ${at}`).toThrow(CardFileError);
    }
    writeFileSync(path, new TextEncoder().encode("not a card"));
    expect(() => Card.load(path)).toThrow(/not a Lockbox card file/);
  });

  it("the power-up integrity check: a corrupted home image makes the card answer 6581 to everything", () => {
    const card = issueCard(params());
    card.powerOn();
    const at = (28 + 3) * 64 + 5;
    card.eeprom.bytes[at] ^= 0x80;
    card.powerOn();
    expect(card.intact).toBe(false);
    expect(Array.from(card.transmitApdu(Uint8Array.of(0x80, 0xca, 1, 0, 0)))).toEqual([0x65, 0x81]);
    expect(Array.from(card.transmitApdu(Uint8Array.of(0x00, 0xa4, 4, 0, 9, ...C.CARD_AID)))).toEqual([0x65, 0x81]);
  });

  it("is written 0600 whatever the umask (a card file holds the chip's keys and PIN)", () => {
    const old = process.umask(0o022);
    try {
      const path = join(dir, "mode.card");
      const card = issueCard(params(), { path });
      expect(statSync(path).mode & 0o777).toBe(0o600);
      card.powerOn();
      lockboxClient(card).expectOk(C.INS_APPEND_RECORDS, 0, C.FILE_ACCESS, record(32, 1));
      expect(statSync(path).mode & 0o777).toBe(0o600);
    } finally {
      process.umask(old);
    }
  });
});

describe("the fab secret", () => {
  const real = process.env.LOCKBOX_FAB_SECRET;
  const restore = () => {
    process.env.LOCKBOX_FAB_SECRET = real;
    delete process.env.LOCKBOX_DEV;
  };

  it("without LOCKBOX_FAB_SECRET no card file is written or read, except in development mode", () => {
    const path = join(dir, "fab.card");
    issueCard(params(), { path });
    try {
      delete process.env.LOCKBOX_FAB_SECRET;
      expect(() => issueCard(params(), { path: join(dir, "fab2.card") })).toThrow(/set LOCKBOX_FAB_SECRET=<64 hex digits>, or run in development mode/);
      expect(() => Card.load(path)).toThrow(CardFileError);
      process.env.LOCKBOX_DEV = "1";
      const dev = join(dir, "dev.card");
      issueCard(params(), { path: dev });
      expect(() => Card.load(dev)).not.toThrow();
      // The development secret is not the real one: neither opens the other's files.
      expect(() => Card.load(path)).toThrow(/authentication tag/);
      restore();
      expect(() => Card.load(dev)).toThrow(/authentication tag/);
    } finally {
      restore();
    }
  });

  it("a malformed LOCKBOX_FAB_SECRET is refused, never replaced by the development secret", () => {
    try {
      process.env.LOCKBOX_DEV = "1";
      for (const bad of ["abc", "zz".repeat(32), "00".repeat(31), "00".repeat(33)]) {
        process.env.LOCKBOX_FAB_SECRET = bad;
        expect(() => issueCard(params(), { path: join(dir, "bad.card") }), bad).toThrow(/LOCKBOX_FAB_SECRET must be 64 hex digits/);
      }
    } finally {
      restore();
    }
  });
});
