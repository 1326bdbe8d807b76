/**
 * Checks a firmware image in a flash slot (protocol/SPEC.md Image §4) in bounded steps: header and
 * TLV areas, the key hash against the factory key, the SHA-256 (4 KiB of flash per step), the
 * Ed25519 signature when a SignatureCheck is given, then the device kind and the version rule.
 * The boot code gives the signature check (firmware/boot/); the application checks everything else
 * before it asks the boot code for a test boot, and carries no Ed25519 code. Static buffers only.
 */
import { halFlashRead } from "../hal/hal";
import { Sha256 } from "../crypto/sha256";
import {
  ImageHeader, ImageTlvs, ImageVersion, decodeImageHeader, decodeImageTlvs, tlvOffset, compareVersions,
  writeEd25519SpkiPrefix, ED25519_SPKI_PREFIX_BYTES, IMAGE_HEADER_SIZE, TLV_INFO_SIZE, DEVICE_VENDOR,
} from "../../protocol/image/image";
import {
  ERR_IMAGE_TRUNCATED, ERR_IMAGE_TRAILING, ERR_IMAGE_TOO_LARGE, ERR_IMAGE_TLV, ERR_IMAGE_WRONG_KEY, ERR_IMAGE_HASH,
  ERR_IMAGE_SIGNATURE, ERR_IMAGE_DEVICE, ERR_IMAGE_DOWNGRADE,
} from "../../protocol/image/errors";

/** step() result: more steps are needed. */
export const CHECK_PENDING: i32 = 1;
/** Flash bytes hashed per step. */
export const HASH_BYTES_PER_STEP: i32 = 4096;
/** The TLV areas must fit this buffer (ours take 165 bytes). */
const TLV_BUFFER: i32 = 512;
const CHUNK: i32 = 256;

/** The Ed25519 check of the signature of the image's SHA-256, in bounded steps (the boot code's). */
export interface SignatureCheck {
  /** Starts checking the 64-byte signature at sig[sigOff] of the 32-byte digest under the 32-byte key: CHECK_PENDING or a verdict. */
  begin(key: Uint8Array, sig: Uint8Array, sigOff: i32, digest: Uint8Array): i32;
  /** One bounded step: CHECK_PENDING, 0 (valid) or a negative code. */
  step(): i32;
}

const PHASE_IDLE: i32 = 0;
const PHASE_HEADER: i32 = 1;
const PHASE_HASH: i32 = 2;
const PHASE_SIGNATURE: i32 = 3;
const PHASE_POLICY: i32 = 4;

/** One image check at a time; see the file comment. */
export class ImageCheck {
  readonly header: ImageHeader = new ImageHeader();
  readonly tlvs: ImageTlvs = new ImageTlvs();
  /** Bytes of the whole image once the header and TLV areas were read. */
  imageEnd: i32 = 0;
  /** The image's SHA-256, once hashed. */
  readonly digest: Uint8Array = new Uint8Array(32);
  private readonly key: Uint8Array = new Uint8Array(32);
  private readonly expected: Uint8Array = new Uint8Array(32);
  private readonly signature: Uint8Array = new Uint8Array(64);
  private readonly tlvBuf: Uint8Array = new Uint8Array(TLV_BUFFER);
  private readonly chunk: Uint8Array = new Uint8Array(CHUNK);
  private readonly spki: Uint8Array = new Uint8Array(ED25519_SPKI_PREFIX_BYTES);
  private readonly sha: Sha256 = new Sha256();
  private readonly running: ImageVersion = new ImageVersion();
  private hasRunning: bool = false;
  private signer: SignatureCheck | null = null;
  private phase: i32 = PHASE_IDLE;
  private addr: i32 = 0;
  private slotBytes: i32 = 0;
  private length: i32 = -1;
  private model: u8 = 0;
  private hashed: i32 = 0;
  private hashEnd: i32 = 0;

  /**
   * Starts checking the image at flash address `addr` in a slot of `slotBytes`. `length` is the
   * number of bytes transferred (an image must be exactly that long), or -1 to take the length
   * from the image (a slot). `running`, when given, is the version it would replace.
   */
  start(addr: i32, slotBytes: i32, length: i32, key: Uint8Array, model: u8, running: ImageVersion | null, signer: SignatureCheck | null): void {
    this.addr = addr;
    this.slotBytes = slotBytes;
    this.length = length;
    for (let i = 0; i < 32; i++) this.key[i] = key[i];
    this.model = model;
    this.hasRunning = running != null;
    if (running != null) this.running.copyFrom(running!);
    this.signer = signer;
    this.phase = PHASE_HEADER;
  }

  /** True while a check is under way. */
  busy(): bool {
    return this.phase != PHASE_IDLE;
  }

