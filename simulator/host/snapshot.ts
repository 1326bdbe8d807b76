/**
 * Parking an idle device (docs/ARCHITECTURE.md §3, fleets): a firmware instance's whole state is
 * its linear memory and its mutable globals (the lockbox and reader firmware have no tables they
 * change and no passive data segments), so a host can capture both, drop the instance, and later
 * put them into a fresh instance of the same module and carry on exactly where it was.
 *
 * The firmware does not export its globals, so `exportGlobals` adds an export for each mutable
 * global to the module's binary before it is compiled (WebAssembly core spec §5.5.10 export
 * section); the code is untouched. `MemoryImage` keeps a parked memory as the 64-byte chunks that
 * differ from a reference image (the first memory parked for the module), which is a few KiB for a
 * lockbox instead of its 64 KiB page.
 */

/** Prefix of the exports `exportGlobals` adds: `${prefix}${global index}`. */
export const GLOBAL_EXPORT_PREFIX = "__sim_global_";

const SECTION_IMPORT = 2;
const SECTION_GLOBAL = 6;
const SECTION_EXPORT = 7;
const KIND_GLOBAL = 3;

class Reader {
  at: number;
  constructor(readonly b: Uint8Array, at = 0) {
    this.at = at;
  }
  byte(): number {
    if (this.at >= this.b.length) throw new Error("wasm binary: unexpected end");
    return this.b[this.at++];
  }
  /** Unsigned LEB128 (spec §5.2.2), up to 32 bits. */
  u32(): number {
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
    }
    throw new Error("wasm binary: LEB128 too long");
  }
  /** Signed LEB128, skipped (only its length matters here). */
  skipSigned(): void {
    while (this.byte() & 0x80);
  }
  skip(n: number): void {
    this.at += n;
    if (this.at > this.b.length) throw new Error("wasm binary: unexpected end");
  }
  name(): string {
    const n = this.u32();
    const s = new TextDecoder().decode(this.b.subarray(this.at, this.at + n));
    this.skip(n);
    return s;
  }
  limits(): void {
    const flags = this.byte();
    this.u32();
    if (flags & 1) this.u32();
  }
  /** A constant expression (spec §3.3.10): one constant instruction, then `end`. */
  constExpr(): void {
    for (;;) {
      const op = this.byte();
      if (op === 0x0b) return;
      if (op === 0x41 || op === 0x42) this.skipSigned();
      else if (op === 0x43) this.skip(4);
      else if (op === 0x44) this.skip(8);
      else if (op === 0x23 || op === 0xd2) this.u32();
      else if (op === 0xd0) this.byte();
      else if (op === 0xfd) {
        this.u32();
        this.skip(16);
      } else throw new Error(`wasm binary: unsupported instruction 0x${op.toString(16)} in a constant expression`);
    }
  }
}

function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return out;
}

function nameBytes(s: string): number[] {
  const b = new TextEncoder().encode(s);
  return [...leb(b.length), ...b];
}

interface Section {
  id: number;
  start: number;
  end: number;
  payload: number;
}

function sections(wasm: Uint8Array): Section[] {
  if (wasm.length < 8 || wasm[0] !== 0 || wasm[1] !== 0x61 || wasm[2] !== 0x73 || wasm[3] !== 0x6d) throw new Error("not a wasm binary");
  const r = new Reader(wasm, 8);
  const out: Section[] = [];
  while (r.at < wasm.length) {
    const start = r.at;
    const id = r.byte();
    const size = r.u32();
    const payload = r.at;
    r.skip(size);
    out.push({ id, start, end: r.at, payload });
  }
  return out;
}

/** Indexes (in the global index space) of the module's own mutable globals. */
function mutableGlobals(wasm: Uint8Array, list: Section[]): number[] {
  let imported = 0;
  const imp = list.find((s) => s.id === SECTION_IMPORT);
  if (imp) {
    const r = new Reader(wasm, imp.payload);
    for (let n = r.u32(); n > 0; n--) {
      r.name();
      r.name();
      const kind = r.byte();
      if (kind === 0) r.u32();
      else if (kind === 1) {
        r.byte();
        r.limits();
      } else if (kind === 2) r.limits();
      else if (kind === KIND_GLOBAL) {
        r.byte();
        r.byte();
        imported++;
      } else throw new Error(`wasm binary: unknown import kind ${kind}`);
    }
  }
  const out: number[] = [];
  const glob = list.find((s) => s.id === SECTION_GLOBAL);
  if (glob) {
    const r = new Reader(wasm, glob.payload);
    const count = r.u32();
    for (let i = 0; i < count; i++) {
      r.byte();
      const mutable = r.byte() === 1;
      r.constExpr();
      if (mutable) out.push(imported + i);
    }
  }
  return out;
}

