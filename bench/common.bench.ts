// CRC throughput: the table-driven OSDP CRC in TypeScript and in WASM, next to the bit-serial model.
import { crc16AugCcitt, crc16Msb } from "../protocol/crc.ts";
import { consume, type BenchGroup } from "../tools/lib/bench.ts";
import { loadHarness } from "../test/support/wasm.ts";

interface CommonHarness { crcAugCcitt(len: number): number }

export function groups(): BenchGroup[] {
  const data = new Uint8Array(1024).map((_, i) => (i * 31) & 0xff);
  const h = loadHarness<CommonHarness>("common");
  h.setInput(data);
  return [
    {
      title: "CRC-16/AUG-CCITT (OSDP) over 1 KiB",
      baselines: ["TypeScript table"],
      cases: [
        { name: "TypeScript table", bytes: 1024, fn: () => consume(crc16AugCcitt(data, 0, 1024)) },
        { name: "WASM table", bytes: 1024, fn: () => consume(h.exports.crcAugCcitt(1024)) },
        { name: "TypeScript bit-serial", bytes: 1024, fn: () => consume(crc16Msb(0x1021, 0x1d0f, 0, data, 0, 1024)) },
      ],
    },
  ];
}
