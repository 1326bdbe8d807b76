/**
 * Constant-time AES-128 core (FIPS 197), bitsliced.
 *
 * Design (after BearSSL's aes_ct by Thomas Pornin, https://bearssl.org/constanttime.html, and the
 * Boyar–Peralta S-box circuit, "A new combinational logic minimization technique with
 * applications to cryptology", SEA 2010; written here from those descriptions, not copied):
 * the state of two blocks is held as 8 bit-planes of 32 bits, plane i holding bit i of each of
 * the 32 bytes at bit position row*8 + column*2 + block. SubBytes is a fixed circuit of 32 ANDs
 * and ~90 XORs on the planes (inverse: affine map, circuit, affine map), ShiftRows is a rotation
 * inside each byte of a plane, MixColumns a rotation of the plane by whole bytes plus a GF(2^8)
 * doubling that only renames planes. Encryption (and decryption in the speed build) is
 * fixsliced after Adomnicai and Peyrin, "Fixslicing AES-like ciphers" (TCHES 2021/1): ShiftRows
 * is folded into four MixColumns variants and pre-rotated round keys, which removes ~40% of the
 * linear layer. No table is indexed and no branch is taken on key or data:
 * every memory access in this file is at a fixed offset from the caller's state, key-schedule or
 * block pointer (test/crypto/constant-time.test.ts checks the compiled WASM for this).
 *
 * The same generic code runs on T = u32 (2 blocks: the scalar, microcontroller build) and on
 * T = v128 (4 independent 32-bit lanes = 8 blocks: the SIMD build), selected at compile time.
 */

@inline function xr<T>(a: T, b: T): T { if (isInteger<T>()) { return a ^ b; } else { return v128.xor(a, b); } }
@inline function an<T>(a: T, b: T): T { if (isInteger<T>()) { return a & b; } else { return v128.and(a, b); } }
@inline function orr<T>(a: T, b: T): T { if (isInteger<T>()) { return a | b; } else { return v128.or(a, b); } }
@inline function nt<T>(a: T): T { if (isInteger<T>()) { return ~a; } else { return v128.not(a); } }
@inline function sl<T>(a: T, n: i32): T { if (isInteger<T>()) { return a << n; } else { return i32x4.shl(a, n); } }
@inline function sr<T>(a: T, n: i32): T { if (isInteger<T>()) { return a >>> n; } else { return i32x4.shr_u(a, n); } }
@inline function rr<T>(a: T, n: i32): T { if (isInteger<T>()) { return rotr<T>(a, n); } else { return v128.or(i32x4.shr_u(a, n), i32x4.shl(a, 32 - n)); } }
@inline function k32<T>(c: u32): T { if (isInteger<T>()) { return <T>c; } else { return i32x4.splat(c); } }
@inline function ld<T>(p: usize, i: i32): T { return load<T>(p + <usize>(i * sizeof<T>())); }
@inline function st<T>(p: usize, i: i32, v: T): void { store<T>(p + <usize>(i * sizeof<T>()), v); }
/** Round-key plane i of round r: stored once as u32, broadcast to every lane in the SIMD build. */
@inline function rkp<T>(rk: usize, r: i32, i: i32): T {
  if (isInteger<T>()) { return <T>load<u32>(rk + <usize>(r * 32 + i * 4)); } else { return i32x4.splat(load<u32>(rk + <usize>(r * 32 + i * 4))); }
}

@inline function swapMove<T>(q: usize, a: i32, b: i32, mask: u32, n: i32): void {
  const x = ld<T>(q, a);
  const y = ld<T>(q, b);
  const t = an<T>(xr<T>(sr<T>(x, n), y), k32<T>(mask));
  st<T>(q, b, xr<T>(y, t));
  st<T>(q, a, xr<T>(x, sl<T>(t, n)));
}

/**
 * Transposes the 8 words at q as 8x8 bit matrices, one per byte lane: word j byte r bit b moves
 * to word b byte r bit j. Turns block columns into bit-planes and back (it is its own inverse).
 */
@inline function ortho<T>(q: usize): void {
  swapMove<T>(q, 0, 1, 0x55555555, 1); swapMove<T>(q, 2, 3, 0x55555555, 1);
  swapMove<T>(q, 4, 5, 0x55555555, 1); swapMove<T>(q, 6, 7, 0x55555555, 1);
  swapMove<T>(q, 0, 2, 0x33333333, 2); swapMove<T>(q, 1, 3, 0x33333333, 2);
  swapMove<T>(q, 4, 6, 0x33333333, 2); swapMove<T>(q, 5, 7, 0x33333333, 2);
  swapMove<T>(q, 0, 4, 0x0f0f0f0f, 4); swapMove<T>(q, 1, 5, 0x0f0f0f0f, 4);
  swapMove<T>(q, 2, 6, 0x0f0f0f0f, 4); swapMove<T>(q, 3, 7, 0x0f0f0f0f, 4);
}

