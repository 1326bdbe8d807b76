/**
 * One import run (docs/ARCHITECTURE.md §2 Import, §6 "imports are transactional"; issue 7). First every
 * resource of the association's source is read in order (Office, Member, Property), checked, and
 * its good records spooled to a temporary file while the rejected ones are collected with their
 * reasons. Then, in ONE synchronous transaction, the spooled records are applied, deletions are
 * reconciled on a full run, pending assignments retried, cursors advanced and the report stored.
 * The write lock is thus held only for local work, never while waiting on a vendor. In strict
 * mode one rejected row means nothing applies.
 */
import type { Database } from "better-sqlite3";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Applier, type Counts, emptyCounts } from "./apply.ts";
import { REJECT_DUPLICATE_KEY, type RejectCode } from "./errors.ts";
import {
  type Cursor, directoryFeeds, type Feed, fileFeed, type HttpFeedOptions, httpFeed, loadMapping, type Mapping,
  mappingBeside, resourceOfFile,
} from "./feeds.ts";
import { isRejection, KEY_FIELD, normalizeRecord, RESOURCES, type ResourceName } from "./resources.ts";
import { readSpool, SpoolWriter } from "./spool.ts";

/** What one run imports and how (issue 7: `lockbox import run` options). */
export interface ImportOptions {
  associationId: string;
  /** Pull everything and reconcile keys to find deletions (default: incremental from the cursors). */
  full?: boolean;
  /** A RESO Web API base URL, a directory, or a file; default: the association's import_source. */
  from?: string;
  /** Mapping for CSV/JSON files (object or path); default: mapping.json beside the source. */
  mapping?: Mapping | string;
  /** Which resource a lone file holds, when its name does not say. */
  resource?: string;
  /** Apply nothing if any row is rejected. */
  strict?: boolean;
  /** Bearer token; default: the association's import_token, then $LOCKBOX_IMPORT_TOKEN. */
  token?: string;
  http?: HttpFeedOptions;
  trigger?: "manual" | "schedule";
  now?: () => Date;
  /** Called after every record and every chunk read; may throw to abort (everything rolls back). */
  onProgress?: (p: Progress) => void;
}

/** Where a run is, for progress bars and tests. */
export interface Progress {
  /** "read": fetching and checking the feed; "apply": writing it, inside the transaction. */
  phase: "read" | "apply";
  resource: ResourceName;
  /** Records read (or applied) so far in this resource. */
  records: number;
  /** Read: bytes (files) or records (HTTP) out of `total` (0 when unknown). Apply: records out of the spooled count. */
  done: number;
  total: number;
}

/** A row that was refused, where it was and why. */
export interface RejectedRow {
  resource: ResourceName;
  /** Record number in the feed (JSON) or line number (CSV), 1-based. */
  row: number;
  key: string | null;
  code: RejectCode;
  reason: string;
  excerpt: string | null;
}

/** The report of one resource in a run. */
export interface ResourceReport extends Counts {
  origin: string;
  /** Whether deletions were looked for (full run, feed read to its end). */
  reconciled: boolean;
  cursor: Cursor | null;
}

/** The report of a run (issue 7: added, updated, deactivated, unchanged, rejected with row + reason), stored in import_runs. */
export interface ImportReport {
  runId: number;
  associationId: string;
  status: "applied" | "rejected" | "failed";
  mode: "incremental" | "full";
  source: string;
  strict: boolean;
  startedAt: string;
  finishedAt: string;
  totals: Counts;
  resources: Partial<Record<ResourceName, ResourceReport>>;
  ownershipMoved: number;
  pendingResolved: number;
  pendingRemaining: number;
  /** Things the administrator should know that are not rejected rows (e.g. a skipped reconciliation). */
  warnings: string[];
  /** Rejected rows, at most MAX_LISTED_REJECTIONS of them (totals.rejected counts all). */
  rejections: RejectedRow[];
  error: string | null;
}

/** Rejections kept in memory and stored per run; the count is always exact. */
export const MAX_LISTED_REJECTIONS = 10_000;

interface AssociationRow {
  id: string;
  import_source: string | null;
  import_token: string | null;
}

function cursorOf(db: Database, associationId: string, resource: ResourceName): Cursor | null {
  const row = db
    .prepare("SELECT modification_timestamp AS t, record_key AS k FROM import_cursors WHERE association_id = ? AND resource = ?")
    .get(associationId, resource) as { t: string; k: string } | undefined;
  return row ? { timestamp: row.t, key: row.k } : null;
}

function later(a: Cursor | null, b: Cursor): boolean {
  return a === null || b.timestamp > a.timestamp || (b.timestamp === a.timestamp && b.key > a.key);
}

