/**
 * SHA-512 (FIPS 180-4 §6.4), streaming over raw memory: the hash inside Ed25519 (RFC 8032 §5.1.7
 * step 2). index.ts wraps it in (buffer, offset, length) windows.
 */
import { ERR_CRYPTO_STATE } from "./errors";

/** FIPS 180-4 §4.2.3 round constants. */
const K: StaticArray<u64> = [
  0x428a2f98d728ae22, 0x7137449123ef65cd, 0xb5c0fbcfec4d3b2f, 0xe9b5dba58189dbbc, 0x3956c25bf348b538,
  0x59f111f1b605d019, 0x923f82a4af194f9b, 0xab1c5ed5da6d8118, 0xd807aa98a3030242, 0x12835b0145706fbe,
  0x243185be4ee4b28c, 0x550c7dc3d5ffb4e2, 0x72be5d74f27b896f, 0x80deb1fe3b1696b1, 0x9bdc06a725c71235,
  0xc19bf174cf692694, 0xe49b69c19ef14ad2, 0xefbe4786384f25e3, 0x0fc19dc68b8cd5b5, 0x240ca1cc77ac9c65,
  0x2de92c6f592b0275, 0x4a7484aa6ea6e483, 0x5cb0a9dcbd41fbd4, 0x76f988da831153b5, 0x983e5152ee66dfab,
  0xa831c66d2db43210, 0xb00327c898fb213f, 0xbf597fc7beef0ee4, 0xc6e00bf33da88fc2, 0xd5a79147930aa725,
  0x06ca6351e003826f, 0x142929670a0e6e70, 0x27b70a8546d22ffc, 0x2e1b21385c26c926, 0x4d2c6dfc5ac42aed,
  0x53380d139d95b3df, 0x650a73548baf63de, 0x766a0abb3c77b2a8, 0x81c2c92e47edaee6, 0x92722c851482353b,
  0xa2bfe8a14cf10364, 0xa81a664bbc423001, 0xc24b8b70d0f89791, 0xc76c51a30654be30, 0xd192e819d6ef5218,
  0xd69906245565a910, 0xf40e35855771202a, 0x106aa07032bbd1b8, 0x19a4c116b8d2d0c8, 0x1e376c085141ab53,
  0x2748774cdf8eeb99, 0x34b0bcb5e19b48a8, 0x391c0cb3c5c95a63, 0x4ed8aa4ae3418acb, 0x5b9cca4f7763e373,
  0x682e6ff3d6b2b8a3, 0x748f82ee5defb2fc, 0x78a5636f43172f60, 0x84c87814a1f0ab72, 0x8cc702081a6439ec,
  0x90befffa23631e28, 0xa4506cebde82bde9, 0xbef9a3f7b2c67915, 0xc67178f2e372532b, 0xca273eceea26619c,
  0xd186b8c721c0c207, 0xeada7dd6cde0eb1e, 0xf57d4f7fee6ed178, 0x06f067aa72176fba, 0x0a637dc5a2c898a6,
  0x113f9804bef90dae, 0x1b710b35131c471b, 0x28db77f523047d84, 0x32caab7b40c72493, 0x3c9ebe0a15c9bebc,
  0x431d67c49c100d4c, 0x4cc5d4becb3e42b6, 0x597f299cfc657e2a, 0x5fcb6fab3ad6faec, 0x6c44198c4a475817,
];

/** FIPS 180-4 §5.3.5 initial hash value. */
const IV: StaticArray<u64> = [
  0x6a09e667f3bcc908, 0xbb67ae8584caa73b, 0x3c6ef372fe94f82b, 0xa54ff53a5f1d36f1,
  0x510e527fade682d1, 0x9b05688c2b3e6c1f, 0x1f83d9abfb41bd6b, 0x5be0cd19137e2179,
];

const W: usize = memory.data(640, 16);

/** Digest length in bytes. */
export const SHA512_BYTES: i32 = 64;

