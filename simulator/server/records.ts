/**
 * Lockbox audit records as the server receives them (protocol/card/records.ts, spec §4): decoding
 * the card's stored form (card sequence || audit record), verifying each record's audit MAC under
 * the key of the lockbox that wrote it, and the names of event types for the API.
 */
import {
  AuditRecord, decodeAuditRecord, auditRecordMacValid, STORED_RECORD_SIZE, AUDIT_RECORD_SIZE,
  EVENT_OPENED, EVENT_DENIED, EVENT_SHACKLE_RELEASED, EVENT_CARS_APPLIED, EVENT_OWNERSHIP_TAKEN, EVENT_OWNERSHIP_RELEASED, EVENT_SETTINGS_APPLIED,
} from "../../protocol/card/records.ts";
import { cardErrorName } from "../../protocol/card/errors.ts";
import { commonErrorName } from "../../protocol/errors.ts";
import { aesBlockCipher } from "../crypto/index.ts";
import { ServerError } from "./errors.ts";
import { lockboxAuditKey, type AssociationKeys } from "./keys.ts";

/** One record of an upload, decoded, with the bytes it came in. */
export interface UploadedRecord {
  file: number;
  cardSeq: number;
  lockboxId: number;
  sequence: number;
  utc: number;
  eventType: number;
  reason: number;
  cardSerial: number;
  payload: Uint8Array;
  mac: Uint8Array;
  /** The 38-byte audit record exactly as the lockbox sealed it. */
  raw: Uint8Array;
}

/** API name of an event type (spec §4.1). */
export function eventName(type: number): string {
  switch (type) {
    case EVENT_OPENED: return "opened";
    case EVENT_DENIED: return "denied";
    case EVENT_SHACKLE_RELEASED: return "shackle-released";
    case EVENT_CARS_APPLIED: return "cars-applied";
    case EVENT_OWNERSHIP_TAKEN: return "ownership-taken";
    case EVENT_OWNERSHIP_RELEASED: return "ownership-released";
    case EVENT_SETTINGS_APPLIED: return "settings-applied";
    default: return `event-${type}`;
  }
}

/** Device ids in the API and the store: the u32 as 8 lowercase hex digits. */
export function deviceId(n: number): string {
  return (n >>> 0).toString(16).padStart(8, "0");
}

const decoded = new AuditRecord();

/**
 * Decodes one stored record (card sequence u32 BE || audit record, spec §4.2) from `buf` at `off`.
 * A malformed record refuses the whole upload (upload-malformed).
 */
export function decodeStoredRecord(file: number, buf: Uint8Array, off: number): UploadedRecord {
  if (buf.length - off < STORED_RECORD_SIZE) throw new ServerError("upload-malformed", "record truncated");
  const cardSeq = ((buf[off] << 24) | (buf[off + 1] << 16) | (buf[off + 2] << 8) | buf[off + 3]) >>> 0;
  const n = decodeAuditRecord(buf, off + 4, AUDIT_RECORD_SIZE, decoded);
  if (n < 0) throw new ServerError("upload-malformed", `record ${cardSeq} of file ${file}: ${cardErrorName(n) || commonErrorName(n)}`);
  return {
    file,
    cardSeq,
    lockboxId: decoded.lockboxId >>> 0,
    sequence: decoded.sequence >>> 0,
    utc: decoded.utc >>> 0,
    eventType: decoded.eventType,
    reason: decoded.reason,
    cardSerial: decoded.cardSerial >>> 0,
    payload: decoded.payload.slice(),
    mac: decoded.mac.slice(),
    raw: buf.slice(off + 4, off + 4 + AUDIT_RECORD_SIZE),
  };
}

const bc = aesBlockCipher();

/**
 * Verifies every record's audit MAC under its lockbox's key (spec §4.1, §5); the first record that
 * fails refuses the whole upload as record-bad-mac, naming the lockbox and sequence.
 */
export function verifyRecordMacs(keys: AssociationKeys, records: UploadedRecord[]): void {
  const cache = new Map<number, Uint8Array>();
  for (const r of records) {
    let key = cache.get(r.lockboxId);
    if (!key) {
      key = lockboxAuditKey(keys, r.lockboxId);
      cache.set(r.lockboxId, key);
    }
    if (!auditRecordMacValid(bc, key, 0, r.raw, 0)) {
      throw new ServerError("record-bad-mac", `record ${r.sequence} of lockbox ${deviceId(r.lockboxId)} (card file ${r.file}, card sequence ${r.cardSeq}) fails its audit MAC: forged or altered`);
    }
  }
}
