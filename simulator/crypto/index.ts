/**
 * The crypto API the Node side of Lockbox uses (card emulator, server, tools). Every function
 * takes and returns Uint8Array and throws CryptoError with a specific code on bad input.
 *
 * PLACEHOLDER BACK END: this first version delegates to node:crypto and @noble so the rest of the
 * simulator can be written against the API; the crypto issue replaces the internals with the
 * project's own WebAssembly build (firmware/crypto) without changing any signature.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, timingSafeEqual } from "node:crypto";
import { cmac } from "@noble/ciphers/aes.js";
import type { BlockCipher } from "../../protocol/blockcipher.ts";

export type CryptoErrorCode =
  | "bad-key-length"
  | "bad-iv-length"
  | "bad-nonce-length"
  | "bad-tag-length"
  | "bad-data-length"
  | "bad-output-length"
  | "tag-mismatch"
  | "truncated-input";

export class CryptoError extends Error {
  constructor(readonly code: CryptoErrorCode, message: string) {
    super(message);
    this.name = "CryptoError";
  }
}

function need(cond: boolean, code: CryptoErrorCode, message: string): void {
  if (!cond) throw new CryptoError(code, message);
}

function key16(key: Uint8Array): void {
  need(key.length === 16, "bad-key-length", `AES-128 key must be 16 bytes, got ${key.length}`);
}

function ecb(key: Uint8Array, data: Uint8Array, decrypt: boolean): Uint8Array {
  key16(key);
  const c = decrypt ? createDecipheriv("aes-128-ecb", key, null) : createCipheriv("aes-128-ecb", key, null);
  c.setAutoPadding(false);
  return new Uint8Array(Buffer.concat([c.update(data), c.final()]));
}

/** AES-128 encryption of one block (FIPS 197 §5.1). */
export function aesEncryptBlock(key: Uint8Array, block: Uint8Array): Uint8Array {
  need(block.length === 16, "bad-data-length", "AES block must be 16 bytes");
  return ecb(key, block, false);
}

/** AES-128 decryption of one block (FIPS 197 §5.3). */
export function aesDecryptBlock(key: Uint8Array, block: Uint8Array): Uint8Array {
  need(block.length === 16, "bad-data-length", "AES block must be 16 bytes");
  return ecb(key, block, true);
}

/** AES-128-CBC encryption without padding (SP 800-38A §6.2); data length a multiple of 16. */
export function aesCbcEncrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  key16(key);
  need(iv.length === 16, "bad-iv-length", "CBC IV must be 16 bytes");
  need(data.length % 16 === 0, "bad-data-length", "CBC data must be a multiple of 16 bytes");
  const c = createCipheriv("aes-128-cbc", key, iv);
  c.setAutoPadding(false);
  return new Uint8Array(Buffer.concat([c.update(data), c.final()]));
}

/** AES-128-CBC decryption without padding (SP 800-38A §6.2). */
export function aesCbcDecrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  key16(key);
  need(iv.length === 16, "bad-iv-length", "CBC IV must be 16 bytes");
  need(data.length % 16 === 0, "bad-data-length", "CBC data must be a multiple of 16 bytes");
  const c = createDecipheriv("aes-128-cbc", key, iv);
  c.setAutoPadding(false);
  return new Uint8Array(Buffer.concat([c.update(data), c.final()]));
}

/** AES-128-CTR with a 128-bit big-endian counter block (SP 800-38A §6.5); encrypts and decrypts. */
export function aesCtr(key: Uint8Array, counter: Uint8Array, data: Uint8Array): Uint8Array {
  key16(key);
  need(counter.length === 16, "bad-iv-length", "CTR counter block must be 16 bytes");
  const c = createCipheriv("aes-128-ctr", key, counter);
  return new Uint8Array(Buffer.concat([c.update(data), c.final()]));
}

/** AES-CMAC (RFC 4493 / SP 800-38B), full 16-byte tag. */
export function aesCmac(key: Uint8Array, message: Uint8Array): Uint8Array {
  key16(key);
  return cmac(key, message);
}

function ccmParams(nonce: Uint8Array, tagLength: number): void {
  need(nonce.length >= 7 && nonce.length <= 13, "bad-nonce-length", `CCM nonce must be 7-13 bytes, got ${nonce.length}`);
  need(tagLength >= 4 && tagLength <= 16 && tagLength % 2 === 0, "bad-tag-length", `CCM tag must be 4-16 bytes and even, got ${tagLength}`);
}

