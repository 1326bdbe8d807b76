/**
 * Block-cipher modes over raw memory: CBC and CTR (NIST SP 800-38A §6.2, §6.5), CMAC (RFC 4493,
 * SP 800-38B), CCM (SP 800-38C) and the SP 800-108 counter-mode KDF laid out as GlobalPlatform
 * SCP03 (Amendment D §6.2.2). index.ts checks the caller's windows and calls these.
 */
import { Aes128, WIDE_BYTES } from "./aes";
import { ERR_CRYPTO_DATA_LENGTH, ERR_CRYPTO_NONCE_LENGTH, ERR_CRYPTO_OUTPUT_LENGTH, ERR_CRYPTO_STATE, ERR_CRYPTO_TAG_LENGTH, ERR_CRYPTO_TAG_MISMATCH } from "./errors";
import { ctEqualAt } from "./util";

const KEYSTREAM: usize = memory.data(128, 16);
const COUNTERS: usize = memory.data(128, 16);
const SAVED: usize = memory.data(128, 16);
const BLOCK: usize = memory.data(16, 16);
const CCM_X: usize = memory.data(16, 16);
const CCM_S0: usize = memory.data(16, 16);
const CCM_CTR: usize = memory.data(16, 16);

/** dst[0..len) ^= src[0..len). */
function xorInto(dst: usize, src: usize, len: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 16 <= len; i += 16) v128.store(dst + <usize>i, v128.xor(v128.load(dst + <usize>i), v128.load(src + <usize>i)));
  }
  for (; i + 4 <= len; i += 4) store<u32>(dst + <usize>i, load<u32>(dst + <usize>i) ^ load<u32>(src + <usize>i));
  for (; i < len; i++) store<u8>(dst + <usize>i, load<u8>(dst + <usize>i) ^ load<u8>(src + <usize>i));
}

/** Adds 1 to the 16-byte big-endian counter block at ctr (SP 800-38A App. B.1 with m = 128). */
function incrementCounter(ctr: usize): void {
  let carry: u32 = 1;
  for (let i = 15; i >= 0; i--) {
    const sum = <u32>load<u8>(ctr + <usize>i) + carry;
    store<u8>(ctr + <usize>i, <u8>sum);
    carry = sum >> 8;
  }
}

/** CTR (SP 800-38A §6.5) over len bytes at p, in place; advances the counter at ctr by the blocks used. */
export function ctrAt(aes: Aes128, ctr: usize, p: usize, len: i32): void {
  let at = 0;
  while (at < len) {
    const wide = len - at > 32;
    const chunk = min(wide ? WIDE_BYTES : 32, len - at);
    const blocks = (chunk + 15) >> 4;
    for (let b = 0; b < blocks; b++) {
      memory.copy(COUNTERS + <usize>(b * 16), ctr, 16);
      incrementCounter(ctr);
    }
    if (wide) aes.encryptWideAt(COUNTERS, KEYSTREAM);
    else aes.encrypt2At(COUNTERS, COUNTERS + 16, KEYSTREAM, KEYSTREAM + 16);
    xorInto(p + <usize>at, KEYSTREAM, chunk);
    at += chunk;
  }
  memory.fill(KEYSTREAM, 0, 128);
}

/** CBC encryption (§6.2) of len bytes at p (a multiple of 16), in place; chain = IV in, last block out. */
export function cbcEncryptAt(aes: Aes128, chain: usize, p: usize, len: i32): void {
  for (let at = 0; at < len; at += 16) {
    const block = p + <usize>at;
    xorInto(block, chain, 16);
    aes.encryptAt(block, block);
    memory.copy(chain, block, 16);
  }
}

