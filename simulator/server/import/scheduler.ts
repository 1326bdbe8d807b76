/**
 * The import schedule (issue 7, Schedule; docs/ARCHITECTURE.md §1: "on a schedule the association chooses"):
 * each association with an `import_schedule` of `HH:MM` is imported once a day at that local time
 * (its POSIX TZ rule, daylight saving included). A scheduled run is a full key reconciliation when
 * the association's last applied full run is older than `import_full_every_days`. The server
 * starts one scheduler; it checks every minute and runs due imports one at a time.
 */
import type { Database } from "better-sqlite3";
import { OK } from "../../../protocol/errors.ts";
import { daysOf, SECONDS_PER_DAY, startOfDay } from "../../../protocol/time/civil.ts";
import { localToUtc, parseTzRule, TzRule, utcToLocal } from "../../../protocol/time/tz.ts";
import { openStore } from "../db/store.ts";
import type { HttpFeedOptions } from "./feeds.ts";
import { type ImportReport, runImport } from "./run.ts";

/**
 * The most recent instant at or before `now` when the local clock of `tzRule` showed `schedule`
 * (`HH:MM`), as a Date; throws on a malformed schedule or rule.
 */
export function lastSlot(schedule: string, tzRule: string, now: Date): Date {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(schedule);
  if (!m) throw new Error(`import schedule ${JSON.stringify(schedule)} is not HH:MM`);
  const rule = new TzRule();
  const text = new TextEncoder().encode(tzRule);
  if (parseTzRule(text, 0, text.length, rule) !== OK) throw new Error(`TZ rule ${JSON.stringify(tzRule)} does not parse`);
  const nowSec = Math.floor(now.getTime() / 1000);
  const at = Number(m[1]) * 3600 + Number(m[2]) * 60;
  let day = daysOf(utcToLocal(rule, nowSec));
  for (let tries = 0; tries < 3; tries++, day--) {
    const slot = localToUtc(rule, startOfDay(day) + at);
    if (slot <= nowSec) return new Date(slot * 1000);
  }
  return new Date((nowSec - SECONDS_PER_DAY) * 1000);
}

interface ScheduledAssociation {
  id: string;
  import_schedule: string;
  tz_rule: string;
  import_full_every_days: number;
  created_at: string;
}

/** How long after a failed scheduled run (vendor down, network) the scheduler tries again. */
export const RETRY_FAILED_AFTER_MS = 3_600_000;

/**
 * Whether the association's scheduled import is due at `now`, and whether it should be full. A
 * slot is served by a scheduled run that did not fail; a failed one is retried every
 * `retryAfterMs` until the next slot.
 */
export function dueImport(db: Database, a: ScheduledAssociation, now: Date, retryAfterMs = RETRY_FAILED_AFTER_MS): { due: boolean; full: boolean } {
  const slot = lastSlot(a.import_schedule, a.tz_rule, now).toISOString();
  const last = db
    .prepare(
      `SELECT max(started_at) AS attempt, max(CASE WHEN status != 'failed' THEN started_at END) AS served
       FROM import_runs WHERE association_id = ? AND trigger = 'schedule'`,
    )
    .get(a.id) as { attempt: string | null; served: string | null };
  const served = last.served !== null && last.served >= slot;
  const waiting = last.attempt !== null && last.attempt >= slot && now.getTime() - Date.parse(last.attempt) < retryAfterMs;
  const due = slot >= a.created_at && !served && !waiting;
  const lastFull = db
    .prepare("SELECT max(started_at) AS t FROM import_runs WHERE association_id = ? AND mode = 'full' AND status = 'applied'")
    .get(a.id) as { t: string | null };
  const fullAge = lastFull.t === null ? Infinity : now.getTime() - Date.parse(lastFull.t);
  return { due, full: fullAge >= a.import_full_every_days * SECONDS_PER_DAY * 1000 - 60_000 };
}

/** Scheduler settings; tests inject the clock. */
export interface SchedulerOptions {
  /** How often to look for due imports (ms, default 60000). */
  checkEveryMs?: number;
  now?: () => Date;
  http?: HttpFeedOptions;
  /** Told about every finished scheduled run (the server logs it). */
  onReport?: (report: ImportReport) => void;
  /** Told when a due import could not even start (bad schedule or TZ rule). */
  onError?: (associationId: string, err: Error) => void;
  /** Wait before retrying a failed scheduled run (ms, default one hour). */
  retryFailedAfterMs?: number;
}

/** Runs each association's import at its scheduled local time, one run at a time. */
export class ImportScheduler {
  private timer: ReturnType<typeof setInterval> | null = null;
  private running: Promise<ImportReport[]> | null = null;

  constructor(private readonly db: Database, private readonly opts: SchedulerOptions = {}) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.opts.checkEveryMs ?? 60_000);
    this.timer.unref();
  }

  /** Stops checking and waits for a run in progress to finish. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.running) await this.running;
  }

  /** Runs every import due now, one after another; a tick while one is running does nothing. */
  tick(): Promise<ImportReport[]> {
    if (this.running) return Promise.resolve([]);
    this.running = this.runDue().finally(() => (this.running = null));
    return this.running;
  }

  private async runDue(): Promise<ImportReport[]> {
    const now = this.opts.now ?? (() => new Date());
    const associations = this.db
      .prepare("SELECT id, import_schedule, tz_rule, import_full_every_days, created_at FROM associations WHERE import_schedule IS NOT NULL ORDER BY id")
      .all() as ScheduledAssociation[];
    const reports: ImportReport[] = [];
    for (const a of associations) {
      try {
        const { due, full } = dueImport(this.db, a, now(), this.opts.retryFailedAfterMs);
        if (!due) continue;
        const report = await runImport(this.db, { associationId: a.id, full, trigger: "schedule", now, http: this.opts.http });
        reports.push(report);
        this.opts.onReport?.(report);
      } catch (err) {
        this.opts.onError?.(a.id, err instanceof Error ? err : new Error(String(err)));
      }
    }
    return reports;
  }
}

/**
 * Starts the import schedule for the store at `path` on a connection of its own (so the server's
 * connection is never inside an import transaction), as the server does at start-up; `stop()`
 * waits for a run in progress and closes that connection. An in-memory store cannot be shared
 * between connections, so it has no scheduler.
 */
export async function startImportScheduler(path: string, opts: SchedulerOptions = {}): Promise<{ scheduler: ImportScheduler; stop(): Promise<void> }> {
  if (path === ":memory:") throw new Error("the import scheduler needs a store file: an in-memory store cannot be shared");
  const store = await openStore(path);
  const scheduler = new ImportScheduler(store.db, opts);
  scheduler.start();
  return {
    scheduler,
    async stop() {
      await scheduler.stop();
      store.close();
    },
  };
}
