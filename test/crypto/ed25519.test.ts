// Ed25519 verification and SHA-512 (firmware/crypto/ed25519.ts, sha512.ts, fe25519.ts) in both
// wasm builds: every Wycheproof case, FIPS 180 examples, and node:crypto (OpenSSL) as the oracle on
// random keys, messages and tamperings; the field arithmetic against BigInt.
import { describe, it, expect } from "vitest";
import { createHash, createPrivateKey, createPublicKey, sign } from "node:crypto";
import { hex, toHex, loadVectors } from "../support/vectors.ts";
import { Rng } from "../support/rng.ts";
import { BUILDS, engine, raw } from "./builds.ts";

interface WyEdTest { tcId: number; comment: string; msg: string; sig: string; result: "valid" | "invalid"; flags: string[] }
const wycheproof = loadVectors<{ numberOfTests: number; testGroups: { publicKey: { pk: string }; tests: WyEdTest[] }[] }>("wycheproof/ed25519_test.json");
const fips = loadVectors<{ cases: { section: string; input: { hex?: string; repeat?: string; count?: number }; digest_hex: string }[] }>("fips180_sha512.json");

const P = (1n << 255n) - 19n;
const L = (1n << 252n) + 27742317777372353535851937790883648493n;
const le = (b: Uint8Array): bigint => b.reduceRight((v, x) => (v << 8n) | BigInt(x), 0n);
const toLe = (v: bigint): Uint8Array => Uint8Array.from({ length: 32 }, (_, i) => Number((v >> BigInt(8 * i)) & 255n));
const mod = (v: bigint): bigint => ((v % P) + P) % P;
function powMod(b: bigint, e: bigint): bigint {
  let r = 1n;
  for (b = mod(b); e > 0n; e >>= 1n, b = (b * b) % P) if (e & 1n) r = (r * b) % P;
  return r;
}

/** The node:crypto key pair of a 32-byte seed (RFC 8032 §5.1.5 private key): the raw public key and a signer. */
function keyPair(seed: Uint8Array): { pk: Uint8Array; sign: (m: Uint8Array) => Uint8Array } {
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: "der", type: "pkcs8" });
  const spki = createPublicKey(privateKey).export({ format: "der", type: "spki" });
  return { pk: new Uint8Array(spki.subarray(spki.length - 32)), sign: (m) => new Uint8Array(sign(null, m, privateKey)) };
}
/** PKCS#8 DER of an Ed25519 private key up to its 32-byte seed (RFC 8410 §7). */
const PKCS8_ED25519_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");

const VERDICTS = ["valid", "bad-signature", "bad-public-key", "bad-signature-encoding"];

