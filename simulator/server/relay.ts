/**
 * The HTTP side of a renewal session (API.md §Renewal, protocol/SPEC.md Reader §3): the server runs
 * the renewal (renewal.ts) as a coroutine whose `transmit` hands each command APDU to the host in
 * an HTTP reply and waits for the card's response in the host's next request. The host only relays
 * bytes; it learns nothing it could reuse (SCP03 encrypts and MACs both directions).
 */
import { randomBytes } from "node:crypto";
import { ServerError } from "./errors.ts";
import type { Transmit } from "./card-channel.ts";

/** Where the server is in the renewal, for the host's progress bar. */
export interface RelayProgress {
  phase: string;
  done: number;
  total: number;
}

/** What the host gets back for each request: the next APDU for the card, or the outcome. */
export type RelayStep<T> = { session: string; apdu: string; step: number; progress: RelayProgress } | { session: string; done: true; outcome: T };

type Next<T> = { apdu: Uint8Array } | { outcome: T } | { error: unknown };

/** One renewal in progress between the server and a card behind an untrusted host. */
class RelaySession<T> {
  private waiter: ((n: Next<T>) => void) | null = null;
  private ready: Next<T> | null = null;
  private respond: ((resp: Uint8Array) => void) | null = null;
  private fail: ((err: unknown) => void) | null = null;
  private timer: NodeJS.Timeout | null = null;
  step = 0;
  finished = false;
  progress: RelayProgress = { phase: "start", done: 0, total: 0 };

  constructor(readonly id: string, private readonly idleMs: number, private readonly onEnd: () => void) {}

  /** The `transmit` the renewal coroutine uses. */
  readonly transmit: Transmit = (apdu) =>
    new Promise<Uint8Array>((resolve, reject) => {
      this.respond = resolve;
      this.fail = reject;
      this.step++;
      this.emit({ apdu });
    });

  /** The progress callback the renewal coroutine reports to. */
  readonly report = (phase: string, done: number, total: number): void => {
    this.progress = { phase, done, total };
  };

  start(run: (transmit: Transmit, report: (phase: string, done: number, total: number) => void) => Promise<T>): void {
    this.arm();
    run(this.transmit, this.report).then(
      (outcome) => this.emit({ outcome }),
      (error: unknown) => this.emit({ error }),
    );
  }

  private emit(n: Next<T>): void {
    if ("apdu" in n) this.arm();
    else this.end();
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w(n);
    } else {
      this.ready = n;
    }
  }

  /** Resolves with what the coroutine produces next. */
  next(): Promise<Next<T>> {
    if (this.ready) {
      const r = this.ready;
      this.ready = null;
      return Promise.resolve(r);
    }
    return new Promise((resolve) => (this.waiter = resolve));
  }

  /** Delivers the card's response to the pending APDU. */
  deliver(resp: Uint8Array): void {
    if (!this.respond) throw new ServerError("session-busy", `session ${this.id} is not waiting for a card response`);
    const r = this.respond;
    this.respond = null;
    this.fail = null;
    r(resp);
  }

  /** Aborts the coroutine (idle timeout): its pending transmit rejects. */
  abort(reason: ServerError): void {
    if (this.fail) {
      const f = this.fail;
      this.respond = null;
      this.fail = null;
      f(reason);
    }
  }

  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.abort(new ServerError("session-expired", `session ${this.id} idle for ${this.idleMs} ms`)), this.idleMs);
    this.timer.unref();
  }

  private end(): void {
    this.finished = true;
    if (this.timer) clearTimeout(this.timer);
    this.onEnd();
  }
}

/** How many renewal sessions may be open at once (API.md §Renewal limits). */
export interface RelayLimits {
  /** Sessions in total (default 64). */
  total?: number;
  /** Sessions of one client address (default 4: a PC with a few readers). */
  perSource?: number;
}

/** Every renewal session of one server, by id, within its limits. */
export class RelaySessions<T> {
  private readonly sessions = new Map<string, RelaySession<T>>();
  private readonly bySource = new Map<string, number>();
  private readonly total: number;
  private readonly perSource: number;

  constructor(private readonly idleMs = 30_000, limits: RelayLimits = {}) {
    this.total = limits.total ?? 64;
    this.perSource = limits.perSource ?? 4;
  }

  /**
   * Starts a session for client `source` running `run` and returns its first step. Refused before
   * anything runs when `source` has perSource sessions open (too-many-sessions) or the server has
   * `total` (server-busy); a session ends when it finishes or has been idle for idleMs.
   */
  async start(source: string, run: (transmit: Transmit, report: (phase: string, done: number, total: number) => void) => Promise<T>): Promise<RelayStep<T>> {
    const mine = this.bySource.get(source) ?? 0;
    if (mine >= this.perSource) {
      throw new ServerError("too-many-sessions", `${mine} renewal sessions from ${source} are open (the limit); finish one or wait ${this.idleMs / 1000} s for an abandoned one to expire`);
    }
    if (this.sessions.size >= this.total) throw new ServerError("server-busy", `${this.sessions.size} renewal sessions are open (the server's limit); try again shortly`);
    const id = randomBytes(12).toString("hex");
    const s = new RelaySession<T>(id, this.idleMs, () => {
      this.sessions.delete(id);
      const left = (this.bySource.get(source) ?? 1) - 1;
      if (left > 0) this.bySource.set(source, left);
      else this.bySource.delete(source);
    });
    this.sessions.set(id, s);
    this.bySource.set(source, mine + 1);
    s.start(run);
    return this.stepOf(s);
  }

  /** Delivers a card response to session `id` and returns its next step. */
  async respond(id: string, resp: Uint8Array): Promise<RelayStep<T>> {
    const s = this.sessions.get(id);
    if (!s) throw new ServerError("unknown-session", `no renewal session ${id} (finished, expired, or the server restarted): start again`);
    s.deliver(resp);
    return this.stepOf(s);
  }

  /** Sessions in progress. */
  get size(): number {
    return this.sessions.size;
  }

  /** Aborts every session (server shutdown). */
  closeAll(): void {
    for (const s of this.sessions.values()) s.abort(new ServerError("session-expired", "server shutting down"));
  }

  private async stepOf(s: RelaySession<T>): Promise<RelayStep<T>> {
    const n = await s.next();
    if ("apdu" in n) return { session: s.id, apdu: Buffer.from(n.apdu).toString("hex"), step: s.step, progress: { ...s.progress } };
    if ("outcome" in n) return { session: s.id, done: true, outcome: n.outcome };
    throw n.error;
  }
}
