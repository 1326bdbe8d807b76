// The card's command set (protocol/SPEC.md Card §2): every command's success and each refusal
// status word, with the persistent state checked unchanged after every refusal.
import { describe, it, expect } from "vitest";
import * as C from "../../protocol/card/commands.ts";
import * as L from "../../protocol/card/layouts.ts";
import { EVENT_DENIED, EVENT_OWNERSHIP_TAKEN, EVENT_SETTINGS_APPLIED } from "../../protocol/card/records.ts";
import { denylistSize } from "../../protocol/card/denylist.ts";
import { CardClient, CardCommandError, cardKeys, apdu } from "../../simulator/card/client.ts";
import { Rng } from "../support/rng.ts";
import { concat } from "../support/vectors.ts";
import {
  newCard, lockboxClient, serverClient, record, refused, authorization, SERIAL, ASSOCIATION, CARD_AUTH_MASTER, SERVER_MASTER, PIN,
} from "./fixture.ts";

const P = C.CLA_PROPRIETARY;

function u32(n: number): Uint8Array {
  return Uint8Array.of(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
}

function authBytes(expiry: number, issue: number): Uint8Array {
  const a = new L.Authorization();
  a.expiry = expiry;
  a.issueCounter = issue;
  const out = new Uint8Array(L.AUTHORIZATION_SIZE);
  L.encodeAuthorization(a, out, 0, out.length);
  return out;
}

function serverTimeBytes(time: number, marks: [number, number][]): Uint8Array {
  const t = new L.ServerTime();
  t.serverTime = time;
  t.count = marks.length;
  marks.forEach(([id, below], i) => {
    t.lockboxIds[i] = id;
    t.ackedBelow[i] = below;
  });
  const out = new Uint8Array(L.serverTimeSize(marks.length));
  L.encodeServerTime(t, out, 0, out.length);
  return out;
}

function settingsBytes(lockboxId: number, version: number): Uint8Array {
  const s = new L.Settings();
  s.lockboxId = lockboxId;
  s.version = version;
  s.cbsCode.fill(0xff);
  s.privacyCode.fill(0xff);
  s.shackleCode.set([0x24, 0x68, 0xff, 0xff]);
  s.tzRule.set(new TextEncoder().encode("CST6CDT,M3.2.0,M11.1.0"));
  const out = new Uint8Array(L.SETTINGS_SIZE);
  L.encodeSettings(s, out, 0, out.length);
  return out;
}

/** A denylist built by hand from spec §3.9 (MAC bytes arbitrary: the card cannot check them). */
function denylist(version: number, serials: number[]): Uint8Array {
  const out = new Uint8Array(denylistSize(serials.length));
  const v = new DataView(out.buffer);
  v.setUint32(0, version);
  v.setUint16(4, serials.length);
  serials.forEach((s, i) => {
    v.setUint32(6 + 8 * i, s);
    v.setUint32(10 + 8 * i, 1800000000);
  });
  out.fill(0x5a, out.length - 16);
  return out;
}

describe("without a session (card holder, any reader)", () => {
  it("SELECT by AID answers 9000; another AID 6a82; wrong P1 6a86", () => {
    const card = newCard();
    const c = new CardClient((a) => card.transmitApdu(a));
    expect(c.select().sw).toBe(0x9000);
    refused(card, 0x6a82, () => c.raw(apdu(0, C.INS_SELECT, 4, 0, Uint8Array.of(0xa0, 0, 0, 0, 1))));
    refused(card, 0x6a86, () => c.raw(apdu(0, C.INS_SELECT, 0, 0, C.CARD_AID)));
  });

  it("reads the public identity: the fields given at personalization", () => {
    const card = newCard();
    const c = new CardClient((a) => card.transmitApdu(a));
    const r = c.raw(apdu(P, C.INS_READ_OBJECT, C.OBJ_IDENTITY, 0, undefined, 0));
    expect(r.sw).toBe(0x9000);
    const id = new L.Identity();
    expect(L.decodeIdentity(r.data, 0, r.data.length, id)).toBe(L.IDENTITY_SIZE);
    expect(id.cardSerial).toBe(SERIAL);
    expect(id.associationId).toBe(ASSOCIATION);
    expect(id.roleFlags).toBe(3);
    expect(Buffer.from(id.memberKey).toString("latin1").replace(/\0+$/, "")).toBe("M-100234");
    expect(Buffer.from(id.mlsId).toString("latin1").replace(/\0+$/, "")).toBe("AG7781");
  });

  it("refuses everything else: 6982 for protected objects and secured CLA, 6e00, 6d00, 6700", () => {
    const card = newCard();
    const c = new CardClient((a) => card.transmitApdu(a));
    refused(card, 0x6982, () => c.raw(apdu(P, C.INS_READ_OBJECT, C.OBJ_AUTHORIZATION, 0, undefined, 0)));
    refused(card, 0x6982, () => c.raw(apdu(C.CLA_SECURE, C.INS_READ_OBJECT, C.OBJ_IDENTITY, 0, new Uint8Array(8), 0)));
    refused(card, 0x6982, () => c.raw(apdu(P, C.INS_APPEND_RECORDS, 0, 1, record(1, 1))));
    refused(card, 0x6e00, () => c.raw(apdu(0xa0, C.INS_READ_OBJECT, 1, 0, undefined, 0)));
    refused(card, 0x6e00, () => c.raw(apdu(0x00, C.INS_READ_OBJECT, 1, 0, undefined, 0)));
    refused(card, 0x6d00, () => c.raw(apdu(P, 0x99, 0, 0)));
    refused(card, 0x6700, () => c.raw(Uint8Array.of(P, C.INS_READ_OBJECT, 1, 0, 5, 1, 2)));
    refused(card, 0x6700, () => c.raw(Uint8Array.of(P, C.INS_READ_OBJECT)));
    refused(card, 0x6a86, () => c.raw(apdu(P, C.INS_READ_OBJECT, 1, 1, undefined, 0)));
    refused(card, 0x6b00, () => c.raw(apdu(P, C.INS_READ_OBJECT, 1, 0, Uint8Array.of(0, 60), 0)));
  });

  it("INITIALIZE UPDATE: unknown party 6a86, key version 6a88, length 6700, EXTERNAL AUTHENTICATE first 6985", () => {
    const card = newCard();
    const c = new CardClient((a) => card.transmitApdu(a));
    refused(card, 0x6a86, () => c.raw(apdu(P, C.INS_INITIALIZE_UPDATE, 0, 3, new Uint8Array(8), 0)));
    refused(card, 0x6a88, () => c.raw(apdu(P, C.INS_INITIALIZE_UPDATE, 9, 1, new Uint8Array(8), 0)));
    refused(card, 0x6700, () => c.raw(apdu(P, C.INS_INITIALIZE_UPDATE, 0, 1, new Uint8Array(7), 0)));
    refused(card, 0x6985, () => c.raw(apdu(C.CLA_SECURE, C.INS_EXTERNAL_AUTHENTICATE, 0x33, 0, new Uint8Array(16))));
  });

  it("wrong keys, or a security level without R-MAC, do not open a session", () => {
    const card = newCard();
    const c = new CardClient((a) => card.transmitApdu(a));
    const wrong = cardKeys(C.PARTY_SERVER, CARD_AUTH_MASTER, ASSOCIATION, SERIAL);
    expect(() => c.authenticate(C.PARTY_SERVER, wrong)).toThrow(/authentication failed/);
    const c2 = new CardClient((a) => card.transmitApdu(a));
    expect(() => c2.authenticate(C.PARTY_LOCKBOX, cardKeys(C.PARTY_LOCKBOX, CARD_AUTH_MASTER, ASSOCIATION, SERIAL), 0x03)).toThrow(/6a86/);
  });
});

describe("lockbox session", () => {
  it("reads identity, authorization, status, and is refused the upload cursor and server commands", () => {
    const card = newCard();
    const c = lockboxClient(card);
    expect(c.readObject(C.OBJ_IDENTITY).length).toBe(L.IDENTITY_SIZE);
    const a = new L.Authorization();
    const auth = c.readObject(C.OBJ_AUTHORIZATION);
    expect(L.decodeAuthorization(auth, 0, auth.length, a)).toBe(L.AUTHORIZATION_SIZE);
    expect(a.expiry).toBe(1767225600);
    const status = new L.CardStatus();
    const s = c.readObject(C.OBJ_STATUS);
    expect(L.decodeCardStatus(s, 0, s.length, status)).toBe(L.STATUS_SIZE);
    expect([status.pinTriesLeft, status.pinTryLimit, ...status.capacity]).toEqual([3, 3, 64, 128, 16, 16]);
    refused(card, 0x6982, () => c.send(P, C.INS_READ_OBJECT, C.OBJ_UPLOAD_CURSOR, 0, undefined, 0));
    refused(card, 0x6982, () => c.send(P, C.INS_RENEW, 0, 0, concat(authBytes(1800000000, 2), serverTimeBytes(1, []))));
    refused(card, 0x6982, () => c.send(P, C.INS_READ_RECORDS, 1, 0, u32(0), 0));
    refused(card, 0x6982, () => c.send(P, C.INS_APPLY_RECEIPT, 0, 0, new Uint8Array(16)));
    refused(card, 0x6982, () => c.send(P, C.INS_RESET_COUNTERS, 1, 0));
    refused(card, 0x6a88, () => c.send(P, C.INS_READ_OBJECT, C.OBJ_DENYLIST, 0, undefined, 0));
  });

  it("VERIFY PIN: 9000; wrong PIN 63c2, 63c1, 63c0; then 6983 even for the right PIN; survives power-off", () => {
    const card = newCard();
    let c = lockboxClient(card);
    expect(c.verifyPin(PIN).toString(16)).toBe("9000");
    expect(c.verifyPin("1111").toString(16)).toBe("63c2");
    expect(c.verifyPin("1111").toString(16)).toBe("63c1");
    card.powerOff();
    card.powerOn();
    c = lockboxClient(card);
    expect(c.verifyPin("1111").toString(16)).toBe("63c0");
    refused(card, 0x6983, () => c.verifyPin(PIN));
    const s = serverClient(card);
    expect(s.send(P, C.INS_RESET_COUNTERS, C.RESET_PIN, 0).sw).toBe(0x9000);
    expect(lockboxClient(card).verifyPin(PIN)).toBe(0x9000);
  });

  it("a correct PIN after a wrong one restores the retry counter", () => {
    const card = newCard();
    const c = lockboxClient(card);
    expect(c.verifyPin("9999")).toBe(0x63c2);
    expect(c.verifyPin(PIN)).toBe(0x9000);
    expect(c.verifyPin("9999")).toBe(0x63c2);
  });

  it("VERIFY PIN needs C-DECRYPTION (6982 at level 11), a well-formed block (6a80), P2 80 (6a86), 8 bytes (6700)", () => {
    const card = newCard();
    const weak = lockboxClient(card, 0x11);
    refused(card, 0x6982, () => weak.verifyPin(PIN));
    const c = lockboxClient(card);
    refused(card, 0x6a80, () => c.send(P, C.INS_VERIFY_PIN, 0, 0x80, Uint8Array.of(0x24, 0x12, 0x3a, 0xff, 0xff, 0xff, 0xff, 0xff)));
    refused(card, 0x6a86, () => c.send(P, C.INS_VERIFY_PIN, 0, 0x81, Uint8Array.of(0x24, 0x25, 0x80, 0xff, 0xff, 0xff, 0xff, 0xff)));
    refused(card, 0x6700, () => c.send(P, C.INS_VERIFY_PIN, 0, 0x80, Uint8Array.of(0x24, 0x25, 0x80)));
  });

  it("APPEND RECORDS: access records for this card; carried records deduplicated; returns the file's cursor", () => {
    const card = newCard();
    const c = lockboxClient(card);
    expect(Array.from(c.expectOk(C.INS_APPEND_RECORDS, 0, C.FILE_ACCESS, record(77, 5)))).toEqual([0, 0, 0, 0, 0, 0, 0, 1]);
    const carried = concat(record(77, 2, EVENT_DENIED, 999), record(77, 3, 1, 998), record(77, 4, 1, 997));
    expect(Array.from(c.expectOk(C.INS_APPEND_RECORDS, 0, C.FILE_CARRIED, carried))).toEqual([0, 0, 0, 0, 0, 0, 0, 3]);
    expect(Array.from(c.expectOk(C.INS_APPEND_RECORDS, 0, C.FILE_CARRIED, concat(record(77, 3, 1, 998), record(77, 6, 1, 996))))).toEqual([0, 0, 0, 0, 0, 0, 0, 4]);
    expect(Array.from(c.expectOk(C.INS_APPEND_RECORDS, 0, C.FILE_OWNERSHIP, record(77, 7, EVENT_OWNERSHIP_TAKEN)))).toEqual([0, 0, 0, 0, 0, 0, 0, 1]);
    expect(Array.from(c.expectOk(C.INS_APPEND_RECORDS, 0, C.FILE_SETTINGS_APPLIED, record(77, 8, EVENT_SETTINGS_APPLIED)))).toEqual([0, 0, 0, 0, 0, 0, 0, 1]);
    const s = serverClient(card);
    const held = s.readAllRecords(C.FILE_CARRIED);
    expect(held.map((r) => new DataView(r.buffer, r.byteOffset).getUint32(8))).toEqual([2, 3, 4, 6]);
    expect(Buffer.from(held[1].subarray(4)).equals(Buffer.from(record(77, 3, 1, 998)))).toBe(true);
  });

  it("APPEND RECORDS refusals: other card 6a80, wrong event for the file 6a80, bad event 6a80, lengths 6700, file id 6a86", () => {
    const card = newCard();
    const c = lockboxClient(card);
    refused(card, 0x6a80, () => c.send(P, C.INS_APPEND_RECORDS, 0, C.FILE_ACCESS, record(77, 5, 1, SERIAL + 1)));
    refused(card, 0x6a80, () => c.send(P, C.INS_APPEND_RECORDS, 0, C.FILE_OWNERSHIP, record(77, 5)));
    refused(card, 0x6a80, () => c.send(P, C.INS_APPEND_RECORDS, 0, C.FILE_CARRIED, record(77, 5, 0x7f)));
    refused(card, 0x6a80, () => c.send(P, C.INS_APPEND_RECORDS, 0, C.FILE_ACCESS, concat(record(77, 5), record(77, 6, 1, 4))));
    refused(card, 0x6700, () => c.send(P, C.INS_APPEND_RECORDS, 0, C.FILE_ACCESS, record(77, 5).subarray(0, 37)));
    refused(card, 0x6700, () => c.send(P, C.INS_APPEND_RECORDS, 0, C.FILE_CARRIED));
    refused(card, 0x6a86, () => c.send(P, C.INS_APPEND_RECORDS, 0, 5, record(77, 5)));
  });

  it("file full: 6a84 and nothing written; the server's receipt makes room again", () => {
    const card = newCard({ capacities: { records: [3, 4, 2, 2] } });
    const c = lockboxClient(card);
    c.expectOk(C.INS_APPEND_RECORDS, 0, C.FILE_ACCESS, concat(record(9, 1), record(9, 2)));
    refused(card, 0x6a84, () => c.send(P, C.INS_APPEND_RECORDS, 0, C.FILE_ACCESS, concat(record(9, 3), record(9, 4))));
    c.expectOk(C.INS_APPEND_RECORDS, 0, C.FILE_ACCESS, record(9, 3));
    refused(card, 0x6a84, () => c.send(P, C.INS_APPEND_RECORDS, 0, C.FILE_ACCESS, record(9, 4)));
    const s = serverClient(card);
    expect(s.readAllRecords(C.FILE_ACCESS).length).toBe(3);
    expect(Array.from(s.expectOk(C.INS_APPLY_RECEIPT, 0, 0, concat(u32(2), u32(0), u32(0), u32(0))).subarray(0, 8))).toEqual([0, 0, 0, 2, 0, 0, 0, 3]);
    const c2 = lockboxClient(card);
    c2.expectOk(C.INS_APPEND_RECORDS, 0, C.FILE_ACCESS, concat(record(9, 4), record(9, 5)));
    const left = serverClient(card).readAllRecords(C.FILE_ACCESS).map((r) => new DataView(r.buffer, r.byteOffset).getUint32(8));
    expect(left).toEqual([3, 4, 5]);
  });

  it("APPLY CARS EXTENSION updates the CARS state; a code sequence not above the last is 6985", () => {
    const card = newCard();
    const c = lockboxClient(card);
    const ext = (seq: number, day: number, month: number): Uint8Array => {
      const e = new L.CarsExtension();
      e.tempExpiry = 1764309600 + day;
      e.codeSequence = seq;
      e.day = day;
      e.month = month;
      const out = new Uint8Array(10);
      L.encodeCarsExtension(e, out, 0, 10);
      return out;
    };
    c.expectOk(C.INS_APPLY_CARS, 0, 0, ext(1, 20417, 24310));
    c.expectOk(C.INS_APPLY_CARS, 0, 0, ext(2, 20418, 24310));
    const after = c.expectOk(C.INS_APPLY_CARS, 0, 0, ext(3, 20419, 24310));
    const a = new L.Authorization();
    L.decodeAuthorization(after, 0, after.length, a);
    expect([a.carsMonthCount, a.carsConsecutiveDays, a.carsLastDay, a.carsLastSequence, a.carsTempExpiry]).toEqual([3, 3, 20419, 3, 1764309600 + 20419]);
    refused(card, 0x6985, () => c.send(P, C.INS_APPLY_CARS, 0, 0, ext(3, 20420, 24310)));
    refused(card, 0x6700, () => c.send(P, C.INS_APPLY_CARS, 0, 0, ext(4, 20420, 24310).subarray(0, 9)));
    refused(card, 0x6a86, () => c.send(P, C.INS_APPLY_CARS, 1, 0, ext(4, 20420, 24310)));
    c.expectOk(C.INS_APPLY_CARS, 0, 0, ext(4, 20425, 24311));
    const b = authorization(card);
    expect([b.carsMonthCount, b.carsConsecutiveDays, b.carsMonth]).toEqual([1, 1, 24311]);
    serverClient(card).expectOk(C.INS_RESET_COUNTERS, C.RESET_CARS, 0);
    const r = authorization(card);
    expect([r.carsMonthCount, r.carsConsecutiveDays, r.carsLastSequence]).toEqual([0, 0, 4]);
  });
});

describe("server session", () => {
  it("RENEW writes authorization and server time; a stale issue counter is 6985; it needs C-DECRYPTION", () => {
    const card = newCard();
    const s = serverClient(card);
    s.expectOk(C.INS_RENEW, 0, 0, concat(authBytes(1800000000, 2), serverTimeBytes(1764201600, [[123456, 42]])));
    expect(authorization(card).expiry).toBe(1800000000);
    const t = new L.ServerTime();
    const st = lockboxClient(card).readObject(C.OBJ_SERVER_TIME);
    expect(L.decodeServerTime(st, 0, st.length, t)).toBe(13);
    expect([t.serverTime, t.count, t.lockboxIds[0], t.ackedBelow[0]]).toEqual([1764201600, 1, 123456, 42]);
    const s2 = serverClient(card);
    refused(card, 0x6985, () => s2.send(P, C.INS_RENEW, 0, 0, concat(authBytes(1900000000, 2), serverTimeBytes(1, []))));
    const badCount = serverTimeBytes(1, [[1, 1]]);
    badCount[4] = 2;
    refused(card, 0x6a80, () => s2.send(P, C.INS_RENEW, 0, 0, concat(authBytes(1900000000, 3), badCount)));
    refused(card, 0x6700, () => s2.send(P, C.INS_RENEW, 0, 0, authBytes(1900000000, 3)));
    const weak = serverClient(card, 0x11);
    refused(card, 0x6982, () => weak.send(P, C.INS_RENEW, 0, 0, concat(authBytes(1900000000, 3), serverTimeBytes(1, []))));
  });

  it("STAGE SETTINGS: stage, replace, read by the lockbox, remove; full 6a84; missing 6a88; bad data 6a80", () => {
    const card = newCard({ capacities: { stagedSettings: 2 } });
    const s = serverClient(card);
    s.expectOk(C.INS_STAGE_SETTINGS, 0, 0, settingsBytes(100, 1));
    s.expectOk(C.INS_STAGE_SETTINGS, 0, 0, settingsBytes(200, 1));
    s.expectOk(C.INS_STAGE_SETTINGS, 0, 0, settingsBytes(100, 2));
    refused(card, 0x6a84, () => s.send(P, C.INS_STAGE_SETTINGS, 0, 0, settingsBytes(300, 1)));
    const bad = settingsBytes(300, 1);
    bad[10] = 0x7f;
    refused(card, 0x6a80, () => s.send(P, C.INS_STAGE_SETTINGS, 0, 0, bad));
    refused(card, 0x6a86, () => s.send(P, C.INS_STAGE_SETTINGS, 2, 0, settingsBytes(300, 1)));
    const l = lockboxClient(card);
    const got = l.expectOk(C.INS_READ_OBJECT, C.OBJ_STAGED_SETTINGS, 0, u32(100), 0);
    expect(Buffer.from(got).equals(Buffer.from(settingsBytes(100, 2)))).toBe(true);
    refused(card, 0x6a88, () => l.send(P, C.INS_READ_OBJECT, C.OBJ_STAGED_SETTINGS, 0, u32(300), 0));
    const s2 = serverClient(card);
    s2.expectOk(C.INS_STAGE_SETTINGS, C.P1_UNSTAGE, 0, u32(100));
    refused(card, 0x6a88, () => s2.send(P, C.INS_STAGE_SETTINGS, C.P1_UNSTAGE, 0, u32(100)));
    s2.expectOk(C.INS_STAGE_SETTINGS, 0, 0, settingsBytes(300, 1));
  });

  it("UPDATE DENYLIST in chunks; the lockbox reads it back; stale version 6985; out-of-order chunk 6985; too big 6a84; bad layout 6a80", () => {
    const card = newCard({ capacities: { denylistEntries: 40 } });
    const s = serverClient(card);
    const list = denylist(5, Array.from({ length: 30 }, (_, i) => 1000 + i * 3));
    expect(s.updateDenylist(list, 100)).toBe(0x9000);
    expect(Buffer.from(lockboxClient(card).readObject(C.OBJ_DENYLIST)).equals(Buffer.from(list))).toBe(true);
    const s2 = serverClient(card);
    refused(card, 0x6985, () => s2.updateDenylist(denylist(5, [1, 2])));
    refused(card, 0x6985, () => s2.send(P, C.INS_UPDATE_DENYLIST, 0x80, 0, concat(Uint8Array.of(0, 10), new Uint8Array(12))));
    refused(card, 0x6a84, () => s2.updateDenylist(denylist(6, Array.from({ length: 41 }, (_, i) => i + 1))));
    refused(card, 0x6a80, () => s2.updateDenylist(denylist(6, [9, 3])));
    refused(card, 0x6a86, () => s2.send(P, C.INS_UPDATE_DENYLIST, 0x40, 0, concat(Uint8Array.of(0, 0), new Uint8Array(12))));
    expect(s2.updateDenylist(denylist(6, [7]))).toBe(0x9000);
    expect(Buffer.from(lockboxClient(card).readObject(C.OBJ_DENYLIST)).equals(Buffer.from(denylist(6, [7])))).toBe(true);
  });

  it("READ RECORDS pages through a file; APPLY RECEIPT frees exactly what it covers; twice is harmless; beyond next 6a80", () => {
    const card = newCard();
    const l = lockboxClient(card);
    for (let i = 0; i < 3; i++) l.expectOk(C.INS_APPEND_RECORDS, 0, C.FILE_CARRIED, concat(...Array.from({ length: 6 }, (_, k) => record(5, i * 6 + k, 1, 40))));
    const s = serverClient(card);
    refused(card, 0x6700, () => s.send(P, C.INS_READ_RECORDS, 2, 0, u32(0), 41));
    refused(card, 0x6a86, () => s.send(P, C.INS_READ_RECORDS, 0, 0, u32(0), 0));
    expect(s.expectOk(C.INS_READ_RECORDS, 2, 0, u32(0), 0).length).toBe(5 * 42);
    const all = s.readAllRecords(C.FILE_CARRIED);
    expect(all.map((r) => new DataView(r.buffer, r.byteOffset).getUint32(0))).toEqual(Array.from({ length: 18 }, (_, i) => i));
    const receipt = concat(u32(0), u32(10), u32(0), u32(0));
    const cursor = s.expectOk(C.INS_APPLY_RECEIPT, 0, 0, receipt);
    expect(Array.from(cursor.subarray(8, 16))).toEqual([0, 0, 0, 10, 0, 0, 0, 18]);
    expect(Buffer.from(s.expectOk(C.INS_APPLY_RECEIPT, 0, 0, receipt)).equals(Buffer.from(cursor))).toBe(true);
    expect(s.readAllRecords(C.FILE_CARRIED).length).toBe(8);
    refused(card, 0x6a80, () => s.send(P, C.INS_APPLY_RECEIPT, 0, 0, concat(u32(0), u32(19), u32(0), u32(0))));
    refused(card, 0x6700, () => s.send(P, C.INS_APPLY_RECEIPT, 0, 0, u32(1)));
    expect(Array.from(s.readObject(C.OBJ_UPLOAD_CURSOR).subarray(8, 16))).toEqual([0, 0, 0, 10, 0, 0, 0, 18]);
  });

  it("RESET COUNTERS: unknown bits 6a86, data 6700", () => {
    const card = newCard();
    const s = serverClient(card);
    refused(card, 0x6a86, () => s.send(P, C.INS_RESET_COUNTERS, 0, 0));
    refused(card, 0x6a86, () => s.send(P, C.INS_RESET_COUNTERS, 4, 0));
    refused(card, 0x6700, () => s.send(P, C.INS_RESET_COUNTERS, 1, 0, Uint8Array.of(1)));
  });

  it("server commands are refused to a lockbox session (6982) and lockbox commands to the server (6982)", () => {
    const card = newCard();
    const s = serverClient(card);
    refused(card, 0x6982, () => s.send(P, C.INS_APPEND_RECORDS, 0, 1, record(1, 1)));
    refused(card, 0x6982, () => s.verifyPin(PIN));
    const l = lockboxClient(card);
    refused(card, 0x6982, () => l.send(P, C.INS_STAGE_SETTINGS, 0, 0, settingsBytes(1, 1)));
    refused(card, 0x6982, () => l.updateDenylist(denylist(1, [1])));
  });
});

describe("secure messaging failures", () => {
  it("a tampered wrapped APDU gets 6988 and closes the session; later wrapped commands get 6982", () => {
    const card = newCard();
    const c = lockboxClient(card);
    const w = c.wrap(apdu(P, C.INS_APPEND_RECORDS, 0, C.FILE_ACCESS, record(3, 3)));
    w[10] ^= 1;
    refused(card, 0x6988, () => c.raw(w));
    refused(card, 0x6982, () => c.raw(c.wrap(apdu(P, C.INS_READ_OBJECT, 1, 0, undefined, 0))));
  });

  it("a replayed wrapped APDU gets 6988 and appends nothing", () => {
    const card = newCard();
    const c = lockboxClient(card);
    const w = c.wrap(apdu(P, C.INS_APPEND_RECORDS, 0, C.FILE_ACCESS, record(3, 3)));
    expect(c.unwrap(card.transmitApdu(w)).sw).toBe(0x9000);
    refused(card, 0x6988, () => c.raw(w));
  });

  it("the host client refuses a bare 9000 in an R-MAC session (any relay could forge a success); a bare error status passes", () => {
    const card = newCard();
    const c = lockboxClient(card);
    c.wrap(apdu(P, C.INS_APPEND_RECORDS, 0, C.FILE_ACCESS, record(3, 3)));
    expect(() => c.unwrap(Uint8Array.of(0x90, 0x00))).toThrow(CardCommandError);
    expect(c.unwrap(Uint8Array.of(0x69, 0x82)).sw).toBe(0x6982);
  });

  it("a plain command inside a session gets 6982 and closes it", () => {
    const card = newCard();
    const c = lockboxClient(card);
    refused(card, 0x6982, () => c.raw(apdu(P, C.INS_READ_OBJECT, 1, 0, undefined, 0)));
    refused(card, 0x6982, () => c.raw(c.wrap(apdu(P, C.INS_READ_OBJECT, 1, 0, undefined, 0))));
  });

  it("an EXTERNAL AUTHENTICATE replayed after a new INITIALIZE UPDATE is refused (6982): the card challenge is fresh", () => {
    const card = newCard();
    const seen: Uint8Array[] = [];
    const c = new CardClient((a) => (seen.push(a), card.transmitApdu(a)));
    const hostChallenge = Uint8Array.of(1, 1, 1, 1, 1, 1, 1, 1);
    c.authenticate(C.PARTY_LOCKBOX, cardKeys(C.PARTY_LOCKBOX, CARD_AUTH_MASTER, ASSOCIATION, SERIAL), 0x33, hostChallenge);
    const ea = seen.find((a) => a[1] === C.INS_EXTERNAL_AUTHENTICATE)!;
    expect(c.raw(apdu(P, C.INS_INITIALIZE_UPDATE, 0, C.PARTY_LOCKBOX, hostChallenge, 0)).sw).toBe(0x9000);
    refused(card, 0x6982, () => c.raw(ea));
  });

  it("extended-length APDUs are not used: 6700", () => {
    const card = newCard();
    refused(card, 0x6700, () => new CardClient((a) => card.transmitApdu(a)).raw(Uint8Array.of(P, C.INS_READ_OBJECT, 1, 0, 0, 0, 0)));
  });

  it("a session from another card's keys cannot be opened (card cryptogram check on the host)", () => {
    const card = newCard();
    const c = new CardClient((a) => card.transmitApdu(a));
    expect(() => c.authenticate(C.PARTY_LOCKBOX, cardKeys(C.PARTY_LOCKBOX, CARD_AUTH_MASTER, ASSOCIATION, SERIAL + 1))).toThrow();
    expect(() => new CardClient((a) => card.transmitApdu(a)).authenticate(C.PARTY_SERVER, cardKeys(C.PARTY_SERVER, SERVER_MASTER, ASSOCIATION + 1, SERIAL))).toThrow();
  });
});

describe("fuzz: untrusted APDU bytes (seed 0xf022)", () => {
  it("never throw; a refused command changes nothing; plain and in-session", () => {
    const rng = new Rng(0xf022);
    const card = newCard();
    const seeds = [
      apdu(P, C.INS_READ_OBJECT, 1, 0, undefined, 0), apdu(0, C.INS_SELECT, 4, 0, C.CARD_AID), apdu(P, C.INS_INITIALIZE_UPDATE, 0, 1, new Uint8Array(8), 0),
      apdu(P, C.INS_APPEND_RECORDS, 0, 1, record(1, 1)), apdu(C.CLA_SECURE, C.INS_EXTERNAL_AUTHENTICATE, 0x33, 0, new Uint8Array(16)),
    ];
    let refusedCount = 0;
    for (let i = 0; i < 1500; i++) {
      const inSession = i % 3 === 0;
      const c = inSession ? lockboxClient(card) : null;
      const base = c ? c.wrap(apdu(P, rng.pick([C.INS_APPEND_RECORDS, C.INS_READ_OBJECT, C.INS_APPLY_CARS]), 0, 1, record(2, i))) : rng.pick(seeds);
      const input = rng.bool() ? rng.mutate(base) : rng.bytes(rng.int(0, 40));
      const before = card.home();
      const rsp = card.transmitApdu(input);
      expect(rsp.length).toBeGreaterThanOrEqual(2);
      const sw = (rsp[rsp.length - 2] << 8) | rsp[rsp.length - 1];
      if (sw !== 0x9000 && !c) {
        expect(Buffer.from(card.home()).equals(Buffer.from(before))).toBe(true);
        refusedCount++;
      }
      if (c && rsp.length === 2 && sw !== 0x9000) expect(Buffer.from(card.home()).equals(Buffer.from(before))).toBe(true);
    }
    expect(refusedCount).toBeGreaterThan(500);
  });
});
