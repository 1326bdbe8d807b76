/**
 * The SentriCard applet: answers one command APDU at a time with the command set of
 * protocol/SPEC.md Card §2, over the persistent home image (Layout) committed through the
 * journal, and the volatile session state (SCP03 session, authenticated party, pending denylist).
 * State-changing commands build the new image in a working copy and commit it at once, so a
 * refused command changes nothing and a power cut leaves the old or the new state.
 */
import { BlockCipher } from "../../protocol/blockcipher.ts";
import { CommandApdu, decodeCommandApdu } from "../../protocol/iso7816/apdu.ts";
import * as SW from "../../protocol/iso7816/sw.ts";
import * as C from "../../protocol/card/commands.ts";
import * as L from "../../protocol/card/layouts.ts";
import {
  AUDIT_RECORD_SIZE, STORED_RECORD_SIZE, AuditRecord, decodeAuditRecord, EVENT_OPENED, EVENT_CARS_APPLIED, EVENT_OWNERSHIP_TAKEN,
  EVENT_OWNERSHIP_RELEASED, EVENT_SETTINGS_APPLIED,
} from "../../protocol/card/records.ts";
import { checkDenylist, denylistSize, denylistVersion } from "../../protocol/card/denylist.ts";
import { checkPinBlock, PIN_BLOCK_SIZE } from "../../protocol/card/pin.ts";
import {
  Scp03Session, cardInitializeUpdate, cardExternalAuthenticate, unwrapCommand, wrapResponse, levelAtLeast, CHALLENGE_SIZE,
} from "../../protocol/card/scp03.ts";
import { ERR_CARD_BAD_MAC, ERR_CARD_TOO_MANY } from "../../protocol/card/errors.ts";
import { Eeprom } from "./eeprom.ts";
import { Layout, STAGED_SLOT_SIZE } from "./layout.ts";
import { commit } from "./journal.ts";

/** Most response data bytes: padded to 224 under R-ENC, plus the R-MAC and SW, fits 256. */
export const MAX_RESPONSE_DATA = 223;
/** Most audit records in one APPEND RECORDS (6 × 38 = 228 bytes, under C-ENC 240 + MAC 8). */
export const MAX_APPEND_RECORDS = 6;

/** Who the current session authenticated: 0 nobody, else PARTY_LOCKBOX or PARTY_SERVER. */
const NOBODY = 0;

interface Answer {
  data: Uint8Array;
  sw: number;
}

const EMPTY = new Uint8Array(0);
const ok = (data: Uint8Array = EMPTY): Answer => ({ data, sw: SW.SW_OK });
const fail = (sw: number): Answer => ({ data: EMPTY, sw });

/** Source of the card's random card challenges. */
export type RandomSource = (n: number) => Uint8Array;

/** The card's application (spec §2): one instance per power-up; its session state is volatile. */
export class Applet {
  private readonly session = new Scp03Session();
  private party = NOBODY;
  private initialized = false;
  private pendingDenylist: Uint8Array | null = null;
  private readonly cmd = new CommandApdu();
  private readonly plain = new Uint8Array(300);
  private readonly record = new AuditRecord();

  /**
   * @param home the committed home image, kept equal to the EEPROM's by commit()
   * @param eeprom where commits go (page writes, fault hook)
   */
  constructor(
    private readonly layout: Layout,
    private readonly home: Uint8Array,
    private readonly eeprom: Eeprom,
    private readonly bc: BlockCipher,
    private readonly random: RandomSource,
  ) {}

