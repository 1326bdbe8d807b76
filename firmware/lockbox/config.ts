/**
 * The lockbox's persistent configuration (protocol/SPEC.md Lockbox §2):
 * - factory block (flash sector 0, written once at provisioning): identity and keys;
 * - state (sectors 1-2, FlashSlots): settings as applied, owner card, listing, the audit event
 *   that records the change ("pending" until it is in the journal: it is written in the same atomic
 *   store as the change, so a power cut can never leave a change without its record), and the CARS
 *   wrong-code tries (cars-lockout.ts), so a power cycle cannot hand out fresh tries;
 * - denylist (sectors 3-4, FlashSlots): the newest verified denylist;
 * - audit journal (sector 5 on).
 */
import { crc32 } from "../../protocol/crc";
import { Settings, encodeSettings, decodeSettings, SETTINGS_SIZE } from "../../protocol/card/layouts";
import { TzRule, parseTzRule } from "../../protocol/time/tz";
import { CarsLimits } from "../../protocol/cars/cars";
import { denylistSize, denylistVersion, denylistCount } from "../../protocol/card/denylist";
import { halFlashRead } from "../hal/hal";
import { FlashSlots } from "../services/flash-slots";
import { readU32BE, writeU32BE } from "../../protocol/bytes";

/** Factory block size and magic (spec §2.1). */
export const FACTORY_SIZE: i32 = 100;
export const FACTORY_MAGIC: u32 = 0x4c425831;
/** First sectors of the state and denylist A/B stores and of the journal (spec §2 layout). */
export const STATE_SECTOR: i32 = 1;
export const DENYLIST_SECTOR: i32 = 3;
export const JOURNAL_SECTOR: i32 = 5;
/** Denylist entries a lockbox keeps (the card's default capacity). */
export const DENYLIST_MAX: i32 = 128;
/** Bytes of the listing number kept (the audit payload width). */
export const LISTING_SIZE: i32 = 12;
const PENDING_AT: i32 = SETTINGS_SIZE + 4 + LISTING_SIZE;
/** State written by firmware before the CARS tries were kept (spec §2.3: read as "no tries charged"). */
const STATE_SIZE_V1: i32 = PENDING_AT + 1 + 4 + LISTING_SIZE;
const CARS_TRIES_AT: i32 = STATE_SIZE_V1;
const STATE_SIZE: i32 = CARS_TRIES_AT + 1 + 4;

/** The factory block as loaded (spec §2.1). */
export class Factory {
  lockboxId: u32 = 0;
  associationId: u32 = 0;
  cardAuthMaster: Uint8Array = new Uint8Array(16);
  auditKey: Uint8Array = new Uint8Array(16);
  carsKey: Uint8Array = new Uint8Array(16);
  denylistKey: Uint8Array = new Uint8Array(16);
  /** OSDP secure-channel base key of the service port. */
  scbk: Uint8Array = new Uint8Array(16);
  cars: CarsLimits = new CarsLimits();
  journalSectors: i32 = 0;
}

/** Identity and keys of this box (spec §2.1). */
export const factory = new Factory();
/** Settings in force (protocol/SPEC.md Card §3.4, spec §2.3). */
export const settings = new Settings();
/** The settings' TZ rule, parsed (spec §7). */
export const tz = new TzRule();
/** Serial of the card that took ownership (0 = none). */
export let ownerSerial: u32 = 0;
/** Listing number (ASCII digits, 00-padded) the box is assigned to. */
export const listing = new Uint8Array(LISTING_SIZE);
/** The kept denylist (protocol/SPEC.md Card §3.9 layout, expired entries dropped; spec §3). */
export const denylist = new Uint8Array(denylistSize(DENYLIST_MAX));
/** Entries and version of the kept denylist. */
export let denylistCountKept: i32 = 0;
/** The audit event recording the last state change, until it is logged (0 = none). */
export let pendingEvent: u8 = 0;
export let pendingSerial: u32 = 0;
export const pendingPayload = new Uint8Array(LISTING_SIZE);
/** Version of the kept denylist (a card must bring a higher one). */
export let denylistVersionKept: u32 = 0;

/** CARS wrong-code tries as kept in the state (spec §2.3, §4.1; the policy is in cars-lockout.ts). */
export class CarsTries {
  /** Tries charged since the last accepted code or the last lockout. */
  charged: i32 = 0;
  /** UTC at which the current lockout ends (0 or a past time: not locked out). */
  lockedUntil: u32 = 0;
}

/** The CARS tries in force; saveState() persists them with the rest of the state. */
export const carsTries = new CarsTries();

const stateStore = new FlashSlots(STATE_SECTOR, STATE_SIZE);
const denyStore = new FlashSlots(DENYLIST_SECTOR, denylistSize(DENYLIST_MAX));
const buf = new Uint8Array(STATE_SIZE);
const fbuf = new Uint8Array(FACTORY_SIZE);

