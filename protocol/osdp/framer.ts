/**
 * Streaming OSDP framer (§5.1, §5.9 "resynchronisation"): finds packets in a byte stream that may
 * hold line noise, truncated packets and garbage. Bytes before a SOM are skipped; a SOM whose
 * header or packet does not verify is dropped alone, so a valid packet that started inside the
 * bad one's announced length is still found. Fixed buffer, no allocation after construction.
 */
import { copyBytes, inBounds } from "../bytes";
import { ERR_BAD_ARGUMENT } from "../errors";
import { OsdpPacket, OSDP_SOM, OSDP_MAX_PACKET, decodePacketKeepUnknown, packetLengthField } from "./packet";
import { ERR_OSDP_UNKNOWN_COMMAND, ERR_OSDP_UNKNOWN_REPLY } from "./errors";

/** Packet finder over a byte stream (§5.1 SOM search, §5.9 resynchronisation). */
export class OsdpFramer {
  /** Received bytes; a packet returned by next() lies at buf[packet.somOff..+packet.length). */
  readonly buf: Uint8Array;
  private head: i32 = 0;
  private tail: i32 = 0;
  /** Length of the packet last returned by next(); it is discarded on the following call. */
  private pending: i32 = 0;
  /** Bytes skipped because they could not start a packet (noise, marks, dropped SOMs). */
  skipped: i32 = 0;

  /** `capacity` must hold the largest packet; twice that lets a packet finish while another waits. */
  constructor(capacity: i32 = 2 * OSDP_MAX_PACKET) {
    this.buf = new Uint8Array(capacity < OSDP_MAX_PACKET ? OSDP_MAX_PACKET : capacity);
  }

  /** Forgets everything buffered (e.g. after an inter-character timeout, §5.9). */
  reset(): void {
    this.head = 0;
    this.tail = 0;
    this.pending = 0;
  }

  /**
   * Inter-character timeout (§5.9): gives up on the incomplete packet at the head by dropping its
   * SOM, so that packets buffered behind a corrupted length field are found by the next scan.
   * Returns false when nothing was buffered.
   */
  abandonPartial(): bool {
    this.discardPending();
    if (this.head == this.tail) return false;
    this.dropSom(0);
    return true;
  }

  /** Bytes buffered and not yet framed. */
  buffered(): i32 {
    return this.tail - this.head - this.pending;
  }

  /**
   * Appends src[off..off+len); returns how many bytes fit (the rest must be pushed again after
   * next() has consumed some), or ERR_BAD_ARGUMENT for a window outside src.
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
   * Frames the next packet. Returns its length (> 0) with `into` describing it (offsets into
   * `buf`, valid until the next push or next call); 0 when more bytes are needed; or the negative
   * ERR_OSDP_* code of a candidate packet that was dropped — call again to continue the scan.
   * ERR_OSDP_UNKNOWN_COMMAND / _REPLY are the exception: the packet verified and is consumed
   * whole, and `into` describes it, so a PD can answer osdp_NAK 0x03.
   */
  next(into: OsdpPacket): i32 {
    this.discardPending();
    const buf = this.buf;
    while (this.head < this.tail && buf[this.head] != OSDP_SOM) {
      this.head++;
      this.skipped++;
    }
    if (this.tail - this.head < 5) return 0;
    const length = packetLengthField(buf, this.head);
    if (length < 0) return this.dropSom(length);
    if (this.tail - this.head < length) return 0;
    const r = decodePacketKeepUnknown(buf, this.head, length, into);
    if (r == ERR_OSDP_UNKNOWN_COMMAND || r == ERR_OSDP_UNKNOWN_REPLY) {
      // Its trailer verified: a real packet with a code we do not know. Consume it whole.
      this.pending = length;
      return r;
    }
    if (r < 0) return this.dropSom(r);
    this.pending = length;
    return length;
  }

  private dropSom(code: i32): i32 {
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
