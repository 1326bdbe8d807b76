// The must-show of issue 16 over real pseudo-terminals: `lockbox update` (the CLI, as a user runs it)
// installs a signed image on a simulated lockbox and on a simulated reader whose service ports are
// PTYs; the new version is read back over the service port and the box still opens. A refusal
// comes back with its reason and exit code 1.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PtyUart } from "../../simulator/host/uart.ts";
import { OsdpControlPanel, streamLink } from "../../simulator/osdp/cp.ts";
import { LockboxServiceClient } from "../../simulator/world/service-client.ts";
import { ptyUnavailable, openSerial } from "../support/pty.ts";
import { bootableBox, bootableReader, firmware, opens } from "./support.ts";

const skip = ptyUnavailable();
let dir = "";
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), "lockbox-update-")); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `lockbox update` as a child process (the event loop keeps serving the PTY meanwhile). */
function lockboxUpdate(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "tools/lockbox.ts", "update", ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "", stderr = "";
    child.stdout.on("data", (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on("data", (d: Buffer) => { stderr += d.toString(); });
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe.skipIf(skip !== null)(`lockbox update over PTYs ${skip ?? ""}`, () => {
  it("a simulated lockbox: 1.0.0 → 1.1.0; osdp_PDID and STATUS over the PTY report 1.1; the box still opens", async () => {
    const b = bootableBox();
    const pty = new PtyUart();
    const path = await pty.open(b.box.host, b.box.uart);
    try {
      const image = join(dir, "lockbox-1.1.0.img");
      writeFileSync(image, firmware("1.1.0"));
      const r = await lockboxUpdate(["--port", path, "--image", image, "--key", Buffer.from(b.box.scbk).toString("hex"), "--json"]);
      expect(r.code, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout);
      expect([out.ok, out.outcome, out.device, out.from, out.to]).toEqual([true, "installed", "lockbox", "1.0.0+0", "1.1.0+0"]);
      expect(out.after.primary).toEqual({ state: "confirmed", version: "1.1.0+0" });
      expect(out.goodputBytesPerSec).toBeGreaterThan(0);
      const port = await openSerial(path);
      try {
        const client = new LockboxServiceClient(streamLink(port), b.box.scbk, 1000);
        const id = await client.cp.id();
        expect([id.fwMajor, id.fwMinor]).toEqual([1, 1]);
        await client.cp.establishSecureChannel();
        expect((await client.status()).firmwareVersion).toBe(0x0101);
        client.cp.close();
      } finally {
        await new Promise<void>((resolve) => port.close(() => resolve()));
      }
      expect(opens(b)).toBe(true);
    } finally {
      pty.close();
    }
  });

  it("a simulated reader: 1.0.0 → 1.1.0, reported by osdp_PDID; a lockbox image is refused with its reason (exit 1)", async () => {
    const r = bootableReader();
    const pty = new PtyUart();
    const path = await pty.open(r.host, r.tap);
    const key = Buffer.from(r.scbk).toString("hex");
    try {
      const wrong = join(dir, "lockbox-for-reader.img");
      writeFileSync(wrong, firmware("1.1.0", "lockbox"));
      const refused = await lockboxUpdate(["--port", path, "--image", wrong, "--key", key]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/reader refused \(ERR_IMAGE_DEVICE\).*made for another kind of device/);
      const image = join(dir, "reader-1.1.0.img");
      writeFileSync(image, firmware("1.1.0", "reader"));
      const ok = await lockboxUpdate(["--port", path, "--image", image, "--key", key]);
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.stdout).toMatch(/^reader: installed 1\.1\.0\+0 \(was 1\.0\.0\+0\)/);
      const port = await openSerial(path);
      try {
        const cp = new OsdpControlPanel(streamLink(port), { address: 0, timeoutMs: 1000 });
        const id = await cp.id();
        cp.close();
        expect([id.model, id.fwMajor, id.fwMinor]).toEqual([0x52, 1, 1]);
      } finally {
        await new Promise<void>((resolve) => port.close(() => resolve()));
      }
    } finally {
      pty.close();
    }
  });
});
