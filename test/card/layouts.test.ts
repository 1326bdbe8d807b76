// protocol/card layouts, records, denylist, PIN block and key diversification: byte layouts built
// by hand from protocol/SPEC.md (Card chapter), MACs and keys against @noble/ciphers' CMAC, round trips, and
// a seeded fuzz of every decoder (never throws; on error the target object is unchanged).
import { describe, it, expect } from "vitest";
import { cmac } from "@noble/ciphers/aes.js";
import * as L from "../../protocol/card/layouts.ts";
import {
  AuditRecord, decodeAuditRecord, encodeAuditRecord, sealAuditRecord, auditRecordMacValid, AUDIT_RECORD_SIZE,
} from "../../protocol/card/records.ts";
import { checkDenylist, sealDenylist, denylistMacValid, denylistDenies, denylistSize } from "../../protocol/card/denylist.ts";
import { encodePinBlock, checkPinBlock } from "../../protocol/card/pin.ts";
import { deriveKey, keyContext, KEY_CARD_AUTH_ENC, KEY_CARD_AUTH_MAC, KEY_CARD_SERVER_ENC, KEY_CARD_SERVER_MAC, KEY_LOCKBOX_AUDIT, KEY_CARS, KEY_DENYLIST } from "../../protocol/card/keys.ts";
import { ERR_TRUNCATED, ERR_OVERLONG } from "../../protocol/errors.ts";
import { ERR_CARD_BAD_FORMAT, ERR_CARD_BAD_TEXT, ERR_CARD_BAD_FIELD, ERR_CARD_BAD_CODE, ERR_CARD_TOO_MANY, ERR_CARD_BAD_PIN_BLOCK } from "../../protocol/card/errors.ts";
import { aesBlockCipher } from "../../simulator/crypto/index.ts";
import { Rng } from "../support/rng.ts";
import { hex, toHex } from "../support/vectors.ts";

const bc = aesBlockCipher();
const ascii = (s: string, w: number): Uint8Array => {
  const b = new Uint8Array(w);
  b.set(new TextEncoder().encode(s));
  return b;
};

describe("layouts match spec §3 byte for byte (built by hand)", () => {
  it("identity", () => {
    const id = new L.Identity();
    id.cardSerial = 0x01020304;
    id.associationId = 0x0a0b0c0d;
    id.keyVersion = 7;
    id.roleFlags = L.ROLE_AGENT | L.ROLE_CONTRACTOR;
    id.memberKey = ascii("KEY", 24);
    id.mlsId = ascii("MLS", 16);
    const want = new Uint8Array(52);
    const v = new DataView(want.buffer);
    want[0] = 1;
    v.setUint32(1, 0x01020304);
    v.setUint32(5, 0x0a0b0c0d);
    want[9] = 7;
    v.setUint16(10, 9);
    want.set(ascii("KEY", 24), 12);
    want.set(ascii("MLS", 16), 36);
    const out = new Uint8Array(52);
    expect(L.encodeIdentity(id, out, 0, 52)).toBe(52);
    expect(toHex(out)).toBe(toHex(want));
  });

  it("authorization, CARS extension, server time, cursor, receipt, status", () => {
    const a = new L.Authorization();
    Object.assign(a, { expiry: 0x11223344, issueCounter: 5, carsTempExpiry: 6, carsMonth: 0x0102, carsMonthCount: 3, carsLastDay: 0x0405, carsConsecutiveDays: 2, carsLastSequence: 0x0a0b });
    const out = new Uint8Array(64);
    expect(L.encodeAuthorization(a, out, 0, 64)).toBe(21);
    expect(toHex(out.subarray(0, 21))).toBe("01" + "11223344" + "00000005" + "00000006" + "0102" + "03" + "0405" + "02" + "0a0b");
    const e = new L.CarsExtension();
    Object.assign(e, { tempExpiry: 0x69293a60, codeSequence: 4, day: 20418, month: 24310 });
    expect(L.encodeCarsExtension(e, out, 0, 64)).toBe(10);
    expect(toHex(out.subarray(0, 10))).toBe("69293a60" + "0004" + "4fc2" + "5ef6");
    const t = new L.ServerTime();
    t.serverTime = 0x69279480;
    t.count = 2;
    t.lockboxIds.set([1, 2]);
    t.ackedBelow.set([3, 4]);
    expect(L.encodeServerTime(t, out, 0, 64)).toBe(21);
    expect(toHex(out.subarray(0, 21))).toBe("69279480" + "02" + "00000001" + "00000003" + "00000002" + "00000004");
    const r = new L.Receipt();
    r.upTo.set([1, 2, 3, 4]);
    expect(L.encodeReceipt(r, out, 0, 64)).toBe(16);
    expect(toHex(out.subarray(0, 16))).toBe("00000001000000020000000300000004");
  });

  it("settings", () => {
    const s = new L.Settings();
    Object.assign(s, { lockboxId: 123456, version: 2, dayMask: 0x3e, startMinute: 480, endMinute: 1200, flags: 3 });
    s.cbsCode = hex("5551ffff");
    s.privacyCode = hex("12345678");
    s.shackleCode = hex("ffffffff");
    s.tzRule = ascii("EST5EDT", 48);
    const out = new Uint8Array(75);
    expect(L.encodeSettings(s, out, 0, 75)).toBe(75);
    expect(toHex(out)).toBe("01" + "0001e240" + "00000002" + "3e" + "01e0" + "04b0" + "03" + "5551ffff" + "12345678" + "ffffffff" + toHex(ascii("EST5EDT", 48)));
    const back = new L.Settings();
    expect(L.decodeSettings(out, 0, 75, back)).toBe(75);
    expect([back.lockboxId, back.version, back.dayMask, back.startMinute, back.endMinute, back.flags]).toEqual([123456, 2, 0x3e, 480, 1200, 3]);
  });

  it("PIN block is ISO 9564 format 2 (spec example 1234)", () => {
    const out = new Uint8Array(8);
    expect(encodePinBlock(Uint8Array.of(1, 2, 3, 4), 4, out, 0)).toBe(8);
    expect(toHex(out)).toBe("241234ffffffffff");
    expect(encodePinBlock(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2), 12, out, 0)).toBe(8);
    expect(toHex(out)).toBe("2c123456789012ff");
    expect(checkPinBlock(out, 0, 8)).toBe(12);
    for (const bad of ["341234ffffffffff", "231234ffffffffff", "24123affffffffff", "241234fffffffff0", "2d1234567890123f"]) expect(checkPinBlock(hex(bad), 0, 8)).toBe(ERR_CARD_BAD_PIN_BLOCK);
  });
});

