// The streaming readers of the Import Utility: the OData/JSON record scanner and the CSV reader.
// Oracles: JSON.parse of the whole document and an independent RFC 4180 writer; fuzzing with
// seeded mutations checks that broken input never throws and is reported, whatever the chunking.
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { JsonFeedScanner, type JsonFeedEvent } from "../../simulator/server/import/json-stream.ts";
import { CsvScanner, type CsvEvent } from "../../simulator/server/import/csv-stream.ts";
import { Rng } from "../support/rng.ts";
import { csvField } from "./synthetic.ts";

/** Feeds `doc` to a scanner in pieces of the given sizes (the rest in one piece), then ends it. */
function scanInChunks<E>(s: { push(text: string): E[]; end(): E[] }, doc: string, chunks: number[]): E[] {
  const events: E[] = [];
  let at = 0;
  for (const size of chunks) {
    if (at >= doc.length) break;
    events.push(...s.push(doc.slice(at, at + size)));
    at += size;
  }
  if (at < doc.length) events.push(...s.push(doc.slice(at)));
  events.push(...s.end());
  return events;
}

function scanJson(doc: string, chunks: number[]): { events: JsonFeedEvent[]; meta: Record<string, unknown> } {
  const s = new JsonFeedScanner();
  const events = scanInChunks(s, doc, chunks);
  return { events, meta: s.meta };
}

function scanCsv(doc: string, chunks: number[], delimiter = ","): CsvEvent[] {
  return scanInChunks(new CsvScanner(delimiter), doc, chunks);
}

const jsonRecord = fc.dictionary(
  fc.string({ minLength: 1, maxLength: 8 }),
  fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.constant(null), fc.array(fc.string({ maxLength: 4 }), { maxLength: 3 })),
  { maxKeys: 6 },
);

describe("JSON feed scanner", () => {
  it("yields exactly the records JSON.parse sees, for any chunking (OData page and plain array)", () => {
    fc.assert(
      fc.property(fc.array(jsonRecord, { maxLength: 12 }), fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 50 }), fc.boolean(), (records, chunks, page) => {
        const doc = page
          ? JSON.stringify({ "@odata.context": "x", value: records, "@odata.nextLink": "https://h/p?$skip=2", "@odata.count": 99 }, null, 1)
          : JSON.stringify(records);
        const { events, meta } = scanJson(doc, chunks);
        expect(events.map((e) => (e.type === "record" ? e.value : e))).toEqual(records);
        if (page) expect(meta).toEqual({ "@odata.context": "x", "@odata.nextLink": "https://h/p?$skip=2", "@odata.count": 99 });
      }),
      { seed: 0x1a2b, numRuns: 300 },
    );
  });

  it("rejects a broken record on its own and keeps reading the rest", () => {
    const doc = '{"value":[{"MemberKey":"a"},{"MemberKey":"b",},{"MemberKey":"c"} {"MemberKey":"d"},7,{"MemberKey":"e"}]}';
    const { events } = scanJson(doc, [5]);
    expect(events.map((e) => e.type)).toEqual(["record", "reject", "record", "reject", "reject", "record"]);
    expect(events[1]).toMatchObject({ index: 1, reason: expect.stringMatching(/^broken JSON/) });
    expect(events[3]).toMatchObject({ index: 3, reason: "broken JSON: missing ',' before this record" });
    expect(events[4]).toMatchObject({ index: 4, reason: "record is not a JSON object" });
  });

  it("reports a document that breaks its structure or stops early as fatal, after the records before it", () => {
    expect(scanJson('[{"a":1},{"b":2}', [3]).events.map((e) => e.type)).toEqual(["record", "record", "fatal"]);
    expect(scanJson('{"value":[{"a":[1}]}', [100]).events).toEqual([
      { type: "fatal", index: 0, offset: 17, reason: "broken JSON: mismatched '}'" },
    ]);
    expect(scanJson("", []).events[0]).toMatchObject({ type: "fatal", reason: "broken JSON: empty document" });
    expect(scanJson('"just a string"', [4]).events[0]).toMatchObject({ type: "fatal" });
    expect(scanJson('[{"a":1}] x', [4]).events.map((e) => e.type)).toEqual(["record", "fatal"]);
  });

  it("never throws on mutated pages and every event is well formed (seeded fuzz)", () => {
    const rng = new Rng(0x5eed01);
    const base = new TextEncoder().encode(
      JSON.stringify({ "@odata.context": "c", value: [{ MemberKey: "a", X: [1, { y: "}" }] }, { MemberKey: "b\"]" }], "@odata.nextLink": "n" }),
    );
    for (let n = 0; n < 3000; n++) {
      const doc = new TextDecoder().decode(rng.mutate(base));
      const chunks = Array.from({ length: 8 }, () => rng.int(1, 16));
      const { events } = scanJson(doc, chunks);
      let fatal = 0;
      for (const e of events) {
        if (e.type === "record") expect(typeof e.value).toBe("object");
        else expect(e.reason.length).toBeGreaterThan(0);
        if (e.type === "fatal") fatal++;
      }
      expect(fatal).toBeLessThanOrEqual(1);
      let whole: unknown;
      try {
        whole = JSON.parse(doc);
      } catch {
        whole = undefined;
      }
      if (whole === undefined) expect(events.some((e) => e.type !== "record")).toBe(true);
    }
  });
});

