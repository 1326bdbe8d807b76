/**
 * The reference server (docs/ARCHITECTURE.md §3 server/; API.md): node:http + the SQLite store, with the
 * routes of API.md. `startServer` opens the store, listens, and returns a handle tests and
 * `lockbox server` use; the clock and randomness are injectable so tests are deterministic.
 */
import { createServer, type Server } from "node:http";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import type { Database } from "better-sqlite3";
import { openStore, defaultStorePath, type Store } from "./db/store.ts";
import { startImportScheduler, type ImportScheduler, type SchedulerOptions } from "./import/scheduler.ts";
import { Router } from "./router.ts";
import { RelaySessions } from "./relay.ts";
import { runRenewal, type RenewalEnv, type RenewalOutcome } from "./renewal.ts";
import { issueCars } from "./cars.ts";
import {
  provisionAssociation, issueCardRecord, personalizeCard, cardStatus, unlockPin, deactivateCard, reactivateCard, registerLockbox, lockboxSettings, stageSettings, accessLog,
} from "./admin.ts";
import { str, int, optBool, hexField, serialParam, SERIAL_PATTERN } from "./validate.ts";
import { ServerError } from "./errors.ts";
import { deviceId } from "./records.ts";

/** Longest card response a host may relay: 256 data bytes + SW. */
const MAX_RESPONSE = 258;

/** The routes of API.md over one store. */
export function buildRouter(db: Database, env: RenewalEnv, sessions: RelaySessions<RenewalOutcome>, cardsDir?: string): Router {
  const now = () => env.now();
  const serialOf = (v: string) => deviceId(serialParam(v));
  return new Router()
    .add("GET", "/api/health", () => ({ ok: true, renewalsInProgress: sessions.size }))
    .add("POST", "/api/associations/:id/provision", ({ params, body }) => {
      provisionAssociation(db, params.id, int(body, "cardId", 0, 0xffffffff));
      return { association: params.id, provisioned: true };
    })
    .add("POST", "/api/cards", ({ body }) => {
      const serial = body && (body as Record<string, unknown>).serial !== undefined ? serialParam(str(body, "serial", 8, SERIAL_PATTERN)) : undefined;
      const pin = str(body, "pin", 12);
      const issued = issueCardRecord(db, str(body, "association", 64), str(body, "memberKey", 64), pin, now(), serial);
      if (!cardsDir) return { ...issued, cardFile: null };
      mkdirSync(cardsDir, { recursive: true });
      const cardFile = join(cardsDir, `${issued.serial}.card`);
      personalizeCard(db, issued.serial, pin, cardFile);
      return { ...issued, cardFile };
    })
    .add("GET", "/api/cards/:serial", ({ params }) => cardStatus(db, serialOf(params.serial), now()))
    .add("POST", "/api/cards/:serial/deactivate", ({ params, body }) => {
      deactivateCard(db, serialOf(params.serial), optBool(body, "lost") ?? false, now());
      return cardStatus(db, serialOf(params.serial), now());
    })
    .add("POST", "/api/cards/:serial/reactivate", ({ params }) => {
      reactivateCard(db, serialOf(params.serial), now());
      return cardStatus(db, serialOf(params.serial), now());
    })
    .add("POST", "/api/cards/:serial/unlock-pin", ({ params }) => {
      unlockPin(db, serialOf(params.serial));
      return cardStatus(db, serialOf(params.serial), now());
    })
    .add("POST", "/api/cars", ({ body }) => issueCars(db, deviceId(serialParam(str(body, "serial", 8))), str(body, "pin", 12), now()))
    .add("POST", "/api/lockboxes", ({ body }) => {
      const id = deviceId(serialParam(str(body, "id", 8)));
      registerLockbox(db, id, str(body, "association", 64), now());
      return { id, association: (body as Record<string, string>).association };
    })
    .add("GET", "/api/lockboxes/:id/settings", ({ params }) => lockboxSettings(db, deviceId(serialParam(params.id))))
    .add("PUT", "/api/lockboxes/:id/settings", ({ params, body }) => stageSettings(db, deviceId(serialParam(params.id)), body, now()))
    .add("GET", "/api/access-log", ({ query }) => {
      const limit = Number(query.get("limit") ?? 1000);
      if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new ServerError("bad-request", "limit must be an integer in 1..10000");
      for (const by of ["listing", "lockbox", "agent"] as const) {
        const key = query.get(by);
        if (key !== null) return { by, key: by === "lockbox" ? deviceId(serialParam(key)) : key, events: accessLog(db, by, by === "lockbox" ? deviceId(serialParam(key)) : key, limit) };
      }
      throw new ServerError("bad-request", "give one of ?listing=<ListingId>, ?lockbox=<id>, ?agent=<MemberKey>");
    })
    .add("POST", "/api/renewals", () => sessions.start((transmit, report) => runRenewal(db, env, transmit, report)))
    .add("POST", "/api/renewals/:session", ({ params, body }) => sessions.respond(params.session, hexField(body, "response", MAX_RESPONSE)));
}

/** A running server. */
export interface RunningServer {
  url: string;
  port: number;
  store: Store;
  http: Server;
  /** The running import scheduler, or null when the store is in memory or it was turned off. */
  imports: ImportScheduler | null;
  close(): Promise<void>;
}

/** Options of startServer; every one has a default. */
export interface ServerOptions {
  /** SQLite file (default ./var/lockbox.db or $LOCKBOX_DB); ":memory:" for tests. */
  db?: string;
  /** TCP port; 0 picks a free one (default 8080). */
  port?: number;
  /** Interface to listen on (default 127.0.0.1: the admin routes have no authentication). */
  host?: string;
  env?: Partial<RenewalEnv>;
  /** Milliseconds a renewal session may wait for the host before it is dropped (default 30 s). */
  sessionIdleMs?: number;
  /** Where issued cards are saved as card files (emulated chips); none when absent. */
  cardsDir?: string;
  /**
   * Runs each association's import schedule (simulator/server/import/scheduler.ts) on its own
   * connection to the same file. Default: on for a store file, off for ":memory:"; false turns it off.
   */
  importScheduler?: SchedulerOptions | false;
}

/** Opens the store and starts listening. */
export async function startServer(opts: ServerOptions = {}): Promise<RunningServer> {
  const store = await openStore(opts.db);
  const env: RenewalEnv = { now: opts.env?.now ?? (() => Math.floor(Date.now() / 1000)), randomBytes: opts.env?.randomBytes ?? ((n) => new Uint8Array(randomBytes(n))) };
  const sessions = new RelaySessions<RenewalOutcome>(opts.sessionIdleMs);
  const http = createServer(buildRouter(store.db, env, sessions, opts.cardsDir).listener());
  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(opts.port ?? 8080, opts.host ?? "127.0.0.1", () => resolve());
  });
  const port = (http.address() as AddressInfo).port;
  const dbPath = opts.db ?? defaultStorePath();
  const imports = opts.importScheduler === false || dbPath === ":memory:" ? null : await startImportScheduler(dbPath, opts.importScheduler ?? {});
  return {
    url: `http://${opts.host ?? "127.0.0.1"}:${port}`,
    port,
    store,
    http,
    imports: imports?.scheduler ?? null,
    async close() {
      await imports?.stop();
      sessions.closeAll();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      store.close();
    },
  };
}
