// Portable: runs in the WASM harness and under Node. Replays a recorded card session into the
// T=1 master (firmware/services/t1/master.ts) so both builds can be compared on the same script.
//
// Script layout: [apduCount (at most 4)] then apduCount × ([len u16le] [apdu bytes]), then the card's
// bursts, each [len u16le] [bytes]: the first is the ATR, each next one answers one transmit() in order.
// Transcript written to `out`: every transmit as [len u16le][bytes] and every rate change as
// [FF FF][Fi/Di]; after connect and after each APDU its 4-byte result (and the response bytes),
// then the master's counters.
import { T1Master, CardPort } from "../../firmware/services/t1/master";
import { put32, get16 } from "./fields";

/** At most this many APDUs per script; the transcript keeps room for their results. */
const MAX_APDUS: i32 = 4;
const RESPONSE_CAP: i32 = 1024;
const TAIL_RESERVE: i32 = MAX_APDUS * (RESPONSE_CAP + 4) + 64;

class ScriptedPort implements CardPort {
  script: Uint8Array = new Uint8Array(0);
  end: i32 = 0;
  next: i32 = 0;
  pendingOff: i32 = 0;
  pendingLen: i32 = 0;
  out: Uint8Array = new Uint8Array(0);
  outPos: i32 = 0;

  load(script: Uint8Array, start: i32, end: i32, out: Uint8Array): void {
    this.script = script;
    this.next = start;
    this.end = end;
    this.pendingLen = 0;
    this.out = out;
    this.outPos = 0;
  }

  private nextBurst(): void {
    this.pendingLen = 0;
    if (this.next >= this.end) return;
    if (this.next + 2 > this.end) {
      this.next = this.end;
      return;
    }
    const n = get16(this.script, this.next);
    this.pendingOff = this.next + 2;
    this.pendingLen = this.pendingOff + n <= this.end ? n : this.end - this.pendingOff;
    this.next = this.pendingOff + this.pendingLen;
  }

  reset(buf: Uint8Array, off: i32, cap: i32): i32 {
    this.nextBurst();
    return this.receive(buf, off, cap, 0);
  }

  transmit(buf: Uint8Array, off: i32, len: i32): void {
    if (this.outPos + len + 2 <= this.out.length - TAIL_RESERVE) {
      this.out[this.outPos++] = u8(len);
      this.out[this.outPos++] = u8(len >> 8);
      for (let i = 0; i < len; i++) this.out[this.outPos++] = buf[off + i];
    }
    this.nextBurst();
  }

  receive(buf: Uint8Array, off: i32, max: i32, timeoutEtu: i32): i32 {
    const n = max < this.pendingLen ? max : this.pendingLen;
    for (let i = 0; i < n; i++) buf[off + i] = this.script[this.pendingOff + i];
    this.pendingOff += n;
    this.pendingLen -= n;
    return n;
  }

  setFiDi(fidi: i32): void {
    if (this.outPos + 3 <= this.out.length - TAIL_RESERVE) {
      this.out[this.outPos++] = 0xff;
      this.out[this.outPos++] = 0xff;
      this.out[this.outPos++] = u8(fidi);
    }
  }
}

const port = new ScriptedPort();
const master = new T1Master(port, 4000000, 1000000);
const resp = new Uint8Array(RESPONSE_CAP);

/** Runs the script in input[0..len); returns the transcript length in `out`. */
export function replayLink(input: Uint8Array, len: i32, out: Uint8Array): i32 {
  if (len < 1) return 0;
  const count = i32(input[0]) < MAX_APDUS ? i32(input[0]) : MAX_APDUS;
  let pos = 1;
  for (let k = 0; k < count && pos + 2 <= len; k++) pos += 2 + get16(input, pos);
  if (pos > len) pos = len;
  port.load(input, pos, len, out);
  const r = master.connect();
  let o = port.outPos;
  o = put32(out, o, r);
  pos = 1;
  for (let k = 0; k < count && r == 0; k++) {
    if (pos + 2 > len) break;
    const n = get16(input, pos);
    const avail = pos + 2 + n <= len ? n : len - pos - 2;
    port.outPos = o;
    const t = master.transceive(input, pos + 2, avail, resp, 0, resp.length);
    o = port.outPos;
    o = put32(out, o, t);
    if (t > 0) for (let i = 0; i < t; i++) out[o++] = resp[i];
    pos += 2 + n;
  }
  o = put32(out, o, master.stats.bytesSent);
  o = put32(out, o, master.stats.bytesReceived);
  o = put32(out, o, master.stats.errors);
  o = put32(out, o, master.stats.resynchs);
  o = put32(out, o, master.stats.wtx);
  o = put32(out, o, master.stats.timeoutEtu);
  return o;
}
