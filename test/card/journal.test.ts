// The card's EEPROM journal (protocol/SPEC.md Card §8.1, §8.2): its CRC-32 is CRC-32/ISO-HDLC
// (checked against the catalogue's check value and the protocol's own crc32), and a commit writes
// exactly the pages that changed, 2n + 2 page writes, whatever the alignment of the images.
import { describe, it, expect } from "vitest";
import { Eeprom } from "../../simulator/card/eeprom.ts";
import { commit, sealHome, homeIntact, recover, PAGE_SIZE, HOME_FIRST_PAGE } from "../../simulator/card/journal.ts";
import { HOME_MAGIC } from "../../simulator/card/layout.ts";
import { crc32 } from "../../protocol/crc.ts";
import { Rng } from "../support/rng.ts";

const HOME_SIZE = 40 * PAGE_SIZE + 23;

function image(rng: Rng): Uint8Array {
  const home = rng.bytes(HOME_SIZE);
  new DataView(home.buffer).setUint32(0, HOME_MAGIC);
  sealHome(home);
  return home;
}

/** `bytes` copied into a larger buffer at `shift`, so its view is not 4-byte aligned when shift is odd. */
function shifted(bytes: Uint8Array, shift: number): Uint8Array {
  const buf = new Uint8Array(bytes.length + shift);
  buf.set(bytes, shift);
  return buf.subarray(shift);
}

describe("card journal", () => {
  it("seals with CRC-32/ISO-HDLC over bytes 8.. (catalogue check value, protocol crc32)", () => {
    const home = new Uint8Array(8 + 9);
    new DataView(home.buffer).setUint32(0, HOME_MAGIC);
    home.set(new TextEncoder().encode("123456789"), 8);
    sealHome(home);
    // CRC RevEng catalogue, CRC-32/ISO-HDLC: check = 0xcbf43926.
    expect(new DataView(home.buffer).getUint32(4)).toBe(0xcbf43926);
    const rng = new Rng(3);
    for (let i = 0; i < 20; i++) {
      const h = image(rng);
      expect(new DataView(h.buffer).getUint32(4)).toBe(crc32(h, 8, h.length - 8));
      expect(homeIntact(h)).toBe(true);
      h[rng.int(8, h.length - 1)] ^= 1;
      expect(homeIntact(h)).toBe(false);
    }
  });

  it("commits exactly the changed pages (2n + 2 writes), aligned or not, and the EEPROM holds the new image", () => {
    const rng = new Rng(11);
    for (let round = 0; round < 60; round++) {
      const old = image(rng);
      const next = old.slice();
      const touched = new Set<number>();
      const edits = rng.int(1, 8);
      for (let k = 0; k < edits; k++) {
        const at = rng.int(8, HOME_SIZE - 1);
        next[at] ^= rng.int(1, 255);
        touched.add(Math.floor(at / PAGE_SIZE));
      }
      touched.add(0); // the header's CRC changes with any edit
      const shift = round % 4;
      const e = new Eeprom(PAGE_SIZE, HOME_FIRST_PAGE + Math.ceil(HOME_SIZE / PAGE_SIZE));
      e.bytes.set(old, HOME_FIRST_PAGE * PAGE_SIZE);
      const current = shifted(old, shift);
      const writes = commit(e, current, shifted(next, (shift + 1) % 4));
      expect(writes).toBe(2 * touched.size + 2);
      sealHome(next);
      expect(current).toEqual(next);
      expect(e.bytes.subarray(HOME_FIRST_PAGE * PAGE_SIZE, HOME_FIRST_PAGE * PAGE_SIZE + HOME_SIZE)).toEqual(next);
      expect(recover(e)).toBe(0); // the commit record was erased: nothing to replay
    }
  });

  it("a commit that changes nothing writes nothing", () => {
    const old = image(new Rng(5));
    const e = new Eeprom(PAGE_SIZE, HOME_FIRST_PAGE + Math.ceil(HOME_SIZE / PAGE_SIZE));
    expect(commit(e, old, old.slice())).toBe(0);
    expect(e.writes).toBe(0);
  });
});
