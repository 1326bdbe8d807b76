/**
 * Firmware images in MCUboot's format (mcu-tools/mcuboot docs/design.md "Image Format",
 * boot/bootutil/include/bootutil/image.h), as imgtool writes them with an Ed25519 key:
 *
 *   header (32, then ff up to the header size) ‖ payload ‖ protected TLV area ‖ TLV area
 *
 * every integer little-endian. The protected area (info 0x6908) carries this project's vendor TLVs
 * (device kind, permitted rollback) and is covered by the hash; the unprotected area (info 0x6907)
 * carries SHA-256 (of header, padding, payload and protected area), the SHA-256 of the signing key's
 * SubjectPublicKeyInfo, and the Ed25519 signature of the SHA-256 (MCUboot signs the digest unless
 * the image has SIG_PURE). Byte layout and worked example: protocol/SPEC.md Image §1-§4.
 * Portable AssemblyScript: the devices, the boot code and the Node signing tools share it.
 */
import { ByteReader, ByteWriter, inBounds } from "../bytes";
import { ERR_BAD_ARGUMENT } from "../errors";
import {
  ERR_IMAGE_MAGIC, ERR_IMAGE_HEADER, ERR_IMAGE_TRUNCATED, ERR_IMAGE_TLV_INFO, ERR_IMAGE_TLV, ERR_IMAGE_UNKNOWN_TLV,
  ERR_IMAGE_NO_HASH, ERR_IMAGE_UNSIGNED,
} from "./errors";

/** ih_magic. */
export const IMAGE_MAGIC: u32 = 0x96f3b83d;
/** Bytes of struct image_header (the header area may be larger: ih_hdr_size). */
export const IMAGE_HEADER_SIZE: i32 = 32;
/** it_magic of the unprotected and the protected TLV area. */
export const TLV_INFO_MAGIC: i32 = 0x6907;
export const TLV_PROT_INFO_MAGIC: i32 = 0x6908;
/** Bytes of a TLV area's info header (magic, total size) and of one TLV's header (type, length). */
export const TLV_INFO_SIZE: i32 = 4;
export const TLV_HEADER_SIZE: i32 = 4;

/** MCUboot TLV types this project writes and reads. */
export const TLV_KEYHASH: i32 = 0x01;
export const TLV_SHA256: i32 = 0x10;
export const TLV_ED25519: i32 = 0x24;
/** Vendor TLVs (MCUboot reserves 0x00a0-0xfffe): the device kind the image is for, 4 bytes. */
export const TLV_LBX_DEVICE: i32 = 0x00a0;
/** Vendor TLV: the image may replace a newer version (a signed, deliberate rollback), 1 byte = 01. */
export const TLV_LBX_ROLLBACK: i32 = 0x00a1;

export const SHA256_BYTES: i32 = 32;
export const ED25519_SIGNATURE_BYTES: i32 = 64;
export const ED25519_KEY_BYTES: i32 = 32;
/** Bytes of the device TLV: the OSDP vendor code (3, "LBX") ‖ the osdp_PDID model. */
export const DEVICE_TLV_BYTES: i32 = 4;
/** The vendor code in the device TLV, as OSDP sends it: 4c 42 58 ("LBX"). */
export const DEVICE_VENDOR: u32 = 0x58424c;
/** Device kinds (the osdp_PDID model byte of each device). */
export const DEVICE_LOCKBOX: u8 = 0x4c;
export const DEVICE_READER: u8 = 0x52;

/** Bytes of the DER SubjectPublicKeyInfo of an Ed25519 key before the key itself. */
export const ED25519_SPKI_PREFIX_BYTES: i32 = 12;

/**
 * Writes the DER SubjectPublicKeyInfo of an Ed25519 key up to the key (RFC 8410 §4: SEQUENCE {
 * SEQUENCE { OID 1.3.101.112 }, BIT STRING (33 bytes, 0 unused bits) }) at out[off..off+12).
 * imgtool's KEYHASH TLV is the SHA-256 of these 12 bytes followed by the 32-byte key.
 */
