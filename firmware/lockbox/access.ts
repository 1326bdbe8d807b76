/**
 * One card transaction (protocol/SPEC.md Lockbox §3): reading and authenticating the card, the opening
 * rules in their documented order, CARS renewal, owner functions, settings and denylist intake.
 * Every outcome is logged before anything moves, and every denial shows its pattern.
 */
import { CardSession } from "../services/card-session";
import { Clock } from "../services/clock";
import { readU32BE, writeU32BE } from "../../protocol/bytes";
import { HmacSha256 } from "../crypto/index";
import { Identity, decodeIdentity, IDENTITY_SIZE, Authorization, decodeAuthorization, AUTHORIZATION_SIZE, ServerTime, decodeServerTime,
  Settings, decodeSettings, encodeSettings, SETTINGS_SIZE, SETTINGS_CBS_REQUIRED, SETTINGS_PRIVACY_MODE, CarsExtension, encodeCarsExtension,
  CARS_EXTENSION_SIZE, ROLE_LISTING_AGENT } from "../../protocol/card/layouts";
import { CLA_PROPRIETARY, INS_READ_OBJECT, INS_VERIFY_PIN, INS_APPLY_CARS, OBJ_IDENTITY, OBJ_AUTHORIZATION, OBJ_SERVER_TIME, OBJ_DENYLIST,
  OBJ_STAGED_SETTINGS, P2_PIN_REFERENCE, FILE_ACCESS, FILE_OWNERSHIP, FILE_SETTINGS_APPLIED } from "../../protocol/card/commands";
import { EVENT_OPENED, EVENT_DENIED, EVENT_SHACKLE_RELEASED, EVENT_CARS_APPLIED, EVENT_OWNERSHIP_TAKEN, EVENT_OWNERSHIP_RELEASED,
  EVENT_SETTINGS_APPLIED, AUDIT_PAYLOAD_SIZE } from "../../protocol/card/records";
import { encodePinBlock, PIN_BLOCK_SIZE } from "../../protocol/card/pin";
import { denylistSize, denylistCount, denylistVersion, checkDenylist, denylistMacValid, denylistDenies, DENYLIST_HEADER_SIZE, DENYLIST_ENTRY_SIZE } from "../../protocol/card/denylist";
import { TzRule, parseTzRule, utcToLocal, localDay, nextLocalMidnight } from "../../protocol/time/tz";
import { CivilDate, civilFromDays, daysOf, secondOfDay, weekdayOf } from "../../protocol/time/civil";
import { carsMessage, carsCodeFromMac, carsCodeFromDigits, carsLimitsAllow, CARS_LOOKAHEAD, CARS_MESSAGE_SIZE, CARS_MAC_SIZE } from "../../protocol/cars/cars";
import { ERR_CARS_MONTH_LIMIT } from "../../protocol/cars/errors";
import { halRelease, ACTUATOR_COMPARTMENT, ACTUATOR_SHACKLE } from "../hal/hal";
import { factory, settings, tz, listing, ownerSerial, setOwner, saveState, loadState, setPending, denylist, denylistCountKept, denylistVersionKept,
  saveDenylist, tzRuleLength, applyTz, DENYLIST_MAX, LISTING_SIZE } from "./config";
import { logEvent, handToCard, completePending, EVENT_CLOCK_SET } from "./audit";
import { carsLockedOut, carsChargeTry, carsResetTries } from "./cars-lockout";
import * as R from "./indicate";
import * as Q from "../../protocol/service/reasons";

/** Compartment and shackle release pulse (ms). */
const RELEASE_MS: i32 = 5000;
/** Largest READ OBJECT answer (protocol/SPEC.md Card §2.4). */
const READ_CHUNK: i32 = 223;

/** The lockbox clock (protocol/SPEC.md Lockbox §7), shared with the service port. */
export const clock = new Clock();
const card = new CardSession();
const identity = new Identity();
const auth = new Authorization();
const serverTime = new ServerTime();
const staged = new Settings();
const ext = new CarsExtension();
const hmac = new HmacSha256();
const date = new CivilDate();
const tzCheck = new TzRule();
const io = new Uint8Array(16);
const pinBlock = new Uint8Array(PIN_BLOCK_SIZE);
const payload = new Uint8Array(AUDIT_PAYLOAD_SIZE);
const denyIn = new Uint8Array(denylistSize(DENYLIST_MAX));
const settingsBuf = new Uint8Array(SETTINGS_SIZE);
const carsMsg = new Uint8Array(CARS_MESSAGE_SIZE);
const carsMac = new Uint8Array(CARS_MAC_SIZE);

