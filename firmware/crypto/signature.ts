/**
 * firmware/crypto signature checks: SHA-512 (FIPS 180-4) and Ed25519 verification (RFC 8032
 * §5.1.7, strict decoding: ed25519.ts), over (buffer, offset, length) windows like index.ts. A
 * separate module so firmware that never verifies a signature does not carry the verifier's
 * static state: only the code that checks signed images imports it. Verification handles public
 * data and is not constant time.
 */
import { Sha512 } from "./sha512";
import { Ed25519Verifier, ED25519_PENDING } from "./ed25519";
import { inWindow } from "./util";
import { ERR_CRYPTO_WINDOW } from "./errors";

export { SHA512_BYTES } from "./sha512";
export { ED25519_PUBLIC_KEY_BYTES, ED25519_SIGNATURE_BYTES, ED25519_PENDING, ED25519_LADDER_BITS_PER_STEP } from "./ed25519";

const hash512 = new Sha512();

/** SHA-512 (FIPS 180-4 §6.4) of msg[off..off+len) into out[outOff..+64). */
export function sha512(msg: Uint8Array, off: i32, len: i32, out: Uint8Array, outOff: i32): i32 {
  if (!inWindow(msg, off, len) || !inWindow(out, outOff, 64)) return ERR_CRYPTO_WINDOW;
  hash512.begin();
  hash512.update(msg.dataStart + <usize>off, len);
  return hash512.finish(out.dataStart + <usize>outOff);
}

const verifier = new Ed25519Verifier();

/**
 * Starts an Ed25519 verification (RFC 8032 §5.1.7, strict: ed25519.ts) of sig[sigOff..+sigLen)
 * over msg[off..off+len) under pk[pkOff..+pkLen); the message is hashed now, the curve work is left
 * to ed25519VerifyStep. Returns ED25519_PENDING, or a verdict at once for malformed lengths or
 * S ≥ L. One verification at a time: a new start abandons the previous one.
 */
export function ed25519VerifyStart(pk: Uint8Array, pkOff: i32, pkLen: i32, sig: Uint8Array, sigOff: i32, sigLen: i32,
                                   msg: Uint8Array, off: i32, len: i32): i32 {
  if (!inWindow(pk, pkOff, pkLen) || !inWindow(sig, sigOff, sigLen) || !inWindow(msg, off, len)) return ERR_CRYPTO_WINDOW;
  return verifier.start(pk.dataStart + <usize>pkOff, pkLen, sig.dataStart + <usize>sigOff, sigLen, msg.dataStart + <usize>off, len);
}

/**
 * One bounded step of the verification begun by ed25519VerifyStart (a point decoding, 32 ladder
 * bits, or the final encoding): ED25519_PENDING, then the verdict: 0 valid, ERR_CRYPTO_BAD_SIGNATURE,
 * ERR_CRYPTO_BAD_PUBLIC_KEY or ERR_CRYPTO_BAD_SIGNATURE_ENCODING (ERR_CRYPTO_STATE when none is under way).
 */
export function ed25519VerifyStep(): i32 {
  return verifier.step();
}

/** Ed25519 verification at once (ed25519VerifyStart, then every step): 0 when the signature is valid, else the refusal's code. */
export function ed25519Verify(pk: Uint8Array, pkOff: i32, pkLen: i32, sig: Uint8Array, sigOff: i32, sigLen: i32,
                              msg: Uint8Array, off: i32, len: i32): i32 {
  let rc = ed25519VerifyStart(pk, pkOff, pkLen, sig, sigOff, sigLen, msg, off, len);
  while (rc == ED25519_PENDING) rc = verifier.step();
  return rc;
}
