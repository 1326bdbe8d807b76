/**
 * Host side of signed firmware images (protocol/SPEC.md Image): building and signing an MCUboot
 * image the way imgtool does (`imgtool sign --header-size H --pad-header --version V
 * --custom-tlv 0xa0 <device> [--custom-tlv 0xa1 0x01]` with an Ed25519 key), checking one with
 * node:crypto, describing one, and Ed25519 keys in PEM (PKCS#8 private, SubjectPublicKeyInfo
 * public: what imgtool keygen / getpub write). The byte layout comes from protocol/image/image.ts.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from "node:crypto";
import * as I from "../../protocol/image/image.ts";
import { imageErrorName } from "../../protocol/image/errors.ts";
import * as E from "../../protocol/image/errors.ts";

/** The device kinds an image can be for (the device TLV's model byte). */
export const DEVICE_KINDS: Record<string, number> = { lockbox: I.DEVICE_LOCKBOX, reader: I.DEVICE_READER };

/** The name of a device model byte, or its hex. */
export function deviceName(model: number): string {
  return Object.entries(DEVICE_KINDS).find(([, m]) => m === model)?.[0] ?? `0x${model.toString(16).padStart(2, "0")}`;
}

export interface Version { major: number; minor: number; revision: number; build: number }

/** Parses `major.minor.revision[+build]` (imgtool's --version syntax; minor and revision default to 0). */
export function parseVersion(text: string): Version {
  const m = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\+(\d+))?$/.exec(text.trim());
  if (!m) throw new RangeError(`version '${text}' is not major.minor.revision[+build]`);
  // Groups that did not take part are undefined at run time, whatever RegExpExecArray's type says.
  const group = (i: number): number => Number((m[i] as string | undefined) ?? 0);
  const v = { major: group(1), minor: group(2), revision: group(3), build: group(4) };
  if (v.major > 255 || v.minor > 255 || v.revision > 65535 || v.build > 0xffffffff) throw new RangeError(`version '${text}' out of range (255.255.65535+4294967295)`);
  return v;
}

export function formatVersion(v: Version): string {
  return `${v.major}.${v.minor}.${v.revision}+${v.build}`;
}

/** An Ed25519 key pair in PEM: PKCS#8 private key, SubjectPublicKeyInfo public key. */
export function generateKeyPem(): { privatePem: string; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  return {
    privatePem: privateKey.export({ format: "pem", type: "pkcs8" }).toString(),
    publicPem: publicKey.export({ format: "pem", type: "spki" }).toString(),
  };
}

/** A private key from PEM; throws unless it is Ed25519. */
export function privateKeyFromPem(pem: string | Buffer): KeyObject {
  const key = createPrivateKey(pem);
  if (key.asymmetricKeyType !== "ed25519") throw new Error(`not an Ed25519 private key (${key.asymmetricKeyType})`);
  return key;
}

/** A public key from a PEM holding either half of the pair; throws unless it is Ed25519. */
export function publicKeyFromPem(pem: string | Buffer): KeyObject {
  const text = pem.toString();
  const key = /PRIVATE KEY/.test(text) ? createPublicKey(createPrivateKey(text)) : createPublicKey(text);
  if (key.asymmetricKeyType !== "ed25519") throw new Error(`not an Ed25519 key (${key.asymmetricKeyType})`);
  return key;
}

/** The DER SubjectPublicKeyInfo of an Ed25519 key before the key (Image §3). */
const SPKI_PREFIX = ((): Uint8Array => {
  const p = new Uint8Array(I.ED25519_SPKI_PREFIX_BYTES);
  I.writeEd25519SpkiPrefix(p, 0);
  return p;
})();

/** The 32 raw bytes of an Ed25519 public key (RFC 8032 encoding). */
export function rawPublicKey(key: KeyObject): Uint8Array {
  const spki = key.export({ format: "der", type: "spki" });
  return new Uint8Array(spki.subarray(spki.length - I.ED25519_KEY_BYTES));
}

/** A public key object from its 32 raw bytes. */
export function publicKeyFromRaw(raw: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: "der", type: "spki" });
}

/** imgtool's KEYHASH: SHA-256 of the key's DER SubjectPublicKeyInfo. */
export function keyHash(raw: Uint8Array): Uint8Array {
  return new Uint8Array(createHash("sha256").update(SPKI_PREFIX).update(raw).digest());
}