for (const build of BUILDS) {
  const c = engine(build);

  describe(`${build}: SHA-512`, () => {
    it("FIPS 180 examples (one block, two blocks, a million 'a', empty)", () => {
      for (const v of fips.cases) {
        const msg = v.input.repeat ? new Uint8Array(v.input.count!).fill(v.input.repeat.charCodeAt(0)) : hex(v.input.hex ?? "");
        expect(toHex(c.sha512(msg)), v.section).toBe(v.digest_hex);
      }
      expect(fips.cases.length).toBe(4);
    });

    it("agrees with node:crypto on every length 0..300 and on updates split at every offset", () => {
      const rng = new Rng(512);
      for (let n = 0; n <= 300; n++) {
        const msg = rng.bytes(n);
        expect(toHex(c.sha512(msg)), `length ${n}`).toBe(createHash("sha512").update(msg).digest("hex"));
      }
      const { ex, io, out } = raw(build);
      const e = ex as unknown as { sha512Begin(): void; sha512Update(n: number): number; sha512Finish(): number };
      const msg = rng.bytes(300);
      const want = createHash("sha512").update(msg).digest("hex");
      for (let split = 0; split <= 300; split += 7) {
        e.sha512Begin();
        io.set(msg.subarray(0, split));
        expect(e.sha512Update(split)).toBe(0);
        io.set(msg.subarray(split));
        expect(e.sha512Update(300 - split)).toBe(0);
        expect(e.sha512Finish()).toBe(0);
        expect(toHex(out.subarray(0, 64))).toBe(want);
      }
      expect(e.sha512Finish()).toBe(-250); // ERR_CRYPTO_STATE: finished twice
    });
  });

  describe(`${build}: GF(2^255 - 19) against BigInt`, () => {
    it("a·b, a², a+b, a−b, −a, 1/a and a^((p−5)/8) for edge values (0, 1, p−1, p, p+1, 2^255−1, ...) and 600 random pairs", () => {
      const { ex, io, out } = raw(build);
      const feOp = (ex as unknown as { feOp: (op: number) => number }).feOp;
      const rng = new Rng(25519);
      const edges = [0n, 1n, 2n, 19n, P - 1n, P, P + 1n, P + 18n, (1n << 255n) - 1n, 1n << 254n, (1n << 26n) - 1n, 1n << 25n];
      const pairs: [bigint, bigint][] = [];
      for (const a of edges) for (const b of edges) pairs.push([a, b]);
      for (let i = 0; i < 600; i++) pairs.push([le(rng.bytes(32)) & ((1n << 255n) - 1n), le(rng.bytes(32)) & ((1n << 255n) - 1n)]);
      const wrong: string[] = [];
      for (const [a, b] of pairs) {
        io.set(toLe(a));
        io.set(toLe(b), 32);
        const want = [mod(a * b), mod(a * a), mod(a + b), mod(a - b), mod(-a), powMod(a, P - 2n), powMod(a, (P - 5n) / 8n)];
        for (let op = 0; op < 7; op++) {
          expect(feOp(op)).toBe(0);
          const got = le(out.subarray(0, 32));
          if (got !== want[op]) wrong.push(`op ${op} a=${a} b=${b}: ${got} != ${want[op]}`);
        }
      }
      expect(wrong).toEqual([]);
    });

    it("[s]B for random scalars is the public key node:crypto derives (RFC 8032 §5.1.5: s = clamp(SHA-512(seed)[0..32]))", () => {
      const { ex, io, out } = raw(build);
      const scalarBase = (ex as unknown as { ed25519ScalarBase: () => void }).ed25519ScalarBase;
      const rng = new Rng(8032);
      for (let i = 0; i < 40; i++) {
        const seed = rng.bytes(32);
        const h = createHash("sha512").update(seed).digest();
        h[0] &= 248;
        h[31] &= 127;
        h[31] |= 64;
        io.set(h.subarray(0, 32));
        scalarBase();
        expect(toHex(out.subarray(0, 32))).toBe(toHex(keyPair(seed).pk));
      }
      // B itself (RFC 8032 §5.1: y = 4/5, x even) and [L − 1]B = −B: the same y, the sign bit set.
      io.set(toLe(1n));
      scalarBase();
      expect(toHex(out.subarray(0, 32))).toBe("58" + "66".repeat(31));
      io.set(toLe(L - 1n));
      scalarBase();
      expect(toHex(out.subarray(0, 32))).toBe("58" + "66".repeat(30) + "e6");
    });
  });

  describe(`${build}: Ed25519 verification`, () => {
    it(`all ${wycheproof.numberOfTests} Wycheproof cases: valid ones verify, invalid ones are refused (with the reason the flag implies)`, () => {
      let n = 0;
      const wrong: string[] = [];
      for (const g of wycheproof.testGroups) {
        for (const t of g.tests) {
          n++;
          const verdict = c.ed25519Verify(hex(g.publicKey.pk), hex(t.sig), hex(t.msg));
          const ok = t.result === "valid" ? verdict === "valid" : verdict !== "valid";
          if (!ok) wrong.push(`tcId ${t.tcId} (${t.comment}): ${verdict}`);
          // Lengths other than 64 and S >= L are refused for the encoding, before any curve work.
          if (t.flags.includes("SignatureWithGarbage") || t.flags.includes("TruncatedSignature") || t.flags.includes("CompressedSignature")) {
            if (verdict !== "bad-signature-encoding") wrong.push(`tcId ${t.tcId}: ${verdict}, expected bad-signature-encoding`);
          }
          if (t.flags.includes("SignatureMalleability") && verdict !== "bad-signature-encoding") wrong.push(`tcId ${t.tcId}: S >= L gave ${verdict}`);
        }
      }
      expect(n).toBe(151);
      expect(wrong).toEqual([]);
    });

    it("agrees with node:crypto on 150 random keys and messages, and refuses every tampering of key, R, S or message", () => {
      const rng = new Rng(7);
      const wrong: string[] = [];
      for (let i = 0; i < 150; i++) {
        const key = keyPair(rng.bytes(32));
        const msg = rng.bytes(rng.int(0, 200));
        const sig = key.sign(msg);
        const v = c.ed25519Verify(key.pk, sig, msg);
        if (v !== "valid") wrong.push(`#${i}: ${v}`);
        const bit = rng.int(0, 8 * 32 - 1);
        const flip = (b: Uint8Array, at: number): Uint8Array => { const x = b.slice(); x[at >> 3] ^= 1 << (at & 7); return x; };
        const badR = c.ed25519Verify(key.pk, flip(sig, bit), msg);
        const badS = c.ed25519Verify(key.pk, flip(sig, 256 + bit), msg);
        const badKey = c.ed25519Verify(flip(key.pk, bit), sig, msg);
        const badMsg = msg.length > 0 ? c.ed25519Verify(key.pk, sig, flip(msg, rng.int(0, msg.length * 8 - 1))) : "bad-signature";
        for (const [what, got] of [["R", badR], ["S", badS], ["key", badKey], ["message", badMsg]]) {
          if (got === "valid") wrong.push(`#${i}: a flipped bit of the ${what} verified`);
          if (!VERDICTS.includes(got)) wrong.push(`#${i}: ${got}`);
        }
      }
      expect(wrong).toEqual([]);
    });

    it("refuses small-order public keys and R, and non-canonical key encodings, with their reasons", () => {
      const key = keyPair(new Uint8Array(32).fill(9));
      const msg = new Uint8Array([1, 2, 3]);
      const sig = key.sign(msg);
      // The neutral element (0, 1), the point of order 2 (0, −1), and y = p + 1 (non-canonical 1).
      const identity = toLe(1n);
      const order2 = toLe(P - 1n);
      const nonCanonical = toLe(P + 1n);
      for (const pk of [identity, order2, nonCanonical]) expect(c.ed25519Verify(pk, sig, msg)).toBe("bad-public-key");
      const withR = (r: Uint8Array): Uint8Array => { const s = sig.slice(); s.set(r); return s; };
      for (const r of [identity, order2, nonCanonical]) expect(c.ed25519Verify(key.pk, withR(r), msg)).toBe("bad-signature-encoding");
      expect(c.ed25519Verify(key.pk.subarray(0, 31), sig, msg)).toBe("bad-public-key");
    });

    it("in bounded steps: the same verdicts in 11 steps (decode A, decode R, 8 × 32 ladder bits, encode)", () => {
      const { ex, io } = raw(build);
      const e = ex as unknown as { ed25519Start(a: number, b: number, c: number): number; ed25519Step(): number; ed25519Steps(): number };
      const key = keyPair(new Uint8Array(32).fill(3));
      const msg = new Uint8Array(32).fill(0xaa);
      for (const tamper of [false, true]) {
        const sig = key.sign(msg);
        if (tamper) sig[5] ^= 0x10;
        io.set(key.pk);
        io.set(sig, 32);
        io.set(msg, 96);
        let rc = e.ed25519Start(32, 64, 32);
        while (rc === 1) rc = e.ed25519Step();
        expect(rc).toBe(tamper ? -251 : 0);
        expect(e.ed25519Steps()).toBe(11);
      }
      expect(e.ed25519Step()).toBe(-250); // ERR_CRYPTO_STATE: no verification under way
    });

    it("the firmware window API refuses windows outside the buffer without trapping", () => {
      const { ex, io } = raw(build);
      const e = ex as unknown as { fwEd25519Verify(a: number, b: number, c: number, d: number, e: number, f: number): number; fwSha512(a: number, b: number, c: number): number };
      const size = io.length;
      for (const args of [[-1, 32, 32, 64, 96, 0], [0, 32, size - 10, 64, 96, 0], [0, 32, 32, 64, 96, size], [0, -32, 32, 64, 96, 0]]) {
        expect(e.fwEd25519Verify(args[0], args[1], args[2], args[3], args[4], args[5])).toBe(-246);
      }
      expect(e.fwSha512(0, size + 1, 0)).toBe(-246);
      expect(e.fwSha512(0, 10, size - 63)).toBe(-246);
    });
  });
}
