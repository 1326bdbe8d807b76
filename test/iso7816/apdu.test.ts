// ISO 7816-4 APDUs: the APDUs carried inside the published T=1 blocks, the seven cases of ISO 7816-3
// §12.1.3 written out by hand, each Lc/Le inconsistency, and the status-word names.
import { describe, it, expect } from "vitest";
import { CommandApdu, ResponseApdu, decodeCommandApdu, encodeCommandApdu, decodeResponseApdu, encodeResponseApdu } from "../../protocol/iso7816/apdu.ts";
import { statusWordName, swParameter } from "../../protocol/iso7816/sw.ts";
import { ERR_TRUNCATED, ERR_OUTPUT_TOO_SMALL, ERR_BAD_ARGUMENT } from "../../protocol/errors.ts";
import { ERR_APDU_LC_MISMATCH, ERR_APDU_BAD_EXTENDED, ERR_APDU_EXT_LC_MISMATCH } from "../../protocol/iso7816/errors.ts";
import { loadVectors, hex, toHex } from "../support/vectors.ts";

const t1 = loadVectors("t1_blocks.json");
const infOf = (id: string): string => [...t1.lrc_blocks_observed, ...t1.lrc_blocks_constructed, ...t1.crc_blocks_linux_ccid]
  .find((b: { id?: string }) => b.id === id).INF_hex;

function decode(h: string): { r: number; c: CommandApdu; data: string } {
  const bytes = hex(h);
  const c = new CommandApdu();
  const r = decodeCommandApdu(bytes, 0, bytes.length, c);
  return { r, c, data: r < 0 ? "" : toHex(bytes.subarray(c.dataOff, c.dataOff + c.nc)) };
}

function reencode(h: string): string {
  const bytes = hex(h);
  const c = new CommandApdu();
  decodeCommandApdu(bytes, 0, bytes.length, c);
  const out = new Uint8Array(bytes.length + 8);
  return toHex(out.subarray(0, encodeCommandApdu(c, bytes, c.dataOff, out, 0, out.length)));
}

describe("command APDU cases (ISO 7816-3 §12.1.3)", () => {
  const cases: [string, string, number, boolean, number, string, number][] = [
    // [source, hex, case, extended, Nc, data, Ne]
    ["observed I-block: SELECT by AID 112233445566", infOf("i_block_ns1_select"), 3, false, 6, "112233445566", 0],
    ["observed CRC I-block: SELECT MF, Le 00", infOf("linux_i_block_select_mf"), 2, false, 0, "", 256],
    ["observed I-block: 13-byte case-3 APDU", infOf("i_block_ns0_apdu_13"), 3, false, 8, "378edecd843bf4e0", 0],
    ["constructed I-block: GET RESPONSE Le 16", infOf("i_ns1_m0_get_response"), 2, false, 0, "", 16],
    ["chaining example APDU", "00a4040008a000000003000000", 3, false, 8, "a000000003000000", 0],
    ["case 1", "00a40000", 1, false, 0, "", 0],
    ["case 4S, Le 00 = 256", "00a4040002aabb00", 4, false, 2, "aabb", 256],
    ["case 2E, Le 0000 = 65536", "00b00000000000", 2, true, 0, "", 65536],
    ["case 2E, Le 0102", "00b00000000102", 2, true, 0, "", 258],
    ["case 3E", "00d60000000003010203", 3, true, 3, "010203", 0],
    ["case 4E", "00d600000000030102030100", 4, true, 3, "010203", 256],
  ];
  for (const [name, h, apduCase, extended, nc, data, ne] of cases) {
    it(`${name}: ${h}`, () => {
      const { r, c, data: d } = decode(h);
      expect(r).toBe(h.length / 2);
      expect([c.apduCase, c.extended, c.nc, d, c.ne]).toEqual([apduCase, extended, nc, data, ne]);
      expect(reencode(h)).toBe(h);
    });
  }

  it("refuses each inconsistent Lc/Le with its own error", () => {
    expect(decode("00a400").r).toBe(ERR_TRUNCATED);
    expect(decode("00a4040002aa").r).toBe(ERR_APDU_LC_MISMATCH);
    expect(decode("00a4040002aabbccdd").r).toBe(ERR_APDU_LC_MISMATCH);
    expect(decode("00a400000000").r).toBe(ERR_APDU_BAD_EXTENDED);
    expect(decode("00a40000000000aa").r).toBe(ERR_APDU_BAD_EXTENDED);
    expect(decode("00d600000000030102").r).toBe(ERR_APDU_EXT_LC_MISMATCH);
    expect(decode("00d6000000000301020301").r).toBe(ERR_APDU_EXT_LC_MISMATCH);
  });

  it("picks the extended form only when Nc > 255 or Ne > 256, and validates arguments", () => {
    const data = new Uint8Array(300).map((_, i) => i);
    const out = new Uint8Array(400);
    expect(encodeCommandApdu(new CommandApdu().set(0, 0xb0, 0, 0, 0, 256, false), data, 0, out, 0, 400)).toBe(5);
    expect(toHex(out.subarray(0, 5))).toBe("00b0000000");
    expect(encodeCommandApdu(new CommandApdu().set(0, 0xb0, 0, 0, 0, 257, false), data, 0, out, 0, 400)).toBe(7);
    expect(toHex(out.subarray(0, 7))).toBe("00b00000000101");
    const n = encodeCommandApdu(new CommandApdu().set(0x80, 0xd6, 0, 0, 300, 0, false), data, 0, out, 0, 400);
    expect(n).toBe(307);
    expect(toHex(out.subarray(0, 8))).toBe("80d600000001" + "2c00");
    expect(encodeCommandApdu(new CommandApdu().set(0, 0, 0, 0, 70000, 0, false), data, 0, out, 0, 400)).toBe(ERR_BAD_ARGUMENT);
    const before = toHex(out);
    expect(encodeCommandApdu(new CommandApdu().set(0x80, 0xd6, 0, 0, 300, 0, false), data, 0, out, 0, 306)).toBe(ERR_OUTPUT_TOO_SMALL);
    expect(toHex(out)).toBe(before);
  });
});

