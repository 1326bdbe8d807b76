/**
 * The test-rig link's messages (protocol/SPEC.md Rig §2–§5): commands from the QA host to the
 * fixture, the fixture's replies, and the events it reports unasked. One RigMessage object carries
 * any of them; each type uses the fields its section names and the codec ignores the rest.
 * Multi-byte fields are big-endian. Portable AssemblyScript: fixtures, the emulated board, the
 * simulator and the QA tools share it.
 */
import { inBounds } from "../bytes";
import { OK, ERR_BAD_ARGUMENT, ERR_OUTPUT_TOO_SMALL } from "../errors";
import { ERR_RIG_UNKNOWN_TYPE, ERR_RIG_WRONG_DIRECTION, ERR_RIG_BAD_BODY } from "./errors";
import { RigFrame, decodeFrame, encodeFrame, RIG_HEADER_SIZE, RIG_CRC_SIZE } from "./frame";

// ---------------------------------------------------------------- types (Rig §2)

/** Commands (host → fixture), Rig §3. The reply to command c has type c | RIG_REPLY_BIT. */
export const RIG_HELLO: u8 = 0x01;
export const RIG_STATUS: u8 = 0x02;
export const RIG_POWER: u8 = 0x03;
export const RIG_CUT: u8 = 0x04;
export const RIG_INSERT: u8 = 0x05;
export const RIG_REMOVE: u8 = 0x06;
export const RIG_KEYS: u8 = 0x07;
export const RIG_BATTERY: u8 = 0x08;
export const RIG_RTC: u8 = 0x09;
/** Highest command type of this version. */
export const RIG_LAST_COMMAND: u8 = RIG_RTC;
/** Set in the type of every reply. */
export const RIG_REPLY_BIT: u8 = 0x80;
/** A verified frame the fixture refuses (unknown type, wrong direction, bad body), Rig §4. */
export const RIG_NAK: u8 = 0xff;

/** Events (fixture → host, unasked), Rig §5. */
export const RIG_EV_LIGHTS: u8 = 0x41;
export const RIG_EV_BUZZER: u8 = 0x42;
export const RIG_EV_RELEASE: u8 = 0x43;
export const RIG_EV_DEBUG: u8 = 0x44;
export const RIG_EV_POWER: u8 = 0x45;
export const RIG_EV_CARD: u8 = 0x46;
export const RIG_EV_CONTACTS: u8 = 0x47;
export const RIG_EV_KEY: u8 = 0x48;
export const RIG_EV_FRAME_ERROR: u8 = 0x4f;

/** Which way a frame travels, for decodeBody: commands go to the fixture, replies and events come from it. */
export const RIG_TO_FIXTURE: i32 = 1;
export const RIG_TO_HOST: i32 = 2;
/** Either way (transcripts, monitors on the line). */
export const RIG_EITHER_WAY: i32 = 3;

/** HELLO flags: bit 0, send events from now on. */
export const RIG_FLAG_EVENTS: u8 = 0x01;

/** HELLO reply: what answers on the rig port (Rig §3.1). */
export const RIG_KIND_SIMULATOR: u8 = 1;
export const RIG_KIND_EMULATOR_BRIDGE: u8 = 2;
export const RIG_KIND_FIXTURE: u8 = 3;
export const RIG_KIND_BOARD: u8 = 4;
/** HELLO reply: the device under test. */
export const RIG_DEVICE_LOCKBOX: u8 = 1;
export const RIG_DEVICE_READER: u8 = 2;

/** HELLO reply capability bits (Rig §3.1). */
export const RIG_CAP_POWER: u16 = 0x0001;
export const RIG_CAP_CUT_FLASH: u16 = 0x0002;
export const RIG_CAP_CUT_TIME: u16 = 0x0004;
export const RIG_CAP_CARD: u16 = 0x0008;
export const RIG_CAP_KEYS: u16 = 0x0010;
export const RIG_CAP_BATTERY: u16 = 0x0020;
export const RIG_CAP_RTC: u16 = 0x0040;
export const RIG_CAP_DEBUG: u16 = 0x0080;
/** Every capability bit version 1 defines. */
export const RIG_CAPS_DEFINED: u16 = 0x00ff;

