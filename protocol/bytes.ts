/**
 * Bounds-checked byte reader and writer over a Uint8Array window. Both are allocated once and
 * re-pointed with reset(), so codecs use them on hot paths without allocating. Errors are sticky:
 * a read past the end returns 0 and sets `error` to ERR_TRUNCATED; a write past the end writes
 * nothing and sets `error` to ERR_OUTPUT_TOO_SMALL. Check `error` once after a run of calls.
 */
import { OK, ERR_TRUNCATED, ERR_OUTPUT_TOO_SMALL, ERR_BAD_ARGUMENT } from "./errors";

export class ByteReader {
  buf: Uint8Array = new Uint8Array(0);
  /** Absolute index of the next byte to read. */
  pos: i32 = 0;
  /** Absolute index one past the last readable byte. */
  end: i32 = 0;
  error: i32 = OK;

  /** Points the reader at buf[off..off+len); a window outside buf reads nothing (ERR_BAD_ARGUMENT). */
  reset(buf: Uint8Array, off: i32, len: i32): ByteReader {
    this.buf = buf;
    const ok = inBounds(buf, off, len);
    this.pos = ok ? off : 0;
    this.end = ok ? off + len : 0;
    this.error = ok ? OK : ERR_BAD_ARGUMENT;
    return this;
  }

  /** Bytes left to read. */
  remaining(): i32 {
    return this.end - this.pos;
  }

  /** True when `n` more bytes can be read; otherwise records ERR_TRUNCATED. */
  has(n: i32): bool {
    if (n < 0 || this.end - this.pos < n) {
      if (this.error == OK) this.error = ERR_TRUNCATED;
      return false;
    }
    return true;
  }

  readU8(): u8 {
    if (!this.has(1)) return 0;
    return unchecked(this.buf[this.pos++]);
  }

  readU16LE(): u16 {
    if (!this.has(2)) return 0;
    const v = u16(u32(this.buf[this.pos]) | (u32(this.buf[this.pos + 1]) << 8));
    this.pos += 2;
    return v;
  }

  readU16BE(): u16 {
    if (!this.has(2)) return 0;
    const v = u16((u32(this.buf[this.pos]) << 8) | u32(this.buf[this.pos + 1]));
    this.pos += 2;
    return v;
  }

  readU32LE(): u32 {
    if (!this.has(4)) return 0;
    const b = this.buf;
    const p = this.pos;
    const v = u32(u32(b[p]) | (u32(b[p + 1]) << 8) | (u32(b[p + 2]) << 16) | (u32(b[p + 3]) << 24));
    this.pos += 4;
    return v;
  }

  readU32BE(): u32 {
    if (!this.has(4)) return 0;
    const b = this.buf;
    const p = this.pos;
    const v = u32((u32(b[p]) << 24) | (u32(b[p + 1]) << 16) | (u32(b[p + 2]) << 8) | u32(b[p + 3]));
    this.pos += 4;
    return v;
  }

  /** Copies `n` bytes into dst[dstOff..]; on truncation copies nothing. */
  readInto(dst: Uint8Array, dstOff: i32, n: i32): bool {
    if (!this.has(n)) return false;
    if (!copyBytes(this.buf, this.pos, dst, dstOff, n)) {
      if (this.error == OK) this.error = ERR_OUTPUT_TOO_SMALL;
      return false;
    }
    this.pos += n;
    return true;
  }

  /** Advances past `n` bytes (returning their start index), or records ERR_TRUNCATED and returns -1. */
  skip(n: i32): i32 {
    if (!this.has(n)) return -1;
    const at = this.pos;
    this.pos += n;
    return at;
  }
}

export class ByteWriter {
  buf: Uint8Array = new Uint8Array(0);
  /** Absolute index of the next byte to write. */
  pos: i32 = 0;
  /** Absolute index one past the last writable byte. */
  end: i32 = 0;
  /** Where this writer started; length() is measured from here. */
  start: i32 = 0;
  error: i32 = OK;

  /** Points the writer at buf[off..off+cap); a window outside buf writes nothing (ERR_BAD_ARGUMENT). */
  reset(buf: Uint8Array, off: i32, cap: i32): ByteWriter {
    this.buf = buf;
    const ok = inBounds(buf, off, cap);
    this.start = ok ? off : 0;
    this.pos = this.start;
    this.end = ok ? off + cap : 0;
    this.error = ok ? OK : ERR_BAD_ARGUMENT;
    return this;
  }

  /** Bytes written since reset(). */
  length(): i32 {
    return this.pos - this.start;
  }

  /** True when `n` more bytes fit; otherwise records ERR_OUTPUT_TOO_SMALL. */
  room(n: i32): bool {
    if (n < 0 || this.end - this.pos < n) {
      if (this.error == OK) this.error = ERR_OUTPUT_TOO_SMALL;
      return false;
    }
    return true;
  }

  writeU8(v: i32): void {
    if (!this.room(1)) return;
    unchecked((this.buf[this.pos++] = u8(v)));
  }

