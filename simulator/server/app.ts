/**
 * The reference server (docs/ARCHITECTURE.md §3 server/; API.md): Fastify over the SQLite store, with the
 * routes of API.md (http/api.ts) validated against their schemas and described as OpenAPI at
 * `GET /api/openapi.json`. `startServer` opens the store, listens, and returns a handle tests and
 * `lockbox server` use; the clock and randomness are injectable so tests are deterministic.
 */
import Fastify, { type FastifyInstance } from "fastify";
import swagger from "@fastify/swagger";
import { randomBytes } from "node:crypto";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { openStore, defaultStorePath, type Store } from "./db/store.ts";
import { startImportScheduler, type ImportScheduler, type SchedulerOptions } from "./import/scheduler.ts";
import { RelaySessions, type RelayLimits } from "./relay.ts";
import { PinKdf, type PinKdfLimits } from "./pin-kdf.ts";
import type { RenewalEnv, RenewalOutcome } from "./renewal.ts";
import { apiRoutes } from "./http/api.ts";
import { installRefusals, frameworkErrors, MAX_BODY_BYTES } from "./http/refusals.ts";
import { validatorCompiler } from "./http/validation.ts";

/** A running server. */
export interface RunningServer {
  url: string;
  port: number;
  store: Store;
  http: Server;
  /** The Fastify instance (routes, `inject` for tests). */
  app: FastifyInstance;
  /** The running import scheduler, or null when the store is in memory or it was turned off. */
  imports: ImportScheduler | null;
  close(): Promise<void>;
}

/**
 * The server's own limits on what a client may hold (issue 12): a client that sends its headers
 * slowly, never finishes its request, or idles on a kept-alive connection is cut off, and
 * connections beyond the cap are refused, so no client can exhaust the server's sockets.
 */
export interface ConnectionLimits {
  /** Milliseconds to receive the request headers (default 10 s). */
  headersTimeoutMs: number;
  /** Milliseconds to receive the whole request (default 30 s). */
  requestTimeoutMs: number;
  /** Milliseconds a kept-alive connection may idle between requests (default 5 s). */
  keepAliveTimeoutMs: number;
  /** Milliseconds a socket may be silent in the middle of a request (default 30 s). */
  socketIdleTimeoutMs: number;
  /** Open connections at most; further ones are closed at once (default 256). */
  maxConnections: number;
}

export const DEFAULT_LIMITS: ConnectionLimits = { headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000, socketIdleTimeoutMs: 30_000, maxConnections: 256 };

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
  /** Open renewal sessions, in total and per client address (RelayLimits defaults: 64 and 4). */
  renewalLimits?: RelayLimits;
  /** PIN verifier derivations running and waiting (PinKdfLimits defaults: 2 and 32). */
  pinKdfLimits?: PinKdfLimits;
  /** Where issued cards are saved as card files (emulated chips); none when absent. */
  cardsDir?: string;
  /**
   * Runs each association's import schedule (simulator/server/import/scheduler.ts) on its own
   * connection to the same file. Default: on for a store file, off for ":memory:"; false turns it off.
   */
  importScheduler?: SchedulerOptions | false;
  /** Overrides of DEFAULT_LIMITS. */
  limits?: Partial<ConnectionLimits>;
  /** Called with every error that answered 500 (a bug); default: printed to stderr. */
  onInternalError?: (err: unknown) => void;
}

/** Opens the store and starts listening. */
export async function startServer(opts: ServerOptions = {}): Promise<RunningServer> {
  const store = await openStore(opts.db);
  const env: RenewalEnv = { now: opts.env?.now ?? (() => Math.floor(Date.now() / 1000)), randomBytes: opts.env?.randomBytes ?? ((n) => new Uint8Array(randomBytes(n))) };
  const sessions = new RelaySessions<RenewalOutcome>(opts.sessionIdleMs, opts.renewalLimits);
  const limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const host = opts.host ?? "127.0.0.1";
  const app = Fastify({
    logger: false,
    bodyLimit: MAX_BODY_BYTES,
    connectionTimeout: limits.socketIdleTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    frameworkErrors,
    routerOptions: { maxParamLength: 200 },
    // Node checks the headers and request deadlines on this interval (default 30 s): a fraction of the shortest one.
    http: { headersTimeout: limits.headersTimeoutMs, connectionsCheckingInterval: Math.max(50, Math.min(1000, limits.headersTimeoutMs / 4)) },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.server.maxConnections = limits.maxConnections;
  const report = opts.onInternalError ?? ((err: unknown) => console.error("lockbox server: internal error:", err));
  installRefusals(app, (err) => report(err));
  await app.register(swagger, {
    openapi: {
      openapi: "3.0.3",
      info: { title: "Lockbox reference server", version: "1", description: "The JSON API of simulator/server (API.md): cards, CARS, lockboxes, access logs and the card-authenticated renewal relay." },
    },
  });
  apiRoutes(app, { db: store.db, env, sessions, kdf: new PinKdf(opts.pinKdfLimits), cardsDir: opts.cardsDir });
  app.get("/api/openapi.json", { schema: { hide: true } }, async () => app.swagger());

  try {
    await app.listen({ port: opts.port ?? 8080, host });
  } catch (err) {
    store.close();
    throw err;
  }
  const port = (app.server.address() as AddressInfo).port;
  const dbPath = opts.db ?? defaultStorePath();
  const imports = opts.importScheduler === false || dbPath === ":memory:" ? null : await startImportScheduler(dbPath, opts.importScheduler ?? {});
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    port,
    store,
    http: app.server,
    app,
    imports: imports?.scheduler ?? null,
    async close() {
      await imports?.stop();
      sessions.closeAll();
      app.server.closeAllConnections();
      await app.close();
      store.close();
    },
  };
}