/** Card authenticated and still able to take an entry. */
let ready = false;
let serial: u32 = 0;
/** Server's acknowledged mark for this box, from the card's server-time object. */
let ackedBelow: u32 = 0;

/** True while the inserted card can take another entry. */
export function cardReady(): bool {
  return ready;
}

function clearPayload(): void {
  for (let i = 0; i < AUDIT_PAYLOAD_SIZE; i++) payload[i] = 0;
}

/** Logs a denial, hands it to an authenticated card, shows the pattern; `keep` leaves the card usable. */
function deny(reason: i32, keep: bool): void {
  logEvent(clock.now(), EVENT_DENIED, reason, serial, null);
  if (card.scp.open) handToCard(card, FILE_ACCESS, ackedBelow);
  R.showDenied(reason);
  ready = ready && keep;
}

/** Reads, checks and authenticates the inserted card. True when it may take an entry. */
export function insertCard(): bool {
  ready = false;
  serial = 0;
  ackedBelow = 0;
  if (card.connect() != 0) {
    deny(Q.REASON_CARD_ERROR, false);
    return false;
  }
  const n = card.plain(CLA_PROPRIETARY, INS_READ_OBJECT, OBJ_IDENTITY, 0, io, 0, 0, IDENTITY_SIZE);
  if (n < 0 || card.sw != 0x9000 || decodeIdentity(card.data, 0, n, identity) < 0) {
    deny(Q.REASON_CARD_ERROR, false);
    return false;
  }
  serial = identity.cardSerial;
  if (identity.associationId != factory.associationId) {
    deny(Q.REASON_OTHER_ASSOCIATION, false);
    return false;
  }
  if (card.authenticate(factory.cardAuthMaster, factory.associationId, serial) != 0) {
    deny(Q.REASON_NOT_GENUINE, false);
    return false;
  }
  const a = card.secure(INS_READ_OBJECT, OBJ_AUTHORIZATION, 0, io, 0, 0, AUTHORIZATION_SIZE);
  if (a < 0 || card.sw != 0x9000 || decodeAuthorization(card.data, 0, a, auth) < 0) {
    deny(Q.REASON_CARD_ERROR, false);
    return false;
  }
  readServerTime();
  ready = true;
  takeDenylist();
  applyStagedSettings();
  R.showAwaitingEntry();
  return true;
}

/** Authenticated server time: corrects the clock (logged) and gives the server's mark for this box. */
function readServerTime(): void {
  const n = card.secure(INS_READ_OBJECT, OBJ_SERVER_TIME, 0, io, 0, 0, READ_CHUNK);
  if (n < 0 || card.sw != 0x9000 || decodeServerTime(card.data, 0, n, serverTime) < 0) return;
  for (let i = 0; i < serverTime.count; i++) {
    if (serverTime.lockboxIds[i] == factory.lockboxId) ackedBelow = serverTime.ackedBelow[i];
  }
  const before = clock.now();
  if (serverTime.serverTime != 0 && clock.offerAuthenticated(serverTime.serverTime)) {
    clearPayload();
    writeU32BE(payload, 0, before);
    writeU32BE(payload, 4, serverTime.serverTime);
    logEvent(clock.now(), EVENT_CLOCK_SET, 0, serial, payload);
  }
}

/** Takes the card's denylist when its version is newer and its MAC verifies (spec §3.9 of protocol/SPEC.md (Card chapter)). */
function takeDenylist(): void {
  writeU32BE(io, 0, 0);
  let n = card.secure(INS_READ_OBJECT, OBJ_DENYLIST, 0, io, 0, 2, READ_CHUNK);
  if (n < 6 || card.sw != 0x9000) return;
  const count = denylistCount(card.data, 0);
  if (denylistVersion(card.data, 0) <= denylistVersionKept || count > DENYLIST_MAX) return;
  const size = denylistSize(count);
  let got = 0;
  for (let chunk = 0; chunk < 8 && got < size; chunk++) {
    if (chunk > 0) {
      io[0] = u8(got >>> 8);
      io[1] = u8(got);
      n = card.secure(INS_READ_OBJECT, OBJ_DENYLIST, 0, io, 0, 2, READ_CHUNK);
      if (n <= 0 || card.sw != 0x9000) return;
    }
    const take = min(n, size - got);
    for (let i = 0; i < take; i++) denyIn[got + i] = card.data[i];
    got += take;
  }
  if (got != size || checkDenylist(denyIn, 0, size, DENYLIST_MAX) != count) return;
  if (!denylistMacValid(card.aes, factory.denylistKey, 0, denyIn, 0, count)) return;
  saveDenylist(denyIn, 0, dropExpired(denyIn, count, clock.now()));
}

