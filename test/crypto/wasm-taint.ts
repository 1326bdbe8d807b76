/**
 * A data-flow check of compiled WebAssembly for constant-time code: starting from exported root
 * functions, every value produced by a memory load is "data" (key, plaintext, state), and data
 * propagates through locals, globals, arithmetic, call arguments and return values. A violation
 * is a load or store whose address depends on data (a table lookup indexed by a secret), a
 * memory.copy/fill with data-dependent bounds, or a branch / select whose condition depends on
 * data. Flow-sensitive over locals (a local overwritten with a non-data value is clean again),
 * loops iterated to a fixed point, interprocedural over the call graph below the roots.
 *
 * Uses binaryen (shipped with AssemblyScript) only to read the binary into an expression tree.
 */
import binaryen from "binaryen";

export interface TaintReport {
  violations: string[];
  /** Distinct load instructions in the analysed functions (so a test can tell the analysis looked at real code). */
  loads: number;
  functions: number;
}

interface Summary {
  params: boolean[];
  returns: boolean;
}

type Info = Record<string, unknown> & { id: number };

export function analyseWasm(bytes: Uint8Array, roots: string[]): TaintReport {
  const mod = binaryen.readBinary(bytes);
  try {
    return analyseModule(mod, roots);
  } finally {
    mod.dispose();
  }
}