/** CUT modes (Rig §3.4). */
export const RIG_CUT_DISARM: u8 = 0;
export const RIG_CUT_FLASH_WRITE: u8 = 1;
export const RIG_CUT_AFTER_MS: u8 = 2;

/** POWER event causes (Rig §5.5). */
export const RIG_CAUSE_COMMAND: u8 = 0;
export const RIG_CAUSE_CUT_FLASH: u8 = 1;
export const RIG_CAUSE_CUT_TIME: u8 = 2;
export const RIG_CAUSE_FAULT: u8 = 3;

/** Longest HELLO description and DEBUG line (printable ASCII). */
export const RIG_MAX_HELLO_TEXT: i32 = 48;
export const RIG_MAX_DEBUG_TEXT: i32 = 200;
/** Most keys in one KEYS command; key codes are 0..9 digits, 10 FUNC, 11 ENT, 12 CLR. */
export const RIG_MAX_KEYS: i32 = 32;
export const RIG_MAX_KEY_CODE: u8 = 12;

/** Body sizes of the fixed-size messages. */
const STATUS_REPLY_SIZE: i32 = 2 + 19;
const HELLO_REPLY_MIN: i32 = 2 + 8;

/** Any rig message; the fields each type uses are listed beside them (Rig §3–§5). */
export class RigMessage {
  type: u8 = 0;
  /** Commands: the host's sequence number; replies and NAK: the command's; events: the fixture's event counter. */
  seq: u8 = 0;
  /** Replies: 0 or a negative error code (i16 on the wire). NAK, FRAME_ERROR: the error. */
  status: i32 = 0;
  /** Events: the fixture's clock in ms when it happened. STATUS reply: its clock now. */
  time: u32 = 0;
  /** HELLO command. */
  flags: u8 = 0;
  /** HELLO reply: RIG_KIND_*, RIG_DEVICE_*, RIG_CAP_* bits, device id. */
  kind: u8 = 0;
  device: u8 = 0;
  caps: u16 = 0;
  deviceId: u32 = 0;
  /** HELLO reply description, DEBUG line: printable ASCII text[0..textLen). */
  readonly text: Uint8Array = new Uint8Array(RIG_MAX_DEBUG_TEXT);
  textLen: i32 = 0;
  /** POWER command and event, STATUS reply (0 off, 1 on); CONTACTS event (0 deactivated, 1 powered and reset). */
  state: u8 = 0;
  /** POWER event: RIG_CAUSE_*, and the flash write number or milliseconds of a cut. */
  cause: u8 = 0;
  detail: u32 = 0;
  /** CUT command: RIG_CUT_* and k or ms; STATUS reply: the armed mode. */
  mode: u8 = 0;
  value: u32 = 0;
  /** INSERT command, CARD event, STATUS reply: the card (present: CARD event and STATUS reply). */
  present: bool = false;
  serial: u32 = 0;
  /** KEYS command: hold and gap times, keys[0..keyCount); KEY event: keys[0]. */
  holdMs: u16 = 0;
  gapMs: u16 = 0;
  readonly keys: Uint8Array = new Uint8Array(RIG_MAX_KEYS);
  keyCount: i32 = 0;
  /** BATTERY command, STATUS reply. */
  millivolts: u16 = 0;
  /** RTC command. */
  utc: u32 = 0;
  rtcValid: bool = false;
  /** STATUS reply: flash writes since power-on (0xffffffff: not counted), frames dropped. */
  flashWrites: u32 = 0;
  framesDropped: u16 = 0;
  /** LIGHTS event: light bits steady and flashing. */
  steady: u8 = 0;
  flashing: u8 = 0;
  /** BUZZER event: count × ms; RELEASE event: actuator for ms. */
  count: u8 = 0;
  actuator: u8 = 0;
  ms: u16 = 0;
  /** NAK: the refused frame's type. FRAME_ERROR: the version the fixture speaks. */
  refusedType: u8 = 0;
  version: u8 = 0;
}

