// Footprint (issue 3): the whole firmware/crypto API adds under 16 KiB to a scalar firmware .wasm.
// (Per-primitive figures: `npx tsx test/crypto/firmware-size.ts` or the bench's size group.)
import { describe, it, expect } from "vitest";
import { ENTRIES, compiledSize } from "./firmware-size.ts";

describe("firmware size, scalar build", () => {
  it("every primitive together adds less than 16 KiB over an entry without crypto", async () => {
    const names = Object.keys(ENTRIES);
    const base = await compiledSize(names[0], ENTRIES[names[0]]);
    const all = await compiledSize("everything above", ENTRIES["everything above"]);
    expect(base).toBeGreaterThan(0);
    expect(all - base).toBeGreaterThan(4096);
    expect(all - base).toBeLessThan(16384);
  });

  it("Ed25519 verification with its SHA-512 adds less than 8 KiB (issue 16)", async () => {
    const names = Object.keys(ENTRIES);
    const base = await compiledSize(names[0], ENTRIES[names[0]]);
    const name = "Ed25519 verify with SHA-512 (issue 16)";
    const ed = await compiledSize(name, ENTRIES[name]);
    expect(ed - base).toBeGreaterThan(2048);
    expect(ed - base).toBeLessThan(8192);
  });
});