/** SubBytes (FIPS 197 §5.1.1) on all bytes of the planes at q: the Boyar–Peralta circuit. */
function subBytes<T>(q: usize): void {
  const u0 = ld<T>(q, 7), u1 = ld<T>(q, 6), u2 = ld<T>(q, 5), u3 = ld<T>(q, 4);
  const u4 = ld<T>(q, 3), u5 = ld<T>(q, 2), u6 = ld<T>(q, 1), u7 = ld<T>(q, 0);
  const t1 = xr<T>(u0, u3), t2 = xr<T>(u0, u5), t3 = xr<T>(u0, u6), t4 = xr<T>(u3, u5);
  const t5 = xr<T>(u4, u6), t6 = xr<T>(t1, t5), t7 = xr<T>(u1, u2), t8 = xr<T>(u7, t6);
  const t9 = xr<T>(u7, t7), t10 = xr<T>(t6, t7), t11 = xr<T>(u1, u5), t12 = xr<T>(u2, u5);
  const t13 = xr<T>(t3, t4), t14 = xr<T>(t6, t11), t15 = xr<T>(t5, t11), t16 = xr<T>(t5, t12);
  const t17 = xr<T>(t9, t16), t18 = xr<T>(u3, u7), t19 = xr<T>(t7, t18), t20 = xr<T>(t1, t19);
  const t21 = xr<T>(u6, u7), t22 = xr<T>(t7, t21), t23 = xr<T>(t2, t22), t24 = xr<T>(t2, t10);
  const t25 = xr<T>(t20, t17), t26 = xr<T>(t3, t16), t27 = xr<T>(t1, t12);

  const m1 = an<T>(t13, t6), m2 = an<T>(t23, t8), m3 = xr<T>(t14, m1), m4 = an<T>(t19, u7);
  const m5 = xr<T>(m4, m1), m6 = an<T>(t3, t16), m7 = an<T>(t22, t9), m8 = xr<T>(t26, m6);
  const m9 = an<T>(t20, t17), m10 = xr<T>(m9, m6), m11 = an<T>(t1, t15), m12 = an<T>(t4, t27);
  const m13 = xr<T>(m12, m11), m14 = an<T>(t2, t10), m15 = xr<T>(m14, m11), m16 = xr<T>(m3, m2);
  const m17 = xr<T>(m5, t24), m18 = xr<T>(m8, m7), m19 = xr<T>(m10, m15), m20 = xr<T>(m16, m13);
  const m21 = xr<T>(m17, m15), m22 = xr<T>(m18, m13), m23 = xr<T>(m19, t25), m24 = xr<T>(m22, m23);
  const m25 = an<T>(m22, m20), m26 = xr<T>(m21, m25), m27 = xr<T>(m20, m21), m28 = xr<T>(m23, m25);
  const m29 = an<T>(m28, m27), m30 = an<T>(m26, m24), m31 = an<T>(m20, m23), m32 = an<T>(m27, m31);
  const m33 = xr<T>(m27, m25), m34 = an<T>(m21, m22), m35 = an<T>(m24, m34), m36 = xr<T>(m24, m25);
  const m37 = xr<T>(m21, m29), m38 = xr<T>(m32, m33), m39 = xr<T>(m23, m30), m40 = xr<T>(m35, m36);
  const m41 = xr<T>(m38, m40), m42 = xr<T>(m37, m39), m43 = xr<T>(m37, m38), m44 = xr<T>(m39, m40);
  const m45 = xr<T>(m42, m41);
  const m46 = an<T>(m44, t6), m47 = an<T>(m40, t8), m48 = an<T>(m39, u7), m49 = an<T>(m43, t16);
  const m50 = an<T>(m38, t9), m51 = an<T>(m37, t17), m52 = an<T>(m42, t15), m53 = an<T>(m45, t27);
  const m54 = an<T>(m41, t10), m55 = an<T>(m44, t13), m56 = an<T>(m40, t23), m57 = an<T>(m39, t19);
  const m58 = an<T>(m43, t3), m59 = an<T>(m38, t22), m60 = an<T>(m37, t20), m61 = an<T>(m42, t1);
  const m62 = an<T>(m45, t4), m63 = an<T>(m41, t2);

  const l0 = xr<T>(m61, m62), l1 = xr<T>(m50, m56), l2 = xr<T>(m46, m48), l3 = xr<T>(m47, m55);
  const l4 = xr<T>(m54, m58), l5 = xr<T>(m49, m61), l6 = xr<T>(m62, l5), l7 = xr<T>(m46, l3);
  const l8 = xr<T>(m51, m59), l9 = xr<T>(m52, m53), l10 = xr<T>(m53, l4), l11 = xr<T>(m60, l2);
  const l12 = xr<T>(m48, m51), l13 = xr<T>(m50, l0), l14 = xr<T>(m52, m61), l15 = xr<T>(m55, l1);
  const l16 = xr<T>(m56, l0), l17 = xr<T>(m57, l1), l18 = xr<T>(m58, l8), l19 = xr<T>(m63, l4);
  const l20 = xr<T>(l0, l1), l21 = xr<T>(l1, l7), l22 = xr<T>(l3, l12), l23 = xr<T>(l18, l2);
  const l24 = xr<T>(l15, l9), l25 = xr<T>(l6, l10), l26 = xr<T>(l7, l9), l27 = xr<T>(l8, l10);
  const l28 = xr<T>(l11, l14), l29 = xr<T>(l11, l17);

  st<T>(q, 7, xr<T>(l6, l24));
  st<T>(q, 6, nt<T>(xr<T>(l16, l26)));
  st<T>(q, 5, nt<T>(xr<T>(l19, l28)));
  st<T>(q, 4, xr<T>(l6, l21));
  st<T>(q, 3, xr<T>(l20, l22));
  st<T>(q, 2, xr<T>(l25, l29));
  st<T>(q, 1, nt<T>(xr<T>(l13, l27)));
  st<T>(q, 0, nt<T>(xr<T>(l6, l23)));
}

