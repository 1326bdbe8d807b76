/**
 * firmware/crypto: the crypto API the lockbox and reader firmware call. Allocation-free after
 * init; every function takes (buffer, offset, length) windows, checks them, and returns 0 (or a
 * length) on success and a code from ./errors on bad input. Nothing here traps on any input.
 *
 * AES is the constant-time bitsliced core of aes-core.ts (design note there). SHA-512 and Ed25519
 * verification are in signature.ts, imported only by the code that checks signed images.
 */
import { Aes128 } from "./aes";
import { ctrAt, cbcEncryptAt, cbcDecryptAt, Cmac, ccmCheck, ccmEncryptAt, ccmDecryptAt, kdfCmacCounterAt } from "./modes";
import { Sha256, HmacState, hkdfSha256At } from "./sha256";
import { inWindow, ctEqualAt, dynamicTruncateAt } from "./util";
import { ERR_CRYPTO_DATA_LENGTH, ERR_CRYPTO_IV_LENGTH, ERR_CRYPTO_NO_KEY, ERR_CRYPTO_TAG_LENGTH, ERR_CRYPTO_TRUNCATED, ERR_CRYPTO_WINDOW, ERR_CRYPTO_NONCE_LENGTH } from "./errors";

export { Aes128 } from "./aes";
export { SHA256_BYTES, SHA256_BLOCK, HKDF_MAX_BYTES } from "./sha256";
export { KDF_MAX_BITS } from "./modes";
export * from "./errors";

const CHAIN: usize = memory.data(16, 16);
const TAG: usize = memory.data(16, 16);

/** Common checks of the AES modes: a keyed cipher, a 16-byte IV window, a data window. */
function checkMode(aes: Aes128, iv: Uint8Array, ivOff: i32, buf: Uint8Array, off: i32, len: i32): i32 {
  if (!aes.keyed) return ERR_CRYPTO_NO_KEY;
  if (!inWindow(iv, ivOff, 16)) return ERR_CRYPTO_IV_LENGTH;
  if (!inWindow(buf, off, len)) return ERR_CRYPTO_WINDOW;
  return 0;
}

/** AES-128-CBC encryption without padding (SP 800-38A §6.2), in place; len a multiple of 16. The IV is not changed. */
export function aesCbcEncrypt(aes: Aes128, iv: Uint8Array, ivOff: i32, buf: Uint8Array, off: i32, len: i32): i32 {
  const rc = checkMode(aes, iv, ivOff, buf, off, len);
  if (rc < 0) return rc;
  if ((len & 15) != 0) return ERR_CRYPTO_DATA_LENGTH;
  memory.copy(CHAIN, iv.dataStart + <usize>ivOff, 16);
  cbcEncryptAt(aes, CHAIN, buf.dataStart + <usize>off, len);
  return 0;
}

/** AES-128-CBC decryption (SP 800-38A §6.2), in place; len a multiple of 16. */
export function aesCbcDecrypt(aes: Aes128, iv: Uint8Array, ivOff: i32, buf: Uint8Array, off: i32, len: i32): i32 {
  const rc = checkMode(aes, iv, ivOff, buf, off, len);
  if (rc < 0) return rc;
  if ((len & 15) != 0) return ERR_CRYPTO_DATA_LENGTH;
  memory.copy(CHAIN, iv.dataStart + <usize>ivOff, 16);
  cbcDecryptAt(aes, CHAIN, buf.dataStart + <usize>off, len);
  return 0;
}

/** AES-128-CTR (SP 800-38A §6.5), 128-bit big-endian counter, in place; encrypts and decrypts. The counter is not changed. */
export function aesCtr(aes: Aes128, counter: Uint8Array, ctrOff: i32, buf: Uint8Array, off: i32, len: i32): i32 {
  const rc = checkMode(aes, counter, ctrOff, buf, off, len);
  if (rc < 0) return rc;
  memory.copy(CHAIN, counter.dataStart + <usize>ctrOff, 16);
  ctrAt(aes, CHAIN, buf.dataStart + <usize>off, len);
  return 0;
}

const cmac = new Cmac();

