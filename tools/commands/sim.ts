/**
 * `lockbox sim [scenario.json] [--seed N] [--realtime] [--once] [--json] [--no-build]`: runs a scenario against
 * simulated lockboxes (simulator/world/scenario.ts), narrating it, then keeps the lockboxes running
 * with their service ports on pseudo-terminals (socat) until Ctrl-C, so serial tools and QA scripts
 * can talk OSDP to them. Exits by itself after the narration with --once or when stdin is not a
 * terminal. Spec: protocol/SPEC.md Lockbox §8 `lockbox start` (start.ts) builds on the pieces
 * exported here: the shared options, the narrated world, the service ports on PTYs.
 */
import { parseArgs } from "node:util";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import type { KeyObject } from "node:crypto";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Command, UsageError, EXIT_OK, EXIT_FAILED, EXIT_UNAVAILABLE } from "../lib/command.ts";
import type { Scenario, ScenarioWorld, NarrationLine } from "../../simulator/world/scenario.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
/** The demonstration scenario `npm start` narrates. */
export const DEFAULT_SCENARIO = join(root, "simulator", "world", "scenarios", "showing.json");

const usage = `Usage: lockbox sim [scenario.json] [--seed N] [--realtime] [--once] [--json] [--no-build] [--image-key <pem>]

Runs a scenario (default: ${DEFAULT_SCENARIO.slice(root.length + 1)}) on simulated lockboxes running
build/lockbox.wasm (rebuilt when stale), narrates it, then keeps the lockboxes running with their
OSDP service ports on printed pseudo-terminal paths until Ctrl-C. The boxes boot through the boot
code (build/boot.wasm) from an update partition, so \`lockbox update\` installs signed images on them.

Options:
  --seed N       seed of every key, card challenge and random byte (default 1): same seed, same run
  --realtime     after the narration, device clocks follow the wall clock (default: virtual time)
  --once         exit after the narration (also when stdin is not a terminal)
  --json         one JSON object per line: {"at","text","failed"} narration, then {"imageKey"}, then
                 {"lockbox","pty","scbk"}
  --no-build     run build/lockbox.wasm as it is (skip the staleness check and rebuild)
  --image-key    the Ed25519 private key (PEM) the boxes trust for firmware images. Default: a
                 development key derived from the seed, written to a temporary directory and printed
                 (anyone can derive it: simulated devices only)

Exit codes: 0 every expectation held, 1 some did not, 2 bad command line or scenario file, 3 socat missing.`;

/** Builds the named wasm targets (asconfig.json) when a source is newer (tools/build.ts decides). */
export function buildIfStale(targets: string[]): void {
  const r = spawnSync(process.execPath, ["--import", "tsx", join(root, "tools", "build.ts"), ...targets], { stdio: ["ignore", 2, 2], cwd: root });
  if (r.status !== 0) throw new Error(`building ${targets.map((t) => `build/${t}.wasm`).join(" and ")} failed`);
}

/** The options `lockbox sim` and `lockbox start` share, for node:util parseArgs. */
export const WORLD_OPTIONS = {
  seed: { type: "string", default: "1" },
  realtime: { type: "boolean", default: false },
  once: { type: "boolean", default: false },
  json: { type: "boolean", default: false },
  "no-build": { type: "boolean", default: false },
  "image-key": { type: "string" },
} as const;

/** The image-signing key the simulated devices trust, and its PEM file (written for the development key when first printed). */
export interface WorldImageKey {
  key: KeyObject;
  path: string | null;
  development: boolean;
}

/** The key of --image-key (an Ed25519 private key in PEM), or the seed's development key (simulator/image/provision.ts devImageKey). */
export async function worldImageKey(option: string | undefined, seed: number): Promise<WorldImageKey> {
  const { privateKeyFromPem } = await import("../../simulator/image/image.ts");
  if (option !== undefined) {
    try {
      return { key: privateKeyFromPem(readFileSync(option)), path: option, development: false };
    } catch (err) {
      throw new UsageError(`--image-key ${option}: ${(err as Error).message}`);
    }
  }
  const { devImageKey } = await import("../../simulator/image/provision.ts");
  return { key: devImageKey(seed), path: null, development: true };
}

/**
 * Prints which key the devices trust and how to sign an image for them (a JSON object with
 * --json); the development key is first written 0600 to a new temporary directory.
 */
export function printImageKey(k: WorldImageKey, seed: number, json: boolean): void {
  if (k.path === null) {
    k.path = join(mkdtempSync(join(tmpdir(), "lockbox-sim-")), "image-key.pem");
    writeFileSync(k.path, k.key.export({ format: "pem", type: "pkcs8" }), { mode: 0o600 });
  }
  if (json) console.log(JSON.stringify({ imageKey: k.path, development: k.development }));
  else {
    const what = k.development ? `the development image key of seed ${seed} (simulated devices only)` : "the image key given";
    console.log(`Firmware: the devices run 1.0.0 and trust ${what}, ${k.path}. Update one with:\n` +
      `  npx lockbox image sign --key ${k.path} --device lockbox --version 1.1.0 build/lockbox.wasm lockbox-1.1.0.img\n` +
      `  npx lockbox update --port <its PTY> --image lockbox-1.1.0.img --key <its SCBK>`);
  }
}

