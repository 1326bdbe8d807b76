/**
 * Lockbox firmware entry points (events, firmware/hal/hal.ts) and the keypad state machine
 * (protocol/SPEC.md Lockbox §3). Every event does a bounded amount of work and returns.
 *
 *   no card ──cardInserted──▶ authenticate ──▶ ENTRY (CODE) ──PIN ENT──▶ rules ──▶ open / deny
 *                                               │  FUNC 0 code ENT: CARS     ├─▶ CBS (CODE flashing)
 *                                               │  PIN FUNC 1 [code] ENT: shackle
 *                                               │  PIN FUNC 2 MLS# ENT: take ownership
 */
import { KEY_FUNC, KEY_ENT, KEY_CLR, halWakeAfter, halUptimeMs, halSystemReset } from "../hal/hal";
import { showAwaitingEntry, showIdle, showDenied } from "./indicate";
import { REASON_BAD_ENTRY } from "../../protocol/service/reasons";
import { loadFactory, loadState, factory, JOURNAL_SECTOR } from "./config";
import { mountJournal, journal, completePending } from "./audit";
import { startService, serviceReceive, update } from "./service";
import { Aes128 } from "../crypto/index";
import { cryptoSelfTest } from "../services/self-test";
import { clock, insertCard, finishCard, enterPin, enterCbs, enterCars, enterShackle, enterOwnership, cardReady } from "./access";

/** Keys kept per entry (FUNC + function + up to 16 digits). */
const ENTRY_MAX: i32 = 20;
/** Idle time after which a half-typed entry is dropped (ms). */
const ENTRY_TIMEOUT_MS: i32 = 30000;

const STATE_NO_CARD: i32 = 0;
const STATE_ENTRY: i32 = 1;
const STATE_CBS: i32 = 2;
const STATE_DONE: i32 = 3;
const STATE_FAULT: i32 = 4;

let state: i32 = STATE_NO_CARD;
const entry = new Uint8Array(ENTRY_MAX);
let entryLen: i32 = 0;
let lastKeyMs: u32 = 0;
const uartRxBuf = new Uint8Array(256);
const serviceCipher = new Aes128();

/** Power-on reset. */
export function init(): void {
  state = STATE_NO_CARD;
  entryLen = 0;
  // The journal must end below the update partition (protocol/SPEC.md Lockbox §2, Image §6).
  if (!loadFactory() || (update.start() && JOURNAL_SECTOR + factory.journalSectors > update.partition.layout.first())) {
    state = STATE_FAULT;
    showDenied(0);
    return;
  }
  loadState();
  mountJournal();
  clock.boot(journal.newestTime);
  completePending(clock.now());
  startService(factory.scbk, serviceCipher);
  showIdle();
  // A test boot of a new image: it stays only if it passes its self-test (Image §7.3).
  if (update.testing()) {
    if (!cryptoSelfTest(serviceCipher) || update.confirm() != 0) halSystemReset();
  }
}

/** The wake-up requested with halWakeAfter: an entry (or the CBS code) not finished in time is dropped. */
export function tick(): void {
  if (state != STATE_ENTRY && state != STATE_CBS) return;
  const idle = halUptimeMs() - lastKeyMs;
  if (idle < u32(ENTRY_TIMEOUT_MS)) {
    halWakeAfter(ENTRY_TIMEOUT_MS - i32(idle));
    return;
  }
  entryLen = 0;
  if (state == STATE_CBS) {
    enterCbs(entry, 0);
    state = STATE_DONE;
  } else {
    showAwaitingEntry();
  }
}

/** Address of the buffer where the host places received service-port bytes before uartRx. */
export function uartRxBuffer(): usize {
  return uartRxBuf.dataStart;
}

/** Service-port bytes arrived (OSDP peripheral device, service.ts). */
export function uartRx(len: i32): void {
  if (state == STATE_FAULT || len <= 0 || len > uartRxBuf.length) return;
  serviceReceive(uartRxBuf, len);
}

/** Card detect closed: authenticate and read the card, then wait for an entry. */
export function cardInserted(): void {
  if (state == STATE_FAULT) return;
  entryLen = 0;
  state = insertCard() ? STATE_ENTRY : STATE_DONE;
  lastKeyMs = halUptimeMs();
  if (state == STATE_ENTRY) halWakeAfter(ENTRY_TIMEOUT_MS);
}

/** Card detect opened: end of the transaction. */
export function cardRemoved(): void {
  if (state == STATE_FAULT) return;
  if (state != STATE_NO_CARD) finishCard(-1);
  state = STATE_NO_CARD;
  entryLen = 0;
  showIdle();
}

/** A key went down: 0..9, KEY_FUNC, KEY_ENT, KEY_CLR. */
export function key(code: i32): void {
  if (state != STATE_ENTRY && state != STATE_CBS) return;
  lastKeyMs = halUptimeMs();
  halWakeAfter(ENTRY_TIMEOUT_MS);
  if (code == KEY_CLR) {
    entryLen = 0;
    return;
  }
  if (code != KEY_ENT) {
    if ((code >= 0 && code <= 9) || code == KEY_FUNC) {
      if (entryLen < ENTRY_MAX) entry[entryLen] = u8(code);
      entryLen++;
    }
    return;
  }
  const n = entryLen;
  entryLen = 0;
  if (n > ENTRY_MAX) {
    showDenied(REASON_BAD_ENTRY);
    return;
  }
  if (state == STATE_CBS) {
    enterCbs(entry, n);
    state = STATE_DONE;
    return;
  }
  let func = 0;
  while (func < n && entry[func] != KEY_FUNC) func++;
  let needCbs = false;
  if (func == n) {
    needCbs = enterPin(entry, n);
  } else if (func + 1 < n) {
    const fn = i32(entry[func + 1]);
    const args = func + 2;
    if (fn == 0 && func == 0) enterCars(entry, args, n - args);
    else if (fn == 1) enterShackle(entry, func, args, n - args);
    else if (fn == 2) enterOwnership(entry, func, args, n - args);
    else showDenied(REASON_BAD_ENTRY);
  } else {
    showDenied(REASON_BAD_ENTRY);
  }
  if (needCbs) state = STATE_CBS;
  else if (!cardReady()) state = STATE_DONE;
}
