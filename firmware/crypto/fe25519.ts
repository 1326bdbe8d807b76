/**
 * Arithmetic in GF(p), p = 2^255 - 19 (RFC 8032 §5.1), for Ed25519 verification. An element is 10
 * signed 32-bit limbs in raw memory (40 bytes at a pointer) in radix 2^25.5: limb i weighs
 * 2^ceil(25.5·i), so even limbs hold 26 bits and odd ones 25 once carried. Products are schoolbook
 * in 64-bit arithmetic with 2^255 ≡ 19 folded in; every result is carried (floor division), so the
 * input of every operation has limbs below 2^26 and no 64-bit sum can overflow (the largest sum
 * is 10 terms of 2^26 · 38·2^26 < 2^61). Verification handles public data only: nothing here
 * needs to run in constant time, and nothing allocates.
 */

/** Bytes of one element. */
export const FE_BYTES: usize = 40;

/** Limb i of the element at f, sign-extended. */
@inline function limb(f: usize, i: i32): i64 {
  return <i64>load<i32>(f + <usize>(i << 2));
}

/**
 * Carries h0..h9 (floor division, limb 9 wrapping into limb 0 times 19) and stores them at h:
 * afterwards limbs 0 and 2..9 are in [0, 2^26) / [0, 2^25) and limb 1 at most a little above 2^25.
 */
function carryStore(h: usize, h0: i64, h1: i64, h2: i64, h3: i64, h4: i64, h5: i64, h6: i64, h7: i64, h8: i64, h9: i64): void {
  let c: i64;
  c = h0 >> 26; h1 += c; h0 -= c << 26;
  c = h1 >> 25; h2 += c; h1 -= c << 25;
  c = h2 >> 26; h3 += c; h2 -= c << 26;
  c = h3 >> 25; h4 += c; h3 -= c << 25;
  c = h4 >> 26; h5 += c; h4 -= c << 26;
  c = h5 >> 25; h6 += c; h5 -= c << 25;
  c = h6 >> 26; h7 += c; h6 -= c << 26;
  c = h7 >> 25; h8 += c; h7 -= c << 25;
  c = h8 >> 26; h9 += c; h8 -= c << 26;
  c = h9 >> 25; h0 += c * 19; h9 -= c << 25;
  c = h0 >> 26; h1 += c; h0 -= c << 26;
  store<i32>(h, <i32>h0); store<i32>(h, <i32>h1, 4); store<i32>(h, <i32>h2, 8); store<i32>(h, <i32>h3, 12);
  store<i32>(h, <i32>h4, 16); store<i32>(h, <i32>h5, 20); store<i32>(h, <i32>h6, 24); store<i32>(h, <i32>h7, 28);
  store<i32>(h, <i32>h8, 32); store<i32>(h, <i32>h9, 36);
}

/** h = f (h and f may be the same). */
export function feCopy(h: usize, f: usize): void {
  memory.copy(h, f, FE_BYTES);
}

/** h = a small non-negative integer (below 2^26). */
export function feSet(h: usize, v: i32): void {
  memory.fill(h, 0, FE_BYTES);
  store<i32>(h, v);
}

/** h = f + g. */
export function feAdd(h: usize, f: usize, g: usize): void {
  carryStore(h, limb(f, 0) + limb(g, 0), limb(f, 1) + limb(g, 1), limb(f, 2) + limb(g, 2), limb(f, 3) + limb(g, 3), limb(f, 4) + limb(g, 4),
    limb(f, 5) + limb(g, 5), limb(f, 6) + limb(g, 6), limb(f, 7) + limb(g, 7), limb(f, 8) + limb(g, 8), limb(f, 9) + limb(g, 9));
}

/** h = f - g. */
export function feSub(h: usize, f: usize, g: usize): void {
  carryStore(h, limb(f, 0) - limb(g, 0), limb(f, 1) - limb(g, 1), limb(f, 2) - limb(g, 2), limb(f, 3) - limb(g, 3), limb(f, 4) - limb(g, 4),
    limb(f, 5) - limb(g, 5), limb(f, 6) - limb(g, 6), limb(f, 7) - limb(g, 7), limb(f, 8) - limb(g, 8), limb(f, 9) - limb(g, 9));
}

