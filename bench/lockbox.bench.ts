// Lockbox (issue 5 "Bench"): card insert → compartment release in simulated time against the
// wire-time lower bound of the bytes on the card link; simulated accesses per host second (and the
// 100,000-access endurance run: 5,000 with --quick); the size of build/lockbox.wasm.
import { statSync } from "node:fs";
import { consume, type BenchGroup } from "../tools/lib/bench.ts";
import { Progress } from "../tools/lib/progress.ts";
import { SimAssociation } from "../simulator/world/association.ts";
import { SimLockbox, LOCKBOX_WASM, SECTOR_SIZE, JOURNAL_SLOT } from "../simulator/world/lockbox.ts";
import { runEndurance } from "../simulator/world/endurance.ts";

const quick = process.argv.includes("--quick");
const T0 = Date.UTC(2026, 2, 2, 15) / 1000;

function setup() {
  const assoc = new SimAssociation(257, 3);
  const alice = assoc.issue("Alice", 1001, "1234", T0 + 365 * 86400);
  const eve = new SimAssociation(300, 4).issue("Eve", 2001, "1111", T0 + 365 * 86400);
  const box = new SimLockbox(assoc, { lockboxId: 5001, utc: T0, journalSectors: 4 });
  return { alice, eve, box };
}

/** One opening, timing only the firmware's work and the card link: insertion, then PIN ENT. */
function measuredOpening(box: SimLockbox, alice: ReturnType<typeof setup>["alice"]) {
  const h = box.host;
  const link0 = { ...h.cardLink };
  const t0 = h.micros;
  box.insert(alice);
  const inserted = h.micros - t0;
  box.type("1234", 300);
  const t1 = h.micros;
  box.type("E", 0);
  const entered = h.micros - t1;
  const released = SimLockbox.releases(h.drainEvents()).includes(0);
  box.remove();
  return {
    released,
    simMicros: inserted + entered,
    lowerBoundMicros: h.cardLink.lowerBoundMicros - link0.lowerBoundMicros,
    bytes: h.cardLink.bytes - link0.bytes,
  };
}

export function groups(): BenchGroup[] {
  const w = setup();
  return [
    {
      title: "lockbox: card insert → compartment release (simulated time, PIN typing excluded)",
      metrics: () => {
        const { box, alice } = setup();
        const m = measuredOpening(box, alice);
        if (!m.released) throw new Error("the bench opening did not open");
        return [
          { name: "insert → release, simulated", value: m.simMicros / 1000, unit: "ms" },
          { name: "wire-time lower bound of the card link", value: m.lowerBoundMicros / 1000, unit: "ms", note: `${m.bytes} bytes at 12 ETU each, rate after PPS` },
          { name: "simulated / lower bound", value: m.simMicros / m.lowerBoundMicros, unit: "×" },
          { name: "rest: card processing and link waits", value: (m.simMicros - m.lowerBoundMicros) / 1000, unit: "ms", note: "the card emulator models EEPROM commit time" },
        ];
      },
    },
    {
      title: "lockbox: simulated accesses per host second",
      baselines: ["card + PIN, opens"],
      cases: [
        {
          name: "card + PIN, opens",
          fn: () => {
            w.box.insert(w.alice);
            w.box.type("1234E", 100);
            consume(w.box.host.lights.steady);
            w.box.remove();
          },
        },
        {
          name: "other association, refused at once",
          fn: () => {
            w.box.insert(w.eve);
            consume(w.box.host.lights.steady);
            w.box.remove();
          },
        },
      ],
      metrics: () => {
        const n = quick ? 5_000 : 100_000;
        const progress = new Progress("endurance", n);
        const r = runEndurance(n, 2, (done) => progress.update(done));
        progress.done();
        if (r.opened !== n || !r.box.host.running) throw new Error("endurance run: not every access opened");
        return [
          { name: `endurance: ${n} accesses`, value: r.accessesPerHostSecond, unit: "accesses/s", note: `${r.hostSeconds.toFixed(1)} s host time, log wrapped ${Math.floor(n / ((r.box.journalSectors * SECTOR_SIZE) / JOURNAL_SLOT))}×` },
          { name: "firmware memory high-water growth over the run", value: r.highWaterEnd - r.highWaterStart, unit: "bytes", note: `high-water ${r.highWaterEnd} of ${r.memoryBytes}` },
        ];
      },
    },
    {
      title: "lockbox: footprint",
      metrics: () => [{ name: "build/lockbox.wasm", value: statSync(LOCKBOX_WASM).size, unit: "bytes", note: "budget 65,536" }],
    },
  ];
}
