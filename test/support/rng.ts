/**
 * Seeded, reproducible pseudo-random source for differential and fuzz tests: the simulator's
 * generator (u32, bytes) plus the draws tests need. Every test fixes its seed so a failure can be
 * replayed.
 */
import { SimRandom } from "../../simulator/host/random.ts";

export class Rng extends SimRandom {
  /** Integer in [lo, hi] inclusive. */
  int(lo: number, hi: number): number {
    return lo + (this.u32() % (hi - lo + 1));
  }

  bool(): boolean {
    return (this.u32() & 1) === 1;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.u32() % items.length];
  }

  /**
   * A mutated copy of `input`: bit flips, byte changes, insertions, deletions, truncation or
   * extension — the shapes of corruption a noisy link or an attacker produces.
   */
  mutate(input: Uint8Array): Uint8Array {
    // 1-4 edits grow the input by at most 32 bytes, so mutateInto never meets the scratch's end.
    return this.mutateInto(input, new Uint8Array(input.length + 48)).slice();
  }

  /**
   * mutate without allocation, for 100,000-input fuzz loops: the copy is made in `scratch` and a
   * view of it returned (edits that would pass the end of scratch are left out).
   */
  mutateInto(src: Uint8Array, scratch: Uint8Array): Uint8Array {
    let len = Math.min(src.length, scratch.length - 16);
    scratch.set(src.subarray(0, len));
    for (let e = this.int(1, 4); e > 0; e--) {
      const at = len === 0 ? 0 : this.u32() % len;
      switch (this.u32() % 6) {
        case 0: if (len) scratch[at] ^= 1 << (this.u32() & 7); break;
        case 1: if (len) scratch[at] = this.u32() & 0xff; break;
        case 2: if (len < scratch.length - 1) { scratch.copyWithin(at + 1, at, len); scratch[at] = this.u32() & 0xff; len++; } break;
        case 3: if (len) { scratch.copyWithin(at, at + 1, len); len--; } break;
        case 4: len = this.int(0, len); break;
        default: for (let i = this.int(1, 8); i > 0 && len < scratch.length; i--) scratch[len++] = this.u32() & 0xff;
      }
    }
    return scratch.subarray(0, len);
  }
}
