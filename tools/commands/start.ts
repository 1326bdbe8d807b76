/**
 * `npm start` (`lockbox start`): the demonstration world of issues 5 and 6 in one process. The
 * reference server starts on a fresh SQLite store with the world of the default scenario registered
 * in it (simulator/server/demo.ts registerWorld) and the world's simulated clock as its clock; the
 * scenario is narrated against the lockbox firmware with its CARS code issued by the server's
 * `POST /api/cars`; then the scenario's `renewal` agent renews the very card of the narration at a
 * simulated reader (build/reader.wasm) whose UART is a socat PTY, driven by `lockbox renew` as a
 * separate process, and the showing is read back from the listing's access log over the HTTP API.
 * Then the server, the lockbox service ports and the reader keep running until Ctrl-C.
 */
import { parseArgs } from "node:util";
import { spawn } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { createHash } from "node:crypto";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Command, UsageError, EXIT_OK, EXIT_FAILED } from "../lib/command.ts";
import {
  DEFAULT_SCENARIO, WORLD_OPTIONS, buildIfStale, narratedWorld, scenarioFile, printLine, seedOption, serveLockboxPorts, untilInterrupted,
  worldImageKey, printImageKey, type ServicePort, type WorldImageKey,
} from "./sim.ts";
import type { ScenarioWorld, VisitOutcome, CarsIssuer } from "../../simulator/world/scenario.ts";
import type { RenewalOutcome } from "../../simulator/server/renewal.ts";
import type { AccessLogEntry } from "../../simulator/server/admin.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
/** The `lockbox` command, run as a child process for the renewal exactly as a person would. */
const LOCKBOX_BIN = join(root, "bin", "lockbox.js");
/** The demonstration world's store: replaced at every run, since the world starts from its seed. */
export const DEFAULT_WORLD_DB = "./var/world.db";
/** Association ids registerWorld gives; a store holding any other is not the demonstration's. */
const WORLD_ASSOCIATION = /^assoc-\d+$/;

const usage = `Usage: lockbox start [--seed N] [--realtime] [--once] [--json] [--no-build] [--db <path>] [--port <n>]

The demonstration world (what \`npm start\` runs), in this order:
  1. builds build/lockbox.wasm and build/reader.wasm when stale; starts the reference server
     (HTTP on 127.0.0.1, printed URL; its clock is the world's simulated clock) on a fresh SQLite
     store and registers the world in it: association, agents and their cards, lockboxes, listings;
  2. narrates the scenario (${DEFAULT_SCENARIO.slice(root.length + 1)}) on simulated lockboxes: a
     showing with card + PIN, an expired card renewed with a CARS code issued by the server, then
     opening, and refusals with their reasons;
  3. the showing agent renews that same card at a simulated USB reader whose serial port is a
     pseudo-terminal (printed), with \`lockbox renew --port <pty> --server <url>\`; the showing is
     then read back from the listing's access log over the HTTP API;
  4. keeps the server, the lockboxes' OSDP service ports and the reader running, paths and URL
     printed, until Ctrl-C.

Options:
  --seed N     seed of every key, card challenge and random byte (default 1)
  --realtime   after the narration, lockbox clocks (and the server's) follow the wall clock
  --once       exit after step 3 (also when stdin is not a terminal)
  --json       one JSON object per line: narration {"at","text","failed"}, then {"summary":{...}}
  --no-build   run the .wasm files in build/ as they are
  --db PATH    SQLite store (default ${DEFAULT_WORLD_DB}); REPLACED at every run; a store with
               associations other than the demonstration's is refused
  --port N     HTTP port (default 8080, or a free one when 8080 is taken; 0: a free one)

Without socat (Debian package 'socat') the reader and the service ports cannot be put on
pseudo-terminals: step 3 is skipped with a message (not a failure) and only the server keeps running.

Exit codes: 0 every expectation held, and the renewal uploaded the showing and the access log shows
it (or socat is missing and step 3 was skipped); 1 something did not; 2 bad command line or a --db
that is not the demonstration's.`;

/** What --json prints last: everything a script needs to check the run or talk to the devices. */
export interface StartSummary {
  ok: boolean;
  seed: number;
  server: string;
  db: string;
  expectationsFailed: number;
  renewal: { who: string; card: string; readerPort: string; exitCode: number; outcome: RenewalOutcome | null; error: string | null } | { skipped: string };
  showing: { lockbox: string; sequence: number; at: string; card: string; listing: string | null; inAccessLog: boolean } | null;
  accessLog: AccessLogEntry[];
  running: { lockboxes: ServicePort[]; reader: string | null; readerScbk: string | null } | null;
}

