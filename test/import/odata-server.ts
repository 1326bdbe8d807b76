/**
 * A small RESO Web API stand-in for the HTTP tests: serves Office/Member/Property as OData JSON
 * pages on 127.0.0.1 with $filter on (ModificationTimestamp, key), $orderby, $top/$skip paging via
 * @odata.nextLink, and a bearer token; and misbehaves on request (status codes, stalls).
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Rec } from "./synthetic.ts";

export type Fault = { kind: "none" } | { kind: "status"; status: number } | { kind: "stall-headers" } | { kind: "stall-body" };

export interface ODataServer {
  url: string;
  data: Record<string, Rec[]>;
  /** Consumed one per request, in order. */
  faults: Fault[];
  requests: { resource: string; query: URLSearchParams; auth: string | undefined }[];
  /** How @odata.nextLink is written: absolute (default), relative, or pointing back at page 1. */
  links: "absolute" | "relative" | "loop";
  close(): Promise<void>;
}

const KEYS: Record<string, string> = { Office: "OfficeKey", Member: "MemberKey", Property: "ListingKey" };
const FILTER = /^ModificationTimestamp gt (\S+) or \(ModificationTimestamp eq (\S+) and (\w+) gt '((?:[^']|'')*)'\)$/;

function select(records: Rec[], key: string, filter: string | null): Rec[] {
  let rows = records.slice();
  if (filter) {
    const m = FILTER.exec(filter);
    if (!m) throw new Error(`unsupported $filter ${filter}`);
    const t = Date.parse(m[1]);
    const k = m[4].replaceAll("''", "'");
    rows = rows.filter((r) => {
      const rt = Date.parse(String(r.ModificationTimestamp));
      return rt > t || (rt === t && String(r[key]) > k);
    });
  }
  return rows.sort((a, b) => Date.parse(String(a.ModificationTimestamp)) - Date.parse(String(b.ModificationTimestamp)) || (String(a[key]) < String(b[key]) ? -1 : 1));
}

export async function startODataServer(token: string, data: Record<string, Rec[]>): Promise<ODataServer> {
  const state: Omit<ODataServer, "url" | "close"> = { data, faults: [], requests: [], links: "absolute" };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const resource = url.pathname.replace(/^\/odata\//, "");
    state.requests.push({ resource, query: url.searchParams, auth: req.headers.authorization });
    if (req.headers.authorization !== `Bearer ${token}`) {
      res.writeHead(401, { "Content-Type": "application/json" }).end('{"error":{"code":"401","message":"Unauthorized"}}');
      return;
    }
    const key = KEYS[resource];
    if (!key) {
      res.writeHead(404).end();
      return;
    }
    const rows = select(state.data[resource] ?? [], key, url.searchParams.get("$filter"));
    const top = Number(url.searchParams.get("$top") ?? 100);
    const skip = Number(url.searchParams.get("$skip") ?? 0);
    const page: Record<string, unknown> = { "@odata.context": `$metadata#${resource}`, "@odata.count": rows.length, value: rows.slice(skip, skip + top) };
    if (skip + top < rows.length) {
      const next = new URL(url.toString().replace("http://127.0.0.1", `http://${req.headers.host}`));
      next.searchParams.set("$skip", String(state.links === "loop" ? 0 : skip + top));
      page["@odata.nextLink"] = state.links === "relative" ? `${resource}${next.search}` : next.toString();
    }
    const body = JSON.stringify(page);
    const fault = state.faults.shift();
    if (fault?.kind === "status") {
      res.writeHead(fault.status).end();
    } else if (fault?.kind === "stall-headers") {
      // Say nothing; the client's idle timeout must fire.
    } else if (fault?.kind === "stall-body") {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.write(body.slice(0, Math.floor(body.length / 2)));
    } else {
      res.writeHead(200, { "Content-Type": "application/json" }).end(body);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}/odata`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
