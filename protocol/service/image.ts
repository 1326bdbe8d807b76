/**
 * The IMAGE STATUS manufacturer command both devices answer on their service port (osdp_MFG,
 * vendor "LBX", sub-command 0x20): the versions and states of the two image slots, where a
 * transfer stands (to resume it), and the last refusal. protocol/SPEC.md Image §8. Portable
 * AssemblyScript: the firmware encodes it, `lockbox update` decodes it.
 */
import { ByteReader, ByteWriter, inBounds } from "../bytes";
import { OK, ERR_TRUNCATED, ERR_OVERLONG, ERR_BAD_ARGUMENT } from "../errors";
import { ERR_SVC_BAD_REPLY } from "./errors";
import { ImageVersion } from "../image/image";

/** Sub-command: read the image status (read-only, allowed in the clear). */
export const MFG_IMAGE_STATUS: u8 = 0x20;
/** Bytes of the IMAGE STATUS body. */
export const IMAGE_STATUS_SIZE: i32 = 40;

/** The IMAGE STATUS body (Image §8). */
export class ImageStatus {
  /** The device has an update partition (a boot block provisioned at the factory). */
  partition: bool = false;
  /** The device kind of the boot block (osdp_PDID model). */
  deviceModel: u8 = 0;
  /** Bytes of one slot: the largest image the device takes. */
  slotBytes: u32 = 0;
  /** PRIMARY_* (protocol/image/partition.ts) and the running image's version. */
  primaryState: u8 = 0;
  readonly primaryVersion: ImageVersion = new ImageVersion();
  /** SECONDARY_* and the version in the secondary slot's header (zeros when it has none). */
  secondaryState: u8 = 0;
  readonly secondaryVersion: ImageVersion = new ImageVersion();
  /** The transfer into the secondary slot: its total size, the offset it resumes from, the CRC-32 of the bytes before that offset. */
  transferTotal: u32 = 0;
  resumeOffset: u32 = 0;
  resumeCrc: u32 = 0;
  /** The last refusal (an ERR_IMAGE_* code) or 0. */
  lastResult: i32 = 0;
  /** The largest osdp_FILETRANSFER fragment the device takes. */
  maxFragment: u16 = 0;
}

const reader = new ByteReader();
const writer = new ByteWriter();

function writeVersion(w: ByteWriter, v: ImageVersion): void {
  w.writeU8(v.major);
  w.writeU8(v.minor);
  w.writeU16BE(v.revision);
  w.writeU32BE(v.build);
}

function readVersion(r: ByteReader, v: ImageVersion): void {
  v.major = r.readU8();
  v.minor = r.readU8();
  v.revision = r.readU16BE();
  v.build = r.readU32BE();
}

/** Encodes an IMAGE STATUS body at out[off..off+cap); returns IMAGE_STATUS_SIZE or ERR_OUTPUT_TOO_SMALL. */
export function encodeImageStatus(s: ImageStatus, out: Uint8Array, off: i32, cap: i32): i32 {
  const w = writer.reset(out, off, cap);
  if (!w.room(IMAGE_STATUS_SIZE)) return w.error;
  w.writeU8(s.partition ? 1 : 0);
  w.writeU8(s.deviceModel);
  w.writeU32BE(s.slotBytes);
  w.writeU8(s.primaryState);
  writeVersion(w, s.primaryVersion);
  w.writeU8(s.secondaryState);
  writeVersion(w, s.secondaryVersion);
  w.writeU32BE(s.transferTotal);
  w.writeU32BE(s.resumeOffset);
  w.writeU32BE(s.resumeCrc);
  w.writeU16BE(s.lastResult & 0xffff);
  w.writeU16BE(s.maxFragment);
  return w.length();
}

/**
 * Decodes an IMAGE STATUS body of exactly IMAGE_STATUS_SIZE bytes (ERR_TRUNCATED / ERR_OVERLONG;
 * ERR_SVC_BAD_REPLY for a partition flag other than 0/1; ERR_BAD_ARGUMENT: window outside buf).
 */
export function decodeImageStatus(buf: Uint8Array, off: i32, len: i32, into: ImageStatus): i32 {
  if (!inBounds(buf, off, len)) return ERR_BAD_ARGUMENT;
  if (len < IMAGE_STATUS_SIZE) return ERR_TRUNCATED;
  if (len > IMAGE_STATUS_SIZE) return ERR_OVERLONG;
  if (buf[off] > 1) return ERR_SVC_BAD_REPLY;
  const r = reader.reset(buf, off, len);
  into.partition = r.readU8() == 1;
  into.deviceModel = r.readU8();
  into.slotBytes = r.readU32BE();
  into.primaryState = r.readU8();
  readVersion(r, into.primaryVersion);
  into.secondaryState = r.readU8();
  readVersion(r, into.secondaryVersion);
  into.transferTotal = r.readU32BE();
  into.resumeOffset = r.readU32BE();
  into.resumeCrc = r.readU32BE();
  const last = i32(r.readU16BE());
  into.lastResult = last >= 0x8000 ? last - 0x10000 : last;
  into.maxFragment = r.readU16BE();
  return OK;
}
