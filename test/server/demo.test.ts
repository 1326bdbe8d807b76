import { afterAll, describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runRenewalDemo, READER_WASM } from "../../simulator/server/demo.ts";
import { socatAvailable } from "../../simulator/host/uart.ts";
import { LOCKBOX_WASM } from "../../simulator/world/lockbox.ts";

const dir = mkdtempSync(join(tmpdir(), "lockbox-demo-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const missing = !socatAvailable() ? "socat is not installed" : !existsSync(READER_WASM) || !existsSync(LOCKBOX_WASM) ? "build/reader.wasm or build/lockbox.wasm not built (npm run build:wasm)" : null;

describe.skipIf(missing !== null)(`renewal scenario of npm start ${missing ?? ""}`, () => {
  it("a showing at the lockbox firmware, a renewal at the reader firmware over a PTY, the showing in the listing's access log", async () => {
    const lines: string[] = [];
    const r = await runRenewalDemo(join(dir, "demo.db"), (l) => lines.push(l));
    expect(r.readerPath).toMatch(/^\/dev\/pts\//);
    expect(r.outcome.recordsNew).toBeGreaterThanOrEqual(1);
    expect(r.accessLog.some((e) => e.event === "opened" && e.lockbox === "0001e240" && e.agent === "M-10558693" && e.listing === "L-1001")).toBe(true);
    expect(lines.some((l) => l.startsWith("renewed until"))).toBe(true);
  });
});