/** True for a command type of this version. */
export function isRigCommand(type: u8): bool {
  return type >= RIG_HELLO && type <= RIG_LAST_COMMAND;
}

/** True for a reply type (NAK included). */
export function isRigReply(type: u8): bool {
  return type == RIG_NAK || (type >= (RIG_HELLO | RIG_REPLY_BIT) && type <= (RIG_LAST_COMMAND | RIG_REPLY_BIT));
}

/** True for an event type. */
export function isRigEvent(type: u8): bool {
  return (type >= RIG_EV_LIGHTS && type <= RIG_EV_KEY) || type == RIG_EV_FRAME_ERROR;
}

// ---------------------------------------------------------------- field helpers

function get16(b: Uint8Array, o: i32): i32 {
  return (i32(b[o]) << 8) | i32(b[o + 1]);
}

function get32(b: Uint8Array, o: i32): u32 {
  return u32((u32(b[o]) << 24) | (u32(b[o + 1]) << 16) | (u32(b[o + 2]) << 8) | u32(b[o + 3]));
}

function put16(b: Uint8Array, o: i32, v: i32): void {
  b[o] = u8(v >>> 8);
  b[o + 1] = u8(v);
}

function put32(b: Uint8Array, o: i32, v: u32): void {
  b[o] = u8(v >>> 24);
  b[o + 1] = u8(v >>> 16);
  b[o + 2] = u8(v >>> 8);
  b[o + 3] = u8(v);
}

/** A status on the wire: an i16 that is 0 or negative. */
function statusAt(b: Uint8Array, o: i32): i32 {
  const v = get16(b, o);
  return v >= 0x8000 ? v - 0x10000 : v;
}

