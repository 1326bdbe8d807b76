/**
 * `lockbox import`: the Import Utility on demand (issue 7; docs/ARCHITECTURE.md §2, Import).
 *   run     one import run for an association, with a progress bar and a report
 *   setup   create an association or set its import source, token and schedule
 *   report  show stored run reports
 */
import "../../simulator/portable.ts";
import { parseArgs } from "node:util";
import { type Command, EXIT_FAILED, EXIT_OK, UsageError } from "../lib/command.ts";
import { Progress } from "../lib/progress.ts";
import { openStore, defaultStorePath } from "../../simulator/server/db/store.ts";
import { upsertAssociation } from "../../simulator/server/db/associations.ts";
import { runImport, type ImportReport } from "../../simulator/server/import/run.ts";
import { formatReport } from "../../simulator/server/import/report.ts";

const usage = `Usage:
  lockbox import run --association <id> [--full] [--from <url|dir|file>] [--strict] [--json] [--db <path>]
                     [--mapping <file>] [--resource Office|Member|Property] [--token <bearer>]
  lockbox import setup --association <id> [--name <text>] [--from <url|dir|file>] [--token <bearer>]
                     [--schedule HH:MM|off] [--tz <POSIX TZ rule>] [--full-every-days <n>] [--db <path>]
  lockbox import report --association <id> [--run <id>] [--last <n>] [--json] [--db <path>]

Imports offices, members (agents) and listings from the association's data vendor: a RESO Web API
base URL (OData JSON pages, bearer token), a directory holding office/member/property .json or .csv
files (plus mapping.json for vendor CSV column names), or one such file. The whole run is one
transaction; the report (added, updated, deactivated, unchanged, rejected rows with reasons) is
stored and printed.

  --full       pull everything and mark records the vendor no longer lists as deleted
  --strict     apply nothing if any row is rejected
  --db         store path (default $LOCKBOX_DB or ./var/lockbox.db)

Exit codes: 0 applied (rejected rows, if any, are in the report); 1 failed, or strict mode refused;
2 bad command line.`;

const options = {
  association: { type: "string" },
  full: { type: "boolean", default: false },
  from: { type: "string" },
  strict: { type: "boolean", default: false },
  json: { type: "boolean", default: false },
  db: { type: "string" },
  mapping: { type: "string" },
  resource: { type: "string" },
  token: { type: "string" },
  name: { type: "string" },
  schedule: { type: "string" },
  tz: { type: "string" },
  "full-every-days": { type: "string" },
  run: { type: "string" },
  last: { type: "string" },
} as const;

function parse(argv: string[]) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

function positiveInt(text: string | undefined, name: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--${name} must be a positive integer`);
  return n;
}

async function run(values: ReturnType<typeof parse>["values"], associationId: string): Promise<number> {
  const store = await openStore(values.db ?? defaultStorePath());
  try {
    let bar: Progress | null = null;
    let barResource = "";
    let lastDraw = 0;
    const report = await runImport(store.db, {
      associationId,
      full: values.full,
      from: values.from,
      strict: values.strict,
      mapping: values.mapping,
      resource: values.resource,
      token: values.token,
      onProgress: (p) => {
        const label = `${p.phase} ${p.resource}`;
        const now = Date.now();
        if (label !== barResource) {
          bar?.done();
          barResource = label;
          bar = new Progress(label, p.total, { json: values.json });
        } else if (now - lastDraw < 100) {
          // Progress redraws whenever done = total (a file read to its end, records still coming).
          return;
        }
        lastDraw = now;
        bar?.setTotal(p.total);
        bar?.update(p.done, `${p.records} records`);
      },
    });
    (bar as Progress | null)?.done();
    console.log(values.json ? JSON.stringify(report, null, 2) : formatReport(report));
    return report.status === "applied" ? EXIT_OK : EXIT_FAILED;
  } finally {
    store.close();
  }
}

async function setup(values: ReturnType<typeof parse>["values"], associationId: string): Promise<number> {
  const schedule = values.schedule === "off" ? null : values.schedule;
  if (schedule && !/^([01]\d|2[0-3]):[0-5]\d$/.test(schedule)) throw new UsageError("--schedule must be HH:MM (24-hour local time) or off");
  const store = await openStore(values.db ?? defaultStorePath());
  try {
    upsertAssociation(store.db, associationId, {
      name: values.name,
      import_source: values.from,
      import_token: values.token,
      import_schedule: schedule,
      tz_rule: values.tz,
      import_full_every_days: positiveInt(values["full-every-days"], "full-every-days"),
    });
    const row = store.db
      .prepare("SELECT id, name, import_source, import_schedule, tz_rule, import_full_every_days FROM associations WHERE id = ?")
      .get(associationId);
    console.log(values.json ? JSON.stringify(row, null, 2) : Object.entries(row as object).map(([k, v]) => `${k}: ${v ?? "-"}`).join("\n"));
    return EXIT_OK;
  } finally {
    store.close();
  }
}

async function report(values: ReturnType<typeof parse>["values"], associationId: string): Promise<number> {
  const store = await openStore(values.db ?? defaultStorePath());
  try {
    const runId = positiveInt(values.run, "run");
    const rows = (runId !== undefined
      ? store.db.prepare("SELECT id, report FROM import_runs WHERE association_id = ? AND id = ?").all(associationId, runId)
      : store.db.prepare("SELECT id, report FROM import_runs WHERE association_id = ? ORDER BY id DESC LIMIT ?").all(associationId, positiveInt(values.last, "last") ?? 1)) as { id: number; report: string }[];
    if (rows.length === 0) {
      console.error(`no import runs for association ${associationId}${runId !== undefined ? ` with id ${runId}` : ""}`);
      return EXIT_FAILED;
    }
    const reports = rows.map((r) => {
      const rejections = store.db
        .prepare("SELECT resource, row, record_key AS key, code, reason, excerpt FROM import_rejections WHERE run_id = ? ORDER BY id")
        .all(r.id);
      return { ...(JSON.parse(r.report) as Omit<ImportReport, "rejections">), rejections } as ImportReport;
    });
    console.log(values.json ? JSON.stringify(reports, null, 2) : reports.map((r) => formatReport(r)).join("\n\n"));
    return EXIT_OK;
  } finally {
    store.close();
  }
}

export const command: Command = {
  name: "import",
  summary: "import offices, agents and listings from the association's data vendor (RESO Web API, JSON, CSV)",
  usage,
  async run(argv) {
    const { values, positionals } = parse(argv);
    const action = positionals.length > 0 ? positionals[0] : undefined;
    const extra = positionals.slice(1);
    if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
    if (values.association === undefined) throw new UsageError("--association is required");
    switch (action) {
      case "run": return run(values, values.association);
      case "setup": return setup(values, values.association);
      case "report": return report(values, values.association);
      default: throw new UsageError(action === undefined ? "missing action: run, setup or report" : `unknown action '${action}'`);
    }
  },
};