/** CBC decryption (§6.2) of len bytes at p (a multiple of 16), in place; chain as for encryption. */
export function cbcDecryptAt(aes: Aes128, chain: usize, p: usize, len: i32): void {
  let at = 0;
  for (; at + WIDE_BYTES <= len; at += WIDE_BYTES) {
    const run = p + <usize>at;
    memory.copy(SAVED, run, WIDE_BYTES);
    aes.decryptWideAt(run, run);
    xorInto(run, chain, 16);
    xorInto(run + 16, SAVED, WIDE_BYTES - 16);
    memory.copy(chain, SAVED + <usize>(WIDE_BYTES - 16), 16);
  }
  for (; at + 32 <= len; at += 32) {
    const pair = p + <usize>at;
    memory.copy(SAVED, pair, 32);
    aes.decrypt2At(pair, pair);
    xorInto(pair, chain, 16);
    xorInto(pair + 16, SAVED, 16);
    memory.copy(chain, SAVED + 16, 16);
  }
  for (; at < len; at += 16) {
    const block = p + <usize>at;
    memory.copy(SAVED, block, 16);
    aes.decryptAt(block, block);
    xorInto(block, chain, 16);
    memory.copy(chain, SAVED, 16);
  }
}

/**
 * AES-CMAC (RFC 4493 §2.4) as a stream: begin, update any number of times, finish. The last
 * block is held back until finish, because only then is it known whether K1 or K2 applies.
 */
export class Cmac {
  private aes: Aes128 | null = null;
  private readonly x: StaticArray<u8> = new StaticArray<u8>(16);
  private readonly pending: StaticArray<u8> = new StaticArray<u8>(16);
  private pendingLen: i32 = 0;
  private open: bool = false;

  /** Starts a CMAC under aes (its subkeys were derived by setKey). */
  begin(aes: Aes128): void {
    this.aes = aes;
    memory.fill(changetype<usize>(this.x), 0, 16);
    this.pendingLen = 0;
    this.open = true;
  }

  private absorb(block: usize): void {
    const x = changetype<usize>(this.x);
    xorInto(x, block, 16);
    this.aes!.encryptAt(x, x);
  }

  /** Adds len bytes at p to the message; ERR_CRYPTO_STATE when not begun. */
  update(p: usize, len: i32): i32 {
    if (!this.open) return ERR_CRYPTO_STATE;
    const pending = changetype<usize>(this.pending);
    let at = 0;
    if (this.pendingLen < 16) {
      const take = min(16 - this.pendingLen, len);
      memory.copy(pending + <usize>this.pendingLen, p, take);
      this.pendingLen += take;
      at = take;
    }
    if (at == len) return 0;
    this.absorb(pending);
    for (; len - at > 16; at += 16) this.absorb(p + <usize>at);
    memory.copy(pending, p + <usize>at, len - at);
    this.pendingLen = len - at;
    return 0;
  }

  /** Writes the 16-byte tag to out and closes the stream. */
  finish(out: usize): i32 {
    if (!this.open) return ERR_CRYPTO_STATE;
    const pending = changetype<usize>(this.pending);
    const subkeys = changetype<usize>(this.aes!.cmacSubkeys);
    if (this.pendingLen == 16) {
      xorInto(pending, subkeys, 16);
    } else {
      store<u8>(pending + <usize>this.pendingLen, 0x80);
      memory.fill(pending + <usize>(this.pendingLen + 1), 0, 15 - this.pendingLen);
      xorInto(pending, subkeys + 16, 16);
    }
    this.absorb(pending);
    memory.copy(out, changetype<usize>(this.x), 16);
    memory.fill(changetype<usize>(this.x), 0, 16);
    memory.fill(pending, 0, 16);
    this.open = false;
    return 0;
  }
}

const kdfMac = new Cmac();

/** Largest KDF output: the block counter i is one byte, so at most 255 CMAC blocks. */
export const KDF_MAX_BITS: i32 = 255 * 128;

