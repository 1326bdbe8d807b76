// protocol/cars: the CARS code algorithm against the published RFC 6238 HMAC-SHA-256 TOTP vectors
// (an 8-byte counter is exactly the CARS message layout), digit parsing, the limit rules, and a
// seeded fuzz of the parsers. HMAC comes from node:crypto (independent of the code under test).
import { describe, it, expect } from "vitest";
import { createHmac } from "node:crypto";
import { carsMessage, carsCodeFromMac, carsCodeFromDigits, carsLimitsAllow, CarsLimits, CARS_MESSAGE_SIZE } from "../../protocol/cars/cars.ts";
import * as E from "../../protocol/cars/errors.ts";
import { loadVectors, hex } from "../support/vectors.ts";
import { Rng } from "../support/rng.ts";

interface Totp { secret_hex: string; digits: number; cases: { T_hex: string; totp: string }[] }

describe("CARS code = RFC 4226 §5.3 truncation of HMAC-SHA256, 8 digits", () => {
  const v = loadVectors<Totp>("rfc6238_totp_sha256.json");
  for (const c of v.cases) {
    it(`RFC 6238 T=${c.T_hex} → ${c.totp}`, () => {
      const t = hex(c.T_hex);
      const view = new DataView(t.buffer);
      const msg = new Uint8Array(CARS_MESSAGE_SIZE);
      // serial ‖ local day ‖ sequence is an 8-byte big-endian counter.
      carsMessage(view.getUint32(0), view.getUint16(4), view.getUint16(6), msg, 0);
      expect(Buffer.from(msg).toString("hex")).toBe(c.T_hex.toLowerCase());
      const mac = new Uint8Array(createHmac("sha256", hex(v.secret_hex)).update(msg).digest());
      expect(String(carsCodeFromMac(mac, 0)).padStart(8, "0")).toBe(c.totp);
    });
  }

  it("reads the MAC at an offset", () => {
    const mac = new Uint8Array(createHmac("sha256", "k").update("m").digest());
    const shifted = new Uint8Array(40);
    shifted.set(mac, 5);
    const truncated = (Buffer.from(mac).readUInt32BE(mac[31] & 0x0f) & 0x7fffffff) % 100_000_000;
    expect(carsCodeFromMac(shifted, 5)).toBe(truncated);
  });
});

describe("keyed digits", () => {
  it("exactly 8 digits 0..9", () => {
    expect(carsCodeFromDigits(Uint8Array.of(0, 1, 2, 3, 4, 5, 6, 7), 0, 8)).toBe(1234567);
    expect(carsCodeFromDigits(Uint8Array.of(9, 9, 9, 9, 9, 9, 9, 9, 1), 1, 8)).toBe(99999991);
    expect(carsCodeFromDigits(Uint8Array.of(1, 2, 3), 0, 3)).toBe(E.ERR_CARS_FORMAT);
    expect(carsCodeFromDigits(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 10), 0, 8)).toBe(E.ERR_CARS_FORMAT);
  });

  it("fuzz: any key sequence gives a code 0..99,999,999 or ERR_CARS_FORMAT", () => {
    const rng = new Rng(0xca45);
    for (let i = 0; i < 20000; i++) {
      const keys = Uint8Array.from({ length: rng.int(0, 12) }, () => rng.int(0, 12));
      const r = carsCodeFromDigits(keys, 0, keys.length);
      if (keys.length === 8 && keys.every((k) => k <= 9)) expect(r).toBe(Number(Array.from(keys).join("")));
      else expect(r).toBe(E.ERR_CARS_FORMAT);
    }
  });
});

describe("limits", () => {
  const limits = new CarsLimits();
  const month = 2026 * 12 + 2;
  const cases: [string, number[], number][] = [
    // [what, [carsMonth, monthCount, lastDay, consecutive, today, month], expected]
    ["first code ever", [0, 0, 0, 0, 20520, month], 0],
    ["third code this month", [month, 2, 20500, 1, 20520, month], 0],
    ["fourth code this month", [month, 3, 20500, 1, 20520, month], E.ERR_CARS_MONTH_LIMIT],
    ["new month resets the count", [month - 1, 3, 20500, 1, 20520, month], 0],
    ["second consecutive day", [month, 1, 20519, 1, 20520, month], 0],
    ["third consecutive day", [month, 2, 20519, 2, 20520, month], E.ERR_CARS_CONSECUTIVE_LIMIT],
    ["same day again", [month, 2, 20520, 2, 20520, month], 0],
    ["a day's gap", [month, 2, 20518, 2, 20520, month], 0],
  ];
  for (const [what, a, want] of cases) {
    it(`${what} → ${want === 0 ? "OK" : E.carsErrorName(want)}`, () => {
      expect(carsLimitsAllow(a[0], a[1], a[2], a[3], a[4], a[5], limits)).toBe(want);
    });
  }

  it("0 means no limit", () => {
    const none = new CarsLimits();
    none.perMonth = 0;
    none.consecutiveDays = 0;
    expect(carsLimitsAllow(month, 200, 20519, 30, 20520, month, none)).toBe(0);
  });
});
