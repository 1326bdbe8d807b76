// Streaming: a feed too large to hold in the heap the process may use still imports, so the
// importer cannot be holding it whole. The child's V8 heap is capped with --max-old-space-size;
// the same child parsing the feed whole under the same cap runs out of memory. The cap leaves wide
// margins both ways (streaming fits in 18 MiB; holding this feed whole needs well over 28 MiB).
import { describe, it, expect, afterAll } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// The child that runs out of memory cannot delete its feed; it writes under this directory instead.
const scratch = mkdtempSync(join(tmpdir(), "lockbox-streaming-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function capped(...args: string[]): { out: Record<string, unknown>; err: string } {
  const child = spawnSync(process.execPath, ["--max-old-space-size=28", "--import", "tsx", join(import.meta.dirname, "capped-import.ts"), "1000", "60000", "10000", ...args], { encoding: "utf8", env: { ...process.env, TMPDIR: scratch } });
  const last = child.stdout.trim().split("\n").pop() ?? "";
  return { out: last.startsWith("{") ? JSON.parse(last) : {}, err: child.stderr };
}

describe("streaming import", () => {
  it("imports a 71,000-row, 24 MiB feed with the heap capped at 28 MiB, where holding it whole runs out", () => {
    const held = capped("hold");
    expect(held.err).toMatch(/heap out of memory/);
    const imported = capped();
    expect(imported.err).not.toMatch(/heap out of memory/);
    expect(imported.out).toMatchObject({ status: "applied", added: 71000, rejected: 0 });
    expect(imported.out.bytes).toBeGreaterThan(24_000_000);
  });
});