  /** Processes one command APDU and returns the response APDU (data ‖ SW1 SW2). May throw PowerCut. */
  process(apdu: Uint8Array): Uint8Array {
    if (decodeCommandApdu(apdu, 0, apdu.length, this.cmd) < 0 || this.cmd.extended) return this.plainAnswer(fail(SW.SW_WRONG_LENGTH));
    const { cla, ins } = this.cmd;
    if (cla !== C.CLA_ISO && cla !== C.CLA_PROPRIETARY && cla !== C.CLA_SECURE) return this.plainAnswer(fail(SW.SW_CLA_NOT_SUPPORTED));
    if (!isKnownIns(ins)) return this.plainAnswer(fail(SW.SW_INS_NOT_SUPPORTED));
    if (ins === C.INS_SELECT) return this.plainAnswer(this.select(apdu));
    if (ins === C.INS_INITIALIZE_UPDATE) return this.plainAnswer(this.initializeUpdate(apdu));
    if (ins === C.INS_EXTERNAL_AUTHENTICATE) return this.plainAnswer(this.externalAuthenticate(apdu));
    if (this.session.open) {
      if (cla !== C.CLA_SECURE) {
        this.closeSession();
        return this.plainAnswer(fail(SW.SW_SECURITY_NOT_SATISFIED));
      }
      const n = unwrapCommand(this.bc, this.session, apdu, 0, apdu.length, this.plain, 0, this.plain.length);
      if (n === ERR_CARD_BAD_MAC) {
        this.closeSession();
        return this.plainAnswer(fail(SW.SW_SM_OBJECTS_INCORRECT));
      }
      if (n < 0) {
        this.closeSession();
        return this.plainAnswer(fail(SW.SW_WRONG_LENGTH));
      }
      decodeCommandApdu(this.plain, 0, n, this.cmd);
      const answer = this.dispatch(this.plain);
      const out = new Uint8Array(answer.data.length + 16 + 8 + 2);
      const m = wrapResponse(this.bc, this.session, answer.data, 0, answer.data.length, answer.sw, out, 0, out.length);
      return out.slice(0, m);
    }
    if (cla === C.CLA_SECURE) return this.plainAnswer(fail(SW.SW_SECURITY_NOT_SATISFIED));
    if (cla === C.CLA_PROPRIETARY && ins === C.INS_READ_OBJECT && this.cmd.p1 === C.OBJ_IDENTITY) return this.plainAnswer(this.dispatch(apdu));
    return this.plainAnswer(fail(cla === C.CLA_ISO ? SW.SW_CLA_NOT_SUPPORTED : SW.SW_SECURITY_NOT_SATISFIED));
  }

  private plainAnswer(a: Answer): Uint8Array {
    const out = new Uint8Array(a.data.length + 2);
    out.set(a.data);
    out[a.data.length] = a.sw >> 8;
    out[a.data.length + 1] = a.sw & 0xff;
    return out;
  }

  private closeSession(): void {
    this.session.close();
    this.party = NOBODY;
    this.initialized = false;
    this.pendingDenylist = null;
  }

  private data(buf: Uint8Array): Uint8Array {
    return buf.subarray(this.cmd.dataOff, this.cmd.dataOff + this.cmd.nc);
  }

  private select(apdu: Uint8Array): Answer {
    if (this.cmd.cla !== C.CLA_ISO) return fail(SW.SW_CLA_NOT_SUPPORTED);
    if (this.cmd.p1 !== C.P1_SELECT_BY_NAME || this.cmd.p2 !== 0) return fail(SW.SW_WRONG_P1P2);
    const aid = this.data(apdu);
    if (aid.length !== C.CARD_AID.length || !aid.every((b, i) => b === C.CARD_AID[i])) return fail(SW.SW_FILE_NOT_FOUND);
    this.closeSession();
    return ok();
  }

