// Both builds of the crypto wasm, for tests that must hold for each (scalar and SIMD).
import { CryptoError, cryptoBuild, type CryptoBuild, type WasmCrypto } from "../../simulator/crypto/index.ts";

export const BUILDS: CryptoBuild[] = ["scalar", "simd"];

export function engine(build: CryptoBuild): WasmCrypto {
  return cryptoBuild(build);
}

/** The CryptoError code `fn` throws, or "none"; any other exception propagates. */
export function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof CryptoError) return e.code;
    throw e;
  }
  return "none";
}

/** The fw* and step exports of exports.ts, typed for tests. */
export interface RawExports {
  aesStep(step: number): void;
  aesRoundKey(r: number): number;
  aesSetKey(): number;
  keyPtr(): number;
  fwSetKey(off: number): number;
  fwBlock(srcOff: number, dstOff: number, decrypt: number): number;
  fwCbc(ivOff: number, off: number, len: number, decrypt: number): number;
  fwCtr(ctrOff: number, off: number, len: number): number;
  fwCmac(off: number, len: number, outOff: number): number;
  fwCcm(nOff: number, nLen: number, aOff: number, aLen: number, off: number, len: number, tagOff: number, tagLen: number, decrypt: number): number;
  fwSha256(off: number, len: number, outOff: number): number;
  fwHmacSetKey(off: number, len: number): number;
  fwHmac256(off: number, len: number, outOff: number): number;
  fwHkdf(ikmOff: number, ikmLen: number, saltOff: number, saltLen: number, infoOff: number, infoLen: number, outOff: number, outLen: number): number;
  fwKdf(constant: number, ctxOff: number, ctxLen: number, lengthBits: number, outOff: number): number;
  fwTruncate(off: number, len: number): number;
  fwCtEqual(aOff: number, bOff: number, len: number): number;
  fwWipe(off: number, len: number): number;
  memory: WebAssembly.Memory;
}

export function raw(build: CryptoBuild): { ex: RawExports; io: Uint8Array; out: Uint8Array } {
  const r = cryptoBuild(build).raw();
  return { ex: r.exports as unknown as RawExports, io: r.io, out: r.out };
}