function portOption(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0..65535, got ${text}`);
  return port;
}

/** `port`, or 0 (a free one) when something already listens there. */
function freePort(port: number): Promise<number> {
  if (port === 0) return Promise.resolve(0);
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", () => resolve(0));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(port)));
  });
}

/** Removes a previous demonstration store and its WAL files; refuses a file that is some other store. */
async function replaceStore(path: string): Promise<void> {
  if (!existsSync(path)) return;
  const { default: Sqlite } = await import("better-sqlite3");
  let ids: string[];
  try {
    const db = new Sqlite(path, { readonly: true, fileMustExist: true });
    try {
      ids = db.prepare("SELECT id FROM associations").pluck().all() as string[];
    } finally {
      db.close();
    }
  } catch (e) {
    throw new UsageError(`--db ${path} exists and is not a lockbox store (${(e as Error).message}); give another path`);
  }
  const foreign = ids.filter((id) => !WORLD_ASSOCIATION.test(id));
  if (foreign.length > 0) throw new UsageError(`--db ${path} holds association(s) ${foreign.join(", ")}: not the demonstration's store, which is replaced at every run; give another path`);
  for (const f of [path, `${path}-wal`, `${path}-shm`]) rmSync(f, { force: true });
}

/** Runs `lockbox renew` on the reader's PTY; human mode shows its own output indented, --json parses it. */
async function runRenewTool(port: string, server: string, json: boolean, show: (text: string) => void): Promise<{ exitCode: number; outcome: RenewalOutcome | null; error: string | null }> {
  const args = [LOCKBOX_BIN, "renew", "--port", port, "--server", server, "--wait", "20", ...(json ? ["--json"] : [])];
  show(`  $ lockbox renew --port ${port} --server ${server}`);
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"], cwd: root });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exitCode = await new Promise<number>((resolve) => child.once("close", (code) => resolve(code ?? EXIT_FAILED)));
  if (!json) {
    for (const line of `${stderr}\n${stdout}`.split("\n")) if (line.trim()) show(`  ${line}`);
    return { exitCode, outcome: null, error: exitCode === 0 ? null : `lockbox renew exited ${exitCode}` };
  }
  try {
    const r = JSON.parse(stdout) as { ok: boolean; outcome?: RenewalOutcome; error?: string; message?: string };
    return { exitCode, outcome: r.outcome ?? null, error: r.ok ? null : `${r.error}: ${r.message}` };
  } catch {
    return { exitCode, outcome: null, error: `lockbox renew printed no JSON (exit ${exitCode}): ${stdout.trim()} ${stderr.trim()}` };
  }
}

/** The narrated showing of the renewing agent: their first opening. */
function showingOf(world: ScenarioWorld, who: string): VisitOutcome | undefined {
  return world.visits.find((v) => v.who === who && v.outcome === "opened");
}

/** The simulator modules, loaded when the command runs (`lockbox --help` must not need the .wasm files). */
async function loadSimulator() {
  await import("../../simulator/portable.ts");
  const [app, demo, records, uart, realtime, reasons] = await Promise.all([
    import("../../simulator/server/app.ts"), import("../../simulator/server/demo.ts"), import("../../simulator/server/records.ts"),
    import("../../simulator/host/uart.ts"), import("../../simulator/host/realtime.ts"), import("../../protocol/service/reasons.ts"),
  ]);
  return {
    startServer: app.startServer, registerWorld: demo.registerWorld, readerOnPty: demo.readerOnPty, deviceId: records.deviceId,
    socatAvailable: uart.socatAvailable, runInRealTime: realtime.runInRealTime, reasonName: reasons.reasonName,
  };
}
type Simulator = Awaited<ReturnType<typeof loadSimulator>>;

/** Narration: `say` a line of the story (JSON with --json); `show` detail under it (people only: --json has it in the summary). */
interface Voice {
  json: boolean;
  say: (text: string, failed?: boolean) => void;
  show: (text: string) => void;
}

