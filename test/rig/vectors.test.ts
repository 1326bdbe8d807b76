// The worked examples of protocol/SPEC.md Rig §9: each frame is in the spec's text, its CRC agrees
// with the bitwise CRC-16/AUG-CCITT oracle, it decodes (in both builds) to the fields the spec's
// annotation states, and encoding those fields gives the same bytes back.
import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { bitwiseCrc16 } from "../support/oracles.ts";
import { hex, toHex } from "../support/vectors.ts";
import { h, out } from "./harness.ts";
import { fieldValue } from "./gen.ts";
import * as D from "../wasm/rig-drivers.ts";
import * as M from "../../protocol/rig/messages.ts";
import { ERR_RIG_SLOT_BUSY, ERR_RIG_UNKNOWN_TYPE, ERR_RIG_BAD_CRC } from "../../protocol/rig/errors.ts";

const ascii = (s: string): number[] => Array.from(new TextEncoder().encode(s));

/** Spec §9, line by line: the frame and what its annotation says. */
const EXAMPLES: { frame: string; fields: Record<string, unknown> }[] = [
  { frame: "a501010101015bd2", fields: { type: M.RIG_HELLO, seq: 1, flags: 1 } },
  {
    frame: "a5018101150000010100ff000013896c6f636b626f782073696da8c8",
    fields: { type: 0x81, seq: 1, status: 0, kind: M.RIG_KIND_SIMULATOR, device: M.RIG_DEVICE_LOCKBOX, caps: 0xff, deviceId: 5001, text: ascii("lockbox sim") },
  },
  { frame: "a501020200864b", fields: { type: M.RIG_STATUS, seq: 2 } },
  {
    frame: "a50182021500000101000003e9177000000003000030390000001e98",
    fields: { type: 0x82, seq: 2, status: 0, state: 1, present: true, serial: 1001, millivolts: 6000, flashWrites: 3, time: 12345, mode: 0, framesDropped: 0 },
  },
  { frame: "a501050304000003e9fb4b", fields: { type: M.RIG_INSERT, seq: 3, serial: 1001 } },
  { frame: "a501850302fef3faf3", fields: { type: 0x85, seq: 3, status: ERR_RIG_SLOT_BUSY } },
  { frame: "a50107040900500096010203040bf4f9", fields: { type: M.RIG_KEYS, seq: 4, holdMs: 80, gapMs: 150, keys: [1, 2, 3, 4, 11] } },
  { frame: "a501870402000000ef", fields: { type: 0x87, seq: 4, status: 0 } },
  { frame: "a5010405050100000001ff28", fields: { type: M.RIG_CUT, seq: 5, mode: M.RIG_CUT_FLASH_WRITE, value: 1 } },
  { frame: "a50103060101332a", fields: { type: M.RIG_POWER, seq: 6, state: 1 } },
  { frame: "a50109070569aed96801e3f4", fields: { type: M.RIG_RTC, seq: 7, utc: Date.parse("2026-03-09T14:30:00Z") / 1000, rtcValid: true } },
  { frame: "a50108080210cc1347", fields: { type: M.RIG_BATTERY, seq: 8, millivolts: 4300 } },
  { frame: "a5010609008671", fields: { type: M.RIG_REMOVE, seq: 9 } },
  { frame: "a5014601090000271001000003e9b616", fields: { type: M.RIG_EV_CARD, seq: 1, time: 10000, present: true, serial: 1001 } },
  { frame: "a5014702050000271101418c", fields: { type: M.RIG_EV_CONTACTS, seq: 2, time: 10001, state: 1 } },
  { frame: "a501480305000027a601a7b5", fields: { type: M.RIG_EV_KEY, seq: 3, time: 10150, keys: [1] } },
  { frame: "a5014107060000303902002eef", fields: { type: M.RIG_EV_LIGHTS, seq: 7, time: 12345, steady: 2, flashing: 0 } },
  { frame: "a501420807000030390100c845f0", fields: { type: M.RIG_EV_BUZZER, seq: 8, time: 12345, count: 1, ms: 200 } },
  { frame: "a50143090700003039001388e842", fields: { type: M.RIG_EV_RELEASE, seq: 9, time: 12345, actuator: 0, ms: 5000 } },
  { frame: "a501440a0a0000303a6f70656e6564d645", fields: { type: M.RIG_EV_DEBUG, seq: 10, time: 12346, text: ascii("opened") } },
  { frame: "a501450b0a00004e20000100000001fa96", fields: { type: M.RIG_EV_POWER, seq: 11, time: 20000, state: 0, cause: M.RIG_CAUSE_CUT_FLASH, detail: 1 } },
  { frame: "a501ff0c03fef930b41e", fields: { type: M.RIG_NAK, seq: 12, status: ERR_RIG_UNKNOWN_TYPE, refusedType: 0x30 } },
  { frame: "a5014f0c0700005014fefa013d3c", fields: { type: M.RIG_EV_FRAME_ERROR, seq: 12, time: 20500, status: ERR_RIG_BAD_CRC, version: 1 } },
];

const spec = readFileSync(new URL("../../protocol/SPEC.md", import.meta.url), "utf8");
const section = spec.slice(spec.indexOf("## Rig §9 Worked examples"));
/** The §9 code block with every space removed, so wrapped frames read as one string. */
const block = section.slice(section.indexOf("```"), section.indexOf("```", section.indexOf("```") + 3)).replace(/\s+/g, "");

describe("protocol/SPEC.md Rig §9 worked examples", () => {
  it("every example frame is in the spec's text", () => {
    for (const e of EXAMPLES) expect(block, e.frame).toContain(e.frame);
    expect(EXAMPLES.length).toBe((block.match(/a501/g) ?? []).length);
  });

  for (const e of EXAMPLES) {
    it(`${e.frame.slice(0, 16)}…: CRC by the bitwise oracle, the annotated fields, both builds, and back to the same bytes`, () => {
      const f = hex(e.frame);
      expect(bitwiseCrc16(0x1021, 0x1d0f, f.subarray(0, f.length - 2))).toBe((f[f.length - 2] << 8) | f[f.length - 1]);
      const m = new M.RigMessage();
      expect(M.decodeMessage(f, 0, f.length, M.RIG_EITHER_WAY, m)).toBe(f.length);
      for (const [name, want] of Object.entries(e.fields)) expect(fieldValue(m, name), name).toEqual(want);
      const again = new Uint8Array(f.length);
      expect(M.encodeMessage(m, again, 0, again.length)).toBe(f.length);
      expect(toHex(again)).toBe(e.frame);
      h.setInput(f);
      const w = h.exports.decode(f.length, M.RIG_EITHER_WAY);
      expect(w).toBe(D.driveDecode(f, f.length, M.RIG_EITHER_WAY, out));
      expect(toHex(h.output(w))).toBe(toHex(out.subarray(0, w)));
    });
  }
});
