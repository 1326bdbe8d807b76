/**
 * In-memory byte links for the control-panel ⇄ PD tests: two ByteLinks joined back to back,
 * delivering asynchronously (like a UART), optionally through seeded line noise that flips bits,
 * drops and duplicates bytes, and splits writes into random chunks.
 */
import type { ByteLink } from "../../simulator/osdp/cp.ts";
import { Rng } from "../support/rng.ts";

export interface Noise {
  rng: Rng;
  /** Per-byte probabilities. */
  flip: number;
  drop: number;
  duplicate: number;
}

class Endpoint implements ByteLink {
  peer!: Endpoint;
  private listeners: ((bytes: Uint8Array) => void)[] = [];
  constructor(private readonly noise?: Noise) {}

  write(bytes: Uint8Array): void {
    const wire = this.noise ? applyNoise(bytes, this.noise) : Uint8Array.from(bytes);
    const chunks: Uint8Array[] = [];
    for (let at = 0; at < wire.length;) {
      const n = this.noise ? this.noise.rng.int(1, 16) : wire.length;
      chunks.push(wire.subarray(at, at + n));
      at += n;
    }
    for (const c of chunks) setImmediate(() => this.peer.deliver(c));
  }

  onData(listener: (bytes: Uint8Array) => void): () => void {
    this.listeners.push(listener);
    return () => { this.listeners = this.listeners.filter((l) => l !== listener); };
  }

  private deliver(bytes: Uint8Array): void {
    for (const l of this.listeners) l(bytes);
  }
}

function applyNoise(bytes: Uint8Array, n: Noise): Uint8Array {
  const out: number[] = [];
  for (const b of bytes) {
    const x = n.rng.u32() / 2 ** 32;
    if (x < n.drop) continue;
    if (x < n.drop + n.flip) out.push(b ^ (1 << n.rng.int(0, 7)));
    else if (x < n.drop + n.flip + n.duplicate) out.push(b, b);
    else out.push(b);
  }
  return Uint8Array.from(out);
}

/** Two joined links: bytes written to one arrive at the other, each direction with its own noise. */
export function linkPair(aToB?: Noise, bToA?: Noise): [ByteLink, ByteLink] {
  const a = new Endpoint(aToB), b = new Endpoint(bToA);
  a.peer = b;
  b.peer = a;
  return [a, b];
}
