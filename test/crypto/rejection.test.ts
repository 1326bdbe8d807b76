// Bad input (issue 3): every function checks lengths at its boundary. The Node module throws a
// CryptoError with a specific code; the wasm (both its Node surface and the firmware window API of
// firmware/crypto/index.ts) returns a specific negative code, never traps, and leaves its buffers
// unchanged on refusal. A failed CCM decryption releases no plaintext. Large inputs are chunked.
import { describe, it, expect } from "vitest";
import { createHash, createHmac } from "node:crypto";
import { sha256 } from "@noble/hashes/sha2.js";
import { hkdf } from "@noble/hashes/hkdf.js";
import { cmac } from "@noble/ciphers/aes.js";
import { WasmCrypto, aesBlockCipher, constantTimeEqual, cryptoBuild, hostHasSimd, selectedBuild, type CryptoBuild } from "../../simulator/crypto/index.ts";
import { Rng } from "../support/rng.ts";
import { toHex } from "../support/vectors.ts";
import { nodeCipher, nodeCcmSeal } from "../support/oracles.ts";
import { BUILDS, codeOf, engine, raw } from "./builds.ts";

const ERR = {
  key: -240, nonce: -241, tag: -242, data: -243, mismatch: -244, truncated: -245, window: -246, output: -247, noKey: -248, iv: -249,
};
const IO_SIZE = 32768;
const TRUNCATE_ERROR = 0xffffffff;