/** AES-CMAC (RFC 4493 §2.4): the 16-byte tag of msg[off..off+len) into out[outOff..+16). */
export function aesCmac(aes: Aes128, msg: Uint8Array, off: i32, len: i32, out: Uint8Array, outOff: i32): i32 {
  if (!aes.keyed) return ERR_CRYPTO_NO_KEY;
  if (!inWindow(msg, off, len) || !inWindow(out, outOff, 16)) return ERR_CRYPTO_WINDOW;
  cmac.begin(aes);
  cmac.update(msg.dataStart + <usize>off, len);
  return cmac.finish(out.dataStart + <usize>outOff);
}

function checkCcm(aes: Aes128, nonce: Uint8Array, nOff: i32, nLen: i32, aad: Uint8Array, aOff: i32, aLen: i32,
                  buf: Uint8Array, off: i32, len: i32, tag: Uint8Array, tagOff: i32, tagLen: i32): i32 {
  if (!aes.keyed) return ERR_CRYPTO_NO_KEY;
  if (nLen < 7 || nLen > 13) return ERR_CRYPTO_NONCE_LENGTH;
  if (tagLen < 4 || tagLen > 16 || (tagLen & 1) != 0) return ERR_CRYPTO_TAG_LENGTH;
  if (!inWindow(nonce, nOff, nLen)) return ERR_CRYPTO_NONCE_LENGTH;
  if (!inWindow(tag, tagOff, tagLen)) return ERR_CRYPTO_TRUNCATED;
  if (!inWindow(aad, aOff, aLen) || !inWindow(buf, off, len)) return ERR_CRYPTO_WINDOW;
  return ccmCheck(nLen, tagLen, len);
}

/**
 * AES-128-CCM generation-encryption (SP 800-38C §6.1): encrypts buf[off..off+len) in place and
 * writes the tagLen-byte tag at tag[tagOff..]. Nonce 7..13 bytes, tag 4..16 bytes and even.
 */
export function ccmEncrypt(aes: Aes128, nonce: Uint8Array, nOff: i32, nLen: i32, aad: Uint8Array, aOff: i32, aLen: i32,
                           buf: Uint8Array, off: i32, len: i32, tag: Uint8Array, tagOff: i32, tagLen: i32): i32 {
  const rc = checkCcm(aes, nonce, nOff, nLen, aad, aOff, aLen, buf, off, len, tag, tagOff, tagLen);
  if (rc < 0) return rc;
  ccmEncryptAt(aes, nonce.dataStart + <usize>nOff, nLen, aad.dataStart + <usize>aOff, aLen,
    buf.dataStart + <usize>off, len, TAG, tagLen);
  memory.copy(tag.dataStart + <usize>tagOff, TAG, tagLen);
  return 0;
}

/**
 * AES-128-CCM decryption-verification (SP 800-38C §6.2) in place. The tag is compared in constant
 * time; on a mismatch buf[off..off+len) is zeroed and ERR_CRYPTO_TAG_MISMATCH returned.
 */
export function ccmDecrypt(aes: Aes128, nonce: Uint8Array, nOff: i32, nLen: i32, aad: Uint8Array, aOff: i32, aLen: i32,
                           buf: Uint8Array, off: i32, len: i32, tag: Uint8Array, tagOff: i32, tagLen: i32): i32 {
  const rc = checkCcm(aes, nonce, nOff, nLen, aad, aOff, aLen, buf, off, len, tag, tagOff, tagLen);
  if (rc < 0) return rc;
  memory.copy(TAG, tag.dataStart + <usize>tagOff, tagLen);
  return ccmDecryptAt(aes, nonce.dataStart + <usize>nOff, nLen, aad.dataStart + <usize>aOff, aLen,
    buf.dataStart + <usize>off, len, TAG, tagLen);
}

const hash = new Sha256();

/** SHA-256 (FIPS 180-4 §6.2) of msg[off..off+len) into out[outOff..+32). */
export function sha256(msg: Uint8Array, off: i32, len: i32, out: Uint8Array, outOff: i32): i32 {
  if (!inWindow(msg, off, len) || !inWindow(out, outOff, 32)) return ERR_CRYPTO_WINDOW;
  hash.begin();
  hash.update(msg.dataStart + <usize>off, len);
  return hash.finish(out.dataStart + <usize>outOff);
}

/** HMAC-SHA256 (RFC 2104, FIPS 198-1): key once, then MAC many messages from the saved pad midstates. */
export class HmacSha256 {
  private readonly state: HmacState = new HmacState();

