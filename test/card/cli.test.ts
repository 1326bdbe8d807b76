// `lockbox card issue | info | serve`: exit codes, --json output, refusal to overwrite, a modified
// card file refused, vpcd unreachable reported as "unavailable".
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

let dir = "";
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "lockbox-cli-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function lockbox(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["--import", "tsx", "tools/lockbox.ts", "card", ...args], { encoding: "utf8", timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const ISSUE = ["--serial", "4242", "--association", "9", "--member-key", "M-77", "--mls-id", "X1", "--pin", "1357", "--expiry", "2026-06-01T00:00:00Z",
  "--card-auth-master", "404142434445464748494a4b4c4d4e4f", "--server-master", "505152535455565758595a5b5c5d5e5f", "--roles", "agent,listing", "--capacity", "8,8,4,4"];

describe("lockbox card", () => {
  it("issue then info --json shows the personalized fields; a second issue to the same file is refused (1)", () => {
    const path = join(dir, "x.card");
    const issued = lockbox("issue", path, ...ISSUE, "--json");
    expect(issued.code).toBe(0);
    expect(JSON.parse(issued.stdout).serial).toBe("4242");
    const info = lockbox("info", path, "--json");
    expect(info.code).toBe(0);
    const v = JSON.parse(info.stdout);
    expect([v.serial, v.association, v.memberKey, v.mlsId, v.roles, v.expiry, v.pinTriesLeft]).toEqual([4242, 9, "M-77", "X1", 3, "2026-06-01T00:00:00.000Z", 3]);
    expect(v.files.map((f: { capacity: number }) => f.capacity)).toEqual([8, 8, 4, 4]);
    expect(lockbox("issue", path, ...ISSUE).code).toBe(1);
    const file = readFileSync(path);
    file[100] ^= 1;
    writeFileSync(path, file);
    const tampered = lockbox("info", path);
    expect(tampered.code).toBe(1);
    expect(tampered.stderr).toMatch(/authentication tag/);
  });

  it("bad command lines exit 2; serve with no vpcd listening exits 3", () => {
    expect(lockbox("issue", join(dir, "y.card"), "--serial", "x").code).toBe(2);
    expect(lockbox("frobnicate").code).toBe(2);
    const path = join(dir, "z.card");
    expect(lockbox("issue", path, ...ISSUE).code).toBe(0);
    const served = lockbox("serve", path, "--port", "1");
    expect(served.code).toBe(3);
    expect(served.stderr).toMatch(/cannot reach vpcd/);
  });
});