export function writeEd25519SpkiPrefix(out: Uint8Array, off: i32): void {
  out[off] = 0x30; out[off + 1] = 0x2a; out[off + 2] = 0x30; out[off + 3] = 0x05;
  out[off + 4] = 0x06; out[off + 5] = 0x03; out[off + 6] = 0x2b; out[off + 7] = 0x65;
  out[off + 8] = 0x70; out[off + 9] = 0x03; out[off + 10] = 0x21; out[off + 11] = 0x00;
}

/** struct image_version: major.minor.revision+build. */
export class ImageVersion {
  major: u8 = 0;
  minor: u8 = 0;
  revision: u16 = 0;
  build: u32 = 0;

  set(major: u8, minor: u8, revision: u16, build: u32): ImageVersion {
    this.major = major;
    this.minor = minor;
    this.revision = revision;
    this.build = build;
    return this;
  }

  copyFrom(v: ImageVersion): void {
    this.set(v.major, v.minor, v.revision, v.build);
  }
}

/**
 * Orders versions as MCUboot's boot_version_cmp does by default: major, then minor, then revision;
 * the build number is not compared. Returns -1, 0 or 1.
 */
export function compareVersions(a: ImageVersion, b: ImageVersion): i32 {
  if (a.major != b.major) return a.major < b.major ? -1 : 1;
  if (a.minor != b.minor) return a.minor < b.minor ? -1 : 1;
  if (a.revision != b.revision) return a.revision < b.revision ? -1 : 1;
  return 0;
}

/** struct image_header (32 bytes). */
export class ImageHeader {
  loadAddr: u32 = 0;
  /** ih_hdr_size: bytes before the payload (≥ 32; imgtool fills the bytes after the 32 with ff). */
  headerSize: i32 = IMAGE_HEADER_SIZE;
  /** ih_protect_tlv_size: the whole protected TLV area with its info header, or 0. */
  protectedTlvSize: i32 = 0;
  /** ih_img_size: payload bytes. */
  imageSize: u32 = 0;
  flags: u32 = 0;
  readonly version: ImageVersion = new ImageVersion();
}

/** Offset of the TLV areas from the start of the image: header size + payload size. */
export function tlvOffset(h: ImageHeader): u32 {
  return u32(h.headerSize) + h.imageSize;
}

const reader = new ByteReader();
const writer = new ByteWriter();

/**
 * Decodes the 32-byte header at buf[off..off+len). Refuses a wrong magic (ERR_IMAGE_MAGIC), a
 * header size below 32, a load address or any flag (ERR_IMAGE_HEADER: these devices boot plain,
 * unencrypted, uncompressed images from their slot), fewer than 32 bytes (ERR_IMAGE_TRUNCATED).
 * Returns 32; `into` is written only on success (ERR_BAD_ARGUMENT: window outside buf).
 */
export function decodeImageHeader(buf: Uint8Array, off: i32, len: i32, into: ImageHeader): i32 {
  if (!inBounds(buf, off, len)) return ERR_BAD_ARGUMENT;
  if (len < IMAGE_HEADER_SIZE) return ERR_IMAGE_TRUNCATED;
  const r = reader.reset(buf, off, IMAGE_HEADER_SIZE);
  if (r.readU32LE() != IMAGE_MAGIC) return ERR_IMAGE_MAGIC;
  const load = r.readU32LE();
  const hdrSize = i32(r.readU16LE());
  const prot = i32(r.readU16LE());
  const size = r.readU32LE();
  const flags = r.readU32LE();
  if (hdrSize < IMAGE_HEADER_SIZE || load != 0 || flags != 0) return ERR_IMAGE_HEADER;
  into.loadAddr = load;
  into.headerSize = hdrSize;
  into.protectedTlvSize = prot;
  into.imageSize = size;
  into.flags = flags;
  into.version.major = r.readU8();
  into.version.minor = r.readU8();
  into.version.revision = r.readU16LE();
  into.version.build = r.readU32LE();
  return IMAGE_HEADER_SIZE;
}

