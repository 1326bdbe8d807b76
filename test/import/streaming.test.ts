// Streaming: a feed too large to hold in the heap the process may use still imports, so the
// importer cannot be holding it whole. The child's V8 heap is capped with --max-old-space-size;
// the same child parsing the feed whole under the same cap runs out of memory.
import { describe, it, expect, afterAll } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// The child that runs out of memory cannot delete its feed; it writes under this directory instead.
const scratch = mkdtempSync(join(tmpdir(), "lockbox-streaming-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function capped(...args: string[]): { out: Record<string, unknown>; err: string } {
  const child = spawnSync(process.execPath, ["--max-old-space-size=16", "--import", "tsx", join(import.meta.dirname, "capped-import.ts"), "1000", "30000", "10000", ...args], { encoding: "utf8", env: { ...process.env, TMPDIR: scratch } });
  const last = child.stdout.trim().split("\n").pop() ?? "";
  return { out: last.startsWith("{") ? JSON.parse(last) : {}, err: child.stderr };
}

describe("streaming import", () => {
  it("imports a 41,000-row, 13 MiB feed with the heap capped at 16 MiB, where holding it whole runs out", () => {
    const held = capped("hold");
    expect(held.err).toMatch(/heap out of memory/);
    const imported = capped();
    expect(imported.err).not.toMatch(/heap out of memory/);
    expect(imported.out).toMatchObject({ status: "applied", added: 41000, rejected: 0 });
    expect(imported.out.bytes).toBeGreaterThan(13_000_000);
  });
});
