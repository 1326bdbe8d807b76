// Crypto throughput (docs/ARCHITECTURE.md §7, issue 3): the project's WASM builds (scalar constant-time AES,
// SIMD) against @noble (pure JS, table AES) and node:crypto (OpenSSL, hardware AES) at 64 B,
// 1 KiB and 16 KiB, same run, ratios to @noble and node:crypto. Plus the firmware size figures.
import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, createPrivateKey, createPublicKey, sign, verify } from "node:crypto";
import { cbc, ctr, cmac } from "@noble/ciphers/aes.js";
import { sha256, sha512 } from "@noble/hashes/sha2.js";
import { hmac } from "@noble/hashes/hmac.js";
import { hkdf } from "@noble/hashes/hkdf.js";
import { consume, type BenchCase, type BenchGroup } from "../tools/lib/bench.ts";
import { cryptoBuild, type CryptoBuild, type WasmCrypto } from "../simulator/crypto/index.ts";
import { firmwareSizes } from "../test/crypto/firmware-size.ts";

export const SIZES = [64, 1024, 16384];
const NOBLE = "@noble";
const NODE = "node:crypto";

export function data(n: number): Uint8Array {
  return new Uint8Array(n).map((_, i) => (i * 131 + 7) & 0xff);
}

const key = data(16).map((b) => b ^ 0x5a);
const iv = data(16).map((b) => b ^ 0xa5);
const nonce = iv.subarray(0, 12);
const hmacKey = data(32);

export interface Primitive {
  name: string;
  /** Bytes one operation processes at a given size (HKDF output is capped at 8160). */
  bytes?: (size: number) => number;
  wasm: (c: WasmCrypto, msg: Uint8Array) => Uint8Array | number;
  noble?: (msg: Uint8Array) => Uint8Array;
  node: (msg: Uint8Array) => Uint8Array | Buffer;
}

function nodeCipher(alg: string, msg: Uint8Array, ivec: Uint8Array | null): Buffer {
  const c = createCipheriv(alg, key, ivec);
  c.setAutoPadding(false);
  return Buffer.concat([c.update(msg), c.final()]);
}

/** The measured primitives, each with its WASM, @noble (if it has it) and node:crypto version. */
export function primitives(): Primitive[] {
  const builds = ["scalar", "simd"].map((b) => cryptoBuild(b as CryptoBuild));
  const hmacKeys = new Map(builds.map((c) => [c, c.hmacKey(hmacKey)]));
  const nobleHmac = hmac.create(sha256, hmacKey);
  return [
    { name: "AES-128-CTR", wasm: (c, m) => c.ctr(key, iv, m), noble: (m) => ctr(key, iv).encrypt(m), node: (m) => nodeCipher("aes-128-ctr", m, iv) },
    { name: "AES-128-CBC encrypt", wasm: (c, m) => c.cbc(key, iv, m, false), noble: (m) => cbc(key, iv, { disablePadding: true }).encrypt(m), node: (m) => nodeCipher("aes-128-cbc", m, iv) },
    {
      name: "AES-128-CBC decrypt", wasm: (c, m) => c.cbc(key, iv, m, true), noble: (m) => cbc(key, iv, { disablePadding: true }).decrypt(m),
      node: (m) => { const d = createDecipheriv("aes-128-cbc", key, iv); d.setAutoPadding(false); return Buffer.concat([d.update(m), d.final()]); },
    },
    { name: "AES-CMAC (node:crypto: CBC-MAC, Node has no CMAC)", wasm: (c, m) => c.cmac(key, m), noble: (m) => cmac(m, key), node: (m) => nodeCmac(m) },
    {
      name: "AES-128-CCM (tag 8)", wasm: (c, m) => c.ccmEncrypt(key, nonce, m, nonce, 8),
      node: (m) => { const c = createCipheriv("aes-128-ccm", key, nonce, { authTagLength: 8 }); c.setAAD(nonce, { plaintextLength: m.length }); return Buffer.concat([c.update(m), c.final(), c.getAuthTag()]); },
    },
    { name: "SHA-256", wasm: (c, m) => c.sha256(m), noble: (m) => sha256(m), node: (m) => createHash("sha256").update(m).digest() },
    { name: "SHA-512", wasm: (c, m) => c.sha512(m), noble: (m) => sha512(m), node: (m) => createHash("sha512").update(m).digest() },
    { name: "HMAC-SHA256 (key reused)", wasm: (c, m) => hmacKeys.get(c)!.mac(m), noble: (m) => nobleHmac.clone().update(m).digest(), node: (m) => createHmac("sha256", hmacKey).update(m).digest() },
    {
      name: "HKDF-SHA256 (16-byte IKM, output = size, at most 8160)", bytes: (size) => Math.min(size, 8160), wasm: (c, m) => c.hkdf(key, iv, nonce, Math.min(m.length, 8160)),
      noble: (m) => hkdf(sha256, key, iv, nonce, Math.min(m.length, 8160)), node: (m) => Buffer.from(hkdfSync("sha256", key, iv, nonce, Math.min(m.length, 8160))),
    },
  ];
}