  private initializeUpdate(apdu: Uint8Array): Answer {
    if (this.cmd.cla !== C.CLA_PROPRIETARY) return fail(SW.SW_CLA_NOT_SUPPORTED);
    this.closeSession();
    const party = this.cmd.p2;
    if (party !== C.PARTY_LOCKBOX && party !== C.PARTY_SERVER) return fail(SW.SW_WRONG_P1P2);
    const keyVersion = this.home[this.layout.keys];
    if (this.cmd.p1 !== 0 && this.cmd.p1 !== keyVersion) return fail(SW.SW_DATA_NOT_FOUND);
    if (this.cmd.nc !== CHALLENGE_SIZE) return fail(SW.SW_WRONG_LENGTH);
    const keysAt = this.layout.keys + 1 + (party === C.PARTY_SERVER ? 32 : 0);
    const kEnc = this.home.subarray(keysAt, keysAt + 16);
    const kMac = this.home.subarray(keysAt + 16, keysAt + 32);
    const div = new Uint8Array(10);
    div.set(this.home.subarray(this.layout.identity + 1, this.layout.identity + 5), 6);
    const out = new Uint8Array(32);
    const n = cardInitializeUpdate(this.bc, kEnc, kMac, keyVersion, div, 0, apdu, this.cmd.dataOff, this.random(CHALLENGE_SIZE), 0, this.session, out, 0, 32);
    this.party = party;
    this.initialized = true;
    return ok(out.slice(0, n));
  }

  private externalAuthenticate(apdu: Uint8Array): Answer {
    if (this.cmd.cla !== C.CLA_SECURE) return fail(SW.SW_CLA_NOT_SUPPORTED);
    if (!this.initialized || this.session.open) {
      this.closeSession();
      return fail(SW.SW_CONDITIONS_NOT_SATISFIED);
    }
    const sl = this.cmd.p1;
    if ((sl !== 0x11 && sl !== 0x13 && sl !== 0x33) || this.cmd.p2 !== 0) {
      this.closeSession();
      return fail(SW.SW_WRONG_P1P2);
    }
    if (this.cmd.nc !== 16) {
      this.closeSession();
      return fail(SW.SW_WRONG_LENGTH);
    }
    const party = this.party;
    if (cardExternalAuthenticate(this.bc, this.session, apdu, 0, apdu.length) < 0) {
      this.closeSession();
      return fail(SW.SW_SECURITY_NOT_SATISFIED);
    }
    this.party = party;
    this.initialized = false;
    return ok();
  }

  private dispatch(buf: Uint8Array): Answer {
    switch (this.cmd.ins) {
      case C.INS_READ_OBJECT: return this.readObject(buf);
      case C.INS_READ_RECORDS: return this.needs(C.PARTY_SERVER, false) ?? this.readRecords(buf);
      case C.INS_VERIFY_PIN: return this.needs(C.PARTY_LOCKBOX, true) ?? this.verifyPin(buf);
      case C.INS_APPEND_RECORDS: return this.needs(C.PARTY_LOCKBOX, false) ?? this.appendRecords(buf);
      case C.INS_APPLY_CARS: return this.needs(C.PARTY_LOCKBOX, false) ?? this.applyCars(buf);
      case C.INS_RENEW: return this.needs(C.PARTY_SERVER, true) ?? this.renew(buf);
      case C.INS_STAGE_SETTINGS: return this.needs(C.PARTY_SERVER, false) ?? this.stageSettings(buf);
      case C.INS_UPDATE_DENYLIST: return this.needs(C.PARTY_SERVER, false) ?? this.updateDenylist(buf);
      case C.INS_RESET_COUNTERS: return this.needs(C.PARTY_SERVER, false) ?? this.resetCounters();
      default: return this.needs(C.PARTY_SERVER, false) ?? this.applyReceipt(buf);
    }
  }

  /** Null when the session's party (and level, when `secret`) allow the command; else the refusal. */
  private needs(party: number, secret: boolean): Answer | null {
    if (this.party !== party) return fail(SW.SW_SECURITY_NOT_SATISFIED);
    if (secret && !levelAtLeast(this.session, C.SL_C_DECRYPTION)) return fail(SW.SW_SECURITY_NOT_SATISFIED);
    return null;
  }

  private p1p2(p1: number, p2: number): boolean {
    return this.cmd.p1 === p1 && this.cmd.p2 === p2;
  }

