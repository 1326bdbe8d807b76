/**
 * Where vendor records come from (issue 7, Inputs): a RESO Web API base URL (OData pages followed
 * through `@odata.nextLink`), a directory of per-resource files, or one file; JSON (an OData page
 * or a plain array) or CSV with a header row and a mapping file for vendor column names. Every
 * source is read as a stream of records, never whole.
 */
import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, extname, join } from "node:path";
import { CsvScanner } from "./csv-stream.ts";
import { REJECT_BROKEN_CSV, REJECT_BROKEN_JSON, type RejectCode } from "./errors.ts";
import { type HttpOptions, ImportHttpError, openWithRetry, retryOrGiveUp } from "./http.ts";
import { JsonFeedScanner, type JsonFeedEvent } from "./json-stream.ts";
import { KEY_FIELD, RESOURCES, type ResourceName } from "./resources.ts";

/** What a feed yields: a record, a row that could not even be read, or the end of what is readable. */
export type FeedItem =
  | { type: "record"; row: number; record: Record<string, unknown> }
  | { type: "reject"; row: number; code: RejectCode; reason: string; excerpt: string }
  | { type: "fatal"; row: number; code: RejectCode; reason: string };

/** The vendor-specific spelling of one resource in a file feed (see FORMAT.md, Mapping file). */
export interface ResourceMapping {
  /** File name inside a source directory (default `<resource>.csv` or `.json`, any case). */
  file?: string;
  delimiter?: string;
  /** Vendor column → RESO field name. Unlisted columns are taken as RESO names. */
  columns?: Record<string, string>;
  /** RESO field → (vendor value → RESO value), for vendor codes such as "A" for Active. */
  values?: Record<string, Record<string, string>>;
}

/** A mapping file: per resource, its vendor spelling (FORMAT.md, Mapping file). */
export type Mapping = Partial<Record<ResourceName, ResourceMapping>>;

/** Progress of one resource: bytes of a file, or records of an HTTP feed out of @odata.count. */
export type ProgressFn = (done: number, total: number) => void;

/** One resource's records from one source. */
export interface Feed {
  resource: ResourceName;
  /** Where it reads from, for the report. */
  origin: string;
  items(progress: ProgressFn): AsyncIterable<FeedItem>;
}

/** Options of the URL source. */
export interface HttpFeedOptions extends HttpOptions {
  /** Records per page asked for with $top (default 1000). */
  pageSize?: number;
}

/** Where an incremental pull starts: records after this (ModificationTimestamp, key). */
export interface Cursor {
  timestamp: string;
  key: string;
}

/** Reads and checks a mapping file. */
export function loadMapping(path: string): Mapping {
  const parsed = JSON.parse(readFileSync(path, "utf8")) as unknown;
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error(`${path}: mapping must be a JSON object`);
  for (const [name, spec] of Object.entries(parsed)) {
    if (!RESOURCES.includes(name as ResourceName)) throw new Error(`${path}: unknown resource '${name}' (expected ${RESOURCES.join(", ")})`);
    if (spec === null || typeof spec !== "object") throw new Error(`${path}: ${name} must be an object`);
  }
  return parsed;
}

function applyMapping(record: Record<string, unknown>, mapping: ResourceMapping | undefined): Record<string, unknown> {
  if (!mapping?.values) return record;
  for (const [field, table] of Object.entries(mapping.values)) {
    const v = record[field];
    if (typeof v === "string" && Object.prototype.hasOwnProperty.call(table, v)) record[field] = table[v];
  }
  return record;
}

function fromJsonEvent(ev: JsonFeedEvent, rowBase: number, mapping: ResourceMapping | undefined): FeedItem {
  const row = rowBase + ev.index + 1;
  if (ev.type === "record") return { type: "record", row, record: applyMapping(ev.value, mapping) };
  if (ev.type === "reject") return { type: "reject", row, code: REJECT_BROKEN_JSON, reason: ev.reason, excerpt: ev.excerpt };
  return { type: "fatal", row, code: REJECT_BROKEN_JSON, reason: `${ev.reason} (character ${ev.offset})` };
}

