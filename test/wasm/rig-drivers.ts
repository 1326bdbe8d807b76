// Portable: runs in the WASM harness (test/wasm/rig.ts) and under Node, so both builds execute the
// very same driver over protocol/rig. Each driver writes every result and decoded field to `out`
// (i32 words little endian, fields.ts) and returns the bytes written or the decoder's error code.
// A decoder that fails but changed its target makes the driver return DRIVER_TARGET_CHANGED.
import { RigFrame, RigFramer, decodeFrame } from "../../protocol/rig/frame";
import { RigMessage, decodeMessage, decodeBody, encodeMessage, RIG_EITHER_WAY } from "../../protocol/rig/messages";
import { rigErrorName } from "../../protocol/rig/errors";
import { put32 } from "./fields";

/** Returned when a decoder reported an error but modified the object it was given. */
export const DRIVER_TARGET_CHANGED: i32 = -9999;
const SENTINEL: u32 = 0x5a5a5a5a;

const msg = new RigMessage();
const frame = new RigFrame();
const framer = new RigFramer();
/** A small buffer for calls whose (offset, length) window lies partly or wholly outside it. */
const small = new Uint8Array(8);

function fill(m: RigMessage): void {
  m.type = 0x5a; m.seq = 0x5a; m.status = i32(SENTINEL); m.time = SENTINEL; m.flags = 0x5a; m.kind = 0x5a; m.device = 0x5a;
  m.caps = 0x5a5a; m.deviceId = SENTINEL; m.textLen = i32(SENTINEL); m.state = 0x5a; m.cause = 0x5a; m.detail = SENTINEL; m.mode = 0x5a;
  m.value = SENTINEL; m.present = true; m.serial = SENTINEL; m.holdMs = 0x5a5a; m.gapMs = 0x5a5a; m.keyCount = i32(SENTINEL);
  m.millivolts = 0x5a5a; m.utc = SENTINEL; m.rtcValid = true; m.flashWrites = SENTINEL; m.framesDropped = 0x5a5a; m.steady = 0x5a;
  m.flashing = 0x5a; m.count = 0x5a; m.actuator = 0x5a; m.ms = 0x5a5a; m.refusedType = 0x5a; m.version = 0x5a;
  for (let i = 0; i < m.text.length; i++) m.text[i] = 0x5a;
  for (let i = 0; i < m.keys.length; i++) m.keys[i] = 0x5a;
}

function untouched(m: RigMessage): bool {
  for (let i = 0; i < m.text.length; i++) if (m.text[i] != 0x5a) return false;
  for (let i = 0; i < m.keys.length; i++) if (m.keys[i] != 0x5a) return false;
  return m.type == 0x5a && m.seq == 0x5a && m.status == i32(SENTINEL) && m.time == SENTINEL && m.flags == 0x5a && m.kind == 0x5a &&
    m.device == 0x5a && m.caps == 0x5a5a && m.deviceId == SENTINEL && m.textLen == i32(SENTINEL) && m.state == 0x5a && m.cause == 0x5a &&
    m.detail == SENTINEL && m.mode == 0x5a && m.value == SENTINEL && m.present && m.serial == SENTINEL && m.holdMs == 0x5a5a &&
    m.gapMs == 0x5a5a && m.keyCount == i32(SENTINEL) && m.millivolts == 0x5a5a && m.utc == SENTINEL && m.rtcValid &&
    m.flashWrites == SENTINEL && m.framesDropped == 0x5a5a && m.steady == 0x5a && m.flashing == 0x5a && m.count == 0x5a &&
    m.actuator == 0x5a && m.ms == 0x5a5a && m.refusedType == 0x5a && m.version == 0x5a;
}

