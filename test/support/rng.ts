/**
 * Seeded, reproducible pseudo-random source for differential and fuzz tests (SplitMix32-style
 * mixing of a Weyl sequence). Every test prints or fixes its seed so a failure can be replayed.
 */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  u32(): number {
    this.state = (this.state + 0x9e3779b9) >>> 0;
    let z = this.state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  }

  /** Integer in [lo, hi] inclusive. */
  int(lo: number, hi: number): number {
    return lo + (this.u32() % (hi - lo + 1));
  }

  bool(): boolean {
    return (this.u32() & 1) === 1;
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.u32() & 0xff;
    return out;
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
