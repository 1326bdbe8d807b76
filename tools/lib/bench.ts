/**
 * The benchmark harness behind `npm run bench`. A bench file (bench/*.bench.ts) exports `groups`:
 * each group measures its cases in the same run and reports every case as a ratio to the group's
 * named baselines, because absolute times on a noisy machine mean nothing across runs.
 */
export interface BenchCase {
  name: string;
  /** One operation. Must do real work whose result is consumed (see `sink`). */
  fn: () => void;
  /** Bytes processed per operation, for MB/s; omit for message-rate benchmarks. */
  bytes?: number;
}

/** A figure that is not a timing loop (sizes, simulated wire time, ...), printed as is. */
export interface BenchMetric {
  name: string;
  value: number;
  unit: string;
  note?: string;
}

export interface BenchGroup {
  title: string;
  cases?: BenchCase[];
  /** Names of cases in this group that every other case is compared against. */
  baselines?: string[];
  /** Extra figures computed once (after the cases run). */
  metrics?: () => BenchMetric[] | Promise<BenchMetric[]>;
}

export interface CaseResult {
  group: string;
  name: string;
  opsPerSec: number;
  mbPerSec?: number;
  ratios: Partial<Record<string, number>>;
}

export interface GroupResult {
  title: string;
  cases: CaseResult[];
  metrics: BenchMetric[];
}

/** Keeps results alive so the JIT cannot drop the work being timed. */
export let sink = 0;
export function consume(value: number | Uint8Array | boolean): void {
  sink ^= typeof value === "number" ? value : typeof value === "boolean" ? (value ? 1 : 0) : value.length + (value.length > 0 ? value[0] : 0);
}

/** Operations per call of `fn` batch that take about 10 ms, so timer overhead is negligible. */
function calibrate(fn: () => void): number {
  let batch = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < batch; i++) fn();
    if (performance.now() - t0 >= 10 || batch >= 1 << 24) return batch;
    batch *= 2;
  }
}

/** Runs whole batches for about `windowMs`; returns the rate in operations per second. */
function timeWindow(fn: () => void, batch: number, windowMs: number): number {
  let ops = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < windowMs) {
    for (let i = 0; i < batch; i++) fn();
    ops += batch;
    elapsed = performance.now() - start;
  }
  return (ops * 1000) / elapsed;
}

export interface RunOptions {
  /** Milliseconds of measurement per case (after warm-up), split over `rounds` windows. */
  budgetMs: number;
  warmupMs: number;
  /**
   * Measurement windows per case. The cases of a group take turns window by window, and each case
   * reports its best window: load from other processes only ever slows a window down, so the best
   * one is the closest to the code's own speed, and turns keep the cases' ratios comparable.
   */
  rounds: number;
}

export async function runGroup(group: BenchGroup, opts: RunOptions): Promise<GroupResult> {
  const list = group.cases ?? [];
  const batches = list.map((c) => {
    const batch = calibrate(c.fn);
    timeWindow(c.fn, batch, opts.warmupMs);
    return batch;
  });
  const best = list.map(() => 0);
  for (let r = 0; r < opts.rounds; r++) {
    list.forEach((c, i) => {
      best[i] = Math.max(best[i], timeWindow(c.fn, batches[i], opts.budgetMs / opts.rounds));
    });
  }
  const raw = list.map((c, i) => ({ c, opsPerSec: best[i] }));
  const cases = raw.map(({ c, opsPerSec }) => {
    const ratios: Record<string, number> = {};
    for (const base of group.baselines ?? []) {
      const b = raw.find((r) => r.c.name === base);
      if (b && b.c !== c) ratios[base] = opsPerSec / b.opsPerSec;
    }
    return {
      group: group.title,
      name: c.name,
      opsPerSec,
      mbPerSec: c.bytes ? (opsPerSec * c.bytes) / 1e6 : undefined,
      ratios,
    };
  });
  const metrics = group.metrics ? await group.metrics() : [];
  return { title: group.title, cases, metrics };
}

function fmt(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return n.toFixed(n < 10 ? 2 : 0);
}

/** Renders one group as a plain-text table. */
export function formatGroup(g: GroupResult): string {
  const lines = [`\n## ${g.title}`];
  if (g.cases.length > 0) {
    const bases = [...new Set(g.cases.flatMap((c) => Object.keys(c.ratios)))];
    const header = ["case", "ops/s", "MB/s", ...bases.map((b) => `× ${b}`)];
    const rows = g.cases.map((c) => [
      c.name,
      fmt(c.opsPerSec),
      c.mbPerSec === undefined ? "" : c.mbPerSec.toFixed(1),
      ...bases.map((b) => (c.ratios[b] === undefined ? "" : c.ratios[b].toFixed(2))),
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (r: string[]): string => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join("  ");
    lines.push(line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line));
  }
  for (const m of g.metrics) {
    lines.push(`${m.name}: ${Number.isInteger(m.value) ? m.value : m.value.toFixed(3)} ${m.unit}${m.note ? `  (${m.note})` : ""}`);
  }
  return lines.join("\n");
}