function printable(b: Uint8Array, o: i32, n: i32): bool {
  for (let i = 0; i < n; i++) {
    const c = b[o + i];
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

function bool01(v: u8): bool {
  return v <= 1;
}

// ---------------------------------------------------------------- body checks (nothing written)

/** Checks the body of a defined type (checkDirection passed) against its layout (Rig §3–§5): OK or ERR_RIG_BAD_BODY. */
function checkBody(type: u8, b: Uint8Array, o: i32, n: i32): i32 {
  if (type == RIG_NAK) return n == 3 && statusAt(b, o) < 0 ? OK : ERR_RIG_BAD_BODY;
  if (isRigReply(type)) {
    if (n < 2) return ERR_RIG_BAD_BODY;
    const st = statusAt(b, o);
    if (st > 0) return ERR_RIG_BAD_BODY;
    if (st < 0) return n == 2 ? OK : ERR_RIG_BAD_BODY;
    const c = u8(type & ~RIG_REPLY_BIT);
    if (c == RIG_HELLO) {
      if (n < HELLO_REPLY_MIN || n > HELLO_REPLY_MIN + RIG_MAX_HELLO_TEXT) return ERR_RIG_BAD_BODY;
      const kind = b[o + 2];
      const device = b[o + 3];
      const caps = get16(b, o + 4);
      if (kind < RIG_KIND_SIMULATOR || kind > RIG_KIND_BOARD || device < RIG_DEVICE_LOCKBOX || device > RIG_DEVICE_READER) return ERR_RIG_BAD_BODY;
      if ((caps & ~i32(RIG_CAPS_DEFINED)) != 0) return ERR_RIG_BAD_BODY;
      return printable(b, o + HELLO_REPLY_MIN, n - HELLO_REPLY_MIN) ? OK : ERR_RIG_BAD_BODY;
    }
    if (c == RIG_STATUS) {
      if (n != STATUS_REPLY_SIZE) return ERR_RIG_BAD_BODY;
      const present = b[o + 3];
      if (!bool01(b[o + 2]) || !bool01(present) || b[o + 18] > RIG_CUT_AFTER_MS) return ERR_RIG_BAD_BODY;
      return present == 0 && get32(b, o + 4) != 0 ? ERR_RIG_BAD_BODY : OK;
    }
    return n == 2 ? OK : ERR_RIG_BAD_BODY;
  }
  if (isRigCommand(type)) {
    switch (type) {
      case RIG_HELLO: return n == 1 && (b[o] & ~RIG_FLAG_EVENTS) == 0 ? OK : ERR_RIG_BAD_BODY;
      case RIG_STATUS: return n == 0 ? OK : ERR_RIG_BAD_BODY;
      case RIG_POWER: return n == 1 && bool01(b[o]) ? OK : ERR_RIG_BAD_BODY;
      case RIG_CUT: {
        if (n != 5 || b[o] > RIG_CUT_AFTER_MS) return ERR_RIG_BAD_BODY;
        const zero = get32(b, o + 1) == 0;
        return (b[o] == RIG_CUT_DISARM) == zero ? OK : ERR_RIG_BAD_BODY;
      }
      case RIG_INSERT: return n == 4 ? OK : ERR_RIG_BAD_BODY;
      case RIG_REMOVE: return n == 0 ? OK : ERR_RIG_BAD_BODY;
      case RIG_KEYS: {
        if (n < 5 || n > 4 + RIG_MAX_KEYS) return ERR_RIG_BAD_BODY;
        for (let i = 4; i < n; i++) if (b[o + i] > RIG_MAX_KEY_CODE) return ERR_RIG_BAD_BODY;
        return OK;
      }
      case RIG_BATTERY: return n == 2 ? OK : ERR_RIG_BAD_BODY;
      default: return n == 5 && bool01(b[o + 4]) ? OK : ERR_RIG_BAD_BODY; // RIG_RTC
    }
  }
  // An event: time (4) first.
  if (n < 4) return ERR_RIG_BAD_BODY;
  switch (type) {
    case RIG_EV_LIGHTS: return n == 6 ? OK : ERR_RIG_BAD_BODY;
    case RIG_EV_BUZZER:
    case RIG_EV_RELEASE: return n == 7 ? OK : ERR_RIG_BAD_BODY;
    case RIG_EV_DEBUG: return n <= 4 + RIG_MAX_DEBUG_TEXT && printable(b, o + 4, n - 4) ? OK : ERR_RIG_BAD_BODY;
    case RIG_EV_POWER: return n == 10 && bool01(b[o + 4]) && b[o + 5] <= RIG_CAUSE_FAULT ? OK : ERR_RIG_BAD_BODY;
    case RIG_EV_CARD: return n == 9 && bool01(b[o + 4]) && (b[o + 4] == 1 || get32(b, o + 5) == 0) ? OK : ERR_RIG_BAD_BODY;
    case RIG_EV_CONTACTS: return n == 5 && bool01(b[o + 4]) ? OK : ERR_RIG_BAD_BODY;
    case RIG_EV_KEY: return n == 5 && b[o + 4] <= RIG_MAX_KEY_CODE ? OK : ERR_RIG_BAD_BODY;
    default: return n == 7 && statusAt(b, o + 4) < 0 ? OK : ERR_RIG_BAD_BODY; // RIG_EV_FRAME_ERROR
  }
}

// ---------------------------------------------------------------- decode

function readText(m: RigMessage, b: Uint8Array, o: i32, n: i32): void {
  for (let i = 0; i < n; i++) m.text[i] = b[o + i];
  m.textLen = n;
}

/** Fills `m` from a body checkBody accepted. */
function readBody(type: u8, seq: u8, b: Uint8Array, o: i32, n: i32, m: RigMessage): void {
  m.type = type;
  m.seq = seq;
  if (type == RIG_NAK) {
    m.status = statusAt(b, o);
    m.refusedType = b[o + 2];
    return;
  }
  if (isRigReply(type)) {
    m.status = statusAt(b, o);
    if (m.status != 0) return;
    const c = u8(type & ~RIG_REPLY_BIT);
    if (c == RIG_HELLO) {
      m.kind = b[o + 2];
      m.device = b[o + 3];
      m.caps = u16(get16(b, o + 4));
      m.deviceId = get32(b, o + 6);
      readText(m, b, o + HELLO_REPLY_MIN, n - HELLO_REPLY_MIN);
    } else if (c == RIG_STATUS) {
      m.state = b[o + 2];
      m.present = b[o + 3] == 1;
      m.serial = get32(b, o + 4);
      m.millivolts = u16(get16(b, o + 8));
      m.flashWrites = get32(b, o + 10);
      m.time = get32(b, o + 14);
      m.mode = b[o + 18];
      m.framesDropped = u16(get16(b, o + 19));
    }
    return;
  }
  switch (type) {
    case RIG_HELLO: m.flags = b[o]; return;
    case RIG_STATUS:
    case RIG_REMOVE: return;
    case RIG_POWER: m.state = b[o]; return;
    case RIG_CUT: m.mode = b[o]; m.value = get32(b, o + 1); return;
    case RIG_INSERT: m.serial = get32(b, o); return;
    case RIG_KEYS:
      m.holdMs = u16(get16(b, o));
      m.gapMs = u16(get16(b, o + 2));
      m.keyCount = n - 4;
      for (let i = 0; i < m.keyCount; i++) m.keys[i] = b[o + 4 + i];
      return;
    case RIG_BATTERY: m.millivolts = u16(get16(b, o)); return;
    case RIG_RTC: m.utc = get32(b, o); m.rtcValid = b[o + 4] == 1; return;
    default: break;
  }
  m.time = get32(b, o);
  switch (type) {
    case RIG_EV_LIGHTS: m.steady = b[o + 4]; m.flashing = b[o + 5]; break;
    case RIG_EV_BUZZER: m.count = b[o + 4]; m.ms = u16(get16(b, o + 5)); break;
    case RIG_EV_RELEASE: m.actuator = b[o + 4]; m.ms = u16(get16(b, o + 5)); break;
    case RIG_EV_DEBUG: readText(m, b, o + 4, n - 4); break;
    case RIG_EV_POWER: m.state = b[o + 4]; m.cause = b[o + 5]; m.detail = get32(b, o + 6); break;
    case RIG_EV_CARD: m.present = b[o + 4] == 1; m.serial = get32(b, o + 5); break;
    case RIG_EV_CONTACTS: m.state = b[o + 4]; break;
    case RIG_EV_KEY: m.keys[0] = b[o + 4]; m.keyCount = 1; break;
    default: m.status = statusAt(b, o + 4); m.version = b[o + 6]; // RIG_EV_FRAME_ERROR
  }
}

/** OK when `type` is defined and may travel `direction` (RIG_TO_*); else the error Rig §6 names. */
export function checkDirection(type: u8, direction: i32): i32 {
  const command = isRigCommand(type);
  if (!command && !isRigReply(type) && !isRigEvent(type)) return ERR_RIG_UNKNOWN_TYPE;
  if (direction == RIG_TO_FIXTURE && !command) return ERR_RIG_WRONG_DIRECTION;
  if (direction == RIG_TO_HOST && command) return ERR_RIG_WRONG_DIRECTION;
  return OK;
}

/**
 * Decodes the body of a verified frame (`frame`, from decodeFrame or RigFramer.next, describing
 * bytes in `buf`) that travelled `direction` (RIG_TO_FIXTURE, RIG_TO_HOST, RIG_EITHER_WAY) into
 * `into`; OK, or ERR_RIG_UNKNOWN_TYPE / ERR_RIG_WRONG_DIRECTION / ERR_RIG_BAD_BODY with `into` untouched.
 */
export function decodeBody(buf: Uint8Array, frame: RigFrame, direction: i32, into: RigMessage): i32 {
  if (!inBounds(buf, frame.bodyOff, frame.bodyLen) || direction < RIG_TO_FIXTURE || direction > RIG_EITHER_WAY) return ERR_BAD_ARGUMENT;
  const d = checkDirection(frame.type, direction);
  if (d != OK) return d;
  const r = checkBody(frame.type, buf, frame.bodyOff, frame.bodyLen);
  if (r != OK) return r;
  readBody(frame.type, frame.seq, buf, frame.bodyOff, frame.bodyLen, into);
  return OK;
}

const scratchFrame = new RigFrame();

/**
 * Decodes exactly one frame buf[off..off+len) and its message: the frame checks of decodeFrame,
 * then type, direction and body. Returns the frame length; `into` is written only on success.
 */
export function decodeMessage(buf: Uint8Array, off: i32, len: i32, direction: i32, into: RigMessage): i32 {
  const r = decodeFrame(buf, off, len, scratchFrame);
  if (r < 0) return r;
  const b = decodeBody(buf, scratchFrame, direction, into);
  return b < 0 ? b : r;
}

// ---------------------------------------------------------------- encode

function textOk(m: RigMessage, max: i32): bool {
  return m.textLen >= 0 && m.textLen <= max && printable(m.text, 0, m.textLen);
}

/** Body length of `m`, or ERR_BAD_ARGUMENT for fields its type cannot carry. */
function bodyLength(m: RigMessage): i32 {
  const t = m.type;
  if (t == RIG_NAK) return m.status < 0 && m.status >= -0x8000 ? 3 : ERR_BAD_ARGUMENT;
  if (isRigReply(t)) {
    if (m.status > 0 || m.status < -0x8000) return ERR_BAD_ARGUMENT;
    if (m.status < 0) return 2;
    const c = u8(t & ~RIG_REPLY_BIT);
    if (c == RIG_HELLO) {
      const okKind = m.kind >= RIG_KIND_SIMULATOR && m.kind <= RIG_KIND_BOARD && m.device >= RIG_DEVICE_LOCKBOX && m.device <= RIG_DEVICE_READER;
      return okKind && (m.caps & ~RIG_CAPS_DEFINED) == 0 && textOk(m, RIG_MAX_HELLO_TEXT) ? HELLO_REPLY_MIN + m.textLen : ERR_BAD_ARGUMENT;
    }
    if (c == RIG_STATUS) return bool01(m.state) && m.mode <= RIG_CUT_AFTER_MS && (m.present || m.serial == 0) ? STATUS_REPLY_SIZE : ERR_BAD_ARGUMENT;
    return 2;
  }
  switch (t) {
    case RIG_HELLO: return (m.flags & ~RIG_FLAG_EVENTS) == 0 ? 1 : ERR_BAD_ARGUMENT;
    case RIG_STATUS:
    case RIG_REMOVE: return 0;
    case RIG_POWER: return bool01(m.state) ? 1 : ERR_BAD_ARGUMENT;
    case RIG_CUT: return m.mode <= RIG_CUT_AFTER_MS && (m.mode == RIG_CUT_DISARM) == (m.value == 0) ? 5 : ERR_BAD_ARGUMENT;
    case RIG_INSERT: return 4;
    case RIG_KEYS: {
      if (m.keyCount < 1 || m.keyCount > RIG_MAX_KEYS) return ERR_BAD_ARGUMENT;
      for (let i = 0; i < m.keyCount; i++) if (m.keys[i] > RIG_MAX_KEY_CODE) return ERR_BAD_ARGUMENT;
      return 4 + m.keyCount;
    }
    case RIG_BATTERY: return 2;
    case RIG_RTC: return 5;
    case RIG_EV_LIGHTS: return 6;
    case RIG_EV_BUZZER:
    case RIG_EV_RELEASE: return 7;
    case RIG_EV_DEBUG: return textOk(m, RIG_MAX_DEBUG_TEXT) ? 4 + m.textLen : ERR_BAD_ARGUMENT;
    case RIG_EV_POWER: return bool01(m.state) && m.cause <= RIG_CAUSE_FAULT ? 10 : ERR_BAD_ARGUMENT;
    case RIG_EV_CARD: return m.present || m.serial == 0 ? 9 : ERR_BAD_ARGUMENT;
    case RIG_EV_CONTACTS: return bool01(m.state) ? 5 : ERR_BAD_ARGUMENT;
    case RIG_EV_KEY: return m.keys[0] <= RIG_MAX_KEY_CODE ? 5 : ERR_BAD_ARGUMENT;
    case RIG_EV_FRAME_ERROR: return m.status < 0 && m.status >= -0x8000 ? 7 : ERR_BAD_ARGUMENT;
    default: return ERR_BAD_ARGUMENT;
  }
}

/** Writes the body of `m` (length n, from bodyLength) at b[o..o+n). */
function writeBody(m: RigMessage, b: Uint8Array, o: i32): void {
  const t = m.type;
  if (t == RIG_NAK) {
    put16(b, o, m.status);
    b[o + 2] = m.refusedType;
    return;
  }
  if (isRigReply(t)) {
    put16(b, o, m.status);
    if (m.status != 0) return;
    const c = u8(t & ~RIG_REPLY_BIT);
    if (c == RIG_HELLO) {
      b[o + 2] = m.kind;
      b[o + 3] = m.device;
      put16(b, o + 4, i32(m.caps));
      put32(b, o + 6, m.deviceId);
      for (let i = 0; i < m.textLen; i++) b[o + HELLO_REPLY_MIN + i] = m.text[i];
    } else if (c == RIG_STATUS) {
      b[o + 2] = m.state;
      b[o + 3] = m.present ? 1 : 0;
      put32(b, o + 4, m.serial);
      put16(b, o + 8, i32(m.millivolts));
      put32(b, o + 10, m.flashWrites);
      put32(b, o + 14, m.time);
      b[o + 18] = m.mode;
      put16(b, o + 19, i32(m.framesDropped));
    }
    return;
  }
  switch (t) {
    case RIG_HELLO: b[o] = m.flags; return;
    case RIG_STATUS:
    case RIG_REMOVE: return;
    case RIG_POWER: b[o] = m.state; return;
    case RIG_CUT: b[o] = m.mode; put32(b, o + 1, m.value); return;
    case RIG_INSERT: put32(b, o, m.serial); return;
    case RIG_KEYS:
      put16(b, o, i32(m.holdMs));
      put16(b, o + 2, i32(m.gapMs));
      for (let i = 0; i < m.keyCount; i++) b[o + 4 + i] = m.keys[i];
      return;
    case RIG_BATTERY: put16(b, o, i32(m.millivolts)); return;
    case RIG_RTC: put32(b, o, m.utc); b[o + 4] = m.rtcValid ? 1 : 0; return;
    default: break;
  }
  put32(b, o, m.time);
  switch (t) {
    case RIG_EV_LIGHTS: b[o + 4] = m.steady; b[o + 5] = m.flashing; break;
    case RIG_EV_BUZZER: b[o + 4] = m.count; put16(b, o + 5, i32(m.ms)); break;
    case RIG_EV_RELEASE: b[o + 4] = m.actuator; put16(b, o + 5, i32(m.ms)); break;
    case RIG_EV_DEBUG: for (let i = 0; i < m.textLen; i++) b[o + 4 + i] = m.text[i]; break;
    case RIG_EV_POWER: b[o + 4] = m.state; b[o + 5] = m.cause; put32(b, o + 6, m.detail); break;
    case RIG_EV_CARD: b[o + 4] = m.present ? 1 : 0; put32(b, o + 5, m.serial); break;
    case RIG_EV_CONTACTS: b[o + 4] = m.state; break;
    case RIG_EV_KEY: b[o + 4] = m.keys[0]; break;
    default: put16(b, o + 4, m.status); b[o + 6] = m.version; // RIG_EV_FRAME_ERROR
  }
}

/**
 * Encodes `m` as a whole frame at out[off..off+cap); returns the frame length, ERR_BAD_ARGUMENT
 * for a type or field the format cannot carry, or ERR_OUTPUT_TOO_SMALL. Nothing is written on error.
 */
export function encodeMessage(m: RigMessage, out: Uint8Array, off: i32, cap: i32): i32 {
  if (!inBounds(out, off, cap)) return ERR_BAD_ARGUMENT;
  const n = bodyLength(m);
  if (n < 0) return n;
  if (cap < RIG_HEADER_SIZE + n + RIG_CRC_SIZE) return ERR_OUTPUT_TOO_SMALL;
  writeBody(m, out, off + RIG_HEADER_SIZE);
  return encodeFrame(m.type, m.seq, out, off + RIG_HEADER_SIZE, n, out, off, cap);
}