export interface SignOptions {
  /** The firmware: a device .wasm or an MCU .bin. */
  payload: Uint8Array;
  version: Version;
  /** The osdp_PDID model of the device kind the image is for (DEVICE_KINDS). */
  device: number;
  key: KeyObject;
  /** Lets the image replace a newer version (TLV 0xa1). */
  permitRollback?: boolean;
  /** ih_hdr_size: 32, or larger to align the payload (an MCU vector table); the rest of the header area is ff. */
  headerSize?: number;
}

/** Builds and signs an image, byte for byte as imgtool 2.x would with the same inputs (Image §1). */
export function signImage(o: SignOptions): Uint8Array {
  const headerSize = o.headerSize ?? I.IMAGE_HEADER_SIZE;
  if (!Number.isInteger(headerSize) || headerSize < I.IMAGE_HEADER_SIZE || headerSize > 0xffff) throw new RangeError("header size must be 32..65535");
  const prot: Uint8Array[] = [tlv(I.TLV_LBX_DEVICE, Uint8Array.of(0x4c, 0x42, 0x58, o.device))];
  if (o.permitRollback) prot.push(tlv(I.TLV_LBX_ROLLBACK, Uint8Array.of(1)));
  const protBody = concat(prot);
  const protArea = concat([info(I.TLV_PROT_INFO_MAGIC, I.TLV_INFO_SIZE + protBody.length), protBody]);

  const h = new I.ImageHeader();
  h.headerSize = headerSize;
  h.protectedTlvSize = protArea.length;
  h.imageSize = o.payload.length;
  h.version.set(o.version.major, o.version.minor, o.version.revision, o.version.build);
  // imgtool --pad-header fills the header area with the erased value (0xff) before writing the header.
  const header = new Uint8Array(headerSize).fill(0xff);
  if (I.encodeImageHeader(h, header, 0, headerSize) !== I.IMAGE_HEADER_SIZE) throw new Error("cannot encode the image header");

  const signed = concat([header, o.payload, protArea]);
  const digest = new Uint8Array(createHash("sha256").update(signed).digest());
  const raw = rawPublicKey(createPublicKey(o.key));
  const signature = new Uint8Array(sign(null, digest, o.key));
  const body = concat([tlv(I.TLV_SHA256, digest), tlv(I.TLV_KEYHASH, keyHash(raw)), tlv(I.TLV_ED25519, signature)]);
  return concat([signed, info(I.TLV_INFO_MAGIC, I.TLV_INFO_SIZE + body.length), body]);
}

function tlv(type: number, value: Uint8Array): Uint8Array {
  const out = new Uint8Array(I.TLV_HEADER_SIZE + value.length);
  if (I.encodeTlv(type, value, 0, value.length, out, 0) < 0) throw new Error(`cannot encode TLV 0x${type.toString(16)}`);
  return out;
}

function info(magic: number, total: number): Uint8Array {
  const out = new Uint8Array(I.TLV_INFO_SIZE);
  if (I.encodeTlvInfo(magic, total, out, 0) < 0) throw new Error("TLV area too large");
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** What an image says about itself (lockbox image info). */
export interface ImageInfo {
  size: number;
  version: string;
  headerSize: number;
  payloadSize: number;
  protectedTlvSize: number;
  tlvSize: number;
  device: string | null;
  permitsRollback: boolean;
  sha256: string;
  keyHash: string;
  signature: string;
}

/** Why an image is not acceptable: an ERR_IMAGE_* code, its name and a sentence. */
export class ImageError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
    this.name = "ImageError";
  }
  get codeName(): string {
    return imageErrorName(this.code) || String(this.code);
  }
}

/** A sentence for each refusal code (the devices report the codes over MFG; tools print these). */
export function describeImageError(code: number): string {
  switch (code) {
    case E.ERR_IMAGE_MAGIC: return "not an MCUboot image (wrong magic)";
    case E.ERR_IMAGE_HEADER: return "header size, load address or flags this device cannot boot";
    case E.ERR_IMAGE_TOO_LARGE: return "larger than the device's image slot";
    case E.ERR_IMAGE_TRUNCATED: return "truncated: fewer bytes than the header and TLV areas describe";
    case E.ERR_IMAGE_TRAILING: return "bytes after the end of the image";
    case E.ERR_IMAGE_TLV_INFO: return "a TLV area header is malformed";
    case E.ERR_IMAGE_TLV: return "a TLV is malformed, repeated or runs past its area";
    case E.ERR_IMAGE_UNKNOWN_TLV: return "a TLV the device does not support";
    case E.ERR_IMAGE_NO_HASH: return "no SHA-256 TLV";
    case E.ERR_IMAGE_UNSIGNED: return "unsigned (no Ed25519 signature or key hash)";
    case E.ERR_IMAGE_WRONG_KEY: return "signed with another key than the device's";
    case E.ERR_IMAGE_HASH: return "SHA-256 mismatch: the image was altered";
    case E.ERR_IMAGE_SIGNATURE: return "the Ed25519 signature does not verify";
    case E.ERR_IMAGE_DEVICE: return "made for another kind of device";
    case E.ERR_IMAGE_DOWNGRADE: return "older than the running firmware and not signed as a permitted rollback";
    case E.ERR_IMAGE_NOT_CONFIRMED: return "the new image reset before confirming itself; the old one was restored";
    case E.ERR_IMAGE_NO_PARTITION: return "the device has no update partition";
    case E.ERR_IMAGE_OFFSET: return "a fragment arrived out of place (the transfer resumes from the offset IMAGE STATUS reports)";
    default: return `refused (code ${code})`;
  }
}

