// Endurance (issue 5): a long run of accesses wraps the flash log many times with no trap and no
// memory growth in the firmware. The suite runs 1,000 accesses on a 2-sector journal (64 kept
// records, so ~8 wraps); `npm run bench -- --filter lockbox` runs the full 100,000.
import { it, expect } from "vitest";
import { runEndurance } from "../../simulator/world/endurance.ts";
import { EVENT_OPENED } from "../../protocol/card/records.ts";

it("1,000 accesses: all open, log wraps keeping the newest records intact, memory stays put", () => {
  const r = runEndurance(1000);
  expect(r.opened).toBe(1000);
  expect(r.box.host.running).toBe(true);
  expect(r.memoryBytes).toBe(65536);
  expect(r.highWaterEnd).toBe(r.highWaterStart);
  const log = r.box.auditLog();
  // 2 sectors × 64 slots; after a wrap between 64 and 128 records are kept, the newest ones.
  expect(log.length).toBeGreaterThanOrEqual(64);
  expect(log.length).toBeLessThanOrEqual(128);
  expect(log.at(-1).record.sequence).toBe(1000);
  log.forEach((rec, i) => {
    expect(rec.macValid).toBe(true);
    expect(rec.record.eventType).toBe(EVENT_OPENED);
    expect(rec.record.sequence).toBe(1000 - log.length + 1 + i);
  });
});
