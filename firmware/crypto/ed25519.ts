/**
 * Ed25519 signature verification (RFC 8032 §5.1.7), cofactorless, with strict decoding as
 * Wycheproof expects: a public key or R that is not the canonical encoding of a curve point
 * (y ≥ p, x = 0 with the sign bit set, no square root) or that has small order ([8]P = O) is
 * refused, and so is S ≥ L. The check is [S]B = R + [k]A, done as R' = [S]B + [k](−A) (Shamir's
 * joint double-and-add) and compared with R byte for byte, so only the canonical R can match.
 *
 * The work is split into bounded steps (Ed25519Verifier.step) so that firmware can verify an image
 * across several events: decoding A, decoding R, and the 253 ladder bits in chunks, then encoding.
 * Points are extended twisted Edwards coordinates (X:Y:Z:T), x = X/Z, y = Y/Z, xy = T/Z
 * (Hisil–Wong–Carter–Dawson 2008, a = −1: "add-2008-hwcd-3" and "dbl-2008-hwcd"). All memory is
 * static; nothing allocates after start-up. Verification handles public data: not constant time.
 */
import { FE_BYTES, feAdd, feSub, feMul, feSq, feNeg, feCopy, feSet, feInvert, fePow22523, feFromBytes, feToBytes, feIsZero, feEqual, feIsOdd } from "./fe25519";
import { Sha512 } from "./sha512";
import { ERR_CRYPTO_BAD_SIGNATURE, ERR_CRYPTO_BAD_PUBLIC_KEY, ERR_CRYPTO_BAD_SIGNATURE_ENCODING, ERR_CRYPTO_STATE } from "./errors";

/** Bytes of a public key and of a signature (RFC 8032 §5.1.5, §5.1.6). */
export const ED25519_PUBLIC_KEY_BYTES: i32 = 32;
export const ED25519_SIGNATURE_BYTES: i32 = 64;

const POINT: usize = FE_BYTES * 4;

/** Static field elements and points: constants, then working storage. */
const FES: usize = memory.data(<i32>FE_BYTES * 12, 8);
const D: usize = FES;                    // d = −121665/121666
const D2: usize = D + FE_BYTES;          // 2d
const SQRTM1: usize = D2 + FE_BYTES;     // √−1 = 2^((p−1)/4)
const U: usize = SQRTM1 + FE_BYTES;
const V: usize = U + FE_BYTES;
const W: usize = V + FE_BYTES;
const X: usize = W + FE_BYTES;
const E: usize = X + FE_BYTES;
const F: usize = E + FE_BYTES;
const G: usize = F + FE_BYTES;
const H: usize = G + FE_BYTES;
const I: usize = H + FE_BYTES;

const POINTS: usize = memory.data(<i32>POINT * 6, 8);
const BASE: usize = POINTS;              // B (RFC 8032 §5.1: y = 4/5, x even)
const NEG_A: usize = BASE + POINT;       // −A
const B_NEG_A: usize = NEG_A + POINT;    // B − A
const Q: usize = B_NEG_A + POINT;        // the running sum
const R_POINT: usize = Q + POINT;        // R, decoded only to check its order
const TMP: usize = R_POINT + POINT;

@inline function px(p: usize): usize { return p; }
@inline function py(p: usize): usize { return p + FE_BYTES; }
@inline function pz(p: usize): usize { return p + FE_BYTES * 2; }
@inline function pt(p: usize): usize { return p + FE_BYTES * 3; }

/** p = the neutral element (0, 1). */
function geIdentity(p: usize): void {
  feSet(px(p), 0); feSet(py(p), 1); feSet(pz(p), 1); feSet(pt(p), 0);
}

/** r = p + q (add-2008-hwcd-3 with k = 2d; r may be p or q). */
function geAdd(r: usize, p: usize, q: usize): void {
  feSub(E, py(p), px(p)); feSub(F, py(q), px(q)); feMul(U, E, F);        // A = (Y1−X1)(Y2−X2)
  feAdd(E, py(p), px(p)); feAdd(F, py(q), px(q)); feMul(V, E, F);        // B = (Y1+X1)(Y2+X2)
  feMul(W, pt(p), D2); feMul(W, W, pt(q));                                // C = T1·2d·T2
  feMul(X, pz(p), pz(q)); feAdd(X, X, X);                                 // D = 2·Z1·Z2
  feSub(E, V, U); feSub(F, X, W); feAdd(G, X, W); feAdd(H, V, U);         // E, F, G, H
  feMul(px(r), E, F); feMul(py(r), G, H); feMul(pt(r), E, H); feMul(pz(r), F, G);
}

