/**
 * A reader device under Node: the portable OSDP PD (firmware/services/osdp/pd.ts) with the reader
 * application as its handler, on an in-memory byte link to a control panel, with optional noise
 * (corrupted, dropped, duplicated bytes) in both directions.
 */
import { OsdpPd } from "../../firmware/services/osdp/pd.ts";
import type { ByteLink } from "../../simulator/osdp/cp.ts";
import { aesBlockCipher } from "../../simulator/crypto/index.ts";
import type { Card } from "../../simulator/card/card.ts";
import type { Reader } from "../../firmware/reader/reader.ts";
import { Rng } from "../support/rng.ts";
import { readerWith, TestBoard } from "./slot.ts";

/** Per-byte noise rates on the serial link. */
export interface SerialNoise {
  seed: number;
  corrupt: number;
  drop: number;
  duplicate: number;
}

export interface NoiseCount {
  corrupted: number;
  dropped: number;
  duplicated: number;
}

function noisy(bytes: Uint8Array, rng: Rng | null, n: SerialNoise | undefined, count: NoiseCount): Uint8Array {
  if (!rng || !n) return bytes;
  const out: number[] = [];
  for (const b of bytes) {
    const x = rng.u32() / 2 ** 32;
    if (x < n.drop) {
      count.dropped++;
      continue;
    }
    if (x < n.drop + n.corrupt) {
      count.corrupted++;
      out.push(b ^ (1 << rng.int(0, 7)));
      continue;
    }
    out.push(b);
    if (x < n.drop + n.corrupt + n.duplicate) {
      count.duplicated++;
      out.push(b);
    }
  }
  return Uint8Array.from(out);
}

/** A reader with `card` in its slot, and the control panel's side of its serial link. */
export function readerDevice(card: Card, noise?: SerialNoise): { reader: Reader; pd: OsdpPd; board: TestBoard; link: ByteLink; count: NoiseCount } {
  const { reader, board } = readerWith(card);
  const count: NoiseCount = { corrupted: 0, dropped: 0, duplicated: 0 };
  const rng = noise ? new Rng(noise.seed) : null;
  let toHost: ((bytes: Uint8Array) => void) | null = null;
  board.onTransmit = (reply) => {
    const bytes = noisy(reply, rng, noise, count);
    setImmediate(() => toHost?.(bytes));
  };
  const pd = new OsdpPd(0, new Uint8Array(16), aesBlockCipher(), reader);
  const link: ByteLink = {
    write(bytes) {
      const b = noisy(bytes.slice(), rng, noise, count);
      setImmediate(() => {
        pd.receive(b, 0, b.length);
        // The reader's idle tick (OSDP §5.9): a partial packet never waits for the next one.
        pd.idle();
      });
    },
    onData(listener) {
      toHost = listener;
      return () => (toHost = null);
    },
  };
  return { reader, pd, board, link, count };
}