describe("CSV reader", () => {
  const cell = fc.string({ maxLength: 12 }).map((s) => s.replace(/\r/g, ""));

  it("reads back whatever an RFC 4180 writer wrote, for any chunking", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.array(fc.array(cell, { minLength: 5, maxLength: 5 }), { maxLength: 10 }), fc.array(fc.integer({ min: 1, max: 30 }), { maxLength: 40 }), (width, rows, chunks) => {
        const header = Array.from({ length: width }, (_, k) => `Col${k}`);
        const body = rows.map((r) => r.slice(0, width)).filter((r) => !(width === 1 && r[0] === ""));
        const doc = [header, ...body].map((r) => r.map(csvField).join(",")).join("\r\n") + "\r\n";
        const events = scanCsv(doc, chunks);
        expect(events[0]).toEqual({ type: "header", names: header });
        const got = events.slice(1).map((e) => (e.type === "row" ? header.map((h) => e.values.get(h)) : e));
        expect(got).toEqual(body);
      }),
      { seed: 0x2c5f, numRuns: 300 },
    );
  });

  it("rejects broken quoting and wrong field counts with the line, and reads on", () => {
    const doc = 'K,Name,Note\n1,"Smith, J","say ""hi"""\n2,ab"c,x\n3,"two\nlines",z\n4,"q"x,y\n5,a\n6,b,c\n7,"open,d\n';
    const events = scanCsv(doc, [7]);
    expect(events).toEqual([
      { type: "header", names: ["K", "Name", "Note"] },
      { type: "row", line: 2, values: new Map([["K", "1"], ["Name", "Smith, J"], ["Note", 'say "hi"']]) },
      { type: "reject", line: 3, reason: "broken CSV: quote inside unquoted field 2", excerpt: "2,ab" },
      { type: "row", line: 4, values: new Map([["K", "3"], ["Name", "two\nlines"], ["Note", "z"]]) },
      { type: "reject", line: 6, reason: "broken CSV: text after the closing quote of field 2", excerpt: "4,q" },
      { type: "reject", line: 7, reason: "broken CSV: row has 2 fields, header has 3", excerpt: "5,a" },
      { type: "row", line: 8, values: new Map([["K", "6"], ["Name", "b"], ["Note", "c"]]) },
      { type: "reject", line: 9, reason: "broken CSV: quoted field opened on line 9 is never closed", excerpt: "7,open,d\n" },
    ]);
  });

  it("takes another delimiter, a BOM, LF or CR line ends, and no final newline", () => {
    const events = scanCsv("\uFEFFA;B\r1;2\r3;\"x;y\"", [2], ";");
    expect(events).toEqual([
      { type: "header", names: ["A", "B"] },
      { type: "row", line: 2, values: new Map([["A", "1"], ["B", "2"]]) },
      { type: "row", line: 3, values: new Map([["A", "3"], ["B", "x;y"]]) },
    ]);
  });

  it("never throws on mutated files (seeded fuzz)", () => {
    const rng = new Rng(0x5eed02);
    const base = new TextEncoder().encode('MemberKey,MemberStatus,Note\r\nA1,Active,"x, ""y"""\r\nB2,Inactive,"multi\nline"\r\n');
    for (let n = 0; n < 3000; n++) {
      const doc = new TextDecoder().decode(rng.mutate(base));
      const events = scanCsv(doc, Array.from({ length: 6 }, () => rng.int(1, 12)));
      for (const e of events) {
        if (e.type === "row") expect(e.line).toBeGreaterThan(1);
        if (e.type === "reject") expect(e.reason).toMatch(/^broken CSV: /);
      }
    }
  });
});