/** The inverse of the S-box affine map (FIPS 197 §5.3.2): bit i = b(i+2) ^ b(i+5) ^ b(i+7) ^ 0x05. */
@inline function inverseAffine<T>(q: usize): void {
  const y0 = ld<T>(q, 0), y1 = ld<T>(q, 1), y2 = ld<T>(q, 2), y3 = ld<T>(q, 3);
  const y4 = ld<T>(q, 4), y5 = ld<T>(q, 5), y6 = ld<T>(q, 6), y7 = ld<T>(q, 7);
  st<T>(q, 0, nt<T>(xr<T>(xr<T>(y2, y5), y7)));
  st<T>(q, 1, xr<T>(xr<T>(y3, y6), y0));
  st<T>(q, 2, nt<T>(xr<T>(xr<T>(y4, y7), y1)));
  st<T>(q, 3, xr<T>(xr<T>(y5, y0), y2));
  st<T>(q, 4, xr<T>(xr<T>(y6, y1), y3));
  st<T>(q, 5, xr<T>(xr<T>(y7, y2), y4));
  st<T>(q, 6, xr<T>(xr<T>(y0, y3), y5));
  st<T>(q, 7, xr<T>(xr<T>(y1, y4), y6));
}

/** InvSubBytes (FIPS 197 §5.3.2): S^-1 = A^-1 . S . A^-1, since S = A . inv and A^-1 . S = inv. */
function invSubBytes<T>(q: usize): void {
  inverseAffine<T>(q);
  subBytes<T>(q);
  inverseAffine<T>(q);
}

/** ShiftRows (§5.1.2): row r of each plane (its byte r) rotates by r columns, 2 bits each. */
@inline function shiftRows<T>(x: T): T {
  return orr<T>(orr<T>(an<T>(x, k32<T>(0x000000ff)),
    orr<T>(an<T>(sr<T>(x, 2), k32<T>(0x00003f00)), an<T>(sl<T>(x, 6), k32<T>(0x0000c000)))),
    orr<T>(orr<T>(an<T>(sr<T>(x, 4), k32<T>(0x000f0000)), an<T>(sl<T>(x, 4), k32<T>(0x00f00000))),
      orr<T>(an<T>(sr<T>(x, 6), k32<T>(0x03000000)), an<T>(sl<T>(x, 2), k32<T>(0xfc000000)))));
}