/**
 * SP 800-108 KDF in counter mode, PRF = AES-CMAC, with SCP03's input layout (Amendment D §6.2.2):
 * 11 zero bytes || constant || 00 || L (16-bit big-endian, bits) || i || context, for i = 1, 2, ...
 * Writes lengthBits/8 bytes at out; returns that count or ERR_CRYPTO_OUTPUT_LENGTH.
 */
export function kdfCmacCounterAt(aes: Aes128, constant: i32, ctx: usize, ctxLen: i32, lengthBits: i32, out: usize): i32 {
  if (lengthBits <= 0 || (lengthBits & 7) != 0 || lengthBits > KDF_MAX_BITS) return ERR_CRYPTO_OUTPUT_LENGTH;
  const outLen = lengthBits >> 3;
  for (let i = 1, at = 0; at < outLen; i++, at += 16) {
    memory.fill(BLOCK, 0, 16);
    store<u8>(BLOCK + 11, <u8>constant);
    store<u8>(BLOCK + 13, <u8>(lengthBits >> 8));
    store<u8>(BLOCK + 14, <u8>lengthBits);
    store<u8>(BLOCK + 15, <u8>i);
    kdfMac.begin(aes);
    kdfMac.update(BLOCK, 16);
    kdfMac.update(ctx, ctxLen);
    kdfMac.finish(KEYSTREAM);
    memory.copy(out + <usize>at, KEYSTREAM, min(16, outLen - at));
  }
  memory.fill(KEYSTREAM, 0, 16);
  return outLen;
}

/** Checks CCM parameters (SP 800-38C §A.1, §A.2): 0 or the error code. */
export function ccmCheck(nonceLen: i32, tagLen: i32, dataLen: i32): i32 {
  if (nonceLen < 7 || nonceLen > 13) return ERR_CRYPTO_NONCE_LENGTH;
  if (tagLen < 4 || tagLen > 16 || (tagLen & 1) != 0) return ERR_CRYPTO_TAG_LENGTH;
  const q = 15 - nonceLen;
  if (q < 4 && dataLen >= 1 << (8 * q)) return ERR_CRYPTO_DATA_LENGTH;
  return 0;
}

/** CBC-MAC state of CCM: absorbs the formatted blocks B1.. (the payload or the AAD) 16 bytes at a time. */
let macFill: i32 = 0;

function macByte(aes: Aes128, v: u8): void {
  store<u8>(BLOCK + <usize>macFill, v);
  if (++macFill == 16) {
    xorInto(CCM_X, BLOCK, 16);
    aes.encryptAt(CCM_X, CCM_X);
    macFill = 0;
  }
}

function macPad(aes: Aes128): void {
  if (macFill == 0) return;
  memory.fill(BLOCK + <usize>macFill, 0, 16 - macFill);
  xorInto(CCM_X, BLOCK, 16);
  aes.encryptAt(CCM_X, CCM_X);
  macFill = 0;
}

/** B0, the encoded AAD (§A.2.1, §A.2.2) into the CBC-MAC, and S0 = E(A0) in the same core pass. */
function ccmStart(aes: Aes128, nonce: usize, nonceLen: i32, aad: usize, aadLen: i32, len: i32, tagLen: i32): void {
  const q = 15 - nonceLen;
  store<u8>(BLOCK, <u8>((aadLen > 0 ? 0x40 : 0) | (((tagLen - 2) >> 1) << 3) | (q - 1)));
  memory.copy(BLOCK + 1, nonce, nonceLen);
  for (let i = 0; i < q; i++) store<u8>(BLOCK + <usize>(15 - i), <u8>(i < 4 ? len >>> (8 * i) : 0));
  memory.fill(CCM_CTR, 0, 16);
  store<u8>(CCM_CTR, <u8>(q - 1));
  memory.copy(CCM_CTR + 1, nonce, nonceLen);
  aes.encrypt2At(BLOCK, CCM_CTR, CCM_X, CCM_S0);
  incrementCounter(CCM_CTR);
  macFill = 0;
  if (aadLen == 0) return;
  if (aadLen < 0xff00) {
    macByte(aes, <u8>(aadLen >> 8)); macByte(aes, <u8>aadLen);
  } else {
    macByte(aes, 0xff); macByte(aes, 0xfe);
    macByte(aes, <u8>(aadLen >>> 24)); macByte(aes, <u8>(aadLen >> 16)); macByte(aes, <u8>(aadLen >> 8)); macByte(aes, <u8>aadLen);
  }
  let at = 0;
  for (; at < aadLen && macFill != 0; at++) macByte(aes, load<u8>(aad + <usize>at));
  for (; aadLen - at >= 16; at += 16) {
    xorInto(CCM_X, aad + <usize>at, 16);
    aes.encryptAt(CCM_X, CCM_X);
  }
  for (; at < aadLen; at++) macByte(aes, load<u8>(aad + <usize>at));
  macPad(aes);
}

