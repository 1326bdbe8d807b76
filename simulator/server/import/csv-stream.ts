/**
 * Streaming CSV reader for older vendor feeds (docs/ARCHITECTURE.md §2, Import: "older feeds are CSV with a
 * header row"). RFC 4180: comma-separated (or another one-character delimiter), fields optionally
 * in double quotes, `""` for a quote inside quotes, quoted fields may span lines, CRLF or LF.
 * Text arrives in chunks; rows come out as soon as they end. A row with broken quoting is rejected
 * on its own and reading resumes at the next line.
 */

/** A data row (as header name → value), a rejected row, or the header itself. */
export type CsvEvent =
  | { type: "header"; names: string[] }
  | { type: "row"; line: number; values: Map<string, string> }
  | { type: "reject"; line: number; reason: string; excerpt: string };

/** Fields longer than this many characters reject their row. */
export const MAX_FIELD_CHARS = 65536;
const EXCERPT_CHARS = 120;

const enum State { FieldStart, Unquoted, Quoted, QuoteInQuoted, SkipLine }

const QUOTE = 0x22, LF = 0x0a, CR = 0x0d;

/** Feed it text with `push` and `end`; each returns the events completed by that text. */
export class CsvScanner {
  private readonly delim: number;
  private state = State.FieldStart;
  private header: string[] | null = null;
  private fields: string[] = [];
  private field = "";
  private fieldLength = 0;
  /** Line number (1-based) of the line being read, and of the first line of the current row. */
  private line = 1;
  private rowLine = 1;
  private afterCr = false;
  private problem: string | null = null;

  constructor(delimiter = ",") {
    if (delimiter.length !== 1 || delimiter === '"' || delimiter === "\n" || delimiter === "\r") {
      throw new Error(`CSV delimiter must be one character other than quote and newline, got ${JSON.stringify(delimiter)}`);
    }
    this.delim = delimiter.charCodeAt(0);
  }

  push(text: string): CsvEvent[] {
    const out: CsvEvent[] = [];
    const n = text.length;
    const delim = this.delim;
    let i = 0;
    while (i < n) {
      if (this.afterCr) {
        this.afterCr = false;
        if (text.charCodeAt(i) === LF) i++;
        continue;
      }
      switch (this.state) {
        case State.FieldStart: {
          const c = text.charCodeAt(i);
          if (c === QUOTE) {
            this.state = State.Quoted;
            i++;
          } else if (c === delim) {
            this.endField("");
            i++;
          } else if (c === LF || c === CR) {
            if (this.fields.length > 0) this.endField("");
            this.endRow(c, out);
            i++;
          } else {
            this.state = State.Unquoted;
          }
          break;
        }
        case State.Unquoted: {
          let j = i;
          let c = 0;
          for (; j < n; j++) {
            c = text.charCodeAt(j);
            if (c === delim || c === LF || c === CR || c === QUOTE) break;
          }
          this.addToField(text.slice(i, j));
          if (j === n) {
            i = n;
          } else if (c === QUOTE) {
            this.fail(`quote inside unquoted field ${this.fields.length + 1}`);
            i = j + 1;
          } else {
            this.endField("");
            if (c === delim) this.state = State.FieldStart;
            else this.endRow(c, out);
            i = j + 1;
          }
          break;
        }
        case State.Quoted: {
          const q = text.indexOf('"', i);
          const end = q < 0 ? n : q;
          for (let k = text.indexOf("\n", i); k >= 0 && k < end; k = text.indexOf("\n", k + 1)) this.line++;
          this.addToField(text.slice(i, end));
          if (q >= 0) this.state = State.QuoteInQuoted;
          i = end + 1;
          break;
        }
        case State.QuoteInQuoted: {
          const c = text.charCodeAt(i);
          if (c === QUOTE) {
            this.addToField('"');
            this.state = State.Quoted;
          } else if (c === delim) {
            this.endField("");
            this.state = State.FieldStart;
          } else if (c === LF || c === CR) {
            this.endField("");
            this.endRow(c, out);
          } else {
            this.fail(`text after the closing quote of field ${this.fields.length + 1}`);
          }
          i++;
          break;
        }
        case State.SkipLine: {
          let j = i;
          while (j < n && text.charCodeAt(j) !== LF && text.charCodeAt(j) !== CR) j++;
          if (j < n) this.endRow(text.charCodeAt(j), out);
          i = j + 1;
          break;
        }
      }
    }
    return out;
  }

  /** Call after the last chunk. */
  end(): CsvEvent[] {
    const out: CsvEvent[] = [];
    if (this.state === State.Quoted) {
      this.problem = `quoted field opened on line ${this.rowLine} is never closed`;
      this.endRow(LF, out);
    } else if (this.state === State.SkipLine) {
      this.endRow(LF, out);
    } else if (this.state !== State.FieldStart || this.fields.length > 0) {
      this.endField("");
      this.endRow(LF, out);
    }
    if (this.header === null) out.push({ type: "reject", line: 1, reason: "broken CSV: no header row", excerpt: "" });
    return out;
  }

  private addToField(s: string): void {
    this.fieldLength += s.length;
    if (this.fieldLength > MAX_FIELD_CHARS) {
      if (this.problem === null) this.problem = `field ${this.fields.length + 1} longer than ${MAX_FIELD_CHARS} characters`;
      return;
    }
    this.field += s;
  }

  /** Ends the current field with `tail`, the part of it not yet added. */
  private endField(tail: string): void {
    this.addToField(tail);
    this.fields.push(this.field);
    this.field = "";
    this.fieldLength = 0;
  }

  /** Rejects the current row for `reason` and skips to the end of its line. */
  private fail(reason: string): void {
    if (this.problem === null) this.problem = reason;
    this.state = State.SkipLine;
  }

  private endRow(c: number, out: CsvEvent[]): void {
    if (c === CR) this.afterCr = true;
    const line = this.rowLine;
    const fields = this.fields;
    const problem = this.problem;
    const excerpt = (this.field === "" ? fields : [...fields, this.field]).join(String.fromCharCode(this.delim)).slice(0, EXCERPT_CHARS);
    this.line++;
    this.rowLine = this.line;
    this.fields = [];
    this.field = "";
    this.fieldLength = 0;
    this.problem = null;
    this.state = State.FieldStart;
    if (problem !== null) {
      out.push({ type: "reject", line, reason: `broken CSV: ${problem}`, excerpt });
      return;
    }
    if (fields.length === 0 || (fields.length === 1 && fields[0] === "")) return;
    if (this.header === null) {
      const names = fields.map((f, k) => (k === 0 ? f.replace(/^\uFEFF/, "") : f).trim());
      this.header = names;
      out.push({ type: "header", names });
      return;
    }
    if (fields.length !== this.header.length) {
      out.push({ type: "reject", line, reason: `broken CSV: row has ${fields.length} fields, header has ${this.header.length}`, excerpt });
      return;
    }
    const values = new Map<string, string>();
    for (let k = 0; k < fields.length; k++) values.set(this.header[k], fields[k]);
    out.push({ type: "row", line, values });
  }
}
