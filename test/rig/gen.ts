// Random valid rig messages for the round-trip, differential and fuzz tests: each is built twice,
// as a RigMessage and as the frame bytes protocol/SPEC.md Rig §1–§5 lay out (written here with a
// DataView and the bitwise CRC oracle, not with protocol/rig), so the codec is checked against the
// spec's tables rather than against itself.
import { Rng } from "../support/rng.ts";
import { bitwiseCrc16 } from "../support/oracles.ts";
import * as M from "../../protocol/rig/messages.ts";

/** One generated message: the object, the spec's frame bytes, and which fields its type carries. */
export interface Generated {
  msg: M.RigMessage;
  frame: Uint8Array;
  /** RigMessage field names this type carries (the rest are ignored by the codec). */
  fields: string[];
}

/** A frame by Rig §1: a5 ‖ 01 ‖ type ‖ seq ‖ L ‖ body ‖ CRC-16/AUG-CCITT high byte first. */
export function specFrame(type: number, seq: number, body: Uint8Array, version = 1): Uint8Array {
  const f = new Uint8Array(7 + body.length);
  f.set([0xa5, version, type, seq, body.length]);
  f.set(body, 5);
  const crc = bitwiseCrc16(0x1021, 0x1d0f, f.subarray(0, 5 + body.length));
  f[5 + body.length] = crc >> 8;
  f[6 + body.length] = crc & 0xff;
  return f;
}

const PRINTABLE = Array.from({ length: 95 }, (_, i) => 0x20 + i);

function text(rng: Rng, max: number): Uint8Array {
  return Uint8Array.from({ length: rng.int(0, max) }, () => rng.pick(PRINTABLE));
}