describe("decoder refusals", () => {
  it("identity: length, format, role bits, text", () => {
    const good = new Uint8Array(52);
    good[0] = 1;
    const id = new L.Identity();
    expect(L.decodeIdentity(good, 0, 51, id)).toBe(ERR_TRUNCATED);
    expect(L.decodeIdentity(new Uint8Array(53), 0, 53, id)).toBe(ERR_OVERLONG);
    const f = good.slice(); f[0] = 2;
    expect(L.decodeIdentity(f, 0, 52, id)).toBe(ERR_CARD_BAD_FORMAT);
    const r = good.slice(); r[10] = 0x80;
    expect(L.decodeIdentity(r, 0, 52, id)).toBe(ERR_CARD_BAD_FIELD);
    const t = good.slice(); t[12] = 0x41; t[14] = 0x41;
    expect(L.decodeIdentity(t, 0, 52, id)).toBe(ERR_CARD_BAD_TEXT);
    const c = good.slice(); c[36] = 0x07;
    expect(L.decodeIdentity(c, 0, 52, id)).toBe(ERR_CARD_BAD_TEXT);
  });

  it("settings: minutes, day mask, flags, codes, text", () => {
    const s = new L.Settings();
    const out = new Uint8Array(75);
    L.encodeSettings(s, out, 0, 75);
    out.fill(0xff, 15, 27);
    expect(L.decodeSettings(out, 0, 75, new L.Settings())).toBe(75);
    const cases: [number, number, number][] = [[10, 0x06, ERR_CARD_BAD_FIELD], [9, 0x80, ERR_CARD_BAD_FIELD], [14, 0x04, ERR_CARD_BAD_FIELD], [15, 0xa0, ERR_CARD_BAD_CODE], [16, 0x1f, ERR_CARD_BAD_CODE], [27, 0x01, ERR_CARD_BAD_TEXT]];
    for (const [at, value, err] of cases) {
      const bad = out.slice();
      bad[at] = value;
      if (at === 16) bad[15] = 0xf1;
      expect(L.decodeSettings(bad, 0, 75, new L.Settings()), `byte ${at}`).toBe(err);
    }
  });

  it("server time count above 16, cursor first > next", () => {
    const st = new Uint8Array(5 + 8 * 17);
    st[4] = 17;
    expect(L.decodeServerTime(st, 0, st.length, new L.ServerTime())).toBe(ERR_CARD_TOO_MANY);
    const cur = new Uint8Array(32);
    cur[3] = 1;
    expect(L.decodeUploadCursor(cur, 0, 32, new L.UploadCursor())).toBe(ERR_CARD_BAD_FIELD);
  });
});