/** r = 2p (dbl-2008-hwcd, a = −1; r may be p). */
function geDouble(r: usize, p: usize): void {
  feSq(U, px(p));                                                         // A = X1²
  feSq(V, py(p));                                                         // B = Y1²
  feSq(W, pz(p)); feAdd(W, W, W);                                         // C = 2·Z1²
  feAdd(X, px(p), py(p)); feSq(X, X); feSub(X, X, U); feSub(E, X, V);    // E = (X1+Y1)² − A − B
  feSub(G, V, U);                                                         // G = −A + B
  feSub(F, G, W);                                                         // F = G − C
  feAdd(H, U, V); feNeg(H, H);                                            // H = −A − B
  feMul(px(r), E, F); feMul(py(r), G, H); feMul(pt(r), E, H); feMul(pz(r), F, G);
}

/** r = −p. */
function geNeg(r: usize, p: usize): void {
  feNeg(px(r), px(p)); feCopy(py(r), py(p)); feCopy(pz(r), pz(p)); feNeg(pt(r), pt(p));
}

/** True when the 32 bytes at s, bit 255 cleared, encode an integer ≥ p = 2^255 − 19 (RFC 8032 §5.1.3 step 1). */
function notCanonicalY(s: usize): bool {
  if ((load<u8>(s + 31) & 0x7f) != 0x7f) return false;
  for (let i = 30; i > 0; i--) if (load<u8>(s + <usize>i) != 0xff) return false;
  return load<u8>(s) >= 0xed;
}

/** Decodes the point encoded at s into p (RFC 8032 §5.1.3), strictly; false when s is not a canonical point encoding. */
function geDecode(p: usize, s: usize): bool {
  if (notCanonicalY(s)) return false;
  const sign = (load<u8>(s + 31) >> 7) != 0;
  feFromBytes(py(p), s);
  feSet(pz(p), 1);
  feSq(U, py(p));                 // y²
  feMul(V, U, D);                 // d·y²
  feSub(U, U, pz(p));             // u = y² − 1
  feAdd(V, V, pz(p));             // v = d·y² + 1
  // Step 2: x = u·v³·(u·v⁷)^((p−5)/8)
  feSq(W, V); feMul(W, W, V);     // v³
  feSq(X, W); feMul(X, X, V); feMul(X, X, U);  // u·v⁷
  fePow22523(X, X);
  feMul(X, X, W); feMul(X, X, U); // x candidate
  // Step 3: v·x² = u, or = −u (then x·√−1), else no square root.
  feSq(W, X); feMul(W, W, V);
  if (!feEqual(W, U)) {
    feNeg(U, U);
    if (!feEqual(W, U)) return false;
    feMul(X, X, SQRTM1);
  }
  // Step 4: x = 0 has no negative; pick the root whose low bit is the sign.
  if (feIsZero(X)) {
    if (sign) return false;
  } else if (feIsOdd(X) != sign) {
    feNeg(X, X);
  }
  feCopy(px(p), X);
  feMul(pt(p), X, py(p));
  return true;
}

/** The encoding of p (RFC 8032 §5.1.2) at out. */
function geEncode(out: usize, p: usize): void {
  feInvert(I, pz(p));
  feMul(X, px(p), I);
  feMul(W, py(p), I);
  feToBytes(out, W);
  if (feIsOdd(X)) store<u8>(out + 31, load<u8>(out + 31) | 0x80);
}

/** True when [8]p is the neutral element: p is one of the 8 points of small order. */
function geSmallOrder(p: usize): bool {
  geDouble(TMP, p); geDouble(TMP, TMP); geDouble(TMP, TMP);
  return feIsZero(px(TMP)) && feEqual(py(TMP), pz(TMP));
}

let ready = false;
const ENC: usize = memory.data(32);

/** Computes d, 2d, √−1 and the base point from their definitions (RFC 8032 §5.1), once. */
function init(): void {
  if (ready) return;
  feSet(U, 121666); feInvert(U, U); feSet(V, 121665); feMul(D, U, V); feNeg(D, D);
  feAdd(D2, D, D);
  feSet(U, 2); fePow22523(V, U); feSq(V, V); feMul(SQRTM1, V, U);     // (2^((p−5)/8))²·2 = 2^((p−1)/4)
  feSet(U, 5); feInvert(U, U); feSet(V, 4); feMul(U, U, V);            // y = 4/5
  feToBytes(ENC, U);                                                   // x is even: sign bit 0
  geDecode(BASE, ENC);
  ready = true;
}