/** InvShiftRows (§5.3.1): the opposite rotations. */
@inline function invShiftRows<T>(x: T): T {
  return orr<T>(orr<T>(an<T>(x, k32<T>(0x000000ff)),
    orr<T>(an<T>(sl<T>(x, 2), k32<T>(0x0000fc00)), an<T>(sr<T>(x, 6), k32<T>(0x00000300)))),
    orr<T>(orr<T>(an<T>(sr<T>(x, 4), k32<T>(0x000f0000)), an<T>(sl<T>(x, 4), k32<T>(0x00f00000))),
      orr<T>(an<T>(sl<T>(x, 6), k32<T>(0xc0000000)), an<T>(sr<T>(x, 2), k32<T>(0x3f000000)))));
}

/** Rotates every byte of x right by b bits (0 < b < 8): in each row, column c takes column c + b/2. */
@inline function rotateBytes<T>(x: T, b: i32): T {
  const low = (<u32>0xff >> b) * 0x01010101;
  return orr<T>(an<T>(sr<T>(x, b), k32<T>(low)), an<T>(sl<T>(x, 8 - b), k32<T>(~low)));
}

/** Row r+k of a plane brought to row r, its columns moved by jk (the fixsliced frame, see below). */
@inline function rowsUp<T>(x: T, k: i32, j: i32): T {
  const y = rr<T>(x, 8 * k);
  const bits = (2 * j * k) & 7;
  return bits == 0 ? y : rotateBytes<T>(y, bits);
}

/**
 * MixColumns (§5.1.3) then AddRoundKey of round r, on planes a0..a7:
 * b_row = 2(a_row ^ a_row+1) ^ a_row+1 ^ a_row+2 ^ a_row+3, where "row+1" is a rotation of the
 * plane by 8 bits and doubling maps planes (t0..t7) to (t7, t0^t7, t1, t2^t7, t3^t7, t4, t5, t6).
 * With j != 0 the planes hold the state with ShiftRows applied j times fewer (mod 4) than FIPS 197
 * says (the fixsliced frame), so row r combines with row r+k taken jk columns further on.
 */
@inline function mixColumnsStore<T>(q: usize, rk: usize, r: i32, j: i32, a0: T, a1: T, a2: T, a3: T, a4: T, a5: T, a6: T, a7: T): void {
  const b0 = rowsUp<T>(a0, 1, j), b1 = rowsUp<T>(a1, 1, j), b2 = rowsUp<T>(a2, 1, j), b3 = rowsUp<T>(a3, 1, j);
  const b4 = rowsUp<T>(a4, 1, j), b5 = rowsUp<T>(a5, 1, j), b6 = rowsUp<T>(a6, 1, j), b7 = rowsUp<T>(a7, 1, j);
  const t0 = xr<T>(a0, b0), t1 = xr<T>(a1, b1), t2 = xr<T>(a2, b2), t3 = xr<T>(a3, b3);
  const t4 = xr<T>(a4, b4), t5 = xr<T>(a5, b5), t6 = xr<T>(a6, b6), t7 = xr<T>(a7, b7);
  st<T>(q, 0, xr<T>(xr<T>(xr<T>(t7, b0), rowsUp<T>(t0, 2, j)), rkp<T>(rk, r, 0)));
  st<T>(q, 1, xr<T>(xr<T>(xr<T>(xr<T>(t0, t7), b1), rowsUp<T>(t1, 2, j)), rkp<T>(rk, r, 1)));
  st<T>(q, 2, xr<T>(xr<T>(xr<T>(t1, b2), rowsUp<T>(t2, 2, j)), rkp<T>(rk, r, 2)));
  st<T>(q, 3, xr<T>(xr<T>(xr<T>(xr<T>(t2, t7), b3), rowsUp<T>(t3, 2, j)), rkp<T>(rk, r, 3)));
  st<T>(q, 4, xr<T>(xr<T>(xr<T>(xr<T>(t3, t7), b4), rowsUp<T>(t4, 2, j)), rkp<T>(rk, r, 4)));
  st<T>(q, 5, xr<T>(xr<T>(xr<T>(t4, b5), rowsUp<T>(t5, 2, j)), rkp<T>(rk, r, 5)));
  st<T>(q, 6, xr<T>(xr<T>(xr<T>(t5, b6), rowsUp<T>(t6, 2, j)), rkp<T>(rk, r, 6)));
  st<T>(q, 7, xr<T>(xr<T>(xr<T>(t6, b7), rowsUp<T>(t7, 2, j)), rkp<T>(rk, r, 7)));
}

