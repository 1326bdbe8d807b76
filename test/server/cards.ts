/**
 * Cards and lockboxes for renewal tests: issues a card in the store and the matching emulated
 * card (simulator/card), and plays a lockbox that opens its own SCP03 session with the card-auth
 * keys and appends audit records sealed with its audit key (protocol/card/records.ts).
 */
import type { Database } from "better-sqlite3";
import { issueCard } from "../../simulator/card/issue.ts";
import type { Card } from "../../simulator/card/card.ts";
import { issueCardRecord } from "../../simulator/server/admin.ts";
import { CardChannel, type Transmit } from "../../simulator/server/card-channel.ts";
import { apdu } from "../../simulator/card/client.ts";
import { cardAuthKeys, cardServerKeys, lockboxAuditKey } from "../../simulator/server/keys.ts";
import { aesBlockCipher } from "../../simulator/crypto/index.ts";
import { CLA_PROPRIETARY, INS_APPEND_RECORDS, INS_READ_OBJECT, PARTY_LOCKBOX, PARTY_SERVER, OBJ_AUTHORIZATION, OBJ_UPLOAD_CURSOR, OBJ_SERVER_TIME, OBJ_DENYLIST, OBJ_STAGED_SETTINGS } from "../../protocol/card/commands.ts";
import { AuditRecord, encodeAuditRecord, sealAuditRecord, AUDIT_RECORD_SIZE } from "../../protocol/card/records.ts";
import { Authorization, decodeAuthorization, UploadCursor, decodeUploadCursor, ServerTime, decodeServerTime } from "../../protocol/card/layouts.ts";
import { ASSOCIATION, masterKeys } from "./fixture.ts";

const bc = aesBlockCipher();
let challenge = 0;
/** Deterministic host challenges for test sessions. */
export function nextChallenge(n: number): Uint8Array {
  const out = new Uint8Array(n);
  new DataView(out.buffer).setUint32(0, ++challenge);
  return out;
}

/** Issues card `serial` to `memberKey` in the store and personalizes the emulated card to match. */
export function newCard(db: Database, memberKey: string, serial: number, nowUtc: number, capacities?: Parameters<typeof issueCard>[0]["capacities"]): Card {
  const issued = issueCardRecord(db, ASSOCIATION, memberKey, "1234", nowUtc, serial);
  const keys = masterKeys(db);
  const card = issueCard({
    cardSerial: serial, associationId: keys.cardId, roleFlags: 1, memberKey, mlsId: memberKey, cardAuthMaster: keys.cardAuthMaster,
    serverMaster: keys.serverMaster, pin: "1234", expiry: Date.parse(issued.expiresAt) / 1000, capacities,
  }, { random: nextChallenge });
  card.powerOn();
  return card;
}

/** A transmit straight to the emulated card. */
export function direct(card: Card): Transmit {
  return async (a) => card.transmitApdu(a);
}

/** One audit record a test lockbox writes. */
export interface TestRecord {
  file: number;
  lockboxId: number;
  sequence: number;
  utc: number;
  eventType: number;
  cardSerial: number;
  reason?: number;
  payload?: Uint8Array;
}

/** The 38 sealed bytes of a record under `auditKey`. */
export function sealed(r: TestRecord, auditKey: Uint8Array): Uint8Array {
  const rec = new AuditRecord();
  rec.lockboxId = r.lockboxId;
  rec.sequence = r.sequence;
  rec.utc = r.utc;
  rec.eventType = r.eventType;
  rec.reason = r.reason ?? 0;
  rec.cardSerial = r.cardSerial;
  if (r.payload) rec.payload.set(r.payload);
  const out = new Uint8Array(AUDIT_RECORD_SIZE);
  encodeAuditRecord(rec, out, 0, AUDIT_RECORD_SIZE);
  sealAuditRecord(bc, auditKey, 0, out, 0);
  return out;
}

/**
 * Plays lockboxes: opens a lockbox session on the card and appends the records (one APDU per
 * record), each sealed with its lockbox's audit key, or with `forgeKey` when given.
 */
export async function lockboxWrites(db: Database, card: Card, serial: number, records: TestRecord[], forgeKey?: Uint8Array): Promise<void> {
  const keys = masterKeys(db);
  const ch = new CardChannel(bc, direct(card));
  await ch.select();
  const k = cardAuthKeys(keys, serial);
  await ch.open(k.enc, k.mac, PARTY_LOCKBOX, nextChallenge(8), 0x33);
  for (const r of records) {
    await ch.secure(apdu(CLA_PROPRIETARY, INS_APPEND_RECORDS, 0, r.file, sealed(r, forgeKey ?? lockboxAuditKey(keys, r.lockboxId))), "APPEND RECORDS");
  }
}

/** What a server session reads back from the card after a renewal. */
export interface CardView {
  authorization: Authorization;
  cursor: UploadCursor;
  serverTime: ServerTime;
  denylistVersion: number;
  stagedFor: (lockboxId: number) => Promise<Uint8Array | null>;
}

/** Opens a server session on the card (as the server would) and reads its renewal-related objects. */
export async function readBack(db: Database, card: Card, serial: number): Promise<CardView> {
  const keys = masterKeys(db);
  const ch = new CardChannel(bc, direct(card));
  await ch.select();
  const k = cardServerKeys(keys, serial);
  await ch.open(k.enc, k.mac, PARTY_SERVER, nextChallenge(8), 0x33);
  const u16 = Uint8Array.of(0, 0);
  const authorization = new Authorization();
  const a = await ch.secure(apdu(CLA_PROPRIETARY, INS_READ_OBJECT, OBJ_AUTHORIZATION, 0, u16, 0), "auth");
  decodeAuthorization(a, 0, a.length, authorization);
  const cursor = new UploadCursor();
  const c = await ch.secure(apdu(CLA_PROPRIETARY, INS_READ_OBJECT, OBJ_UPLOAD_CURSOR, 0, u16, 0), "cursor");
  decodeUploadCursor(c, 0, c.length, cursor);
  const serverTime = new ServerTime();
  const t = await ch.secureReply(apdu(CLA_PROPRIETARY, INS_READ_OBJECT, OBJ_SERVER_TIME, 0, u16, 0), "time");
  if (t.sw === 0x9000) decodeServerTime(t.data, 0, t.data.length, serverTime);
  const d = await ch.secureReply(apdu(CLA_PROPRIETARY, INS_READ_OBJECT, OBJ_DENYLIST, 0, u16, 0), "denylist");
  const denylistVersion = d.sw === 0x9000 ? new DataView(d.data.buffer, d.data.byteOffset).getUint32(0) : 0;
  return {
    authorization, cursor, serverTime, denylistVersion,
    async stagedFor(lockboxId) {
      const r = await ch.secureReply(apdu(CLA_PROPRIETARY, INS_READ_OBJECT, OBJ_STAGED_SETTINGS, 0, Uint8Array.of(lockboxId >>> 24, (lockboxId >>> 16) & 255, (lockboxId >>> 8) & 255, lockboxId & 255), 0), "staged");
      return r.sw === 0x9000 ? r.data.slice() : null;
    },
  };
}
