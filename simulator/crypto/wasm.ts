/**
 * Loads build/crypto-{scalar,simd}.wasm (firmware/crypto/exports.ts) synchronously and wraps
 * its fixed buffers in Uint8Array functions. Inputs larger than the module's 32 KiB buffer are fed
 * in chunks where the construction allows it (ECB, CBC, CTR, CMAC, SHA-256, HMAC).
 */
import { readFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

export type CryptoBuild = "scalar" | "simd";

export type CryptoErrorCode =
  | "bad-key-length"
  | "bad-iv-length"
  | "bad-nonce-length"
  | "bad-tag-length"
  | "bad-data-length"
  | "bad-output-length"
  | "tag-mismatch"
  | "truncated-input";

/** A refused input: `code` says which check failed (protocol/SPEC.md (Crypto chapter) lists the wasm codes behind them). */
export class CryptoError extends Error {
  constructor(readonly code: CryptoErrorCode, message: string) {
    super(message);
    this.name = "CryptoError";
  }
}

/** What an Ed25519 verification concluded (firmware/crypto/ed25519.ts; codes -251..-253 in SPEC Crypto). */
export type Ed25519Verdict = "valid" | "bad-signature" | "bad-public-key" | "bad-signature-encoding";

const ED25519_VERDICTS: Partial<Record<number, Ed25519Verdict>> = { 0: "valid", [-251]: "bad-signature", [-252]: "bad-public-key", [-253]: "bad-signature-encoding" };

/** firmware/crypto/errors.ts codes and what the Node API reports for them. */
const WASM_ERRORS: Partial<Record<number, [CryptoErrorCode, string]>> = {
  [-240]: ["bad-key-length", "AES-128 key must be 16 bytes"],
  [-241]: ["bad-nonce-length", "CCM nonce must be 7-13 bytes"],
  [-242]: ["bad-tag-length", "CCM tag must be 4-16 bytes and even"],
  [-243]: ["bad-data-length", "data length not allowed for this mode"],
  [-244]: ["tag-mismatch", "CCM tag mismatch"],
  [-245]: ["truncated-input", "input shorter than the construction needs"],
  [-246]: ["bad-data-length", "window outside its buffer"],
  [-247]: ["bad-output-length", "requested output length out of range"],
  [-249]: ["bad-iv-length", "IV/counter must be 16 bytes"],
};

function need(cond: boolean, code: CryptoErrorCode, message: string): void {
  if (!cond) throw new CryptoError(code, message);
}

/** Throws the CryptoError for a negative wasm return code; returns non-negative codes. */
function check(rc: number): number {
  if (rc >= 0) return rc;
  const known = WASM_ERRORS[rc];
  if (known) throw new CryptoError(known[0], `${known[1]} (wasm code ${rc})`);
  throw new Error(`crypto wasm returned unexpected code ${rc}`);
}

interface Exports {
  memory: WebAssembly.Memory;
  ioPtr(): number; ioSize(): number; outPtr(): number; outSize(): number; keyPtr(): number; ivPtr(): number; noncePtr(): number; tagPtr(): number;
  aesSetKey(): number; aesEcb(len: number, decrypt: number): number; aesCbc(len: number, decrypt: number): number; aesCtr(len: number): number;
  cmacBegin(): number; cmacUpdate(len: number): number; cmacFinish(): number;
  ccmEncrypt(nonceLen: number, aadLen: number, len: number, tagLen: number): number;
  ccmDecrypt(nonceLen: number, aadLen: number, len: number, tagLen: number): number;
  sha256Begin(): void; sha256Update(len: number): number; sha256Finish(): number;
  sha512Begin(): void; sha512Update(len: number): number; sha512Finish(): number;
  ed25519Verify(pkLen: number, sigLen: number, msgLen: number): number;
  hmacSetKey(len: number): number; hmacBegin(): number; hmacUpdate(len: number): number; hmacFinish(): number; hmacMac(len: number): number;
  hmacSaveKey(): void; hmacLoadKey(): void;
  hkdf(ikmLen: number, saltLen: number, infoLen: number, outLen: number): number;
  kdfCmac(constant: number, ctxLen: number, lengthBits: number): number;
  truncate(len: number): number;
  ctEqual(len: number): number;
}

/** Path of a build's .wasm file. */
export function wasmPath(build: CryptoBuild): string {
  return join(root, "build", `crypto-${build}.wasm`);
}

/** One instance of one build of the crypto module, with the Uint8Array API. */
export class WasmCrypto {
  private readonly ex: Exports;
  private readonly io: Uint8Array;
  private readonly out: Uint8Array;
  private readonly key: Uint8Array;
  private readonly iv: Uint8Array;
  private readonly nonce: Uint8Array;
  private readonly tag: Uint8Array;
  private readonly ioSize: number;
  /** The AES key now expanded in the module, to skip re-expansion for repeated keys. */
  private loadedKey = new Uint8Array(16);
  private keyLoaded = false;
  /** The HmacKey whose midstates the module holds. */
  private loadedHmac: HmacKey | null = null;

  constructor(readonly build: CryptoBuild) {
    const path = wasmPath(build);
    if (!existsSync(path)) throw new Error(`${path} is missing: run npm run build:wasm`);
    const instance = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(path)), {
      env: {
        abort(_msg: number, _file: number, line: number, column: number): never {
          throw new Error(`crypto wasm abort at ${line}:${column}`);
        },
      },
    });
    this.ex = instance.exports as unknown as Exports;
    // Top-level initialisers (the static AES, SHA and HMAC objects) run in the exported start function.
    (instance.exports._start as () => void)();
    const buf = this.ex.memory.buffer;
    this.ioSize = this.ex.ioSize();
    this.io = new Uint8Array(buf, this.ex.ioPtr(), this.ioSize);
    this.out = new Uint8Array(buf, this.ex.outPtr(), this.ex.outSize());
    this.key = new Uint8Array(buf, this.ex.keyPtr(), 16);
    this.iv = new Uint8Array(buf, this.ex.ivPtr(), 16);
    this.nonce = new Uint8Array(buf, this.ex.noncePtr(), 16);
    this.tag = new Uint8Array(buf, this.ex.tagPtr(), 16);
  }

  /**
   * The module's raw exports and its IO/OUT buffers, for tests that drive the firmware window API
   * (the fw* exports) or the FIPS 197 step exports directly.
   */
  raw(): { exports: Record<string, unknown>; io: Uint8Array; out: Uint8Array } {
    this.keyLoaded = false;
    this.loadedHmac = null;
    return { exports: this.ex as unknown as Record<string, unknown>, io: this.io, out: this.out };
  }

  private setKey(key: Uint8Array): void {
    need(key.length === 16, "bad-key-length", `AES-128 key must be 16 bytes, got ${key.length}`);
    if (this.keyLoaded && sameBytes(this.loadedKey, key)) return;
    this.key.set(key);
    check(this.ex.aesSetKey());
    this.loadedKey.set(key);
    this.keyLoaded = true;
  }

  /** Runs a length-preserving in-place operation over data in IO-sized chunks. */
  private chunked(data: Uint8Array, op: (len: number) => number): Uint8Array {
    const result = new Uint8Array(data.length);
    let at = 0;
    do {
      const len = Math.min(this.ioSize, data.length - at);
      this.io.set(data.subarray(at, at + len));
      check(op(len));
      result.set(this.io.subarray(0, len), at);
      this.io.fill(0, 0, len);
      at += len;
    } while (at < data.length);
    return result;
  }

  /** AES-128-ECB (SP 800-38A §6.1), whole blocks. */
  ecb(key: Uint8Array, data: Uint8Array, decrypt: boolean): Uint8Array {
    this.setKey(key);
    need(data.length % 16 === 0, "bad-data-length", "ECB data must be a multiple of 16 bytes");
    return this.chunked(data, (len) => this.ex.aesEcb(len, decrypt ? 1 : 0));
  }

  /**
   * One block (FIPS 197 §5.1 / §5.3) from src[srcOff..+16) into dst[dstOff..+16) without
   * allocating: the path of the protocol BlockCipher, called once per block by the codecs.
   */
  blockInto(key: Uint8Array, src: Uint8Array, srcOff: number, dst: Uint8Array, dstOff: number, decrypt: boolean): void {
    this.setKey(key);
    need(srcOff >= 0 && src.length - srcOff >= 16 && dstOff >= 0 && dst.length - dstOff >= 16, "bad-data-length", "AES block window must be 16 bytes inside its buffer");
    this.io.set(src.subarray(srcOff, srcOff + 16));
    check(this.ex.aesEcb(16, decrypt ? 1 : 0));
    dst.set(this.io.subarray(0, 16), dstOff);
    this.io.fill(0, 0, 16);
  }

  /** AES-128-CBC without padding (SP 800-38A §6.2). */
  cbc(key: Uint8Array, iv: Uint8Array, data: Uint8Array, decrypt: boolean): Uint8Array {
    this.setKey(key);
    need(iv.length === 16, "bad-iv-length", "CBC IV must be 16 bytes");
    need(data.length % 16 === 0, "bad-data-length", "CBC data must be a multiple of 16 bytes");
    this.iv.set(iv);
    return this.chunked(data, (len) => this.ex.aesCbc(len, decrypt ? 1 : 0));
  }

  /** AES-128-CTR, 128-bit big-endian counter (SP 800-38A §6.5). */
  ctr(key: Uint8Array, counter: Uint8Array, data: Uint8Array): Uint8Array {
    this.setKey(key);
    need(counter.length === 16, "bad-iv-length", "CTR counter block must be 16 bytes");
    this.iv.set(counter);
    return this.chunked(data, (len) => this.ex.aesCtr(len));
  }

  /** AES-CMAC (RFC 4493), streamed through the module in IO-sized chunks. */
  cmac(key: Uint8Array, message: Uint8Array): Uint8Array {
    this.setKey(key);
    check(this.ex.cmacBegin());
    for (let at = 0; at < message.length; at += this.ioSize) {
      const len = Math.min(this.ioSize, message.length - at);
      this.io.set(message.subarray(at, at + len));
      check(this.ex.cmacUpdate(len));
    }
    check(this.ex.cmacFinish());
    return this.tag.slice();
  }

  private ccmParams(key: Uint8Array, nonce: Uint8Array, tagLength: number): void {
    this.setKey(key);
    need(nonce.length >= 7 && nonce.length <= 13, "bad-nonce-length", `CCM nonce must be 7-13 bytes, got ${nonce.length}`);
    need(Number.isInteger(tagLength) && tagLength >= 4 && tagLength <= 16 && tagLength % 2 === 0, "bad-tag-length", `CCM tag must be 4-16 bytes and even, got ${tagLength}`);
  }

  private ccmInputs(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, body: Uint8Array, tagLength: number): void {
    this.ccmParams(key, nonce, tagLength);
    need(aad.length + body.length <= this.ioSize, "bad-data-length", `CCM AAD + payload must fit in ${this.ioSize} bytes`);
    this.nonce.set(nonce);
    this.io.set(aad);
    this.io.set(body, aad.length);
  }

  /** AES-128-CCM (SP 800-38C §6.1): ciphertext || tag. */
  ccmEncrypt(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array, tagLength: number): Uint8Array {
    this.ccmInputs(key, nonce, aad, plaintext, tagLength);
    check(this.ex.ccmEncrypt(nonce.length, aad.length, plaintext.length, tagLength));
    const sealed = new Uint8Array(plaintext.length + tagLength);
    sealed.set(this.io.subarray(aad.length, aad.length + plaintext.length));
    sealed.set(this.tag.subarray(0, tagLength), plaintext.length);
    this.io.fill(0, aad.length, aad.length + plaintext.length);
    return sealed;
  }

  /** AES-128-CCM (SP 800-38C §6.2): the plaintext, or CryptoError("tag-mismatch") and nothing released. */
  ccmDecrypt(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array, tagLength: number): Uint8Array {
    this.ccmParams(key, nonce, tagLength);
    need(sealed.length >= tagLength, "truncated-input", "CCM input shorter than its tag");
    const body = sealed.subarray(0, sealed.length - tagLength);
    this.ccmInputs(key, nonce, aad, body, tagLength);
    this.tag.set(sealed.subarray(body.length));
    check(this.ex.ccmDecrypt(nonce.length, aad.length, body.length, tagLength));
    const plain = this.io.slice(aad.length, aad.length + body.length);
    this.io.fill(0, aad.length, aad.length + body.length);
    return plain;
  }

  /** SHA-256 (FIPS 180-4), streamed in IO-sized chunks. */
  sha256(data: Uint8Array): Uint8Array {
    this.ex.sha256Begin();
    for (let at = 0; at < data.length; at += this.ioSize) {
      const len = Math.min(this.ioSize, data.length - at);
      this.io.set(data.subarray(at, at + len));
      check(this.ex.sha256Update(len));
    }
    check(this.ex.sha256Finish());
    return this.out.slice(0, 32);
  }

  /** SHA-512 (FIPS 180-4 §6.4), streamed in IO-sized chunks. */
  sha512(data: Uint8Array): Uint8Array {
    this.ex.sha512Begin();
    for (let at = 0; at < data.length; at += this.ioSize) {
      const len = Math.min(this.ioSize, data.length - at);
      this.io.set(data.subarray(at, at + len));
      check(this.ex.sha512Update(len));
    }
    check(this.ex.sha512Finish());
    return this.out.slice(0, 64);
  }

  /**
   * Ed25519 verification (RFC 8032 §5.1.7, strict decoding) of `signature` over `message` under
   * `publicKey`, in the wasm: the verdict. Any lengths are passed through (the wasm refuses a key
   * that is not 32 bytes or a signature that is not 64); the message must fit the IO buffer.
   */
  ed25519Verify(publicKey: Uint8Array, signature: Uint8Array, message: Uint8Array): Ed25519Verdict {
    need(publicKey.length + signature.length + message.length <= this.ioSize, "bad-data-length", `key, signature and message exceed ${this.ioSize} bytes`);
    this.io.set(publicKey);
    this.io.set(signature, publicKey.length);
    this.io.set(message, publicKey.length + signature.length);
    const rc = this.ex.ed25519Verify(publicKey.length, signature.length, message.length);
    const verdict = ED25519_VERDICTS[rc];
    if (verdict !== undefined) return verdict;
    check(rc); // a known refusal (bad input length) throws its CryptoError
    throw new Error(`crypto wasm returned unexpected Ed25519 code ${rc}`);
  }

  /** Makes `key` the module's current HMAC key (its saved midstates), then MACs data. */
  hmacWith(key: HmacKey, data: Uint8Array): Uint8Array {
    if (this.loadedHmac !== key) {
      this.io.set(key.midstates);
      this.ex.hmacLoadKey();
      this.loadedHmac = key;
    }
    if (data.length <= this.ioSize) {
      this.io.set(data);
      check(this.ex.hmacMac(data.length));
      return this.out.slice(0, 32);
    }
    check(this.ex.hmacBegin());
    for (let at = 0; at < data.length; at += this.ioSize) {
      const len = Math.min(this.ioSize, data.length - at);
      this.io.set(data.subarray(at, at + len));
      check(this.ex.hmacUpdate(len));
    }
    check(this.ex.hmacFinish());
    return this.out.slice(0, 32);
  }

  /** Computes the pad midstates of an HMAC key (RFC 2104); a long key is hashed first. */
  hmacKey(key: Uint8Array): HmacKey {
    const k = key.length > this.ioSize ? this.sha256(key) : key;
    this.io.set(k);
    check(this.ex.hmacSetKey(k.length));
    this.ex.hmacSaveKey();
    this.io.fill(0, 0, k.length);
    const handle = new HmacKey(this, this.out.slice(0, 64));
    this.out.fill(0, 0, 64);
    this.loadedHmac = handle;
    return handle;
  }

  /** HKDF-SHA256 (RFC 5869); inputs together at most 32 KiB. */
  hkdf(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array {
    need(Number.isInteger(length) && length >= 0 && length <= 255 * 32, "bad-output-length", "HKDF output must be at most 8160 bytes");
    need(ikm.length + salt.length + info.length <= this.ioSize, "bad-data-length", `HKDF inputs must fit in ${this.ioSize} bytes`);
    this.io.set(ikm);
    this.io.set(salt, ikm.length);
    this.io.set(info, ikm.length + salt.length);
    check(this.ex.hkdf(ikm.length, salt.length, info.length, length));
    this.loadedHmac = null;
    const okm = this.out.slice(0, length);
    this.out.fill(0, 0, length);
    this.io.fill(0, 0, ikm.length + salt.length + info.length);
    return okm;
  }

  /** SP 800-108 counter KDF with AES-CMAC in the SCP03 layout (protocol/SPEC.md (Crypto chapter)). */
  kdfCmac(key: Uint8Array, constant: number, context: Uint8Array, lengthBits: number): Uint8Array {
    this.setKey(key);
    need(Number.isInteger(lengthBits) && lengthBits > 0 && lengthBits % 8 === 0 && lengthBits <= 255 * 128, "bad-output-length", "KDF length must be a positive multiple of 8 bits, at most 32640");
    need(context.length <= this.ioSize, "bad-data-length", `KDF context must fit in ${this.ioSize} bytes`);
    this.io.set(context);
    const n = check(this.ex.kdfCmac(constant & 0xff, context.length, lengthBits));
    const okm = this.out.slice(0, n);
    this.out.fill(0, 0, n);
    return okm;
  }

  /** RFC 4226 §5.3 dynamic truncation, without data-indexed loads. */
  truncate(mac: Uint8Array): number {
    need(mac.length >= 20, "truncated-input", "dynamic truncation needs a MAC of at least 20 bytes");
    need(mac.length <= this.ioSize, "bad-data-length", "MAC too long");
    this.io.set(mac);
    return check(this.ex.truncate(mac.length));
  }

  /** Constant-time equality; inputs over 16 KiB are compared through their SHA-256 digests. */
  equal(a: Uint8Array, b: Uint8Array): boolean {
    if (a.length !== b.length) return false;
    if (a.length > this.ioSize / 2) return sameBytes(this.sha256(a), this.sha256(b));
    this.io.set(a);
    this.io.set(b, a.length);
    const eq = check(this.ex.ctEqual(a.length)) === 1;
    this.io.fill(0, 0, 2 * a.length);
    return eq;
  }
}

/** An HMAC-SHA256 key held as its ipad/opad midstates (64 bytes), bound to one module instance. */
export class HmacKey {
  constructor(private readonly owner: WasmCrypto, readonly midstates: Uint8Array) {}
  /** HMAC-SHA256 (RFC 2104) of data under this key. */
  mac(data: Uint8Array): Uint8Array {
    return this.owner.hmacWith(this, data);
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A minimal module using one SIMD instruction (v128.const); valid only where SIMD is supported. */
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b,
  0x03, 0x02, 0x01, 0x00,
  0x0a, 0x16, 0x01, 0x14, 0x00, 0xfd, 0x0c, ...new Array<number>(16).fill(0), 0x0b,
]);

/** True when this host's WebAssembly supports fixed-width SIMD. */
export function hostHasSimd(): boolean {
  return WebAssembly.validate(SIMD_PROBE);
}