/** h = -f. */
export function feNeg(h: usize, f: usize): void {
  carryStore(h, -limb(f, 0), -limb(f, 1), -limb(f, 2), -limb(f, 3), -limb(f, 4), -limb(f, 5), -limb(f, 6), -limb(f, 7), -limb(f, 8), -limb(f, 9));
}

/**
 * h = f · g. Limb i times limb j lands in limb (i + j) mod 10: doubled when i and j are both odd
 * (their weights add up to one bit more than limb i + j's), times 19 when i + j ≥ 10.
 */
export function feMul(h: usize, f: usize, g: usize): void {
  const f0 = limb(f, 0), f1 = limb(f, 1), f2 = limb(f, 2), f3 = limb(f, 3), f4 = limb(f, 4);
  const f5 = limb(f, 5), f6 = limb(f, 6), f7 = limb(f, 7), f8 = limb(f, 8), f9 = limb(f, 9);
  const g0 = limb(g, 0), g1 = limb(g, 1), g2 = limb(g, 2), g3 = limb(g, 3), g4 = limb(g, 4);
  const g5 = limb(g, 5), g6 = limb(g, 6), g7 = limb(g, 7), g8 = limb(g, 8), g9 = limb(g, 9);
  const f1x2 = f1 * 2, f3x2 = f3 * 2, f5x2 = f5 * 2, f7x2 = f7 * 2, f9x2 = f9 * 2;
  const g1x19 = g1 * 19, g2x19 = g2 * 19, g3x19 = g3 * 19, g4x19 = g4 * 19, g5x19 = g5 * 19;
  const g6x19 = g6 * 19, g7x19 = g7 * 19, g8x19 = g8 * 19, g9x19 = g9 * 19;
  const h0 = f0 * g0 + f1x2 * g9x19 + f2 * g8x19 + f3x2 * g7x19 + f4 * g6x19 + f5x2 * g5x19 + f6 * g4x19 + f7x2 * g3x19 + f8 * g2x19 + f9x2 * g1x19;
  const h1 = f0 * g1 + f1 * g0 + f2 * g9x19 + f3 * g8x19 + f4 * g7x19 + f5 * g6x19 + f6 * g5x19 + f7 * g4x19 + f8 * g3x19 + f9 * g2x19;
  const h2 = f0 * g2 + f1x2 * g1 + f2 * g0 + f3x2 * g9x19 + f4 * g8x19 + f5x2 * g7x19 + f6 * g6x19 + f7x2 * g5x19 + f8 * g4x19 + f9x2 * g3x19;
  const h3 = f0 * g3 + f1 * g2 + f2 * g1 + f3 * g0 + f4 * g9x19 + f5 * g8x19 + f6 * g7x19 + f7 * g6x19 + f8 * g5x19 + f9 * g4x19;
  const h4 = f0 * g4 + f1x2 * g3 + f2 * g2 + f3x2 * g1 + f4 * g0 + f5x2 * g9x19 + f6 * g8x19 + f7x2 * g7x19 + f8 * g6x19 + f9x2 * g5x19;
  const h5 = f0 * g5 + f1 * g4 + f2 * g3 + f3 * g2 + f4 * g1 + f5 * g0 + f6 * g9x19 + f7 * g8x19 + f8 * g7x19 + f9 * g6x19;
  const h6 = f0 * g6 + f1x2 * g5 + f2 * g4 + f3x2 * g3 + f4 * g2 + f5x2 * g1 + f6 * g0 + f7x2 * g9x19 + f8 * g8x19 + f9x2 * g7x19;
  const h7 = f0 * g7 + f1 * g6 + f2 * g5 + f3 * g4 + f4 * g3 + f5 * g2 + f6 * g1 + f7 * g0 + f8 * g9x19 + f9 * g8x19;
  const h8 = f0 * g8 + f1x2 * g7 + f2 * g6 + f3x2 * g5 + f4 * g4 + f5x2 * g3 + f6 * g2 + f7x2 * g1 + f8 * g0 + f9x2 * g9x19;
  const h9 = f0 * g9 + f1 * g8 + f2 * g7 + f3 * g6 + f4 * g5 + f5 * g4 + f6 * g3 + f7 * g2 + f8 * g1 + f9 * g0;
  carryStore(h, h0, h1, h2, h3, h4, h5, h6, h7, h8, h9);
}

