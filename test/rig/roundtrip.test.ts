// protocol/rig against the spec's layouts (gen.ts builds each frame from protocol/SPEC.md Rig §1–§5
// independently of the codec): random messages of every type encode to exactly those bytes and
// decode back to their fields; each rule of the body tables is refused with its error; the encoder
// writes nothing when it refuses; the framer finds every intact frame in a noisy stream.
import { describe, it, expect } from "vitest";
import { Rng } from "../support/rng.ts";
import { toHex } from "../support/vectors.ts";
import { randomMessage, specFrame, fieldValue, COMMAND_TYPES, REPLY_TYPES, EVENT_TYPES, ALL_TYPES } from "./gen.ts";
import * as M from "../../protocol/rig/messages.ts";
import { RigFrame, RigFramer, decodeFrame } from "../../protocol/rig/frame.ts";
import * as E from "../../protocol/rig/errors.ts";
import { ERR_BAD_ARGUMENT, ERR_OUTPUT_TOO_SMALL, ERR_TRUNCATED, ERR_OVERLONG } from "../../protocol/errors.ts";

describe("rig messages against the spec's layouts", () => {
  it("20,000 random messages of all 28 types encode to the spec's frame and decode to their fields (seed 0x5201)", () => {
    const rng = new Rng(0x5201);
    const bad: string[] = [];
    const seen = new Set<number>();
    const buf = new Uint8Array(300);
    for (let n = 0; n < 20_000; n++) {
      const g = randomMessage(rng, ALL_TYPES[n % ALL_TYPES.length]);
      seen.add(g.msg.type);
      const len = M.encodeMessage(g.msg, buf, 0, buf.length);
      const d = new M.RigMessage();
      const r = M.decodeMessage(g.frame, 0, g.frame.length, M.RIG_EITHER_WAY, d);
      const wrongFields = g.fields.filter((f) => JSON.stringify(fieldValue(d, f)) !== JSON.stringify(fieldValue(g.msg, f)));
      if ((len !== g.frame.length || toHex(buf.subarray(0, len)) !== toHex(g.frame) || r !== g.frame.length || wrongFields.length) && bad.length < 5) {
        bad.push(`type ${g.msg.type.toString(16)}: encoded ${toHex(buf.subarray(0, Math.max(len, 0)))} spec ${toHex(g.frame)} decode ${r} fields ${wrongFields.join()}`);
      }
    }
    expect(bad).toEqual([]);
    expect(seen.size).toBe(28);
  });

  it("commands travel only to the fixture, replies and events only to the host (ERR_RIG_WRONG_DIRECTION)", () => {
    const rng = new Rng(0x5202);
    const d = new M.RigMessage();
    for (const type of COMMAND_TYPES) {
      const f = randomMessage(rng, type).frame;
      expect(M.decodeMessage(f, 0, f.length, M.RIG_TO_FIXTURE, d)).toBe(f.length);
      expect(M.decodeMessage(f, 0, f.length, M.RIG_TO_HOST, d)).toBe(E.ERR_RIG_WRONG_DIRECTION);
    }
    for (const type of [...REPLY_TYPES, ...EVENT_TYPES]) {
      const f = randomMessage(rng, type).frame;
      expect(M.decodeMessage(f, 0, f.length, M.RIG_TO_HOST, d)).toBe(f.length);
      expect(M.decodeMessage(f, 0, f.length, M.RIG_TO_FIXTURE, d)).toBe(E.ERR_RIG_WRONG_DIRECTION);
    }
  });

  it("every type the spec leaves undefined is ERR_RIG_UNKNOWN_TYPE", () => {
    const d = new M.RigMessage();
    const undefinedTypes = Array.from({ length: 256 }, (_, t) => t).filter((t) => !ALL_TYPES.includes(t));
    expect(undefinedTypes.length).toBe(256 - 28);
    for (const t of undefinedTypes) {
      const f = specFrame(t, 1, new Uint8Array(0));
      expect(M.decodeMessage(f, 0, f.length, M.RIG_EITHER_WAY, d), t.toString(16)).toBe(E.ERR_RIG_UNKNOWN_TYPE);
    }
  });

  /** Bodies each rule of Rig §2–§5 refuses, with the rule. */
  const BAD_BODIES: [string, number, number[]][] = [
    ["HELLO flags other than bit 0", M.RIG_HELLO, [0x02]],
    ["HELLO without flags", M.RIG_HELLO, []],
    ["STATUS with a body", M.RIG_STATUS, [0]],
    ["POWER state 2", M.RIG_POWER, [2]],
    ["CUT mode 3", M.RIG_CUT, [3, 0, 0, 0, 1]],
    ["CUT disarm with a value", M.RIG_CUT, [0, 0, 0, 0, 1]],
    ["CUT before flash write 0", M.RIG_CUT, [1, 0, 0, 0, 0]],
    ["CUT after 0 ms", M.RIG_CUT, [2, 0, 0, 0, 0]],
    ["INSERT with 3 serial bytes", M.RIG_INSERT, [0, 0, 3]],
    ["REMOVE with a body", M.RIG_REMOVE, [1]],
    ["KEYS without keys", M.RIG_KEYS, [0, 80, 0, 150]],
    ["KEYS with key 13", M.RIG_KEYS, [0, 80, 0, 150, 1, 13]],
    ["KEYS with 33 keys", M.RIG_KEYS, [0, 80, 0, 150, ...Array(33).fill(1)]],
    ["BATTERY with 3 bytes", M.RIG_BATTERY, [1, 2, 3]],
    ["RTC valid 2", M.RIG_RTC, [0, 0, 0, 1, 2]],
    ["a reply without status", 0x83, [0]],
    ["a reply with a positive status", 0x83, [0, 1]],
    ["an error reply with a body", 0x82, [0xfe, 0xf6, 0]],
    ["a POWER reply with a body", 0x83, [0, 0, 0]],
    ["HELLO reply kind 5", 0x81, [0, 0, 5, 1, 0, 0, 0, 0, 0, 1]],
    ["HELLO reply device 3", 0x81, [0, 0, 1, 3, 0, 0, 0, 0, 0, 1]],
    ["HELLO reply capability bit 8", 0x81, [0, 0, 1, 1, 1, 0, 0, 0, 0, 1]],
    ["HELLO reply text with a control byte", 0x81, [0, 0, 1, 1, 0, 0, 0, 0, 0, 1, 0x41, 0x0a]],
    ["HELLO reply text of 49 bytes", 0x81, [0, 0, 1, 1, 0, 0, 0, 0, 0, 1, ...Array(49).fill(0x41)]],
    ["STATUS reply power 2", 0x82, [0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]],
    ["STATUS reply no card but a serial", 0x82, [0, 0, 1, 0, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]],
    ["STATUS reply cut mode 3", 0x82, [0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0]],
    ["STATUS reply of 20 bytes", 0x82, [0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]],
    ["NAK with status 0", M.RIG_NAK, [0, 0, 1]],
    ["NAK without the type", M.RIG_NAK, [0xfe, 0xf9]],
    ["an event without its time", M.RIG_EV_LIGHTS, [0, 0, 1]],
    ["LIGHTS of 7 bytes", M.RIG_EV_LIGHTS, [0, 0, 0, 1, 2, 0, 0]],
    ["DEBUG with a control byte", M.RIG_EV_DEBUG, [0, 0, 0, 1, 0x41, 0x00]],
    ["DEBUG of 201 characters", M.RIG_EV_DEBUG, [0, 0, 0, 1, ...Array(201).fill(0x41)]],
    ["POWER event cause 4", M.RIG_EV_POWER, [0, 0, 0, 1, 0, 4, 0, 0, 0, 0]],
    ["POWER event state 2", M.RIG_EV_POWER, [0, 0, 0, 1, 2, 0, 0, 0, 0, 0]],
    ["CARD event removed with a serial", M.RIG_EV_CARD, [0, 0, 0, 1, 0, 0, 0, 0, 7]],
    ["CONTACTS state 2", M.RIG_EV_CONTACTS, [0, 0, 0, 1, 2]],
    ["KEY 13", M.RIG_EV_KEY, [0, 0, 0, 1, 13]],
    ["FRAME_ERROR with error 0", M.RIG_EV_FRAME_ERROR, [0, 0, 0, 1, 0, 0, 1]],
  ];

  for (const [rule, type, body] of BAD_BODIES) {
    it(`ERR_RIG_BAD_BODY: ${rule}; the target is left untouched`, () => {
      const f = specFrame(type, 7, Uint8Array.from(body));
      const d = new M.RigMessage();
      d.seq = 0x33;
      expect(M.decodeMessage(f, 0, f.length, M.RIG_EITHER_WAY, d)).toBe(E.ERR_RIG_BAD_BODY);
      expect(d.seq).toBe(0x33);
      expect(d.type).toBe(0);
    });
  }

  it("the frame checks come in the spec's order: SOF, version, length, CRC", () => {
    const f = specFrame(M.RIG_STATUS, 1, new Uint8Array(0));
    const fr = new RigFrame();
    expect(decodeFrame(Uint8Array.from([0x53, ...f.subarray(1)]), 0, f.length, fr)).toBe(E.ERR_RIG_BAD_SOF);
    expect(decodeFrame(Uint8Array.from([0xa5, 2, ...f.subarray(2)]), 0, f.length, fr)).toBe(E.ERR_RIG_BAD_VERSION);
    expect(decodeFrame(f, 0, f.length - 1, fr)).toBe(ERR_TRUNCATED);
    expect(decodeFrame(Uint8Array.from([...f, 0]), 0, f.length + 1, fr)).toBe(ERR_OVERLONG);
    const broken = f.slice();
    broken[f.length - 1] ^= 1;
    expect(decodeFrame(broken, 0, f.length, fr)).toBe(E.ERR_RIG_BAD_CRC);
    expect(decodeFrame(new Uint8Array(0), 0, 0, fr)).toBe(ERR_TRUNCATED);
  });

  it("the encoder refuses fields the format cannot carry and too little room, writing nothing", () => {
    const cases: [string, (m: M.RigMessage) => void][] = [
      ["undefined type", (m) => { m.type = 0x30; }],
      ["HELLO flags 2", (m) => { m.type = M.RIG_HELLO; m.flags = 2; }],
      ["POWER state 2", (m) => { m.type = M.RIG_POWER; m.state = 2; }],
      ["CUT disarm with a value", (m) => { m.type = M.RIG_CUT; m.mode = 0; m.value = 5; }],
      ["CUT armed at 0", (m) => { m.type = M.RIG_CUT; m.mode = 1; m.value = 0; }],
      ["KEYS none", (m) => { m.type = M.RIG_KEYS; m.keyCount = 0; }],
      ["KEYS 33", (m) => { m.type = M.RIG_KEYS; m.keyCount = 33; }],
      ["KEYS code 13", (m) => { m.type = M.RIG_KEYS; m.keyCount = 1; m.keys[0] = 13; }],
      ["reply status 1", (m) => { m.type = 0x83; m.status = 1; }],
      ["reply status below i16", (m) => { m.type = 0x83; m.status = -0x8001; }],
      ["HELLO reply kind 0", (m) => { m.type = 0x81; m.kind = 0; m.device = 1; }],
      ["HELLO reply text 49", (m) => { m.type = 0x81; m.kind = 1; m.device = 1; m.textLen = 49; m.text.fill(0x41); }],
      ["STATUS reply serial without card", (m) => { m.type = 0x82; m.present = false; m.serial = 3; }],
      ["NAK status 0", (m) => { m.type = M.RIG_NAK; m.status = 0; }],
      ["DEBUG non-printable", (m) => { m.type = M.RIG_EV_DEBUG; m.textLen = 1; m.text[0] = 0x07; }],
      ["POWER event cause 4", (m) => { m.type = M.RIG_EV_POWER; m.cause = 4; }],
      ["FRAME_ERROR error 0", (m) => { m.type = M.RIG_EV_FRAME_ERROR; m.status = 0; }],
    ];
    const buf = new Uint8Array(300).fill(0xee);
    for (const [what, set] of cases) {
      const m = new M.RigMessage();
      set(m);
      expect(M.encodeMessage(m, buf, 0, buf.length), what).toBe(ERR_BAD_ARGUMENT);
      expect(buf.every((b) => b === 0xee), what).toBe(true);
    }
    const rng = new Rng(0x5203);
    for (const type of ALL_TYPES) {
      const g = randomMessage(rng, type);
      expect(M.encodeMessage(g.msg, buf, 0, g.frame.length - 1)).toBe(ERR_OUTPUT_TOO_SMALL);
      expect(buf.every((b) => b === 0xee)).toBe(true);
    }
    expect(M.encodeMessage(new M.RigMessage(), buf, 290, 20)).toBe(ERR_BAD_ARGUMENT);
  });
});

