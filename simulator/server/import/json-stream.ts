/**
 * Streaming reader of RESO Web API responses (docs/ARCHITECTURE.md §2, Import; issue 7, Streaming): pulls
 * the records out of an OData page (`{"@odata.context": …, "value": [ {…}, … ],
 * "@odata.nextLink": "…"}`) or of a plain JSON array, one at a time, from text arriving in chunks,
 * so a 100,000-record feed is never held in memory. Only the outer structure is scanned here;
 * each record is parsed on its own, so one broken record is rejected and the rest still import.
 */

/** A record, a rejected record, or the end of everything readable (structure broken). */
export type JsonFeedEvent =
  | { type: "record"; index: number; value: Record<string, unknown> }
  | { type: "reject"; index: number; reason: string; excerpt: string }
  | { type: "fatal"; index: number; offset: number; reason: string };

/** Records larger than this many characters are rejected without being kept in memory. */
export const MAX_RECORD_CHARS = 1 << 20;
const EXCERPT_CHARS = 120;

const enum Top { Start, Array, Object, Done, Failed }
const enum Expect { Key, Colon, Value, CommaOrEnd }

const QUOTE = 0x22, BACKSLASH = 0x5c, COMMA = 0x2c, COLON = 0x3a;
const LBRACE = 0x7b, RBRACE = 0x7d, LBRACKET = 0x5b, RBRACKET = 0x5d;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0xfeff;
}

interface Capture {
  /** A record of the record array, or the value of a top-level member (`@odata.nextLink`, …). */
  kind: "record" | "meta";
  key: string;
  parts: string[];
  size: number;
  /** Start of the not yet copied text in the current chunk. */
  from: number;
  /** Container depth the value started at; it is complete when the depth returns here. */
  depth: number;
  scalar: boolean;
  problem: string | null;
}

/**
 * Feed it text with `push` and `end`; each returns the events completed by that text. Top-level
 * members other than `value` (`@odata.nextLink`, `@odata.count`) are collected in `meta`.
 */
export class JsonFeedScanner {
  readonly meta: Record<string, unknown> = {};
  private top = Top.Start;
  private closers: number[] = [];
  private inString = false;
  private escaped = false;
  private expect = Expect.Key;
  private keyParts: string[] | null = null;
  private keyFrom = 0;
  private lastKey = "";
  private sawRecordArray = false;
  /** Depth whose direct children are records, or -1 outside the record array. */
  private recordDepth = -1;
  private arrayExpect = Expect.Value;
  private arrayEmpty = true;
  private capture: Capture | null = null;
  private index = 0;
  private offset = 0;

  push(text: string): JsonFeedEvent[] {
    const out: JsonFeedEvent[] = [];
    if (this.top === Top.Failed) return out;
    const n = text.length;
    for (let i = 0; i < n && this.top !== Top.Failed; i++) {
      if (this.inString) {
        const q = this.stringEnd(text, i, n);
        if (q < 0) break;
        i = q;
        this.inString = false;
        if (this.keyParts) {
          this.keyParts.push(text.slice(this.keyFrom, i));
          const key = this.keyParts.join("");
          this.keyParts = null;
          this.expect = Expect.Colon;
          try {
            this.lastKey = JSON.parse(`"${key}"`) as string;
          } catch {
            out.push(this.fatal("a top-level member name is not a valid JSON string", i));
            this.top = Top.Failed;
          }
        } else if (this.capture && this.capture.scalar) {
          this.finish(text, i + 1, out);
        }
        continue;
      }
      const c = text.charCodeAt(i);
      if (this.capture !== null && !this.capture.scalar) {
        // Inside a record only strings and nesting matter; JSON.parse judges the rest.
        if (c === QUOTE) this.inString = true;
        else if (c === LBRACE) this.closers.push(RBRACE);
        else if (c === LBRACKET) this.closers.push(RBRACKET);
        else if ((c === RBRACE || c === RBRACKET) && !this.step(c, text, i, out)) this.top = Top.Failed;
        continue;
      }
      if (this.capture && this.capture.scalar && (isSpace(c) || c === COMMA || c === RBRACE || c === RBRACKET)) {
        this.finish(text, i, out);
        if (this.failed()) break;
      }
      if (isSpace(c)) continue;
      if (!this.step(c, text, i, out)) this.top = Top.Failed;
    }
    this.offset += n;
    this.carry(text, n);
    return out;
  }

