/**
 * The test-rig link's frame (protocol/SPEC.md Rig §1): SOF A5 ‖ version ‖ type ‖ seq ‖ body length ‖
 * body ‖ CRC-16/AUG-CCITT of everything before it, high byte first. `RigFramer` finds frames in a
 * byte stream that may hold noise and broken frames (Rig §1.2), the way the OSDP framer does: a
 * start byte whose frame does not verify is dropped alone and the scan goes on at the next byte.
 * Fixed buffers, no allocation after construction: the same code runs in an MCU's fixture firmware.
 */
import { copyBytes, inBounds } from "../bytes";
import { crc16AugCcitt } from "../crc";
import { ERR_TRUNCATED, ERR_OVERLONG, ERR_OUTPUT_TOO_SMALL, ERR_BAD_ARGUMENT } from "../errors";
import { ERR_RIG_BAD_SOF, ERR_RIG_BAD_VERSION, ERR_RIG_BAD_CRC } from "./errors";

/** Start-of-frame byte (Rig §1). */
export const RIG_SOF: u8 = 0xa5;
/** The protocol version this library speaks; a frame with another is refused (Rig §1.1). */
export const RIG_VERSION: u8 = 1;
/** SOF, version, type, seq, body length. */
export const RIG_HEADER_SIZE: i32 = 5;
/** The CRC-16 trailer. */
export const RIG_CRC_SIZE: i32 = 2;
/** Largest body (the length field is one byte). */
export const RIG_MAX_BODY: i32 = 255;
/** Largest frame: 262 bytes. */
export const RIG_MAX_FRAME: i32 = RIG_HEADER_SIZE + RIG_MAX_BODY + RIG_CRC_SIZE;

/** Where a verified frame lies in its buffer and what its header says. */
export class RigFrame {
  type: u8 = 0;
  seq: u8 = 0;
  /** Absolute offset of the body in the buffer the frame was decoded from. */
  bodyOff: i32 = 0;
  bodyLen: i32 = 0;
  /** Bytes of the whole frame. */
  length: i32 = 0;
}

/**
 * Writes a frame around body[bodyOff..+bodyLen) at out[off..); returns its length, or
 * ERR_BAD_ARGUMENT (body over RIG_MAX_BODY or its window outside `body`) / ERR_OUTPUT_TOO_SMALL
 * (nothing written). The body may already lie at out[off + RIG_HEADER_SIZE] (it is moved safely).
 */
export function encodeFrame(type: u8, seq: u8, body: Uint8Array, bodyOff: i32, bodyLen: i32, out: Uint8Array, off: i32, cap: i32): i32 {
  if (bodyLen > RIG_MAX_BODY || !inBounds(body, bodyOff, bodyLen) || !inBounds(out, off, cap)) return ERR_BAD_ARGUMENT;
  const total = RIG_HEADER_SIZE + bodyLen + RIG_CRC_SIZE;
  if (cap < total) return ERR_OUTPUT_TOO_SMALL;
  copyBytes(body, bodyOff, out, off + RIG_HEADER_SIZE, bodyLen);
  out[off] = RIG_SOF;
  out[off + 1] = RIG_VERSION;
  out[off + 2] = type;
  out[off + 3] = seq;
  out[off + 4] = u8(bodyLen);
  const crc = crc16AugCcitt(out, off, RIG_HEADER_SIZE + bodyLen);
  out[off + RIG_HEADER_SIZE + bodyLen] = u8(crc >>> 8);
  out[off + RIG_HEADER_SIZE + bodyLen + 1] = u8(crc);
  return total;
}

/**
 * Checks that buf[off..off+len) is exactly one frame, in this order: SOF, version, completeness
 * (ERR_TRUNCATED shorter than its length field says, ERR_OVERLONG longer), CRC. Describes it in
 * `into` only when every check passes; returns its length. The type and body are messages.ts's.
 */
