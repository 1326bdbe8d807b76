/**
 * AES-128 (FIPS 197) over the constant-time cores: the keyed object, single blocks and the bulk
 * paths the modes use. Scalar build: everything through the 2-block bitsliced core (aes-core.ts).
 * SIMD build: runs of 8 blocks through the v128 bitsliced core, single encryptions (the serial
 * modes) through the vector-permute core (aes-vperm.ts), the rest through the 2-block core.
 */
import { BlockCipher } from "../../protocol/blockcipher";
import { encryptPlanes32, decryptPlanes32, encryptPlanes128, decryptPlanes128, load2, store2, load8, store8, expandKey, SCHEDULE_BYTES, ROUND_KEY_BYTES_AT } from "./aes-core";
import { encryptBlockVperm } from "./aes-vperm";
import { ERR_CRYPTO_KEY_LENGTH, ERR_CRYPTO_NO_KEY, ERR_CRYPTO_WINDOW } from "./errors";
import { inWindow } from "./util";

const Q32: usize = memory.data(32, 16);
const Q128: usize = memory.data(128, 16);

/** Bytes processed per call of the widest core in this build (8 blocks SIMD, 2 blocks scalar). */
export const WIDE_BYTES: i32 = ASC_FEATURE_SIMD ? 128 : 32;

/**
 * An AES-128 key schedule (FIPS 197 §5.2) and the cipher (§5.1, §5.3), constant time. Implements
 * protocol/blockcipher.ts's BlockCipher; the interface returns nothing, so a bad window leaves the
 * output untouched and sets `lastError` (the mode functions return the code instead).
 */
export class Aes128 implements BlockCipher {
  /** The expanded key (aes-core.ts SCHEDULE_BYTES): standard and fixsliced bitsliced round keys. */
  readonly rk: StaticArray<u32> = new StaticArray<u32>(SCHEDULE_BYTES >> 2);
  /** CMAC subkeys K1 || K2 (RFC 4493 §2.3), derived once per key. */
  readonly cmacSubkeys: StaticArray<u8> = new StaticArray<u8>(32);
  keyed: bool = false;
  /** 0, or the error code of the last setKey/encryptBlock/decryptBlock that refused its input. */
  lastError: i32 = 0;

  /** Loads the key at key[off..off+16) (§5.2). */
  setKey(key: Uint8Array, off: i32): void {
    this.lastError = this.setKeyChecked(key, off);
  }

  /** setKey returning 0 or ERR_CRYPTO_KEY_LENGTH; a refused key also forgets the previous one. */
  setKeyChecked(key: Uint8Array, off: i32): i32 {
    if (!inWindow(key, off, 16)) {
      this.clear();
      return ERR_CRYPTO_KEY_LENGTH;
    }
    this.setKeyAt(key.dataStart + <usize>off);
    return 0;
  }

  /** setKey from raw memory (16 bytes at key). */
  setKeyAt(key: usize): void {
    expandKey(key, changetype<usize>(this.rk));
    this.keyed = true;
    const k = changetype<usize>(this.cmacSubkeys);
    memory.fill(k, 0, 16);
    this.encryptAt(k, k);
    doubleBlock(k, k);
    doubleBlock(k, k + 16);
  }

  /** Zeroes the key schedule. */
  clear(): void {
    memory.fill(changetype<usize>(this.rk), 0, SCHEDULE_BYTES);
    memory.fill(changetype<usize>(this.cmacSubkeys), 0, 32);
    this.keyed = false;
  }

  /** Encrypts src[srcOff..+16) into dst[dstOff..+16) (§5.1); the two may overlap exactly. */
  encryptBlock(src: Uint8Array, srcOff: i32, dst: Uint8Array, dstOff: i32): void {
    this.lastError = this.checkBlock(src, srcOff, dst, dstOff);
    if (this.lastError == 0) this.encryptAt(src.dataStart + <usize>srcOff, dst.dataStart + <usize>dstOff);
  }

  /** Decrypts src[srcOff..+16) into dst[dstOff..+16) (§5.3). */
  decryptBlock(src: Uint8Array, srcOff: i32, dst: Uint8Array, dstOff: i32): void {
    this.lastError = this.checkBlock(src, srcOff, dst, dstOff);
    if (this.lastError == 0) this.decryptAt(src.dataStart + <usize>srcOff, dst.dataStart + <usize>dstOff);
  }