function analyseModule(mod: binaryen.Module, roots: string[]): TaintReport {
  const exportsByName = new Map<string, string>();
  for (let i = 0; i < mod.getNumExports(); i++) {
    const e = binaryen.getExportInfo(mod.getExportByIndex(i));
    if (e.kind === binaryen.ExternalFunction) exportsByName.set(e.name, e.value);
  }
  const summaries = new Map<string, Summary>();
  const taintedGlobals = new Set<string>();
  const rootFns = roots.map((r) => {
    const f = exportsByName.get(r);
    if (f === undefined) throw new Error(`export ${r} not found`);
    return f;
  });
  const summaryOf = (name: string): Summary => {
    let s = summaries.get(name);
    if (!s) {
      const info = binaryen.getFunctionInfo(mod.getFunction(name));
      s = { params: binaryen.expandType(info.params).map(() => false), returns: false };
      summaries.set(name, s);
    }
    return s;
  };
  for (const r of rootFns) summaryOf(r);

  let violations: string[] = [];
  const loads = new Set<number>();
  for (let round = 0; round < 50; round++) {
    violations = [];
    const before = JSON.stringify([...summaries.entries()]) + [...taintedGlobals].join();
    for (const name of [...summaries.keys()]) {
      const info = binaryen.getFunctionInfo(mod.getFunction(name));
      const state = new Set<number>();
      summaryOf(name).params.forEach((t, i) => { if (t) state.add(i); });
      const ctx = { fn: name, breaks: new Map<string, Set<number>[]>() };

      const union = (into: Set<number>, from: Set<number>): void => { for (const x of from) into.add(x); };
      const violation = (what: string): void => { violations.push(`function ${name}: ${what}`); };

      const ev = (e: number, s: Set<number>): boolean => {
        if (!e) return false;
        const x = binaryen.getExpressionInfo(e) as unknown as Info;
        const num = (k: string): number => x[k] as number;
        switch (x.id) {
          case binaryen.BlockId: {
            let t = false;
            for (const child of x.children as number[]) t = ev(child, s);
            const label = x.name as string | null;
            if (label && ctx.breaks.has(label)) {
              for (const b of ctx.breaks.get(label)!) union(s, b);
              ctx.breaks.delete(label);
            }
            return t;
          }
          case binaryen.LoopId: {
            const label = x.name as string;
            const entry = new Set(s);
            for (;;) {
              ctx.breaks.set(label, []);
              const body = new Set(entry);
              const t = ev(num("body"), body);
              const next = new Set(entry);
              for (const b of ctx.breaks.get(label)!) union(next, b);
              ctx.breaks.delete(label);
              if (next.size === entry.size) {
                s.clear();
                union(s, body);
                return t;
              }
              union(entry, next);
            }
          }
          case binaryen.IfId: {
            if (ev(num("condition"), s)) violation("if on data");
            const a = new Set(s), b = new Set(s);
            const ta = ev(num("ifTrue"), a);
            const tb = ev(num("ifFalse"), b);
            s.clear(); union(s, a); union(s, b);
            return ta || tb;
          }
          case binaryen.BreakId: {
            const tv = ev(num("value"), s);
            if (ev(num("condition"), s)) violation("br_if on data");
            const label = x.name as string;
            if (!ctx.breaks.has(label)) ctx.breaks.set(label, []);
            ctx.breaks.get(label)!.push(new Set(s));
            return tv;
          }
          case binaryen.SwitchId: {
            ev(num("value"), s);
            if (ev(num("condition"), s)) violation("br_table on data");
            for (const label of [...(x.names as string[]), x.defaultName as string]) {
              if (!ctx.breaks.has(label)) ctx.breaks.set(label, []);
              ctx.breaks.get(label)!.push(new Set(s));
            }
            return false;
          }
          case binaryen.CallId: {
            const callee = summaryOf(x.target as string);
            (x.operands as number[]).forEach((op, i) => { if (ev(op, s)) callee.params[i] = true; });
            return callee.returns;
          }
          case binaryen.CallIndirectId:
            violation("indirect call (target not analysable)");
            return true;
          case binaryen.LocalGetId:
            return s.has(num("index"));
          case binaryen.LocalSetId: {
            const t = ev(num("value"), s);
            if (t) s.add(num("index")); else s.delete(num("index"));
            return t;
          }
          case binaryen.GlobalGetId:
            return taintedGlobals.has(x.name as string);
          case binaryen.GlobalSetId:
            if (ev(num("value"), s)) taintedGlobals.add(x.name as string);
            return false;
          case binaryen.LoadId:
          case binaryen.SIMDLoadId:
            loads.add(e);
            if (ev(num("ptr"), s)) violation("load address depends on data");
            return true;
          case binaryen.StoreId: {
            if (ev(num("ptr"), s)) violation("store address depends on data");
            ev(num("value"), s);
            return false;
          }
          case binaryen.SIMDLoadStoreLaneId: {
            loads.add(e);
            if (ev(num("ptr"), s)) violation("lane load/store address depends on data");
            ev(num("vec"), s);
            return true;
          }
          case binaryen.MemoryCopyId:
            if (ev(num("dest"), s) || ev(num("source"), s) || ev(num("size"), s)) violation("memory.copy bounds depend on data");
            return false;
          case binaryen.MemoryFillId: {
            const d = ev(num("dest"), s);
            ev(num("value"), s);
            if (d || ev(num("size"), s)) violation("memory.fill bounds depend on data");
            return false;
          }
          case binaryen.SelectId: {
            const t = ev(num("ifTrue"), s) || ev(num("ifFalse"), s);
            if (ev(num("condition"), s)) violation("select on data");
            return t;
          }
          case binaryen.ReturnId: {
            if (ev(num("value"), s)) summaryOf(name).returns = true;
            return false;
          }
          case binaryen.DropId:
            ev(num("value"), s);
            return false;
          case binaryen.UnaryId:
            return ev(num("value"), s);
          case binaryen.BinaryId: {
            const l = ev(num("left"), s);
            return ev(num("right"), s) || l;
          }
          case binaryen.SIMDExtractId:
            return ev(num("vec"), s);
          case binaryen.SIMDReplaceId: {
            const v = ev(num("vec"), s);
            return ev(num("value"), s) || v;
          }
          case binaryen.SIMDShuffleId: {
            const l = ev(num("left"), s);
            return ev(num("right"), s) || l;
          }
          case binaryen.SIMDTernaryId: {
            const a = ev(num("a"), s), b = ev(num("b"), s);
            return ev(num("c"), s) || a || b;
          }
          case binaryen.SIMDShiftId: {
            const v = ev(num("vec"), s);
            return ev(num("shift"), s) || v;
          }
          case binaryen.ConstId:
          case binaryen.NopId:
          case binaryen.UnreachableId:
          case binaryen.MemorySizeId:
            return false;
          default:
            throw new Error(`wasm-taint: expression kind ${x.id} not handled (function ${name})`);
        }
      };
      if (ev(info.body, state)) summaryOf(name).returns = true;
    }
    const after = JSON.stringify([...summaries.entries()]) + [...taintedGlobals].join();
    if (after === before) return { violations: [...new Set(violations)], loads: loads.size, functions: summaries.size };
  }
  throw new Error("wasm-taint: no fixed point after 50 rounds");
}