export function decodeFrame(buf: Uint8Array, off: i32, len: i32, into: RigFrame): i32 {
  if (!inBounds(buf, off, len)) return ERR_BAD_ARGUMENT;
  if (len < 1) return ERR_TRUNCATED;
  if (buf[off] != RIG_SOF) return ERR_RIG_BAD_SOF;
  if (len < 2) return ERR_TRUNCATED;
  if (buf[off + 1] != RIG_VERSION) return ERR_RIG_BAD_VERSION;
  if (len < RIG_HEADER_SIZE) return ERR_TRUNCATED;
  const bodyLen = i32(buf[off + 4]);
  const total = RIG_HEADER_SIZE + bodyLen + RIG_CRC_SIZE;
  if (len < total) return ERR_TRUNCATED;
  if (len > total) return ERR_OVERLONG;
  const crc = crc16AugCcitt(buf, off, RIG_HEADER_SIZE + bodyLen);
  if (buf[off + total - 2] != u8(crc >>> 8) || buf[off + total - 1] != u8(crc)) return ERR_RIG_BAD_CRC;
  into.type = buf[off + 2];
  into.seq = buf[off + 3];
  into.bodyOff = off + RIG_HEADER_SIZE;
  into.bodyLen = bodyLen;
  into.length = total;
  return total;
}

/** Frame finder over a byte stream (Rig §1.2). */
export class RigFramer {
  /** Received bytes; a frame returned by next() lies in buf at the offsets its RigFrame gives. */
  readonly buf: Uint8Array = new Uint8Array(2 * RIG_MAX_FRAME);
  private head: i32 = 0;
  private tail: i32 = 0;
  /** Length of the frame last returned by next(); it is discarded on the following call. */
  private pending: i32 = 0;
  /** Bytes skipped because they could not start a frame (noise, dropped start bytes). */
  skipped: i32 = 0;

  /** Forgets everything buffered. */
  reset(): void {
    this.head = 0;
    this.tail = 0;
    this.pending = 0;
  }

  /** Bytes buffered and not yet framed. */
  buffered(): i32 {
    return this.tail - this.head - this.pending;
  }

  /**
   * Appends src[off..off+len); returns how many bytes fit (push the rest after next() has consumed
   * some), or ERR_BAD_ARGUMENT for a window outside src.
   */
  push(src: Uint8Array, off: i32, len: i32): i32 {
    if (!inBounds(src, off, len)) return ERR_BAD_ARGUMENT;
    this.discardPending();
    if (this.head > 0 && this.buf.length - this.tail < len) {
      copyBytes(this.buf, this.head, this.buf, 0, this.tail - this.head);
      this.tail -= this.head;
      this.head = 0;
    }
    const room = this.buf.length - this.tail;
    const n = len < room ? len : room;
    copyBytes(src, off, this.buf, this.tail, n);
    this.tail += n;
    return n;
  }

  /**
   * Frames the next frame: its length (> 0) with `into` describing it (valid until the next push
   * or next call); 0 when more bytes are needed; or ERR_RIG_BAD_VERSION / ERR_RIG_BAD_CRC for a
   * start byte that was dropped — call again to continue the scan.
   */
  next(into: RigFrame): i32 {
    this.discardPending();
    const buf = this.buf;
    while (this.head < this.tail && buf[this.head] != RIG_SOF) {
      this.head++;
      this.skipped++;
    }
    const have = this.tail - this.head;
    if (have < 2) return 0;
    if (buf[this.head + 1] != RIG_VERSION) return this.dropSof(ERR_RIG_BAD_VERSION);
    if (have < RIG_HEADER_SIZE) return 0;
    const total = RIG_HEADER_SIZE + i32(buf[this.head + 4]) + RIG_CRC_SIZE;
    if (have < total) return 0;
    const r = decodeFrame(buf, this.head, total, into);
    if (r < 0) return this.dropSof(r);
    this.pending = total;
    return total;
  }

  /**
   * Inter-character timeout (Rig §1.2): gives up on the incomplete frame at the head by dropping
   * its start byte, so frames buffered behind a corrupted length byte are found by the next scan.
   * Returns false when nothing was buffered.
   */
  abandonPartial(): bool {
    this.discardPending();
    if (this.head == this.tail) return false;
    this.dropSof(0);
    return true;
  }

  private dropSof(code: i32): i32 {
    this.head++;
    this.skipped++;
    return code;
  }

  private discardPending(): void {
    this.head += this.pending;
    this.pending = 0;
    if (this.head == this.tail) {
      this.head = 0;
      this.tail = 0;
    }
  }
}