/** MixColumns in frame j and AddRoundKey of round r, from the planes at q (no ShiftRows); j must be a literal. */
@inline function mixAdd<T>(q: usize, rk: usize, r: i32, j: i32): void {
  mixColumnsStore<T>(q, rk, r, j, ld<T>(q, 0), ld<T>(q, 1), ld<T>(q, 2), ld<T>(q, 3), ld<T>(q, 4), ld<T>(q, 5), ld<T>(q, 6), ld<T>(q, 7));
}

/**
 * AddRoundKey then InvMixColumns (§5.3.3) in frame j (see mixColumnsStore); j must be a literal.
 * InvMixColumns = MixColumns . P with P(a)_row = a_row ^ 4(a_row ^ a_row+2); multiplying by 4
 * maps planes (u0..u7) to (u6, u6^u7, u0^u7, u1^u6, u2^u6^u7, u3^u7, u4, u5).
 */
@inline function addInvMix<T>(q: usize, rk: usize, r: i32, j: i32): void {
  const a0 = xr<T>(ld<T>(q, 0), rkp<T>(rk, r, 0)), a1 = xr<T>(ld<T>(q, 1), rkp<T>(rk, r, 1));
  const a2 = xr<T>(ld<T>(q, 2), rkp<T>(rk, r, 2)), a3 = xr<T>(ld<T>(q, 3), rkp<T>(rk, r, 3));
  const a4 = xr<T>(ld<T>(q, 4), rkp<T>(rk, r, 4)), a5 = xr<T>(ld<T>(q, 5), rkp<T>(rk, r, 5));
  const a6 = xr<T>(ld<T>(q, 6), rkp<T>(rk, r, 6)), a7 = xr<T>(ld<T>(q, 7), rkp<T>(rk, r, 7));
  const u0 = xr<T>(a0, rowsUp<T>(a0, 2, j)), u1 = xr<T>(a1, rowsUp<T>(a1, 2, j)), u2 = xr<T>(a2, rowsUp<T>(a2, 2, j));
  const u3 = xr<T>(a3, rowsUp<T>(a3, 2, j)), u4 = xr<T>(a4, rowsUp<T>(a4, 2, j)), u5 = xr<T>(a5, rowsUp<T>(a5, 2, j));
  const u6 = xr<T>(a6, rowsUp<T>(a6, 2, j)), u7 = xr<T>(a7, rowsUp<T>(a7, 2, j));
  mixColumnsStore<T>(q, ZERO_ROUND_KEY, 0, j,
    xr<T>(a0, u6), xr<T>(a1, xr<T>(u6, u7)), xr<T>(a2, xr<T>(u0, u7)), xr<T>(a3, xr<T>(u1, u6)),
    xr<T>(a4, xr<T>(xr<T>(u2, u6), u7)), xr<T>(a5, xr<T>(u3, u7)), xr<T>(a6, u4), xr<T>(a7, u5));
}

/** 32 zero bytes: the "round key" InvMixColumns reuses MixColumns with. */
const ZERO_ROUND_KEY: usize = memory.data(32, 16);

function addRoundKey<T>(q: usize, rk: usize, r: i32): void {
  for (let i = 0; i < 8; i++) st<T>(q, i, xr<T>(ld<T>(q, i), rkp<T>(rk, r, i)));
}

/** SR^2 (§5.1.2 twice) on a plane: rows 1 and 3 rotate by two columns, rows 0 and 2 stay. */
@inline function shiftRowsTwice<T>(x: T): T {
  return orr<T>(an<T>(x, k32<T>(0x00ff00ff)), an<T>(rotateBytes<T>(x, 4), k32<T>(0xff00ff00)));
}

/**
 * The AES-128 cipher (§5.1) on bit-planes at q, fixsliced (after Adomnicai and Peyrin,
 * "Fixslicing AES-like ciphers", TCHES 2021/1): ShiftRows is never applied. After round r the
 * planes hold SR^-r of the FIPS 197 state, so round r's MixColumns works in frame j = r mod 4
 * (mixColumnsStore) and adds SR^-r(round key r), as expandKey stores it. SR^4 is the identity,
 * so one SR^2 after round 10 restores the standard state.
 */
