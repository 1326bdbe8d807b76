// Differential tests: both wasm builds against node:crypto (OpenSSL) and @noble, 10,000 seeded
// random cases per primitive per build (random keys, IVs, nonces; lengths 0-4096). Every case is
// checked against every oracle that has the primitive (node:crypto has no CMAC, @noble no CCM/ECB).
import { describe, it, expect } from "vitest";
import { createHash, createHmac, hkdfSync } from "node:crypto";
import { cbc, ctr, cmac } from "@noble/ciphers/aes.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { hmac } from "@noble/hashes/hmac.js";
import { hkdf } from "@noble/hashes/hkdf.js";
import { CryptoError } from "../../simulator/crypto/index.ts";
import { Rng } from "../support/rng.ts";
import { nodeCipher, nodeCcmSeal } from "../support/oracles.ts";
import { BUILDS, engine } from "./builds.ts";

const CASES = 10_000;
const SEED = 0x3c7a2b01;

/** Random bytes drawn from one seeded pool, so 10,000 cases of up to 4 KiB stay cheap to make. */
class Source {
  readonly rng: Rng;
  private readonly pool: Uint8Array;
  constructor(seed: number) {
    this.rng = new Rng(seed);
    this.pool = this.rng.bytes(1 << 16);
  }
  bytes(n: number): Uint8Array {
    const at = this.rng.int(0, this.pool.length - n);
    const out = this.pool.slice(at, at + n);
    out[0] ^= this.rng.u32() & 0xff;
    if (n > 1) out[n - 1] ^= this.rng.u32() & 0xff;
    return n === 0 ? new Uint8Array(0) : out;
  }
  /** A length in 0..max, with the block-boundary lengths 0, 1, 15, 16, 17 and max often. */
  length(max: number): number {
    const r = this.rng.u32() % 16;
    if (r === 0) return this.rng.pick([0, 1, 15, 16, 17, 31, 32, 33, max]);
    return this.rng.int(0, max);
  }
  /** A counter block, sometimes about to carry over many bytes. */
  counter(): Uint8Array {
    const c = this.rng.bytes(16);
    if (this.rng.int(0, 7) === 0) c.fill(0xff, this.rng.int(4, 15));
    return c;
  }
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.length), Buffer.from(b.buffer, b.byteOffset, b.length)) === 0;
}

/** Runs `CASES` cases; each returns "" or a description of the mismatch. Stops at the first. */
function run(seed: number, one: (s: Source, i: number) => string): void {
  const s = new Source(seed);
  for (let i = 0; i < CASES; i++) {
    const failure = one(s, i);
    if (failure) expect.fail(`case ${i} (seed ${seed}): ${failure}`);
  }
}

