/**
 * The WebAssembly surface of firmware/crypto for the Node module (simulator/crypto/index.ts):
 * fixed buffers in linear memory that the host fills, and functions over them that return 0 (or a
 * length) or a negative code from ./errors. Every length is checked against its buffer, so no
 * argument can make the module trap or touch memory outside those buffers.
 */
import { Aes128 } from "./aes";
import { encryptPlanes32, decryptPlanes32, encryptPlanes128, decryptPlanes128, expandKey, applyStep, roundKeyBytes, load2, store2, SCHEDULE_BYTES, ROUND_KEY_BYTES_AT } from "./aes-core";
import { encryptBlockVperm } from "./aes-vperm";
import * as fw from "./index";
import * as sig from "./signature";
import { ctrAt, cbcEncryptAt, cbcDecryptAt, Cmac, ccmCheck, ccmEncryptAt, ccmDecryptAt, kdfCmacCounterAt, KDF_MAX_BITS } from "./modes";
import { Sha256, HmacState, hkdfSha256At, HKDF_MAX_BYTES } from "./sha256";
import { Sha512 } from "./sha512";
import { Ed25519Verifier, ed25519BaseMultiple } from "./ed25519";
import { FE_BYTES, feFromBytes, feToBytes, feAdd, feSub, feMul, feSq, feNeg, feInvert, fePow22523 } from "./fe25519";
import { ctEqualAt, dynamicTruncateAt } from "./util";
import { ERR_CRYPTO_DATA_LENGTH, ERR_CRYPTO_NO_KEY, ERR_CRYPTO_WINDOW, ERR_CRYPTO_TRUNCATED, ERR_CRYPTO_OUTPUT_LENGTH } from "./errors";

const IO_SIZE: i32 = 32768;
const OUT_SIZE: i32 = 8192;
/** A Uint8Array (not raw static memory) so the window API of index.ts can be driven over it too. */
const ioArray = new Uint8Array(IO_SIZE);
const IO: usize = ioArray.dataStart;
const OUT: usize = memory.data(OUT_SIZE, 16);
const KEY: usize = memory.data(16, 16);
const IV: usize = memory.data(16, 16);
const NONCE: usize = memory.data(16, 16);
const TAG: usize = memory.data(16, 16);

/** Input/output buffer: data for every operation. */
export function ioPtr(): usize { return IO; }
/** Size of IO in bytes. */
export function ioSize(): i32 { return IO_SIZE; }
/** Output buffer of the hashes, MACs and KDFs. */
export function outPtr(): usize { return OUT; }
/** Size of OUT in bytes. */
export function outSize(): i32 { return OUT_SIZE; }
/** 16-byte AES key. */
export function keyPtr(): usize { return KEY; }
/** 16-byte CBC chaining value / CTR counter block; updated by each call so a stream can continue. */
export function ivPtr(): usize { return IV; }
/** CCM nonce (7..13 bytes used). */
export function noncePtr(): usize { return NONCE; }
/** 16-byte CMAC / CCM tag. */
export function tagPtr(): usize { return TAG; }

@inline function fits(len: i32, size: i32): bool { return len >= 0 && len <= size; }

const aes = new Aes128();

/** Keys the AES object from KEY (FIPS 197 §5.2) and wipes KEY. */
export function aesSetKey(): i32 {
  aes.setKeyAt(KEY);
  memory.fill(KEY, 0, 16);
  return 0;
}

/** ECB (SP 800-38A §6.1) over IO[0..len), in place. */
export function aesEcb(len: i32, decrypt: bool): i32 {
  if (!aes.keyed) return ERR_CRYPTO_NO_KEY;
  if (!fits(len, IO_SIZE) || (len & 15) != 0) return ERR_CRYPTO_DATA_LENGTH;
  aes.ecbAt(IO, len, decrypt);
  return 0;
}

/** CBC (SP 800-38A §6.2) over IO[0..len), in place; IV holds the chaining value in and out. */
export function aesCbc(len: i32, decrypt: bool): i32 {
  if (!aes.keyed) return ERR_CRYPTO_NO_KEY;
  if (!fits(len, IO_SIZE) || (len & 15) != 0) return ERR_CRYPTO_DATA_LENGTH;
  if (decrypt) cbcDecryptAt(aes, IV, IO, len);
  else cbcEncryptAt(aes, IV, IO, len);
  return 0;
}