/** Reads the factory block; false when it is missing or corrupt (the box then refuses every card). */
export function loadFactory(): bool {
  if (halFlashRead(0, fbuf.dataStart, FACTORY_SIZE) != 0) return false;
  if (readU32BE(fbuf, 0) != FACTORY_MAGIC || crc32(fbuf, 0, FACTORY_SIZE - 4) != readU32BE(fbuf, FACTORY_SIZE - 4)) return false;
  factory.lockboxId = readU32BE(fbuf, 4);
  factory.associationId = readU32BE(fbuf, 8);
  for (let i = 0; i < 16; i++) {
    factory.cardAuthMaster[i] = fbuf[12 + i];
    factory.auditKey[i] = fbuf[28 + i];
    factory.carsKey[i] = fbuf[44 + i];
    factory.denylistKey[i] = fbuf[60 + i];
    factory.scbk[i] = fbuf[80 + i];
  }
  factory.cars.perMonth = i32(fbuf[76]);
  factory.cars.consecutiveDays = i32(fbuf[77]);
  factory.journalSectors = i32(fbuf[78]);
  return factory.journalSectors >= 2;
}

/** Default settings: every day, all day, UTC, no codes; applied until an owner's card brings others. */
function defaultSettings(): void {
  settings.lockboxId = factory.lockboxId;
  settings.version = 0;
  settings.dayMask = 0x7f;
  settings.startMinute = 0;
  settings.endMinute = 1439;
  settings.flags = 0;
  for (let i = 0; i < 4; i++) {
    settings.cbsCode[i] = 0xff;
    settings.privacyCode[i] = 0xff;
    settings.shackleCode[i] = 0xff;
  }
  for (let i = 0; i < settings.tzRule.length; i++) settings.tzRule[i] = 0;
}

/** Sets `tz` from the settings in force: their TZ rule, or UTC when they have none (spec §7). */
export function applyTz(): void {
  const n = tzRuleLength(settings);
  if (n > 0 && parseTzRule(settings.tzRule, 0, n, tz) == 0) return;
  tz.stdOffset = 0;
  tz.dstOffset = 0;
  tz.hasDst = false;
}

/** Length of the TZ text in a settings record (up to the first 00). */
export function tzRuleLength(s: Settings): i32 {
  let n = 0;
  while (n < s.tzRule.length && s.tzRule[n] != 0) n++;
  return n;
}

/** Loads state and denylist from flash at power-on. */
export function loadState(): void {
  defaultSettings();
  ownerSerial = 0;
  for (let i = 0; i < LISTING_SIZE; i++) listing[i] = 0;
  setPending(0, 0, listing);
  carsTries.charged = 0;
  carsTries.lockedUntil = 0;
  const kept = stateStore.mount();
  if ((kept == STATE_SIZE || kept == STATE_SIZE_V1) && stateStore.read(buf, 0) == kept && decodeSettings(buf, 0, SETTINGS_SIZE, settings) >= 0) {
    ownerSerial = readU32BE(buf, SETTINGS_SIZE);
    for (let i = 0; i < LISTING_SIZE; i++) listing[i] = buf[SETTINGS_SIZE + 4 + i];
    pendingEvent = buf[PENDING_AT];
    pendingSerial = readU32BE(buf, PENDING_AT + 1);
    for (let i = 0; i < LISTING_SIZE; i++) pendingPayload[i] = buf[PENDING_AT + 5 + i];
    if (kept == STATE_SIZE) {
      carsTries.charged = i32(buf[CARS_TRIES_AT]);
      carsTries.lockedUntil = readU32BE(buf, CARS_TRIES_AT + 1);
    }
  }
  applyTz();
  denylistCountKept = 0;
  denylistVersionKept = 0;
  const n = denyStore.mount();
  if (n >= 0 && denyStore.read(denylist, 0) == n) {
    denylistVersionKept = denylistVersion(denylist, 0);
    denylistCountKept = denylistCount(denylist, 0);
  }
}

/** Writes settings, owner, listing, pending event and CARS tries as one crash-safe record; 0 or -1. */
export function saveState(): i32 {
  if (encodeSettings(settings, buf, 0, SETTINGS_SIZE) < 0) return -1;
  writeU32BE(buf, SETTINGS_SIZE, ownerSerial);
  for (let i = 0; i < LISTING_SIZE; i++) buf[SETTINGS_SIZE + 4 + i] = listing[i];
  buf[PENDING_AT] = pendingEvent;
  writeU32BE(buf, PENDING_AT + 1, pendingSerial);
  for (let i = 0; i < LISTING_SIZE; i++) buf[PENDING_AT + 5 + i] = pendingPayload[i];
  buf[CARS_TRIES_AT] = u8(carsTries.charged);
  writeU32BE(buf, CARS_TRIES_AT + 1, carsTries.lockedUntil);
  return stateStore.write(buf, 0, STATE_SIZE);
}

/** Sets (event != 0) or clears (0) the audit event to be logged for the state change saved next. */
export function setPending(event: u8, serial: u32, payload: Uint8Array): void {
  pendingEvent = event;
  pendingSerial = serial;
  for (let i = 0; i < LISTING_SIZE; i++) pendingPayload[i] = event == 0 ? 0 : payload[i];
}

/** Sets the owner (0 clears). */
export function setOwner(serial: u32): void {
  ownerSerial = serial;
}

/** Keeps a verified denylist of `len` bytes at src[off..); 0 or -1. */
export function saveDenylist(src: Uint8Array, off: i32, len: i32): i32 {
  if (denyStore.write(src, off, len) != 0) return -1;
  for (let i = 0; i < len; i++) denylist[i] = src[off + i];
  denylistVersionKept = denylistVersion(denylist, 0);
  denylistCountKept = denylistCount(denylist, 0);
  return 0;
}