/** Checks --seed; returns it. */
export function seedOption(text: string): number {
  const seed = Number(text);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new UsageError("--seed must be an integer 0..4294967295");
  return seed;
}

/** Prints one narrated line: `[local time] text`, or a JSON object {"at","text","failed"} with --json. */
export function printLine(world: ScenarioWorld, line: NarrationLine, json: boolean): void {
  if (json) console.log(JSON.stringify({ at: new Date(line.at * 1000).toISOString(), text: line.text, failed: line.failed ?? false }));
  else console.log(`[${world.clock(line.at)}] ${line.failed ? "✗ " : ""}${line.text}`);
}

/** Reads and validates a scenario file completely; a missing or malformed file is a usage error (exit 2) naming the field. */
export async function scenarioFile(path: string): Promise<Scenario> {
  const { loadScenario, ScenarioError } = await import("../../simulator/world/scenario.ts");
  try {
    return loadScenario(path);
  } catch (e) {
    if (e instanceof ScenarioError) throw new UsageError(`scenario ${path}: ${e.message}`);
    throw e;
  }
}

/** Builds the world of a validated scenario, narrating to stdout; `firmware`: the image key its boxes trust. */
export async function narratedWorld(scenario: Scenario, seed: number, json: boolean, firmware?: { key: KeyObject }): Promise<ScenarioWorld> {
  const { ScenarioWorld } = await import("../../simulator/world/scenario.ts");
  const world: ScenarioWorld = new ScenarioWorld(scenario, seed, (line) => printLine(world, line, json), undefined, firmware);
  return world;
}

/** A lockbox's service port offered on a PTY. */
export interface ServicePort {
  lockbox: number;
  pty: string;
  scbk: string;
}

/**
 * Offers every lockbox's OSDP service port on a PTY (socat must be installed), printing each path;
 * returns the ports and the function that closes them.
 */
export async function serveLockboxPorts(world: ScenarioWorld, json: boolean): Promise<{ ports: ServicePort[]; close: () => void }> {
  const { PtyUart } = await import("../../simulator/host/uart.ts");
  const ptys: InstanceType<typeof PtyUart>[] = [];
  const ports: ServicePort[] = [];
  for (const [id, box] of world.boxes) {
    const pty = new PtyUart();
    const path = await pty.open(box.host, box.uart);
    ptys.push(pty);
    const scbk = Buffer.from(box.scbk).toString("hex");
    ports.push({ lockbox: id, pty: path, scbk });
    if (json) console.log(JSON.stringify({ lockbox: id, pty: path, scbk }));
    else console.log(`${box.label} (lockbox ${id}): OSDP service port on ${path}, address 0, SCBK ${scbk}`);
  }
  return { ports, close: () => ptys.forEach((p) => p.close()) };
}

/** Resolves on Ctrl-C (SIGINT) or SIGTERM. */
export function untilInterrupted(): Promise<void> {
  return new Promise<void>((resolve) => {
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
}

/** Runs `lockbox sim`; resolves to the exit code. */
export async function runSim(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: WORLD_OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { values, positionals } = parsed;
  const seed = seedOption(values.seed);
  if (positionals.length > 1) throw new UsageError("at most one scenario file");
  const scenario = await scenarioFile(positionals[0] ?? DEFAULT_SCENARIO);
  if (!values["no-build"]) buildIfStale(["lockbox", "boot"]);
  const { socatAvailable } = await import("../../simulator/host/uart.ts");
  const { runInRealTime } = await import("../../simulator/host/realtime.ts");
  const json = values.json;
  const imageKey = await worldImageKey(values["image-key"], seed);
  const world = await narratedWorld(scenario, seed, json, imageKey);
  const failed = world.run();
  if (!json) console.log(failed === 0 ? "\nEvery expectation of the scenario held." : `\n${failed} expectation(s) did not hold.`);
  const code = failed === 0 ? EXIT_OK : EXIT_FAILED;
  if (values.once || !process.stdin.isTTY) return code;

  if (!socatAvailable()) {
    console.error("socat is not installed (Debian package 'socat'): the service ports cannot be offered on pseudo-terminals.");
    return EXIT_UNAVAILABLE;
  }
  printImageKey(imageKey, seed, json);
  const served = await serveLockboxPorts(world, json);
  if (!json) console.log(`Devices running${values.realtime ? " in real time" : ""}; Ctrl-C to stop.`);
  const stop = values.realtime ? runInRealTime([...world.boxes.values()].map((b) => b.host)) : (): void => undefined;
  await untilInterrupted();
  stop();
  served.close();
  return code;
}

/** The `sim` subcommand. */
export const command: Command = {
  name: "sim",
  summary: "run a scenario on simulated lockboxes, then serve their OSDP service ports on PTYs",
  usage,
  run: (argv) => runSim(argv),
};