/** Every field of `m`, one word each, then text and keys (their full buffers). */
function putFields(out: Uint8Array, at: i32, m: RigMessage): i32 {
  let o = put32(out, at, m.type);
  o = put32(out, o, m.seq);
  o = put32(out, o, m.status);
  o = put32(out, o, i32(m.time));
  o = put32(out, o, m.flags);
  o = put32(out, o, m.kind);
  o = put32(out, o, m.device);
  o = put32(out, o, m.caps);
  o = put32(out, o, i32(m.deviceId));
  o = put32(out, o, m.textLen);
  o = put32(out, o, m.state);
  o = put32(out, o, m.cause);
  o = put32(out, o, i32(m.detail));
  o = put32(out, o, m.mode);
  o = put32(out, o, i32(m.value));
  o = put32(out, o, m.present ? 1 : 0);
  o = put32(out, o, i32(m.serial));
  o = put32(out, o, m.holdMs);
  o = put32(out, o, m.gapMs);
  o = put32(out, o, m.keyCount);
  o = put32(out, o, m.millivolts);
  o = put32(out, o, i32(m.utc));
  o = put32(out, o, m.rtcValid ? 1 : 0);
  o = put32(out, o, i32(m.flashWrites));
  o = put32(out, o, m.framesDropped);
  o = put32(out, o, m.steady);
  o = put32(out, o, m.flashing);
  o = put32(out, o, m.count);
  o = put32(out, o, m.actuator);
  o = put32(out, o, m.ms);
  o = put32(out, o, m.refusedType);
  o = put32(out, o, m.version);
  for (let i = 0; i < m.text.length; i++) out[o++] = m.text[i];
  for (let i = 0; i < m.keys.length; i++) out[o++] = m.keys[i];
  return o;
}

/** Words putFields writes before the text and keys buffers. */
export const FIELD_WORDS: i32 = 32;

/**
 * decodeMessage of input[0..len) travelling `direction` into a sentinel-filled message. On success:
 * the frame length, every field, encodeMessage into one byte too little room (must be
 * ERR_OUTPUT_TOO_SMALL), then the re-encoded frame's length and bytes.
 */
export function driveDecode(input: Uint8Array, len: i32, direction: i32, out: Uint8Array): i32 {
  fill(msg);
  const r = decodeMessage(input, 0, len, direction, msg);
  if (r < 0) return untouched(msg) ? r : DRIVER_TARGET_CHANGED;
  let o = put32(out, 0, r);
  o = putFields(out, o, msg);
  const at = o + 8;
  o = put32(out, o, encodeMessage(msg, out, at, r - 1));
  const e = encodeMessage(msg, out, at, r);
  put32(out, o, e);
  return e < 0 ? at : at + e;
}

/**
 * Feeds input[0..len) to a fresh RigFramer `chunk` bytes at a time (the rest pushed again when the
 * buffer was full), calling next() until it needs more; per result one word (the code or frame
 * length), and per frame its type, seq, body length and decodeBody (either way) result. After the
 * input: abandonPartial and next() until nothing is buffered, then the skipped-byte count.
 */
export function driveFramer(input: Uint8Array, len: i32, chunk: i32, out: Uint8Array): i32 {
  framer.reset();
  framer.skipped = 0;
  let o = 0;
  let at = 0;
  while (at < len) {
    const want = len - at < chunk ? len - at : chunk;
    at += framer.push(input, at, want);
    o = drain(out, o);
  }
  while (framer.abandonPartial()) o = drain(out, o);
  return put32(out, o, framer.skipped);
}

function drain(out: Uint8Array, at: i32): i32 {
  let o = at;
  let r = framer.next(frame);
  while (r != 0) {
    o = put32(out, o, r);
    if (r > 0) {
      o = put32(out, o, frame.type);
      o = put32(out, o, frame.seq);
      o = put32(out, o, frame.bodyLen);
      fill(msg);
      o = put32(out, o, decodeBody(framer.buf, frame, RIG_EITHER_WAY, msg));
    }
    r = framer.next(frame);
  }
  return o;
}

/** decodeFrame, decodeMessage and RigFramer.push on the window (off, len) of an 8-byte buffer. */
export function driveWindow(off: i32, len: i32, out: Uint8Array): i32 {
  let o = put32(out, 0, decodeFrame(small, off, len, frame));
  fill(msg);
  o = put32(out, o, decodeMessage(small, off, len, RIG_EITHER_WAY, msg));
  o = put32(out, o, untouched(msg) ? 1 : 0);
  framer.reset();
  o = put32(out, o, framer.push(small, off, len));
  return put32(out, o, encodeMessage(msg, small, off, len));
}

/** rigErrorName of a code, NUL-terminated. */
export function driveName(code: i32, out: Uint8Array): i32 {
  const name = rigErrorName(code);
  let o = 0;
  for (let i = 0; i < name.length; i++) out[o++] = u8(name.charCodeAt(i));
  out[o++] = 0;
  return o;
}
