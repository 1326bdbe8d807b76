/**
 * SHA-256 (FIPS 180-4 §6.2), HMAC-SHA256 (RFC 2104 / FIPS 198-1) with the ipad/opad midstates
 * computed once per key, and HKDF-SHA256 (RFC 5869). Streaming over raw memory; index.ts wraps
 * them in (buffer, offset, length) windows.
 */
import { ERR_CRYPTO_OUTPUT_LENGTH, ERR_CRYPTO_STATE } from "./errors";

/** FIPS 180-4 §4.2.2 round constants (indexed by the round number only). */
const K: StaticArray<u32> = [
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

/** FIPS 180-4 §5.3.3 initial hash value. */
const IV: StaticArray<u32> = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

const W: usize = memory.data(256, 16);

/** Digest length in bytes. */
export const SHA256_BYTES: i32 = 32;
/** Block length in bytes. */
export const SHA256_BLOCK: i32 = 64;

/** FIPS 180-4 §4.1.2: Σ0, Σ1, Ch, Maj; kw = K[t] + W[t]. */
@inline function bigSigma0(x: u32): u32 { return rotr<u32>(x, 2) ^ rotr<u32>(x, 13) ^ rotr<u32>(x, 22); }
@inline function bigSigma1(x: u32): u32 { return rotr<u32>(x, 6) ^ rotr<u32>(x, 11) ^ rotr<u32>(x, 25); }
@inline function choose(x: u32, y: u32, z: u32): u32 { return z ^ (x & (y ^ z)); }
@inline function majority(x: u32, y: u32, z: u32): u32 { return (x & y) | (z & (x | y)); }
@inline function kw(k: usize, t: i32): u32 { return load<u32>(k + <usize>(t * 4)) + load<u32>(W + <usize>(t * 4)); }

/** The compression function (§6.2.2) of `blocks` 64-byte blocks at p into the 8 words at h. */
function compress(h: usize, p: usize, blocks: i32): void {
  const k = changetype<usize>(K);
  for (let b = 0; b < blocks; b++) {
    const m = p + <usize>(b * 64);
    for (let t = 0; t < 16; t++) store<u32>(W + <usize>(t * 4), bswap<u32>(load<u32>(m + <usize>(t * 4))));
    for (let t = 16; t < 64; t++) {
      const w15 = load<u32>(W + <usize>((t - 15) * 4));
      const w2 = load<u32>(W + <usize>((t - 2) * 4));
      const s0 = rotr<u32>(w15, 7) ^ rotr<u32>(w15, 18) ^ (w15 >>> 3);
      const s1 = rotr<u32>(w2, 17) ^ rotr<u32>(w2, 19) ^ (w2 >>> 10);
      store<u32>(W + <usize>(t * 4), load<u32>(W + <usize>((t - 16) * 4)) + s0 + load<u32>(W + <usize>((t - 7) * 4)) + s1);
    }
    let a = load<u32>(h), bb = load<u32>(h, 4), c = load<u32>(h, 8), d = load<u32>(h, 12);
    let e = load<u32>(h, 16), f = load<u32>(h, 20), g = load<u32>(h, 24), hh = load<u32>(h, 28);
    for (let t = 0; t < 64; t++) {
      const t1 = hh + bigSigma1(e) + choose(e, f, g) + kw(k, t);
      const t2 = bigSigma0(a) + majority(a, bb, c);
      hh = g; g = f; f = e; e = d + t1;
      d = c; c = bb; bb = a; a = t1 + t2;
    }
    store<u32>(h, load<u32>(h) + a); store<u32>(h, load<u32>(h, 4) + bb, 4);
    store<u32>(h, load<u32>(h, 8) + c, 8); store<u32>(h, load<u32>(h, 12) + d, 12);
    store<u32>(h, load<u32>(h, 16) + e, 16); store<u32>(h, load<u32>(h, 20) + f, 20);
    store<u32>(h, load<u32>(h, 24) + g, 24); store<u32>(h, load<u32>(h, 28) + hh, 28);
  }
}

/** A SHA-256 computation in progress (§6.2): begin, update any number of times, finish. */
export class Sha256 {
  readonly h: StaticArray<u32> = new StaticArray<u32>(8);
  private readonly buf: StaticArray<u8> = new StaticArray<u8>(64);
  private bufLen: i32 = 0;
  private total: u64 = 0;
  private open: bool = false;

  /** Starts a hash from the initial value (§5.3.3). */
  begin(): void {
    memory.copy(changetype<usize>(this.h), changetype<usize>(IV), 32);
    this.bufLen = 0;
    this.total = 0;
    this.open = true;
  }

  /** Resumes from a saved midstate after `bytes` bytes (a multiple of 64): how HMAC reuses its pads. */
  beginFrom(state: StaticArray<u32>, bytes: u64): void {
    memory.copy(changetype<usize>(this.h), changetype<usize>(state), 32);
    this.bufLen = 0;
    this.total = bytes;
    this.open = true;
  }

  /** Adds len bytes at p; ERR_CRYPTO_STATE when not begun. */
  update(p: usize, len: i32): i32 {
    if (!this.open) return ERR_CRYPTO_STATE;
    this.total += <u64>len;
    const buf = changetype<usize>(this.buf);
    const h = changetype<usize>(this.h);
    let at = 0;
    if (this.bufLen > 0) {
      const take = min(64 - this.bufLen, len);
      memory.copy(buf + <usize>this.bufLen, p, take);
      this.bufLen += take;
      at = take;
      if (this.bufLen < 64) return 0;
      compress(h, buf, 1);
      this.bufLen = 0;
    }
    const blocks = (len - at) >> 6;
    compress(h, p + <usize>at, blocks);
    at += blocks << 6;
    memory.copy(buf, p + <usize>at, len - at);
    this.bufLen = len - at;
    return 0;
  }

  /** Pads (§5.1.1), writes the 32-byte digest to out (§6.2.2 step 4, big-endian) and closes. */
  finish(out: usize): i32 {
    if (!this.open) return ERR_CRYPTO_STATE;
    const buf = changetype<usize>(this.buf);
    const h = changetype<usize>(this.h);
    const bits = this.total << 3;
    store<u8>(buf + <usize>this.bufLen, 0x80);
    if (this.bufLen >= 56) {
      memory.fill(buf + <usize>(this.bufLen + 1), 0, 63 - this.bufLen);
      compress(h, buf, 1);
      memory.fill(buf, 0, 56);
    } else {
      memory.fill(buf + <usize>(this.bufLen + 1), 0, 55 - this.bufLen);
    }
    store<u32>(buf, bswap<u32>(<u32>(bits >> 32)), 56);
    store<u32>(buf, bswap<u32>(<u32>bits), 60);
    compress(h, buf, 1);
    for (let i = 0; i < 8; i++) store<u32>(out + <usize>(i * 4), bswap<u32>(load<u32>(h + <usize>(i * 4))));
    memory.fill(buf, 0, 64);
    memory.fill(h, 0, 32);
    this.open = false;
    return 0;
  }
}

const PAD: usize = memory.data(64, 16);
const INNER: usize = memory.data(32, 16);

/**
 * HMAC-SHA256 (RFC 2104 §2): setKey hashes the padded key xor ipad and xor opad once and keeps
 * both midstates, so each MAC costs the message blocks plus two compressions.
 */
export class HmacState {
  private readonly innerState: StaticArray<u32> = new StaticArray<u32>(8);
  private readonly outerState: StaticArray<u32> = new StaticArray<u32>(8);
  private readonly hash: Sha256 = new Sha256();
  private keyed: bool = false;

  /** Keys with the len bytes at key (hashed first when longer than 64, RFC 2104 §2). */
  setKeyAt(key: usize, len: i32): void {
    memory.fill(PAD, 0, 64);
    if (len > 64) {
      this.hash.begin();
      this.hash.update(key, len);
      this.hash.finish(PAD);
    } else {
      memory.copy(PAD, key, len);
    }
    for (let i = 0; i < 64; i++) store<u8>(PAD + <usize>i, load<u8>(PAD + <usize>i) ^ 0x36);
    memory.copy(changetype<usize>(this.innerState), changetype<usize>(IV), 32);
    compress(changetype<usize>(this.innerState), PAD, 1);
    for (let i = 0; i < 64; i++) store<u8>(PAD + <usize>i, load<u8>(PAD + <usize>i) ^ (0x36 ^ 0x5c));
    memory.copy(changetype<usize>(this.outerState), changetype<usize>(IV), 32);
    compress(changetype<usize>(this.outerState), PAD, 1);
    memory.fill(PAD, 0, 64);
    this.keyed = true;
  }

  /** Starts a MAC under the current key; ERR_CRYPTO_STATE when no key was set. */
  begin(): i32 {
    if (!this.keyed) return ERR_CRYPTO_STATE;
    this.hash.beginFrom(this.innerState, 64);
    return 0;
  }

  update(p: usize, len: i32): i32 {
    return this.hash.update(p, len);
  }

  /** Writes the 32-byte MAC to out. */
  finish(out: usize): i32 {
    const rc = this.hash.finish(INNER);
    if (rc < 0) return rc;
    this.hash.beginFrom(this.outerState, 64);
    this.hash.update(INNER, 32);
    this.hash.finish(out);
    memory.fill(INNER, 0, 32);
    return 0;
  }

  /** One whole MAC of len bytes at p into out. */
  macAt(p: usize, len: i32, out: usize): i32 {
    const rc = this.begin();
    if (rc < 0) return rc;
    this.update(p, len);
    return this.finish(out);
  }

  /** Copies the two 32-byte pad midstates to p (a host keeping many keys swaps them in and out). */
  saveTo(p: usize): void {
    memory.copy(p, changetype<usize>(this.innerState), 32);
    memory.copy(p + 32, changetype<usize>(this.outerState), 32);
  }

  /** Restores midstates written by saveTo. */
  loadFrom(p: usize): void {
    memory.copy(changetype<usize>(this.innerState), p, 32);
    memory.copy(changetype<usize>(this.outerState), p + 32, 32);
    this.keyed = true;
  }

  /** Forgets the key (zeroes both midstates). */
  clear(): void {
    memory.fill(changetype<usize>(this.innerState), 0, 32);
    memory.fill(changetype<usize>(this.outerState), 0, 32);
    this.keyed = false;
  }
}

/** Largest HKDF output (RFC 5869 §2.3: L <= 255*HashLen). */
export const HKDF_MAX_BYTES: i32 = 255 * 32;

const hkdfMac = new HmacState();
const PRK: usize = memory.data(32, 16);
const BLOCK_T: usize = memory.data(32, 16);
const COUNTER: usize = memory.data(1);

/**
 * HKDF-SHA256 (RFC 5869 §2.2 extract, §2.3 expand): outLen bytes at out from the ikm, salt and
 * info byte strings. An empty salt is HashLen zeros, which HMAC's zero padding gives for free.
 * Returns outLen or ERR_CRYPTO_OUTPUT_LENGTH.
 */
export function hkdfSha256At(ikm: usize, ikmLen: i32, salt: usize, saltLen: i32, info: usize, infoLen: i32, out: usize, outLen: i32): i32 {
  if (outLen < 0 || outLen > HKDF_MAX_BYTES) return ERR_CRYPTO_OUTPUT_LENGTH;
  hkdfMac.setKeyAt(salt, saltLen);
  hkdfMac.macAt(ikm, ikmLen, PRK);
  hkdfMac.setKeyAt(PRK, 32);
  for (let i = 1, at = 0; at < outLen; i++, at += 32) {
    hkdfMac.begin();
    if (i > 1) hkdfMac.update(BLOCK_T, 32);
    hkdfMac.update(info, infoLen);
    store<u8>(COUNTER, <u8>i);
    hkdfMac.update(COUNTER, 1);
    hkdfMac.finish(BLOCK_T);
    memory.copy(out + <usize>(at), BLOCK_T, min(32, outLen - at));
  }
  memory.fill(PRK, 0, 32);
  memory.fill(BLOCK_T, 0, 32);
  hkdfMac.clear();
  return outLen;
}
