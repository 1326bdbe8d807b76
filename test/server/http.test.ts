// The HTTP framework under the API (issue 13 Build 4, issue 12 item 6): wrong methods are 405 with
// Allow, malformed URLs and bodies are 4xx, the server cuts off clients that send slowly, idle or open
// too many connections, and the OpenAPI document it serves is valid OpenAPI 3 and lists exactly the
// routes of API.md.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type Socket } from "node:net";
import { readFileSync } from "node:fs";
import { Validator } from "@seriousme/openapi-schema-validator";
import { startServer, type RunningServer } from "../../simulator/server/app.ts";
import { seedWorld, call, ASSOCIATION, ASSOCIATION_CARD_ID } from "./fixture.ts";

const T0 = Date.UTC(2026, 2, 10, 15, 0, 0) / 1000;
let srv: RunningServer;

beforeAll(async () => {
  srv = await startServer({ db: ":memory:", port: 0, env: { now: () => T0 } });
  seedWorld(srv.store.db);
});
afterAll(async () => srv.close());

describe("refusals are 4xx with a specific code", () => {
  it("a path known under other methods answers 405 with Allow; an unknown path 404", async () => {
    const res = await fetch(`${srv.url}/api/cars`, { method: "GET" });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("POST");
    expect(await res.json()).toMatchObject({ error: "method-not-allowed" });
    const del = await fetch(`${srv.url}/api/cards/00bc614e`, { method: "DELETE" });
    expect(del.status).toBe(405);
    expect(del.headers.get("allow")?.split(", ").sort()).toEqual(["GET", "HEAD"]);
    expect(await call(srv.url, "PATCH", "/api/lockboxes/00000001/settings", {})).toMatchObject({ status: 405 });
    expect(await call(srv.url, "GET", "/api/cards/00bc614e/nothing")).toMatchObject({ status: 404, body: { error: "not-found" } });
  });

  it("a URL whose %-encoding does not decode is a 400, not a 500", async () => {
    for (const path of ["/api/cards/%E0%A4%A", "/api/associations/%ff/provision", "/api/renewals/%"]) {
      const res = await fetch(srv.url + path, { method: path.includes("cards") ? "GET" : "POST", body: path.includes("cards") ? undefined : "{}" });
      expect(res.status, path).toBe(400);
      expect((await res.json()).error).toBe("bad-request");
    }
  });

  it("bodies are taken as sent: no coercion, no prototype keys, the field named in the message", async () => {
    const provision = `/api/associations/${ASSOCIATION}/provision`;
    expect(await call(srv.url, "POST", provision, { cardId: "5" })).toMatchObject({ status: 400, body: { error: "bad-request", message: "field 'cardId' must be integer" } });
    expect(await call(srv.url, "POST", "/api/cars", { serial: "00BC614E", pin: "1234" })).toMatchObject({ status: 400, body: { message: "field 'serial' must match ^[0-9a-f]{8}$" } });
    expect(await call(srv.url, "POST", "/api/cars", { pin: "1234" })).toMatchObject({ status: 400, body: { message: "field 'serial' is required" } });
    expect(await call(srv.url, "GET", "/api/access-log?listing=L1&limit=0")).toMatchObject({ status: 400, body: { message: "query parameter 'limit' must be >= 1" } });
    const proto = await fetch(`${srv.url}/api/cars`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"serial":"00bc614e","pin":"1","__proto__":{"x":1}}' });
    expect(proto.status).toBe(400);
    expect((await proto.json()).error).toBe("bad-json");
    const empty = await fetch(`${srv.url}/api/cars`, { method: "POST", headers: { "content-type": "application/json" } });
    expect(await empty.json()).toMatchObject({ error: "bad-request", message: "field 'serial' is required" });
  });

  it("an unknown association or a card id already taken is a 404/409, and nothing is written", async () => {
    const before = srv.store.db.prepare("SELECT COUNT(*) FROM lockboxes").pluck().get();
    expect(await call(srv.url, "POST", "/api/lockboxes", { id: "00000010", association: "no-such-board" })).toMatchObject({ status: 404, body: { error: "unknown-association" } });
    expect(srv.store.db.prepare("SELECT COUNT(*) FROM lockboxes").pluck().get()).toBe(before);
    srv.store.db.prepare("INSERT INTO associations (id, name, created_at) VALUES ('assoc-2', 'Other', '2026-01-01T00:00:00Z')").run();
    expect(await call(srv.url, "POST", "/api/associations/assoc-2/provision", { cardId: ASSOCIATION_CARD_ID })).toMatchObject({ status: 409, body: { error: "conflict" } });
    expect(srv.store.db.prepare("SELECT card_id FROM associations WHERE id = 'assoc-2'").pluck().get()).toBeNull();
  });

  it("a server-side failure is 500 'internal' without internal details, and is reported", async () => {
    const errors: unknown[] = [];
    const s = await startServer({ db: ":memory:", port: 0, onInternalError: (e) => errors.push(e) });
    try {
      s.store.db.close();
      const r = await call(s.url, "GET", "/api/cards/00bc614e");
      expect(r).toEqual({ status: 500, body: { error: "internal", message: "internal error; the server log has the details" } });
      expect(String(errors[0])).toMatch(/database connection is not open/);
    } finally {
      s.store.close = () => undefined;
      await s.close();
    }
  });
});