/** CTR (SP 800-38A §6.5) over IO[0..len), in place; IV is the counter block, advanced. */
export function aesCtr(len: i32): i32 {
  if (!aes.keyed) return ERR_CRYPTO_NO_KEY;
  if (!fits(len, IO_SIZE)) return ERR_CRYPTO_DATA_LENGTH;
  ctrAt(aes, IV, IO, len);
  return 0;
}

const cmac = new Cmac();

/** Starts an AES-CMAC (RFC 4493) under the current key. */
export function cmacBegin(): i32 {
  if (!aes.keyed) return ERR_CRYPTO_NO_KEY;
  cmac.begin(aes);
  return 0;
}
/** Adds IO[0..len) to the CMAC message. */
export function cmacUpdate(len: i32): i32 {
  if (!fits(len, IO_SIZE)) return ERR_CRYPTO_DATA_LENGTH;
  return cmac.update(IO, len);
}
/** Writes the CMAC tag to TAG. */
export function cmacFinish(): i32 { return cmac.finish(TAG); }

/** CCM (SP 800-38C): nonce in NONCE, AAD = IO[0..aadLen), payload = IO[aadLen..+len) in place, tag in TAG. */
function ccm(nonceLen: i32, aadLen: i32, len: i32, tagLen: i32, decrypt: bool): i32 {
  if (!aes.keyed) return ERR_CRYPTO_NO_KEY;
  const rc = ccmCheck(nonceLen, tagLen, len);
  if (rc < 0) return rc;
  if (!fits(aadLen, IO_SIZE) || !fits(len, IO_SIZE - aadLen)) return ERR_CRYPTO_DATA_LENGTH;
  if (decrypt) return ccmDecryptAt(aes, NONCE, nonceLen, IO, aadLen, IO + <usize>aadLen, len, TAG, tagLen);
  ccmEncryptAt(aes, NONCE, nonceLen, IO, aadLen, IO + <usize>aadLen, len, TAG, tagLen);
  return 0;
}
/** CCM generation-encryption (SP 800-38C §6.1) over the buffers above. */
export function ccmEncrypt(nonceLen: i32, aadLen: i32, len: i32, tagLen: i32): i32 { return ccm(nonceLen, aadLen, len, tagLen, false); }
/** CCM decryption-verification (SP 800-38C §6.2); on a tag mismatch the payload in IO is zeroed. */
export function ccmDecrypt(nonceLen: i32, aadLen: i32, len: i32, tagLen: i32): i32 { return ccm(nonceLen, aadLen, len, tagLen, true); }

const hash = new Sha256();

/** SHA-256 (FIPS 180-4) stream: begin, update(IO[0..len)), finish into OUT[0..32). */
export function sha256Begin(): void { hash.begin(); }
/** Adds IO[0..len) to the SHA-256 message. */
export function sha256Update(len: i32): i32 {
  if (!fits(len, IO_SIZE)) return ERR_CRYPTO_DATA_LENGTH;
  return hash.update(IO, len);
}
/** Writes the SHA-256 digest (§6.2.2) to OUT[0..32). */
export function sha256Finish(): i32 { return hash.finish(OUT); }

const hmac = new HmacState();

/** Keys HMAC-SHA256 with IO[0..len) (RFC 2104); the pad midstates are kept for every later MAC. */
export function hmacSetKey(len: i32): i32 {
  if (!fits(len, IO_SIZE)) return ERR_CRYPTO_DATA_LENGTH;
  hmac.setKeyAt(IO, len);
  return 0;
}
/** Starts a MAC under the current HMAC key (its saved inner midstate). */
export function hmacBegin(): i32 { return hmac.begin(); }
/** Adds IO[0..len) to the HMAC message. */
export function hmacUpdate(len: i32): i32 {
  if (!fits(len, IO_SIZE)) return ERR_CRYPTO_DATA_LENGTH;
  return hmac.update(IO, len);
}
/** Writes the MAC to OUT[0..32). */
export function hmacFinish(): i32 { return hmac.finish(OUT); }
/** Writes the current key's 64 bytes of pad midstates to OUT. */
export function hmacSaveKey(): void { hmac.saveTo(OUT); }
/** Makes IO[0..64) (from hmacSaveKey) the current key. */
export function hmacLoadKey(): void { hmac.loadFrom(IO); }
/** One whole MAC of IO[0..len) into OUT under the current key. */
export function hmacMac(len: i32): i32 {
  if (!fits(len, IO_SIZE)) return ERR_CRYPTO_DATA_LENGTH;
  return hmac.macAt(IO, len, OUT);
}

