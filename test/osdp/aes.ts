/**
 * AES-128 for the OSDP tests from node:crypto (an implementation independent of the code under
 * test): a protocol/blockcipher.ts BlockCipher for the TypeScript build, and the env imports
 * (aesSetKey/aesEncrypt/aesDecrypt) the WASM harness calls with pointers into its memory.
 */
import { createCipheriv, createDecipheriv, type Cipher, type Decipher } from "node:crypto";
import type { BlockCipher } from "../../protocol/blockcipher.ts";

/** ECB cipher/decipher pair for one key, created lazily and reused block after block. */
class NodeAes {
  private key = Buffer.alloc(16);
  private enc: Cipher | null = null;
  private dec: Decipher | null = null;

  setKey(key: Uint8Array): void {
    this.key = Buffer.from(key);
    this.enc = null;
    this.dec = null;
  }

  encrypt(block: Uint8Array): Buffer {
    if (!this.enc) {
      this.enc = createCipheriv("aes-128-ecb", this.key, null);
      this.enc.setAutoPadding(false);
    }
    return this.enc.update(block);
  }

  decrypt(block: Uint8Array): Buffer {
    if (!this.dec) {
      this.dec = createDecipheriv("aes-128-ecb", this.key, null);
      this.dec.setAutoPadding(false);
    }
    return this.dec.update(block);
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