for (const build of BUILDS) {
  const c = engine(build);
  describe(`${build}: differential, ${CASES} cases per primitive`, () => {
    it("AES-128-ECB vs node:crypto (encrypt and decrypt)", () => {
      run(SEED + 1, (s) => {
        const key = s.bytes(16), data = s.bytes(16 * s.rng.int(0, 256));
        const want = nodeCipher("aes-128-ecb", key, null, data);
        if (!same(c.ecb(key, data, false), want)) return `encrypt ${data.length} bytes`;
        if (!same(c.ecb(key, want, true), data)) return `decrypt ${data.length} bytes`;
        return "";
      });
    });

    it("AES-128-CBC vs node:crypto and @noble (encrypt and decrypt)", () => {
      run(SEED + 2, (s) => {
        const key = s.bytes(16), iv = s.bytes(16), data = s.bytes(16 * s.rng.int(0, 256));
        const want = nodeCipher("aes-128-cbc", key, iv, data);
        if (!same(c.cbc(key, iv, data, false), want)) return `encrypt ${data.length} bytes vs node`;
        if (!same(c.cbc(key, iv, want, true), data)) return `decrypt ${data.length} bytes`;
        if (!same(cbc(key, iv, { disablePadding: true }).encrypt(data), want)) return "noble disagrees";
        return "";
      });
    });

    it("AES-128-CTR vs node:crypto and @noble (128-bit counter carries)", () => {
      run(SEED + 3, (s) => {
        const key = s.bytes(16), counter = s.counter(), data = s.bytes(s.length(4096));
        const got = c.ctr(key, counter, data);
        if (!same(got, nodeCipher("aes-128-ctr", key, counter, data))) return `${data.length} bytes vs node, counter ${Buffer.from(counter).toString("hex")}`;
        if (!same(got, ctr(key, counter).encrypt(data))) return `${data.length} bytes vs noble`;
        return "";
      });
    });

    it("AES-CMAC vs @noble", () => {
      run(SEED + 4, (s) => {
        const key = s.bytes(16), msg = s.bytes(s.length(4096));
        return same(c.cmac(key, msg), cmac(msg, key)) ? "" : `${msg.length} bytes`;
      });
    });

    it("AES-128-CCM vs node:crypto (all nonce and tag sizes, AAD, open and tamper)", () => {
      run(SEED + 5, (s) => {
        const key = s.bytes(16), nonce = s.bytes(s.rng.int(7, 13)), tagLen = 2 * s.rng.int(2, 8);
        const aad = s.bytes(s.rng.int(0, 3) === 0 ? s.length(300) : 0), msg = s.bytes(s.length(4096));
        const want = nodeCcmSeal(key, nonce, aad, msg, tagLen);
        const label = `nonce ${nonce.length}, tag ${tagLen}, aad ${aad.length}, msg ${msg.length}`;
        if (!same(c.ccmEncrypt(key, nonce, msg, aad, tagLen), want)) return `seal ${label}`;
        if (!same(c.ccmDecrypt(key, nonce, want, aad, tagLen), msg)) return `open ${label}`;
        if (s.rng.int(0, 7) === 0) {
          const bad = Uint8Array.from(want);
          bad[s.rng.int(0, bad.length - 1)] ^= 1 << s.rng.int(0, 7);
          try {
            c.ccmDecrypt(key, nonce, bad, aad, tagLen);
            return `tampered ${label} accepted`;
          } catch (err) {
            if (!(err instanceof CryptoError) || err.code !== "tag-mismatch") return `tampered ${label}: ${String(err)}`;
          }
        }
        return "";
      });
    });

    it("SHA-256 vs node:crypto and @noble", () => {
      run(SEED + 6, (s) => {
        const msg = s.bytes(s.length(4096));
        const got = c.sha256(msg);
        if (!same(got, createHash("sha256").update(msg).digest())) return `${msg.length} bytes vs node`;
        if (!same(got, sha256(msg))) return `${msg.length} bytes vs noble`;
        return "";
      });
    });

    it("HMAC-SHA256 vs node:crypto and @noble (keys 0-200 bytes)", () => {
      run(SEED + 7, (s) => {
        const key = s.bytes(s.rng.int(0, 200)), msg = s.bytes(s.length(4096));
        const got = c.hmacKey(key).mac(msg);
        if (!same(got, createHmac("sha256", key).update(msg).digest())) return `key ${key.length}, msg ${msg.length} vs node`;
        if (!same(got, hmac(sha256, key, msg))) return `key ${key.length}, msg ${msg.length} vs noble`;
        return "";
      });
    });

    it("HKDF-SHA256 vs node:crypto and @noble (output 1-4096 bytes)", () => {
      run(SEED + 8, (s) => {
        const ikm = s.bytes(s.rng.int(0, 100)), salt = s.bytes(s.rng.int(0, 100)), info = s.bytes(s.rng.int(0, 100));
        const len = s.rng.int(0, 15) === 0 ? s.rng.int(1, 4096) : s.rng.int(1, 100);
        const got = c.hkdf(ikm, salt, info, len);
        if (!same(got, new Uint8Array(hkdfSync("sha256", ikm, salt, info, len)))) return `ikm ${ikm.length} salt ${salt.length} info ${info.length} L ${len} vs node`;
        if (!same(got, hkdf(sha256, ikm, salt, info, len))) return `L ${len} vs noble`;
        return "";
      });
    });
  });
}