async function* fileChunks(path: string, progress: ProgressFn): AsyncIterable<string> {
  const total = statSync(path).size;
  const decoder = new TextDecoder("utf-8");
  let done = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 16 }) as AsyncIterable<Buffer>) {
    done += chunk.length;
    progress(done, total);
    yield decoder.decode(chunk, { stream: true });
  }
  yield decoder.decode();
}

/** A JSON file: an OData page (`{"value": [...]}`) or a plain array of records. */
export function jsonFileFeed(resource: ResourceName, path: string, mapping?: ResourceMapping): Feed {
  return {
    resource,
    origin: path,
    async *items(progress) {
      const scanner = new JsonFeedScanner();
      for await (const text of fileChunks(path, progress)) {
        for (const ev of scanner.push(text)) yield fromJsonEvent(ev, 0, mapping);
      }
      for (const ev of scanner.end()) yield fromJsonEvent(ev, 0, mapping);
    },
  };
}

/** A CSV file with a header row; `mapping` renames vendor columns and values. */
export function csvFileFeed(resource: ResourceName, path: string, mapping?: ResourceMapping): Feed {
  return {
    resource,
    origin: path,
    async *items(progress) {
      const scanner = new CsvScanner(mapping?.delimiter ?? ",");
      const columns = mapping?.columns ?? {};
      let names: string[] = [];
      const convert = (ev: ReturnType<CsvScanner["push"]>[number]): FeedItem | null => {
        if (ev.type === "header") {
          names = ev.names.map((n) => columns[n] ?? n);
          return null;
        }
        if (ev.type === "reject") return { type: "reject", row: ev.line, code: REJECT_BROKEN_CSV, reason: ev.reason, excerpt: ev.excerpt };
        const record: Record<string, unknown> = {};
        let k = 0;
        for (const value of ev.values.values()) record[names[k++]] = value === "" ? null : value;
        return { type: "record", row: ev.line, record: applyMapping(record, mapping) };
      };
      for await (const text of fileChunks(path, progress)) {
        for (const ev of scanner.push(text)) {
          const item = convert(ev);
          if (item) yield item;
        }
      }
      for (const ev of scanner.end()) {
        const item = convert(ev);
        if (item) yield item;
      }
    },
  };
}