/** CARS codes from the server's API (API.md §CARS), as an agent's phone app would ask for them. */
function serverCars(sim: Simulator, url: string): CarsIssuer {
  return {
    label: "POST /api/cars",
    async issue(holder) {
      const res = await fetch(`${url}/api/cars`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ serial: sim.deviceId(holder.serial), pin: holder.pin }) });
      const body = (await res.json()) as { code?: string; error?: string; message?: string };
      if (!res.ok || body.code === undefined) throw new Error(`${body.error}: ${body.message}`);
      return body.code;
    },
  };
}

/** What the renewal part did, for the summary. */
type RenewalPartResult = Pick<StartSummary, "renewal" | "showing" | "accessLog"> & { ok: boolean; reader: { path: string; close: () => void } | null };

/**
 * Step 3: the scenario's renewal agent puts the narrated card in a reader on a PTY and renews with
 * `lockbox renew`; then the showing is looked up in its listing's access log over the API.
 */
/** The simulated reader's SCBK: derived from the seed, printed with its PTY (it takes `lockbox update`). */
function readerScbk(seed: number): Uint8Array {
  return new Uint8Array(createHash("sha256").update(`lockbox simulated reader scbk ${seed >>> 0}`).digest().subarray(0, 16));
}

async function renewalPart(sim: Simulator, world: ScenarioWorld, url: string, v: Voice, imageKey: WorldImageKey): Promise<RenewalPartResult> {
  const none: RenewalPartResult = { ok: true, reader: null, renewal: { skipped: "the scenario names no renewal" }, showing: null, accessLog: [] };
  if (!world.scenario.renewal) return none;
  if (!sim.socatAvailable()) {
    v.say("socat is not installed (Debian package 'socat'): the reader cannot be put on a pseudo-terminal, so the renewal and the access log are skipped.");
    return { ...none, renewal: { skipped: "socat is not installed" } };
  }
  const who = world.scenario.renewal.who;
  const holder = world.people.get(who)!;
  const reader = await sim.readerOnPty(holder, world.utc(), { scbk: readerScbk(world.seed), firmware: imageKey });
  v.say(`${who} puts the card in a USB card reader (build/reader.wasm, simulated) whose serial port is ${reader.path}, and renews with the server:`);
  const r = await runRenewTool(reader.path, url, v.json, v.show);
  if (r.error) v.say(`the renewal failed: ${r.error}`, true);
  const result: RenewalPartResult = { ok: r.error === null, reader, renewal: { who, card: sim.deviceId(holder.serial), readerPort: reader.path, ...r }, showing: null, accessLog: [] };
  const showing = showingOf(world, who);
  if (!showing) return result;

  const box = world.scenario.lockboxes.find((b) => b.id === showing.lockbox)!;
  const boxId = sim.deviceId(box.id);
  const query = box.listing ? `listing=${encodeURIComponent(box.listing)}` : `lockbox=${boxId}`;
  const res = await fetch(`${url}/api/access-log?${query}`);
  result.accessLog = ((await res.json()) as { events: AccessLogEntry[] }).events;
  const found = result.accessLog.some((e) => e.lockbox === boxId && e.sequence === showing.sequence && e.event === "opened");
  result.showing = { lockbox: boxId, sequence: showing.sequence, at: new Date(showing.utc * 1000).toISOString(), card: sim.deviceId(holder.serial), listing: box.listing ?? null, inAccessLog: found };
  result.ok &&= found;
  const names = new Map([...world.people.values()].map((p) => [sim.deviceId(p.serial), p.name]));
  v.say(`The access log of ${box.listing ? `listing ${box.listing}` : `lockbox ${boxId}`} from the API (GET /api/access-log?${query}), newest first:`);
  for (const e of result.accessLog) {
    const what = e.event === "denied" ? `denied (${sim.reasonName(e.reason)})` : e.event;
    const mark = e.lockbox === boxId && e.sequence === showing.sequence ? "   ← the showing narrated above" : "";
    v.show(`  ${world.clock(Date.parse(e.at) / 1000)}  lockbox ${e.lockbox} #${e.sequence}  ${what}  ${names.get(e.card) ?? "card"} ${e.card}, carried by ${names.get(e.carriedBy) ?? e.carriedBy}${mark}`);
  }
  v.say(found ? `${who}'s showing at ${box.name ?? `lockbox ${box.id}`} reached the server with the renewal.` : `${who}'s showing is not in the access log.`, !found);
  return result;
}