function encryptPlanes<T>(q: usize, rk: usize): void {
  addRoundKey<T>(q, rk, 0);
  for (let r = 1; r < 10; r++) {
    subBytes<T>(q);
    const j = r & 3;
    if (j == 1) mixAdd<T>(q, rk, r, 1);
    else if (j == 2) mixAdd<T>(q, rk, r, 2);
    else if (j == 3) mixAdd<T>(q, rk, r, 3);
    else mixAdd<T>(q, rk, r, 0);
  }
  subBytes<T>(q);
  for (let i = 0; i < 8; i++) st<T>(q, i, shiftRowsTwice<T>(xr<T>(ld<T>(q, i), rkp<T>(rk, 10, i))));
}

/** One inverse round (§5.3) in frame j: InvSubBytes, AddRoundKey, InvMixColumns; j a literal. */
function invRound0<T>(q: usize, dk: usize, r: i32): void { invSubBytes<T>(q); addInvMix<T>(q, dk, r, 0); }
function invRound1<T>(q: usize, dk: usize, r: i32): void { invSubBytes<T>(q); addInvMix<T>(q, dk, r, 1); }
function invRound2<T>(q: usize, dk: usize, r: i32): void { invSubBytes<T>(q); addInvMix<T>(q, dk, r, 2); }
function invRound3<T>(q: usize, dk: usize, r: i32): void { invSubBytes<T>(q); addInvMix<T>(q, dk, r, 3); }

/**
 * Whether decryption is fixsliced too. It is ~15% faster but its four round variants cost ~3 KiB
 * of code, so size-optimised builds (the microcontroller firmware, crypto-scalar) keep the
 * standard-frame inverse cipher and the SIMD simulator build takes the fast one.
 */
const FIXSLICED_DECRYPTION: bool = ASC_SHRINK_LEVEL == 0;

/**
 * The AES-128 inverse cipher (§5.3) on bit-planes at q. Fixsliced like encryption when
 * FIXSLICED_DECRYPTION: InvShiftRows is never applied, so before InvMixColumns of round r the
 * planes hold SR^j of the standard state with j = (r + 2) mod 4, and the decryption round keys are
 * stored as SR^-j(round key r). Otherwise the standard frame with the round keys as they are.
 */
function decryptPlanes<T>(q: usize, rk: usize): void {
  const dk = rk + 352;
  addRoundKey<T>(q, dk, 10);
  if (FIXSLICED_DECRYPTION) {
    for (let r = 9; r > 0; r--) {
      const j = (r + 2) & 3;
      if (j == 1) invRound1<T>(q, dk, r);
      else if (j == 2) invRound2<T>(q, dk, r);
      else if (j == 3) invRound3<T>(q, dk, r);
      else invRound0<T>(q, dk, r);
    }
    invSubBytes<T>(q);
    for (let i = 0; i < 8; i++) st<T>(q, i, shiftRowsTwice<T>(xr<T>(ld<T>(q, i), rkp<T>(dk, 0, i))));
  } else {
    for (let r = 9; r > 0; r--) {
      for (let i = 0; i < 8; i++) st<T>(q, i, invShiftRows<T>(ld<T>(q, i)));
      invRound0<T>(q, dk, r);
    }
    for (let i = 0; i < 8; i++) st<T>(q, i, invShiftRows<T>(ld<T>(q, i)));
    invSubBytes<T>(q);
    addRoundKey<T>(q, dk, 0);
  }
}

/** Encrypts the 8 u32 bit-planes at q (2 blocks). Exported for the constant-time check. */
export function encryptPlanes32(q: usize, rk: usize): void { encryptPlanes<u32>(q, rk); }
/** Decrypts the 8 u32 bit-planes at q (2 blocks). */
export function decryptPlanes32(q: usize, rk: usize): void { decryptPlanes<u32>(q, rk); }
/** Encrypts the 8 v128 bit-planes at q (8 blocks); a no-op in the scalar build. */
export function encryptPlanes128(q: usize, rk: usize): void { if (ASC_FEATURE_SIMD) encryptPlanes<v128>(q, rk); }
/** Decrypts the 8 v128 bit-planes at q (8 blocks); a no-op in the scalar build. */
export function decryptPlanes128(q: usize, rk: usize): void { if (ASC_FEATURE_SIMD) decryptPlanes<v128>(q, rk); }

/** Step codes of applyStep: SubBytes (§5.1.1). */
export const STEP_SUB_BYTES: i32 = 0;
/** ShiftRows (§5.1.2). */
export const STEP_SHIFT_ROWS: i32 = 1;
/** MixColumns (§5.1.3). */
export const STEP_MIX_COLUMNS: i32 = 2;
/** InvSubBytes (§5.3.2). */
export const STEP_INV_SUB_BYTES: i32 = 3;
/** InvShiftRows (§5.3.1). */
export const STEP_INV_SHIFT_ROWS: i32 = 4;
/** InvMixColumns (§5.3.3). */
export const STEP_INV_MIX_COLUMNS: i32 = 5;

