/**
 * The device's service UART bound to something a control panel can talk to: an in-memory byte
 * link (tests, the simulated world) or a pseudo-terminal made by socat, whose path serial tools
 * and QA scripts open like a real port (docs/ARCHITECTURE.md §3 "Same bytes on every transport").
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import type { DeviceHost, DeviceEvent } from "./host.ts";
import type { ByteLink } from "../osdp/cp.ts";

/** Routes the host's UART output events to listeners; returns the hook to pass as HostOptions.onEvent. */
export class UartTap {
  private listeners = new Set<(bytes: Uint8Array) => void>();
  readonly onEvent = (e: DeviceEvent): void => {
    if (e.kind !== "uart") return;
    for (const l of this.listeners) l(e.bytes);
  };
  listen(l: (bytes: Uint8Array) => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
}

/** An in-memory link to the device: writes reach the firmware on the next turn of the event loop. */
export function memoryUart(host: DeviceHost, tap: UartTap): ByteLink {
  return {
    write(bytes) {
      const copy = bytes.slice();
      setImmediate(() => host.uartReceive(copy));
    },
    onData: (listener) => tap.listen(listener),
  };
}

/** True when socat is installed. */
export function socatAvailable(): boolean {
  return spawnSync("socat", ["-V"], { stdio: "ignore" }).status === 0;
}

/** A pseudo-terminal bridged to the device's UART by socat (PTY ⇄ socat stdio ⇄ host). */
export class PtyUart {
  /** The path to open with a serial library (e.g. /dev/pts/7, or `link` when given). */
  path = "";
  private child: ChildProcess | null = null;
  private off: (() => void) | null = null;

  /** Starts socat and resolves when the PTY exists; rejects with a clear message when socat is missing. */
  async open(host: DeviceHost, tap: UartTap, link?: string): Promise<string> {
    if (!socatAvailable()) throw new Error("socat is not installed (Debian package 'socat'): cannot create the service-port pseudo-terminal");
    const pty = `PTY,raw,echo=0${link ? `,link=${link}` : ""}`;
    const child = spawn("socat", ["-d", "-d", pty, "STDIO"], { stdio: ["pipe", "pipe", "pipe"] });
    this.child = child;
    child.stdout.on("data", (chunk: Buffer) => host.uartReceive(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length)));
    this.off = tap.listen((bytes) => child.stdin.write(Buffer.from(bytes)));
    this.path = await new Promise<string>((resolve, reject) => {
      let err = "";
      const onErr = (chunk: Buffer): void => {
        err += chunk.toString();
        const m = /PTY is (\S+)/.exec(err);
        if (m) resolve(link ?? m[1]);
      };
      child.stderr.on("data", onErr);
      child.once("exit", (code) => reject(new Error(`socat exited (${code}): ${err.trim()}`)));
    });
    return this.path;
  }

  close(): void {
    this.off?.();
    this.child?.kill();
    this.child = null;
  }
}
