// Seeded generators for the lockbox protocol tests: POSIX TZ rules built from the grammar of
// protocol/SPEC.md Lockbox §7 together with the fields they mean (computed here from the grammar,
// not by the parser), mutated rule text, instants around DST transitions, and STATUS bodies.
import { Rng } from "../support/rng.ts";

/** One Mm.w.d/time transition as the spec defines it; time in seconds after local midnight. */
export interface Transition { month: number; week: number; weekday: number; time: number }

/** What a rule means: offsets as applied (local = UTC + offset), as protocol/time/tz.ts stores them. */
export interface RuleFields { stdOffset: number; dstOffset: number; hasDst: boolean; start: Transition; end: Transition }

export interface GeneratedRule { text: string; fields: RuleFields }

const LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const QUOTED = LETTERS + "0123456789+-";
/** Bytes a TZ rule is made of, for mutations that stay close to the grammar. */
export const RULE_ALPHABET = "MJ0123456789,.:/<>+-ACDESTaz ";

function chars(rng: Rng, from: string, n: number): string {
  let s = "";
  for (let i = 0; i < n; i++) s += from[rng.int(0, from.length - 1)];
  return s;
}

function zoneName(rng: Rng): string {
  return rng.int(0, 3) === 0 ? `<${chars(rng, QUOTED, rng.int(3, 6))}>` : chars(rng, LETTERS, rng.int(3, 6));
}

/** A number written with up to `width` digits (leading zeros allowed, as the parser accepts). */
function digits(rng: Rng, v: number, width: number): string {
  const s = String(v);
  return s.padStart(rng.int(s.length, width), "0");
}

/** [+-]hh[:mm[:ss]] with hh ≤ maxHours: its text and its signed value in seconds. */
function hms(rng: Rng, maxHours: number): { text: string; seconds: number } {
  const sign = rng.pick(["", "+", "-"]);
  const h = rng.int(0, 3) === 0 ? rng.int(0, maxHours) : rng.int(0, Math.min(maxHours, 14));
  let text = sign + digits(rng, h, 3);
  let seconds = h * 3600;
  if (rng.bool()) {
    const m = rng.pick([0, 30, 45, rng.int(0, 59)]);
    text += ":" + digits(rng, m, 2);
    seconds += m * 60;
    if (rng.int(0, 3) === 0) {
      const s = rng.int(0, 59);
      text += ":" + digits(rng, s, 2);
      seconds += s;
    }
  }
  return { text, seconds: sign === "-" ? -seconds : seconds };
}

function transition(rng: Rng): { text: string; t: Transition } {
  const t: Transition = { month: rng.int(1, 12), week: rng.int(1, 5), weekday: rng.int(0, 6), time: 7200 };
  let text = `M${digits(rng, t.month, 2)}.${t.week}.${t.weekday}`;
  if (rng.bool()) {
    const v = rng.int(0, 3) === 0 ? hms(rng, 167) : hms(rng, 3);
    text += "/" + v.text;
    t.time = v.seconds;
  }
  return { text, t };
}

/** A valid rule of at most 48 bytes and what it means. */
export function randomRule(rng: Rng): GeneratedRule {
  for (;;) {
    const std = hms(rng, 24);
    let text = zoneName(rng) + std.text;
    const fields: RuleFields = {
      stdOffset: -std.seconds | 0, dstOffset: -std.seconds | 0, hasDst: false,
      start: { month: 0, week: 0, weekday: 0, time: 0 }, end: { month: 0, week: 0, weekday: 0, time: 0 },
    };
    if (rng.int(0, 4) !== 0) {
      text += zoneName(rng);
      fields.dstOffset = -(std.seconds - 3600) | 0;
      if (rng.bool()) {
        const dst = hms(rng, 24);
        text += dst.text;
        fields.dstOffset = -dst.seconds | 0;
      }
      const a = transition(rng);
      const b = transition(rng);
      text += `,${a.text},${b.text}`;
      fields.hasDst = true;
      fields.start = a.t;
      fields.end = b.t;
    }
    if (text.length <= 48) return { text, fields };
  }
}

