/**
 * A small JSON router on node:http for the reference server's API (API.md): method + path pattern
 * (`/api/cards/:serial`) → handler; request bodies are JSON with a size cap; every refusal is a
 * ServerError rendered as `{ error, message }` with its status. Nothing else is exposed.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { ServerError } from "./errors.ts";

/** What a handler receives: path parameters, query string and the parsed JSON body. */
export interface Request {
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
}

/** A route handler: resolves to the JSON reply (status 200) or throws ServerError. */
export type Handler = (req: Request) => unknown | Promise<unknown>;

interface Route {
  method: string;
  parts: string[];
  handler: Handler;
}

/** Largest accepted request body: a 1,000-record upload relayed as hex APDUs stays far below it. */
export const MAX_BODY_BYTES = 1 << 20;
/** Beyond this many bytes an over-large body is not even drained: the connection is cut. */
const DISCARD_LIMIT = 16 << 20;

/** Routes requests to handlers; see API.md for the table of routes. */
export class Router {
  private readonly routes: Route[] = [];

  add(method: string, pattern: string, handler: Handler): this {
    this.routes.push({ method, parts: pattern.split("/").filter(Boolean), handler });
    return this;
  }

  /** The node:http request listener. */
  listener(): (req: IncomingMessage, res: ServerResponse) => void {
    return (req, res) => {
      this.dispatch(req).then(
        (body) => reply(res, 200, body),
        (err: unknown) => {
          if (err instanceof ServerError) reply(res, err.status, { error: err.code, message: err.message });
          else reply(res, 500, { error: "internal", message: err instanceof Error ? err.message : String(err) });
        },
      );
    };
  }

  private async dispatch(req: IncomingMessage): Promise<unknown> {
    const url = new URL(req.url ?? "/", "http://localhost");
    const parts = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
    let pathMatched = false;
    for (const route of this.routes) {
      const params = match(route.parts, parts);
      if (!params) continue;
      pathMatched = true;
      if (route.method !== req.method) continue;
      const body = req.method === "GET" ? undefined : await readJson(req);
      return route.handler({ params, query: url.searchParams, body });
    }
    await drain(req);
    throw new ServerError("not-found", pathMatched ? `${req.method} not allowed on ${url.pathname}` : `no route ${url.pathname}`);
  }
}

function match(pattern: string[], parts: string[]): Record<string, string> | null {
  if (pattern.length !== parts.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i].startsWith(":")) params[pattern[i].slice(1)] = parts[i];
    else if (pattern[i] !== parts[i]) return null;
  }
  return params;
}

async function drain(req: IncomingMessage): Promise<void> {
  for await (const _ of req) void _;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    // Past the cap the rest is read and dropped, so the client still gets its 413 reply.
    if (size > DISCARD_LIMIT) req.destroy();
    else if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  }
  if (size > MAX_BODY_BYTES) throw new ServerError("body-too-large", `request body over ${MAX_BODY_BYTES} bytes`);
  if (size === 0) return {};
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new ServerError("bad-json", "request body is not valid JSON");
  }
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body ?? {});
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}
