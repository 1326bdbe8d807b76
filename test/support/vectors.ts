/**
 * Loads the published test vectors in ../shared/vectors/ (or $LOCKBOX_VECTORS). They are data
 * from RFCs, NIST, Wycheproof, OSDP Annex E and the CRC catalogue; tests never compute their own
 * expected values with the code under test.
 */
import { readFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Absolute path of the vectors directory; throws with a clear message when it is absent. */
export function vectorsDir(): string {
  const dir = process.env.LOCKBOX_VECTORS ?? join(root, "..", "shared", "vectors");
  if (!existsSync(dir)) {
    throw new Error(`test vectors not found at ${dir}: clone next to shared/ or set LOCKBOX_VECTORS`);
  }
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