/** Real rules from the spec and the world's zones, always part of the mix. */
export const REAL_RULES = [
  "CST6CDT,M3.2.0,M11.1.0", "EST5EDT,M3.2.0,M11.1.0", "PST8PDT,M3.2.0,M11.1.0", "CET-1CEST,M3.5.0,M10.5.0/3",
  "AEST-10AEDT,M10.1.0,M4.1.0/3", "<-03>3", "MST7", "NZST-12NZDT,M9.5.0,M4.1.0/3", "<+1030>-10:30<+11>-11,M10.1.0,M4.1.0",
  "IST-1GMT0,M10.5.0,M3.5.0/1", "<-02>2<-01>,M3.5.0/-1,M10.5.0/0", "WGT3WGST,M3.5.0/-2,M10.5.0/-1",
];

/** A rule's text mutated: the shapes Rng.mutate makes, or a few grammar bytes swapped in. */
export function mutateRule(rng: Rng, text: string): Uint8Array {
  if (rng.bool()) return rng.mutate(ascii(text));
  const b = Array.from(ascii(text));
  for (let n = rng.int(1, 3); n > 0; n--) {
    const c = RULE_ALPHABET.charCodeAt(rng.int(0, RULE_ALPHABET.length - 1));
    const at = rng.int(0, b.length);
    if (rng.bool() && at < b.length) b[at] = c;
    else b.splice(at, 0, c);
  }
  return Uint8Array.from(b);
}

export function ascii(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

/** Seconds since the epoch of a day number (JS Date, independent of protocol/time/civil.ts). */
const DAY_MS = 86_400_000;

/** Day number of transition `t` in `year` (POSIX Mm.w.d: week 5 = last), from JS Date. */
export function transitionDay(t: Transition, year: number): number {
  const first = new Date(Date.UTC(year, t.month - 1, 1));
  const daysInMonth = new Date(Date.UTC(year, t.month, 0)).getUTCDate();
  let dom = 1 + ((t.weekday - first.getUTCDay() + 7) % 7) + (t.week - 1) * 7;
  while (dom > daysInMonth) dom -= 7;
  return first.getTime() / DAY_MS + dom - 1;
}

/**
 * Independent model of the offset in force (spec §7): the year is the one of local standard time;
 * DST runs from the start transition (in standard time) to the end transition (in daylight time),
 * wrapping over the new year when the end comes first.
 */
export function modelOffset(r: RuleFields, utc: number): number {
  if (!r.hasDst) return r.stdOffset;
  const year = new Date((utc + r.stdOffset) * 1000).getUTCFullYear();
  const start = transitionDay(r.start, year) * 86400 + r.start.time - r.stdOffset;
  const end = transitionDay(r.end, year) * 86400 + r.end.time - r.dstOffset;
  const dst = start < end ? utc >= start && utc < end : utc >= start || utc < end;
  return dst ? r.dstOffset : r.stdOffset;
}

/** Instants for a rule: uniform over the u32 clock, over 1971..2104, and within ±2 h of its transitions. */
export function instantsFor(rng: Rng, r: RuleFields, count: number): number[] {
  const out: number[] = [];
  while (out.length < count) {
    const kind = rng.int(0, 3);
    if (kind === 0) out.push(rng.u32());
    else if (kind === 1 || !r.hasDst) out.push(rng.int(31_536_000, 4_260_000_000));
    else {
      const t = rng.bool() ? r.start : r.end;
      const before = t === r.start ? r.stdOffset : r.dstOffset;
      const at = transitionDay(t, rng.int(1971, 2104)) * 86400 + t.time - before + rng.int(-7200, 7200);
      if (at >= 0 && at <= 0xffffffff) out.push(at);
    }
  }
  return out;
}

/** A valid 49-byte STATUS body (spec §6.1): random fields, trusted flag 0 or 1. */
export function randomStatusBody(rng: Rng): Uint8Array {
  const b = rng.bytes(49);
  b[14] = rng.int(0, 1);
  return b;
}

/** A valid CARD_STATUS body (protocol/SPEC.md Reader §2.2): flags 0/1, bit rate, ATR of 0..33 bytes. */
export function randomCardStatusBody(rng: Rng): Uint8Array {
  const atr = rng.bytes(rng.int(0, 4) === 0 ? rng.int(0, 33) : rng.int(10, 20));
  const b = new Uint8Array(7 + atr.length);
  b[0] = rng.int(0, 1);
  b[1] = rng.int(0, 1);
  new DataView(b.buffer).setUint32(2, rng.pick([0, 9600, 115_200, 250_000, rng.u32()]));
  b[6] = atr.length;
  b.set(atr, 7);
  return b;
}