/** The payload into the CBC-MAC, padded with zeros. */
function macPayload(aes: Aes128, p: usize, len: i32): void {
  let at = 0;
  for (; len - at >= 16; at += 16) {
    xorInto(CCM_X, p + <usize>at, 16);
    aes.encryptAt(CCM_X, CCM_X);
  }
  for (; at < len; at++) macByte(aes, load<u8>(p + <usize>at));
  macPad(aes);
}

function ccmWipe(): void {
  memory.fill(CCM_X, 0, 16);
  memory.fill(CCM_S0, 0, 16);
  memory.fill(BLOCK, 0, 16);
  memory.fill(KEYSTREAM, 0, 128);
}

/**
 * CCM generation-encryption (SP 800-38C §6.1) of len bytes at p in place; writes the tagLen-byte
 * tag at tag. Parameters must have passed ccmCheck. In the scalar build each payload block's
 * CBC-MAC step and CTR step share one pass of the 2-block core.
 */
export function ccmEncryptAt(aes: Aes128, nonce: usize, nonceLen: i32, aad: usize, aadLen: i32, p: usize, len: i32, tag: usize, tagLen: i32): void {
  ccmStart(aes, nonce, nonceLen, aad, aadLen, len, tagLen);
  if (ASC_FEATURE_SIMD) {
    // Single blocks go through the vector-permute core here, so the CBC-MAC runs alone and the
    // CTR pass takes the 8-block bitsliced core.
    macPayload(aes, p, len);
    ctrAt(aes, CCM_CTR, p, len);
  }
  for (let at = 0; !ASC_FEATURE_SIMD && at < len; at += 16) {
    const n = min(16, len - at);
    const block = p + <usize>at;
    xorInto(CCM_X, block, n);
    aes.encrypt2At(CCM_X, CCM_CTR, CCM_X, KEYSTREAM);
    incrementCounter(CCM_CTR);
    xorInto(block, KEYSTREAM, n);
  }
  xorInto(CCM_S0, CCM_X, tagLen);
  memory.copy(tag, CCM_S0, tagLen);
  ccmWipe();
}

/**
 * CCM decryption-verification (§6.2) of len bytes at p in place against the tag at tag. On a
 * mismatch the len bytes at p are zeroed and ERR_CRYPTO_TAG_MISMATCH returned, so no unverified
 * plaintext is released.
 */
export function ccmDecryptAt(aes: Aes128, nonce: usize, nonceLen: i32, aad: usize, aadLen: i32, p: usize, len: i32, tag: usize, tagLen: i32): i32 {
  ccmStart(aes, nonce, nonceLen, aad, aadLen, len, tagLen);
  ctrAt(aes, CCM_CTR, p, len);
  macPayload(aes, p, len);
  xorInto(CCM_S0, CCM_X, tagLen);
  const ok = ctEqualAt(CCM_S0, tag, tagLen);
  ccmWipe();
  if (!ok) {
    memory.fill(p, 0, len);
    return ERR_CRYPTO_TAG_MISMATCH;
  }
  return 0;
}
