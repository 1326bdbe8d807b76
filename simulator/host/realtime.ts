/**
 * Real-time mode of the simulator host (docs/ARCHITECTURE.md §3 "two clocks"): the devices' simulated time
 * follows the wall clock, so firmware wake-ups, entry timeouts and the RTC run as on a bench, for
 * people and QA scripts talking to PTY-attached devices. Virtual time (the default) is untouched.
 */
import type { DeviceHost } from "./host.ts";

/** Advances every host by the wall-clock time elapsed, every `periodMs`; returns the stop function. */
export function runInRealTime(hosts: Iterable<DeviceHost>, periodMs = 50): () => void {
  const list = [...hosts];
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    for (const h of list) h.advance(now - last);
    last = now;
  }, periodMs);
  return () => clearInterval(timer);
}
