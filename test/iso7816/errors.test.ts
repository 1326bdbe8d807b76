// Every way an ISO 7816 message can be wrong gets its own error, and a failed decode or encode
// leaves the caller's object and buffer untouched.
import { describe, it, expect } from "vitest";
import { Atr, decodeAtr } from "../../protocol/iso7816/atr.ts";
import { Pps, decodePps, ppsAccepted, ppsCardAccepts } from "../../protocol/iso7816/pps.ts";
import { T1Block, decodeT1Block, encodeT1Block, T1_EDC_LRC, T1_EDC_CRC } from "../../protocol/iso7816/t1.ts";
import { ERR_TRUNCATED, ERR_OVERLONG, ERR_OUTPUT_TOO_SMALL, ERR_BAD_ARGUMENT, OK } from "../../protocol/errors.ts";
import * as E from "../../protocol/iso7816/errors.ts";
import { hex, toHex } from "../support/vectors.ts";

/** Appends the LRC (XOR of all bytes) — written here independently of protocol/crc.ts. */
function withLrc(h: string): Uint8Array {
  const b = hex(h);
  return Uint8Array.from([...b, b.reduce((x, y) => x ^ y, 0)]);
}
/** Appends the ATR TCK (XOR of T0..last). */
function withTck(h: string): Uint8Array {
  const b = hex(h);
  return Uint8Array.from([...b, b.subarray(1).reduce((x, y) => x ^ y, 0)]);
}

describe("T=1 block errors", () => {
  const cases: [string, Uint8Array, number, number][] = [
    ["prologue cut short", hex("0000"), 254, ERR_TRUNCATED],
    ["LEN FF is reserved", hex("0000ff"), 254, E.ERR_T1_BAD_LEN],
    ["INF shorter than LEN", hex("00000390"), 254, ERR_TRUNCATED],
    ["bytes after the EDC", hex("0000029000920000"), 254, ERR_OVERLONG],
    ["wrong LRC", hex("000002900093"), 254, E.ERR_T1_BAD_EDC],
    ["I-block with a reserved PCB bit", withLrc("0001029000"), 254, E.ERR_T1_BAD_PCB],
    ["R-block with b6 set", withLrc("00a000"), 254, E.ERR_T1_BAD_PCB],
    ["R-block with error code 3", withLrc("008300"), 254, E.ERR_T1_BAD_PCB],
    ["S-block function 5", withLrc("00c500"), 254, E.ERR_T1_BAD_PCB],
    ["S(VPP error) as a request", withLrc("00c400"), 254, E.ERR_T1_BAD_PCB],
    ["R-block carrying INF", withLrc("00800100"), 254, E.ERR_T1_BAD_CONTROL_INF],
    ["S(IFS) without INF", withLrc("00c100"), 254, E.ERR_T1_BAD_CONTROL_INF],
    ["S(IFS) with IFS 00", withLrc("00c10100"), 254, E.ERR_T1_BAD_CONTROL_INF],
    ["S(IFS) with IFS FF", withLrc("00c101ff"), 254, E.ERR_T1_BAD_CONTROL_INF],
    ["S(WTX) with multiplier 00", withLrc("00c30100"), 254, E.ERR_T1_BAD_CONTROL_INF],
    ["S(RESYNCH) with INF", withLrc("00c00101"), 254, E.ERR_T1_BAD_CONTROL_INF],
    ["INF longer than the receiver's IFS", withLrc("000003010203"), 2, E.ERR_T1_INF_TOO_LONG],
  ];
  for (const [name, bytes, maxInf, code] of cases) {
    it(`${name} → ${E.iso7816ErrorName(code) || code}`, () => {
      const b = new T1Block();
      b.nad = 0x55;
      expect(decodeT1Block(bytes, 0, bytes.length, T1_EDC_LRC, maxInf, b)).toBe(code);
      expect(b.nad).toBe(0x55);
    });
  }

  it("a CRC-mode block is one byte longer than its LRC form would be", () => {
    const b = new T1Block();
    expect(decodeT1Block(hex("000002900092"), 0, 6, T1_EDC_CRC, 254, b)).toBe(ERR_TRUNCATED);
  });

  it("the encoder refuses what the decoder would refuse and writes nothing", () => {
    const out = new Uint8Array(8).fill(0xee);
    const inf = new Uint8Array(300);
    expect(encodeT1Block(0, 0x00, inf, 0, 255, T1_EDC_LRC, out, 0, 8)).toBe(ERR_BAD_ARGUMENT);
    expect(encodeT1Block(0, 0x01, inf, 0, 0, T1_EDC_LRC, out, 0, 8)).toBe(E.ERR_T1_BAD_PCB);
    expect(encodeT1Block(0, 0xc1, inf, 0, 1, T1_EDC_LRC, out, 0, 8)).toBe(E.ERR_T1_BAD_CONTROL_INF);
    expect(encodeT1Block(0, 0x00, inf, 0, 5, T1_EDC_LRC, out, 0, 8)).toBe(ERR_OUTPUT_TOO_SMALL);
    expect(encodeT1Block(0, 0x00, inf, 0, 0, 7, out, 0, 8)).toBe(ERR_BAD_ARGUMENT);
    expect(toHex(out)).toBe("ee".repeat(8));
  });
});