/** The feeds of a source, per resource, in import order. */
export function feedsFor(db: Database, association: AssociationRow, opts: ImportOptions): { source: string; feeds: Feed[] } {
  const source = opts.from ?? association.import_source;
  if (!source) throw new Error(`association '${association.id}' has no import source; pass --from or set import_source`);
  if (/^https?:\/\//i.test(source)) {
    const token = opts.token ?? association.import_token ?? process.env.LOCKBOX_IMPORT_TOKEN;
    const feeds = RESOURCES.map((r) => httpFeed(r, source, opts.full ? null : cursorOf(db, association.id, r), { ...opts.http, token }));
    return { source, feeds };
  }
  if (!existsSync(source)) throw new Error(`import source ${source} does not exist`);
  const isDir = statSync(source).isDirectory();
  const mapping = typeof opts.mapping === "string" ? loadMapping(opts.mapping) : opts.mapping ?? mappingBeside(source, isDir);
  if (isDir) {
    const feeds = directoryFeeds(source, mapping);
    if (feeds.length === 0) throw new Error(`${source} holds no office, member or property file`);
    return { source, feeds };
  }
  const resource = resourceOfFile(source, mapping, opts.resource);
  return { source, feeds: [fileFeed(resource, source, mapping[resource])] };
}

function addCounts(into: Counts, c: Counts): void {
  for (const k of Object.keys(into) as (keyof Counts)[]) into[k] += c[k];
}

/**
 * Runs one import for an association and returns (and stores) its report. Only an unknown
 * association or a busy connection throws; every other failure (source missing, HTTP, a thrown
 * progress callback) rolls the run back and comes back as a report with status "failed".
 *
 * The apply phase runs synchronously: a full 160,000-row feed keeps the event loop busy for some
 * seconds, and other connections wait for the write lock meanwhile (their busy timeout).
 */
export async function runImport(db: Database, opts: ImportOptions): Promise<ImportReport> {
  if (db.inTransaction) throw new Error("runImport cannot run inside another transaction: the run is its own transaction");
  const now = opts.now ?? (() => new Date());
  const association = db.prepare("SELECT id, import_source, import_token FROM associations WHERE id = ?").get(opts.associationId) as AssociationRow | undefined;
  if (!association) throw new Error(`unknown association '${opts.associationId}'`);
  const report: ImportReport = {
    runId: 0,
    associationId: association.id,
    status: "applied",
    mode: opts.full ? "full" : "incremental",
    source: opts.from ?? association.import_source ?? "(none)",
    strict: opts.strict === true,
    startedAt: now().toISOString(),
    finishedAt: "",
    totals: emptyCounts(),
    resources: {},
    ownershipMoved: 0,
    pendingResolved: 0,
    pendingRemaining: 0,
    warnings: [],
    rejections: [],
    error: null,
  };

  const spoolDir = mkdtempSync(join(tmpdir(), "lockbox-import-"));
  try {
    const { feeds } = feedsFor(db, association, opts);
    const spooled: Spooled[] = [];
    for (const feed of feeds) spooled.push(await readFeed(feed, spoolDir, report, opts));
    // From here to COMMIT nothing awaits: no other code can run on this connection meanwhile.
    db.exec("BEGIN IMMEDIATE");
    report.runId = insertRun(db, report, opts.trigger ?? "manual");
    const applier = new Applier(db, association.id, report.runId, report.startedAt);
    for (const sp of spooled) report.resources[sp.resource] = applySpooled(db, applier, sp, report, opts);
    report.pendingRemaining = applier.retryPending();
    report.ownershipMoved = applier.effects.ownershipMoved;
    report.pendingResolved = applier.effects.pendingResolved;
    for (const r of Object.values(report.resources)) addCounts(report.totals, r);
    report.finishedAt = now().toISOString();
    if (report.strict && report.totals.rejected > 0) {
      db.exec("ROLLBACK");
      report.status = "rejected";
      storeOutcome(db, report, opts.trigger ?? "manual");
      return report;
    }
    finishRun(db, report);
    db.exec("COMMIT");
    return report;
  } catch (err) {
    // The run's BEGIN changed db.inTransaction, which TypeScript still narrows to false from the check on entry.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
    if (db.inTransaction) db.exec("ROLLBACK");
    report.status = "failed";
    report.error = err instanceof Error ? err.message : String(err);
    report.finishedAt = now().toISOString();
    storeOutcome(db, report, opts.trigger ?? "manual");
    return report;
  } finally {
    rmSync(spoolDir, { recursive: true, force: true });
  }
}

/** One resource read, checked and spooled, waiting to be applied. */
interface Spooled {
  resource: ResourceName;
  origin: string;
  spool: string;
  /** Records in the spool. */
  spooled: number;
  records: number;
  /** Keys the feed listed (rejected rows included), with the row each was first seen at. */
  seen: Map<string, number>;
  rejected: number;
  /** The feed was read to its end. */
  complete: boolean;
  /** Rows whose key could not be read. */
  unkeyed: number;
  /** Greatest (timestamp, key) among the good records. */
  cursor: Cursor | null;
}

