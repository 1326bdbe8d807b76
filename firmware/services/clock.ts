/**
 * The lockbox clock (protocol/SPEC.md Lockbox §2.4, docs/ARCHITECTURE.md §2 "Time"): UTC from the RTC, never behind
 * the newest logged record; untrusted after the RTC lost power until an authenticated source
 * (a renewed card's server time, read inside the SCP03 session) corrects it.
 */
import { halRtcRead, halRtcWrite, halRtcValid } from "../hal/hal";

/** A trusted clock is stepped forward only when an authenticated time is this far ahead (seconds). */
export const CLOCK_STEP_THRESHOLD: u32 = 300;

/** UTC with trust and a floor at the newest logged record (protocol/SPEC.md Lockbox §7). */
export class Clock {
  trusted: bool = false;
  /** No time the firmware uses is below this (the newest logged record's time). */
  floor: u32 = 0;

  /** At power-on: trust the RTC only if it kept power and is not behind the log. */
  boot(newestLogged: u32): void {
    this.floor = newestLogged;
    this.trusted = halRtcValid();
    if (halRtcRead() < newestLogged) {
      halRtcWrite(newestLogged);
      this.trusted = false;
    }
  }

  /** Current UTC seconds. */
  now(): u32 {
    const t = halRtcRead();
    return t < this.floor ? this.floor : t;
  }

  /**
   * Offers an authenticated time. Sets the RTC (and trusts it) when the time is ahead and the clock
   * is untrusted, or more than CLOCK_STEP_THRESHOLD ahead of a trusted clock. A time at or behind
   * the clock changes nothing: it says only that the clock is not slow. True when the clock changed.
   */
  offerAuthenticated(utc: u32): bool {
    const now = this.now();
    if (utc <= now) return false;
    if (this.trusted && utc - now <= CLOCK_STEP_THRESHOLD) return false;
    halRtcWrite(utc);
    this.trusted = true;
    return true;
  }

  /** Sets the clock from an authenticated service-port command (may step back); returns the old time. */
  setAuthenticated(utc: u32): u32 {
    const before = this.now();
    this.floor = 0;
    halRtcWrite(utc);
    this.trusted = true;
    return before;
  }
}