describe("ATR errors", () => {
  const cases: [string, Uint8Array, number][] = [
    ["empty", new Uint8Array(0), ERR_TRUNCATED],
    ["TS 3A", hex("3a00"), E.ERR_ATR_BAD_TS],
    ["T0 only", hex("3b"), ERR_TRUNCATED],
    ["historical bytes missing", hex("3b0241"), ERR_TRUNCATED],
    ["trailing byte", hex("3b004100"), ERR_OVERLONG],
    ["bad TCK", hex("3b800100"), E.ERR_ATR_BAD_TCK],
    ["TA1 with RFU Fi 7", withTck("3b907101"), E.ERR_ATR_BAD_TA1],
    ["TA1 with RFU Di 0", withTck("3b901001"), E.ERR_ATR_BAD_TA1],
    ["IFSC 00", withTck("3b80811100"), E.ERR_ATR_BAD_T1_PARAM],
    ["IFSC FF", withTck("3b808111ff"), E.ERR_ATR_BAD_T1_PARAM],
    ["BWI 10", withTck("3b808121a5"), E.ERR_ATR_BAD_T1_PARAM],
    ["announces more than 33 bytes", hex("3bff" + "ff".repeat(31)), E.ERR_ATR_TOO_LONG],
    ["15 historical bytes after 17 interface bytes", hex("3b8f" + "80".repeat(16) + "01" + "00".repeat(15)), E.ERR_ATR_TOO_LONG],
  ];
  for (const [name, bytes, code] of cases) {
    it(`${name} → ${E.iso7816ErrorName(code) || code}`, () => {
      const a = new Atr();
      a.t0 = 0x77;
      expect(decodeAtr(bytes, 0, bytes.length, a)).toBe(code);
      expect(a.t0).toBe(0x77);
    });
  }
});

describe("PPS errors and acceptance", () => {
  const cases: [string, string, number][] = [
    ["PPSS not FF", "fe1196", E.ERR_PPS_BAD_PPSS],
    ["PPS0 bit 8", "ff9196", E.ERR_PPS_BAD_PPS0],
    ["missing PCK", "ff1196", ERR_TRUNCATED],
    ["trailing byte", "ff11967800", ERR_OVERLONG],
    ["bad PCK", "ff119679", E.ERR_PPS_BAD_PCK],
    ["PPS1 with RFU Di", "ff1190" + (0xff ^ 0x11 ^ 0x90).toString(16), E.ERR_PPS_BAD_PPS1],
  ];
  for (const [name, h, code] of cases) {
    it(`${name} → ${E.iso7816ErrorName(code) || code}`, () => {
      expect(decodePps(hex(h), 0, h.length / 2, new Pps())).toBe(code);
    });
  }

  it("the reader accepts an echo or a response without PPS1, and nothing else", () => {
    const req = new Pps().set(1, 0x96, -1, -1);
    expect(ppsAccepted(req, new Pps().set(1, 0x96, -1, -1))).toBe(0x96);
    expect(ppsAccepted(req, new Pps().set(1, -1, -1, -1))).toBe(0x11);
    expect(ppsAccepted(req, new Pps().set(0, 0x96, -1, -1))).toBe(E.ERR_PPS_REJECTED);
    expect(ppsAccepted(req, new Pps().set(1, 0x95, -1, -1))).toBe(E.ERR_PPS_REJECTED);
    expect(ppsAccepted(req, new Pps().set(1, 0x96, 0x01, -1))).toBe(E.ERR_PPS_REJECTED);
  });

  it("the card accepts its own TA1 or a slower Di with the same Fi, on a protocol it offers", () => {
    const t1Only = 1 << 1;
    expect(ppsCardAccepts(new Pps().set(1, 0x96, -1, -1), t1Only, 0x96)).toBe(OK);
    expect(ppsCardAccepts(new Pps().set(1, 0x95, -1, -1), t1Only, 0x96)).toBe(OK);
    expect(ppsCardAccepts(new Pps().set(1, 0x11, -1, -1), t1Only, 0x96)).toBe(OK);
    expect(ppsCardAccepts(new Pps().set(1, 0x97, -1, -1), t1Only, 0x96)).toBe(E.ERR_PPS_REJECTED);
    expect(ppsCardAccepts(new Pps().set(1, 0x18, -1, -1), t1Only, 0x13)).toBe(E.ERR_PPS_REJECTED);
    expect(ppsCardAccepts(new Pps().set(0, -1, -1, -1), t1Only, 0x96)).toBe(E.ERR_PPS_REJECTED);
  });
});