describe("keys and MACs against @noble/ciphers CMAC", () => {
  /** The SCP03-layout KDF block for one purpose, built by hand from spec §5. */
  function kdfBlock(constant: number, label: string, association: number, device: number): Uint8Array {
    const b = new Uint8Array(32);
    b[11] = constant;
    b[13] = 0x00;
    b[14] = 0x80;
    b[15] = 0x01;
    b.set(new TextEncoder().encode(label), 16);
    const v = new DataView(b.buffer);
    v.setUint32(24, association);
    v.setUint32(28, device);
    return b;
  }

  it("every purpose derives CMAC(master, KDF block) with its own constant and label", () => {
    const master = hex("2b7e151628aed2a6abf7158809cf4f3c");
    const purposes: [number, string][] = [[KEY_CARD_AUTH_ENC, "CARDAENC"], [KEY_CARD_AUTH_MAC, "CARDAMAC"], [KEY_CARD_SERVER_ENC, "CARDSENC"], [KEY_CARD_SERVER_MAC, "CARDSMAC"], [KEY_LOCKBOX_AUDIT, "LBXAUDIT"], [KEY_CARS, "ASSNCARS"], [KEY_DENYLIST, "ASSNDENY"]];
    const seen = new Set<string>();
    for (const [purpose, label] of purposes) {
      const out = new Uint8Array(16);
      expect(deriveKey(bc, master, 0, purpose, 257, 12345678, out, 0)).toBe(true);
      expect(toHex(out)).toBe(toHex(cmac(kdfBlock(purpose, label, 257, 12345678), master)));
      seen.add(toHex(out));
    }
    expect(seen.size).toBe(purposes.length);
    expect(keyContext(0x40, 1, 2, new Uint8Array(16), 0)).toBe(false);
  });

  it("spec §5 example: audit key of box 123456, association 257", () => {
    const ctx = new Uint8Array(16);
    keyContext(KEY_LOCKBOX_AUDIT, 257, 123456, ctx, 0);
    expect(toHex(ctx)).toBe("4c42584155444954000001010001e240");
    const key = new Uint8Array(16);
    deriveKey(bc, hex("000102030405060708090a0b0c0d0e0f"), 0, KEY_LOCKBOX_AUDIT, 257, 123456, key, 0);
    expect(toHex(key)).toBe(toHex(cmac(kdfBlock(KEY_LOCKBOX_AUDIT, "LBXAUDIT", 257, 123456), hex("000102030405060708090a0b0c0d0e0f"))));
  });

  it("audit record MAC = first 8 bytes of CMAC over bytes 0..29; any change fails it", () => {
    const key = hex("5999ebcc215d5a29e6c69e1b03e64596");
    const r = new AuditRecord();
    Object.assign(r, { lockboxId: 123456, sequence: 41, utc: 1764250000, eventType: 1, cardSerial: 12345678 });
    const buf = new Uint8Array(AUDIT_RECORD_SIZE);
    encodeAuditRecord(r, buf, 0, buf.length);
    sealAuditRecord(bc, key, 0, buf, 0);
    expect(toHex(buf.subarray(30))).toBe(toHex(cmac(buf.subarray(0, 30), key).subarray(0, 8)));
    expect(auditRecordMacValid(bc, key, 0, buf, 0)).toBe(true);
    for (let i = 0; i < AUDIT_RECORD_SIZE; i++) {
      const bad = buf.slice();
      bad[i] ^= 0x10;
      expect(auditRecordMacValid(bc, key, 0, bad, 0)).toBe(false);
    }
  });

  it("denylist MAC, lookup, expiry", () => {
    const key = hex("8b0857a3eecbd2e927e66debfc8913f4");
    const list = new Uint8Array(denylistSize(3));
    const v = new DataView(list.buffer);
    v.setUint32(0, 9);
    v.setUint16(4, 3);
    [[10, 500], [20, 1500], [30, 2500]].forEach(([s, e], i) => {
      v.setUint32(6 + 8 * i, s);
      v.setUint32(10 + 8 * i, e);
    });
    sealDenylist(bc, key, 0, list, 0, 3);
    expect(toHex(list.subarray(30))).toBe(toHex(cmac(list.subarray(0, 30), key)));
    expect(checkDenylist(list, 0, list.length, 3)).toBe(3);
    expect(checkDenylist(list, 0, list.length, 2)).toBe(ERR_CARD_TOO_MANY);
    expect(denylistMacValid(bc, key, 0, list, 0, 3)).toBe(true);
    list[7] ^= 1;
    expect(denylistMacValid(bc, key, 0, list, 0, 3)).toBe(false);
    list[7] ^= 1;
    expect([10, 20, 30, 15].map((s) => denylistDenies(list, 0, 3, s, 1000))).toEqual([false, true, true, false]);
  });
});

