/**
 * HTTP for the RESO Web API input (issue 7, Inputs: "OData JSON … bearer token"): a GET with a
 * bearer token, an idle timeout, and retries with exponential backoff on 5xx, 429, timeouts and
 * network errors. 401/403 and other 4xx are not retried: asking again will not fix them.
 */

/** How patient the client is; tests shorten every delay. */
export interface HttpOptions {
  token?: string;
  /** Abort when no byte arrives for this long (ms, default 30000). */
  idleTimeoutMs?: number;
  /** Attempts after the first (default 4). */
  retries?: number;
  /** First backoff delay (ms, default 500); doubles each retry up to maxBackoffMs. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Called before each retry, for progress output and tests. */
  onRetry?: (attempt: number, delayMs: number, why: string) => void;
}

/** A failure the run cannot get past: the whole import rolls back. */
export class ImportHttpError extends Error {
  override name = "ImportHttpError";
  constructor(message: string, readonly status: number | null) {
    super(message);
  }
}

/** A response body being read, with the idle timer that guards it. */
export interface OpenResponse {
  status: number;
  /** Body chunks; throws on timeout or a broken connection. */
  chunks: AsyncIterable<Uint8Array>;
  /** Stops the idle timer and releases the connection. */
  close(): void;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Whether a status is worth another attempt. */
export function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 429 || status === 408;
}

/** One GET whose body is read with an idle timeout; errors only for network failures. */
async function openOnce(url: string, opts: HttpOptions): Promise<OpenResponse> {
  const controller = new AbortController();
  const idleMs = opts.idleTimeoutMs ?? 30_000;
  let timer = setTimeout(() => controller.abort(new Error(`no data for ${idleMs} ms`)), idleMs);
  const rearm = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(new Error(`no data for ${idleMs} ms`)), idleMs);
  };
  const close = (): void => {
    clearTimeout(timer);
    controller.abort(new Error("closed"));
  };
  const headers: Record<string, string> = { Accept: "application/json" };
  if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
  let res: Response;
  try {
    res = await fetch(url, { headers, signal: controller.signal });
  } catch (err) {
    clearTimeout(timer);
    throw controller.signal.aborted ? controller.signal.reason : err;
  }
  rearm();
  const body = res.body;
  async function* chunks(): AsyncIterable<Uint8Array> {
    if (!body) return;
    try {
      for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
        rearm();
        yield chunk;
      }
    } catch (err) {
      throw controller.signal.aborted ? controller.signal.reason : err;
    } finally {
      clearTimeout(timer);
    }
  }
  return { status: res.status, chunks: chunks(), close };
}

/** The delay before retry number `attempt` (1-based). */
export function backoffDelay(attempt: number, opts: HttpOptions): number {
  return Math.min((opts.backoffMs ?? 500) * 2 ** (attempt - 1), opts.maxBackoffMs ?? 30_000);
}

/**
 * GETs `url` until a 2xx arrives or the retries are spent; the caller reads the body. `attempt`
 * counts across calls for the same page so a body that breaks half-way shares one retry budget.
 */
export async function openWithRetry(url: string, opts: HttpOptions, attempt = { n: 0 }): Promise<OpenResponse> {
  const retries = opts.retries ?? 4;
  for (;;) {
    let why: string;
    try {
      const res = await openOnce(url, opts);
      if (res.status >= 200 && res.status < 300) return res;
      res.close();
      if (res.status === 401 || res.status === 403) {
        throw new ImportHttpError(`${url}: ${res.status} ${res.status === 401 ? "Unauthorized" : "Forbidden"} (check the association's import token)`, res.status);
      }
      if (!isRetryableStatus(res.status)) throw new ImportHttpError(`${url}: HTTP ${res.status}`, res.status);
      why = `HTTP ${res.status}`;
    } catch (err) {
      if (err instanceof ImportHttpError) throw err;
      why = err instanceof Error ? err.message : String(err);
    }
    await retryOrGiveUp(url, why, opts, attempt, retries);
  }
}

/** Waits before the next attempt, or throws when the retry budget is spent. */
export async function retryOrGiveUp(url: string, why: string, opts: HttpOptions, attempt: { n: number }, retries = opts.retries ?? 4): Promise<void> {
  attempt.n++;
  if (attempt.n > retries) throw new ImportHttpError(`${url}: giving up after ${retries + 1} attempts (last: ${why})`, null);
  const delay = backoffDelay(attempt.n, opts);
  opts.onRetry?.(attempt.n, delay, why);
  await sleep(delay);
}