  /**
   * Index of the quote that closes the string being read from `i`, or -1 when the chunk ends
   * inside it (whether it ends inside an escape is carried to the next chunk).
   */
  private stringEnd(text: string, i: number, n: number): number {
    if (this.escaped) {
      this.escaped = false;
      i++;
    }
    for (;;) {
      const q = text.indexOf('"', i);
      const end = q < 0 ? n : q;
      let run = 0;
      for (let k = end - 1; k >= i && text.charCodeAt(k) === BACKSLASH; k--) run++;
      if (q < 0) {
        this.escaped = (run & 1) === 1;
        return -1;
      }
      if ((run & 1) === 0) return q;
      i = q + 1;
    }
  }

  private failed(): boolean {
    return this.top === Top.Failed;
  }

  /** Call after the last chunk: reports a document that stopped in the middle. */
  end(): JsonFeedEvent[] {
    const out: JsonFeedEvent[] = [];
    if (this.capture && this.capture.scalar && !this.inString && this.top !== Top.Failed) this.finish("", 0, out);
    if (this.top === Top.Failed) return out;
    if (this.top === Top.Done) {
      if (!this.sawRecordArray) out.push(this.fatal('the object has no "value" array of records', 0));
      return out;
    }
    const reason = this.top === Top.Start ? "empty document" : this.inString ? "unterminated string at end of document" : "document ends before its closing bracket";
    out.push(this.fatal(reason, 0));
    this.top = Top.Failed;
    return out;
  }

  /** Handles one structural character outside strings; false when the document is broken. */
  private step(c: number, text: string, i: number, out: JsonFeedEvent[]): boolean {
    const depth = this.closers.length;
    if (this.top === Top.Start) {
      if (c === LBRACKET) {
        this.top = Top.Array;
        this.closers.push(RBRACKET);
        this.enterRecordArray();
        return true;
      }
      if (c === LBRACE) {
        this.top = Top.Object;
        this.closers.push(RBRACE);
        this.expect = Expect.Key;
        return true;
      }
      out.push(this.fatal("document is neither a JSON object nor an array", i));
      return false;
    }
    if (this.top === Top.Done) {
      out.push(this.fatal("text after the end of the document", i));
      return false;
    }
    if (this.capture) {
      // Inside a record or meta value: only nesting matters; JSON.parse judges the rest.
      if (c === QUOTE) this.inString = true;
      else if (c === LBRACE) this.closers.push(RBRACE);
      else if (c === LBRACKET) this.closers.push(RBRACKET);
      else if (c === RBRACE || c === RBRACKET) {
        if (this.closers.pop() !== c) {
          out.push(this.fatal(`mismatched '${String.fromCharCode(c)}'`, i));
          return false;
        }
        if (this.closers.length === this.capture.depth) this.finish(text, i + 1, out);
      }
      return true;
    }
    if (depth === this.recordDepth) return this.stepRecordArray(c, i, out);
    if (depth === 1 && this.top === Top.Object) return this.stepTopObject(c, i, out);
    out.push(this.fatal(`unexpected '${String.fromCharCode(c)}'`, i));
    return false;
  }

  private stepRecordArray(c: number, i: number, out: JsonFeedEvent[]): boolean {
    if (c === RBRACKET) {
      if (this.arrayExpect === Expect.Value && !this.arrayEmpty) {
        out.push(this.fatal("',' before ']'", i));
        return false;
      }
      this.closers.pop();
      this.recordDepth = -1;
      if (this.closers.length === 0) this.top = Top.Done;
      else this.expect = Expect.CommaOrEnd;
      return true;
    }
    if (c === COMMA) {
      if (this.arrayExpect !== Expect.CommaOrEnd) {
        out.push(this.fatal("unexpected ','", i));
        return false;
      }
      this.arrayExpect = Expect.Value;
      return true;
    }
    if (c === RBRACE) {
      out.push(this.fatal("mismatched '}'", i));
      return false;
    }
    const missingComma = this.arrayExpect === Expect.CommaOrEnd;
    this.arrayEmpty = false;
    this.arrayExpect = Expect.CommaOrEnd;
    this.begin("record", "", i, c);
    if (missingComma && this.capture) this.capture.problem = "missing ',' before this record";
    return true;
  }

