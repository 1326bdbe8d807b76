/**
 * The crypto API the Node side of Lockbox uses (card emulator, server, tools). Every function
 * takes and returns Uint8Array and throws CryptoError with a specific code on bad input.
 *
 * Back end: the project's own WebAssembly build of firmware/crypto (constant-time bitsliced AES,
 * SHA-256, ...), loaded synchronously on first use. The SIMD build is used when the host's
 * WebAssembly supports SIMD, else the scalar one; LOCKBOX_CRYPTO=scalar|simd forces a build.
 */
import type { BlockCipher } from "../../protocol/blockcipher.ts";
import { WasmCrypto, HmacKey, CryptoError, hostHasSimd, type CryptoBuild, type Ed25519Verdict } from "./wasm.ts";

export { CryptoError, type CryptoErrorCode, type CryptoBuild, type Ed25519Verdict, WasmCrypto, hostHasSimd } from "./wasm.ts";

const instances = new Map<CryptoBuild, WasmCrypto>();

/** The instance of one build (created on first request); tests and benchmarks compare both. */
export function cryptoBuild(build: CryptoBuild): WasmCrypto {
  let instance = instances.get(build);
  if (!instance) {
    instance = new WasmCrypto(build);
    instances.set(build, instance);
  }
  return instance;
}

/** The build this process uses: $LOCKBOX_CRYPTO if set, else SIMD when the host supports it. */
export function selectedBuild(): CryptoBuild {
  const forced = process.env.LOCKBOX_CRYPTO;
  if (forced === "scalar" || forced === "simd") return forced;
  if (forced) throw new Error(`LOCKBOX_CRYPTO must be "scalar" or "simd", got "${forced}"`);
  return hostHasSimd() ? "simd" : "scalar";
}

function wasm(): WasmCrypto {
  return cryptoBuild(selectedBuild());
}

function oneBlock(key: Uint8Array, block: Uint8Array): void {
  if (key.length !== 16) throw new CryptoError("bad-key-length", `AES-128 key must be 16 bytes, got ${key.length}`);
  if (block.length !== 16) throw new CryptoError("bad-data-length", "AES block must be 16 bytes");
}

/** AES-128 encryption of one block (FIPS 197 §5.1). */
export function aesEncryptBlock(key: Uint8Array, block: Uint8Array): Uint8Array {
  oneBlock(key, block);
  return wasm().ecb(key, block, false);
}

/** AES-128 decryption of one block (FIPS 197 §5.3). */
export function aesDecryptBlock(key: Uint8Array, block: Uint8Array): Uint8Array {
  oneBlock(key, block);
  return wasm().ecb(key, block, true);
}

/** AES-128-CBC encryption without padding (SP 800-38A §6.2); data length a multiple of 16. */
export function aesCbcEncrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  return wasm().cbc(key, iv, data, false);
}

/** AES-128-CBC decryption without padding (SP 800-38A §6.2). */
export function aesCbcDecrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  return wasm().cbc(key, iv, data, true);
}

/** AES-128-CTR with a 128-bit big-endian counter block (SP 800-38A §6.5); encrypts and decrypts. */
export function aesCtr(key: Uint8Array, counter: Uint8Array, data: Uint8Array): Uint8Array {
  return wasm().ctr(key, counter, data);
}

/** AES-CMAC (RFC 4493 / SP 800-38B), full 16-byte tag. */
export function aesCmac(key: Uint8Array, message: Uint8Array): Uint8Array {
  return wasm().cmac(key, message);
}

/** AES-128-CCM (SP 800-38C): returns ciphertext || tag. AAD + plaintext at most 32 KiB. */
export function aesCcmEncrypt(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array, tagLength: number): Uint8Array {
  return wasm().ccmEncrypt(key, nonce, plaintext, aad, tagLength);
}

/** AES-128-CCM decryption (SP 800-38C): verifies the tag in constant time; releases no plaintext on failure. */
export function aesCcmDecrypt(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array, tagLength: number): Uint8Array {
  return wasm().ccmDecrypt(key, nonce, sealed, aad, tagLength);
}

/** SHA-256 (FIPS 180-4 §6.2). */
export function sha256(data: Uint8Array): Uint8Array {
  return wasm().sha256(data);
}

/** SHA-512 (FIPS 180-4 §6.4). */
export function sha512(data: Uint8Array): Uint8Array {
  return wasm().sha512(data);
}

/** Ed25519 verification (RFC 8032 §5.1.7) with strict decoding: "valid", or why not. Message ≤ 32 KiB − 96 bytes. */
export function ed25519Verify(publicKey: Uint8Array, signature: Uint8Array, message: Uint8Array): Ed25519Verdict {
  return wasm().ed25519Verify(publicKey, signature, message);
}

/** HMAC-SHA256 (RFC 2104, FIPS 198-1). */
export function hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array {
  return wasm().hmacKey(key).mac(data);
}

/** HMAC-SHA256 with the key fixed once (its pad midstates computed once), for many messages. */
export class HmacSha256Key {
  private readonly key: HmacKey;
  constructor(key: Uint8Array) {
    this.key = wasm().hmacKey(key);
  }
  /** HMAC-SHA256 of data under this key. */
  mac(data: Uint8Array): Uint8Array {
    return this.key.mac(data);
  }
}

/** HKDF-SHA256 (RFC 5869): extract with `salt`, expand with `info` to `length` bytes (≤ 8160). */
export function hkdfSha256(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  return wasm().hkdf(ikm, salt, info, length);
}

/**
 * NIST SP 800-108 KDF in counter mode with AES-CMAC as PRF, laid out as GlobalPlatform SCP03
 * (Amendment D §6.2.2): 11 zero bytes || constant || 00 || L (16-bit, bits) || i || context.
 */
export function kdfCmacCounter(key: Uint8Array, constant: number, context: Uint8Array, lengthBits: number): Uint8Array {
  return wasm().kdfCmac(key, constant, context, lengthBits);
}

/** RFC 4226 §5.3 dynamic truncation: a 31-bit value from a MAC of at least 20 bytes. */
export function dynamicTruncate(mac: Uint8Array): number {
  return wasm().truncate(mac);
}

/** Compares two byte strings in time that depends only on their lengths. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  return wasm().equal(a, b);
}

/** Overwrites a secret with zeros. */
export function wipe(buf: Uint8Array): void {
  buf.fill(0);
}

/** An AES-128 BlockCipher for protocol/ codecs (OSDP secure channel, ...), backed by the wasm AES. */
export function aesBlockCipher(): BlockCipher {
  const key = new Uint8Array(16);
  const engine = wasm();
  return {
    setKey(k: Uint8Array, off: number): void {
      if (off < 0 || k.length - off < 16) throw new CryptoError("bad-key-length", `AES-128 key window at ${off} is not 16 bytes`);
      key.set(k.subarray(off, off + 16));
    },
    encryptBlock(src: Uint8Array, srcOff: number, dst: Uint8Array, dstOff: number): void {
      engine.blockInto(key, src, srcOff, dst, dstOff, false);
    },
    decryptBlock(src: Uint8Array, srcOff: number, dst: Uint8Array, dstOff: number): void {
      engine.blockInto(key, src, srcOff, dst, dstOff, true);
    },
  };
}