/** L = 2^252 + 27742317777372353535851937790883648493 (RFC 8032 §5.1), as eight little-endian 32-bit words. */
const L: StaticArray<u32> = [0x5cf5d3ed, 0x5812631a, 0xa2f79cd6, 0x14def9de, 0, 0, 0, 0x10000000];

/** True when the 8 words at a are ≥ L. */
function atLeastL(a: usize): bool {
  for (let i = 7; i >= 0; i--) {
    const w = load<u32>(a + <usize>(i << 2));
    const l = unchecked(L[i]);
    if (w != l) return w > l;
  }
  return true;
}

/** a -= L (a ≥ L). */
function subL(a: usize): void {
  let borrow: i64 = 0;
  for (let i = 0; i < 8; i++) {
    const d = <i64>load<u32>(a + <usize>(i << 2)) - <i64>unchecked(L[i]) - borrow;
    store<u32>(a + <usize>(i << 2), <u32>d);
    borrow = d < 0 ? 1 : 0;
  }
}

/** r (8 words) = the len-byte little-endian integer at p mod L, one bit at a time (r < L throughout, 2r + 1 < 2^254). */
function reduceModL(r: usize, p: usize, len: i32): void {
  memory.fill(r, 0, 32);
  for (let bit = len * 8 - 1; bit >= 0; bit--) {
    let carry = <u32>(load<u8>(p + <usize>(bit >> 3)) >> <u8>(bit & 7)) & 1;
    for (let i = 0; i < 8; i++) {
      const w = load<u32>(r + <usize>(i << 2));
      store<u32>(r + <usize>(i << 2), (w << 1) | carry);
      carry = w >>> 31;
    }
    if (atLeastL(r)) subL(r);
  }
}

@inline function bitOf(s: usize, i: i32): i32 {
  return (load<u8>(s + <usize>(i >> 3)) >> <u8>(i & 7)) & 1;
}

/** Ladder bits: S and k are below L < 2^253. */
const TOP_BIT: i32 = 252;

const PHASE_IDLE: i32 = 0;
const PHASE_DECODE_A: i32 = 1;
const PHASE_DECODE_R: i32 = 2;
const PHASE_LADDER: i32 = 3;
const PHASE_ENCODE: i32 = 4;

/** step() result: more steps are needed. */
export const ED25519_PENDING: i32 = 1;
/** Ladder bits per step: about as much work as one decoding (a square root) or the final inversion. */
export const ED25519_LADDER_BITS_PER_STEP: i32 = 32;

/**
 * One verification in bounded steps: start() takes the key, signature and message (hashing the
 * message, so the caller's buffer is free afterwards), then each step() does one decoding, up to
 * ED25519_LADDER_BITS_PER_STEP ladder bits, or the final encoding and comparison, and returns
 * ED25519_PENDING until it returns the verdict: 0, or ERR_CRYPTO_BAD_PUBLIC_KEY /
 * ERR_CRYPTO_BAD_SIGNATURE_ENCODING / ERR_CRYPTO_BAD_SIGNATURE. Only one verification runs at a
 * time in a module (the points and field elements are static).
 */
export class Ed25519Verifier {
  private readonly pk: StaticArray<u8> = new StaticArray<u8>(32);
  private readonly r: StaticArray<u8> = new StaticArray<u8>(32);
  private readonly s: StaticArray<u8> = new StaticArray<u8>(32);
  private readonly k: StaticArray<u8> = new StaticArray<u8>(32);
  private readonly digest: StaticArray<u8> = new StaticArray<u8>(64);
  private readonly sha: Sha512 = new Sha512();
  private phase: i32 = PHASE_IDLE;
  private bit: i32 = 0;
  /** Steps taken by the last verification (for the benchmark's per-event figures). */
  steps: i32 = 0;

