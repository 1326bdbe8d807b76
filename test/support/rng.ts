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
    const out = Array.from(input);
    const edits = this.int(1, 4);
    for (let e = 0; e < edits; e++) {
      const at = out.length === 0 ? 0 : this.u32() % out.length;
      switch (this.u32() % 6) {
        case 0: if (out.length) out[at] ^= 1 << (this.u32() & 7); break;
        case 1: if (out.length) out[at] = this.u32() & 0xff; break;
        case 2: out.splice(at, 0, this.u32() & 0xff); break;
        case 3: if (out.length) out.splice(at, 1); break;
        case 4: out.length = this.int(0, out.length); break;
        default: for (let i = this.int(1, 8); i > 0; i--) out.push(this.u32() & 0xff);
      }
    }
    return Uint8Array.from(out);
  }
}
