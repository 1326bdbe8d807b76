/**
 * Endurance run (issue 5 "Endurance"): many simulated accesses on one lockbox with a small
 * journal so the log wraps many times; reports the rate and whether the firmware's memory stayed
 * put. Used by test/lockbox/endurance.test.ts (a short run) and bench/lockbox.bench.ts (100,000).
 */
import { SimAssociation } from "./association.ts";
import { SimLockbox } from "./lockbox.ts";

/** What an endurance run measured. */
export interface EnduranceResult {
  accesses: number;
  opened: number;
  hostSeconds: number;
  accessesPerHostSecond: number;
  /** Highest non-zero byte of the firmware's memory after the first access and at the end. */
  highWaterStart: number;
  highWaterEnd: number;
  memoryBytes: number;
  box: SimLockbox;
}

/** Runs `accesses` card + PIN accesses (two agents taking turns, 10 simulated minutes apart). */
export function runEndurance(accesses: number, journalSectors = 2, onProgress?: (done: number) => void): EnduranceResult {
  const t0 = Date.UTC(2026, 0, 5, 12) / 1000;
  const assoc = new SimAssociation(257, 11);
  const agents = [assoc.issue("A", 3001, "1234", t0 + 5 * 365 * 86400), assoc.issue("B", 3002, "5678", t0 + 5 * 365 * 86400)];
  const box = new SimLockbox(assoc, { lockboxId: 9001, utc: t0, journalSectors });
  let opened = 0;
  let highWaterStart = 0;
  const started = performance.now();
  for (let i = 0; i < accesses; i++) {
    const who = agents[i % 2];
    box.host.drainEvents();
    box.insert(who);
    box.type(`${who.pin}E`, 50);
    if (SimLockbox.releases(box.host.events).length > 0) opened++;
    box.remove();
    box.host.advance(600_000);
    if (i === 0) highWaterStart = box.host.memoryHighWater();
    if (onProgress && i % 500 === 0) onProgress(i);
  }
  const hostSeconds = (performance.now() - started) / 1000;
  return {
    accesses, opened, hostSeconds, accessesPerHostSecond: accesses / hostSeconds, highWaterStart,
    highWaterEnd: box.host.memoryHighWater(), memoryBytes: box.host.memoryBytes(), box,
  };
}
