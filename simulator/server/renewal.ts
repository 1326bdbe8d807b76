/**
 * The renewal protocol, server side (docs/ARCHITECTURE.md §2 Renewal, §5, §6; protocol/SPEC.md Reader §3):
 * over a `transmit` function that relays APDUs through the untrusted PC and reader, the server
 *   1. selects the applet and reads the public identity; refuses a lost or deactivated card or an
 *      inactive member before anything is written;
 *   2. opens SCP03 with the card↔server keys (C-MAC, C-ENC, R-MAC, R-ENC): only the genuine card
 *      can answer, and every response is authenticated;
 *   3. reads the card status, authorization and upload cursor, then every held record;
 *   4. verifies every record's audit MAC, then stores the upload and the renewal (its new expiry
 *      pending) in ONE transaction with deduplication;
 *   5. writes the receipt (the card frees what it covers), the new authorization with server time
 *      and ack marks (confirmed in the store when the card answers 9000), the denylist, and staged
 *      settings for the lockboxes the member owns.
 * An interruption anywhere leaves the card with the old state or the new (its writes are atomic)
 * and the store with the upload or without it; running the renewal again completes it (and settles
 * a RENEW whose answer was lost from the authorization the card shows), and deduplication stores
 * every record exactly once.
 */
import type { Database } from "better-sqlite3";
import {
  CLA_PROPRIETARY, INS_READ_OBJECT, INS_READ_RECORDS, INS_RENEW, INS_APPLY_RECEIPT, INS_UPDATE_DENYLIST, INS_STAGE_SETTINGS,
  OBJ_IDENTITY, OBJ_AUTHORIZATION, OBJ_UPLOAD_CURSOR, OBJ_STATUS, OBJ_DENYLIST, PARTY_SERVER, P1_LAST_CHUNK, RECORD_FILE_COUNT,
  SL_C_MAC, SL_C_DECRYPTION, SL_R_MAC, SL_R_ENCRYPTION,
} from "../../protocol/card/commands.ts";
import { SW_OK, SW_NOT_ENOUGH_MEMORY as SW_FILE_FULL, SW_DATA_NOT_FOUND } from "../../protocol/iso7816/sw.ts";
import {
  Identity, decodeIdentity, Authorization, decodeAuthorization, encodeAuthorization, AUTHORIZATION_SIZE, UploadCursor, decodeUploadCursor,
  CardStatus, decodeCardStatus, Receipt, encodeReceipt, RECEIPT_SIZE, ServerTime, encodeServerTime, serverTimeSize, MAX_ACK_MARKS,
} from "../../protocol/card/layouts.ts";
import { STORED_RECORD_SIZE } from "../../protocol/card/records.ts";
import { cardErrorName } from "../../protocol/card/errors.ts";
import { commonErrorName } from "../../protocol/errors.ts";
import { aesBlockCipher } from "../crypto/index.ts";
import { CardChannel, type Transmit } from "./card-channel.ts";
import { apdu } from "../card/client.ts";
import { ServerError } from "./errors.ts";
import { cardServerKeys } from "./keys.ts";
import { decodeStoredRecord, verifyRecordMacs, deviceId, type UploadedRecord } from "./records.ts";
import { loadCardContext, checkMayRenew, storeRenewal, confirmRenewal, ackMarks, pendingSettings } from "./renewal-store.ts";
import { encodeStagedSettings, type LockboxSettings } from "./settings.ts";

/** The security level of the renewal session: C-MAC, C-ENC, R-MAC, R-ENC (GP Amd D §5.1). */
export const RENEWAL_SECURITY_LEVEL = SL_C_MAC | SL_C_DECRYPTION | SL_R_MAC | SL_R_ENCRYPTION;

/**
 * Denylist bytes per UPDATE DENYLIST chunk (spec §2.11): offset (2) + chunk must stay within the
 * 223 plain bytes a C-ENC + C-MAC short APDU can carry.
 */