async function readFeed(feed: Feed, spoolDir: string, report: ImportReport, opts: ImportOptions): Promise<Spooled> {
  const resource = feed.resource;
  const writer = new SpoolWriter(join(spoolDir, `${resource}.jsonl`));
  const sp: Spooled = { resource, origin: feed.origin, spool: writer.path, spooled: 0, records: 0, seen: new Map(), rejected: 0, complete: true, unkeyed: 0, cursor: null };
  let done = 0;
  let total = 0;
  const progress = (): void => opts.onProgress?.({ phase: "read", resource, records: sp.records, done, total });
  const reject = (row: number, key: string | null, code: RejectCode, reason: string, excerpt: string | null): void => {
    sp.rejected++;
    if (report.rejections.length < MAX_LISTED_REJECTIONS) report.rejections.push({ resource, row, key, code, reason, excerpt });
  };
  try {
    for await (const item of feed.items((d, t) => ((done = d), (total = t), progress()))) {
      sp.records++;
      if (item.type === "fatal") {
        reject(item.row, null, item.code, item.reason, null);
        sp.complete = false;
        break;
      }
      if (item.type === "reject") {
        sp.unkeyed++;
        reject(item.row, null, item.code, item.reason, item.excerpt);
      } else {
        const rec = normalizeRecord(resource, item.record);
        const key = rec.key;
        const first = key === null ? undefined : sp.seen.get(key);
        if (key === null) sp.unkeyed++;
        if (first !== undefined) {
          reject(item.row, key, REJECT_DUPLICATE_KEY, `duplicate ${KEY_FIELD[resource]} ${JSON.stringify(key)} (first at row ${first})`, null);
        } else {
          if (key !== null) sp.seen.set(key, item.row);
          if (isRejection(rec)) {
            reject(item.row, rec.key, rec.code, rec.reason, JSON.stringify(item.record).slice(0, 120));
          } else {
            writer.add(item.row, rec);
            if (rec.timestamp !== null && later(sp.cursor, { timestamp: rec.timestamp, key: rec.key })) sp.cursor = { timestamp: rec.timestamp, key: rec.key };
          }
        }
      }
      progress();
    }
  } finally {
    writer.close();
  }
  sp.spooled = writer.count;
  return sp;
}

function applySpooled(db: Database, applier: Applier, sp: Spooled, report: ImportReport, opts: ImportOptions): ResourceReport {
  const resource = sp.resource;
  const counts = emptyCounts();
  counts.rejected = sp.rejected;
  const total = sp.spooled;
  let records = 0;
  for (const { rec } of readSpool(sp.spool)) {
    applier.apply(resource, rec, counts);
    records++;
    opts.onProgress?.({ phase: "apply", resource, records, done: records, total });
  }
  // A row whose key could not be read might be a record that still exists: deleting on its
  // account could terminate an active agent, so such a feed is not reconciled.
  const reconciled = opts.full === true && sp.complete && sp.unkeyed === 0;
  if (reconciled) applier.reconcile(resource, sp.seen, counts);
  else if (opts.full === true) {
    const why = sp.complete ? `${sp.unkeyed} row(s) without a readable key` : "the feed broke off before its end";
    report.warnings.push(`${resource}: deletions not reconciled because ${why}`);
  }
  const stored = cursorOf(db, report.associationId, resource);
  const advance = sp.complete && sp.cursor !== null && later(stored, sp.cursor);
  if (advance && sp.cursor !== null) {
    db.prepare(
      `INSERT INTO import_cursors (association_id, resource, modification_timestamp, record_key, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT DO UPDATE SET modification_timestamp = excluded.modification_timestamp, record_key = excluded.record_key, updated_at = excluded.updated_at`,
    ).run(report.associationId, resource, sp.cursor.timestamp, sp.cursor.key, report.startedAt);
  }
  return { ...counts, origin: sp.origin, reconciled, cursor: advance ? sp.cursor : stored };
}

function insertRun(db: Database, report: ImportReport, trigger: string): number {
  const r = db
    .prepare(
      `INSERT INTO import_runs (association_id, mode, source, strict, trigger, status, started_at, finished_at,
         added, updated, deactivated, unchanged, rejected, error, report)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, 0, 0, 0, 0, NULL, '{}')`,
    )
    .run(report.associationId, report.mode, report.source, report.strict ? 1 : 0, trigger, report.status, report.startedAt, report.startedAt);
  return Number(r.lastInsertRowid);
}

/** Writes the final counts, report and rejected rows into the run's row (inside the run's transaction). */
function finishRun(db: Database, report: ImportReport): void {
  const t = report.totals;
  const { rejections, ...summary } = report;
  db.prepare(
    `UPDATE import_runs SET status = ?, finished_at = ?, added = ?, updated = ?, deactivated = ?, unchanged = ?, rejected = ?, error = ?, report = ?
     WHERE id = ?`,
  ).run(report.status, report.finishedAt, t.added, t.updated, t.deactivated, t.unchanged, t.rejected, report.error, JSON.stringify(summary), report.runId);
  const ins = db.prepare("INSERT INTO import_rejections (run_id, resource, row, record_key, code, reason, excerpt) VALUES (?, ?, ?, ?, ?, ?, ?)");
  for (const r of rejections) ins.run(report.runId, r.resource, r.row, r.key, r.code, r.reason, r.excerpt);
}

/** Records a run whose changes were rolled back (strict rejection or failure), in its own transaction. */
function storeOutcome(db: Database, report: ImportReport, trigger: string): void {
  db.transaction(() => {
    report.runId = insertRun(db, report, trigger);
    finishRun(db, report);
  })();
}