/** Body writer: appends big-endian fields. */
class Body {
  private bytes: number[] = [];
  u8(v: number): this { this.bytes.push(v & 0xff); return this; }
  u16(v: number): this { this.bytes.push((v >> 8) & 0xff, v & 0xff); return this; }
  u32(v: number): this { this.bytes.push((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff); return this; }
  raw(b: Uint8Array): this { this.bytes.push(...b); return this; }
  done(): Uint8Array { return Uint8Array.from(this.bytes); }
}

/** A negative i16 error code, most often a rig one. */
function errorCode(rng: Rng): number {
  return rng.bool() ? rng.int(-271, -260) : -rng.int(1, 0x8000);
}

type Maker = (rng: Rng, m: M.RigMessage) => [Uint8Array, string[]];

const COMMANDS: Partial<Record<number, Maker>> = {
  [M.RIG_HELLO]: (rng, m) => { m.flags = rng.int(0, 1); return [new Body().u8(m.flags).done(), ["flags"]]; },
  [M.RIG_STATUS]: () => [new Uint8Array(0), []],
  [M.RIG_POWER]: (rng, m) => { m.state = rng.int(0, 1); return [new Body().u8(m.state).done(), ["state"]]; },
  [M.RIG_CUT]: (rng, m) => {
    m.mode = rng.int(0, 2);
    m.value = m.mode === 0 ? 0 : rng.int(1, 0xffffffff);
    return [new Body().u8(m.mode).u32(m.value).done(), ["mode", "value"]];
  },
  [M.RIG_INSERT]: (rng, m) => { m.serial = rng.u32(); return [new Body().u32(m.serial).done(), ["serial"]]; },
  [M.RIG_REMOVE]: () => [new Uint8Array(0), []],
  [M.RIG_KEYS]: (rng, m) => {
    m.holdMs = rng.int(0, 0xffff);
    m.gapMs = rng.int(0, 0xffff);
    m.keyCount = rng.int(1, 32);
    const keys = Uint8Array.from({ length: m.keyCount }, () => rng.int(0, 12));
    m.keys.set(keys);
    return [new Body().u16(m.holdMs).u16(m.gapMs).raw(keys).done(), ["holdMs", "gapMs", "keyCount", "keys"]];
  },
  [M.RIG_BATTERY]: (rng, m) => { m.millivolts = rng.int(0, 0xffff); return [new Body().u16(m.millivolts).done(), ["millivolts"]]; },
  [M.RIG_RTC]: (rng, m) => {
    m.utc = rng.u32();
    m.rtcValid = rng.bool();
    return [new Body().u32(m.utc).u8(m.rtcValid ? 1 : 0).done(), ["utc", "rtcValid"]];
  },
};

/** Reply bodies with status 0 (only HELLO and STATUS carry more than the status). */
const REPLIES: Partial<Record<number, Maker>> = {
  [M.RIG_HELLO]: (rng, m) => {
    m.kind = rng.int(1, 4);
    m.device = rng.int(1, 2);
    m.caps = rng.int(0, 0xff);
    m.deviceId = rng.u32();
    const t = text(rng, 48);
    m.text.set(t);
    m.textLen = t.length;
    return [new Body().u16(0).u8(m.kind).u8(m.device).u16(m.caps).u32(m.deviceId).raw(t).done(), ["kind", "device", "caps", "deviceId", "textLen", "text"]];
  },
  [M.RIG_STATUS]: (rng, m) => {
    m.state = rng.int(0, 1);
    m.present = rng.bool();
    m.serial = m.present ? rng.u32() : 0;
    m.millivolts = rng.int(0, 0xffff);
    m.flashWrites = rng.u32();
    m.time = rng.u32();
    m.mode = rng.int(0, 2);
    m.framesDropped = rng.int(0, 0xffff);
    const body = new Body().u16(0).u8(m.state).u8(m.present ? 1 : 0).u32(m.serial).u16(m.millivolts).u32(m.flashWrites).u32(m.time).u8(m.mode).u16(m.framesDropped);
    return [body.done(), ["state", "present", "serial", "millivolts", "flashWrites", "time", "mode", "framesDropped"]];
  },
};

const EVENTS: Record<number, Maker> = {
  [M.RIG_EV_LIGHTS]: (rng, m) => { m.steady = rng.int(0, 255); m.flashing = rng.int(0, 255); return [new Body().u32(m.time).u8(m.steady).u8(m.flashing).done(), ["steady", "flashing"]]; },
  [M.RIG_EV_BUZZER]: (rng, m) => { m.count = rng.int(0, 255); m.ms = rng.int(0, 0xffff); return [new Body().u32(m.time).u8(m.count).u16(m.ms).done(), ["count", "ms"]]; },
  [M.RIG_EV_RELEASE]: (rng, m) => { m.actuator = rng.int(0, 255); m.ms = rng.int(0, 0xffff); return [new Body().u32(m.time).u8(m.actuator).u16(m.ms).done(), ["actuator", "ms"]]; },
  [M.RIG_EV_DEBUG]: (rng, m) => {
    const t = text(rng, 200);
    m.text.set(t);
    m.textLen = t.length;
    return [new Body().u32(m.time).raw(t).done(), ["textLen", "text"]];
  },
  [M.RIG_EV_POWER]: (rng, m) => {
    m.state = rng.int(0, 1);
    m.cause = rng.int(0, 3);
    m.detail = rng.u32();
    return [new Body().u32(m.time).u8(m.state).u8(m.cause).u32(m.detail).done(), ["state", "cause", "detail"]];
  },
  [M.RIG_EV_CARD]: (rng, m) => {
    m.present = rng.bool();
    m.serial = m.present ? rng.u32() : 0;
    return [new Body().u32(m.time).u8(m.present ? 1 : 0).u32(m.serial).done(), ["present", "serial"]];
  },
  [M.RIG_EV_CONTACTS]: (rng, m) => { m.state = rng.int(0, 1); return [new Body().u32(m.time).u8(m.state).done(), ["state"]]; },
  [M.RIG_EV_KEY]: (rng, m) => { m.keys[0] = rng.int(0, 12); m.keyCount = 1; return [new Body().u32(m.time).u8(m.keys[0]).done(), ["keyCount", "keys"]]; },
  [M.RIG_EV_FRAME_ERROR]: (rng, m) => {
    m.status = errorCode(rng);
    m.version = rng.int(0, 255);
    return [new Body().u32(m.time).u16(m.status & 0xffff).u8(m.version).done(), ["status", "version"]];
  },
};

export const COMMAND_TYPES = Object.keys(COMMANDS).map(Number);
export const EVENT_TYPES = Object.keys(EVENTS).map(Number);
export const REPLY_TYPES = [...COMMAND_TYPES.map((t) => t | 0x80), M.RIG_NAK];
export const ALL_TYPES = [...COMMAND_TYPES, ...REPLY_TYPES, ...EVENT_TYPES];

/** A random valid message of `type` (or of a random type). */
export function randomMessage(rng: Rng, type: number = rng.pick(ALL_TYPES)): Generated {
  const m = new M.RigMessage();
  m.type = type;
  m.seq = rng.int(0, 255);
  let body: Uint8Array;
  let fields: string[];
  if (COMMANDS[type]) [body, fields] = COMMANDS[type](rng, m);
  else if (type === M.RIG_NAK) {
    m.status = errorCode(rng);
    m.refusedType = rng.int(0, 255);
    body = new Body().u16(m.status & 0xffff).u8(m.refusedType).done();
    fields = ["status", "refusedType"];
  } else if (type & 0x80) {
    if (rng.int(0, 3) === 0) {
      m.status = errorCode(rng);
      body = new Body().u16(m.status & 0xffff).done();
      fields = ["status"];
    } else {
      const make = REPLIES[type & 0x7f];
      [body, fields] = make ? make(rng, m) : [new Body().u16(0).done(), []];
      fields.push("status");
    }
  } else {
    m.time = rng.u32();
    [body, fields] = EVENTS[type](rng, m);
    fields.push("time");
  }
  return { msg: m, frame: specFrame(type, m.seq, body), fields: ["type", "seq", ...fields] };
}

/** The value of a carried field, comparable with toEqual (typed arrays cut to their used length). */
export function fieldValue(m: M.RigMessage, name: string): unknown {
  if (name === "text") return Array.from(m.text.subarray(0, m.textLen));
  if (name === "keys") return Array.from(m.keys.subarray(0, m.keyCount));
  return (m as unknown as Record<string, unknown>)[name];
}
