/**
 * The light/buzzer pattern of each outcome (protocol/SPEC.md Lockbox §5, the table an agent or locksmith
 * reads); reason codes are in protocol/service/reasons.ts.
 */
import { halLights, halBeep } from "../hal/hal";
import {
  REASON_CARS_WRONG, REASON_CARS_MONTH_LIMIT, REASON_CARS_CONSECUTIVE_LIMIT, REASON_CARS_LOCKED_OUT, REASON_WRONG_PIN, REASON_CBS_WRONG,
  REASON_BAD_ENTRY, REASON_PRIVACY, REASON_OUTSIDE_HOURS, REASON_EXPIRED,
} from "../../protocol/service/reasons";

/** Light bits of halLights. */
export const LIGHT_CODE: i32 = 1;
export const LIGHT_READY: i32 = 2;
export const LIGHT_ERROR: i32 = 4;
export const LIGHT_DND: i32 = 8;

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

/** Success, but the card's own record file is full (protocol/SPEC.md Card §2 "File full"): READY and CODE flashing, renew the card. */
export function showSuccessRenew(): void {
  halLights(LIGHT_READY, LIGHT_CODE);
  halBeep(1, 200);
}

/** All lights off. */
export function showIdle(): void {
  halLights(0, 0);
  halBeep(0, 0);
}