export const DENYLIST_CHUNK = 221;

/** Clock and randomness, injected so tests are deterministic. */
export interface RenewalEnv {
  /** UTC seconds now. */
  now(): number;
  randomBytes(n: number): Uint8Array;
}

/** Progress of a renewal, for the host tool's bar: phase, done and total of that phase. */
export type RenewalProgress = (phase: "authenticate" | "upload" | "store" | "write", done: number, total: number) => void;

/** The outcome the API returns and `lockbox renew` prints. */
export interface RenewalOutcome {
  serial: string;
  kind: "renewal" | "reactivation";
  expiresAt: string;
  recordsUploaded: number;
  recordsNew: number;
  recordsDuplicate: number;
  uploadId: number;
  denylistVersion: number;
  settingsStaged: number;
}

const bc = aesBlockCipher();

function check(n: number, what: string): void {
  if (n < 0) throw new ServerError("upload-malformed", `${what}: ${cardErrorName(n) || commonErrorName(n)}`);
}

function u16(n: number): Uint8Array {
  return Uint8Array.of(n >>> 8, n & 0xff);
}

function u32(n: number): Uint8Array {
  return Uint8Array.of(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
}

/** Runs one renewal against the card behind `transmit`; see the file comment for the steps. */
export async function runRenewal(db: Database, env: RenewalEnv, transmit: Transmit, progress: RenewalProgress = () => {}): Promise<RenewalOutcome> {
  const channel = new CardChannel(bc, transmit);
  try {
    progress("authenticate", 0, 2);
    await channel.select();
    const identity = new Identity();
    const idBytes = await channel.plain(apdu(CLA_PROPRIETARY, INS_READ_OBJECT, OBJ_IDENTITY, 0, u16(0), 0), "READ OBJECT identity");
    check(decodeIdentity(idBytes, 0, idBytes.length, identity), "identity");
    const serial = deviceId(identity.cardSerial);
    const ctx = loadCardContext(db, serial);
    if (ctx.keys.cardId !== identity.associationId >>> 0) throw new ServerError("unknown-card", `card ${serial} names association ${identity.associationId}, not its own`);
    checkMayRenew(ctx);
    const keys = cardServerKeys(ctx.keys, identity.cardSerial);
    await channel.open(keys.enc, keys.mac, PARTY_SERVER, env.randomBytes(8), RENEWAL_SECURITY_LEVEL);
    progress("authenticate", 2, 2);

    const status = new CardStatus();
    const st = await channel.secure(apdu(CLA_PROPRIETARY, INS_READ_OBJECT, OBJ_STATUS, 0, u16(0), 0), "READ OBJECT status");
    check(decodeCardStatus(st, 0, st.length, status), "card status");
    const auth = new Authorization();
    const au = await channel.secure(apdu(CLA_PROPRIETARY, INS_READ_OBJECT, OBJ_AUTHORIZATION, 0, u16(0), 0), "READ OBJECT authorization");
    check(decodeAuthorization(au, 0, au.length, auth), "authorization");
    const cursor = new UploadCursor();
    const cu = await channel.secure(apdu(CLA_PROPRIETARY, INS_READ_OBJECT, OBJ_UPLOAD_CURSOR, 0, u16(0), 0), "READ OBJECT upload cursor");
    check(decodeUploadCursor(cu, 0, cu.length, cursor), "upload cursor");

    const records = await readRecords(channel, cursor, progress);
    verifyRecordMacs(ctx.keys, records);

    progress("store", 0, 1);
    const now = env.now();
    const nowIso = new Date(now * 1000).toISOString();
    const expiry = now + ctx.renewalPeriodDays * 86400;
    // Above every counter this card has held or been sent, so no two RENEWs ever share one.
    const issueCounter = Math.max(ctx.issueCounter, ctx.pending?.issueCounter ?? 0, auth.issueCounter >>> 0) + 1;
    const receipt = new Receipt();
    for (let f = 0; f < RECORD_FILE_COUNT; f++) receipt.upTo[f] = cursor.next[f];
    const receiptBytes = new Uint8Array(RECEIPT_SIZE);
    encodeReceipt(receipt, receiptBytes, 0, RECEIPT_SIZE);
    const stored = storeRenewal(db, {
      ctx, cardHolds: { expiry: auth.expiry >>> 0, issueCounter: auth.issueCounter >>> 0 }, records, receipt: receiptBytes, nowIso, newExpiryIso: new Date(expiry * 1000).toISOString(), issueCounter,
      denylistCapacity: status.denylistCapacity,
    });
    progress("store", 1, 1);

    const settings = pendingSettings(db, ctx.memberId);
    const sendDenylist = stored.denylist.version > (await cardDenylistVersion(channel));
    const writes = 2 + (sendDenylist ? Math.ceil(stored.denylist.blob.length / DENYLIST_CHUNK) : 0) + settings.length;
    let written = 0;
    progress("write", written, writes);
    await channel.secure(apdu(CLA_PROPRIETARY, INS_APPLY_RECEIPT, 0, 0, receiptBytes), "APPLY RECEIPT");
    progress("write", ++written, writes);
    await channel.secure(apdu(CLA_PROPRIETARY, INS_RENEW, 0, 0, renewData(auth, expiry, issueCounter, now, ackMarks(db, visited(records), MAX_ACK_MARKS))), "RENEW");
    // Only now does the card carry the new expiry: until here CARS and the card status go by the old one.
    confirmRenewal(db, ctx.serial, stored.renewalId, nowIso);
    progress("write", ++written, writes);
    if (sendDenylist) {
      for (let at = 0; at < stored.denylist.blob.length; at += DENYLIST_CHUNK) {
        const last = at + DENYLIST_CHUNK >= stored.denylist.blob.length;
        const chunk = stored.denylist.blob.subarray(at, at + DENYLIST_CHUNK);
        const data = new Uint8Array(2 + chunk.length);
        data.set(u16(at));
        data.set(chunk, 2);
        await channel.secure(apdu(CLA_PROPRIETARY, INS_UPDATE_DENYLIST, last ? P1_LAST_CHUNK : 0, 0, data), "UPDATE DENYLIST");
        progress("write", ++written, writes);
      }
    }
    let staged = 0;
    for (const s of settings) {
      const blob = encodeStagedSettings(parseInt(s.lockboxId, 16), s.version, JSON.parse(s.settings) as LockboxSettings);
      const reply = await channel.secureReply(apdu(CLA_PROPRIETARY, INS_STAGE_SETTINGS, 0, 0, blob), "STAGE SETTINGS");
      // File full: the rest wait for the next renewal, after the lockboxes took what the card holds.
      if (reply.sw === SW_FILE_FULL) break;
      if (reply.sw !== SW_OK) throw new ServerError("card-error", `STAGE SETTINGS for lockbox ${s.lockboxId}: card answered ${reply.sw.toString(16)}`);
      db.prepare("UPDATE staged_settings SET written_to_card = ? WHERE lockbox_id = ? AND version = ?").run(ctx.serial, s.lockboxId, s.version);
      staged++;
      progress("write", ++written, writes);
    }
    return {
      serial, kind: stored.kind, expiresAt: new Date(expiry * 1000).toISOString(), recordsUploaded: records.length, recordsNew: stored.recordsNew,
      recordsDuplicate: stored.recordsDuplicate, uploadId: stored.uploadId, denylistVersion: stored.denylist.version, settingsStaged: staged,
    };
  } finally {
    channel.close();
  }
}

/** The version of the denylist the card holds, 0 when it has none (spec §2.4, §3.9). */
async function cardDenylistVersion(channel: CardChannel): Promise<number> {
  const reply = await channel.secureReply(apdu(CLA_PROPRIETARY, INS_READ_OBJECT, OBJ_DENYLIST, 0, u16(0), 0), "READ OBJECT denylist");
  if (reply.sw === SW_DATA_NOT_FOUND) return 0;
  if (reply.sw !== SW_OK || reply.data.length < 4) throw new ServerError("card-error", `READ OBJECT denylist: card answered ${reply.sw.toString(16)}`);
  return ((reply.data[0] << 24) | (reply.data[1] << 16) | (reply.data[2] << 8) | reply.data[3]) >>> 0;
}

/** Reads every held record of every file, in card-sequence order; a gap or repeat is refused. */
async function readRecords(channel: CardChannel, cursor: UploadCursor, progress: RenewalProgress): Promise<UploadedRecord[]> {
  let total = 0;
  for (let f = 0; f < RECORD_FILE_COUNT; f++) total += (cursor.next[f] - cursor.first[f]) >>> 0;
  const records: UploadedRecord[] = [];
  progress("upload", 0, total);
  for (let f = 0; f < RECORD_FILE_COUNT; f++) {
    let seq = cursor.first[f] >>> 0;
    const end = cursor.next[f] >>> 0;
    while (seq < end) {
      const data = await channel.secure(apdu(CLA_PROPRIETARY, INS_READ_RECORDS, f + 1, 0, u32(seq), 0), `READ RECORDS file ${f + 1}`);
      if (data.length === 0 || data.length % STORED_RECORD_SIZE !== 0) {
        throw new ServerError("upload-malformed", `READ RECORDS file ${f + 1} from ${seq}: ${data.length} bytes is not a whole number of records`);
      }
      for (let off = 0; off < data.length; off += STORED_RECORD_SIZE) {
        const r = decodeStoredRecord(f + 1, data, off);
        if (r.cardSeq !== seq) throw new ServerError("upload-malformed", `file ${f + 1}: expected card sequence ${seq}, got ${r.cardSeq}`);
        if (seq >= end) throw new ServerError("upload-malformed", `file ${f + 1}: record ${seq} beyond the cursor's end ${end}`);
        records.push(r);
        seq++;
      }
      progress("upload", records.length, total);
    }
  }
  return records;
}

/** Lockboxes named by the upload, most recent record first, each once. */
function visited(records: UploadedRecord[]): number[] {
  const latest = new Map<number, number>();
  for (const r of records) latest.set(r.lockboxId, Math.max(latest.get(r.lockboxId) ?? 0, r.utc));
  return [...latest.entries()].sort((a, b) => b[1] - a[1]).map(([id]) => id);
}

/**
 * RENEW data (spec §2.9): the new authorization (§3.2) followed by the server-time object (§3.5).
 * The CARS month and streak counts carry over (the monthly limit spans renewals); a CARS
 * extension is superseded by the new expiry. The simulated association renews with it too.
 */
export function renewData(previous: Authorization, expiry: number, issueCounter: number, now: number, marks: { lockboxId: number; ackedBelow: number }[]): Uint8Array {
  const a = new Authorization();
  a.expiry = expiry >>> 0;
  a.issueCounter = issueCounter >>> 0;
  a.carsTempExpiry = 0;
  a.carsMonth = previous.carsMonth;
  a.carsMonthCount = previous.carsMonthCount;
  a.carsLastDay = previous.carsLastDay;
  a.carsConsecutiveDays = previous.carsConsecutiveDays;
  a.carsLastSequence = previous.carsLastSequence;
  const t = new ServerTime();
  t.serverTime = now >>> 0;
  t.count = marks.length;
  marks.forEach((m, i) => {
    t.lockboxIds[i] = m.lockboxId >>> 0;
    t.ackedBelow[i] = m.ackedBelow >>> 0;
  });
  const out = new Uint8Array(AUTHORIZATION_SIZE + serverTimeSize(marks.length));
  encodeAuthorization(a, out, 0, AUTHORIZATION_SIZE);
  encodeServerTime(t, out, AUTHORIZATION_SIZE, out.length - AUTHORIZATION_SIZE);
  return out;
}
