// Parking an idle device (simulator/host/snapshot.ts): exportGlobals adds an export per mutable
// global and leaves the rest of the module as it was (read back by binaryen, an independent wasm
// reader); a lockbox parked between events behaves exactly like one that never was — same events,
// same flash, same memory — through PIN errors, an entry timeout pending across a park, and a
// battery swap; its memory and flash shrink while parked.
import { describe, it, expect } from "vitest";
import binaryen from "binaryen";
import { exportGlobals, MemoryImage, GLOBAL_EXPORT_PREFIX, CHUNK } from "../../simulator/host/snapshot.ts";
import { SimAssociation } from "../../simulator/world/association.ts";
import { SimLockbox } from "../../simulator/world/lockbox.ts";
import type { DeviceEvent } from "../../simulator/host/host.ts";
import { Rng } from "../support/rng.ts";

/** A module with an imported global, two mutable and one immutable global, and (optionally) an exported function. */
function sample(withExport: boolean): Uint8Array {
  const m = new binaryen.Module();
  m.addGlobalImport("g0", "env", "g", binaryen.i32, false);
  m.addGlobal("a", binaryen.i32, true, m.i32.const(7));
  m.addGlobal("b", binaryen.i32, false, m.i32.const(8));
  m.addGlobal("c", binaryen.i64, true, m.i64.const(9n));
  m.addFunction("bump", binaryen.none, binaryen.i32, [], m.block(null, [
    m.global.set("a", m.i32.add(m.global.get("a", binaryen.i32), m.global.get("g0", binaryen.i32))),
    m.global.get("a", binaryen.i32),
  ], binaryen.i32));
  if (withExport) m.addFunctionExport("bump", "bump");
  const out = m.emitBinary();
  m.dispose();
  return out;
}

function exportsOf(wasm: Uint8Array): string[] {
  const m = binaryen.readBinary(wasm);
  const names = Array.from({ length: m.getNumExports() }, (_, i) => binaryen.getExportInfo(m.getExportByIndex(i))).map((e) => `${e.name}:${e.kind}:${e.value}`);
  m.dispose();
  return names;
}

describe("exportGlobals", () => {
  for (const withExport of [true, false]) {
    it(`exports the module's own mutable globals (${withExport ? "beside an export section" : "no export section before"}), nothing else changes`, () => {
      const original = sample(withExport);
      const out = exportGlobals(original);
      // Global index space: 0 is the import, 1 = a (mutable), 2 = b (immutable), 3 = c (mutable).
      const added = [`${GLOBAL_EXPORT_PREFIX}1`, `${GLOBAL_EXPORT_PREFIX}3`];
      const names = exportsOf(out).map((e) => e.split(":")[0]);
      expect(names).toEqual([...(withExport ? ["bump"] : []), ...added]);
      const inst = new WebAssembly.Instance(new WebAssembly.Module(out), { env: { g: 5 } });
      const a = inst.exports[added[0]] as WebAssembly.Global;
      expect(a.value).toBe(7);
      expect((inst.exports[added[1]] as WebAssembly.Global).value).toBe(9n);
      if (withExport) {
        expect((inst.exports.bump as () => number)()).toBe(12);
        a.value = 100;
        expect((inst.exports.bump as () => number)()).toBe(105);
      }
      // Same functions and globals: binaryen prints both modules' code identically.
      const text = (w: Uint8Array) => {
        const m = binaryen.readBinary(w);
        const t = m.emitText().split("\n").filter((l) => !l.includes("(export ")).join("\n");
        m.dispose();
        return t;
      };
      expect(text(out)).toBe(text(original));
    });
  }

  it("refuses what is not a wasm binary", () => {
    expect(() => exportGlobals(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8))).toThrow(/not a wasm binary/);
  });
});

describe("MemoryImage", () => {
  it("restores exactly and keeps only the differing chunks", () => {
    const rng = new Rng(9);
    const reference = rng.bytes(64 * CHUNK);
    const memory = reference.slice();
    for (const at of [0, 5 * CHUNK + 3, 63 * CHUNK + CHUNK - 1]) memory[at] ^= 0x5a;
    const image = MemoryImage.capture(memory, reference);
    expect(Array.from(image.chunks)).toEqual([0, 5, 63]);
    const into = rng.bytes(memory.length);
    image.restore(into);
    expect(into).toEqual(memory);
  });
});

const T0 = Date.UTC(2026, 2, 2, 15) / 1000;

/** The same day on a lockbox, parked after every step when `park` is set; returns what can be compared. */
function day(park: boolean) {
  const assoc = new SimAssociation(257, 5);
  const alice = assoc.issue("Alice", 1001, "1234", T0 + 30 * 86400);
  const bob = assoc.issue("Bob", 1002, "5678", T0 + 30 * 86400);
  const box = new SimLockbox(assoc, { lockboxId: 5001, utc: T0 });
  const events: DeviceEvent[] = [];
  const step = (fn: () => void) => {
    fn();
    events.push(...box.host.drainEvents());
    if (park) {
      const held = box.heldBytes();
      box.park();
      expect(box.host.parked).toBe(true);
      expect(box.heldBytes()).toBeLessThan(held);
    }
  };
  for (let i = 0; i < 6; i++) {
    const who = i % 2 ? bob : alice;
    step(() => box.insert(who));
    step(() => box.type(i === 2 ? "9999E" : `${who.pin}E`));
    step(() => box.remove());
    step(() => box.host.advance(20 * 60_000));
  }
  // A half-typed entry: the firmware's 30 s entry timeout is pending while parked.
  step(() => box.insert(alice));
  step(() => box.type("12"));
  step(() => box.host.advance(45_000));
  step(() => box.type("34E"));
  step(() => box.remove());
  // Battery swap: RAM and clock lost; the box boots again.
  step(() => {
    box.host.rtc.loseBattery(box.host.micros);
    box.host.boot();
  });
  step(() => box.insert(bob));
  step(() => box.type("5678E"));
  step(() => box.remove());
  return {
    events: JSON.stringify(events, (_k, v) => (v instanceof Uint8Array ? Array.from(v) : v)),
    flash: Buffer.from(box.host.flash.bytes).toString("hex"),
    memory: box.host.memoryHighWater(),
    log: box.auditLog().map((r) => `${r.record.sequence}:${r.record.eventType}:${r.record.reason}:${r.macValid}`),
  };
}

describe("a parked lockbox", () => {
  it("behaves exactly like one that never was parked", () => {
    const plain = day(false);
    const parked = day(true);
    // Six visits (one a wrong PIN), the entry finished after the timeout, one visit after the swap.
    expect(plain.log).toHaveLength(8);
    expect(plain.log.filter((l) => l.includes(":1:0:"))).toHaveLength(6);
    expect(plain.log[2]).toMatch(/^3:2:/);
    expect(parked.events).toBe(plain.events);
    expect(parked.flash).toBe(plain.flash);
    expect(parked.memory).toBe(plain.memory);
    expect(parked.log).toEqual(plain.log);
  });
});