  /**
   * Begins verifying the sigLen-byte signature at sig over the msgLen bytes at msg under the
   * pkLen-byte key at pk. Returns ED25519_PENDING, or the verdict at once when the lengths or S
   * are malformed (RFC 8032 §5.1.7 step 1: S must be below L).
   */
  start(pk: usize, pkLen: i32, sig: usize, sigLen: i32, msg: usize, msgLen: i32): i32 {
    init();
    this.phase = PHASE_IDLE;
    this.steps = 0;
    if (pkLen != ED25519_PUBLIC_KEY_BYTES) return ERR_CRYPTO_BAD_PUBLIC_KEY;
    if (sigLen != ED25519_SIGNATURE_BYTES) return ERR_CRYPTO_BAD_SIGNATURE_ENCODING;
    const pkp = changetype<usize>(this.pk), rp = changetype<usize>(this.r), sp = changetype<usize>(this.s);
    memory.copy(pkp, pk, 32);
    memory.copy(rp, sig, 32);
    memory.copy(sp, sig + 32, 32);
    if (atLeastL(sp)) return ERR_CRYPTO_BAD_SIGNATURE_ENCODING;
    // Step 2: k = SHA-512(R ‖ A ‖ M) mod L.
    const dp = changetype<usize>(this.digest);
    this.sha.begin();
    this.sha.update(rp, 32);
    this.sha.update(pkp, 32);
    this.sha.update(msg, msgLen);
    this.sha.finish(dp);
    reduceModL(changetype<usize>(this.k), dp, 64);
    this.phase = PHASE_DECODE_A;
    return ED25519_PENDING;
  }

  /** One bounded step; see the class comment. ERR_CRYPTO_STATE when no verification is under way. */
  step(): i32 {
    this.steps++;
    const phase = this.phase;
    if (phase == PHASE_DECODE_A) {
      if (!geDecode(NEG_A, changetype<usize>(this.pk)) || geSmallOrder(NEG_A)) return this.end(ERR_CRYPTO_BAD_PUBLIC_KEY);
      geNeg(NEG_A, NEG_A);
      this.phase = PHASE_DECODE_R;
      return ED25519_PENDING;
    }
    if (phase == PHASE_DECODE_R) {
      if (!geDecode(R_POINT, changetype<usize>(this.r)) || geSmallOrder(R_POINT)) return this.end(ERR_CRYPTO_BAD_SIGNATURE_ENCODING);
      geAdd(B_NEG_A, BASE, NEG_A);
      geIdentity(Q);
      this.bit = TOP_BIT;
      this.phase = PHASE_LADDER;
      return ED25519_PENDING;
    }
    if (phase == PHASE_LADDER) {
      const sp = changetype<usize>(this.s), kp = changetype<usize>(this.k);
      const stop = max(this.bit - ED25519_LADDER_BITS_PER_STEP, -1);
      for (let i = this.bit; i > stop; i--) {
        geDouble(Q, Q);
        const which = bitOf(sp, i) | (bitOf(kp, i) << 1);
        if (which == 1) geAdd(Q, Q, BASE);
        else if (which == 2) geAdd(Q, Q, NEG_A);
        else if (which == 3) geAdd(Q, Q, B_NEG_A);
      }
      this.bit = stop;
      if (stop < 0) this.phase = PHASE_ENCODE;
      return ED25519_PENDING;
    }
    if (phase == PHASE_ENCODE) {
      geEncode(ENC, Q);
      const rp = changetype<usize>(this.r);
      let diff: u32 = 0;
      for (let i = 0; i < 32; i++) diff |= <u32>(load<u8>(ENC + <usize>i) ^ load<u8>(rp + <usize>i));
      return this.end(diff == 0 ? 0 : ERR_CRYPTO_BAD_SIGNATURE);
    }
    this.steps--;
    return ERR_CRYPTO_STATE;
  }

  private end(verdict: i32): i32 {
    this.phase = PHASE_IDLE;
    return verdict;
  }

  /** The whole verification at once: start() then step() until the verdict. */
  verify(pk: usize, pkLen: i32, sig: usize, sigLen: i32, msg: usize, msgLen: i32): i32 {
    let rc = this.start(pk, pkLen, sig, sigLen, msg, msgLen);
    while (rc == ED25519_PENDING) rc = this.step();
    return rc;
  }
}

/** The encoding of [scalar]B for a 32-byte little-endian scalar at s (reduced mod L first); for tests of the curve arithmetic. */
export function ed25519BaseMultiple(out: usize, s: usize): void {
  init();
  const k = changetype<usize>(SCALAR);
  reduceModL(k, s, 32);
  geIdentity(Q);
  for (let i = 255; i >= 0; i--) {
    geDouble(Q, Q);
    if (bitOf(k, i) != 0) geAdd(Q, Q, BASE);
  }
  geEncode(out, Q);
}

const SCALAR: StaticArray<u8> = new StaticArray<u8>(32);