  writeU16LE(v: i32): void {
    if (!this.room(2)) return;
    this.buf[this.pos] = u8(v);
    this.buf[this.pos + 1] = u8(v >>> 8);
    this.pos += 2;
  }

  writeU16BE(v: i32): void {
    if (!this.room(2)) return;
    this.buf[this.pos] = u8(v >>> 8);
    this.buf[this.pos + 1] = u8(v);
    this.pos += 2;
  }

  writeU32LE(v: u32): void {
    if (!this.room(4)) return;
    const b = this.buf;
    const p = this.pos;
    b[p] = u8(v);
    b[p + 1] = u8(v >>> 8);
    b[p + 2] = u8(v >>> 16);
    b[p + 3] = u8(v >>> 24);
    this.pos += 4;
  }

  writeU32BE(v: u32): void {
    if (!this.room(4)) return;
    const b = this.buf;
    const p = this.pos;
    b[p] = u8(v >>> 24);
    b[p + 1] = u8(v >>> 16);
    b[p + 2] = u8(v >>> 8);
    b[p + 3] = u8(v);
    this.pos += 4;
  }

  writeBytes(src: Uint8Array, srcOff: i32, n: i32): void {
    if (!this.room(n)) return;
    if (!copyBytes(src, srcOff, this.buf, this.pos, n)) {
      if (this.error == OK) this.error = ERR_BAD_ARGUMENT;
      return;
    }
    this.pos += n;
  }

  fill(value: i32, n: i32): void {
    if (!this.room(n)) return;
    for (let i = 0; i < n; i++) this.buf[this.pos + i] = u8(value);
    this.pos += n;
  }
}

/** True when buf[off..off+len) lies inside buf (the guard the unchecked loops below rely on). */
export function inBounds(buf: Uint8Array, off: i32, len: i32): bool {
  return off >= 0 && len >= 0 && off <= buf.length - len;
}

/**
 * Copies n bytes; correct when the ranges overlap (memmove semantics). Copies nothing and returns
 * false when either window lies outside its buffer, so the loops can skip per-byte bounds checks.
 */
export function copyBytes(src: Uint8Array, srcOff: i32, dst: Uint8Array, dstOff: i32, n: i32): bool {
  if (!inBounds(src, srcOff, n) || !inBounds(dst, dstOff, n)) return false;
  if (src === dst && dstOff > srcOff) {
    for (let i = n - 1; i >= 0; i--) unchecked((dst[dstOff + i] = src[srcOff + i]));
  } else {
    for (let i = 0; i < n; i++) unchecked((dst[dstOff + i] = src[srcOff + i]));
  }
  return true;
}

/** Sets n bytes to zero; does nothing and returns false when the window lies outside buf. */
export function zeroBytes(buf: Uint8Array, off: i32, n: i32): bool {
  if (!inBounds(buf, off, n)) return false;
  for (let i = 0; i < n; i++) unchecked((buf[off + i] = 0));
  return true;
}

/**
 * True when a[aOff..aOff+n) equals b[bOff..bOff+n); false when they differ or either window lies
 * outside its buffer. Not constant-time: public data only.
 */
export function bytesEqual(a: Uint8Array, aOff: i32, b: Uint8Array, bOff: i32, n: i32): bool {
  if (!inBounds(a, aOff, n) || !inBounds(b, bOff, n)) return false;
  for (let i = 0; i < n; i++) if (unchecked(a[aOff + i]) != unchecked(b[bOff + i])) return false;
  return true;
}

/**
 * True when a[aOff..aOff+n) equals b[bOff..bOff+n), in time that depends on n only: the compare
 * for MACs and cryptograms. False when either window lies outside its buffer.
 */
export function constantTimeEqual(a: Uint8Array, aOff: i32, b: Uint8Array, bOff: i32, n: i32): bool {
  if (!inBounds(a, aOff, n) || !inBounds(b, bOff, n)) return false;
  let diff: u32 = 0;
  for (let i = 0; i < n; i++) diff |= u32(unchecked(a[aOff + i])) ^ u32(unchecked(b[bOff + i]));
  return diff == 0;
}

/**
 * The big-endian u32 at b[o..o+4) (ISO 7816 and the card, flash and service layouts are
 * big-endian). For fields of an already checked window: the caller guarantees b[o..o+4) is in b.
 */
export function readU32BE(b: Uint8Array, o: i32): u32 {
  return u32((u32(b[o]) << 24) | (u32(b[o + 1]) << 16) | (u32(b[o + 2]) << 8) | u32(b[o + 3]));
}

/** Writes v big-endian at b[o..o+4); the caller guarantees the window is in b. */
export function writeU32BE(b: Uint8Array, o: i32, v: u32): void {
  b[o] = u8(v >>> 24);
  b[o + 1] = u8(v >>> 16);
  b[o + 2] = u8(v >>> 8);
  b[o + 3] = u8(v);
}