/** Encodes a header (reserved _pad1 = 0) at out[off..off+cap); returns 32 or ERR_OUTPUT_TOO_SMALL / ERR_BAD_ARGUMENT. */
export function encodeImageHeader(h: ImageHeader, out: Uint8Array, off: i32, cap: i32): i32 {
  if (h.headerSize < IMAGE_HEADER_SIZE || h.headerSize > 0xffff || h.protectedTlvSize < 0 || h.protectedTlvSize > 0xffff) return ERR_BAD_ARGUMENT;
  const w = writer.reset(out, off, cap);
  if (!w.room(IMAGE_HEADER_SIZE)) return w.error;
  w.writeU32LE(IMAGE_MAGIC);
  w.writeU32LE(h.loadAddr);
  w.writeU16LE(h.headerSize);
  w.writeU16LE(h.protectedTlvSize);
  w.writeU32LE(h.imageSize);
  w.writeU32LE(h.flags);
  w.writeU8(h.version.major);
  w.writeU8(h.version.minor);
  w.writeU16LE(h.version.revision);
  w.writeU32LE(h.version.build);
  w.writeU32LE(0);
  return w.length();
}

/** What the TLV areas say, as offsets into the buffer they were decoded from. */
export class ImageTlvs {
  /** Bytes of the protected area (ih_protect_tlv_size) and of the unprotected one (its it_tlv_tot). */
  protectedSize: i32 = 0;
  unprotectedSize: i32 = 0;
  /** Offsets of the 32-byte SHA-256, the 32-byte key hash and the 64-byte signature. */
  hashAt: i32 = -1;
  keyHashAt: i32 = -1;
  signatureAt: i32 = -1;
  /** The device TLV: present, its vendor code (3 bytes, little-endian as sent) and model. */
  hasDevice: bool = false;
  deviceVendor: u32 = 0;
  deviceModel: u8 = 0;
  /** The image permits replacing a newer version (TLV_LBX_ROLLBACK). */
  rollback: bool = false;

  /** Both areas together: the image ends this many bytes after tlvOffset(header). */
  size(): i32 {
    return this.protectedSize + this.unprotectedSize;
  }
}

/** TLV type/length of the TLV at buf[at]. */
function tlvType(buf: Uint8Array, at: i32): i32 {
  return i32(buf[at]) | (i32(buf[at + 1]) << 8);
}
function tlvLength(buf: Uint8Array, at: i32): i32 {
  return i32(buf[at + 2]) | (i32(buf[at + 3]) << 8);
}

/**
 * Decodes the TLV areas at buf[off..off+len) (the bytes from tlvOffset on; trailing bytes are left
 * to the caller) for an image whose header says `protectedSize`. Checks the info headers, that
 * every TLV stays inside its area with the length its type has and appears once, and that the
 * protected area carries only this project's vendor TLVs and the unprotected one only SHA-256,
 * KEYHASH and ED25519 (MCUboot's allow list; what a device cannot honour it refuses). Returns the
 * bytes of both areas; errors ERR_IMAGE_TRUNCATED, _TLV_INFO, _TLV, _UNKNOWN_TLV, _NO_HASH,
 * _UNSIGNED (no signature or no key hash). `into` is written only on success.
 */