/**
 * One transformation of §5.1/§5.3 alone on the u32 planes at q, so each can be checked against
 * the round-by-round states of FIPS 197 Appendix C.1. Unknown codes leave q unchanged.
 */
export function applyStep(q: usize, step: i32): void {
  if (step == STEP_SUB_BYTES) subBytes<u32>(q);
  else if (step == STEP_INV_SUB_BYTES) invSubBytes<u32>(q);
  else if (step == STEP_SHIFT_ROWS) { for (let i = 0; i < 8; i++) st<u32>(q, i, shiftRows<u32>(ld<u32>(q, i))); }
  else if (step == STEP_INV_SHIFT_ROWS) { for (let i = 0; i < 8; i++) st<u32>(q, i, invShiftRows<u32>(ld<u32>(q, i))); }
  else if (step == STEP_MIX_COLUMNS) {
    mixColumnsStore<u32>(q, ZERO_ROUND_KEY, 0, 0, ld<u32>(q, 0), ld<u32>(q, 1), ld<u32>(q, 2), ld<u32>(q, 3),
      ld<u32>(q, 4), ld<u32>(q, 5), ld<u32>(q, 6), ld<u32>(q, 7));
  } else if (step == STEP_INV_MIX_COLUMNS) addInvMix<u32>(q, ZERO_ROUND_KEY, 0, 0);
}

/** Writes round key r (0..10) of the schedule at rk as 16 bytes at out (FIPS 197 Appendix A.1 check). */
export function roundKeyBytes(rk: usize, r: i32, out: usize): void {
  for (let i = 0; i < 8; i++) {
    let x = load<u32>(rk + <usize>(r * 32 + i * 4));
    for (let k = 0; k < (r & 3); k++) x = shiftRows<u32>(x);
    store<u32>(KEY_PLANES + <usize>(i * 4), x);
  }
  ortho<u32>(KEY_PLANES);
  for (let c = 0; c < 4; c++) store<u32>(out + <usize>(c * 4), load<u32>(KEY_PLANES + <usize>(c * 8)));
  memory.fill(KEY_PLANES, 0, 32);
}

/** Loads blocks b0 and b1 (16 bytes each, may be the same) into the 8 u32 planes at q. */
export function load2(q: usize, b0: usize, b1: usize): void {
  for (let c = 0; c < 4; c++) {
    store<u32>(q + <usize>(c * 8), load<u32>(b0 + <usize>(c * 4)));
    store<u32>(q + <usize>(c * 8 + 4), load<u32>(b1 + <usize>(c * 4)));
  }
  ortho<u32>(q);
}

/** Stores the 8 u32 planes at q back as blocks b0 and b1 (b1 written last). */
export function store2(q: usize, b0: usize, b1: usize): void {
  ortho<u32>(q);
  for (let c = 0; c < 4; c++) {
    store<u32>(b0 + <usize>(c * 4), load<u32>(q + <usize>(c * 8)));
    store<u32>(b1 + <usize>(c * 4), load<u32>(q + <usize>(c * 8 + 4)));
  }
}

/**
 * Moves the 8 blocks at `from` to `to` (8 × 16 bytes) transposing each 4×4 group of u32 words, so
 * v128 lane L holds blocks 2L and 2L+1; the transposition is its own inverse, so one routine serves
 * loading and storing.
 */
@inline function transpose8(from: usize, to: usize): void {
  for (let k = 0; k < 2; k++) {
    const r0 = v128.load(from + <usize>(k * 16)), r1 = v128.load(from + <usize>(k * 16 + 32));
    const r2 = v128.load(from + <usize>(k * 16 + 64)), r3 = v128.load(from + <usize>(k * 16 + 96));
    const t0 = i32x4.shuffle(r0, r1, 0, 4, 1, 5), t1 = i32x4.shuffle(r0, r1, 2, 6, 3, 7);
    const t2 = i32x4.shuffle(r2, r3, 0, 4, 1, 5), t3 = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
    v128.store(to + <usize>(k * 16), i32x4.shuffle(t0, t2, 0, 1, 4, 5));
    v128.store(to + <usize>(k * 16 + 32), i32x4.shuffle(t0, t2, 2, 3, 6, 7));
    v128.store(to + <usize>(k * 16 + 64), i32x4.shuffle(t1, t3, 0, 1, 4, 5));
    v128.store(to + <usize>(k * 16 + 96), i32x4.shuffle(t1, t3, 2, 3, 6, 7));
  }
}