for (const build of BUILDS) {
  const c = engine(build);
  const k16 = new Uint8Array(16).fill(7);

  describe(`${build}: Node module refuses bad input with a specific CryptoError`, () => {
    it("wrong AES key lengths", () => {
      for (const n of [0, 8, 15, 17, 24, 32]) {
        const key = new Uint8Array(n);
        expect(codeOf(() => c.ecb(key, new Uint8Array(16), false))).toBe("bad-key-length");
        expect(codeOf(() => c.cbc(key, new Uint8Array(16), new Uint8Array(16), true))).toBe("bad-key-length");
        expect(codeOf(() => c.ctr(key, new Uint8Array(16), new Uint8Array(5)))).toBe("bad-key-length");
        expect(codeOf(() => c.cmac(key, new Uint8Array(5)))).toBe("bad-key-length");
        expect(codeOf(() => c.ccmEncrypt(key, new Uint8Array(12), new Uint8Array(5), new Uint8Array(0), 8))).toBe("bad-key-length");
        expect(codeOf(() => c.kdfCmac(key, 4, new Uint8Array(16), 128))).toBe("bad-key-length");
      }
      const bc = aesBlockCipher();
      expect(codeOf(() => bc.setKey(new Uint8Array(20), 5))).toBe("bad-key-length");
      expect(codeOf(() => bc.setKey(new Uint8Array(20), -1))).toBe("bad-key-length");
      bc.setKey(k16, 0);
      expect(codeOf(() => bc.encryptBlock(new Uint8Array(20), 5, new Uint8Array(16), 0))).toBe("bad-data-length");
      expect(codeOf(() => bc.decryptBlock(new Uint8Array(16), 0, new Uint8Array(16), 1))).toBe("bad-data-length");
    });

    it("IV / counter lengths and block multiples", () => {
      for (const n of [0, 15, 17]) {
        expect(codeOf(() => c.cbc(k16, new Uint8Array(n), new Uint8Array(16), false))).toBe("bad-iv-length");
        expect(codeOf(() => c.ctr(k16, new Uint8Array(n), new Uint8Array(16)))).toBe("bad-iv-length");
      }
      for (const n of [1, 15, 17, 33]) {
        expect(codeOf(() => c.cbc(k16, new Uint8Array(16), new Uint8Array(n), false))).toBe("bad-data-length");
        expect(codeOf(() => c.ecb(k16, new Uint8Array(n), true))).toBe("bad-data-length");
      }
    });

    it("CCM nonce and tag lengths out of range, input shorter than its tag, too long for one call", () => {
      for (const n of [0, 1, 6, 14, 16, 32]) expect(codeOf(() => c.ccmEncrypt(k16, new Uint8Array(n), new Uint8Array(3), new Uint8Array(0), 8)), `nonce ${n}`).toBe("bad-nonce-length");
      for (const t of [0, 2, 3, 5, 15, 17, 18, 32]) expect(codeOf(() => c.ccmEncrypt(k16, new Uint8Array(12), new Uint8Array(3), new Uint8Array(0), t)), `tag ${t}`).toBe("bad-tag-length");
      expect(codeOf(() => c.ccmDecrypt(k16, new Uint8Array(12), new Uint8Array(7), new Uint8Array(0), 8))).toBe("truncated-input");
      expect(codeOf(() => c.ccmDecrypt(k16, new Uint8Array(12), new Uint8Array(7), new Uint8Array(0), 18))).toBe("bad-tag-length");
      expect(codeOf(() => c.ccmDecrypt(k16, new Uint8Array(5), new Uint8Array(7), new Uint8Array(0), 8))).toBe("bad-nonce-length");
      expect(codeOf(() => c.ccmEncrypt(k16, new Uint8Array(12), new Uint8Array(IO_SIZE), new Uint8Array(1), 8))).toBe("bad-data-length");
    });

    it("a CCM tag mismatch releases no plaintext, not even in the module's buffer", () => {
      const nonce = new Uint8Array(13).fill(1), aad = new Uint8Array(5).fill(2), msg = new Uint8Array(100).fill(0x41);
      const sealed = c.ccmEncrypt(k16, nonce, msg, aad, 16);
      for (const at of [0, 50, 99, 100, 115]) {
        const bad = Uint8Array.from(sealed);
        bad[at] ^= 0x80;
        expect(codeOf(() => c.ccmDecrypt(k16, nonce, bad, aad, 16))).toBe("tag-mismatch");
        const { io } = raw(build);
        expect(io.subarray(aad.length, aad.length + msg.length).every((b) => b === 0)).toBe(true);
      }
      expect(codeOf(() => c.ccmDecrypt(k16, nonce, sealed, new Uint8Array(5), 16))).toBe("tag-mismatch");
      expect(toHex(c.ccmDecrypt(k16, nonce, sealed, aad, 16))).toBe(toHex(msg));
    });

    it("HKDF and KDF output lengths, truncation input, comparison of unequal lengths", () => {
      for (const n of [-1, 8161, 100000, 1.5]) expect(codeOf(() => c.hkdf(new Uint8Array(3), new Uint8Array(0), new Uint8Array(0), n)), `hkdf ${n}`).toBe("bad-output-length");
      for (const n of [0, -8, 7, 129, 255 * 128 + 8]) expect(codeOf(() => c.kdfCmac(k16, 4, new Uint8Array(16), n)), `kdf ${n}`).toBe("bad-output-length");
      for (const n of [0, 1, 19]) expect(codeOf(() => c.truncate(new Uint8Array(n)))).toBe("truncated-input");
      expect(constantTimeEqual(new Uint8Array(3), new Uint8Array(4))).toBe(false);
      expect(c.equal(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2, 3))).toBe(true);
      expect(c.equal(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2, 4))).toBe(false);
    });

    it("a refused call leaves the module working: the next call under the same key is right", () => {
      const key = new Uint8Array(16).map((_, i) => i * 3);
      const block = new Uint8Array(16).fill(9);
      const want = nodeCipher("aes-128-ecb", key, null, block);
      expect(toHex(c.ecb(key, block, false))).toBe(toHex(want));
      expect(codeOf(() => c.ecb(new Uint8Array(15), block, false))).toBe("bad-key-length");
      expect(codeOf(() => c.cbc(key, new Uint8Array(16), new Uint8Array(5), false))).toBe("bad-data-length");
      expect(toHex(c.ecb(key, block, false))).toBe(toHex(want));
    });
  });

  describe(`${build}: inputs larger than the module's buffer are processed in chunks`, () => {
    const rng = new Rng(0x51ce);
    const big = rng.bytes(100_000);
    const key = rng.bytes(16), iv = rng.bytes(16);

    it("1 MB SHA-256 and HMAC-SHA256", () => {
      const mb = new Uint8Array(1 << 20).map((_, i) => (i * 7) & 0xff);
      expect(toHex(c.sha256(mb))).toBe(createHash("sha256").update(mb).digest("hex"));
      expect(toHex(c.hmacKey(key).mac(mb))).toBe(createHmac("sha256", key).update(mb).digest("hex"));
    });

    it("100 kB CTR, CBC, ECB and CMAC", () => {
      const blocks = big.subarray(0, 99_984);
      expect(toHex(c.ctr(key, iv, big))).toBe(toHex(nodeCipher("aes-128-ctr", key, iv, big)));
      const cbcCt = nodeCipher("aes-128-cbc", key, iv, blocks);
      expect(toHex(c.cbc(key, iv, blocks, false))).toBe(toHex(cbcCt));
      expect(toHex(c.cbc(key, iv, cbcCt, true))).toBe(toHex(blocks));
      expect(toHex(c.ecb(key, blocks, false))).toBe(toHex(nodeCipher("aes-128-ecb", key, null, blocks)));
      expect(toHex(c.cmac(key, big))).toBe(toHex(cmac(big, key)));
      expect(toHex(c.cmac(key, blocks.subarray(0, 65536)))).toBe(toHex(cmac(blocks.subarray(0, 65536), key)));
    });
  });

  describe(`${build}: the wasm never traps and refuses with a specific code`, () => {
    const { ex, io } = raw(build);
    const snapshot = (): string => toHex(io);

    it("firmware window API: each bad window or length gets its code and writes nothing", () => {
      io.fill(0);
      io.set(k16, 100);
      expect(ex.fwSetKey(-1)).toBe(ERR.key);
      expect(ex.fwBlock(0, 16, 0)).toBe(ERR.noKey);
      expect(ex.fwSetKey(IO_SIZE - 15)).toBe(ERR.key);
      expect(ex.fwCbc(0, 0, 16, 0)).toBe(ERR.noKey);
      expect(ex.fwSetKey(100)).toBe(0);
      io.fill(0x33, 200, 400);
      const before = snapshot();
      const refusals: [string, number, number][] = [
        ["block src", ex.fwBlock(IO_SIZE - 8, 0, 0), ERR.window],
        ["block dst", ex.fwBlock(0, -16, 1), ERR.window],
        ["cbc iv", ex.fwCbc(IO_SIZE - 15, 200, 32, 0), ERR.iv],
        ["cbc len", ex.fwCbc(0, 200, 33, 0), ERR.data],
        ["cbc window", ex.fwCbc(0, IO_SIZE - 16, 32, 1), ERR.window],
        ["cbc negative", ex.fwCbc(0, 200, -16, 1), ERR.window],
        ["ctr counter", ex.fwCtr(-1, 200, 10), ERR.iv],
        ["ctr window", ex.fwCtr(0, 200, 0x7fffffff), ERR.window],
        ["cmac out", ex.fwCmac(200, 10, IO_SIZE - 4), ERR.window],
        ["ccm nonce 6", ex.fwCcm(0, 6, 0, 0, 200, 10, 300, 8, 0), ERR.nonce],
        ["ccm nonce 14", ex.fwCcm(0, 14, 0, 0, 200, 10, 300, 8, 1), ERR.nonce],
        ["ccm nonce window", ex.fwCcm(IO_SIZE - 5, 12, 0, 0, 200, 10, 300, 8, 0), ERR.nonce],
        ["ccm tag 3", ex.fwCcm(0, 12, 0, 0, 200, 10, 300, 3, 0), ERR.tag],
        ["ccm tag 18", ex.fwCcm(0, 12, 0, 0, 200, 10, 300, 18, 1), ERR.tag],
        ["ccm tag window", ex.fwCcm(0, 12, 0, 0, 200, 10, IO_SIZE - 4, 8, 1), ERR.truncated],
        ["ccm aad window", ex.fwCcm(0, 12, -5, 10, 200, 10, 300, 8, 0), ERR.window],
        ["ccm payload window past the end", ex.fwCcm(0, 13, 0, 0, 0, 65536, 300, 8, 0), ERR.window],
        ["sha out", ex.fwSha256(0, 10, IO_SIZE - 31), ERR.window],
        ["hmac key", ex.fwHmacSetKey(IO_SIZE, 1), ERR.window],
        ["hkdf length", ex.fwHkdf(0, 10, 0, 0, 0, 0, 200, 8161), ERR.output],
        ["hkdf out window", ex.fwHkdf(0, 10, 0, 0, 0, 0, IO_SIZE - 10, 20), ERR.window],
        ["hkdf ikm window", ex.fwHkdf(-1, 10, 0, 0, 0, 0, 200, 20), ERR.window],
        ["kdf bits", ex.fwKdf(4, 0, 16, 12, 200), ERR.output],
        ["kdf out window", ex.fwKdf(4, 0, 16, 256, IO_SIZE - 16), ERR.window],
        ["wipe", ex.fwWipe(200, IO_SIZE), ERR.window],
        ["wipe negative", ex.fwWipe(-1, 2), ERR.window],
        ["truncate short", ex.fwTruncate(200, 19), TRUNCATE_ERROR],
        ["truncate window", ex.fwTruncate(IO_SIZE - 10, 20), TRUNCATE_ERROR],
        ["ctEqual window", ex.fwCtEqual(0, IO_SIZE - 2, 4), 0],
      ];
      for (const [what, got, want] of refusals) expect(got >>> 0, what).toBe(want >>> 0);
      expect(snapshot()).toBe(before);
    });

    it("firmware CCM decryption with a wrong tag zeroes exactly the payload window", () => {
      io.fill(0);
      io.set(k16, 100);
      expect(ex.fwSetKey(100)).toBe(0);
      io.fill(0x5a, 1000, 1100);
      expect(ex.fwCcm(0, 12, 0, 0, 1000, 100, 2000, 16, 0)).toBe(0);
      io[2003] ^= 1;
      expect(ex.fwCcm(0, 12, 0, 0, 1000, 100, 2000, 16, 1)).toBe(ERR.mismatch);
      expect(io.subarray(1000, 1100).every((b) => b === 0)).toBe(true);
      expect(io[999]).toBe(0);
      expect(io[1100]).toBe(0);
    });

    it("fuzz: 20,000 random argument sets on every export (negative, huge, edge) never trap", () => {
      const rng = new Rng(0xbadc0de);
      const arg = (): number => rng.pick([
        () => rng.int(0, 64), () => rng.int(0, IO_SIZE + 64), () => -rng.int(1, 1000), () => 0x7fffffff, () => -0x80000000,
        () => IO_SIZE, () => IO_SIZE - rng.int(0, 32), () => rng.u32() | 0,
      ])();
      const fns = Object.entries(ex as unknown as Record<string, unknown>)
        .filter(([name, f]) => typeof f === "function" && !name.startsWith("core") && name !== "_start" && name !== "aesStep") as [string, (...a: number[]) => number][];
      expect(fns.length).toBeGreaterThan(30);
      io.set(k16, 0);
      new Uint8Array(ex.memory.buffer, ex.keyPtr(), 16).set(k16);
      for (let i = 0; i < 20_000; i++) {
        const [name, fn] = rng.pick(fns);
        const args = Array.from({ length: fn.length }, arg);
        let rc: number;
        try {
          rc = fn(...args);
        } catch (e) {
          expect.fail(`${name}(${args.join(", ")}) trapped: ${String(e)}`);
        }
        if (typeof rc === "number" && rc < 0 && name !== "fwTruncate") expect(rc, `${name}(${args.join(", ")})`).toBeGreaterThanOrEqual(-253); // the crypto codes in use, -240..-253
      }
    });

    it("firmware window API agrees with node:crypto / @noble at random offsets (300 cases each)", () => {
      const rng = new Rng(0xf1f0);
      for (let i = 0; i < 300; i++) {
        io.fill(0);
        const key = rng.bytes(16), iv = rng.bytes(16), len = rng.int(0, 40) * 16, msg = rng.bytes(len + rng.int(0, 15));
        const keyOff = rng.int(0, 80), ivOff = rng.int(100, 200), off = rng.int(300, 400), outOff = 20000 + rng.int(0, 100);
        io.set(key, keyOff);
        io.set(iv, ivOff);
        expect(ex.fwSetKey(keyOff)).toBe(0);
        io.set(msg.subarray(0, len), off);
        expect(ex.fwCbc(ivOff, off, len, 0)).toBe(0);
        expect(toHex(io.subarray(off, off + len))).toBe(toHex(nodeCipher("aes-128-cbc", key, iv, msg.subarray(0, len))));
        expect(ex.fwCbc(ivOff, off, len, 1)).toBe(0);
        expect(toHex(io.subarray(off, off + len))).toBe(toHex(msg.subarray(0, len)));
        io.set(msg, off);
        expect(ex.fwCtr(ivOff, off, msg.length)).toBe(0);
        expect(toHex(io.subarray(off, off + msg.length))).toBe(toHex(nodeCipher("aes-128-ctr", key, iv, msg)));
        io.set(msg, off);
        expect(ex.fwCmac(off, msg.length, outOff)).toBe(0);
        expect(toHex(io.subarray(outOff, outOff + 16))).toBe(toHex(cmac(msg, key)));
        expect(ex.fwSha256(off, msg.length, outOff)).toBe(0);
        expect(toHex(io.subarray(outOff, outOff + 32))).toBe(createHash("sha256").update(msg).digest("hex"));
        expect(ex.fwHmacSetKey(keyOff, 16)).toBe(0);
        expect(ex.fwHmac256(off, msg.length, outOff)).toBe(0);
        expect(toHex(io.subarray(outOff, outOff + 32))).toBe(createHmac("sha256", key).update(msg).digest("hex"));
        const outLen = rng.int(1, 100);
        expect(ex.fwHkdf(off, msg.length, keyOff, 16, ivOff, 16, outOff, outLen)).toBe(outLen);
        // @noble here: node:crypto's hkdfSync with an empty IKM leaves an OpenSSL error queued that
        // breaks the next empty-payload CCM in this thread (Node 20.20).
        expect(toHex(io.subarray(outOff, outOff + outLen))).toBe(toHex(hkdf(sha256, msg, key, iv, outLen)));
        const nonceLen = rng.int(7, 13), tagLen = 2 * rng.int(2, 8), aadLen = rng.int(0, 16);
        // A non-empty payload: node:crypto's CCM with an empty payload fails with "tag not set" at
        // random in Node 20.20 (empty payloads are covered by Wycheproof and the differential test).
        const pt = msg.length > 0 ? msg : rng.bytes(1);
        const sealed = nodeCcmSeal(key, iv.subarray(0, nonceLen), iv.subarray(0, aadLen), pt, tagLen);
        io.set(pt, off);
        expect(ex.fwCcm(ivOff, nonceLen, ivOff, aadLen, off, pt.length, outOff, tagLen, 0)).toBe(0);
        expect(toHex(io.subarray(off, off + pt.length)) + toHex(io.subarray(outOff, outOff + tagLen))).toBe(toHex(sealed));
        expect(ex.fwCcm(ivOff, nonceLen, ivOff, aadLen, off, pt.length, outOff, tagLen, 1)).toBe(0);
        expect(toHex(io.subarray(off, off + pt.length))).toBe(toHex(pt));
      }
    });
  });
}