  private view(buf: Uint8Array): DataView {
    return new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  private cursor(fileId: number, image: Uint8Array = this.home): { first: number; next: number } {
    const v = this.view(image);
    const at = this.layout.cursor + 8 * (fileId - 1);
    return { first: v.getUint32(at), next: v.getUint32(at + 4) };
  }

  private save(next: Uint8Array): void {
    commit(this.eeprom, this.home, next);
  }

  private readObject(buf: Uint8Array): Answer {
    const id = this.cmd.p1;
    if (id < C.OBJ_IDENTITY || id > C.OBJ_STATUS || this.cmd.p2 !== 0) return fail(SW.SW_WRONG_P1P2);
    if (id !== C.OBJ_IDENTITY) {
      const allowed = id === C.OBJ_UPLOAD_CURSOR ? this.party === C.PARTY_SERVER : this.party !== NOBODY;
      if (!allowed) return fail(SW.SW_SECURITY_NOT_SATISFIED);
    }
    const data = this.data(buf);
    let content: Uint8Array;
    let offset = 0;
    if (id === C.OBJ_STAGED_SETTINGS) {
      if (data.length !== 4) return fail(SW.SW_WRONG_LENGTH);
      const slot = this.findStaged(this.view(data).getUint32(0));
      if (slot < 0) return fail(SW.SW_DATA_NOT_FOUND);
      content = this.home.subarray(slot + 1, slot + STAGED_SLOT_SIZE);
    } else {
      if (data.length !== 0 && data.length !== 2) return fail(SW.SW_WRONG_LENGTH);
      if (data.length === 2) offset = this.view(data).getUint16(0);
      const c = this.objectBytes(id);
      if (c === null) return fail(SW.SW_DATA_NOT_FOUND);
      content = c;
    }
    if (offset > content.length) return fail(SW.SW_WRONG_P1P2_OFFSET);
    const max = Math.min(this.cmd.ne === 0 ? MAX_RESPONSE_DATA : this.cmd.ne, MAX_RESPONSE_DATA);
    return ok(content.slice(offset, Math.min(content.length, offset + max)));
  }

  private objectBytes(id: number): Uint8Array | null {
    const h = this.home;
    const l = this.layout;
    switch (id) {
      case C.OBJ_IDENTITY: return h.subarray(l.identity, l.identity + L.IDENTITY_SIZE);
      case C.OBJ_AUTHORIZATION: return h.subarray(l.authorization, l.authorization + L.AUTHORIZATION_SIZE);
      case C.OBJ_DENYLIST: {
        const len = this.view(h).getUint16(l.denylist);
        return len === 0 ? null : h.subarray(l.denylist + 2, l.denylist + 2 + len);
      }
      case C.OBJ_SERVER_TIME: return h.subarray(l.serverTime, l.serverTime + L.serverTimeSize(h[l.serverTime + 4]));
      case C.OBJ_UPLOAD_CURSOR: return h.subarray(l.cursor, l.cursor + L.UPLOAD_CURSOR_SIZE);
      default: return this.statusBytes();
    }
  }

  private statusBytes(): Uint8Array {
    const s = new L.CardStatus();
    const caps = this.layout.caps;
    s.pinTriesLeft = this.home[this.layout.pin + PIN_BLOCK_SIZE];
    s.pinTryLimit = caps.pinTryLimit;
    s.stagedCapacity = caps.stagedSettings;
    for (let i = 0; i < caps.stagedSettings; i++) if (this.home[this.layout.staged + i * STAGED_SLOT_SIZE] === 1) s.stagedCount++;
    s.denylistCapacity = caps.denylistEntries;
    for (let f = 1; f <= C.RECORD_FILE_COUNT; f++) {
      const c = this.cursor(f);
      s.used[f - 1] = c.next - c.first;
      s.capacity[f - 1] = caps.records[f - 1];
    }
    const out = new Uint8Array(L.STATUS_SIZE);
    L.encodeCardStatus(s, out, 0, out.length);
    return out;
  }

  private findStaged(lockboxId: number, image: Uint8Array = this.home): number {
    for (let i = 0; i < this.layout.caps.stagedSettings; i++) {
      const slot = this.layout.staged + i * STAGED_SLOT_SIZE;
      if (image[slot] === 1 && this.view(image).getUint32(slot + 2) === lockboxId) return slot;
    }
    return -1;
  }

  private readRecords(buf: Uint8Array): Answer {
    const fileId = this.cmd.p1;
    if (fileId < 1 || fileId > C.RECORD_FILE_COUNT || this.cmd.p2 !== 0) return fail(SW.SW_WRONG_P1P2);
    if (this.cmd.nc !== 4) return fail(SW.SW_WRONG_LENGTH);
    const room = Math.floor(Math.min(this.cmd.ne === 0 ? 256 : this.cmd.ne, MAX_RESPONSE_DATA) / STORED_RECORD_SIZE);
    if (room === 0) return fail(SW.SW_WRONG_LENGTH);
    const { first, next } = this.cursor(fileId);
    const start = Math.max(this.view(this.data(buf)).getUint32(0), first);
    const count = Math.max(0, Math.min(room, next - start));
    const out = new Uint8Array(count * STORED_RECORD_SIZE);
    for (let i = 0; i < count; i++) {
      const slot = this.layout.recordSlot(fileId, start + i);
      out.set(this.home.subarray(slot, slot + STORED_RECORD_SIZE), i * STORED_RECORD_SIZE);
    }
    return ok(out);
  }

  private verifyPin(buf: Uint8Array): Answer {
    if (!this.p1p2(0, C.P2_PIN_REFERENCE)) return fail(SW.SW_WRONG_P1P2);
    if (this.cmd.nc !== PIN_BLOCK_SIZE) return fail(SW.SW_WRONG_LENGTH);
    const triesAt = this.layout.pin + PIN_BLOCK_SIZE;
    const tries = this.home[triesAt];
    if (tries === 0) return fail(SW.SW_AUTH_BLOCKED);
    const block = this.data(buf);
    if (checkPinBlock(block, 0, block.length) < 0) return fail(SW.SW_WRONG_DATA);
    // Decrement first and commit, so pulling the card before the answer cannot save a try.
    const next = this.home.slice();
    next[triesAt] = tries - 1;
    this.save(next);
    let diff = 0;
    for (let i = 0; i < PIN_BLOCK_SIZE; i++) diff |= block[i] ^ this.home[this.layout.pin + i];
    if (diff !== 0) return fail(SW.SW_VERIFY_FAILED | (tries - 1));
    const restored = this.home.slice();
    restored[triesAt] = this.layout.caps.pinTryLimit;
    this.save(restored);
    return ok();
  }

  private appendRecords(buf: Uint8Array): Answer {
    const fileId = this.cmd.p2;
    if (this.cmd.p1 !== 0 || fileId < 1 || fileId > C.RECORD_FILE_COUNT) return fail(SW.SW_WRONG_P1P2);
    const data = this.data(buf);
    const n = data.length / AUDIT_RECORD_SIZE;
    if (!Number.isInteger(n) || n < 1 || n > MAX_APPEND_RECORDS) return fail(SW.SW_WRONG_LENGTH);
    const home = this.view(this.home);
    const serial = home.getUint32(this.layout.identity + 1);
    const { first, next } = this.cursor(fileId);
    const accepted: number[] = [];
    for (let i = 0; i < n; i++) {
      if (decodeAuditRecord(data, i * AUDIT_RECORD_SIZE, AUDIT_RECORD_SIZE, this.record) < 0) return fail(SW.SW_WRONG_DATA);
      if (!eventFitsFile(this.record.eventType, fileId)) return fail(SW.SW_WRONG_DATA);
      if (fileId === C.FILE_ACCESS && this.record.cardSerial !== serial) return fail(SW.SW_WRONG_DATA);
      if (fileId === C.FILE_CARRIED && this.carries(first, next, data, accepted, this.record.lockboxId, this.record.sequence)) continue;
      accepted.push(i);
    }
    if (next - first + accepted.length > this.layout.caps.records[fileId - 1]) return fail(SW.SW_NOT_ENOUGH_MEMORY);
    const image = this.home.slice();
    const v = this.view(image);
    accepted.forEach((i, k) => {
      const slot = this.layout.recordSlot(fileId, next + k);
      v.setUint32(slot, next + k);
      image.set(data.subarray(i * AUDIT_RECORD_SIZE, (i + 1) * AUDIT_RECORD_SIZE), slot + 4);
    });
    v.setUint32(this.layout.cursor + 8 * (fileId - 1) + 4, next + accepted.length);
    this.save(image);
    return ok(this.home.slice(this.layout.cursor + 8 * (fileId - 1), this.layout.cursor + 8 * fileId));
  }

  /**
   * True when the carried file already holds (lockbox id, sequence) between card sequences
   * first..next, or an earlier record of this APPEND (`accepted`, indexes into `data`) is it.
   */
  private carries(first: number, next: number, data: Uint8Array, accepted: number[], lockboxId: number, sequence: number): boolean {
    const v = this.view(this.home);
    for (let s = first; s < next; s++) {
      const slot = this.layout.recordSlot(C.FILE_CARRIED, s) + 4;
      if (v.getUint32(slot) === lockboxId && v.getUint32(slot + 4) === sequence) return true;
    }
    const d = this.view(data);
    return accepted.some((i) => d.getUint32(i * AUDIT_RECORD_SIZE) === lockboxId && d.getUint32(i * AUDIT_RECORD_SIZE + 4) === sequence);
  }

  private applyCars(buf: Uint8Array): Answer {
    if (!this.p1p2(0, 0)) return fail(SW.SW_WRONG_P1P2);
    const data = this.data(buf);
    const ext = new L.CarsExtension();
    if (data.length !== L.CARS_EXTENSION_SIZE) return fail(SW.SW_WRONG_LENGTH);
    L.decodeCarsExtension(data, 0, data.length, ext);
    const auth = new L.Authorization();
    const at = this.layout.authorization;
    L.decodeAuthorization(this.home, at, L.AUTHORIZATION_SIZE, auth);
    if (ext.codeSequence <= auth.carsLastSequence) return fail(SW.SW_CONDITIONS_NOT_SATISFIED);
    auth.carsTempExpiry = ext.tempExpiry;
    if (ext.month !== auth.carsMonth || auth.carsMonthCount === 0) {
      auth.carsMonth = ext.month;
      auth.carsMonthCount = 1;
    } else {
      auth.carsMonthCount = Math.min(255, auth.carsMonthCount + 1);
    }
    if (auth.carsLastDay !== 0 && ext.day === auth.carsLastDay + 1) auth.carsConsecutiveDays = Math.min(255, auth.carsConsecutiveDays + 1);
    else if (auth.carsLastDay === 0 || ext.day !== auth.carsLastDay) auth.carsConsecutiveDays = 1;
    auth.carsLastDay = ext.day;
    auth.carsLastSequence = ext.codeSequence;
    const image = this.home.slice();
    L.encodeAuthorization(auth, image, at, L.AUTHORIZATION_SIZE);
    this.save(image);
    return ok(this.home.slice(at, at + L.AUTHORIZATION_SIZE));
  }

  private renew(buf: Uint8Array): Answer {
    if (!this.p1p2(0, 0)) return fail(SW.SW_WRONG_P1P2);
    const data = this.data(buf);
    if (data.length < L.AUTHORIZATION_SIZE + 5 || data.length > L.AUTHORIZATION_SIZE + L.serverTimeSize(L.MAX_ACK_MARKS)) return fail(SW.SW_WRONG_LENGTH);
    const auth = new L.Authorization();
    const time = new L.ServerTime();
    if (L.decodeAuthorization(data, 0, L.AUTHORIZATION_SIZE, auth) < 0) return fail(SW.SW_WRONG_DATA);
    if (L.decodeServerTime(data, L.AUTHORIZATION_SIZE, data.length - L.AUTHORIZATION_SIZE, time) < 0) return fail(SW.SW_WRONG_DATA);
    const current = this.view(this.home).getUint32(this.layout.authorization + 5);
    if (auth.issueCounter <= current) return fail(SW.SW_CONDITIONS_NOT_SATISFIED);
    const image = this.home.slice();
    image.set(data.subarray(0, L.AUTHORIZATION_SIZE), this.layout.authorization);
    image.fill(0, this.layout.serverTime, this.layout.serverTime + L.serverTimeSize(L.MAX_ACK_MARKS));
    image.set(data.subarray(L.AUTHORIZATION_SIZE), this.layout.serverTime);
    this.save(image);
    return ok();
  }

  private stageSettings(buf: Uint8Array): Answer {
    if (this.cmd.p2 !== 0 || (this.cmd.p1 !== 0 && this.cmd.p1 !== C.P1_UNSTAGE)) return fail(SW.SW_WRONG_P1P2);
    const data = this.data(buf);
    const image = this.home.slice();
    if (this.cmd.p1 === C.P1_UNSTAGE) {
      if (data.length !== 4) return fail(SW.SW_WRONG_LENGTH);
      const slot = this.findStaged(this.view(data).getUint32(0));
      if (slot < 0) return fail(SW.SW_DATA_NOT_FOUND);
      image.fill(0, slot, slot + STAGED_SLOT_SIZE);
    } else {
      if (data.length !== L.SETTINGS_SIZE) return fail(SW.SW_WRONG_LENGTH);
      const settings = new L.Settings();
      if (L.decodeSettings(data, 0, data.length, settings) < 0) return fail(SW.SW_WRONG_DATA);
      let slot = this.findStaged(settings.lockboxId);
      for (let i = 0; slot < 0 && i < this.layout.caps.stagedSettings; i++) {
        const s = this.layout.staged + i * STAGED_SLOT_SIZE;
        if (image[s] !== 1) slot = s;
      }
      if (slot < 0) return fail(SW.SW_NOT_ENOUGH_MEMORY);
      image[slot] = 1;
      image.set(data, slot + 1);
    }
    this.save(image);
    return ok();
  }

  private updateDenylist(buf: Uint8Array): Answer {
    const last = this.cmd.p1 === C.P1_LAST_CHUNK;
    if (this.cmd.p2 !== 0 || (this.cmd.p1 !== 0 && !last)) return fail(SW.SW_WRONG_P1P2);
    const data = this.data(buf);
    if (data.length < 2) return fail(SW.SW_WRONG_LENGTH);
    const offset = this.view(data).getUint16(0);
    const chunk = data.subarray(2);
    const pending = offset === 0 ? new Uint8Array(0) : this.pendingDenylist;
    if (pending === null || offset !== pending.length) return fail(SW.SW_CONDITIONS_NOT_SATISFIED);
    const capacity = denylistSize(this.layout.caps.denylistEntries);
    if (pending.length + chunk.length > capacity) {
      this.pendingDenylist = null;
      return fail(SW.SW_NOT_ENOUGH_MEMORY);
    }
    const grown = new Uint8Array(pending.length + chunk.length);
    grown.set(pending);
    grown.set(chunk, pending.length);
    if (!last) {
      this.pendingDenylist = grown;
      return ok();
    }
    this.pendingDenylist = null;
    const count = checkDenylist(grown, 0, grown.length, this.layout.caps.denylistEntries);
    if (count === ERR_CARD_TOO_MANY) return fail(SW.SW_NOT_ENOUGH_MEMORY);
    if (count < 0) return fail(SW.SW_WRONG_DATA);
    const at = this.layout.denylist;
    const storedLen = this.view(this.home).getUint16(at);
    if (storedLen > 0 && denylistVersion(grown, 0) <= denylistVersion(this.home, at + 2)) return fail(SW.SW_CONDITIONS_NOT_SATISFIED);
    const image = this.home.slice();
    image.fill(0, at, at + 2 + Math.max(storedLen, grown.length));
    this.view(image).setUint16(at, grown.length);
    image.set(grown, at + 2);
    this.save(image);
    return ok();
  }

  private resetCounters(): Answer {
    const bits = this.cmd.p1;
    if (this.cmd.p2 !== 0 || bits === 0 || (bits & ~(C.RESET_PIN | C.RESET_CARS)) !== 0) return fail(SW.SW_WRONG_P1P2);
    if (this.cmd.nc !== 0) return fail(SW.SW_WRONG_LENGTH);
    const image = this.home.slice();
    if (bits & C.RESET_PIN) image[this.layout.pin + PIN_BLOCK_SIZE] = this.layout.caps.pinTryLimit;
    if (bits & C.RESET_CARS) {
      const auth = new L.Authorization();
      L.decodeAuthorization(image, this.layout.authorization, L.AUTHORIZATION_SIZE, auth);
      auth.carsMonthCount = 0;
      auth.carsConsecutiveDays = 0;
      L.encodeAuthorization(auth, image, this.layout.authorization, L.AUTHORIZATION_SIZE);
    }
    this.save(image);
    return ok();
  }

  private applyReceipt(buf: Uint8Array): Answer {
    if (!this.p1p2(0, 0)) return fail(SW.SW_WRONG_P1P2);
    const data = this.data(buf);
    const receipt = new L.Receipt();
    if (L.decodeReceipt(data, 0, data.length, receipt) < 0) return fail(SW.SW_WRONG_LENGTH);
    const image = this.home.slice();
    const v = this.view(image);
    for (let f = 1; f <= C.RECORD_FILE_COUNT; f++) {
      const { first, next } = this.cursor(f);
      const upTo = receipt.upTo[f - 1];
      if (upTo > next) return fail(SW.SW_WRONG_DATA);
      if (upTo > first) v.setUint32(this.layout.cursor + 8 * (f - 1), upTo);
    }
    this.save(image);
    return ok(this.home.slice(this.layout.cursor, this.layout.cursor + L.UPLOAD_CURSOR_SIZE));
  }
}

function isKnownIns(ins: number): boolean {
  switch (ins) {
    case C.INS_SELECT: case C.INS_INITIALIZE_UPDATE: case C.INS_EXTERNAL_AUTHENTICATE: case C.INS_READ_OBJECT:
    case C.INS_READ_RECORDS: case C.INS_VERIFY_PIN: case C.INS_APPEND_RECORDS: case C.INS_APPLY_CARS:
    case C.INS_RENEW: case C.INS_STAGE_SETTINGS: case C.INS_UPDATE_DENYLIST: case C.INS_RESET_COUNTERS:
    case C.INS_APPLY_RECEIPT:
      return true;
    default:
      return false;
  }
}

/** Which event types each record file takes (spec §4). */
function eventFitsFile(type: number, fileId: number): boolean {
  if (fileId === C.FILE_ACCESS || fileId === C.FILE_CARRIED) return type >= EVENT_OPENED && type <= EVENT_CARS_APPLIED;
  if (fileId === C.FILE_OWNERSHIP) return type === EVENT_OWNERSHIP_TAKEN || type === EVENT_OWNERSHIP_RELEASED;
  return type === EVENT_SETTINGS_APPLIED;
}