/** AES-128-CCM (SP 800-38C): returns ciphertext || tag. */
export function aesCcmEncrypt(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array, tagLength: number): Uint8Array {
  key16(key);
  ccmParams(nonce, tagLength);
  const c = createCipheriv("aes-128-ccm", key, nonce, { authTagLength: tagLength });
  c.setAAD(aad, { plaintextLength: plaintext.length });
  const body = Buffer.concat([c.update(plaintext), c.final()]);
  return new Uint8Array(Buffer.concat([body, c.getAuthTag()]));
}

/** AES-128-CCM decryption (SP 800-38C): verifies the tag in constant time; releases no plaintext on failure. */
export function aesCcmDecrypt(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array, tagLength: number): Uint8Array {
  key16(key);
  ccmParams(nonce, tagLength);
  need(sealed.length >= tagLength, "truncated-input", "CCM input shorter than its tag");
  const body = sealed.subarray(0, sealed.length - tagLength);
  const d = createDecipheriv("aes-128-ccm", key, nonce, { authTagLength: tagLength });
  d.setAuthTag(sealed.subarray(sealed.length - tagLength));
  d.setAAD(aad, { plaintextLength: body.length });
  const out = d.update(body);
  try {
    d.final();
  } catch {
    out.fill(0);
    throw new CryptoError("tag-mismatch", "CCM tag mismatch");
  }
  return new Uint8Array(out);
}

/** SHA-256 (FIPS 180-4 §6.2). */
export function sha256(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash("sha256").update(data).digest());
}

/** HMAC-SHA256 (RFC 2104, FIPS 198-1). */
export function hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array {
  return new Uint8Array(createHmac("sha256", key).update(data).digest());
}

/** HMAC-SHA256 with the key fixed once, for many messages under one key. */
export class HmacSha256Key {
  private readonly key: Uint8Array;
  constructor(key: Uint8Array) {
    this.key = Uint8Array.from(key);
  }
  mac(data: Uint8Array): Uint8Array {
    return hmacSha256(this.key, data);
  }
}

/** HKDF-SHA256 (RFC 5869): extract with `salt`, expand with `info` to `length` bytes (≤ 8160). */
export function hkdfSha256(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  need(length >= 0 && length <= 255 * 32, "bad-output-length", "HKDF output must be at most 8160 bytes");
  return new Uint8Array(hkdfSync("sha256", ikm, salt, info, length));
}

/**
 * NIST SP 800-108 KDF in counter mode with AES-CMAC as PRF, laid out as GlobalPlatform SCP03
 * (Amendment D §6.2.2) does: 11 zero bytes || constant || 00 || L (16-bit, bits) || i || context.
 */
export function kdfCmacCounter(key: Uint8Array, constant: number, context: Uint8Array, lengthBits: number): Uint8Array {
  key16(key);
  need(lengthBits > 0 && lengthBits % 8 === 0 && lengthBits <= 0xffff, "bad-output-length", "KDF length must be a positive multiple of 8 bits");
  const out = new Uint8Array(lengthBits / 8);
  for (let i = 1, at = 0; at < out.length; i++, at += 16) {
    const block = new Uint8Array(16 + context.length);
    block[11] = constant;
    block[13] = lengthBits >>> 8;
    block[14] = lengthBits & 0xff;
    block[15] = i;
    block.set(context, 16);
    out.set(aesCmac(key, block).subarray(0, Math.min(16, out.length - at)), at);
  }
  return out;
}

/** RFC 4226 §5.3 dynamic truncation: a 31-bit value from a MAC of at least 20 bytes. */
export function dynamicTruncate(mac: Uint8Array): number {
  need(mac.length >= 20, "bad-data-length", "dynamic truncation needs a MAC of at least 20 bytes");
  const o = mac[mac.length - 1] & 0x0f;
  return (((mac[o] & 0x7f) << 24) | (mac[o + 1] << 16) | (mac[o + 2] << 8) | mac[o + 3]) >>> 0;
}

/** Compares two byte strings in time that depends only on their lengths. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Overwrites a secret with zeros. */
export function wipe(buf: Uint8Array): void {
  buf.fill(0);
}

/** An AES-128 BlockCipher for protocol/ codecs (OSDP secure channel, ...). */
export function aesBlockCipher(): BlockCipher {
  let key = new Uint8Array(16);
  return {
    setKey(k: Uint8Array, off: number): void {
      key = k.slice(off, off + 16);
    },
    encryptBlock(src: Uint8Array, srcOff: number, dst: Uint8Array, dstOff: number): void {
      dst.set(ecb(key, src.subarray(srcOff, srcOff + 16), false), dstOff);
    },
    decryptBlock(src: Uint8Array, srcOff: number, dst: Uint8Array, dstOff: number): void {
      dst.set(ecb(key, src.subarray(srcOff, srcOff + 16), true), dstOff);
    },
  };
}
