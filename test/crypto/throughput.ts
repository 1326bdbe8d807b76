/**
 * Load-tolerant throughput figures for the crypto primitives: the best of 15 timed batches per
 * case (on a shared machine the mean measures the neighbours, the best measures the code).
 * Same primitives and sizes as bench/crypto.bench.ts; `npx tsx test/crypto/throughput.ts [--json]`.
 */
import "../../simulator/portable.ts";
import { cryptoBuild } from "../../simulator/crypto/index.ts";
import { primitives, SIZES, data } from "../../bench/crypto.bench.ts";

function bestMbPerSec(fn: () => unknown, bytes: number): number {
  let batch = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < batch; i++) fn();
    if (performance.now() - t0 > 5 || batch > 1 << 20) break;
    batch *= 2;
  }
  let best = Infinity;
  for (let rep = 0; rep < 15; rep++) {
    const t0 = performance.now();
    for (let i = 0; i < batch; i++) fn();
    best = Math.min(best, (performance.now() - t0) / batch);
  }
  return bytes / best / 1000;
}

const rows: { primitive: string; size: number; scalar: number; simd: number; noble?: number; node: number }[] = [];
const scalar = cryptoBuild("scalar"), simd = cryptoBuild("simd");
for (const p of primitives()) {
  for (const size of SIZES) {
    const msg = data(size);
    const bytes = p.bytes ? p.bytes(size) : size;
    rows.push({
      primitive: p.name, size,
      scalar: bestMbPerSec(() => p.wasm(scalar, msg), bytes),
      simd: bestMbPerSec(() => p.wasm(simd, msg), bytes),
      noble: p.noble ? bestMbPerSec(() => p.noble!(msg), bytes) : undefined,
      node: bestMbPerSec(() => p.node(msg), bytes),
    });
  }
}
if (process.argv.includes("--json")) {
  console.log(JSON.stringify(rows, null, 2));
} else {
  const f = (x: number | undefined): string => (x === undefined ? "-" : x.toFixed(0)).padStart(6);
  const r = (a: number, b: number | undefined): string => (b === undefined ? "-" : (a / b).toFixed(2)).padStart(6);
  console.log(`${"primitive".padEnd(52)} ${"size".padStart(6)} scalar   simd  noble   node  scal/nb simd/nb simd/node  (MB/s, best of 15)`);
  for (const x of rows) {
    console.log(`${x.primitive.padEnd(52)} ${String(x.size).padStart(6)} ${f(x.scalar)} ${f(x.simd)} ${f(x.noble)} ${f(x.node)}  ${r(x.scalar, x.noble)}  ${r(x.simd, x.noble)}  ${r(x.simd, x.node)}`);
  }
}
