// Crash safety of the lockbox flash (docs/ARCHITECTURE.md §6): power is cut before every flash write of an
// access, a CARS renewal and a settings update; after reboot the log is intact (every record's
// CRC and MAC verify, sequences strictly increasing, nothing accepted before the cut is lost), the
// settings are the old or the new ones and the log agrees, and the box works on.
import { describe, it, expect } from "vitest";
import { world, attempt, settings, applySettings, utc, type World } from "./support.ts";
import { icuLocalDay, specCarsCode } from "../support/oracles.ts";
import { SimLockbox, type LoggedRecord } from "../../simulator/world/lockbox.ts";
import type { CardHolder } from "../../simulator/world/association.ts";
import * as L from "../../protocol/card/layouts.ts";
import { EVENT_OPENED, EVENT_CARS_APPLIED, EVENT_SETTINGS_APPLIED } from "../../protocol/card/records.ts";
import * as R from "../../protocol/service/reasons.ts";

const T0 = utc(2026, 3, 2, 15);
const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

interface Case {
  name: string;
  /** Flash writes the operation is known to make (erase + program, or the A/B store's erase + program + log). */
  minWrites: number;
  /** A world ready for the operation (with some history in the log). */
  prepare(): World & { extra: CardHolder };
  operation(w: World & { extra: CardHolder }): void;
  /** Checks after reboot, given whether the operation's effect shows. */
  check(w: World & { extra: CardHolder }, before: LoggedRecord[], released: boolean): void;
}

/** Past accesses; 64 puts the next record at the start of the second journal sector (erase + program). */
function history(w: World, n = 3): void {
  for (let i = 0; i < n; i++) {
    attempt(w.box, w.alice, "1234E");
    w.box.remove();
  }
}

const cases: Case[] = [
  {
    name: "an access (card + PIN) that starts a new journal sector",
    minWrites: 2,
    prepare() {
      const w = world(T0, { journalSectors: 2 });
      history(w, 64);
      return { ...w, extra: w.alice };
    },
    operation(w) {
      attempt(w.box, w.alice, "1234E");
    },
    check(w, before, released) {
      const opened = w.box.auditLog().filter((r) => r.record.eventType === EVENT_OPENED);
      // Released only after its record was accepted.
      if (released) expect(opened.length).toBe(before.filter((r) => r.record.eventType === EVENT_OPENED).length + 1);
    },
  },
  {
    name: "a CARS renewal",
    minWrites: 1,
    prepare() {
      const w = world(T0, { journalSectors: 2 });
      history(w);
      return { ...w, extra: w.assoc.issue("Exp", 1010, "2468", T0 - 60) };
    },
    operation(w) {
      const code = specCarsCode(w.assoc.carsKey(), 1010, icuLocalDay(w.box.utc(), "UTC"), 1);
      attempt(w.box, w.extra, `F0${code}E`);
    },
    check(w) {
      // The card's state and the box log may differ by the cut (the card commits first); the log stays valid.
      const cars = w.box.auditLog().filter((r) => r.record.eventType === EVENT_CARS_APPLIED);
      expect(cars.length).toBeLessThanOrEqual(1);
    },
  },
  {
    name: "a settings update (privacy mode staged on the owner's card)",
    minWrites: 5,
    prepare() {
      const w = world(T0, { journalSectors: 2 });
      history(w);
      applySettings(w, settings({ version: 2, startMinute: 0, endMinute: 1439 }));
      w.assoc.stageSettings(w.owner, settings({ version: 3, flags: L.SETTINGS_PRIVACY_MODE }));
      return { ...w, extra: w.owner };
    },
    operation(w) {
      w.box.insert(w.owner);
    },
    check(w) {
      const applied3 = w.box.auditLog().filter((r) => r.record.eventType === EVENT_SETTINGS_APPLIED && new DataView(r.record.payload.buffer).getUint32(0) === 3);
      const o = attempt(w.box, w.alice, "1234E");
      w.box.remove();
      const privacy = w.box.auditLog().at(-1).record.reason === R.REASON_PRIVACY;
      expect(o.released.length === 0).toBe(privacy);
      // Settings and log agree: version 3 is in force exactly when its "applied" record is logged, once.
      expect(applied3.length).toBe(privacy ? 1 : 0);
    },
  },
];

describe("power cut before every flash write", () => {
  for (const c of cases) {
    it(c.name, () => {
      const probe = c.prepare();
      const w0 = probe.box.host.flash.writes;
      c.operation(probe);
      const writes = probe.box.host.flash.writes - w0;
      expect(writes).toBeGreaterThanOrEqual(c.minWrites);
      for (let k = 1; k <= writes; k++) {
        const w = c.prepare();
        const before = w.box.auditLog();
        w.box.host.flash.cutPowerBeforeWrite(k);
        c.operation(w);
        expect(w.box.host.running, `cut ${k} of ${writes}`).toBe(false);
        const released = SimLockbox.releases(w.box.host.events).length > 0;
        w.box.host.removeCard();
        w.box.host.boot();
        expect(w.box.host.running).toBe(true);
        // A settings update the cut interrupted is completed by the owner's card next time.
        const after = w.box.auditLog();
        for (const r of after) expect(r.macValid, `cut ${k}: record ${r.record.sequence}`).toBe(true);
        for (let i = 1; i < after.length; i++) expect(after[i].record.sequence).toBeGreaterThan(after[i - 1].record.sequence);
        const kept = new Set(after.map((r) => hex(r.bytes)));
        for (const r of before) expect(kept.has(hex(r.bytes)), `cut ${k}: lost record ${r.record.sequence}`).toBe(true);
        c.check(w, before, released);
        // The box works on, and never reuses a sequence number.
        const o = attempt(w.box, w.alice, "1234E");
        w.box.remove();
        const last = w.box.auditLog().at(-1);
        expect(last.record.sequence).toBeGreaterThan(Math.max(...after.map((r) => r.record.sequence)));
        expect(o.released.length + (last.record.eventType === EVENT_OPENED ? 0 : 1)).toBe(1);
      }
    });
  }
});
