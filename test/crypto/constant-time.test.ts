// Constant time (issue 3, docs/ARCHITECTURE.md §5): the compiled AES core of both builds has no load or store
// whose address depends on key or data, and no branch or select on them (test/crypto/wasm-taint.ts);
// the modules hold no S-box table; and the checker itself catches table lookups and data branches.
import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import binaryen from "binaryen";
import { wasmPath } from "../../simulator/crypto/wasm.ts";
import { analyseWasm } from "./wasm-taint.ts";
import { BUILDS } from "./builds.ts";

/** The exported wrappers around the AES core (firmware/crypto/exports.ts) and the other CT helpers. */
const AES_ROOTS = ["coreExpandKey", "coreEncrypt32", "coreDecrypt32", "coreEncrypt128", "coreDecrypt128", "coreEncryptVperm"];
const HELPER_ROOTS = ["truncate", "ctEqual"];

/** The first bytes of the AES S-box and inverse S-box (FIPS 197 Fig. 7, Fig. 14), in table order. */
const SBOX_PREFIX = Buffer.from("637c777bf26b6fc53001672bfed7ab76", "hex");
const INV_SBOX_PREFIX = Buffer.from("52096ad53036a538bf40a39e81f3d7fb", "hex");

for (const build of BUILDS) {
  describe(`${build} build`, () => {
    const bytes = readFileSync(wasmPath(build));

    for (const root of AES_ROOTS) {
      it(`${root}: no data-dependent address, branch or select`, () => {
        const report = analyseWasm(bytes, [root]);
        expect(report.violations).toEqual([]);
        const simdOnly = root.endsWith("128") || root.endsWith("Vperm");
        if (build === "scalar" && simdOnly) expect(report.loads).toBe(0);
        else expect(report.loads).toBeGreaterThanOrEqual(root.endsWith("Vperm") ? 2 : 20);
      });
    }

    it("dynamic truncation and constant-time comparison: no data-dependent address or branch", () => {
      for (const root of HELPER_ROOTS) expect(analyseWasm(bytes, [root]).violations, root).toEqual([]);
    });

    it("contains no S-box or inverse S-box table", () => {
      expect(bytes.indexOf(SBOX_PREFIX)).toBe(-1);
      expect(bytes.indexOf(INV_SBOX_PREFIX)).toBe(-1);
    });
  });
}

/** A one-function module `f(i32) -> i32` built with binaryen, to check the checker. */
function moduleWith(build: (m: binaryen.Module) => number, vars: number[] = []): Uint8Array {
  const m = new binaryen.Module();
  m.setMemory(1, 1);
  m.addFunction("f", binaryen.createType([binaryen.i32]), binaryen.i32, vars, build(m));
  m.addFunctionExport("f", "f");
  const out = m.emitBinary();
  m.dispose();
  return out;
}

describe("the checker itself", () => {
  it("flags a T-table style lookup: load(table + load(p))", () => {
    const bytes = moduleWith((m) => m.i32.load8_u(1024, 1, m.i32.load8_u(0, 1, m.local.get(0, binaryen.i32))));
    expect(analyseWasm(bytes, ["f"]).violations.join()).toContain("load address depends on data");
  });

  it("flags an index that went through a local, arithmetic and a helper function's return", () => {
    const bytes = moduleWith((m) => m.block(null, [
      m.local.set(1, m.i32.and(m.i32.load(0, 4, m.local.get(0, binaryen.i32)), m.i32.const(255))),
      m.return(m.i32.load(0, 4, m.i32.add(m.i32.const(4096), m.i32.shl(m.local.get(1, binaryen.i32), m.i32.const(2))))),
    ], binaryen.i32), [binaryen.i32]);
    expect(analyseWasm(bytes, ["f"]).violations.join()).toContain("load address depends on data");
  });

  it("flags a branch on data", () => {
    const bytes = moduleWith((m) => m.if(m.i32.load(0, 4, m.local.get(0, binaryen.i32)), m.i32.const(1), m.i32.const(2)));
    expect(analyseWasm(bytes, ["f"]).violations.join()).toContain("if on data");
  });

  it("accepts loads at counter-indexed addresses whose values are only combined arithmetically", () => {
    const bytes = moduleWith((m) => m.block(null, [
      m.local.set(1, m.i32.const(0)),
      m.local.set(2, m.i32.const(0)),
      m.loop("next", m.block(null, [
        m.local.set(2, m.i32.xor(m.local.get(2, binaryen.i32), m.i32.load(0, 4, m.i32.add(m.local.get(0, binaryen.i32), m.i32.shl(m.local.get(1, binaryen.i32), m.i32.const(2)))))),
        m.local.set(1, m.i32.add(m.local.get(1, binaryen.i32), m.i32.const(1))),
        m.br("next", m.i32.lt_u(m.local.get(1, binaryen.i32), m.i32.const(16))),
      ])),
      m.return(m.local.get(2, binaryen.i32)),
    ], binaryen.i32), [binaryen.i32, binaryen.i32]);
    const report = analyseWasm(bytes, ["f"]);
    expect(report.violations).toEqual([]);
    expect(report.loads).toBe(1);
  });

  it("flags a loop whose counter becomes data on a later iteration", () => {
    const bytes = moduleWith((m) => m.block(null, [
      m.local.set(1, m.i32.const(0)),
      m.loop("next", m.block(null, [
        m.drop(m.i32.load(0, 4, m.local.get(1, binaryen.i32))),
        m.local.set(1, m.i32.load(0, 4, m.local.get(0, binaryen.i32))),
        m.br("next", m.local.get(0, binaryen.i32)),
      ])),
      m.return(m.i32.const(0)),
    ], binaryen.i32), [binaryen.i32]);
    expect(analyseWasm(bytes, ["f"]).violations.join()).toContain("load address depends on data");
  });
});
