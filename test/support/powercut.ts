/**
 * A power cut for tests of durability (docs/ARCHITECTURE.md §6 "durable before acknowledged"): a child process
 * runs with test/support/powercut-shim.c preloaded, which copies a file under the watched folder
 * to "<file>.durable" at every fsync()/fdatasync(); the test kills the child, and powerCut() then
 * leaves every file as a power failure would: as of its last sync, or as it was before the child
 * started when the child never synced it, or gone when the child created it without a sync.
 * Needs a C compiler (gcc); tests skip with the reason when there is none.
 */
import { execFileSync, spawnSync, type SpawnSyncReturns } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const SHIM_SOURCE = join(import.meta.dirname, "powercut-shim.c");
let shim: string | null = null;

/** Why the power-cut model cannot run here, or null when it can. */
export function powercutUnavailable(): string | null {
  try {
    execFileSync("cc", ["--version"], { stdio: "ignore" });
    return null;
  } catch {
    return "no C compiler to build the fsync shim (apt-get install gcc libc6-dev)";
  }
}

/** Compiles the shim once per test process; returns the shared object's path. */
function shimPath(): string {
  if (shim) return shim;
  const out = join(mkdtempSync(join(tmpdir(), "lockbox-powercut-")), "powercut-shim.so");
  execFileSync("cc", ["-shared", "-fPIC", "-O1", "-o", out, SHIM_SOURCE, "-ldl"], { stdio: "pipe" });
  shim = out;
  return out;
}

/** The contents of every file in `dir` (the state the child starts from, on stable storage). */
export function filesOf(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const name of readdirSync(dir)) files.set(name, readFileSync(join(dir, name)));
  return files;
}

/**
 * Runs `node --import tsx <script> ...args` with the shim watching `dir` and waits for it to end
 * (the script is expected to kill itself at the moment the power fails).
 */
export function runWatched(dir: string, script: string, args: string[]): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, ["--import", "tsx", script, ...args], {
    encoding: "utf8",
    env: { ...process.env, LD_PRELOAD: shimPath(), LOCKBOX_POWERCUT_DIR: dir },
  });
}

/**
 * The power failure: every file of `dir` becomes its last synced copy; a file never synced keeps
 * its content from `before` (what was on stable storage when the child started) or, if the child
 * created it, disappears. SQLite's -shm index is not data (it is rebuilt from the WAL) and goes too.
 */
export function powerCut(dir: string, before: Map<string, Buffer>): void {
  const names = readdirSync(dir);
  for (const name of names) {
    if (name.endsWith(".durable") || name.endsWith(".durable-tmp")) continue;
    const path = join(dir, name);
    if (existsSync(`${path}.durable`)) renameSync(`${path}.durable`, path);
    else if (before.has(name) && !name.endsWith("-shm")) writeFileSync(path, before.get(name)!);
    else rmSync(path);
  }
  for (const name of readdirSync(dir)) if (name.endsWith(".durable-tmp") || name.endsWith(".durable")) rmSync(join(dir, name));
}