/**
 * Drops entries whose revoked card has expired anyway (docs/ARCHITECTURE.md §2 "Revocation"); the list was
 * verified whole, and what is kept is the box's own copy (its MAC no longer applies). Returns the
 * bytes to keep: header and kept entries.
 */
function dropExpired(list: Uint8Array, count: i32, now: u32): i32 {
  let kept = 0;
  for (let i = 0; i < count; i++) {
    const at = DENYLIST_HEADER_SIZE + i * DENYLIST_ENTRY_SIZE;
    const expiry = readU32BE(list, at + 4);
    if (expiry <= now) continue;
    const to = DENYLIST_HEADER_SIZE + kept * DENYLIST_ENTRY_SIZE;
    for (let k = 0; k < DENYLIST_ENTRY_SIZE; k++) list[to + k] = list[at + k];
    kept++;
  }
  list[4] = u8(kept >>> 8);
  list[5] = u8(kept);
  return DENYLIST_HEADER_SIZE + kept * DENYLIST_ENTRY_SIZE;
}

/** Applies settings staged for this box when newer; logs "applied" and gives it to the card. */
function applyStagedSettings(): void {
  writeU32BE(io, 0, factory.lockboxId);
  const n = card.secure(INS_READ_OBJECT, OBJ_STAGED_SETTINGS, 0, io, 0, 4, SETTINGS_SIZE);
  if (n < 0 || card.sw != 0x9000 || decodeSettings(card.data, 0, n, staged) < 0) return;
  if (staged.lockboxId != factory.lockboxId || staged.version <= settings.version) return;
  const tzLen = tzRuleLength(staged);
  if (tzLen > 0 && parseTzRule(staged.tzRule, 0, tzLen, tzCheck) != 0) return;
  if (encodeSettings(staged, settingsBuf, 0, SETTINGS_SIZE) < 0 || decodeSettings(settingsBuf, 0, SETTINGS_SIZE, settings) < 0) return;
  clearPayload();
  writeU32BE(payload, 0, settings.version);
  setPending(EVENT_SETTINGS_APPLIED, serial, payload);
  if (saveState() != 0) {
    loadState();
    return;
  }
  applyTz();
  if (completePending(clock.now())) handToCard(card, FILE_SETTINGS_APPLIED, ackedBelow);
}

function authorizedAt(now: u32): bool {
  return now < auth.expiry || now < auth.carsTempExpiry;
}

/** Access hours in local time: day mask and an inclusive minute window (overnight when start > end). */
function withinHours(now: u32): bool {
  const local = utcToLocal(tz, now);
  if ((i32(settings.dayMask) & (1 << weekdayOf(daysOf(local)))) == 0) return false;
  const minute = i32(secondOfDay(local) / 60);
  const start = i32(settings.startMinute);
  const end = i32(settings.endMinute);
  return start <= end ? minute >= start && minute <= end : minute >= start || minute <= end;
}

/** True when digits[off..off+n) equal a BCD code field with f padding (all f = no code: never equal). */
function codeMatches(code: Uint8Array, digits: Uint8Array, off: i32, n: i32): bool {
  if (n < 1 || n > 8) return false;
  let diff = 0;
  for (let i = 0; i < 8; i++) {
    const b = i32(code[i >> 1]);
    const nibble = (i & 1) == 0 ? b >> 4 : b & 15;
    diff |= i < n ? nibble ^ i32(digits[off + i]) : nibble ^ 15;
  }
  return diff == 0;
}

