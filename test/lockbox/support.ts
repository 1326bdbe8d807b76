// Shared helpers of the lockbox scenario tests: a small world, local-time computations (ICU, not the
// code under test), and outcome checks. CARS codes and local days come from ../support/oracles.ts.
import { SimAssociation, type CardHolder } from "../../simulator/world/association.ts";
import { SimLockbox, type LockboxOptions } from "../../simulator/world/lockbox.ts";
import * as L from "../../protocol/card/layouts.ts";
import type { DeviceEvent } from "../../simulator/host/host.ts";

export const CHICAGO = "CST6CDT,M3.2.0,M11.1.0";
export const utc = (y: number, mo: number, d: number, h = 0, mi = 0): number => Date.UTC(y, mo - 1, d, h, mi) / 1000;

/** UTC seconds of a wall-clock time in America/Chicago (ICU), for times that exist once. */
export function chicago(y: number, mo: number, d: number, h: number, mi = 0): number {
  const guess = utc(y, mo, d, h, mi);
  for (const offsetH of [5, 6]) {
    const t = guess + offsetH * 3600;
    const f = new Intl.DateTimeFormat("en-US", { timeZone: "America/Chicago", hourCycle: "h23", hour: "numeric", minute: "numeric", day: "numeric" });
    const p = Object.fromEntries(f.formatToParts(new Date(t * 1000)).map((x) => [x.type, x.value]));
    if (+p.hour === h && +p.minute === mi && +p.day === d) return t;
  }
  throw new Error("no such Chicago time");
}

export interface World {
  assoc: SimAssociation;
  box: SimLockbox;
  alice: CardHolder;
  owner: CardHolder;
}

/** An association (id 257), a box (5001), agent Alice (PIN 1234) and listing agent Olivia (PIN 5678). */
export function world(t0: number, opts: Partial<LockboxOptions> = {}): World {
  const assoc = new SimAssociation(257, 7);
  const alice = assoc.issue("Alice", 1001, "1234", t0 + 30 * 86400);
  const owner = assoc.issue("Olivia", 1002, "5678", t0 + 30 * 86400, L.ROLE_AGENT | L.ROLE_LISTING_AGENT);
  const box = new SimLockbox(assoc, { lockboxId: 5001, utc: t0, ...opts });
  return { assoc, box, alice, owner };
}

export function settings(patch: Partial<L.Settings> & { tz?: string; cbs?: string; shackle?: string }): L.Settings {
  const s = new L.Settings();
  s.lockboxId = 5001;
  s.version = patch.version ?? 1;
  s.dayMask = patch.dayMask ?? 0x7f;
  s.startMinute = patch.startMinute ?? 0;
  s.endMinute = patch.endMinute ?? 1439;
  s.flags = patch.flags ?? 0;
  const code = (digits: string | undefined): Uint8Array => {
    const out = new Uint8Array(4).fill(0xff);
    for (let i = 0; i < (digits ?? "").length; i++) {
      const d = digits!.charCodeAt(i) - 48;
      out[i >> 1] = i % 2 === 0 ? (d << 4) | 0x0f : (out[i >> 1] & 0xf0) | d;
    }
    return out;
  };
  s.cbsCode = code(patch.cbs);
  s.shackleCode = code(patch.shackle);
  s.privacyCode = code(undefined);
  s.tzRule = new Uint8Array(48);
  s.tzRule.set(new TextEncoder().encode(patch.tz ?? ""));
  return s;
}

/** Stages settings on the owner's card and inserts it so the box applies them. */
export function applySettings(w: World, s: L.Settings): void {
  w.assoc.stageSettings(w.owner, s);
  w.box.insert(w.owner);
  w.box.remove();
}

export interface Outcome {
  released: number[];
  steady: number;
  flashing: number;
  events: DeviceEvent[];
}

/** Inserts a card, types the keys, and reports what the box did (the card stays in). */
export function attempt(box: SimLockbox, holder: CardHolder, keys: string): Outcome {
  box.host.drainEvents();
  box.insert(holder);
  box.type(keys);
  const events = box.host.drainEvents();
  return { released: SimLockbox.releases(events), steady: box.host.lights.steady, flashing: box.host.lights.flashing, events };
}