/** Loads the 8 consecutive blocks at src into the 8 v128 planes at q (lane L = blocks 2L, 2L+1). */
export function load8(q: usize, src: usize): void {
  if (!ASC_FEATURE_SIMD) return;
  transpose8(src, q);
  ortho<v128>(q);
}

/** Stores the 8 v128 planes at q back as 8 consecutive blocks at dst. */
export function store8(q: usize, dst: usize): void {
  if (!ASC_FEATURE_SIMD) return;
  ortho<v128>(q);
  transpose8(q, dst);
}

const KEY_PLANES: usize = memory.data(32, 16);
const KEY_WORDS: usize = memory.data(176, 16);

/** SubWord (§5.2) of a little-endian word through the bitsliced S-box. */
function subWord(x: u32): u32 {
  store<u32>(KEY_PLANES, x);
  for (let i = 1; i < 8; i++) store<u32>(KEY_PLANES + <usize>(i * 4), 0);
  ortho<u32>(KEY_PLANES);
  subBytes<u32>(KEY_PLANES);
  ortho<u32>(KEY_PLANES);
  return load<u32>(KEY_PLANES);
}

/**
 * Bytes of an expanded key: two sets of 11 round keys as 8 u32 planes (encryption, decryption),
 * and in the SIMD build the 176 round-key bytes of FIPS 197 §5.2 for aes-vperm.ts (keys 1..10
 * xor 0x63: the S-box constant, which that core adds through the key).
 */
export const SCHEDULE_BYTES: i32 = ASC_FEATURE_SIMD ? 880 : 704;
/** Offset of the round-key bytes in the SIMD build's schedule. */
export const ROUND_KEY_BYTES_AT: i32 = 704;

/**
 * AES-128 key expansion (§5.2) of the 16 bytes at key into rk (SCHEDULE_BYTES), bitsliced with
 * each round key duplicated for both blocks of a plane: SR^-(r mod 4) of round key r for the
 * fixsliced encryption, then for decryption SR^-((r+2) mod 4) of it (FIXSLICED_DECRYPTION) or
 * the round key as it is; wipes its scratch.
 */
export function expandKey(key: usize, rk: usize): void {
  for (let i = 0; i < 4; i++) store<u32>(KEY_WORDS + <usize>(i * 4), load<u32>(key + <usize>(i * 4)));
  let rcon: u32 = 1;
  for (let i = 4; i < 44; i++) {
    let t = load<u32>(KEY_WORDS + <usize>((i - 1) * 4));
    if ((i & 3) == 0) {
      t = subWord(rotr<u32>(t, 8)) ^ rcon;
      rcon = ((rcon << 1) ^ (0x1b & (0 - (rcon >> 7)))) & 0xff;
    }
    store<u32>(KEY_WORDS + <usize>(i * 4), load<u32>(KEY_WORDS + <usize>((i - 4) * 4)) ^ t);
  }
  for (let r = 0; r < 11; r++) {
    const planes = rk + <usize>(r * 32);
    for (let c = 0; c < 4; c++) {
      const w = load<u32>(KEY_WORDS + <usize>((r * 4 + c) * 4));
      store<u32>(planes + <usize>(c * 8), w);
      store<u32>(planes + <usize>(c * 8 + 4), w);
    }
    ortho<u32>(planes);
    for (let i = 0; i < 8; i++) {
      let x = load<u32>(planes + <usize>(i * 4));
      let y = x;
      for (let k = 0; k < (r & 3); k++) x = invShiftRows<u32>(x);
      for (let k = 0; FIXSLICED_DECRYPTION && k < ((r + 2) & 3); k++) y = invShiftRows<u32>(y);
      store<u32>(planes + <usize>(i * 4), x);
      store<u32>(planes + <usize>(352 + i * 4), y);
    }
  }
  if (ASC_FEATURE_SIMD) {
    memory.copy(rk + <usize>ROUND_KEY_BYTES_AT, KEY_WORDS, 16);
    for (let i = 16; i < 176; i += 4) store<u32>(rk + <usize>(ROUND_KEY_BYTES_AT + i), load<u32>(KEY_WORDS + <usize>i) ^ 0x63636363);
  }
  memory.fill(KEY_WORDS, 0, 176);
  memory.fill(KEY_PLANES, 0, 32);
}
