/**
 * `lockbox update --port <path> --image <file> --key <scbk>`: installs a signed firmware image on a
 * lockbox or a reader over its OSDP service port (protocol/SPEC.md Image §7), the control panel
 * side in simulator/image/update-client.ts: secure channel, transfer (resumed where an earlier run
 * stopped), the device's checks, its reset, the boot code's verdict and the test boot, the outcome.
 */
import "../../simulator/portable.ts";
import { parseArgs } from "node:util";
import { readFileSync } from "node:fs";
import { SerialPort } from "serialport";
import { type Command, EXIT_FAILED, EXIT_OK, EXIT_UNAVAILABLE, UsageError } from "../lib/command.ts";
import { Progress } from "../lib/progress.ts";

const usage = `Usage: lockbox update --port <path> --image <file> --key <32 hex> [--baud 115200] [--fragment <bytes>]
                      [--timeout <ms>] [--json]

Installs a signed firmware image (lockbox image sign) on the lockbox or reader whose OSDP service
port is <path> (a serial port, or the PTY a simulated device prints). Over the secure channel with
the device's SCBK (--key) it reads IMAGE STATUS, sends the image with osdp_FILETRANSFER into the
device's secondary slot (resuming where an earlier, interrupted run stopped), waits while the device
checks it, then for its reset: the boot code verifies the signature and test-boots the new image,
which confirms itself after its self-test; otherwise the old image comes back. Prints the outcome
with the version before and after, or the device's reason for refusing (wrong key, altered image,
downgrade, image for another device, ...). Run the same command again after an interruption.

  --fragment  bytes per osdp_FILETRANSFER (default and device maximum 996)
  --timeout   reply timeout per OSDP attempt in ms (default 1000)
  --json      one JSON object: {"ok","outcome","device","from","to","resumedFrom","transferMs",
              "goodputBytesPerSec","lineRateShare","reason","after","message"}

Exit codes: 0 installed; 1 refused or not installed (reason printed); 2 bad command line or
unreadable image file; 3 the port cannot be opened or the device does not answer.`;

const options = {
  port: { type: "string" },
  image: { type: "string" },
  key: { type: "string" },
  baud: { type: "string" },
  fragment: { type: "string" },
  timeout: { type: "string" },
  json: { type: "boolean", default: false },
} as const;

function openPort(path: string, baudRate: number): Promise<SerialPort> {
  return new Promise<SerialPort>((resolve, reject) => {
    const p = new SerialPort({ path, baudRate }, (err) => (err ? reject(err) : resolve(p)));
  });
}

export const command: Command = {
  name: "update",
  summary: "install a signed firmware image on a lockbox or reader over its service port",
  usage,
  async run(argv) {
    let values;
    try {
      ({ values } = parseArgs({ args: argv, options, strict: true }));
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    if (!values.port) throw new UsageError("--port is required");
    if (!values.image) throw new UsageError("--image is required");
    if (!values.key || !/^[0-9a-fA-F]{32}$/.test(values.key)) throw new UsageError("--key must be the device's SCBK, 32 hex digits");
    const baud = Number(values.baud ?? 115200);
    if (!Number.isInteger(baud) || baud <= 0) throw new UsageError("--baud must be a positive integer");
    const fragment = Number(values.fragment ?? 996);
    if (!Number.isInteger(fragment) || fragment < 16 || fragment > 996) throw new UsageError("--fragment must be 16..996");
    const timeoutMs = Number(values.timeout ?? 1000);
    if (!Number.isInteger(timeoutMs) || timeoutMs < 50) throw new UsageError("--timeout must be at least 50 ms");
    let image: Uint8Array;
    try {
      image = new Uint8Array(readFileSync(values.image));
    } catch (err) {
      throw new UsageError(`cannot read ${values.image}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    const { parseImage, ImageError } = await import("../../simulator/image/image.ts");
    try {
      parseImage(image);
    } catch (err) {
      if (err instanceof ImageError) throw new UsageError(`${values.image} is not a well-formed image (${err.codeName}): ${err.message}`);
      throw err;
    }
    const { runUpdate } = await import("../../simulator/image/update-client.ts");
    const { streamLink, OsdpError } = await import("../../simulator/osdp/cp.ts");
    const json = values.json;

    let port: SerialPort;
    try {
      port = await openPort(values.port, baud);
    } catch (err) {
      const message = `cannot open ${values.port}: ${(err as Error).message}`;
      if (json) console.log(JSON.stringify({ ok: false, outcome: "unreachable", message }));
      else console.error(`lockbox update: ${message}`);
      return EXIT_UNAVAILABLE;
    }
    const progress = new Progress("updating", image.length, { json });
    try {
      const r = await runUpdate(streamLink(port), {
        scbk: Uint8Array.from(Buffer.from(values.key, "hex")), image, fragmentSize: fragment, timeoutMs,
        onProgress: (phase, done) => progress.update(done, phase === "transfer" ? "bytes sent" : phase === "checking" ? "device checking the image" : "device rebooting"),
        reconnect: async () => {
          await new Promise<void>((resolve) => port.close(() => resolve()));
          port = await openPort(values.port!, baud);
          return streamLink(port);
        },
      });
      progress.done();
      const goodput = r.transferMs > 0 ? (r.bytesSent * 1000) / r.transferMs : 0;
      const share = (goodput * 10) / baud;
      if (json) {
        console.log(JSON.stringify({ ...r, goodputBytesPerSec: Math.round(goodput), lineRateShare: Math.round(share * 1000) / 1000 }));
      } else if (r.ok) {
        const resumed = r.resumedFrom.some((o) => o > 0) ? ` (resumed at byte ${r.resumedFrom.filter((o) => o > 0).join(", ")})` : "";
        console.log(`${r.device}: ${r.message}. ${r.bytesSent} bytes sent${resumed} in ${(r.transferMs / 1000).toFixed(1)} s, ${Math.round(goodput)} B/s; whole update ${(r.totalMs / 1000).toFixed(1)} s`);
      } else {
        console.error(`lockbox update: ${r.device} ${r.outcome}${r.reason ? ` (${r.reason.name})` : ""}: ${r.message}`);
      }
      return r.ok ? EXIT_OK : EXIT_FAILED;
    } catch (err) {
      progress.done();
      const unreachable = err instanceof OsdpError;
      const message = unreachable ? `no secure session with the device on ${values.port} (${(err as Error).message}): check --key` : (err as Error).message;
      if (json) console.log(JSON.stringify({ ok: false, outcome: unreachable ? "unreachable" : "failed", message }));
      else console.error(`lockbox update: ${message}`);
      return unreachable ? EXIT_UNAVAILABLE : EXIT_FAILED;
    } finally {
      await new Promise<void>((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve()));
    }
  },
};
