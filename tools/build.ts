/**
 * Builds every WebAssembly target in asconfig.json into build/ and type-checks the TypeScript.
 *
 *   tsx tools/build.ts              all wasm targets (when stale) + tsc --noEmit
 *   tsx tools/build.ts --wasm-only  only the wasm targets (what `npm test` needs)
 *   tsx tools/build.ts --force      rebuild even when up to date
 *   tsx tools/build.ts crypto-simd  only the named targets
 */
import { readFileSync, statSync, readdirSync, mkdirSync, existsSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { spawnSync } from "node:child_process";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

interface AscApi {
  main(args: string[], opts: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream }): Promise<{ error: Error | null; stderr: { toString(): string } }>;
}
// Imported by a non-literal specifier: the compiler's own .d.ts declares AssemblyScript globals
// (console, WebAssembly) that would shadow Node's in this program.
const ascModule = "assemblyscript/asc";
const asc = ((await import(ascModule)) as { default: AscApi }).default;

interface TargetOptions {
  entries: string[];
  outFile: string;
  runtime?: string;
  optimizeLevel?: number;
  shrinkLevel?: number;
  noAssert?: boolean;
  initialMemory?: number;
  maximumMemory?: number;
  exportStart?: string;
  enable?: string[];
}

interface AsConfig {
  options: Partial<TargetOptions>;
  targets: Record<string, Partial<TargetOptions>>;
}

/** Directories whose AssemblyScript sources any wasm target may include. */
const SOURCE_DIRS = ["protocol", "firmware", "test/wasm"];

function newestSource(): number {
  let newest = statSync(join(root, "asconfig.json")).mtimeMs;
  const walk = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".ts")) newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  for (const dir of SOURCE_DIRS) walk(join(root, dir));
  return newest;
}

function ascArgs(target: TargetOptions): string[] {
  const args = [...target.entries, "--outFile", target.outFile];
  if (target.runtime) args.push("--runtime", target.runtime);
  if (target.optimizeLevel !== undefined) args.push("--optimizeLevel", String(target.optimizeLevel));
  if (target.shrinkLevel !== undefined) args.push("--shrinkLevel", String(target.shrinkLevel));
  if (target.noAssert) args.push("--noAssert");
  if (target.initialMemory !== undefined) args.push("--initialMemory", String(target.initialMemory));
  if (target.maximumMemory !== undefined) args.push("--maximumMemory", String(target.maximumMemory));
  if (target.exportStart) args.push("--exportStart", target.exportStart);
  for (const feature of target.enable ?? []) args.push("--enable", feature);
  return args;
}

async function buildWasm(names: string[], force: boolean): Promise<boolean> {
  const config = JSON.parse(readFileSync(join(root, "asconfig.json"), "utf8")) as AsConfig;
  const newest = newestSource();
  let ok = true;
  for (const [name, overrides] of Object.entries(config.targets)) {
    if (names.length > 0 && !names.includes(name)) continue;
    const target = { ...config.options, ...overrides } as TargetOptions;
    const missing = target.entries.filter((e) => !existsSync(join(root, e)));
    if (missing.length > 0) {
      console.log(`wasm ${name}: skipped, entry not present yet (${missing.join(", ")})`);
      continue;
    }
    const out = join(root, target.outFile);
    if (!force && existsSync(out) && statSync(out).mtimeMs >= newest) continue;
    mkdirSync(dirname(out), { recursive: true });
    const started = Date.now();
    const { error, stderr } = await asc.main(ascArgs(target), { stdout: process.stdout, stderr: process.stderr });
    if (error) {
      console.error(`wasm ${name}: FAILED: ${error.message}\n${stderr.toString()}`);
      ok = false;
      continue;
    }
    const size = statSync(out).size;
    console.log(`wasm ${name}: ${relative(root, out)} ${size} bytes (${Date.now() - started} ms)`);
  }
  return ok;
}

function typeCheck(): boolean {
  const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
  const result = spawnSync(process.execPath, [tsc, "-p", join(root, "tsconfig.json"), "--noEmit"], { stdio: "inherit" });
  if (result.status === 0) console.log("tsc: TypeScript type-checks");
  return result.status === 0;
}

const argv = process.argv.slice(2);
const wasmOnly = argv.includes("--wasm-only");
const force = argv.includes("--force");
const names = argv.filter((a) => !a.startsWith("--"));
let ok = await buildWasm(names, force);
if (!wasmOnly && names.length === 0) ok = typeCheck() && ok;
process.exit(ok ? 0 : 1);