/** The compression function (§6.4.2) of `blocks` 128-byte blocks at p into the 8 words at h. */
function compress(h: usize, p: usize, blocks: i32): void {
  const k = changetype<usize>(K);
  for (let b = 0; b < blocks; b++) {
    const m = p + <usize>(b * 128);
    for (let t = 0; t < 16; t++) store<u64>(W + <usize>(t * 8), bswap<u64>(load<u64>(m + <usize>(t * 8))));
    for (let t = 16; t < 80; t++) {
      const w15 = load<u64>(W + <usize>((t - 15) * 8));
      const w2 = load<u64>(W + <usize>((t - 2) * 8));
      const s0 = rotr<u64>(w15, 1) ^ rotr<u64>(w15, 8) ^ (w15 >>> 7);
      const s1 = rotr<u64>(w2, 19) ^ rotr<u64>(w2, 61) ^ (w2 >>> 6);
      store<u64>(W + <usize>(t * 8), load<u64>(W + <usize>((t - 16) * 8)) + s0 + load<u64>(W + <usize>((t - 7) * 8)) + s1);
    }
    let a = load<u64>(h), bb = load<u64>(h, 8), c = load<u64>(h, 16), d = load<u64>(h, 24);
    let e = load<u64>(h, 32), f = load<u64>(h, 40), g = load<u64>(h, 48), hh = load<u64>(h, 56);
    for (let t = 0; t < 80; t++) {
      // §4.1.3: Σ1(e), Ch(e,f,g), Σ0(a), Maj(a,b,c)
      const t1 = hh + (rotr<u64>(e, 14) ^ rotr<u64>(e, 18) ^ rotr<u64>(e, 41)) + (g ^ (e & (f ^ g)))
        + load<u64>(k + <usize>(t * 8)) + load<u64>(W + <usize>(t * 8));
      const t2 = (rotr<u64>(a, 28) ^ rotr<u64>(a, 34) ^ rotr<u64>(a, 39)) + ((a & bb) | (c & (a | bb)));
      hh = g; g = f; f = e; e = d + t1;
      d = c; c = bb; bb = a; a = t1 + t2;
    }
    store<u64>(h, load<u64>(h) + a); store<u64>(h, load<u64>(h, 8) + bb, 8);
    store<u64>(h, load<u64>(h, 16) + c, 16); store<u64>(h, load<u64>(h, 24) + d, 24);
    store<u64>(h, load<u64>(h, 32) + e, 32); store<u64>(h, load<u64>(h, 40) + f, 40);
    store<u64>(h, load<u64>(h, 48) + g, 48); store<u64>(h, load<u64>(h, 56) + hh, 56);
  }
}

/** A SHA-512 computation in progress (§6.4): begin, update any number of times, finish. */
export class Sha512 {
  private readonly h: StaticArray<u64> = new StaticArray<u64>(8);
  private readonly buf: StaticArray<u8> = new StaticArray<u8>(128);
  private bufLen: i32 = 0;
  /** Message length in bytes (the §5.1.2 length field is 128 bits; messages here stay far below 2^61 bytes). */
  private total: u64 = 0;
  private open: bool = false;

  /** Starts a hash from the initial value (§5.3.5). */
  begin(): void {
    memory.copy(changetype<usize>(this.h), changetype<usize>(IV), 64);
    this.bufLen = 0;
    this.total = 0;
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
      const take = min(128 - this.bufLen, len);
      memory.copy(buf + <usize>this.bufLen, p, take);
      this.bufLen += take;
      at = take;
      if (this.bufLen < 128) return 0;
      compress(h, buf, 1);
      this.bufLen = 0;
    }
    const blocks = (len - at) >> 7;
    compress(h, p + <usize>at, blocks);
    at += blocks << 7;
    memory.copy(buf, p + <usize>at, len - at);
    this.bufLen = len - at;
    return 0;
  }

  /** Pads (§5.1.2), writes the 64-byte digest to out (big-endian words) and closes. */
  finish(out: usize): i32 {
    if (!this.open) return ERR_CRYPTO_STATE;
    const buf = changetype<usize>(this.buf);
    const h = changetype<usize>(this.h);
    store<u8>(buf + <usize>this.bufLen, 0x80);
    if (this.bufLen >= 112) {
      memory.fill(buf + <usize>(this.bufLen + 1), 0, 127 - this.bufLen);
      compress(h, buf, 1);
      memory.fill(buf, 0, 112);
    } else {
      memory.fill(buf + <usize>(this.bufLen + 1), 0, 111 - this.bufLen);
    }
    store<u64>(buf, bswap<u64>(this.total >>> 61), 112);
    store<u64>(buf, bswap<u64>(this.total << 3), 120);
    compress(h, buf, 1);
    for (let i = 0; i < 8; i++) store<u64>(out + <usize>(i * 8), bswap<u64>(load<u64>(h + <usize>(i * 8))));
    memory.fill(buf, 0, 128);
    memory.fill(h, 0, 64);
    this.open = false;
    return 0;
  }
}