describe("build selection", () => {
  it("SIMD when the host supports it, LOCKBOX_CRYPTO forces a build, anything else is refused", () => {
    const saved = process.env.LOCKBOX_CRYPTO;
    try {
      delete process.env.LOCKBOX_CRYPTO;
      expect(hostHasSimd()).toBe(true);
      expect(selectedBuild()).toBe("simd");
      process.env.LOCKBOX_CRYPTO = "scalar";
      expect(selectedBuild()).toBe("scalar");
      process.env.LOCKBOX_CRYPTO = "fast";
      expect(() => selectedBuild()).toThrow(/LOCKBOX_CRYPTO/);
    } finally {
      if (saved === undefined) delete process.env.LOCKBOX_CRYPTO;
      else process.env.LOCKBOX_CRYPTO = saved;
    }
  });


  it("a missing .wasm is reported with the command that builds it", () => {
    expect(() => new WasmCrypto("missing" as CryptoBuild)).toThrow(/crypto-missing\.wasm is missing: run npm run build:wasm/);
  });

  it("aesBlockCipher (the protocol/ BlockCipher) matches node:crypto at any window, in place too", () => {
    const rng = new Rng(0xb10c);
    const bc = aesBlockCipher();
    for (let i = 0; i < 200; i++) {
      const key = rng.bytes(16), keyBuf = new Uint8Array(40), at = rng.int(0, 24);
      keyBuf.set(key, at);
      bc.setKey(keyBuf, at);
      const buf = rng.bytes(64), so = rng.int(0, 48), d = rng.int(0, 48);
      const want = nodeCipher("aes-128-ecb", key, null, buf.subarray(so, so + 16));
      const out = new Uint8Array(64);
      bc.encryptBlock(buf, so, out, d);
      expect(toHex(out.subarray(d, d + 16))).toBe(toHex(want));
      bc.decryptBlock(out, d, out, d);
      expect(toHex(out.subarray(d, d + 16))).toBe(toHex(buf.subarray(so, so + 16)));
    }
  });

  it("both builds are distinct instances and agree", () => {
    const a = cryptoBuild("scalar"), b = cryptoBuild("simd");
    expect(a).not.toBe(b);
    const m = new Uint8Array(1000).fill(3);
    expect(toHex(a.sha256(m))).toBe(toHex(b.sha256(m)));
    expect(toHex(a.ctr(new Uint8Array(16), new Uint8Array(16), m))).toBe(toHex(b.ctr(new Uint8Array(16), new Uint8Array(16), m)));
  });
});