interface Codec<T> {
  name: string;
  make(): T;
  decode(buf: Uint8Array, off: number, len: number, into: T): number;
  encode(v: T, out: Uint8Array, off: number, cap: number): number;
  size: number;
}

const codecs: Codec<object>[] = [
  { name: "identity", make: () => new L.Identity(), decode: L.decodeIdentity, encode: L.encodeIdentity, size: 52 },
  { name: "authorization", make: () => new L.Authorization(), decode: L.decodeAuthorization, encode: L.encodeAuthorization, size: 21 },
  { name: "CARS extension", make: () => new L.CarsExtension(), decode: L.decodeCarsExtension, encode: L.encodeCarsExtension, size: 10 },
  { name: "settings", make: () => new L.Settings(), decode: L.decodeSettings, encode: L.encodeSettings, size: 75 },
  { name: "server time", make: () => new L.ServerTime(), decode: L.decodeServerTime, encode: L.encodeServerTime, size: 21 },
  { name: "upload cursor", make: () => new L.UploadCursor(), decode: L.decodeUploadCursor, encode: L.encodeUploadCursor, size: 32 },
  { name: "receipt", make: () => new L.Receipt(), decode: L.decodeReceipt, encode: L.encodeReceipt, size: 16 },
  { name: "status", make: () => new L.CardStatus(), decode: L.decodeCardStatus, encode: L.encodeCardStatus, size: 22 },
  { name: "audit record", make: () => new AuditRecord(), decode: decodeAuditRecord, encode: encodeAuditRecord, size: 38 },
] as Codec<object>[];

function snapshot(o: object): string {
  return JSON.stringify(o, (_k, v) => (ArrayBuffer.isView(v) ? Array.from(v as Uint8Array) : v));
}

describe("fuzz every decoder (seed 0xca4d, 3000 inputs each)", () => {
  for (const c of codecs) {
    it(`${c.name}: never throws; errors leave the target unchanged; successes round-trip`, () => {
      const rng = new Rng(0xca4d);
      const seedBuf = new Uint8Array(c.size);
      const valid = c.make();
      if (c.name === "server time") seedBuf[4] = 2;
      if (c.name === "audit record") seedBuf[12] = 1;
      if (c.name !== "CARS extension" && c.name !== "server time" && c.name !== "upload cursor" && c.name !== "receipt" && c.name !== "status" && c.name !== "audit record") seedBuf[0] = 1;
      if (c.name === "settings") seedBuf.fill(0xff, 15, 27);
      expect(c.decode(seedBuf, 0, seedBuf.length, valid)).toBeGreaterThan(0);
      let ok = 0;
      for (let i = 0; i < 3000; i++) {
        const input = rng.bool() ? rng.mutate(seedBuf) : rng.bytes(rng.int(0, c.size + 4));
        const into = c.make();
        const before = snapshot(into);
        const n = c.decode(input, 0, input.length, into);
        if (n < 0) {
          expect(snapshot(into)).toBe(before);
          continue;
        }
        ok++;
        const out = new Uint8Array(n);
        expect(c.encode(into, out, 0, n)).toBe(n);
        expect(toHex(out)).toBe(toHex(input.subarray(0, n)));
      }
      expect(ok).toBeGreaterThan(0);
    });
  }

  it("denylist and PIN block checks never throw on mutated input", () => {
    const rng = new Rng(0xd311);
    const base = new Uint8Array(denylistSize(4));
    new DataView(base.buffer).setUint16(4, 4);
    for (let i = 0; i < 4; i++) base[9 + 8 * i] = i + 1;
    expect(checkDenylist(base, 0, base.length, 8)).toBe(4);
    for (let i = 0; i < 3000; i++) {
      const m = rng.mutate(base);
      const n = checkDenylist(m, 0, m.length, 8);
      expect(n === 4 || n < 0 || (n >= 0 && m.length === denylistSize(n))).toBe(true);
      const p = rng.mutate(hex("241234ffffffffff"));
      const d = checkPinBlock(p, 0, p.length);
      expect(d === ERR_CARD_BAD_PIN_BLOCK || (d >= 4 && d <= 12)).toBe(true);
    }
  });
});
