/**
 * PC/SC bridge (docs/ARCHITECTURE.md §4): connects a Card to vsmartcard's vpcd reader driver, which pcscd
 * loads from /etc/reader.conf.d/vpcd and which listens on 127.0.0.1:35963. Every message is a
 * 2-byte big-endian length and a payload; a 1-byte payload from vpcd is a control byte (00 power
 * off, 01 power on, 02 reset, 04 get ATR: answered with the ATR), anything longer is a command
 * APDU, answered with the response APDU. pcscd, opensc-tool, pcsc_scan and pyscard then see a
 * card inserted in "Virtual PCD".
 */
import { createConnection, Socket } from "node:net";
import type { Card } from "./card.ts";

/** vpcd's TCP port (0x8C7B, CHANNELID in /etc/reader.conf.d/vpcd). */
export const VPCD_PORT = 35963;
const CTRL_OFF = 0x00;
const CTRL_ON = 0x01;
const CTRL_RESET = 0x02;
const CTRL_ATR = 0x04;

/** Where vpcd listens, and an observer of the exchanges. */
export interface VpcdOptions {
  host?: string;
  port?: number;
  /** Called for each exchange (for progress output): kind and bytes. */
  onEvent?: (kind: "connected" | "power-on" | "power-off" | "reset" | "atr" | "apdu" | "closed", detail?: Uint8Array) => void;
}

/** Frames one message: 2-byte big-endian length ‖ payload. */
export function vpcdFrame(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(2 + payload.length);
  out[0] = payload.length >> 8;
  out[1] = payload.length & 0xff;
  out.set(payload, 2);
  return out;
}

/** One card attached to vpcd as its virtual card ("vicc" side of the protocol). */
export class VpcdBridge {
  private socket: Socket | null = null;
  private pending = Buffer.alloc(0);
  apdus = 0;

  constructor(private readonly card: Card, private readonly opts: VpcdOptions = {}) {}

  /** Connects to vpcd, retrying every 200 ms until `timeoutMs`; resolves once connected. */
  async connect(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        this.socket = await this.tryConnect();
        this.opts.onEvent?.("connected");
        return;
      } catch (err) {
        if (Date.now() > deadline) throw new Error(`cannot reach vpcd at ${this.opts.host ?? "127.0.0.1"}:${this.opts.port ?? VPCD_PORT}: ${(err as Error).message}`, { cause: err });
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  /** Resolves when vpcd closes the connection. */
  closed(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.socket || this.socket.destroyed) resolve();
      else this.socket.once("close", () => resolve());
    });
  }

  close(): void {
    this.socket?.destroy();
    this.socket = null;
  }

  private tryConnect(): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const s = createConnection({ host: this.opts.host ?? "127.0.0.1", port: this.opts.port ?? VPCD_PORT });
      s.once("error", reject);
      s.once("connect", () => {
        s.removeListener("error", reject);
        s.setNoDelay(true);
        s.on("data", (d) => this.onData(s, d));
        s.on("error", () => s.destroy());
        s.on("close", () => this.opts.onEvent?.("closed"));
        resolve(s);
      });
    });
  }

  private onData(s: Socket, data: Buffer): void {
    this.pending = Buffer.concat([this.pending, data]);
    while (this.pending.length >= 2) {
      const len = this.pending.readUInt16BE(0);
      if (this.pending.length < 2 + len) return;
      const msg = new Uint8Array(this.pending.subarray(2, 2 + len));
      this.pending = this.pending.subarray(2 + len);
      const reply = this.handle(msg);
      if (reply) s.write(vpcdFrame(reply));
    }
  }

  /** One message from vpcd; returns the reply payload, or null when none is due. */
  handle(msg: Uint8Array): Uint8Array | null {
    if (msg.length === 1) {
      switch (msg[0]) {
        case CTRL_OFF:
          this.card.powerOff();
          this.opts.onEvent?.("power-off");
          return null;
        case CTRL_ON:
          this.card.powerOn();
          this.opts.onEvent?.("power-on");
          return null;
        case CTRL_RESET:
          this.card.powerOn();
          this.opts.onEvent?.("reset");
          return null;
        case CTRL_ATR:
          this.opts.onEvent?.("atr");
          return this.card.t1().atrBytes;
        default:
          return null;
      }
    }
    this.apdus++;
    let rsp: Uint8Array;
    try {
      rsp = this.card.transmitApdu(msg);
    } catch {
      rsp = Uint8Array.of(0x6f, 0x00);
    }
    this.opts.onEvent?.("apdu", msg);
    return rsp;
  }
}
