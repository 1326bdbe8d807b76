// `npm start` (`lockbox start`, issues 5 and 6): one world from the server's registration through
// the narrated showing to the renewal at a reader on a PTY. Every claim the command prints is checked
// against the SQLite file it leaves behind, read here directly, not through the command's own code.
import { afterAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Sqlite from "better-sqlite3";
import { socatAvailable } from "../../simulator/host/uart.ts";

const dir = mkdtempSync(join(tmpdir(), "lockbox-start-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const unbuilt = ["build/lockbox.wasm", "build/reader.wasm"].filter((f) => !existsSync(f));

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** `lockbox start --once --json --no-build …` through tsx as a child process, stdin not a terminal. */
function start(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "tools/lockbox.ts", "start", "--once", "--json", "--no-build", "--port", "0", ...args], { env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.stdin.end();
    child.once("close", (status) => resolve({ status, stdout, stderr }));
  });
}

interface Line {
  at?: string;
  text?: string;
  failed?: boolean;
  summary?: {
    ok: boolean;
    db: string;
    renewal: { card?: string; readerPort?: string; outcome?: { recordsNew: number; uploadId: number } | null; skipped?: string };
    showing: { lockbox: string; sequence: number } | null;
  };
}

function lines(r: Run): Line[] {
  return r.stdout.trim().split("\n").map((l) => JSON.parse(l) as Line);
}

describe.skipIf(!socatAvailable() || unbuilt.length > 0)(`lockbox start --once --json ${unbuilt.length ? `(${unbuilt.join(", ")} not built)` : !socatAvailable() ? "(socat is not installed)" : ""}`, () => {
  it("the narrated showing is uploaded by the renewal at the reader PTY and is in the listing's access log", async () => {
    const db = join(dir, "var", "world.db");
    const r = await start(["--db", db]);
    expect(r.status, r.stderr).toBe(0);
    const out = lines(r);
    const narration = out.filter((l) => l.text !== undefined);
    expect(narration.filter((l) => l.failed)).toEqual([]);
    const summary = out.at(-1).summary!;
    expect(summary.ok).toBe(true);
    expect(summary.renewal.readerPort).toMatch(/^\/dev\/pts\/\d+$/);

    const store = new Sqlite(db, { readonly: true });
    try {
      // The narrated showing: Alice (card 1001 = 000003e9) opens the lockbox at 12 Elm St (5001 = 00001389).
      const i = narration.findIndex((l) => /^Alice inserts the card and keys 1234 ENT at the lockbox at 12 Elm St: key compartment released/.test(l.text!));
      expect(i).toBeGreaterThan(0);
      const row = store.prepare(`SELECT e.lockbox_seq AS seq, e.utc, e.carried_by, e.upload_id, l.listing_id AS listing FROM access_events e
        JOIN listings l ON l.id = e.listing_id WHERE e.lockbox_id = '00001389' AND e.card_serial = '000003e9' AND e.event = 'opened' ORDER BY e.utc LIMIT 1`)
        .get() as { seq: number; utc: number; carried_by: string; upload_id: number; listing: string } | undefined;
      expect(row).toBeDefined();
      // Stored from the narrated visit: written between the line before it and its own line.
      expect(row!.utc).toBeGreaterThanOrEqual(Date.parse(narration[i - 1].at!) / 1000);
      expect(row!.utc).toBeLessThanOrEqual(Date.parse(narration[i].at!) / 1000);
      expect(row!.listing).toBe("778899");
      expect(row!.carried_by).toBe("000003e9");
      expect(summary.showing).toEqual(expect.objectContaining({ lockbox: "00001389", sequence: row!.seq, inAccessLog: true }));

      // The renewal at the reader uploaded it: one upload by Alice's card, the one that stored the row.
      const uploads = store.prepare("SELECT id, records_new FROM uploads WHERE card_serial = '000003e9'").all() as { id: number; records_new: number }[];
      expect(uploads).toHaveLength(1);
      expect(row!.upload_id).toBe(uploads[0].id);
      expect(summary.renewal.outcome).toEqual(expect.objectContaining({ uploadId: uploads[0].id, recordsNew: uploads[0].records_new }));
      const renewed = store.prepare("SELECT new_expiry FROM renewals WHERE card_serial = '000003e9'").all();
      expect(renewed).toHaveLength(1);

      // The CARS code Ed keyed is the one the server issued and recorded.
      const cars = narration.find((l) => /^Ed asks the back end for a CARS code .*POST \/api\/cars\): \d{8}$/.test(l.text!));
      const issued = store.prepare("SELECT code FROM cars_codes WHERE card_serial = '000003f2'").all() as { code: string }[];
      expect(issued.map((c) => c.code)).toEqual([cars!.text!.slice(-8)]);
      const next = narration[narration.indexOf(cars!) + 1];
      expect(next.text).toMatch(/^Ed keys FUNC 0 and the code, then the PIN at .*: key compartment released/);
    } finally {
      store.close();
    }
  });

  it("a second run replaces the store and starts again from the seed: one upload, not two", async () => {
    const db = join(dir, "var", "world.db");
    const r = await start(["--db", db]);
    expect(r.status, r.stderr).toBe(0);
    const store = new Sqlite(db, { readonly: true });
    try {
      expect(store.prepare("SELECT COUNT(*) FROM uploads").pluck().get()).toBe(1);
      expect(store.prepare("SELECT COUNT(*) FROM renewals").pluck().get()).toBe(1);
    } finally {
      store.close();
    }
  });
});

describe.skipIf(unbuilt.length > 0)("lockbox start refusals and fallbacks", () => {
  it("refuses to replace a store holding another association, and leaves it untouched", async () => {
    const db = join(dir, "real.db");
    const store = new Sqlite(db);
    store.exec("CREATE TABLE associations (id TEXT PRIMARY KEY); INSERT INTO associations VALUES ('board-of-realtors')");
    store.close();
    const before = readFileSync(db);
    const r = await start(["--db", db]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/holds association\(s\) board-of-realtors: not the demonstration's store/);
    expect(readFileSync(db).equals(before)).toBe(true);
  });

  it("refuses a --db that is not a SQLite file", async () => {
    const db = join(dir, "notes.txt");
    writeFileSync(db, "shopping list\n");
    const r = await start(["--db", db]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/is not a lockbox store/);
    expect(readFileSync(db, "utf8")).toBe("shopping list\n");
  });

  it("without socat: says so, skips the renewal, and the narration still holds", async () => {
    const bin = join(dir, "bin-without-socat");
    rmSync(bin, { recursive: true, force: true });
    mkdirSync(bin);
    symlinkSync(process.execPath, join(bin, "node"));
    const r = await start(["--db", join(dir, "no-socat.db")], { ...process.env, PATH: bin });
    expect(r.status, r.stderr).toBe(0);
    const out = lines(r);
    expect(out.some((l) => /socat is not installed .*renewal and the access log are skipped/.test(l.text ?? ""))).toBe(true);
    expect(out.at(-1).summary!.renewal).toEqual({ skipped: "socat is not installed" });
  });
});
