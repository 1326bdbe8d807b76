/**
 * PIN verifiers (API.md §Cards, §CARS): scrypt (RFC 7914) of the PIN under a per-card salt, slow on
 * purpose because PINs are short. The server derives them on request, so the work is bounded
 * (docs/ARCHITECTURE.md §5 "the back end trusts no caller"): at most `concurrency` derivations run at once on
 * libuv's thread pool and at most `queue` wait; a request beyond that is refused at once as
 * server-busy instead of piling up CPU and memory.
 */
import { scrypt, scryptSync } from "node:crypto";
import { ServerError } from "./errors.ts";

/** scrypt cost (RFC 7914 N): 16 MiB and tens of milliseconds per derivation. */
export const SCRYPT_N = 1 << 14;
/** Verifier bytes. */
const VERIFIER_SIZE = 32;

/** The scrypt verifier of a PIN under `salt`, computed on the calling thread (tools, tests, set-up). */
export function pinVerifier(pin: string, salt: Uint8Array): Uint8Array {
  return new Uint8Array(scryptSync(pin, salt, VERIFIER_SIZE, { N: SCRYPT_N }));
}

/** Limits of a PinKdf. */
export interface PinKdfLimits {
  /** Derivations running at once (default 2). */
  concurrency?: number;
  /** Requests waiting for a free slot (default 32); one more is refused as server-busy. */
  queue?: number;
}

/** The server's bounded scrypt: `verifier()` resolves like pinVerifier, or refuses when saturated. */
export class PinKdf {
  private readonly concurrency: number;
  private readonly queueLimit: number;
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(limits: PinKdfLimits = {}) {
    this.concurrency = limits.concurrency ?? 2;
    this.queueLimit = limits.queue ?? 32;
  }

  /** Derivations running plus waiting. */
  get load(): number {
    return this.running + this.waiting.length;
  }

  /** The verifier of `pin` under `salt`; server-busy when `concurrency` run and `queue` wait already. */
  async verifier(pin: string, salt: Uint8Array): Promise<Uint8Array> {
    if (this.running >= this.concurrency) {
      if (this.waiting.length >= this.queueLimit) {
        throw new ServerError("server-busy", `${this.load} PIN checks are in progress (the limit); try again in a moment`);
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running++;
    }
    try {
      return await new Promise<Uint8Array>((resolve, reject) =>
        scrypt(pin, salt, VERIFIER_SIZE, { N: SCRYPT_N }, (err, key) => (err ? reject(err) : resolve(new Uint8Array(key)))));
    } finally {
      // The slot passes straight to the next waiter, so `running` never exceeds the limit.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