/** VERIFY PIN with digits[0..n). True when the card accepted it; otherwise the denial is done. */
function verifyPin(digits: Uint8Array, n: i32): bool {
  if (encodePinBlock(digits, n, pinBlock, 0) < 0) {
    deny(Q.REASON_BAD_ENTRY, true);
    return false;
  }
  card.secure(INS_VERIFY_PIN, 0, P2_PIN_REFERENCE, pinBlock, 0, PIN_BLOCK_SIZE, 0);
  if (card.sw == 0x9000) return true;
  if (card.sw == 0x6983) deny(Q.REASON_PIN_BLOCKED, false);
  else if ((card.sw & 0xfff0) == 0x63c0) deny((card.sw & 15) == 0 ? Q.REASON_PIN_BLOCKED : Q.REASON_WRONG_PIN, (card.sw & 15) != 0);
  else deny(Q.REASON_CARD_ERROR, false);
  return false;
}

/** Expiry (or CARS extension) and denylist; false after denying. */
function cardValid(now: u32): bool {
  if (!authorizedAt(now)) {
    deny(Q.REASON_EXPIRED, true);
    return false;
  }
  if (denylistDenies(denylist, 0, denylistCountKept, serial, now)) {
    deny(Q.REASON_DENYLISTED, false);
    return false;
  }
  return true;
}

function open(): void {
  if (logEvent(clock.now(), EVENT_OPENED, 0, serial, null) == 0) {
    R.showDenied(Q.REASON_CARD_ERROR);
    ready = false;
    return;
  }
  halRelease(ACTUATOR_COMPARTMENT, RELEASE_MS);
  if (handToCard(card, FILE_ACCESS, ackedBelow)) R.showSuccess();
  else R.showSuccessRenew();
  ready = false;
}

/**
 * PIN + ENT: PIN, then expiry/CARS, denylist, access hours, privacy; returns true when the
 * call-before-showing code is needed next (the box then waits in CBS state).
 */
export function enterPin(digits: Uint8Array, n: i32): bool {
  if (!ready || !verifyPin(digits, n)) return false;
  const now = clock.now();
  if (!cardValid(now)) return false;
  if (!withinHours(now)) {
    deny(Q.REASON_OUTSIDE_HOURS, false);
    return false;
  }
  if ((settings.flags & SETTINGS_PRIVACY_MODE) != 0) {
    deny(Q.REASON_PRIVACY, false);
    return false;
  }
  if ((settings.flags & SETTINGS_CBS_REQUIRED) != 0) {
    R.showAwaitingCbs();
    return true;
  }
  open();
  return false;
}

/** The call-before-showing code + ENT after an accepted PIN. */
export function enterCbs(digits: Uint8Array, n: i32): void {
  if (!ready) return;
  if (codeMatches(settings.cbsCode, digits, 0, n)) open();
  else deny(Q.REASON_CBS_WRONG, false);
}

/**
 * FUNC 0 <8-digit code> ENT: CARS renewal until local midnight (spec §4). The try is charged in
 * flash before the code is evaluated and given back when the card takes the extension (§4.1).
 */
export function enterCars(entry: Uint8Array, off: i32, n: i32): void {
  if (!ready) return;
  const now = clock.now();
  if (carsLockedOut(now)) {
    deny(Q.REASON_CARS_LOCKED_OUT, true);
    return;
  }
  const code = carsCodeFromDigits(entry, off, n);
  const today = localDay(tz, now);
  civilFromDays(today, date);
  const month = date.year * 12 + date.month - 1;
  const limit = carsLimitsAllow(i32(auth.carsMonth), i32(auth.carsMonthCount), i32(auth.carsLastDay), i32(auth.carsConsecutiveDays), today, month, factory.cars);
  if (limit != 0) {
    deny(limit == ERR_CARS_MONTH_LIMIT ? Q.REASON_CARS_MONTH_LIMIT : Q.REASON_CARS_CONSECUTIVE_LIMIT, true);
    return;
  }
  if (!carsChargeTry(now)) {
    deny(Q.REASON_CARS_LOCKED_OUT, true);
    return;
  }
  hmac.setKey(factory.carsKey, 0, 16);
  let match = -1;
  for (let k = 1; k <= CARS_LOOKAHEAD; k++) {
    const seq = i32(auth.carsLastSequence) + k;
    if (seq > 0xffff) break;
    carsMessage(serial, today, seq, carsMsg, 0);
    hmac.mac(carsMsg, 0, CARS_MESSAGE_SIZE, carsMac, 0);
    if (code >= 0 && carsCodeFromMac(carsMac, 0) == code && match < 0) match = seq;
  }
  if (match < 0) {
    deny(Q.REASON_CARS_WRONG, true);
    return;
  }
  ext.tempExpiry = nextLocalMidnight(tz, now);
  ext.codeSequence = u16(match);
  ext.day = u16(today);
  ext.month = u16(month);
  encodeCarsExtension(ext, io, 0, CARS_EXTENSION_SIZE);
  const a = card.secure(INS_APPLY_CARS, 0, 0, io, 0, CARS_EXTENSION_SIZE, AUTHORIZATION_SIZE);
  if (a < 0 || card.sw != 0x9000 || decodeAuthorization(card.data, 0, a, auth) < 0) {
    deny(Q.REASON_CARD_ERROR, false);
    return;
  }
  carsResetTries();
  logEvent(now, EVENT_CARS_APPLIED, 0, serial, null);
  handToCard(card, FILE_ACCESS, ackedBelow);
  R.showSuccess();
}