/** HKDF-SHA256 (RFC 5869): IO = ikm || salt || info; outLen bytes into OUT. */
export function hkdf(ikmLen: i32, saltLen: i32, infoLen: i32, outLen: i32): i32 {
  if (!fits(ikmLen, IO_SIZE) || !fits(saltLen, IO_SIZE - ikmLen) || !fits(infoLen, IO_SIZE - ikmLen - saltLen)) return ERR_CRYPTO_DATA_LENGTH;
  if (!fits(outLen, HKDF_MAX_BYTES)) return ERR_CRYPTO_OUTPUT_LENGTH;
  return hkdfSha256At(IO, ikmLen, IO + <usize>ikmLen, saltLen, IO + <usize>(ikmLen + saltLen), infoLen, OUT, outLen);
}

/** SP 800-108 / SCP03 KDF (modes.ts) with context IO[0..ctxLen); output into OUT. */
export function kdfCmac(constant: i32, ctxLen: i32, lengthBits: i32): i32 {
  if (!aes.keyed) return ERR_CRYPTO_NO_KEY;
  if (!fits(ctxLen, IO_SIZE)) return ERR_CRYPTO_DATA_LENGTH;
  if (lengthBits > KDF_MAX_BITS) return ERR_CRYPTO_OUTPUT_LENGTH;
  return kdfCmacCounterAt(aes, constant, IO, ctxLen, lengthBits, OUT);
}

/** RFC 4226 §5.3 dynamic truncation of IO[0..len), len >= 20; the 31-bit value or ERR_CRYPTO_TRUNCATED. */
export function truncate(len: i32): i32 {
  if (!fits(len, IO_SIZE)) return ERR_CRYPTO_DATA_LENGTH;
  if (len < 20) return ERR_CRYPTO_TRUNCATED;
  return <i32>dynamicTruncateAt(IO, len);
}

/** Constant-time comparison of IO[0..len) with IO[len..2len): 1 equal, 0 not. */
export function ctEqual(len: i32): i32 {
  if (len < 0 || len > IO_SIZE / 2) return ERR_CRYPTO_WINDOW;
  return ctEqualAt(IO, IO + <usize>len, len) ? 1 : 0;
}

const hash512 = new Sha512();

/** SHA-512 (FIPS 180-4 §6.4) stream: begin, update(IO[0..len)), finish into OUT[0..64). */
export function sha512Begin(): void { hash512.begin(); }
/** Adds IO[0..len) to the SHA-512 message. */
export function sha512Update(len: i32): i32 {
  if (!fits(len, IO_SIZE)) return ERR_CRYPTO_DATA_LENGTH;
  return hash512.update(IO, len);
}
/** Writes the SHA-512 digest to OUT[0..64). */
export function sha512Finish(): i32 { return hash512.finish(OUT); }

const verifier = new Ed25519Verifier();

/**
 * Starts an Ed25519 verification (RFC 8032 §5.1.7): IO = public key (pkLen) ‖ signature (sigLen) ‖
 * message (msgLen). Returns ED25519_PENDING (1) or a verdict; ed25519Step continues it.
 */
export function ed25519Start(pkLen: i32, sigLen: i32, msgLen: i32): i32 {
  if (!fits(pkLen, IO_SIZE) || !fits(sigLen, IO_SIZE - pkLen) || !fits(msgLen, IO_SIZE - pkLen - sigLen)) return ERR_CRYPTO_DATA_LENGTH;
  return verifier.start(IO, pkLen, IO + <usize>pkLen, sigLen, IO + <usize>(pkLen + sigLen), msgLen);
}
/** One bounded step of the verification: 1 (pending) or the verdict (0 valid, or a refusal code). */
export function ed25519Step(): i32 { return verifier.step(); }
/** Steps the last verification took (start excluded). */
export function ed25519Steps(): i32 { return verifier.steps; }
/** The whole verification of IO = key ‖ signature ‖ message at once: 0 valid, or the refusal's code. */
export function ed25519Verify(pkLen: i32, sigLen: i32, msgLen: i32): i32 {
  if (!fits(pkLen, IO_SIZE) || !fits(sigLen, IO_SIZE - pkLen) || !fits(msgLen, IO_SIZE - pkLen - sigLen)) return ERR_CRYPTO_DATA_LENGTH;
  return verifier.verify(IO, pkLen, IO + <usize>pkLen, sigLen, IO + <usize>(pkLen + sigLen), msgLen);
}
/** The encoding of [s]B for the 32-byte little-endian scalar s = IO[0..32) into OUT[0..32) (curve arithmetic check). */
export function ed25519ScalarBase(): void { ed25519BaseMultiple(OUT, IO); }

