// The RESO Web API input against a local OData-style server: paging through @odata.nextLink,
// incremental pulls from the cursor, 401 handling, and retry with backoff on 5xx and timeouts.
import { describe, it, expect, afterEach } from "vitest";
import { runImport } from "../../simulator/server/import/run.ts";
import type { HttpFeedOptions } from "../../simulator/server/import/feeds.ts";
import { sandbox, dataDump, column, type Sandbox } from "./helpers.ts";
import { startODataServer, type ODataServer } from "./odata-server.ts";
import { member, stamp, office } from "./synthetic.ts";

const TOKEN = "s3cret-token";
let sb: Sandbox | null = null;
let server: ODataServer | null = null;
afterEach(async () => {
  sb?.cleanup();
  await server?.close();
  sb = null;
  server = null;
});

async function setup(members = 25): Promise<{ sb: Sandbox; server: ODataServer }> {
  sb = await sandbox();
  server = await startODataServer(TOKEN, {
    Office: [office(0)],
    Member: Array.from({ length: members }, (_, i) => member(i, 1, { ModificationTimestamp: stamp(Math.floor(i / 2)) })),
    Property: [],
  });
  return { sb, server };
}

function http(extra: Partial<HttpFeedOptions> = {}): HttpFeedOptions {
  return { pageSize: 10, backoffMs: 5, maxBackoffMs: 40, retries: 3, idleTimeoutMs: 150, ...extra };
}

describe("RESO Web API input", () => {
  it("follows @odata.nextLink through every page with the bearer token", async () => {
    const { sb, server } = await setup();
    const r = await runImport(sb.store.db, { associationId: "A1", from: server.url, token: TOKEN, http: http() });
    expect(r.status).toBe("applied");
    expect(r.resources.Member).toMatchObject({ added: 25, rejected: 0 });
    const memberRequests = server.requests.filter((q) => q.resource === "Member");
    expect(memberRequests.map((q) => q.query.get("$skip"))).toEqual([null, "10", "20"]);
    expect(server.requests.every((q) => q.auth === `Bearer ${TOKEN}`)).toBe(true);
    expect(memberRequests[0].query.get("$orderby")).toBe("ModificationTimestamp asc,MemberKey asc");
    expect(column(sb.store, "SELECT count(*) FROM members")).toEqual([25]);
  });

  it("resolves relative next links and refuses links that loop back", async () => {
    const { sb, server } = await setup();
    server.links = "relative";
    const ok = await runImport(sb.store.db, { associationId: "A1", from: server.url, token: TOKEN, http: http(), full: true });
    expect(ok.resources.Member).toMatchObject({ added: 25 });
    server.links = "loop";
    const looped = await runImport(sb.store.db, { associationId: "A1", from: server.url, token: TOKEN, http: http(), full: true });
    expect(looped.status).toBe("failed");
    expect(looped.error).toMatch(/nextLink leads back to a page already read/);
  });

  it("pulls incrementally after the (ModificationTimestamp, key) cursor", async () => {
    const { sb, server } = await setup();
    await runImport(sb.store.db, { associationId: "A1", from: server.url, token: TOKEN, http: http() });
    // MEM24 was last (timestamp 12): a record with the same timestamp and a greater key must still come.
    server.data.Member.push(member(25, 1, { ModificationTimestamp: stamp(12) }));
    server.data.Member[3] = member(3, 1, { MemberEmail: "changed@example.com", ModificationTimestamp: stamp(500) });
    server.requests.length = 0;
    const r = await runImport(sb.store.db, { associationId: "A1", from: server.url, token: TOKEN, http: http() });
    expect(server.requests.find((q) => q.resource === "Member")?.query.get("$filter")).toBe(
      "ModificationTimestamp gt 2024-01-01T00:00:12.0000000Z or (ModificationTimestamp eq 2024-01-01T00:00:12.0000000Z and MemberKey gt 'MEM24')",
    );
    expect(r.resources.Member).toMatchObject({ added: 1, updated: 1, unchanged: 0 });
    expect(column(sb.store, "SELECT email FROM members WHERE member_key = 'MEM3'")).toEqual(["changed@example.com"]);
  });

  it("a 401 fails the run at once, without retrying, and changes no data", async () => {
    const { sb, server } = await setup();
    const before = dataDump(sb.store);
    const retries: number[] = [];
    const r = await runImport(sb.store.db, { associationId: "A1", from: server.url, token: "wrong", http: http({ onRetry: (n) => retries.push(n) }) });
    expect(r.status).toBe("failed");
    expect(r.error).toMatch(/401 Unauthorized/);
    expect(server.requests).toHaveLength(1);
    expect(retries).toEqual([]);
    expect(dataDump(sb.store)).toBe(before);
  });

  it("retries 5xx answers with exponential backoff, then succeeds", async () => {
    const { sb, server } = await setup();
    server.faults.push({ kind: "status", status: 503 }, { kind: "status", status: 500 });
    const delays: number[] = [];
    const r = await runImport(sb.store.db, { associationId: "A1", from: server.url, token: TOKEN, http: http({ onRetry: (_, d) => delays.push(d) }) });
    expect(r.status).toBe("applied");
    expect(delays).toEqual([5, 10]);
    expect(r.totals.added).toBe(26);
  });

  it("retries a server that never answers", async () => {
    const { sb, server } = await setup();
    server.faults.push({ kind: "stall-headers" });
    const whys: string[] = [];
    const r = await runImport(sb.store.db, { associationId: "A1", from: server.url, token: TOKEN, http: http({ onRetry: (_, __, why) => whys.push(why) }) });
    expect(r.status).toBe("applied");
    expect(whys).toEqual(["no data for 150 ms"]);
    expect(r.totals).toMatchObject({ added: 26, rejected: 0 });
  });

  it("refetches a page that stops half-way and skips the records already taken", async () => {
    const { sb, server } = await setup();
    // Office page, Member page 1: fine. Member page 2: half a body, then silence.
    server.faults.push({ kind: "none" }, { kind: "none" }, { kind: "stall-body" });
    const whys: string[] = [];
    const r = await runImport(sb.store.db, { associationId: "A1", from: server.url, token: TOKEN, http: http({ onRetry: (_, __, why) => whys.push(why) }) });
    expect(r.status).toBe("applied");
    expect(whys).toEqual(["no data for 150 ms"]);
    expect(server.requests.filter((q) => q.resource === "Member").map((q) => q.query.get("$skip"))).toEqual([null, "10", "10", "20"]);
    expect(r.resources.Member).toMatchObject({ added: 25, rejected: 0 });
  });

  it("gives up after the retry budget and rolls everything back", async () => {
    const { sb, server } = await setup();
    const before = dataDump(sb.store);
    server.faults.push(...Array.from({ length: 4 }, () => ({ kind: "status" as const, status: 502 })));
    const r = await runImport(sb.store.db, { associationId: "A1", from: server.url, token: TOKEN, http: http() });
    expect(r.status).toBe("failed");
    expect(r.error).toMatch(/giving up after 4 attempts \(last: HTTP 502\)/);
    expect(dataDump(sb.store)).toBe(before);
  });
});
