/**
 * Outcome reason codes (the `reason` byte of audit records) and the light/buzzer pattern each one
 * shows (spec lockbox.md §5, the table a locksmith or agent reads).
 */
import { halLights, halBeep } from "../hal/hal";

/** Light bits of halLights. */
export const LIGHT_CODE: i32 = 1;
export const LIGHT_READY: i32 = 2;
export const LIGHT_ERROR: i32 = 4;
export const LIGHT_DND: i32 = 8;

/** Reasons (audit record byte 13). 0 = none (success). */
export const REASON_NONE: i32 = 0;
export const REASON_OTHER_ASSOCIATION: i32 = 1;
export const REASON_NOT_GENUINE: i32 = 2;
export const REASON_EXPIRED: i32 = 3;
export const REASON_DENYLISTED: i32 = 4;
export const REASON_WRONG_PIN: i32 = 5;
export const REASON_PIN_BLOCKED: i32 = 6;
export const REASON_OUTSIDE_HOURS: i32 = 7;
export const REASON_PRIVACY: i32 = 8;
export const REASON_CBS_WRONG: i32 = 9;
export const REASON_CARS_WRONG: i32 = 10;
export const REASON_CARS_MONTH_LIMIT: i32 = 11;
export const REASON_CARS_CONSECUTIVE_LIMIT: i32 = 12;
export const REASON_CARS_LOCKED_OUT: i32 = 13;
export const REASON_SHACKLE_CODE_WRONG: i32 = 14;
export const REASON_CARD_ERROR: i32 = 15;
export const REASON_NOT_LISTING_AGENT: i32 = 16;
export const REASON_BAD_ENTRY: i32 = 17;

/** Shows the pattern of a denial reason (spec §5 table). */
export function showDenied(reason: i32): void {
  if (reason == REASON_CARS_WRONG || reason == REASON_CARS_MONTH_LIMIT || reason == REASON_CARS_CONSECUTIVE_LIMIT || reason == REASON_CARS_LOCKED_OUT) {
    halLights(0, LIGHT_CODE | LIGHT_ERROR);
    halBeep(3, 100);
  } else if (reason == REASON_WRONG_PIN || reason == REASON_CBS_WRONG || reason == REASON_BAD_ENTRY) {
    halLights(LIGHT_CODE, LIGHT_ERROR);
    halBeep(2, 100);
  } else if (reason == REASON_PRIVACY) {
    halLights(LIGHT_DND | LIGHT_ERROR, 0);
    halBeep(1, 500);
  } else if (reason == REASON_OUTSIDE_HOURS) {
    halLights(LIGHT_ERROR, LIGHT_DND);
    halBeep(1, 500);
  } else if (reason == REASON_EXPIRED) {
    halLights(LIGHT_CODE | LIGHT_ERROR, 0);
    halBeep(3, 100);
  } else {
    halLights(LIGHT_ERROR, 0);
    halBeep(3, 100);
  }
}

/** Card accepted: waiting for PIN or a function (CODE steady). */
export function showAwaitingEntry(): void {
  halLights(LIGHT_CODE, 0);
}

/** Waiting for the call-before-showing code (CODE flashing). */
export function showAwaitingCbs(): void {
  halLights(0, LIGHT_CODE);
}

/** Success (opened, CARS accepted, owner function done): READY and one beep. */
export function showSuccess(): void {
  halLights(LIGHT_READY, 0);
  halBeep(1, 200);
}

/** All lights off. */
export function showIdle(): void {
  halLights(0, 0);
  halBeep(0, 0);
}