function quoteOData(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

/** The first page URL of an incremental (after `cursor`) or full pull of `resource`. */
export function firstPageUrl(base: string, resource: ResourceName, cursor: Cursor | null, pageSize: number): string {
  const key = KEY_FIELD[resource];
  const url = new URL(`${base.replace(/\/+$/, "")}/${resource}`);
  if (cursor) {
    url.searchParams.set(
      "$filter",
      `ModificationTimestamp gt ${cursor.timestamp} or (ModificationTimestamp eq ${cursor.timestamp} and ${key} gt ${quoteOData(cursor.key)})`,
    );
  }
  url.searchParams.set("$orderby", `ModificationTimestamp asc,${key} asc`);
  url.searchParams.set("$top", String(pageSize));
  url.searchParams.set("$count", "true");
  return url.toString();
}

/**
 * A RESO Web API resource: pages in order through `@odata.nextLink`. A page whose body breaks
 * half-way is fetched again and the records already taken from it are skipped, so a retry never
 * yields a record twice.
 */
export function httpFeed(resource: ResourceName, base: string, cursor: Cursor | null, opts: HttpFeedOptions = {}): Feed {
  return {
    resource,
    origin: `${base.replace(/\/+$/, "")}/${resource}`,
    async *items(progress) {
      let url: string | null = firstPageUrl(base, resource, cursor, opts.pageSize ?? 1000);
      let rowBase = 0;
      let total = 0;
      const visited = new Set<string>();
      while (url !== null) {
        if (visited.has(url)) throw new ImportHttpError(`${url}: @odata.nextLink leads back to a page already read`, null);
        visited.add(url);
        const attempt = { n: 0 };
        let taken = 0;
        let meta: Record<string, unknown>;
        for (;;) {
          const res = await openWithRetry(url, opts, attempt);
          const scanner = new JsonFeedScanner();
          const decoder = new TextDecoder("utf-8");
          let seen = 0;
          let broke: string | null = null;
          try {
            for await (const chunk of res.chunks) {
              for (const ev of scanner.push(decoder.decode(chunk, { stream: true }))) {
                if (ev.type !== "fatal" && seen++ < taken) continue;
                if (ev.type !== "fatal") taken++;
                yield fromJsonEvent(ev, rowBase, undefined);
                if (ev.type === "fatal") return;
              }
            }
          } catch (err) {
            broke = err instanceof Error ? err.message : String(err);
          } finally {
            res.close();
          }
          if (broke === null) {
            for (const ev of scanner.end()) {
              yield fromJsonEvent(ev, rowBase, undefined);
              if (ev.type === "fatal") return;
            }
            meta = scanner.meta;
            break;
          }
          await retryOrGiveUp(url, broke, opts, attempt);
        }
        if (typeof meta["@odata.count"] === "number" && total === 0) total = meta["@odata.count"];
        rowBase += taken;
        progress(rowBase, total);
        const next = meta["@odata.nextLink"];
        if (next !== undefined && typeof next !== "string") throw new ImportHttpError(`${url}: @odata.nextLink is not a string`, null);
        url = typeof next === "string" ? new URL(next, url).toString() : null;
      }
    },
  };
}

/** The feeds of a directory: `<resource>.json` or `<resource>.csv` (any case) or the mapping's file. */
export function directoryFeeds(dir: string, mapping: Mapping): Feed[] {
  const files = readdirSync(dir);
  const feeds: Feed[] = [];
  for (const resource of RESOURCES) {
    const spec = mapping[resource];
    const name = spec?.file ?? files.find((f) => [".json", ".csv"].some((ext) => f.toLowerCase() === resource.toLowerCase() + ext));
    if (name === undefined) continue;
    feeds.push(fileFeed(resource, join(dir, name), spec));
  }
  return feeds;
}

/** One file, JSON or CSV by its extension. */
export function fileFeed(resource: ResourceName, path: string, mapping?: ResourceMapping): Feed {
  if (!existsSync(path)) throw new Error(`${path}: no such file`);
  return extname(path).toLowerCase() === ".csv" ? csvFileFeed(resource, path, mapping) : jsonFileFeed(resource, path, mapping);
}

/** Which resource a lone file holds: given, the only one in its mapping, or named in the file name. */
export function resourceOfFile(path: string, mapping: Mapping, given?: string): ResourceName {
  if (given !== undefined) {
    const r = RESOURCES.find((x) => x.toLowerCase() === given.toLowerCase());
    if (!r) throw new Error(`unknown resource '${given}' (expected ${RESOURCES.join(", ")})`);
    return r;
  }
  const mapped = Object.keys(mapping) as ResourceName[];
  if (mapped.length === 1) return mapped[0];
  const name = basename(path).toLowerCase();
  const found = RESOURCES.filter((r) => name.includes(r.toLowerCase()));
  if (found.length === 1) return found[0];
  throw new Error(`${path}: cannot tell which resource it holds; name it office/member/property or pass --resource`);
}

/** Default mapping for a file source: `mapping.json` beside it, if present. */
export function mappingBeside(pathOrDir: string, isDir: boolean): Mapping {
  const candidate = join(isDir ? pathOrDir : dirname(pathOrDir), "mapping.json");
  return existsSync(candidate) ? loadMapping(candidate) : {};
}