/** A raw TCP client: what it received and when the server closed it. */
function rawClient(port: number): { socket: Socket; received: () => string; closed: Promise<void> } {
  const socket = connect(port, "127.0.0.1");
  let data = "";
  socket.on("data", (d) => (data += d.toString("latin1")));
  socket.on("error", () => undefined);
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  return { socket, received: () => data, closed };
}

/** Resolves true when `p` settles within `ms`, false otherwise (a generous deadline, not a timing assertion). */
async function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const r = await Promise.race([p.then(() => true), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)))]);
  clearTimeout(timer);
  return r;
}

describe("the server's own timeouts and connection cap", () => {
  let limited: RunningServer;
  beforeAll(async () => {
    limited = await startServer({ db: ":memory:", port: 0, limits: { headersTimeoutMs: 300, requestTimeoutMs: 600, keepAliveTimeoutMs: 200, socketIdleTimeoutMs: 2000, maxConnections: 3 } });
  });
  afterAll(async () => limited.close());

  it("headers sent too slowly: 408 and the connection is closed", async () => {
    const c = rawClient(limited.port);
    c.socket.write("GET /api/health HTTP/1.1\r\nHost: x\r\n");
    expect(await within(c.closed, 15_000)).toBe(true);
    expect(c.received()).toMatch(/^HTTP\/1\.1 408/);
  });

  it("a body that never finishes: the connection is closed", async () => {
    const c = rawClient(limited.port);
    c.socket.write("POST /api/cars HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"serial\":");
    expect(await within(c.closed, 15_000)).toBe(true);
    expect(c.received()).not.toMatch(/^HTTP\/1\.1 200/);
  });

  it("an idle kept-alive connection is closed after its reply", async () => {
    const c = rawClient(limited.port);
    c.socket.write("GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n");
    expect(await within(c.closed, 15_000)).toBe(true);
    expect(c.received()).toMatch(/^HTTP\/1\.1 200[\s\S]*"ok":true/);
  });

  it("connections beyond the cap are closed at once; the server serves again when they go", async () => {
    const held = [rawClient(limited.port), rawClient(limited.port), rawClient(limited.port)];
    for (const h of held) h.socket.write("GET /api/health HTTP/1.1\r\n");
    await new Promise((r) => setTimeout(r, 100));
    const extra = rawClient(limited.port);
    expect(await within(extra.closed, 15_000)).toBe(true);
    expect(extra.received()).toBe("");
    for (const h of held) h.socket.destroy();
    await Promise.all(held.map((h) => h.closed));
    let ok = false;
    for (let i = 0; i < 50 && !ok; i++) {
      ok = await fetch(`${limited.url}/api/health`).then((r) => r.ok, () => false);
      if (!ok) await new Promise((r) => setTimeout(r, 50));
    }
    expect(ok).toBe(true);
  });
});

describe("the OpenAPI description", () => {
  it("is valid OpenAPI 3 and lists exactly the routes of API.md, each with its request schema", async () => {
    const doc = (await call(srv.url, "GET", "/api/openapi.json")).body;
    const result = await new Validator().validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    const served = Object.entries(doc.paths as Record<string, Record<string, unknown>>)
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ":$1")}`)).sort();
    // The route table of API.md: | METHOD | `path` | ...
    const documented = [...readFileSync("simulator/server/API.md", "utf8").matchAll(/^\| (GET|POST|PUT|DELETE) \| `([^`?]+)[^|]*\|/gm)].map((m) => `${m[1]} ${m[2]}`).sort();
    expect(served).toEqual(documented);
    expect(doc.paths["/api/cars"].post.requestBody.content["application/json"].schema.required).toEqual(["serial", "pin"]);
  });
});