describe("response APDUs and status words", () => {
  it("splits the published responses into data and SW", () => {
    const r = new ResponseApdu();
    for (const [id, dataLen, sw] of [["i_block_ns0_sw_6d00", 0, 0x6d00], ["i_block_ns0_sw_9000", 0, 0x9000], ["i_block_ns0_147_bytes", 145, 0x9000]] as const) {
      const bytes = hex(infOf(id));
      expect(decodeResponseApdu(bytes, 0, bytes.length, r)).toBe(bytes.length);
      expect([r.dataLen, r.sw]).toEqual([dataLen, sw]);
      const out = new Uint8Array(bytes.length);
      expect(encodeResponseApdu(bytes, r.dataOff, r.dataLen, r.sw, out, 0, out.length)).toBe(bytes.length);
      expect(toHex(out)).toBe(toHex(bytes));
    }
    expect(decodeResponseApdu(hex("90"), 0, 1, r)).toBe(ERR_TRUNCATED);
  });

  it("names the status words of ISO 7816-4 table 5/6, by family for 61xx, 6Cxx, 63Cx", () => {
    const names: [number, string][] = [
      [0x9000, "SW_OK"], [0x6110, "SW_BYTES_AVAILABLE"], [0x6c20, "SW_WRONG_LE"], [0x63c2, "SW_VERIFY_FAILED"],
      [0x6700, "SW_WRONG_LENGTH"], [0x6982, "SW_SECURITY_NOT_SATISFIED"], [0x6983, "SW_AUTH_BLOCKED"],
      [0x6985, "SW_CONDITIONS_NOT_SATISFIED"], [0x6a80, "SW_WRONG_DATA"], [0x6a82, "SW_FILE_NOT_FOUND"],
      [0x6a84, "SW_NOT_ENOUGH_MEMORY"], [0x6a86, "SW_WRONG_P1P2"], [0x6b00, "SW_WRONG_P1P2_OFFSET"],
      [0x6d00, "SW_INS_NOT_SUPPORTED"], [0x6e00, "SW_CLA_NOT_SUPPORTED"], [0x6988, "SW_SM_OBJECTS_INCORRECT"],
      [0x6581, "SW_MEMORY_FAILURE"], [0x1234, ""],
    ];
    for (const [sw, name] of names) expect(statusWordName(sw)).toBe(name);
    expect(swParameter(0x6110)).toBe(0x10);
    expect(swParameter(0x63c2)).toBe(2);
    expect(swParameter(0x9000)).toBe(-1);
  });
});