describe("RigFramer", () => {
  it("finds every intact frame, in order, among noise and broken frames pushed in random chunks (500 streams, seed 0x5204)", () => {
    const rng = new Rng(0x5204);
    const framer = new RigFramer();
    const frame = new RigFrame();
    let found = 0;
    let dropped = 0;
    for (let n = 0; n < 500; n++) {
      framer.reset();
      const want: string[] = [];
      const parts: number[] = [];
      for (let k = rng.int(1, 10); k > 0; k--) {
        const r = rng.int(0, 3);
        if (r === 0) parts.push(...rng.bytes(rng.int(0, 60)));
        else if (r === 1) parts.push(...rng.mutate(randomMessage(rng).frame).subarray(0, 40));
        else {
          const f = randomMessage(rng).frame;
          want.push(toHex(f));
          parts.push(...f);
        }
      }
      const stream = Uint8Array.from(parts);
      const got: string[] = [];
      const collect = (): void => {
        for (let r = framer.next(frame); r !== 0; r = framer.next(frame)) {
          if (r > 0) got.push(toHex(framer.buf.subarray(frame.bodyOff - 5, frame.bodyOff - 5 + r)));
          else dropped++;
        }
      };
      for (let at = 0; at < stream.length;) {
        at += framer.push(stream, at, Math.min(rng.int(1, 64), stream.length - at));
        collect();
      }
      while (framer.abandonPartial()) collect();
      // A broken frame may swallow nothing: every intact frame must come out, in order (noise may add none).
      expect(got.filter((g) => want.includes(g))).toEqual(want);
      found += want.length;
    }
    expect(found).toBeGreaterThan(1000);
    expect(dropped).toBeGreaterThan(100);
  });

  it("an incomplete frame is given up by abandonPartial and the frame behind its bad length byte is found", () => {
    const framer = new RigFramer();
    const frame = new RigFrame();
    const good = specFrame(M.RIG_STATUS, 9, new Uint8Array(0));
    const stream = Uint8Array.from([0xa5, 0x01, 0x02, 0x01, 0xf0, ...good]);
    framer.push(stream, 0, stream.length);
    expect(framer.next(frame)).toBe(0);
    expect(framer.abandonPartial()).toBe(true);
    expect(framer.next(frame)).toBe(good.length);
    expect(frame.seq).toBe(9);
    expect(framer.skipped).toBe(5);
  });
});