  private stepTopObject(c: number, i: number, out: JsonFeedEvent[]): boolean {
    switch (this.expect) {
      case Expect.Key:
        if (c === QUOTE) {
          this.inString = true;
          this.keyParts = [];
          this.keyFrom = i + 1;
          return true;
        }
        if (c === RBRACE && this.lastKey === "") return this.closeTop();
        break;
      case Expect.Colon:
        if (c === COLON) {
          this.expect = Expect.Value;
          return true;
        }
        break;
      case Expect.Value:
        this.expect = Expect.CommaOrEnd;
        if (this.lastKey === "value" && c === LBRACKET) {
          this.closers.push(RBRACKET);
          this.enterRecordArray();
        } else {
          this.begin("meta", this.lastKey, i, c);
        }
        return true;
      case Expect.CommaOrEnd:
        if (c === COMMA) {
          this.expect = Expect.Key;
          return true;
        }
        if (c === RBRACE) return this.closeTop();
        break;
    }
    out.push(this.fatal(`unexpected '${String.fromCharCode(c)}' in the top-level object`, i));
    return false;
  }

  private closeTop(): boolean {
    this.closers.pop();
    this.top = Top.Done;
    return true;
  }

  private enterRecordArray(): void {
    this.sawRecordArray = true;
    this.recordDepth = this.closers.length;
    this.arrayExpect = Expect.Value;
    this.arrayEmpty = true;
  }

  private begin(kind: "record" | "meta", key: string, i: number, c: number): void {
    const depth = this.closers.length;
    const scalar = c !== LBRACE && c !== LBRACKET;
    this.capture = { kind, key, parts: [], size: 0, from: i, depth, scalar, problem: null };
    if (c === QUOTE) this.inString = true;
    else if (c === LBRACE) this.closers.push(RBRACE);
    else if (c === LBRACKET) this.closers.push(RBRACKET);
  }

  /** Copies the captured text of this chunk aside before the next chunk arrives. */
  private carry(text: string, end: number): void {
    const cap = this.capture;
    if (cap) {
      if (cap.problem === null || cap.size < EXCERPT_CHARS) cap.parts.push(text.slice(cap.from, end));
      cap.size += end - cap.from;
      cap.from = 0;
      if (cap.size > MAX_RECORD_CHARS && cap.problem === null) {
        cap.problem = `record larger than ${MAX_RECORD_CHARS} characters`;
      }
    }
    if (this.keyParts) {
      this.keyParts.push(text.slice(this.keyFrom, end));
      this.keyFrom = 0;
    }
  }

  private finish(text: string, end: number, out: JsonFeedEvent[]): void {
    this.carry(text, end);
    const cap = this.capture as Capture;
    this.capture = null;
    const raw = cap.parts.join("");
    if (cap.kind === "meta") {
      try {
        this.meta[cap.key] = JSON.parse(raw);
      } catch {
        // A broken @odata.nextLink would silently end paging: the document is not usable.
        out.push(this.fatal(`top-level member ${JSON.stringify(cap.key)} is not valid JSON`, end));
        this.top = Top.Failed;
      }
      return;
    }
    const index = this.index++;
    const excerpt = raw.slice(0, EXCERPT_CHARS);
    if (cap.problem !== null) {
      out.push({ type: "reject", index, reason: `broken JSON: ${cap.problem}`, excerpt });
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (err) {
      out.push({ type: "reject", index, reason: `broken JSON: ${(err as Error).message}`, excerpt });
      return;
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      out.push({ type: "reject", index, reason: "record is not a JSON object", excerpt });
      return;
    }
    out.push({ type: "record", index, value: value as Record<string, unknown> });
  }

  private fatal(reason: string, i: number): JsonFeedEvent {
    return { type: "fatal", index: this.index, offset: this.offset + i, reason: `broken JSON: ${reason}` };
  }
}