const FE_A: usize = memory.data(<i32>FE_BYTES * 3, 8);
const FE_B: usize = FE_A + FE_BYTES;
const FE_H: usize = FE_B + FE_BYTES;

/**
 * GF(2^255 − 19) check for the tests (fe25519.ts): a = IO[0..32), b = IO[32..64) as 255-bit
 * little-endian integers (bit 255 ignored, so values up to 2^255 − 1, beyond p), the canonical
 * result into OUT[0..32). op: 0 a·b, 1 a², 2 a+b, 3 a−b, 4 −a, 5 1/a, 6 a^((p−5)/8).
 */
export function feOp(op: i32): i32 {
  feFromBytes(FE_A, IO);
  feFromBytes(FE_B, IO + 32);
  if (op == 0) feMul(FE_H, FE_A, FE_B);
  else if (op == 1) feSq(FE_H, FE_A);
  else if (op == 2) feAdd(FE_H, FE_A, FE_B);
  else if (op == 3) feSub(FE_H, FE_A, FE_B);
  else if (op == 4) feNeg(FE_H, FE_A);
  else if (op == 5) feInvert(FE_H, FE_A);
  else if (op == 6) fePow22523(FE_H, FE_A);
  else return ERR_CRYPTO_WINDOW;
  feToBytes(OUT, FE_H);
  return 0;
}

const CORE_STATE: usize = memory.data(128, 16);
const CORE_KEYS: usize = memory.data(SCHEDULE_BYTES, 16);

/**
 * The AES core on fixed scratch buffers, exported so test/crypto/constant-time.test.ts can find
 * it in the compiled module and check that no load address or branch depends on data.
 */
/** Key expansion (FIPS 197 §5.2) of CORE_STATE into CORE_KEYS. */
export function coreExpandKey(): void { expandKey(CORE_STATE, CORE_KEYS); }
/** The 2-block cipher (§5.1) on CORE_STATE. */
export function coreEncrypt32(): void { encryptPlanes32(CORE_STATE, CORE_KEYS); }
/** The 2-block inverse cipher (§5.3) on CORE_STATE. */
export function coreDecrypt32(): void { decryptPlanes32(CORE_STATE, CORE_KEYS); }
/** The 8-block SIMD cipher (§5.1) on CORE_STATE; no-op in the scalar build. */
export function coreEncrypt128(): void { encryptPlanes128(CORE_STATE, CORE_KEYS); }
/** The single-block vector-permute cipher of the SIMD build on CORE_STATE; no-op in the scalar build. */
export function coreEncryptVperm(): void { encryptBlockVperm(CORE_KEYS + <usize>ROUND_KEY_BYTES_AT, CORE_STATE, CORE_STATE); }
/** The 8-block SIMD inverse cipher (§5.3) on CORE_STATE; no-op in the scalar build. */
export function coreDecrypt128(): void { decryptPlanes128(CORE_STATE, CORE_KEYS); }

/** FIPS 197 trace check: applies one step (aes-core.ts applyStep) to the block IO[0..16). */
export function aesStep(step: i32): void {
  load2(CORE_STATE, IO, IO);
  applyStep(CORE_STATE, step);
  store2(CORE_STATE, IO, IO);
}

/** FIPS 197 Appendix A.1 check: round key r (0..10) of the current key into OUT[0..16). */
export function aesRoundKey(r: i32): i32 {
  if (!aes.keyed) return ERR_CRYPTO_NO_KEY;
  if (r < 0 || r > 10) return ERR_CRYPTO_WINDOW;
  roundKeyBytes(changetype<usize>(aes.rk), r, OUT);
  return 0;
}

// The firmware API of index.ts driven over windows of IO chosen by the host, so tests can check
// its argument validation (any offset and length, negative or past the end) inside the wasm.

const fwAes = new Aes128();
const fwHmac = new fw.HmacSha256();

