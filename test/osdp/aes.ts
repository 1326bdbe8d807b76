/**
 * AES-128 for the OSDP tests from node:crypto (an implementation independent of the code under
 * test): a protocol/blockcipher.ts BlockCipher for the TypeScript build, and the env imports
 * (aesSetKey/aesEncrypt/aesDecrypt) the WASM harness calls with pointers into its memory.
 */
import { createCipheriv, createDecipheriv, type Cipher, type Decipher } from "node:crypto";
import type { BlockCipher } from "../../protocol/blockcipher.ts";

interface KeyedEcb { enc: Cipher; dec: Decipher }

/**
 * ECB cipher/decipher pairs per key, reused block after block (OSDP switches among a handful of
 * session keys per packet; re-creating node:crypto objects each time would dominate the tests).
 */
class NodeAes {
  private readonly cache = new Map<string, KeyedEcb>();
  private current: KeyedEcb | null = null;

  setKey(key: Uint8Array): void {
    const id = Buffer.from(key).toString("latin1");
    let k = this.cache.get(id);
    if (!k) {
      if (this.cache.size > 512) this.cache.clear();
      const enc = createCipheriv("aes-128-ecb", key, null);
      const dec = createDecipheriv("aes-128-ecb", key, null);
      enc.setAutoPadding(false);
      dec.setAutoPadding(false);
      k = { enc, dec };
      this.cache.set(id, k);
    }
    this.current = k;
  }

  encrypt(block: Uint8Array): Buffer {
    if (!this.current) throw new Error("AES used before setKey");
    return this.current.enc.update(block);
  }

  decrypt(block: Uint8Array): Buffer {
    if (!this.current) throw new Error("AES used before setKey");
    return this.current.dec.update(block);
  }
}

/** A BlockCipher backed by node:crypto. */
export function nodeBlockCipher(): BlockCipher {
  const aes = new NodeAes();
  return {
    setKey(key: Uint8Array, off: number): void {
      aes.setKey(key.subarray(off, off + 16));
    },
    encryptBlock(src: Uint8Array, srcOff: number, dst: Uint8Array, dstOff: number): void {
      dst.set(aes.encrypt(src.subarray(srcOff, srcOff + 16)), dstOff);
    },
    decryptBlock(src: Uint8Array, srcOff: number, dst: Uint8Array, dstOff: number): void {
      dst.set(aes.decrypt(src.subarray(srcOff, srcOff + 16)), dstOff);
    },
  };
}

/** env imports for test/wasm/osdp.ts; `memory` is resolved after instantiation. */
export function hostAesImports(memory: () => WebAssembly.Memory): Record<string, (...args: number[]) => void> {
  const aes = new NodeAes();
  const bytes = (ptr: number): Uint8Array => new Uint8Array(memory().buffer, ptr, 16);
  return {
    aesSetKey(ptr: number): void {
      aes.setKey(bytes(ptr));
    },
    aesEncrypt(src: number, dst: number): void {
      bytes(dst).set(aes.encrypt(Uint8Array.from(bytes(src))));
    },
    aesDecrypt(src: number, dst: number): void {
      bytes(dst).set(aes.decrypt(Uint8Array.from(bytes(src))));
    },
  };
}