/** Owner functions need the PIN keyed first in the same entry: PIN FUNC n ... ENT. */
function ownerPreamble(digits: Uint8Array, pinLen: i32): bool {
  if (!ready) return false;
  if (pinLen == 0) {
    deny(Q.REASON_BAD_ENTRY, true);
    return false;
  }
  return verifyPin(digits, pinLen) && cardValid(clock.now());
}

/** PIN FUNC 1 [shackle code] ENT: the owner needs no code; shackle release detaches the listing. */
export function enterShackle(entry: Uint8Array, pinLen: i32, off: i32, n: i32): void {
  if (!ownerPreamble(entry, pinLen)) return;
  const owner = ownerSerial != 0 && serial == ownerSerial;
  if (n == 0 ? !owner : !codeMatches(settings.shackleCode, entry, off, n)) {
    deny(Q.REASON_SHACKLE_CODE_WRONG, false);
    return;
  }
  for (let i = 0; i < LISTING_SIZE; i++) payload[i] = listing[i];
  if (logEvent(clock.now(), EVENT_SHACKLE_RELEASED, 0, serial, payload) == 0) return;
  halRelease(ACTUATOR_SHACKLE, RELEASE_MS);
  handToCard(card, FILE_ACCESS, ackedBelow);
  if (ownerSerial != 0 || listing[0] != 0) {
    setPending(EVENT_OWNERSHIP_RELEASED, ownerSerial, payload);
    setOwner(0);
    for (let i = 0; i < LISTING_SIZE; i++) listing[i] = 0;
    if (saveState() == 0 && completePending(clock.now())) handToCard(card, FILE_OWNERSHIP, ackedBelow);
  }
  R.showSuccess();
  ready = false;
}

/** PIN FUNC 2 <MLS#> ENT: a listing agent assigns the box to a listing and becomes its owner. */
export function enterOwnership(entry: Uint8Array, pinLen: i32, off: i32, n: i32): void {
  if (!ownerPreamble(entry, pinLen)) return;
  if ((identity.roleFlags & ROLE_LISTING_AGENT) == 0) {
    deny(Q.REASON_NOT_LISTING_AGENT, false);
    return;
  }
  if (n < 1 || n > LISTING_SIZE) {
    deny(Q.REASON_BAD_ENTRY, true);
    return;
  }
  for (let i = 0; i < n; i++) {
    if (entry[off + i] > 9) {
      deny(Q.REASON_BAD_ENTRY, true);
      return;
    }
  }
  for (let i = 0; i < LISTING_SIZE; i++) listing[i] = i < n ? u8(48 + entry[off + i]) : 0;
  setOwner(serial);
  setPending(EVENT_OWNERSHIP_TAKEN, serial, listing);
  if (saveState() != 0) {
    loadState();
    R.showDenied(Q.REASON_CARD_ERROR);
    return;
  }
  if (completePending(clock.now())) handToCard(card, FILE_OWNERSHIP, ackedBelow);
  R.showSuccess();
  ready = false;
}

/** The transaction ends (card removed, or an entry timed out in `reason`, -1 = none). */
export function finishCard(reason: i32): void {
  if (reason >= 0 && ready) deny(reason, false);
  ready = false;
  card.close();
}