  private checkBlock(src: Uint8Array, srcOff: i32, dst: Uint8Array, dstOff: i32): i32 {
    if (!this.keyed) return ERR_CRYPTO_NO_KEY;
    if (!inWindow(src, srcOff, 16) || !inWindow(dst, dstOff, 16)) return ERR_CRYPTO_WINDOW;
    return 0;
  }

  /** One block, raw memory: the vector-permute core in the SIMD build, else the bitsliced one. */
  encryptAt(src: usize, dst: usize): void {
    if (ASC_FEATURE_SIMD) {
      encryptBlockVperm(changetype<usize>(this.rk) + <usize>ROUND_KEY_BYTES_AT, src, dst);
      return;
    }
    load2(Q32, src, src);
    encryptPlanes32(Q32, changetype<usize>(this.rk));
    store2(Q32, dst, dst);
  }

  /** One block, raw memory (§5.3). */
  decryptAt(src: usize, dst: usize): void {
    load2(Q32, src, src);
    decryptPlanes32(Q32, changetype<usize>(this.rk));
    store2(Q32, dst, dst);
  }

  /** Two independent blocks in one pass of the 2-block core (CCM pairs its CBC-MAC and CTR blocks). */
  encrypt2At(s0: usize, s1: usize, d0: usize, d1: usize): void {
    if (ASC_FEATURE_SIMD) {
      const bytes = changetype<usize>(this.rk) + <usize>ROUND_KEY_BYTES_AT;
      encryptBlockVperm(bytes, s0, d0);
      encryptBlockVperm(bytes, s1, d1);
      return;
    }
    load2(Q32, s0, s1);
    encryptPlanes32(Q32, changetype<usize>(this.rk));
    store2(Q32, d0, d1);
  }

  /** ECB over WIDE_BYTES consecutive bytes at src into dst (may be equal). */
  encryptWideAt(src: usize, dst: usize): void {
    if (ASC_FEATURE_SIMD) {
      load8(Q128, src);
      encryptPlanes128(Q128, changetype<usize>(this.rk));
      store8(Q128, dst);
    } else {
      this.encrypt2At(src, src + 16, dst, dst + 16);
    }
  }

  /** Inverse cipher over WIDE_BYTES consecutive bytes at src into dst (may be equal). */
  decryptWideAt(src: usize, dst: usize): void {
    if (ASC_FEATURE_SIMD) {
      load8(Q128, src);
      decryptPlanes128(Q128, changetype<usize>(this.rk));
      store8(Q128, dst);
    } else {
      this.decrypt2At(src, dst);
    }
  }

  /** Two consecutive blocks at src decrypted into dst (may be equal) in one pass of the 2-block core. */
  decrypt2At(src: usize, dst: usize): void {
    load2(Q32, src, src + 16);
    decryptPlanes32(Q32, changetype<usize>(this.rk));
    store2(Q32, dst, dst + 16);
  }

  /** ECB over len bytes at p, in place; len a multiple of 16 (the caller checks). */
  ecbAt(p: usize, len: i32, decrypt: bool): void {
    let at = 0;
    for (; at + WIDE_BYTES <= len; at += WIDE_BYTES) {
      if (decrypt) this.decryptWideAt(p + <usize>at, p + <usize>at);
      else this.encryptWideAt(p + <usize>at, p + <usize>at);
    }
    for (; decrypt && at + 32 <= len; at += 32) this.decrypt2At(p + <usize>at, p + <usize>at);
    for (; at < len; at += 16) {
      if (decrypt) this.decryptAt(p + <usize>at, p + <usize>at);
      else this.encryptAt(p + <usize>at, p + <usize>at);
    }
  }
}

/** Doubling in GF(2^128) as RFC 4493 §2.3 defines it (shift left, xor 0x87 on carry), branch-free. */
function doubleBlock(src: usize, dst: usize): void {
  const carry = <u32>load<u8>(src) >> 7;
  for (let i = 0; i < 15; i++) {
    store<u8>(dst + <usize>i, <u8>((<u32>load<u8>(src + <usize>i) << 1) | (<u32>load<u8>(src + <usize>(i + 1)) >> 7)));
  }
  store<u8>(dst + 15, <u8>((<u32>load<u8>(src + 15) << 1) ^ (0x87 & (0 - carry))));
}
