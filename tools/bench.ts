/**
 * `npm run bench [-- --json] [-- --filter <text>] [-- --quick]`: runs every bench/*.bench.ts and
 * prints a table per group (or one JSON document with --json).
 */
import "../simulator/portable.ts";
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { type BenchGroup, type GroupResult, runGroup, formatGroup } from "./lib/bench.ts";
import { developmentNotice } from "../simulator/dev-mode.ts";

// Benchmarks build throw-away worlds: development mode (published secrets), announced like any other.
process.env.LOCKBOX_DEV = "1";
console.error(developmentNotice());

const { values } = parseArgs({
  options: {
    json: { type: "boolean", default: false },
    filter: { type: "string" },
    quick: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (values.help) {
  console.log("Usage: npm run bench -- [--json] [--filter <group or file text>] [--quick]");
  process.exit(0);
}

const benchDir = join(dirname(fileURLToPath(import.meta.url)), "..", "bench");
const files = readdirSync(benchDir).filter((f) => f.endsWith(".bench.ts")).sort();
const opts = values.quick ? { budgetMs: 100, warmupMs: 30, rounds: 2 } : { budgetMs: 600, warmupMs: 150, rounds: 6 };
const results: GroupResult[] = [];
for (const file of files) {
  const mod = (await import(pathToFileURL(join(benchDir, file)).href)) as { groups: () => BenchGroup[] | Promise<BenchGroup[]> };
  for (const group of await mod.groups()) {
    if (values.filter && !group.title.includes(values.filter) && !file.includes(values.filter)) continue;
    const result = await runGroup(group, opts);
    results.push(result);
    if (!values.json) console.log(formatGroup(result));
  }
}
if (values.json) console.log(JSON.stringify({ node: process.version, date: new Date().toISOString(), groups: results }, null, 2));