function nodeCmac(m: Uint8Array): Buffer {
  // node:crypto has no one-shot CMAC on every OpenSSL build; CBC-MAC's cost is the same AES work.
  const c = createCipheriv("aes-128-cbc", key, new Uint8Array(16));
  c.setAutoPadding(false);
  const padded = m.length % 16 === 0 && m.length > 0 ? m : new Uint8Array(Math.ceil((m.length + 1) / 16) * 16);
  return c.update(padded).subarray(-16);
}

export function groups(): BenchGroup[] {
  const out: BenchGroup[] = [];
  const scalar = cryptoBuild("scalar"), simd = cryptoBuild("simd");
  for (const p of primitives()) {
    for (const size of SIZES) {
      const msg = data(size);
      const bytes = p.bytes ? p.bytes(size) : size;
      const cases: BenchCase[] = [
        { name: "wasm scalar", bytes, fn: () => consume(p.wasm(scalar, msg)) },
        { name: "wasm simd", bytes, fn: () => consume(p.wasm(simd, msg)) },
      ];
      if (p.noble) cases.push({ name: NOBLE, bytes, fn: () => consume(p.noble!(msg)) });
      cases.push({ name: NODE, bytes, fn: () => consume(p.node(msg)) });
      out.push({ title: `crypto ${p.name} ${size} B`, baselines: p.noble ? [NOBLE, NODE] : [NODE], cases });
    }
  }
  out.push(ed25519Group(scalar, simd));
  out.push({
    title: "crypto firmware size (scalar build, bytes added per primitive)",
    metrics: firmwareSizes,
  });
  return out;
}

/**
 * Ed25519 verification of a 64-byte signature over a 32-byte message (what MCUboot signs: the
 * image's SHA-256), in the wasm builds against node:crypto (OpenSSL).
 */
function ed25519Group(scalar: WasmCrypto, simd: WasmCrypto): BenchGroup {
  const privateKey = createPrivateKey({ key: Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), data(32)]), format: "der", type: "pkcs8" });
  const publicKey = createPublicKey(privateKey);
  const spki = publicKey.export({ format: "der", type: "spki" });
  const pk = new Uint8Array(spki.subarray(spki.length - 32));
  const msg = data(32);
  const sig = new Uint8Array(sign(null, msg, privateKey));
  return {
    title: "crypto Ed25519 verify (32-byte message)",
    baselines: [NODE],
    cases: [
      { name: "wasm scalar", fn: () => consume(scalar.ed25519Verify(pk, sig, msg) === "valid") },
      { name: "wasm simd", fn: () => consume(simd.ed25519Verify(pk, sig, msg) === "valid") },
      { name: NODE, fn: () => consume(verify(null, msg, publicKey, sig)) },
    ],
  };
}