/** h = f², the products of feMul with each pair of limbs taken once (and doubled). */
export function feSq(h: usize, f: usize): void {
  const f0 = limb(f, 0), f1 = limb(f, 1), f2 = limb(f, 2), f3 = limb(f, 3), f4 = limb(f, 4);
  const f5 = limb(f, 5), f6 = limb(f, 6), f7 = limb(f, 7), f8 = limb(f, 8), f9 = limb(f, 9);
  const h0 = f0 * f0 + f1 * f9 * 76 + f2 * f8 * 38 + f3 * f7 * 76 + f4 * f6 * 38 + f5 * f5 * 38;
  const h1 = f0 * f1 * 2 + f2 * f9 * 38 + f3 * f8 * 38 + f4 * f7 * 38 + f5 * f6 * 38;
  const h2 = f0 * f2 * 2 + f1 * f1 * 2 + f3 * f9 * 76 + f4 * f8 * 38 + f5 * f7 * 76 + f6 * f6 * 19;
  const h3 = f0 * f3 * 2 + f1 * f2 * 2 + f4 * f9 * 38 + f5 * f8 * 38 + f6 * f7 * 38;
  const h4 = f0 * f4 * 2 + f1 * f3 * 4 + f2 * f2 + f5 * f9 * 76 + f6 * f8 * 38 + f7 * f7 * 38;
  const h5 = f0 * f5 * 2 + f1 * f4 * 2 + f2 * f3 * 2 + f6 * f9 * 38 + f7 * f8 * 38;
  const h6 = f0 * f6 * 2 + f1 * f5 * 4 + f2 * f4 * 2 + f3 * f3 * 2 + f7 * f9 * 76 + f8 * f8 * 19;
  const h7 = f0 * f7 * 2 + f1 * f6 * 2 + f2 * f5 * 2 + f3 * f4 * 2 + f8 * f9 * 38;
  const h8 = f0 * f8 * 2 + f1 * f7 * 4 + f2 * f6 * 2 + f3 * f5 * 4 + f4 * f4 + f9 * f9 * 38;
  const h9 = f0 * f9 * 2 + f1 * f8 * 2 + f2 * f7 * 2 + f3 * f6 * 2 + f4 * f5 * 2;
  carryStore(h, h0, h1, h2, h3, h4, h5, h6, h7, h8, h9);
}

/** h = f^(2^n), n ≥ 1. */
function feSqN(h: usize, f: usize, n: i32): void {
  feSq(h, f);
  for (let i = 1; i < n; i++) feSq(h, h);
}

const T0: usize = memory.data(<i32>FE_BYTES * 4, 8);
const T1: usize = T0 + FE_BYTES;
const T2: usize = T1 + FE_BYTES;
const T3: usize = T2 + FE_BYTES;

/**
 * z^(2^250 - 1) into T3 and z^11 into T1, by the usual addition chain for p - 2 (11
 * multiplications, 254 squarings): z^(2^5-1), then 2^10, 2^20, 2^40, 2^50, 2^100, 2^200, 2^250.
 */
function pow2250m1(z: usize): void {
  feSq(T0, z);                              // z^2
  feSqN(T1, T0, 2); feMul(T1, T1, z);       // z^9
  feMul(T0, T1, T0);                        // z^11
  feSq(T2, T0); feMul(T1, T2, T1);          // z^(2^5 - 1)
  feCopy(T2, T0);                           // keep z^11 in T2 for the caller
  feSqN(T0, T1, 5); feMul(T1, T0, T1);      // 2^10 - 1
  feSqN(T0, T1, 10); feMul(T0, T0, T1);     // 2^20 - 1
  feSqN(T3, T0, 20); feMul(T0, T3, T0);     // 2^40 - 1
  feSqN(T0, T0, 10); feMul(T1, T0, T1);     // 2^50 - 1
  feSqN(T0, T1, 50); feMul(T0, T0, T1);     // 2^100 - 1
  feSqN(T3, T0, 100); feMul(T0, T3, T0);    // 2^200 - 1
  feSqN(T0, T0, 50); feMul(T3, T0, T1);     // 2^250 - 1
  feCopy(T1, T2);
}

