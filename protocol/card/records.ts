/**
 * The lockbox audit record (spec §4): one 38-byte layout for the card's own accesses, the records
 * it carries for other cards, ownership events and "settings applied" events. The lockbox that
 * writes a record MACs it with its audit key (spec §5, KEY_LOCKBOX_AUDIT), so the server can tell
 * a record the card or the PC altered, forged or replayed. The MAC is AES-CMAC truncated to its
 * first 8 bytes (SP 800-38B §5.3 allows truncation; 64 bits matches SCP03 S8 and halves the EEPROM
 * a record costs).
 */
import { BlockCipher } from "../blockcipher";
import { ByteReader, ByteWriter, copyBytes, constantTimeEqual, inBounds } from "../bytes";
import { ERR_TRUNCATED, ERR_OVERLONG, ERR_BAD_ARGUMENT } from "../errors";
import { ERR_CARD_BAD_FIELD } from "./errors";
import { aesCmac } from "./cmac";

/** Audit record size (spec §4.1). */
export const AUDIT_RECORD_SIZE: i32 = 38;
/** Bytes of the record the MAC covers: everything before the MAC. */
export const AUDIT_MAC_COVERED: i32 = 30;
/** Length of the truncated audit MAC. */
export const AUDIT_MAC_SIZE: i32 = 8;
/** Width of the event payload. */
export const AUDIT_PAYLOAD_SIZE: i32 = 12;
/** A record as the card stores and uploads it: card sequence number (u32 BE) || audit record (spec §4.2). */
export const STORED_RECORD_SIZE: i32 = 4 + AUDIT_RECORD_SIZE;

/** Event types (spec §4.1). 0x01..0x0F are accesses and go to FILE_ACCESS or FILE_CARRIED. */
export const EVENT_OPENED: u8 = 0x01;
/** Access refused (reason code says why). */
export const EVENT_DENIED: u8 = 0x02;
/** Shackle released (owner FUNC 1, or shackle code). */
export const EVENT_SHACKLE_RELEASED: u8 = 0x03;
/** A CARS code was accepted and the card extended. */
export const EVENT_CARS_APPLIED: u8 = 0x04;
/** A card took ownership; payload = listing MLS number, NUL-padded ASCII (FILE_OWNERSHIP). */
export const EVENT_OWNERSHIP_TAKEN: u8 = 0x10;
/** The box left its listing (shackle release by the owner); payload as above (FILE_OWNERSHIP). */
export const EVENT_OWNERSHIP_RELEASED: u8 = 0x11;
/** Staged settings applied; payload = settings version (u32 BE) + 8 zero bytes (FILE_SETTINGS_APPLIED). */
export const EVENT_SETTINGS_APPLIED: u8 = 0x20;

/** True for an event type spec §4.1 defines. */
export function isKnownEvent(type: u8): bool {
  return (type >= EVENT_OPENED && type <= EVENT_CARS_APPLIED) || type == EVENT_OWNERSHIP_TAKEN || type == EVENT_OWNERSHIP_RELEASED || type == EVENT_SETTINGS_APPLIED;
}

/** One lockbox audit record (spec §4.1). */
export class AuditRecord {
  lockboxId: u32 = 0;
  /** The lockbox's own audit sequence number (strictly increasing per lockbox). */
  sequence: u32 = 0;
  /** UTC seconds since 1970 by the lockbox clock. */
  utc: u32 = 0;
  eventType: u8 = 0;
  /** Why (for EVENT_DENIED) or how (for the others); lockbox-defined, 0 = none. */
  reason: u8 = 0;
  cardSerial: u32 = 0;
  payload: Uint8Array = new Uint8Array(AUDIT_PAYLOAD_SIZE);
  mac: Uint8Array = new Uint8Array(AUDIT_MAC_SIZE);
}

const reader = new ByteReader();
const writer = new ByteWriter();
const fullMac = new Uint8Array(16);

/** Writes an audit record including its stored `mac` field (spec §4.1). */
export function encodeAuditRecord(v: AuditRecord, out: Uint8Array, off: i32, cap: i32): i32 {
  const w = writer.reset(out, off, cap);
  if (!w.room(AUDIT_RECORD_SIZE)) return w.error;
  w.writeU32BE(v.lockboxId);
  w.writeU32BE(v.sequence);
  w.writeU32BE(v.utc);
  w.writeU8(v.eventType);
  w.writeU8(v.reason);
  w.writeU32BE(v.cardSerial);
  w.writeBytes(v.payload, 0, AUDIT_PAYLOAD_SIZE);
  w.writeBytes(v.mac, 0, AUDIT_MAC_SIZE);
  return w.length();
}

/** Reads an audit record of exactly AUDIT_RECORD_SIZE bytes; the event type must be known (spec §4.1). */
export function decodeAuditRecord(buf: Uint8Array, off: i32, len: i32, into: AuditRecord): i32 {
  if (!inBounds(buf, off, len)) return ERR_BAD_ARGUMENT;
  if (len < AUDIT_RECORD_SIZE) return ERR_TRUNCATED;
  if (len > AUDIT_RECORD_SIZE) return ERR_OVERLONG;
  if (!isKnownEvent(buf[off + 12])) return ERR_CARD_BAD_FIELD;
  const r = reader.reset(buf, off, len);
  into.lockboxId = r.readU32BE();
  into.sequence = r.readU32BE();
  into.utc = r.readU32BE();
  into.eventType = r.readU8();
  into.reason = r.readU8();
  into.cardSerial = r.readU32BE();
  r.readInto(into.payload, 0, AUDIT_PAYLOAD_SIZE);
  r.readInto(into.mac, 0, AUDIT_MAC_SIZE);
  return AUDIT_RECORD_SIZE;
}

/**
 * Computes the record's MAC (spec §4.1: first 8 bytes of AES-CMAC(audit key, bytes 0..29)) and
 * writes it into rec[off + 30 .. off + 38). `auditKey` is the lockbox's derived KEY_LOCKBOX_AUDIT.
 */
export function sealAuditRecord(bc: BlockCipher, auditKey: Uint8Array, keyOff: i32, rec: Uint8Array, off: i32): void {
  aesCmac(bc, auditKey, keyOff, rec, off, AUDIT_MAC_COVERED, fullMac, 0);
  copyBytes(fullMac, 0, rec, off + AUDIT_MAC_COVERED, AUDIT_MAC_SIZE);
}

/** True when the record's MAC verifies under `auditKey` (constant-time compare; spec §4.1). */
export function auditRecordMacValid(bc: BlockCipher, auditKey: Uint8Array, keyOff: i32, rec: Uint8Array, off: i32): bool {
  aesCmac(bc, auditKey, keyOff, rec, off, AUDIT_MAC_COVERED, fullMac, 0);
  return constantTimeEqual(fullMac, 0, rec, off + AUDIT_MAC_COVERED, AUDIT_MAC_SIZE);
}

