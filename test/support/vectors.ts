/**
 * Loads the published test vectors in test/vectors/ (provenance and licenses: test/vectors/README.md).
 * They are data from RFCs, NIST, Wycheproof, OSDP Annex E, SCP03 and T=1 transcripts, the CRC
 * catalogue and RESO; tests never compute their own expected values with the code under test.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const dir = join(dirname(fileURLToPath(import.meta.url)), "..", "vectors");

/** Absolute path of the vectors directory, test/vectors/. */
export function vectorsDir(): string {
  return dir;
}

/** Parses a JSON vector file, e.g. loadVectors("osdp_annex_e.json") or "wycheproof/aes_ccm_test.json". */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function loadVectors<T = any>(name: string): T {
  return JSON.parse(readFileSync(join(vectorsDir(), name), "utf8")) as T;
}

export function hex(s: string): Uint8Array {
  return Uint8Array.from(Buffer.from(s, "hex"));
}

export function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex");
}

/** The bytes of `parts` one after another (arrays of numbers count as bytes). */
export function concat(...parts: ArrayLike<number>[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