/** h = z^(p-2) = 1/z (Fermat); 0 for z = 0. */
export function feInvert(h: usize, z: usize): void {
  pow2250m1(z);
  feSqN(T0, T3, 5);       // 2^255 - 32
  feMul(h, T0, T1);       // · z^11 = z^(2^255 - 21)
}

/** h = z^((p-5)/8) = z^(2^252 - 3), the exponent of the square root in RFC 8032 §5.1.3 step 3. */
export function fePow22523(h: usize, z: usize): void {
  pow2250m1(z);
  feSqN(T0, T3, 2);       // 2^252 - 4
  feMul(h, T0, z);
}

/** Bit position of limb i's lowest bit: ceil(25.5·i). */
@inline function limbStart(i: i32): i32 {
  return (51 * i + 1) >> 1;
}

/** h = the 255-bit little-endian integer at p (bit 255, the sign of x in a point encoding, is ignored). */
export function feFromBytes(h: usize, p: usize): void {
  for (let i = 0; i < 10; i++) {
    const start = limbStart(i);
    const width = (i & 1) == 0 ? 26 : 25;
    let v: u64 = 0;
    const first = start >> 3;
    for (let b = 0; b < 5 && first + b < 32; b++) v |= <u64>load<u8>(p + <usize>(first + b)) << <u64>(8 * b);
    store<i32>(h + <usize>(i << 2), <i32>((v >> <u64>(start & 7)) & ((<u64>1 << <u64>width) - 1)));
  }
}

const FREEZE: usize = memory.data(<i32>FE_BYTES, 8);

/**
 * The canonical 32-byte little-endian encoding of f (reduced below p) at out. Two carry passes
 * bring every limb into range (value below 2^255); p itself is then the one value to subtract from
 * when every limb above 0 is full and limb 0 is at least 2^26 - 19.
 */
export function feToBytes(out: usize, f: usize): void {
  const h = FREEZE;
  feCopy(h, f);
  for (let pass = 0; pass < 2; pass++) {
    carryStore(h, limb(h, 0), limb(h, 1), limb(h, 2), limb(h, 3), limb(h, 4), limb(h, 5), limb(h, 6), limb(h, 7), limb(h, 8), limb(h, 9));
  }
  let full = limb(h, 0) >= (1 << 26) - 19;
  for (let i = 1; i < 10 && full; i++) full = limb(h, i) == ((i & 1) == 0 ? (1 << 26) - 1 : (1 << 25) - 1);
  if (full) {
    feSet(h, <i32>(limb(h, 0) - ((1 << 26) - 19)));
  }
  memory.fill(out, 0, 32);
  for (let i = 0; i < 10; i++) {
    const start = limbStart(i);
    let v = <u64>load<i32>(h + <usize>(i << 2)) << <u64>(start & 7);
    for (let b = start >> 3; v != 0 && b < 32; b++) {
      store<u8>(out + <usize>b, load<u8>(out + <usize>b) | <u8>v);
      v >>= 8;
    }
  }
}

const BYTES_A: usize = memory.data(32);

/** True when f ≡ 0 (mod p). */
export function feIsZero(f: usize): bool {
  feToBytes(BYTES_A, f);
  let acc: u32 = 0;
  for (let i = 0; i < 32; i++) acc |= load<u8>(BYTES_A + <usize>i);
  return acc == 0;
}

const DIFF: usize = memory.data(<i32>FE_BYTES, 8);

/** True when f ≡ g (mod p). */
export function feEqual(f: usize, g: usize): bool {
  feSub(DIFF, f, g);
  return feIsZero(DIFF);
}

/** The low bit of f's canonical value: RFC 8032 §5.1.2's "negative" x. */
export function feIsOdd(f: usize): bool {
  feToBytes(BYTES_A, f);
  return (load<u8>(BYTES_A) & 1) != 0;
}
