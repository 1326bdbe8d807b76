// Field update (issue 16): transfer goodput at 115200 baud as a share of the line rate, over a
// link that carries bytes in real time at that rate (with and without a NOR flash timing model for
// the device); the power-cut sweep's cut points; the boot code's verification and the footprints.
import { statSync } from "node:fs";
import { consume, type BenchGroup, type BenchMetric } from "../tools/lib/bench.ts";
import type { ByteLink } from "../simulator/osdp/cp.ts";
import type { DeviceHost } from "../simulator/host/host.ts";
import type { UartTap } from "../simulator/host/uart.ts";
import { runUpdate } from "../simulator/image/update-client.ts";
import { BOOT_WASM } from "../simulator/image/provision.ts";
import { LOCKBOX_WASM } from "../simulator/world/lockbox.ts";
import { bootableBox, firmware, READER_WASM } from "../test/update/support.ts";
import { record } from "../test/update/sweep.ts";

const BAUD = 115200;
/** 8N1: ten bit times per byte, so the line carries BAUD / 10 bytes per second. */
const LINE_BYTES_PER_SEC = BAUD / 10;

/**
 * A typical serial NOR's times (e.g. a W25Q-class part: 45 ms to erase a 4 KiB sector, 0.7 ms
 * to program a 256-byte page) and a PD turnaround for decrypting and checking a 1 KiB packet
 * (2 ms): what a device spends between receiving a command and starting its reply.
 */
export const NOR_MODEL = { eraseMs: 45, programMs: 0.7, turnaroundMs: 2 };

/**
 * A serial line at `baud` between a control panel and a simulated device, in real time: every
 * byte takes 10 bit times on the wire, each direction in turn; with `model`, the device's reply
 * waits for the flash writes the command caused and the turnaround.
 */
function pacedLink(host: DeviceHost, tap: UartTap, baud: number, model: typeof NOR_MODEL | null): ByteLink {
  const byteMs = 10_000 / baud;
  let lineFree = 0;
  const listeners = new Set<(b: Uint8Array) => void>();
  const send = (bytes: Uint8Array, after: number): void => {
    const start = Math.max(performance.now() + after, lineFree);
    lineFree = start + bytes.length * byteMs;
    setTimeout(() => { for (const l of listeners) l(bytes); }, lineFree - performance.now());
  };
  // The device's replies, held until the command's flash time is known: the writes before its reply
  // (a reset the reply announces happens after it, and is not transfer time).
  let replies: Uint8Array[] | null = null;
  const writes = { erases: 0, programs: 0 };
  /** The writes counted when the first reply came out (set by the tap listener). */
  const mark: { atReply: { erases: number; programs: number } | null } = { atReply: null };
  /** When the device finishes the flash work it does after a reply (an erase ahead): a command arriving earlier waits. */
  let busyUntil = 0;
  tap.listen((bytes) => {
    if (!replies) return send(bytes.slice(), 0);
    mark.atReply ??= { ...writes };
    replies.push(bytes.slice());
  });
  return {
    write(bytes) {
      const copy = bytes.slice();
      const start = Math.max(performance.now(), lineFree);
      lineFree = start + copy.length * byteMs;
      setTimeout(() => {
        writes.erases = 0;
        writes.programs = 0;
        Object.assign(mark, { atReply: null });
        const prev = host.flash.onWrite;
        host.flash.onWrite = (op) => { if (op.kind === "erase") writes.erases++; else writes.programs++; prev?.(op); };
        replies = [];
        host.uartReceive(copy);
        host.flash.onWrite = prev;
        const held = replies;
        replies = null;
        const w = mark.atReply ?? { ...writes };
        const ms = (x: { erases: number; programs: number }): number => (model ? x.erases * model.eraseMs + x.programs * model.programMs : 0);
        const now = performance.now();
        const wait = Math.max(0, busyUntil - now);
        const delay = model && held.length > 0 ? wait + model.turnaroundMs + ms(w) : 0;
        busyUntil = now + delay + ms({ erases: writes.erases - w.erases, programs: writes.programs - w.programs });
        for (const r of held) send(r, delay);
      }, lineFree - performance.now());
    },
    onData(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

async function goodput(model: typeof NOR_MODEL | null): Promise<{ bytes: number; ms: number }> {
  const b = bootableBox();
  const r = await runUpdate(pacedLink(b.box.host, b.box.uart, BAUD, model), { scbk: b.box.scbk, image: firmware("1.1.0") });
  if (r.outcome !== "installed") throw new Error(r.message);
  return { bytes: r.bytesSent, ms: r.transferMs };
}

export async function groups(): Promise<BenchGroup[]> {
  return [
    {
      title: `update: transfer goodput at ${BAUD} baud (lockbox image, 996-byte fragments, secure channel)`,
      metrics: async (): Promise<BenchMetric[]> => {
        const line = await goodput(null);
        const nor = await goodput(NOR_MODEL);
        const rate = (x: { bytes: number; ms: number }): number => (x.bytes * 1000) / x.ms;
        return [
          { name: "line rate", value: LINE_BYTES_PER_SEC, unit: "B/s", note: "8N1" },
          { name: "goodput, the line only", value: Math.round(rate(line)), unit: "B/s", note: `${line.bytes} bytes in ${(line.ms / 1000).toFixed(2)} s` },
          { name: "share of the line rate, the line only", value: rate(line) / LINE_BYTES_PER_SEC, unit: "", note: "secure-channel framing, FTSTAT replies, host CPU" },
          { name: "goodput with NOR flash timing", value: Math.round(rate(nor)), unit: "B/s", note: `erase ${NOR_MODEL.eraseMs} ms/4 KiB, program ${NOR_MODEL.programMs} ms/page, turnaround ${NOR_MODEL.turnaroundMs} ms` },
          { name: "share of the line rate with NOR flash timing", value: rate(nor) / LINE_BYTES_PER_SEC, unit: "", note: "aim ≥ 0.80; mcumgr over a UART shell: ~3 KB/s ≈ 0.26" },
        ];
      },
    },
    {
      title: "update: power-cut sweep (a cut before every flash write of one update)",
      metrics: async (): Promise<BenchMetric[]> => {
        const out: BenchMetric[] = [];
        for (const device of ["lockbox", "reader"] as const) {
          const s = await record(device);
          const by = (p: string): number => s.phases.filter((x) => x === p).length;
          out.push({ name: `${device}: cut points`, value: s.ops.length, unit: "", note: `transfer ${by("transfer")}, verification ${by("verification")}, swap ${by("swap")}, confirmation ${by("confirmation")}; test/update/powercut.test.ts boots after each` });
        }
        return out;
      },
    },
    {
      title: "update: boot code (build/boot.wasm) at power-on, lockbox image",
      cases: (() => {
        const b = bootableBox();
        return [{ name: "boot: verify the primary image (SHA-256 + Ed25519) and start the lockbox", fn: () => { b.box.host.boot(); consume(b.box.host.running); } }];
      })(),
      metrics: (): BenchMetric[] => [
        { name: "build/boot.wasm", value: statSync(BOOT_WASM).size, unit: "bytes", note: "Ed25519 + SHA-512 + SHA-256 + image checks + swap + boot-state log" },
        { name: "build/lockbox.wasm", value: statSync(LOCKBOX_WASM).size, unit: "bytes", note: "budget 65,536; 53,692 before issue 16" },
        { name: "build/reader.wasm", value: statSync(READER_WASM).size, unit: "bytes", note: "32,780 before issue 16" },
      ],
    },
  ];
}