/** Aes128.setKeyChecked(IO, off). */
export function fwSetKey(off: i32): i32 { return fwAes.setKeyChecked(ioArray, off); }
/** Aes128.encryptBlock / decryptBlock on IO windows; returns Aes128.lastError. */
export function fwBlock(srcOff: i32, dstOff: i32, decrypt: bool): i32 {
  if (decrypt) fwAes.decryptBlock(ioArray, srcOff, ioArray, dstOff);
  else fwAes.encryptBlock(ioArray, srcOff, ioArray, dstOff);
  return fwAes.lastError;
}
/** index.ts aesCbcEncrypt / aesCbcDecrypt (SP 800-38A §6.2) on IO windows. */
export function fwCbc(ivOff: i32, off: i32, len: i32, decrypt: bool): i32 {
  return decrypt ? fw.aesCbcDecrypt(fwAes, ioArray, ivOff, ioArray, off, len) : fw.aesCbcEncrypt(fwAes, ioArray, ivOff, ioArray, off, len);
}
/** index.ts aesCtr (SP 800-38A §6.5) on IO windows. */
export function fwCtr(ctrOff: i32, off: i32, len: i32): i32 { return fw.aesCtr(fwAes, ioArray, ctrOff, ioArray, off, len); }
/** index.ts aesCmac (RFC 4493) on IO windows. */
export function fwCmac(off: i32, len: i32, outOff: i32): i32 { return fw.aesCmac(fwAes, ioArray, off, len, ioArray, outOff); }
/** index.ts ccmEncrypt / ccmDecrypt (SP 800-38C) on IO windows. */
export function fwCcm(nOff: i32, nLen: i32, aOff: i32, aLen: i32, off: i32, len: i32, tagOff: i32, tagLen: i32, decrypt: bool): i32 {
  return decrypt
    ? fw.ccmDecrypt(fwAes, ioArray, nOff, nLen, ioArray, aOff, aLen, ioArray, off, len, ioArray, tagOff, tagLen)
    : fw.ccmEncrypt(fwAes, ioArray, nOff, nLen, ioArray, aOff, aLen, ioArray, off, len, ioArray, tagOff, tagLen);
}
/** index.ts sha256 (FIPS 180-4) on IO windows. */
export function fwSha256(off: i32, len: i32, outOff: i32): i32 { return fw.sha256(ioArray, off, len, ioArray, outOff); }
/** index.ts HmacSha256.setKey (RFC 2104) from an IO window. */
export function fwHmacSetKey(off: i32, len: i32): i32 { return fwHmac.setKey(ioArray, off, len); }
/** index.ts HmacSha256.mac (RFC 2104) on IO windows. */
export function fwHmac256(off: i32, len: i32, outOff: i32): i32 { return fwHmac.mac(ioArray, off, len, ioArray, outOff); }
/** index.ts hkdfSha256 (RFC 5869) on IO windows. */
export function fwHkdf(ikmOff: i32, ikmLen: i32, saltOff: i32, saltLen: i32, infoOff: i32, infoLen: i32, outOff: i32, outLen: i32): i32 {
  return fw.hkdfSha256(ioArray, ikmOff, ikmLen, ioArray, saltOff, saltLen, ioArray, infoOff, infoLen, ioArray, outOff, outLen);
}
/** index.ts kdfCmacCounter (SP 800-108 / SCP03) on IO windows. */
export function fwKdf(constant: i32, ctxOff: i32, ctxLen: i32, lengthBits: i32, outOff: i32): i32 {
  return fw.kdfCmacCounter(fwAes, constant, ioArray, ctxOff, ctxLen, lengthBits, ioArray, outOff);
}
/** index.ts dynamicTruncate (RFC 4226 §5.3) on an IO window. */
export function fwTruncate(off: i32, len: i32): u32 { return fw.dynamicTruncate(ioArray, off, len); }
/** index.ts ctEqual on two IO windows: 1 equal, 0 not (or a bad window). */
export function fwCtEqual(aOff: i32, bOff: i32, len: i32): i32 { return fw.ctEqual(ioArray, aOff, ioArray, bOff, len) ? 1 : 0; }
/** index.ts wipe on an IO window. */
export function fwWipe(off: i32, len: i32): i32 { return fw.wipe(ioArray, off, len); }
/** index.ts sha512 (FIPS 180-4) on IO windows. */
export function fwSha512(off: i32, len: i32, outOff: i32): i32 { return sig.sha512(ioArray, off, len, ioArray, outOff); }
/** index.ts ed25519Verify (RFC 8032 §5.1.7) on IO windows. */
export function fwEd25519Verify(pkOff: i32, pkLen: i32, sigOff: i32, sigLen: i32, off: i32, len: i32): i32 {
  return sig.ed25519Verify(ioArray, pkOff, pkLen, ioArray, sigOff, sigLen, ioArray, off, len);
}