  /** One bounded step: CHECK_PENDING, or the verdict: 0 acceptable, or an ERR_IMAGE_* code. */
  step(): i32 {
    if (this.phase == PHASE_HEADER) return this.end(this.readHeaderAndTlvs());
    if (this.phase == PHASE_HASH) return this.end(this.hashSome());
    if (this.phase == PHASE_SIGNATURE) {
      const rc = this.signer!.step();
      if (rc == CHECK_PENDING) return rc;
      if (rc < 0) return this.end(ERR_IMAGE_SIGNATURE);
      this.phase = PHASE_POLICY;
      return CHECK_PENDING;
    }
    if (this.phase == PHASE_POLICY) return this.end(this.policy());
    return this.end(ERR_IMAGE_TRUNCATED);
  }

  /** Runs every step: the verdict. */
  run(): i32 {
    let rc = CHECK_PENDING;
    while (rc == CHECK_PENDING) rc = this.step();
    return rc;
  }

  private end(rc: i32): i32 {
    if (rc != CHECK_PENDING) this.phase = PHASE_IDLE;
    return rc;
  }

  private readHeaderAndTlvs(): i32 {
    const limit = this.length >= 0 ? this.length : this.slotBytes;
    if (limit < IMAGE_HEADER_SIZE) return ERR_IMAGE_TRUNCATED;
    if (halFlashRead(this.addr, this.tlvBuf.dataStart, IMAGE_HEADER_SIZE) != 0) return ERR_IMAGE_TRUNCATED;
    const rc = decodeImageHeader(this.tlvBuf, 0, IMAGE_HEADER_SIZE, this.header);
    if (rc < 0) return rc;
    const at = tlvOffset(this.header);
    if (at > u32(this.slotBytes - TLV_INFO_SIZE)) return ERR_IMAGE_TOO_LARGE;
    const tlvAt = i32(at);
    if (tlvAt > limit) return ERR_IMAGE_TRUNCATED;
    const available = min(limit - tlvAt, TLV_BUFFER);
    if (halFlashRead(this.addr + tlvAt, this.tlvBuf.dataStart, available) != 0) return ERR_IMAGE_TRUNCATED;
    const n = decodeImageTlvs(this.tlvBuf, 0, available, this.header.protectedTlvSize, this.tlvs);
    if (n == ERR_IMAGE_TRUNCATED && available == TLV_BUFFER && limit - tlvAt > TLV_BUFFER) return ERR_IMAGE_TLV;
    if (n < 0) return n;
    this.imageEnd = tlvAt + n;
    if (this.imageEnd > this.slotBytes) return ERR_IMAGE_TOO_LARGE;
    if (this.length >= 0 && this.imageEnd < this.length) return ERR_IMAGE_TRAILING;
    // Keep what the later phases need: the TLV buffer is reused for nothing else, but stay explicit.
    for (let i = 0; i < 32; i++) this.expected[i] = this.tlvBuf[this.tlvs.hashAt + i];
    for (let i = 0; i < 64; i++) this.signature[i] = this.tlvBuf[this.tlvs.signatureAt + i];
    // KEYHASH: SHA-256 of the factory key's SubjectPublicKeyInfo.
    writeEd25519SpkiPrefix(this.spki, 0);
    this.sha.begin();
    this.sha.update(this.spki.dataStart, ED25519_SPKI_PREFIX_BYTES);
    this.sha.update(this.key.dataStart, 32);
    this.sha.finish(this.digest.dataStart);
    let diff = 0;
    for (let i = 0; i < 32; i++) diff |= i32(this.digest[i] ^ this.tlvBuf[this.tlvs.keyHashAt + i]);
    if (diff != 0) return ERR_IMAGE_WRONG_KEY;
    this.hashed = 0;
    this.hashEnd = tlvAt + this.header.protectedTlvSize;
    this.sha.begin();
    this.phase = PHASE_HASH;
    return CHECK_PENDING;
  }

  private hashSome(): i32 {
    const stop = min(this.hashed + HASH_BYTES_PER_STEP, this.hashEnd);
    while (this.hashed < stop) {
      const n = min(CHUNK, stop - this.hashed);
      if (halFlashRead(this.addr + this.hashed, this.chunk.dataStart, n) != 0) return ERR_IMAGE_TRUNCATED;
      this.sha.update(this.chunk.dataStart, n);
      this.hashed += n;
    }
    if (this.hashed < this.hashEnd) return CHECK_PENDING;
    this.sha.finish(this.digest.dataStart);
    let diff = 0;
    for (let i = 0; i < 32; i++) diff |= i32(this.digest[i] ^ this.expected[i]);
    if (diff != 0) return ERR_IMAGE_HASH;
    if (this.signer != null) {
      const rc = this.signer!.begin(this.key, this.signature, 0, this.digest);
      if (rc < 0) return ERR_IMAGE_SIGNATURE;
      this.phase = rc == CHECK_PENDING ? PHASE_SIGNATURE : PHASE_POLICY;
      return CHECK_PENDING;
    }
    this.phase = PHASE_POLICY;
    return CHECK_PENDING;
  }

  private policy(): i32 {
    const t = this.tlvs;
    if (!t.hasDevice || t.deviceVendor != DEVICE_VENDOR || t.deviceModel != this.model) return ERR_IMAGE_DEVICE;
    if (this.hasRunning && !t.rollback && compareVersions(this.header.version, this.running) < 0) return ERR_IMAGE_DOWNGRADE;
    return 0;
  }
}
