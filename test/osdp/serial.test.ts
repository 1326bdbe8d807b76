// The control panel and the PD over real pseudo-terminals (socat) through serialport's SerialPort:
// the same bytes as on an RS-485 adapter. Skipped, with the reason, when socat is missing.
import { describe, it, expect } from "vitest";
import { OsdpControlPanel, streamLink } from "../../simulator/osdp/cp.ts";
import { startMemoryPd, TEST_VENDOR } from "./memory-pd.ts";
import { nodeBlockCipher } from "./aes.ts";
import { ptyPair, ptyUnavailable, openSerial } from "../support/pty.ts";

const noPty = ptyUnavailable();

describe.skipIf(noPty !== null)(`OSDP over a serial port (socat PTY pair) ${noPty ?? ""}`, () => {
  it("secure handshake, osdp_ID and osdp_MFG through SerialPort on both ends", async () => {
    const { device, tool, socat } = await ptyPair();
    const [pdPort, cpPort] = await Promise.all([openSerial(device), openSerial(tool)]);
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
