/**
 * The lockbox's manufacturer-specific OSDP commands on its service port (osdp_MFG §6.22 /
 * osdp_MFGREP §7.25), protocol/SPEC.md Lockbox §6 Same conventions as the reader's (protocol/SPEC.md (Reader chapter)):
 * vendor "LBX" (4c 42 58), data = sub-command ‖ body; reply data = sub-command|80 ‖ status (i16 BE,
 * 0 or an ERR_SVC_* code) ‖ body. Portable AssemblyScript: firmware and Node tools share it.
 */
import { ByteReader, ByteWriter, inBounds } from "../bytes";
import { OK, ERR_TRUNCATED, ERR_OVERLONG, ERR_BAD_ARGUMENT } from "../errors";
import { ERR_SVC_BAD_REPLY } from "./errors";
import { READER_VENDOR, MFG_REPLY_BIT, MFG_REPLY_HEADER, replyStatus } from "./reader";

/** Vendor code of lockbox MFG commands: the reader's, "LBX". */
export const LOCKBOX_VENDOR: u32 = READER_VENDOR;
/** STATUS: identity, clock, battery, log and settings versions (read-only). */
export const MFG_LB_STATUS: u8 = 0x11;
/** READ LOG: up to MAX_LOG_RECORDS audit records from a sequence number on (read-only). */
export const MFG_LB_READ_LOG: u8 = 0x12;
/** READ SETTINGS: the settings in force, protocol/SPEC.md Card §3.4 layout (read-only). */
export const MFG_LB_READ_SETTINGS: u8 = 0x13;
/** SET TIME: sets the clock from an authenticated source (secure channel only; logged). */
export const MFG_LB_SET_TIME: u8 = 0x14;
/** Reply header: sub-command | 80, status i16 BE, as the reader's (write it with reader.ts writeReplyHeader). */
export const MFG_LB_HEADER: i32 = MFG_REPLY_HEADER;
/** Audit records per READ LOG reply. */
export const MAX_LOG_RECORDS: i32 = 6;
/** Bytes of the STATUS body. */
export const STATUS_BODY_SIZE: i32 = 49;

/** STATUS body (spec §6.2). */
export class LockboxStatus {
  lockboxId: u32 = 0;
  associationId: u32 = 0;
  firmwareVersion: u16 = 0;
  utc: u32 = 0;
  clockTrusted: bool = false;
  batteryMillivolts: u16 = 0;
  /** Sequence number the next record will get. */
  nextSequence: u32 = 0;
  /** Records the log always keeps. */
  logCapacity: u16 = 0;
  settingsVersion: u32 = 0;
  denylistVersion: u32 = 0;
  denylistCount: u16 = 0;
  ownerSerial: u32 = 0;
  /** Listing number, ASCII, 00-padded. */
  listing: Uint8Array = new Uint8Array(12);
}

const reader = new ByteReader();
const writer = new ByteWriter();

/** Status i16 of a reply whose header is valid for `sub`; ERR_SVC_BAD_REPLY when it is not (ERR_BAD_ARGUMENT: window outside buf). */
export function readMfgHeader(sub: u8, buf: Uint8Array, off: i32, len: i32): i32 {
  if (!inBounds(buf, off, len)) return ERR_BAD_ARGUMENT;
  if (len < MFG_LB_HEADER || buf[off] != u8(u32(sub) | u32(MFG_REPLY_BIT))) return ERR_SVC_BAD_REPLY;
  return replyStatus(buf, off);
}

/** Encodes a STATUS body; returns STATUS_BODY_SIZE or ERR_OUTPUT_TOO_SMALL. */
export function encodeLockboxStatus(v: LockboxStatus, out: Uint8Array, off: i32, cap: i32): i32 {
  const w = writer.reset(out, off, cap);
  if (!w.room(STATUS_BODY_SIZE)) return w.error;
  w.writeU32BE(v.lockboxId);
  w.writeU32BE(v.associationId);
  w.writeU16BE(v.firmwareVersion);
  w.writeU32BE(v.utc);
  w.writeU8(v.clockTrusted ? 1 : 0);
  w.writeU16BE(v.batteryMillivolts);
  w.writeU32BE(v.nextSequence);
  w.writeU16BE(v.logCapacity);
  w.writeU32BE(v.settingsVersion);
  w.writeU32BE(v.denylistVersion);
  w.writeU16BE(v.denylistCount);
  w.writeU32BE(v.ownerSerial);
  w.writeBytes(v.listing, 0, 12);
  return w.length();
}

/** Decodes a STATUS body of exactly STATUS_BODY_SIZE bytes; the trusted flag must be 0 or 1 (ERR_BAD_ARGUMENT: window outside buf). */
export function decodeLockboxStatus(buf: Uint8Array, off: i32, len: i32, into: LockboxStatus): i32 {
  if (!inBounds(buf, off, len)) return ERR_BAD_ARGUMENT;
  if (len < STATUS_BODY_SIZE) return ERR_TRUNCATED;
  if (len > STATUS_BODY_SIZE) return ERR_OVERLONG;
  if (buf[off + 14] > 1) return ERR_SVC_BAD_REPLY;
  const r = reader.reset(buf, off, len);
  into.lockboxId = r.readU32BE();
  into.associationId = r.readU32BE();
  into.firmwareVersion = r.readU16BE();
  into.utc = r.readU32BE();
  into.clockTrusted = r.readU8() == 1;
  into.batteryMillivolts = r.readU16BE();
  into.nextSequence = r.readU32BE();
  into.logCapacity = r.readU16BE();
  into.settingsVersion = r.readU32BE();
  into.denylistVersion = r.readU32BE();
  into.denylistCount = r.readU16BE();
  into.ownerSerial = r.readU32BE();
  r.readInto(into.listing, 0, 12);
  return OK;
}

/** READ LOG request body: first sequence (u32 BE) ‖ max records (1..MAX_LOG_RECORDS). */
export function encodeReadLog(fromSeq: u32, maxRecords: i32, out: Uint8Array, off: i32): i32 {
  out[off] = u8(fromSeq >>> 24);
  out[off + 1] = u8(fromSeq >>> 16);
  out[off + 2] = u8(fromSeq >>> 8);
  out[off + 3] = u8(fromSeq);
  out[off + 4] = u8(maxRecords);
  return 5;
}
