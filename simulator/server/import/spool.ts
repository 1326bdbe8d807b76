/**
 * The spool between reading a feed and applying it (docs/ARCHITECTURE.md §6 "imports are transactional"): the
 * checked records of a resource go to a temporary file as JSON lines while the feed streams in, so
 * the store's write transaction covers only local work, never a slow vendor, and nothing of the
 * feed is held in memory.
 */
import { closeSync, openSync, readSync, writeSync } from "node:fs";
import type { NormalizedRecord } from "./resources.ts";

const FLUSH_AT = 1 << 16;

/** A spooled record: its row in the feed and the normalized record. */
export interface SpooledRecord {
  row: number;
  rec: NormalizedRecord;
}

/** Appends records to a spool file. */
export class SpoolWriter {
  private readonly fd: number;
  private pending: string[] = [];
  private pendingChars = 0;
  count = 0;

  constructor(readonly path: string) {
    this.fd = openSync(path, "wx");
  }

  add(row: number, rec: NormalizedRecord): void {
    const line = JSON.stringify([row, rec.key, rec.timestamp, rec.fields]) + "\n";
    this.pending.push(line);
    this.pendingChars += line.length;
    this.count++;
    if (this.pendingChars >= FLUSH_AT) this.flush();
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }

  private flush(): void {
    if (this.pending.length > 0) writeSync(this.fd, this.pending.join(""));
    this.pending = [];
    this.pendingChars = 0;
  }
}

/** Reads a spool file back in order, synchronously, a block at a time. */
export function* readSpool(path: string): Generator<SpooledRecord> {
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.alloc(1 << 20);
    const decoder = new TextDecoder("utf-8");
    let carry = "";
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      const text = carry + (n > 0 ? decoder.decode(buf.subarray(0, n), { stream: true }) : decoder.decode());
      const lines = text.split("\n");
      carry = lines.pop() ?? "";
      for (const line of lines) {
        const [row, key, timestamp, fields] = JSON.parse(line) as [number, string, string | null, Record<string, string | null>];
        yield { row, rec: { key, timestamp, fields } };
      }
      if (n === 0) break;
    }
  } finally {
    closeSync(fd);
  }
}
