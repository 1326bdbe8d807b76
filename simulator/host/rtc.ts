/**
 * Simulated battery-backed real-time clock: runs at (1 + drift) times the host's simulated time,
 * loses its time when the battery is swapped (reads from 2000-01-01 and reports invalid until
 * written), as docs/ARCHITECTURE.md §2 "Time" describes real lockbox clocks doing.
 */

/** What an RTC shows after losing power: 2000-01-01T00:00:00Z. */
export const RTC_RESET_UTC = 946684800;

/** The battery-backed RTC behind hal.rtc* (protocol/SPEC.md Lockbox §7). */
export class Rtc {
  /** Parts per million the clock gains (negative: loses). */
  driftPpm: number;
  valid = true;
  private baseUtc: number;
  private baseMicros = 0;

  constructor(utc: number, driftPpm = 0) {
    this.baseUtc = utc;
    this.driftPpm = driftPpm;
  }

  /** UTC seconds at simulated time `micros`. */
  read(micros: number): number {
    const elapsed = ((micros - this.baseMicros) / 1e6) * (1 + this.driftPpm / 1e6);
    return Math.floor(this.baseUtc + elapsed) >>> 0;
  }

  write(micros: number, utc: number): void {
    this.baseUtc = utc;
    this.baseMicros = micros;
    this.valid = true;
  }

  /** Battery swap: the time is lost. */
  loseBattery(micros: number): void {
    this.baseUtc = RTC_RESET_UTC;
    this.baseMicros = micros;
    this.valid = false;
  }
}
