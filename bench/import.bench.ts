// Import Utility (docs/ARCHITECTURE.md §7 "import rows/s"; issue 7 Bench): rows per second and peak memory for
// the 160,000-row synthetic feed (10,000 offices, 100,000 members, 50,000 listings), generated here
// as OData-page JSON files, imported in full into a fresh store and then again incrementally; and
// the streaming readers' throughput next to JSON.parse of a whole page.
import "../simulator/portable.ts";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { consume, type BenchGroup, type BenchMetric } from "../tools/lib/bench.ts";
import { openStore } from "../simulator/server/db/store.ts";
import { upsertAssociation } from "../simulator/server/db/associations.ts";
import { runImport, type ImportReport } from "../simulator/server/import/run.ts";
import { JsonFeedScanner } from "../simulator/server/import/json-stream.ts";
import { CsvScanner } from "../simulator/server/import/csv-stream.ts";
import { office, member, property, writeODataFile, writeCsvFile, csvField } from "../test/import/synthetic.ts";

const OFFICES = 10_000, MEMBERS = 100_000, LISTINGS = 50_000;
const MB = 1024 * 1024;

async function feedMetrics(): Promise<BenchMetric[]> {
  const dir = mkdtempSync(join(tmpdir(), "lockbox-import-bench-"));
  try {
    const feed = join(dir, "feed");
    const { mkdirSync } = await import("node:fs");
    mkdirSync(feed);
    await writeODataFile(join(feed, "Office.json"), OFFICES, (i) => office(i));
    await writeODataFile(join(feed, "Member.json"), MEMBERS, (i) => member(i, OFFICES));
    await writeODataFile(join(feed, "Property.json"), LISTINGS, (i) => property(i, MEMBERS));
    const feedBytes = ["Office", "Member", "Property"].reduce((n, r) => n + statSync(join(feed, `${r}.json`)).size, 0);
    const store = await openStore(join(dir, "bench.db"));
    upsertAssociation(store.db, "BENCH");
    const rows = OFFICES + MEMBERS + LISTINGS;
    global.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    const rssBefore = process.memoryUsage().rss;
    let peakHeap = heapBefore;
    let peakRss = rssBefore;
    const sample = (p: { records: number }): void => {
      if (p.records % 2000 !== 0) return;
      const m = process.memoryUsage();
      if (m.heapUsed > peakHeap) peakHeap = m.heapUsed;
      if (m.rss > peakRss) peakRss = m.rss;
    };
    const timed = async (full: boolean): Promise<{ seconds: number; report: ImportReport }> => {
      const t0 = performance.now();
      const report = await runImport(store.db, { associationId: "BENCH", from: feed, full, onProgress: sample });
      if (report.status !== "applied" || report.totals.rejected !== 0) throw new Error(`bench import ${report.status}: ${report.error}`);
      return { seconds: (performance.now() - t0) / 1000, report };
    };
    const first = await timed(true);
    const again = await timed(false);
    const csvPath = join(dir, "member.csv");
    const cols = Object.keys(member(0, 1));
    await writeCsvFile(csvPath, cols, MEMBERS, (i) => member(i, OFFICES, { MemberEmail: `csv${i}@example.com` }));
    const t0 = performance.now();
    const csv = await runImport(store.db, { associationId: "BENCH", from: csvPath, onProgress: sample });
    const csvSeconds = (performance.now() - t0) / 1000;
    if (csv.totals.updated !== MEMBERS) throw new Error(`CSV bench updated ${csv.totals.updated}`);
    store.close();
    return [
      { name: "feed size (JSON)", value: Math.round(feedBytes / MB), unit: "MiB", note: `${rows} rows` },
      { name: "full import, fresh store", value: Math.round(rows / first.seconds), unit: "rows/s", note: `${first.seconds.toFixed(1)} s, ${first.report.totals.added} added` },
      { name: "incremental re-import, all unchanged", value: Math.round(rows / again.seconds), unit: "rows/s", note: `${again.seconds.toFixed(1)} s, ${again.report.totals.unchanged} unchanged` },
      { name: "CSV members, all updated", value: Math.round(MEMBERS / csvSeconds), unit: "rows/s", note: `${csvSeconds.toFixed(1)} s` },
      { name: "peak heap used during imports", value: Math.round(peakHeap / MB), unit: "MiB", note: `${Math.round(heapBefore / MB)} MiB before; sampled every 2000 records` },
      { name: "peak RSS during imports", value: Math.round(peakRss / MB), unit: "MiB", note: `${Math.round(rssBefore / MB)} MiB before` },
      { name: "process max RSS (whole bench run)", value: Math.round(process.resourceUsage().maxRSS / 1024), unit: "MiB" },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function groups(): BenchGroup[] {
  const page = JSON.stringify({ "@odata.context": "$metadata#Member", value: Array.from({ length: 1000 }, (_, i) => member(i, 100)) });
  const cols = Object.keys(member(0, 1));
  const csv = [cols.join(","), ...Array.from({ length: 1000 }, (_, i) => cols.map((c) => csvField(member(i, 100)[c] ?? null)).join(","))].join("\r\n") + "\r\n";
  return [
    {
      title: "Import readers: one 1000-member page",
      baselines: ["JSON.parse whole page"],
      cases: [
        { name: "JSON.parse whole page", bytes: page.length, fn: () => consume((JSON.parse(page) as { value: unknown[] }).value.length) },
        { name: "JsonFeedScanner (streaming)", bytes: page.length, fn: () => consume(new JsonFeedScanner().push(page).length) },
        { name: "CsvScanner (streaming)", bytes: csv.length, fn: () => consume(new CsvScanner().push(csv).length) },
      ],
    },
    { title: "Import: 160,000-row synthetic feed", metrics: feedMetrics },
  ];
}
