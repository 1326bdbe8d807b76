// The control panel and the PD over real pseudo-terminals (socat) through serialport's SerialPort:
// the same bytes as on an RS-485 adapter. Skipped, with the reason, when socat is missing.
import { describe, it, expect } from "vitest";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { SerialPort } from "serialport";
import { OsdpControlPanel, streamLink } from "../../simulator/osdp/cp.ts";
import { startMemoryPd, TEST_VENDOR } from "./memory-pd.ts";
import { nodeBlockCipher } from "./aes.ts";

const noSocat = spawnSync("socat", ["-V"]).status !== 0;

/** Two linked raw PTYs from socat. */
async function ptyPair(): Promise<{ paths: string[]; socat: ChildProcess }> {
  const socat = spawn("socat", ["-d", "-d", "pty,raw,echo=0", "pty,raw,echo=0"], { stdio: ["ignore", "ignore", "pipe"] });
  const paths: string[] = [];
  await new Promise<void>((resolve, reject) => {
    let text = "";
    const timer = setTimeout(() => reject(new Error(`socat printed no PTYs: ${text}`)), 5000);
    socat.stderr!.on("data", (d: Buffer) => {
      text += d.toString();
      for (const m of text.matchAll(/PTY is (\S+)/g)) if (!paths.includes(m[1])) paths.push(m[1]);
      if (paths.length === 2) { clearTimeout(timer); resolve(); }
    });
  });
  return { paths, socat };
}

function open(path: string): Promise<SerialPort> {
  return new Promise((resolve, reject) => {
    const port = new SerialPort({ path, baudRate: 115200 }, (err) => (err ? reject(err) : resolve(port)));
  });
}

describe.skipIf(noSocat)("OSDP over a serial port (socat PTY pair)", () => {
  it("secure handshake, osdp_ID and osdp_MFG through SerialPort on both ends", async () => {
    const { paths, socat } = await ptyPair();
    const [pdPort, cpPort] = await Promise.all(paths.map(open));
    try {
      const scbk = Uint8Array.from({ length: 16 }, (_, i) => 0x55 ^ i);
      startMemoryPd(streamLink(pdPort), 3, scbk);
      const cp = new OsdpControlPanel(streamLink(cpPort), { address: 3, scbk, cipher: nodeBlockCipher() });
      await cp.establishSecureChannel();
      expect((await cp.id()).serial).toBe(0xdeadbeef);
      const rep = await cp.mfg(TEST_VENDOR, Uint8Array.of(1, 2, 3, 4));
      expect(Array.from(rep!.data.subarray(0, rep!.dataLen))).toEqual([4, 3, 2, 1]);
      expect(cp.stats.retries).toBe(0);
      cp.close();
    } finally {
      await Promise.all([pdPort, cpPort].map((p) => new Promise((r) => p.close(r))));
      socat.kill();
    }
  });
});
