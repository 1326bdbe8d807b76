/**
 * The CARS wrong-code lockout (protocol/SPEC.md Lockbox §4.1), kept in the crash-safe state
 * (config.ts, Lockbox §2.3) so that neither a power cycle nor a power cut hands out fresh tries.
 *
 * Invariant: a try is charged in flash BEFORE its code is evaluated, and a lockout starts in that
 * same write. Until the charge is durable the box has done nothing that depends on the code, so an
 * attempt cut short before it tells the thief nothing; once the box could tell right from wrong
 * (a denial, an APPLY CARS on the card line, the timing of a write), the try is already counted.
 * An accepted code gives its try back in a second write.
 */
import { carsTries, saveState } from "./config";

/** Tries per lockout window (spec §4.1). */
export const CARS_MAX_TRIES: i32 = 3;
/** Length of a lockout in seconds of the box's clock (spec §4.1). */
export const CARS_LOCKOUT_S: u32 = 900;

/**
 * True while CARS entry is locked out at `now`. A lockout ending more than CARS_LOCKOUT_S after
 * `now` can only come from a clock set back since it started; it is cut to now + CARS_LOCKOUT_S
 * (and saved) so that setting the clock back never locks CARS out for longer than one lockout.
 */
export function carsLockedOut(now: u32): bool {
  if (carsTries.lockedUntil <= now) return false;
  if (carsTries.lockedUntil - now > CARS_LOCKOUT_S) {
    carsTries.lockedUntil = now + CARS_LOCKOUT_S;
    saveState();
  }
  return true;
}

/**
 * Charges one try before a code is evaluated (spec §4.1): the charge that reaches CARS_MAX_TRIES
 * starts the lockout instead. False when the state could not be written: the code must then not
 * be evaluated. The charge stays in RAM: while flash fails every CARS entry is refused, and the failed
 * charges still count once a write succeeds.
 */
export function carsChargeTry(now: u32): bool {
  carsTries.charged++;
  if (carsTries.charged >= CARS_MAX_TRIES) {
    carsTries.charged = 0;
    carsTries.lockedUntil = now + CARS_LOCKOUT_S;
  }
  return saveState() == 0;
}

/**
 * The charged code was accepted: tries start again from zero (spec §4.1). The only lockout that can
 * be set here is the one this try's own charge started, so it is cleared with the count. If this
 * write fails or power is cut before it, the try stays charged: the box errs towards locking out.
 */
export function carsResetTries(): void {
  carsTries.charged = 0;
  carsTries.lockedUntil = 0;
  saveState();
}
