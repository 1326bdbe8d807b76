import { afterAll, describe, expect, it } from "vitest";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStore } from "../../simulator/server/db/store.ts";
import { issueCardRecord } from "../../simulator/server/admin.ts";
import { seedWorld, ASSOCIATION } from "./fixture.ts";

const dir = mkdtempSync(join(tmpdir(), "lockbox-cli-"));
const lockbox = ["node_modules/.bin/tsx", "tools/lockbox.ts"];
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("lockbox server and lockbox cars", () => {
  it("serves the store, issues a CARS code, refuses a wrong PIN, stops cleanly on SIGTERM", async () => {
    const db = join(dir, "cli.db");
    const store = await openStore(db);
    seedWorld(store.db, { renewalDays: 7, carsPeriod: 30 });
    issueCardRecord(store.db, ASSOCIATION, "M1", "2468", Math.floor(Date.now() / 1000), 0xabcdef01);
    store.close();
    const server = spawn(lockbox[0], [lockbox[1], "server", "--port", "0", "--db", db, "--json"], { stdio: ["ignore", "pipe", "inherit"] });
    const line = await new Promise<string>((resolve) => server.stdout.once("data", (d: Buffer) => resolve(d.toString())));
    const { url } = JSON.parse(line) as { url: string };
    const ok = spawnSync(lockbox[0], [lockbox[1], "cars", "issue", "--serial", "abcdef01", "--pin", "2468", "--server", url, "--json"], { encoding: "utf8" });
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ serial: "abcdef01", sequence: 1, repeated: false });
    expect(JSON.parse(ok.stdout).code).toMatch(/^[0-9]{8}$/);
    const wrong = spawnSync(lockbox[0], [lockbox[1], "cars", "issue", "--serial", "abcdef01", "--pin", "1111", "--server", url], { encoding: "utf8" });
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toContain("pin-wrong");
    const usage = spawnSync(lockbox[0], [lockbox[1], "cars", "issue", "--serial", "xyz", "--pin", "1"], { encoding: "utf8" });
    expect(usage.status).toBe(2);
    const exit = new Promise<number | null>((resolve) => server.once("exit", (code) => resolve(code)));
    server.kill("SIGTERM");
    expect(await exit).toBe(0);
  });
});
