/**
 * Error codes of firmware/crypto (range -240..-259, protocol/errors.ts). Every crypto function
 * returns 0 or a length on success and one of these on bad input; none traps or throws.
 */

/** An AES key window is not 16 bytes inside its buffer (FIPS 197 §5.2: AES-128 keys are 16 bytes). */
export const ERR_CRYPTO_KEY_LENGTH: i32 = -240;
/** A CCM nonce is not 7..13 bytes (SP 800-38C §A.2.1). */
export const ERR_CRYPTO_NONCE_LENGTH: i32 = -241;
/** A CCM tag is not 4, 6, 8, 10, 12, 14 or 16 bytes (SP 800-38C §A.1). */
export const ERR_CRYPTO_TAG_LENGTH: i32 = -242;
/** Data length not allowed: not a multiple of 16 (CBC/ECB), or too long for the CCM length field. */
export const ERR_CRYPTO_DATA_LENGTH: i32 = -243;
/** The CCM tag does not verify; the output buffer was zeroed. */
export const ERR_CRYPTO_TAG_MISMATCH: i32 = -244;
/** The input is shorter than the construction needs (a MAC shorter than 20 bytes for RFC 4226 truncation). */
export const ERR_CRYPTO_TRUNCATED: i32 = -245;
/** An (offset, length) window lies outside its buffer or has a negative part. */
export const ERR_CRYPTO_WINDOW: i32 = -246;
/** A requested output length is out of range (HKDF over 255*32 bytes, KDF length not whole bytes). */
export const ERR_CRYPTO_OUTPUT_LENGTH: i32 = -247;
/** An AES object was used before a successful setKey. */
export const ERR_CRYPTO_NO_KEY: i32 = -248;
/** A CBC IV or CTR counter window is not 16 bytes inside its buffer (SP 800-38A §6.2, §6.5). */
export const ERR_CRYPTO_IV_LENGTH: i32 = -249;
/** A streaming operation was called out of order (update after final, final twice). */
export const ERR_CRYPTO_STATE: i32 = -250;
/** An Ed25519 signature does not verify (RFC 8032 §5.1.7 step 3: [S]B ≠ R + [k]A). */
export const ERR_CRYPTO_BAD_SIGNATURE: i32 = -251;
/** An Ed25519 public key is not 32 bytes encoding a point canonically, or encodes a point of small order. */
export const ERR_CRYPTO_BAD_PUBLIC_KEY: i32 = -252;
/** An Ed25519 signature is not 64 bytes, its R is not a canonical encoding of a point of large order, or S ≥ L. */
export const ERR_CRYPTO_BAD_SIGNATURE_ENCODING: i32 = -253;