function fail(code: number): never {
  throw new ImageError(code, describeImageError(code));
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

/** Decodes header and TLV areas (Image §1-§3); throws ImageError for anything malformed. */
export function parseImage(image: Uint8Array): { header: I.ImageHeader; tlvs: I.ImageTlvs; info: ImageInfo } {
  const header = new I.ImageHeader();
  const rc = I.decodeImageHeader(image, 0, image.length, header);
  if (rc < 0) fail(rc);
  const at = I.tlvOffset(header);
  if (at > image.length) fail(E.ERR_IMAGE_TRUNCATED);
  const tlvs = new I.ImageTlvs();
  const n = I.decodeImageTlvs(image, at, image.length - at, header.protectedTlvSize, tlvs);
  if (n < 0) fail(n);
  if (at + n < image.length) fail(E.ERR_IMAGE_TRAILING);
  const v = header.version;
  return {
    header, tlvs,
    info: {
      size: image.length, version: formatVersion(v), headerSize: header.headerSize, payloadSize: header.imageSize,
      protectedTlvSize: header.protectedTlvSize, tlvSize: tlvs.unprotectedSize,
      device: tlvs.hasDevice && tlvs.deviceVendor === I.DEVICE_VENDOR ? deviceName(tlvs.deviceModel) : null, permitsRollback: tlvs.rollback,
      sha256: hex(image.subarray(tlvs.hashAt, tlvs.hashAt + 32)), keyHash: hex(image.subarray(tlvs.keyHashAt, tlvs.keyHashAt + 32)),
      signature: hex(image.subarray(tlvs.signatureAt, tlvs.signatureAt + 64)),
    },
  };
}

/** The payload (the firmware .wasm or .bin) of a well-formed image. */
export function imagePayload(image: Uint8Array): Uint8Array {
  const { header } = parseImage(image);
  return image.subarray(header.headerSize, header.headerSize + header.imageSize);
}

export interface VerifyOptions {
  /** The key the device was provisioned with (32 raw bytes). */
  publicKey: Uint8Array;
  /** The device kind it must be for (model byte), when known. */
  device?: number;
  /** The version it would replace: a lower one is refused unless the image permits rollback. */
  running?: Version;
}

/**
 * Checks an image as a device does (Image §4: structure, key hash, SHA-256, signature, device,
 * version), with node:crypto for the hash and the signature. Returns its info; throws ImageError
 * with the first refusal.
 */
export function verifyImage(image: Uint8Array, o: VerifyOptions): ImageInfo {
  const { header, tlvs, info } = parseImage(image);
  if (hex(keyHash(o.publicKey)) !== info.keyHash) fail(E.ERR_IMAGE_WRONG_KEY);
  const signedEnd = I.tlvOffset(header) + header.protectedTlvSize;
  const digest = createHash("sha256").update(image.subarray(0, signedEnd)).digest();
  if (digest.toString("hex") !== info.sha256) fail(E.ERR_IMAGE_HASH);
  if (!verify(null, digest, publicKeyFromRaw(o.publicKey), image.subarray(tlvs.signatureAt, tlvs.signatureAt + 64))) fail(E.ERR_IMAGE_SIGNATURE);
  if (o.device !== undefined && (!tlvs.hasDevice || tlvs.deviceVendor !== I.DEVICE_VENDOR || tlvs.deviceModel !== o.device)) fail(E.ERR_IMAGE_DEVICE);
  if (o.running && !tlvs.rollback) {
    const r = new I.ImageVersion().set(o.running.major, o.running.minor, o.running.revision, o.running.build);
    if (I.compareVersions(header.version, r) < 0) fail(E.ERR_IMAGE_DOWNGRADE);
  }
  return info;
}
