/**
 * `lockbox renew --port <path> --server <url>`: renews the card in a USB reader (docs/ARCHITECTURE.md §2
 * Renewal; protocol/SPEC.md Reader §3). This tool is the OSDP control panel on the serial port and
 * relays APDUs between the card and the server; it is trusted with nothing.
 */
import "../../simulator/portable.ts";
import { parseArgs } from "node:util";
import { SerialPort } from "serialport";
import { type Command, EXIT_FAILED, EXIT_OK, EXIT_UNAVAILABLE, UsageError } from "../lib/command.ts";
import { Progress } from "../lib/progress.ts";
import { OsdpControlPanel, OsdpError, streamLink } from "../../simulator/osdp/cp.ts";
import { ReaderClient, ReaderError } from "../../simulator/server/reader-client.ts";
import { renewOverHttp, RenewRefused } from "../../simulator/server/renew-client.ts";

const usage = `Usage: lockbox renew --port <path> [--server <url>] [--baud 115200] [--scbk <32 hex> | --install]
                     [--wait <seconds>] [--retries <n>] [--json]

Renews the card in the reader on <path> (a USB serial port, or the PTY a simulated reader prints):
waits for a card, connects it, then relays the renewal between the card and the server: the server
authenticates the card, takes its upload (its own accesses, records it carried, ownership and
settings events), stores it exactly once, and writes a fresh authorization, receipt, denylist,
server time and staged settings. Prints e.g. "renewed until 2026-03-17T16:00:00.000Z, 37 records
uploaded".

  --server   the reference server (default $LOCKBOX_SERVER or http://127.0.0.1:8080)
  --scbk     OSDP secure-channel key of the reader; --install uses the install key SCBK-D
             (a new reader); without either the link runs in the clear (the card and the server
             protect everything end to end anyway)
  --wait     seconds to wait for a card (default 60)
  --retries  OSDP re-sends of a command whose reply is lost or damaged (default 5; raise it on a
             noisy line: a re-sent command is answered from the reader's copy, never run twice)
  --json     one JSON object: {"ok":true,"outcome":{...}} or {"ok":false,"error":code,"message":...}

Exit codes: 0 renewed; 1 refused by the server (code printed, e.g. card-deactivated,
member-inactive, record-bad-mac) or by the reader/card; 2 bad command line; 3 the serial port or the
server cannot be reached.`;

const options = {
  port: { type: "string" },
  server: { type: "string" },
  baud: { type: "string" },
  scbk: { type: "string" },
  install: { type: "boolean", default: false },
  wait: { type: "string" },
  retries: { type: "string" },
  json: { type: "boolean", default: false },
} as const;

interface Failure {
  exit: number;
  code: string;
  message: string;
}

function classify(err: unknown): Failure {
  if (err instanceof RenewRefused) return { exit: EXIT_FAILED, code: err.code, message: err.message };
  if (err instanceof ReaderError) return { exit: EXIT_FAILED, code: "reader-error", message: err.message };
  if (err instanceof OsdpError) return { exit: EXIT_UNAVAILABLE, code: "reader-unreachable", message: `no answer from the reader: ${err.message}` };
  const e = err as { cause?: { code?: string }; message?: string } | null | undefined;
  if (e?.cause?.code === "ECONNREFUSED" || e?.message === "fetch failed") return { exit: EXIT_UNAVAILABLE, code: "server-unreachable", message: `cannot reach the server: ${e.cause?.code ?? e.message}` };
  return { exit: EXIT_FAILED, code: "failed", message: err instanceof Error ? err.message : String(err) };
}

export const command: Command = {
  name: "renew",
  summary: "renew the card in a USB reader with the server (OSDP control panel)",
  usage,
  async run(argv) {
    let values;
    try {
      ({ values } = parseArgs({ args: argv, options, strict: true }));
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    if (!values.port) throw new UsageError("--port is required");
    const baud = Number(values.baud ?? 115200);
    if (!Number.isInteger(baud) || baud <= 0) throw new UsageError("--baud must be a positive integer");
    const wait = Number(values.wait ?? 60);
    if (!(wait > 0)) throw new UsageError("--wait must be a positive number of seconds");
    const retries = Number(values.retries ?? 5);
    if (!Number.isInteger(retries) || retries < 0 || retries > 100) throw new UsageError("--retries must be an integer 0..100");
    if (values.scbk !== undefined && !/^[0-9a-fA-F]{32}$/.test(values.scbk)) throw new UsageError("--scbk must be 32 hex digits");
    const server = values.server ?? process.env.LOCKBOX_SERVER ?? "http://127.0.0.1:8080";
    const json = values.json;
    const say = (s: string) => { if (!json) process.stderr.write(s + "\n"); };

    let port: SerialPort;
    try {
      port = await new Promise<SerialPort>((resolve, reject) => {
        const p = new SerialPort({ path: values.port!, baudRate: baud }, (err) => (err ? reject(err) : resolve(p)));
      });
    } catch (err) {
      const message = `cannot open ${values.port}: ${(err as Error).message}`;
      if (json) console.log(JSON.stringify({ ok: false, error: "port-unavailable", message }));
      else console.error(`lockbox renew: ${message}`);
      return EXIT_UNAVAILABLE;
    }
    const cp = new OsdpControlPanel(streamLink(port), {
      address: 0,
      retries,
      scbk: values.scbk ? Uint8Array.from(Buffer.from(values.scbk, "hex")) : undefined,
      useScbkD: values.install,
    });
    const progress = new Progress("renewing", 0, { json });
    try {
      if (values.scbk || values.install) await cp.establishSecureChannel();
      const reader = new ReaderClient(cp);
      await reader.waitForCard(wait * 1000, () => say(`insert the card into the reader on ${values.port}`));
      const st = await reader.connect();
      say(`card connected at ${st.bitRate} bit/s; renewing with ${server}`);
      const out = await renewOverHttp(server, reader.transmit(), (step, _apdu, p) => {
        if (p?.phase === "upload") {
          progress.setTotal(p.total);
          progress.update(p.done, `records uploaded (${step} APDUs)`);
        } else {
          progress.setTotal(0);
          progress.update(step, `APDUs relayed (${p?.phase ?? "start"})`);
        }
      });
      progress.done();
      if (json) console.log(JSON.stringify({ ok: true, outcome: out }));
      else {
        const dup = out.recordsDuplicate ? ` (${out.recordsDuplicate} already held)` : "";
        const kind = out.kind === "reactivation" ? "reactivated and renewed" : "renewed";
        console.log(`card ${out.serial} ${kind} until ${out.expiresAt}, ${out.recordsUploaded} record${out.recordsUploaded === 1 ? "" : "s"} uploaded${dup}` +
          `${out.settingsStaged ? `, settings staged for ${out.settingsStaged} lockbox(es)` : ""}; denylist version ${out.denylistVersion}`);
      }
      return EXIT_OK;
    } catch (err) {
      progress.done();
      const f = classify(err);
      if (json) console.log(JSON.stringify({ ok: false, error: f.code, message: f.message }));
      else console.error(`lockbox renew: ${f.code}: ${f.message}`);
      return f.exit;
    } finally {
      cp.close();
      await new Promise<void>((resolve) => port.close(() => resolve()));
    }
  },
};
