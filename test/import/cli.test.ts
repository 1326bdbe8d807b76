// `lockbox import`: the command line a person or cron job uses, run as a real process.
import { describe, it, expect, afterAll } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { office, member } from "./synthetic.ts";

const bin = join(import.meta.dirname, "..", "..", "bin", "lockbox.js");
const dir = mkdtempSync(join(tmpdir(), "lockbox-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function lockbox(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [bin, "import", ...args], { encoding: "utf8", env: { ...process.env, LOCKBOX_DB: join(dir, "cli.db") } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe("lockbox import", () => {
  it("sets up an association, runs an import with --json, and shows the stored report", () => {
    const feed = join(dir, "feed");
    mkdirSync(feed);
    writeFileSync(join(feed, "office.json"), JSON.stringify({ value: [office(0)] }));
    writeFileSync(join(feed, "member.json"), JSON.stringify({ value: [member(0, 1), { MemberKey: "bad", MemberStatus: "Gone" }] }));
    expect(lockbox("setup", "--association", "B1", "--from", feed, "--schedule", "02:00", "--tz", "EST5EDT,M3.2.0,M11.1.0").code).toBe(0);
    const run = lockbox("run", "--association", "B1", "--full", "--json");
    expect(run.code).toBe(0);
    const report = JSON.parse(run.out);
    expect(report).toMatchObject({ status: "applied", mode: "full", totals: { added: 2, rejected: 1 } });
    expect(report.rejections[0]).toMatchObject({ resource: "Member", row: 2, key: "bad", code: "unknown-enum" });
    const strict = lockbox("run", "--association", "B1", "--strict");
    expect(strict.code).toBe(1);
    expect(strict.out).toContain("strict mode: rows were rejected, so nothing was applied");
    const shown = lockbox("report", "--association", "B1", "--last", "2");
    expect(shown.code).toBe(0);
    expect(shown.out).toMatch(/Import run 2 for association B1: rejected[\s\S]*Import run 1 for association B1: applied/);
    expect(shown.out).toContain('Member row 2 [bad] unknown-enum: MemberStatus "Gone" is not a MemberStatus value');
  });

  it("answers --help and refuses a bad command line with exit code 2", () => {
    const help = lockbox("--help");
    expect(help.code).toBe(0);
    expect(help.out).toContain("lockbox import run --association <id> [--full] [--from <url|dir|file>] [--strict] [--json] [--db <path>]");
    const bad = lockbox("run");
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("--association is required");
    expect(lockbox("run", "--association", "NOPE", "--from", dir).code).toBe(1);
  });
});
