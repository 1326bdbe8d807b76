// OSDP packet encode/decode throughput: the TypeScript build of protocol/osdp next to the WASM
// build of the same source (test/wasm/osdp.ts), for a bare POLL and a 128-byte osdp_MFG.
import { consume, type BenchGroup } from "../tools/lib/bench.ts";
import { loadOsdpHarness } from "../test/osdp/harness.ts";
import { OsdpPacket, decodePacket, encodePacket } from "../protocol/osdp/packet.ts";
import { secureSeal, secureSetCipher } from "../test/wasm/osdp-driver.ts";
import { nodeBlockCipher } from "../test/osdp/aes.ts";

interface BenchExports { decode(off: number, len: number): number; encode(code: number, dataOff: number, dataLen: number): number }

const MESSAGES = [["osdp_POLL", 0x60, 0], ["osdp_MFG with 128 data bytes", 0x80, 128]] as const;

export function groups(): BenchGroup[] {
  const h = loadOsdpHarness();
  const ex = h.exports as unknown as BenchExports;
  const header = new OsdpPacket();
  header.address = 1;
  header.sqn = 1;
  header.mark = true;
  const out = new Uint8Array(2048);
  // Harness input layout: message k's packet at k*4096, its payload at 32768 + k*4096.
  const input = new Uint8Array(65536);
  const result: BenchGroup[] = [];
  MESSAGES.forEach(([name, code, dataLen], k) => {
    const data = new Uint8Array(dataLen).map((_, i) => (i * 7) & 0xff);
    header.code = code;
    const size = encodePacket(header, data, 0, dataLen, out, 0, out.length);
    const packet = out.slice(0, size);
    input.set(packet, k * 4096);
    input.set(data, 32768 + k * 4096);
    const decoded = new OsdpPacket();
    result.push({
      title: `OSDP decode ${name} (${size}-byte packet)`,
      baselines: ["TypeScript"],
      cases: [
        { name: "TypeScript", bytes: size, fn: () => consume(decodePacket(packet, 0, size, decoded)) },
        { name: "WASM", bytes: size, fn: () => consume(ex.decode(k * 4096, size)) },
      ],
    }, {
      title: `OSDP encode ${name} (${size}-byte packet)`,
      baselines: ["TypeScript"],
      cases: [
        { name: "TypeScript", bytes: size, fn: () => { header.code = code; consume(encodePacket(header, data, 0, dataLen, out, 0, out.length)); } },
        { name: "WASM", bytes: size, fn: () => consume(ex.encode(code, 32768 + k * 4096, dataLen)) },
      ],
    });
  });
  h.setInput(input);
  result.push(sealGroup());
  return result;
}

/**
 * Sealing a secure osdp_MFG (SCS_17: encrypt 64 data bytes, CBC-MAC, CRC), both builds calling the
 * same node:crypto AES (the WASM build through its env imports), so the ratio is the codec's cost.
 */
function sealGroup(): BenchGroup {
  const sealer = loadOsdpHarness();
  secureSetCipher(nodeBlockCipher());
  const job = new Uint8Array(84 + 64);
  job.fill(0x5a, 0, 80);
  job.set([0x06, 1, 1, 0x80], 80);
  const out = new Uint8Array(2048);
  const size = secureSeal(job, job.length, out) - 32;
  sealer.setInput(job);
  return {
    title: `OSDP seal osdp_MFG, 64 data bytes, SCS_17 (${size}-byte packet)`,
    baselines: ["TypeScript"],
    cases: [
      { name: "TypeScript", bytes: size, fn: () => consume(secureSeal(job, job.length, out)) },
      { name: "WASM", bytes: size, fn: () => consume(sealer.exports.seal(job.length)) },
    ],
  };
}
