/**
 * The import report as text (issue 7: "a report — added, updated, deactivated, unchanged,
 * rejected (row + reason) — is stored and printed"), for the CLI and the server log.
 */
import type { Counts } from "./apply.ts";
import type { ImportReport } from "./run.ts";

const COLUMNS: (keyof Counts)[] = ["added", "updated", "deactivated", "reactivated", "unchanged", "rejected"];

/** A table of counts per resource, the side effects, and the first `maxRejections` rejected rows. */
export function formatReport(r: ImportReport, maxRejections = 20): string {
  const lines = [`Import run ${r.runId} for association ${r.associationId}: ${r.status} (${r.mode}${r.strict ? ", strict" : ""}, ${r.source})`];
  if (r.error) lines.push(`error: ${r.error}`);
  if (r.status === "rejected") lines.push("strict mode: rows were rejected, so nothing was applied");
  const rows: string[][] = [["resource", ...COLUMNS]];
  for (const [name, c] of Object.entries(r.resources)) rows.push([name + (c.reconciled ? " (reconciled)" : ""), ...COLUMNS.map((k) => String(c[k]))]);
  rows.push(["total", ...COLUMNS.map((k) => String(r.totals[k]))]);
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  for (const row of rows) lines.push(row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join("  "));
  for (const w of r.warnings) lines.push(`warning: ${w}`);
  lines.push(`lockbox ownership moved: ${r.ownershipMoved}; pending resolved: ${r.pendingResolved}; still pending: ${r.pendingRemaining}`);
  if (r.totals.rejected > 0) {
    lines.push(`rejected rows (${r.totals.rejected}):`);
    for (const x of r.rejections.slice(0, maxRejections)) {
      lines.push(`  ${x.resource} row ${x.row}${x.key === null ? "" : ` [${x.key}]`} ${x.code}: ${x.reason}`);
    }
    if (r.totals.rejected > maxRejections) lines.push(`  … ${r.totals.rejected - maxRejections} more (--json lists them)`);
  }
  return lines.join("\n");
}