export const command: Command = {
  name: "start",
  summary: "run the demonstration world: server, narrated lockbox scenario, renewal at a reader (what `npm start` runs)",
  usage,
  async run(argv) {
    let values;
    try {
      ({ values } = parseArgs({ args: argv, options: { ...WORLD_OPTIONS, db: { type: "string", default: DEFAULT_WORLD_DB }, port: { type: "string", default: "8080" } }, strict: true }));
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const seed = seedOption(values.seed);
    const wantedPort = portOption(values.port);
    const json = values.json;
    const scenario = await scenarioFile(DEFAULT_SCENARIO);
    if (!values["no-build"]) buildIfStale(["lockbox", "reader", "boot"]);
    const imageKey = await worldImageKey(values["image-key"], seed);
    const sim = await loadSimulator();
    const world = await narratedWorld(scenario, seed, json, imageKey);
    const v: Voice = {
      json,
      say: (text, failed = false) => printLine(world, { at: world.utc(), text, failed: failed || undefined }, json),
      show: (text) => {
        if (!json) console.log(text);
      },
    };
    await replaceStore(values.db);
    // The server's clock is the world's: CARS days, renewal expiries and server time match the narration.
    const srv = await sim.startServer({ db: values.db, port: await freePort(wantedPort), env: { now: () => world.utc() } });
    const closers: (() => void)[] = [];
    try {
      const associationId = sim.registerWorld(srv.store.db, world);
      const s = world.scenario;
      v.say(`The back end: reference server on ${srv.url} (store ${values.db}; its clock is the world's simulated clock).`);
      const cards = s.people.filter((p) => (p.association ?? s.association.id) === s.association.id).map((p) => `${p.name} (card ${p.serial}: ${sim.deviceId(p.serial)})`);
      const boxes = s.lockboxes.map((b) => `lockbox ${b.id} (${sim.deviceId(b.id)})${b.listing ? ` on listing ${b.listing}` : ""}`);
      v.say(`Registered in it: association ${associationId} (${s.association.tz ?? "UTC0"}), agents ${cards.join(", ")}; ${boxes.join(", ")}. The API writes ids as 8 hex digits.`);

      const failed = await world.runWith(serverCars(sim, srv.url));
      v.show(failed === 0 ? "\nEvery expectation of the scenario held.\n" : `\n${failed} expectation(s) did not hold.\n`);
      const part = await renewalPart(sim, world, srv.url, v, imageKey);
      if (part.reader) closers.push(part.reader.close);
      const summary: StartSummary = {
        ok: failed === 0 && part.ok, seed, server: srv.url, db: values.db, expectationsFailed: failed, renewal: part.renewal, showing: part.showing, accessLog: part.accessLog, running: null,
      };

      const keepRunning = !values.once && process.stdin.isTTY === true;
      if (keepRunning) {
        const haveSocat = sim.socatAvailable();
        if (!haveSocat) v.say("socat is not installed: the lockboxes' service ports cannot be offered on pseudo-terminals; only the server keeps running.");
        const served = haveSocat ? await serveLockboxPorts(world, json) : { ports: [], close: () => undefined };
        closers.push(served.close);
        summary.running = { lockboxes: served.ports, reader: part.reader?.path ?? null, readerScbk: part.reader ? Buffer.from(readerScbk(seed)).toString("hex") : null };
        printImageKey(imageKey, seed, json);
      }
      if (json) console.log(JSON.stringify({ summary }));
      if (!keepRunning) return summary.ok ? EXIT_OK : EXIT_FAILED;

      v.show(`\nRunning: the server on ${srv.url}${part.reader ? `; the reader on ${part.reader.path} (SCBK ${summary.running?.readerScbk}) with ${s.renewal!.who}'s card in it` : ""}.`);
      if (part.reader) v.show(`Try: npx lockbox renew --port ${part.reader.path} --server ${srv.url}   and   curl '${srv.url}/api/access-log?${summary.showing?.listing ? `listing=${summary.showing.listing}` : `lockbox=${summary.showing?.lockbox ?? ""}`}'`);
      v.show(`Devices running${values.realtime ? " in real time" : ""}; Ctrl-C to stop.`);
      if (values.realtime) closers.push(sim.runInRealTime([...world.boxes.values()].map((b) => b.host)));
      await untilInterrupted();
      return summary.ok ? EXIT_OK : EXIT_FAILED;
    } finally {
      for (const close of closers.reverse()) close();
      await srv.close();
    }
  },
};