/**
 * The module binary with an export `${GLOBAL_EXPORT_PREFIX}<index>` added for every mutable global
 * it defines (imported globals belong to the host already); everything else is byte-identical.
 */
export function exportGlobals(wasm: Uint8Array): Uint8Array<ArrayBuffer> {
  const list = sections(wasm);
  const globals = mutableGlobals(wasm, list);
  const added = globals.flatMap((g) => [...nameBytes(`${GLOBAL_EXPORT_PREFIX}${g}`), KIND_GLOBAL, ...leb(g)]);
  const exp = list.find((s) => s.id === SECTION_EXPORT);
  let entries: Uint8Array;
  let count: number;
  let insertAt: number;
  let removeEnd: number;
  if (exp) {
    const r = new Reader(wasm, exp.payload);
    count = r.u32();
    entries = wasm.subarray(r.at, exp.end);
    insertAt = exp.start;
    removeEnd = exp.end;
  } else {
    count = 0;
    entries = new Uint8Array(0);
    // Sections appear in id order (custom sections, id 0, anywhere): the export section goes before the first later one.
    const after = list.find((s) => s.id > SECTION_EXPORT);
    insertAt = after ? after.start : wasm.length;
    removeEnd = insertAt;
  }
  const payload = [...leb(count + globals.length), ...entries, ...added];
  const section = Uint8Array.from([SECTION_EXPORT, ...leb(payload.length), ...payload]);
  const out = new Uint8Array(insertAt + section.length + (wasm.length - removeEnd));
  out.set(wasm.subarray(0, insertAt));
  out.set(section, insertAt);
  out.set(wasm.subarray(removeEnd), insertAt + section.length);
  return out;
}

/** Bytes per chunk a MemoryImage compares and stores. */
export const CHUNK = 64;

/**
 * A parked linear memory: the chunks that differ from a reference image of the same size, as
 * their indexes and their bytes. `restore` writes the reference and then the chunks.
 */
export class MemoryImage {
  private constructor(
    readonly reference: Uint8Array,
    readonly chunks: Uint16Array,
    readonly data: Uint8Array,
  ) {}

  /** Captures `memory` against `reference` (same length, a multiple of CHUNK). */
  static capture(memory: Uint8Array, reference: Uint8Array): MemoryImage {
    if (memory.length !== reference.length || memory.length % CHUNK !== 0 || memory.length / CHUNK > 0x10000) throw new Error("memory image: sizes differ or are not whole chunks");
    const words = CHUNK / 4;
    const a = new Uint32Array(memory.buffer, memory.byteOffset, memory.length / 4);
    const b = new Uint32Array(reference.buffer, reference.byteOffset, reference.length / 4);
    const differing: number[] = [];
    for (let c = 0, w = 0; w < a.length; c++) {
      const end = w + words;
      for (; w < end; w++) {
        if (a[w] !== b[w]) {
          differing.push(c);
          w = end;
          break;
        }
      }
    }
    const data = new Uint8Array(differing.length * CHUNK);
    differing.forEach((c, i) => data.set(memory.subarray(c * CHUNK, (c + 1) * CHUNK), i * CHUNK));
    return new MemoryImage(reference, Uint16Array.from(differing), data);
  }

  /** Writes the captured memory into `memory`. */
  restore(memory: Uint8Array): void {
    memory.set(this.reference);
    this.chunks.forEach((c, i) => memory.set(this.data.subarray(i * CHUNK, (i + 1) * CHUNK), c * CHUNK));
  }

  /** Bytes this image holds of its own (the reference is shared). */
  get bytes(): number {
    return this.data.byteLength + this.chunks.byteLength;
  }
}
