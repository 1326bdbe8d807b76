/**
 * Measures the bytes each firmware/crypto primitive adds to a firmware .wasm in the scalar build:
 * compiles one tiny entry per primitive with the crypto-scalar options (build/crypto-size/) and
 * subtracts the size of an entry that uses none. Used by bench/crypto.bench.ts and
 * test/crypto/size.test.ts; `npx tsx test/crypto/firmware-size.ts` prints the table.
 */
import { mkdirSync, writeFileSync, statSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const dir = join(root, "build", "crypto-size");

interface AscApi {
  main(args: string[], opts: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream }): Promise<{ error: Error | null; stderr: { toString(): string } }>;
}

/** Entry bodies: each keeps one primitive alive through an export (scratch buffer at offset 0). */
export const ENTRIES: Record<string, string> = {
  "baseline (no crypto)": `export function f(n: i32): i32 { return n + 1; }`,
  "AES-128 block (key schedule, encrypt, decrypt)": `const a = new Aes128(); const b = new Uint8Array(64);
export function f(n: i32): i32 { a.setKey(b, 0); a.encryptBlock(b, 16, b, 32); a.decryptBlock(b, 32, b, 16); return a.lastError; }`,
  "AES-128-CBC": `const a = new Aes128(); const b = new Uint8Array(64);
export function f(n: i32): i32 { a.setKey(b, 0); return aesCbcEncrypt(a, b, 0, b, 16, n) + aesCbcDecrypt(a, b, 0, b, 16, n); }`,
  "AES-128-CTR": `const a = new Aes128(); const b = new Uint8Array(64);
export function f(n: i32): i32 { a.setKey(b, 0); return aesCtr(a, b, 0, b, 16, n); }`,
  "AES-CMAC": `const a = new Aes128(); const b = new Uint8Array(64);
export function f(n: i32): i32 { a.setKey(b, 0); return aesCmac(a, b, 16, n, b, 0); }`,
  "AES-128-CCM": `const a = new Aes128(); const b = new Uint8Array(64);
export function f(n: i32): i32 { a.setKey(b, 0); return ccmEncrypt(a, b, 0, 13, b, 0, n, b, 16, n, b, 48, 8) + ccmDecrypt(a, b, 0, 13, b, 0, n, b, 16, n, b, 48, 8); }`,
  "SP 800-108 / SCP03 KDF": `const a = new Aes128(); const b = new Uint8Array(64);
export function f(n: i32): i32 { a.setKey(b, 0); return kdfCmacCounter(a, n, b, 0, 16, 128, b, 32); }`,
  "SHA-256": `const b = new Uint8Array(64);
export function f(n: i32): i32 { return sha256(b, 0, n, b, 32); }`,
  "HMAC-SHA256": `const h = new HmacSha256(); const b = new Uint8Array(64);
export function f(n: i32): i32 { h.setKey(b, 0, n); return h.mac(b, 0, n, b, 32); }`,
  "HKDF-SHA256 (with HMAC, SHA-256)": `const b = new Uint8Array(64);
export function f(n: i32): i32 { return hkdfSha256(b, 0, n, b, 0, n, b, 0, n, b, 0, n); }`,
  "ctEqual + wipe + dynamicTruncate": `const b = new Uint8Array(64);
export function f(n: i32): i32 { return (ctEqual(b, 0, b, 16, n) ? 1 : 0) + wipe(b, 0, n) + <i32>dynamicTruncate(b, 0, n); }`,
  "everything above": `const a = new Aes128(); const h = new HmacSha256(); const b = new Uint8Array(64);
export function f(n: i32): i32 {
  a.setKey(b, 0); a.encryptBlock(b, 16, b, 32); a.decryptBlock(b, 32, b, 16);
  h.setKey(b, 0, n);
  return aesCbcEncrypt(a, b, 0, b, 16, n) + aesCbcDecrypt(a, b, 0, b, 16, n) + aesCtr(a, b, 0, b, 16, n) + aesCmac(a, b, 16, n, b, 0)
    + ccmEncrypt(a, b, 0, 13, b, 0, n, b, 16, n, b, 48, 8) + ccmDecrypt(a, b, 0, 13, b, 0, n, b, 16, n, b, 48, 8)
    + kdfCmacCounter(a, n, b, 0, 16, 128, b, 32) + sha256(b, 0, n, b, 32) + h.mac(b, 0, n, b, 32)
    + hkdfSha256(b, 0, n, b, 0, n, b, 0, n, b, 0, n) + (ctEqual(b, 0, b, 16, n) ? 1 : 0) + wipe(b, 0, n) + <i32>dynamicTruncate(b, 0, n);
}`,
  "SHA-512 (issue 16)": `import { sha512 } from "../../firmware/crypto/signature";
const b = new Uint8Array(128);
export function f(n: i32): i32 { return sha512(b, 0, n, b, 64); }`,
  "Ed25519 verify with SHA-512 (issue 16)": `import { ed25519Verify } from "../../firmware/crypto/signature";
const b = new Uint8Array(128);
export function f(n: i32): i32 { return ed25519Verify(b, 0, 32, b, 32, 64, b, 96, n); }`,
};

const IMPORT = `import { Aes128, HmacSha256, aesCbcEncrypt, aesCbcDecrypt, aesCtr, aesCmac, ccmEncrypt, ccmDecrypt, kdfCmacCounter, sha256, hkdfSha256, ctEqual, wipe, dynamicTruncate } from "../../firmware/crypto/index";\n`;

/** Compiles one entry with the crypto-scalar target's options; returns the .wasm size in bytes. */
export async function compiledSize(name: string, body: string): Promise<number> {
  mkdirSync(dir, { recursive: true });
  const slug = name.replace(/[^a-z0-9]+/gi, "-").toLowerCase();
  const entry = join(dir, `${slug}.ts`);
  const out = join(dir, `${slug}.wasm`);
  writeFileSync(entry, IMPORT + body + "\n");
  const ascModule = "assemblyscript/asc";
  const asc = ((await import(ascModule)) as { default: AscApi }).default;
  const config = JSON.parse(readFileSync(join(root, "asconfig.json"), "utf8"));
  const t = { ...config.options, ...config.targets["crypto-scalar"] };
  const { error, stderr } = await asc.main([
    entry, "--outFile", out, "--runtime", t.runtime, "--optimizeLevel", String(t.optimizeLevel),
    "--shrinkLevel", String(t.shrinkLevel), "--initialMemory", "1", "--maximumMemory", "1", "--exportStart", t.exportStart,
  ], { stdout: process.stdout, stderr: process.stderr });
  if (error) throw new Error(`size entry ${name}: ${error.message}\n${stderr.toString()}`);
  return statSync(out).size;
}

/** Bytes each primitive adds over the baseline entry (as bench metrics). */
export async function firmwareSizes(): Promise<{ name: string; value: number; unit: string; note?: string }[]> {
  const names = Object.keys(ENTRIES);
  const base = await compiledSize(names[0], ENTRIES[names[0]]);
  const rows = [{ name: names[0], value: base, unit: "bytes", note: "whole module" }];
  for (const name of names.slice(1)) {
    rows.push({ name, value: (await compiledSize(name, ENTRIES[name])) - base, unit: "bytes", note: "added over baseline" });
  }
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  for (const row of await firmwareSizes()) console.log(`${row.name.padEnd(50)} ${String(row.value).padStart(6)} ${row.unit}  ${row.note ?? ""}`);
}
