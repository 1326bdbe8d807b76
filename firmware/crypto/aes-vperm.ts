/**
 * Single-block AES-128 encryption for the SIMD build, vector-permute style (after M. Hamburg,
 * "Accelerating AES with vector permute instructions", CHES 2009; this field construction and
 * these tables are this project's own): the serial modes (CBC encryption, CMAC, CCM's CBC-MAC)
 * cannot use the 8-block bitsliced core, and one block through the 2-block core wastes half of it.
 *
 * SubBytes inverts in GF(2^8) represented as the tower GF(16)[Y]/(Y^2 + Y + 8), GF(16) =
 * GF(2)[z]/(z^4 + z + 1): a byte x maps linearly to a.Y + b (beta = 0x20 is a root of the AES
 * polynomial there; a and b each come from two nibble lookups of x), its inverse is (a.Y + (a ^ b)) / D with D = 8a^2 ^ ab ^ b^2, the products are
 * exp(log + log) in GF(16), and the map back is composed with the last exp and the linear part of
 * the affine map of FIPS 197 §5.1.1. Its constant 0x63 passes unchanged through ShiftRows and
 * MixColumns (2 ^ 3 ^ 1 ^ 1 = 1), so the key schedule adds it to round keys 1..10 instead.
 * Every lookup is an i8x16.swizzle into a 16-byte constant held in a register, so no memory
 * address and no branch depends on key or data; an index >= 16 (log 0 = 0x40) yields 0, which
 * makes 0 its own inverse. ShiftRows and the row rotations of MixColumns are constant shuffles.
 * The tables were generated from these definitions and checked against the S-box for all 256
 * inputs (the FIPS 197 vectors and the differential tests check the whole cipher).
 */

/**
 * Encrypts the block at src into dst (may be equal) with the 11 byte round keys at rkBytes
 * (§5.1), keys 1..10 stored xor 0x63 (aes-core.ts expandKey).
 */
export function encryptBlockVperm(rkBytes: usize, src: usize, dst: usize): void {
  if (!ASC_FEATURE_SIMD) return;
  const aLo = i8x16(0x00, 0x00, 0x02, 0x02, 0x04, 0x04, 0x06, 0x06, 0x04, 0x04, 0x06, 0x06, 0x00, 0x00, 0x02, 0x02);
  const aHi = i8x16(0x00, 0x03, 0x0d, 0x0e, 0x03, 0x00, 0x0e, 0x0d, 0x0e, 0x0d, 0x03, 0x00, 0x0d, 0x0e, 0x00, 0x03);
  const bLo = i8x16(0x00, 0x01, 0x00, 0x01, 0x06, 0x07, 0x06, 0x07, 0x0c, 0x0d, 0x0c, 0x0d, 0x0a, 0x0b, 0x0a, 0x0b);
  const bHi = i8x16(0x00, 0x0c, 0x05, 0x09, 0x04, 0x08, 0x01, 0x0d, 0x05, 0x09, 0x00, 0x0c, 0x01, 0x0d, 0x04, 0x08);
  const logT = i8x16(0x40, 0x00, 0x01, 0x04, 0x02, 0x08, 0x05, 0x0a, 0x03, 0x0e, 0x09, 0x07, 0x06, 0x0d, 0x0b, 0x0c);
  const expT = i8x16(0x01, 0x02, 0x04, 0x08, 0x03, 0x06, 0x0c, 0x0b, 0x05, 0x0a, 0x07, 0x0e, 0x0f, 0x0d, 0x09, 0x00);
  const sqNu = i8x16(0x00, 0x08, 0x06, 0x0e, 0x0b, 0x03, 0x0d, 0x05, 0x0a, 0x02, 0x0c, 0x04, 0x01, 0x09, 0x07, 0x0f);
  const sq = i8x16(0x00, 0x01, 0x04, 0x05, 0x03, 0x02, 0x07, 0x06, 0x0c, 0x0d, 0x08, 0x09, 0x0f, 0x0e, 0x0b, 0x0a);
  const logInv = i8x16(0x40, 0x00, 0x0e, 0x0b, 0x0d, 0x07, 0x0a, 0x05, 0x0c, 0x01, 0x06, 0x08, 0x09, 0x02, 0x04, 0x03);
  const outExpLo = i8x16(0x1f, <i8>0xb2, <i8>0xab, 0x36, <i8>0xad, 0x19, <i8>0x9d, <i8>0x9b, <i8>0xb4, <i8>0x84, 0x06, 0x2f, 0x30, <i8>0x82, 0x29, 0x00);
  const outExpHi = i8x16(0x52, 0x3e, 0x65, 0x60, 0x6c, 0x5b, 0x05, 0x0c, 0x37, 0x5e, 0x09, 0x3b, 0x69, 0x57, 0x32, 0x00);
  const nibble = i8x16.splat(0x0f);
  const fifteen = i8x16.splat(15);
  const poly = i8x16.splat(0x1b);
  const zero = i8x16.splat(0);

  let v = v128.xor(v128.load(src), v128.load(rkBytes));
  for (let r = 1; r <= 10; r++) {
    // SubBytes (§5.1.1) without its constant: into the tower field, invert, and out through
    // exp composed with the linear part of the affine map.
    const low = v128.and(v, nibble), high = i8x16.shr_u(v, 4);
    const a = v128.xor(i8x16.swizzle(aLo, low), i8x16.swizzle(aHi, high));
    const b = v128.xor(i8x16.swizzle(bLo, low), i8x16.swizzle(bHi, high));
    const la = i8x16.swizzle(logT, a), lb = i8x16.swizzle(logT, b);
    const sumAB = i8x16.add(la, lb);
    const d = v128.xor(v128.xor(i8x16.swizzle(sqNu, a), i8x16.swizzle(sq, b)),
      i8x16.swizzle(expT, i8x16.min_u(sumAB, i8x16.sub(sumAB, fifteen))));
    const li = i8x16.swizzle(logInv, d);
    const sumHi = i8x16.add(la, li);
    const sumLo = i8x16.add(i8x16.swizzle(logT, v128.xor(a, b)), li);
    const sub = v128.xor(i8x16.swizzle(outExpLo, i8x16.min_u(sumLo, i8x16.sub(sumLo, fifteen))),
      i8x16.swizzle(outExpHi, i8x16.min_u(sumHi, i8x16.sub(sumHi, fifteen))));
    // ShiftRows (§5.1.2): byte 4c+r takes byte 4((c+r) mod 4)+r.
    const s = i8x16.shuffle(sub, sub, 0, 5, 10, 15, 4, 9, 14, 3, 8, 13, 2, 7, 12, 1, 6, 11);
    const k = v128.load(rkBytes + <usize>(r * 16));
    if (r == 10) {
      v = v128.xor(s, k);
    } else {
      // MixColumns (§5.1.3): b_row = 2(a_row ^ a_row+1) ^ a_row+1 ^ a_row+2 ^ a_row+3.
      const s1 = i8x16.shuffle(s, s, 1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12);
      const s2 = i8x16.shuffle(s, s, 2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13);
      const s3 = i8x16.shuffle(s, s, 3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14);
      const x = v128.xor(s, s1);
      const twice = v128.xor(i8x16.add(x, x), v128.and(i8x16.lt_s(x, zero), poly));
      v = v128.xor(twice, v128.xor(v128.xor(s1, s2), v128.xor(s3, k)));
    }
  }
  v128.store(dst, v);
}