  /** Keys with key[off..off+len); any length (RFC 2104 §3). */
  setKey(key: Uint8Array, off: i32, len: i32): i32 {
    if (!inWindow(key, off, len)) return ERR_CRYPTO_WINDOW;
    this.state.setKeyAt(key.dataStart + <usize>off, len);
    return 0;
  }

  /** The 32-byte MAC of msg[off..off+len) into out[outOff..+32). */
  mac(msg: Uint8Array, off: i32, len: i32, out: Uint8Array, outOff: i32): i32 {
    if (!inWindow(msg, off, len) || !inWindow(out, outOff, 32)) return ERR_CRYPTO_WINDOW;
    return this.state.macAt(msg.dataStart + <usize>off, len, out.dataStart + <usize>outOff);
  }
}

/** HKDF-SHA256 (RFC 5869): outLen bytes into out[outOff..]; returns outLen or an error code. */
export function hkdfSha256(ikm: Uint8Array, ikmOff: i32, ikmLen: i32, salt: Uint8Array, saltOff: i32, saltLen: i32,
                           info: Uint8Array, infoOff: i32, infoLen: i32, out: Uint8Array, outOff: i32, outLen: i32): i32 {
  if (!inWindow(ikm, ikmOff, ikmLen) || !inWindow(salt, saltOff, saltLen) || !inWindow(info, infoOff, infoLen)) return ERR_CRYPTO_WINDOW;
  if (outLen >= 0 && !inWindow(out, outOff, outLen)) return ERR_CRYPTO_WINDOW;
  return hkdfSha256At(ikm.dataStart + <usize>ikmOff, ikmLen, salt.dataStart + <usize>saltOff, saltLen,
    info.dataStart + <usize>infoOff, infoLen, out.dataStart + <usize>outOff, outLen);
}

/**
 * NIST SP 800-108 counter-mode KDF with AES-CMAC, in GlobalPlatform SCP03's layout (Amendment D
 * §6.2.2): lengthBits/8 bytes into out[outOff..]; returns that count or an error code.
 */
export function kdfCmacCounter(aes: Aes128, constant: i32, ctx: Uint8Array, ctxOff: i32, ctxLen: i32, lengthBits: i32, out: Uint8Array, outOff: i32): i32 {
  if (!aes.keyed) return ERR_CRYPTO_NO_KEY;
  if (!inWindow(ctx, ctxOff, ctxLen)) return ERR_CRYPTO_WINDOW;
  if (lengthBits > 0 && !inWindow(out, outOff, lengthBits >> 3)) return ERR_CRYPTO_WINDOW;
  return kdfCmacCounterAt(aes, constant, ctx.dataStart + <usize>ctxOff, ctxLen, lengthBits, out.dataStart + <usize>outOff);
}

/** Returned by dynamicTruncate for a bad window or a MAC under 20 bytes (real values are 31-bit). */
export const TRUNCATE_ERROR: u32 = 0xffffffff;

/** RFC 4226 §5.3 dynamic truncation of mac[off..off+len) (len >= 20): a 31-bit value, or TRUNCATE_ERROR. */
export function dynamicTruncate(mac: Uint8Array, off: i32, len: i32): u32 {
  if (!inWindow(mac, off, len) || len < 20) return TRUNCATE_ERROR;
  return dynamicTruncateAt(mac.dataStart + <usize>off, len);
}

/** Constant-time equality of a[aOff..+len) and b[bOff..+len) (docs/ARCHITECTURE.md §5); false on a bad window. */
export function ctEqual(a: Uint8Array, aOff: i32, b: Uint8Array, bOff: i32, len: i32): bool {
  if (!inWindow(a, aOff, len) || !inWindow(b, bOff, len)) return false;
  return ctEqualAt(a.dataStart + <usize>aOff, b.dataStart + <usize>bOff, len);
}

/** Overwrites buf[off..off+len) with zeros; 0, or ERR_CRYPTO_WINDOW (nothing written). */
export function wipe(buf: Uint8Array, off: i32, len: i32): i32 {
  if (!inWindow(buf, off, len)) return ERR_CRYPTO_WINDOW;
  memory.fill(buf.dataStart + <usize>off, 0, len);
  return 0;
}