export function decodeImageTlvs(buf: Uint8Array, off: i32, len: i32, protectedSize: i32, into: ImageTlvs): i32 {
  if (!inBounds(buf, off, len) || protectedSize < 0) return ERR_BAD_ARGUMENT;
  let hasDevice = false, rollback = false;
  let vendor: u32 = 0;
  let model: u8 = 0;
  if (protectedSize > 0) {
    if (protectedSize < TLV_INFO_SIZE || len < TLV_INFO_SIZE) return ERR_IMAGE_TRUNCATED;
    if (tlvType(buf, off) != TLV_PROT_INFO_MAGIC || tlvLength(buf, off) != protectedSize) return ERR_IMAGE_TLV_INFO;
    if (len < protectedSize) return ERR_IMAGE_TRUNCATED;
    let at = off + TLV_INFO_SIZE;
    const end = off + protectedSize;
    while (at < end) {
      if (end - at < TLV_HEADER_SIZE) return ERR_IMAGE_TLV;
      const type = tlvType(buf, at), n = tlvLength(buf, at);
      if (n > end - at - TLV_HEADER_SIZE) return ERR_IMAGE_TLV;
      const v = at + TLV_HEADER_SIZE;
      if (type == TLV_LBX_DEVICE) {
        if (n != DEVICE_TLV_BYTES || hasDevice) return ERR_IMAGE_TLV;
        hasDevice = true;
        vendor = u32(buf[v]) | (u32(buf[v + 1]) << 8) | (u32(buf[v + 2]) << 16);
        model = buf[v + 3];
      } else if (type == TLV_LBX_ROLLBACK) {
        if (n != 1 || buf[v] != 1 || rollback) return ERR_IMAGE_TLV;
        rollback = true;
      } else {
        return ERR_IMAGE_UNKNOWN_TLV;
      }
      at = v + n;
    }
  }
  const u = off + protectedSize;
  if (len - protectedSize < TLV_INFO_SIZE) return ERR_IMAGE_TRUNCATED;
  const total = tlvLength(buf, u);
  if (tlvType(buf, u) != TLV_INFO_MAGIC || total < TLV_INFO_SIZE) return ERR_IMAGE_TLV_INFO;
  if (len - protectedSize < total) return ERR_IMAGE_TRUNCATED;
  let hashAt = -1, keyHashAt = -1, sigAt = -1;
  let at = u + TLV_INFO_SIZE;
  const end = u + total;
  while (at < end) {
    if (end - at < TLV_HEADER_SIZE) return ERR_IMAGE_TLV;
    const type = tlvType(buf, at), n = tlvLength(buf, at);
    if (n > end - at - TLV_HEADER_SIZE) return ERR_IMAGE_TLV;
    const v = at + TLV_HEADER_SIZE;
    if (type == TLV_SHA256) {
      if (n != SHA256_BYTES || hashAt >= 0) return ERR_IMAGE_TLV;
      hashAt = v;
    } else if (type == TLV_KEYHASH) {
      if (n != SHA256_BYTES || keyHashAt >= 0) return ERR_IMAGE_TLV;
      keyHashAt = v;
    } else if (type == TLV_ED25519) {
      if (n != ED25519_SIGNATURE_BYTES || sigAt >= 0) return ERR_IMAGE_TLV;
      sigAt = v;
    } else {
      return ERR_IMAGE_UNKNOWN_TLV;
    }
    at = v + n;
  }
  if (hashAt < 0) return ERR_IMAGE_NO_HASH;
  if (sigAt < 0 || keyHashAt < 0) return ERR_IMAGE_UNSIGNED;
  into.protectedSize = protectedSize;
  into.unprotectedSize = total;
  into.hashAt = hashAt;
  into.keyHashAt = keyHashAt;
  into.signatureAt = sigAt;
  into.hasDevice = hasDevice;
  into.deviceVendor = vendor;
  into.deviceModel = model;
  into.rollback = rollback;
  return protectedSize + total;
}

/** Writes a TLV area's info header (magic, total size incl. itself) at out[off]; returns 4 or an error. */
export function encodeTlvInfo(magic: i32, total: i32, out: Uint8Array, off: i32): i32 {
  if (total < TLV_INFO_SIZE || total > 0xffff || !inBounds(out, off, TLV_INFO_SIZE)) return ERR_BAD_ARGUMENT;
  writer.reset(out, off, TLV_INFO_SIZE);
  writer.writeU16LE(magic);
  writer.writeU16LE(total);
  return TLV_INFO_SIZE;
}

/** Writes one TLV (type u16, length u16, value) at out[off]; returns its size or an error. */
export function encodeTlv(type: i32, value: Uint8Array, valueOff: i32, n: i32, out: Uint8Array, off: i32): i32 {
  if (n < 0 || n > 0xffff || !inBounds(value, valueOff, n) || !inBounds(out, off, TLV_HEADER_SIZE + n)) return ERR_BAD_ARGUMENT;
  const w = writer.reset(out, off, TLV_HEADER_SIZE + n);
  w.writeU16LE(type);
  w.writeU16LE(n);
  w.writeBytes(value, valueOff, n);
  return w.length();
}
