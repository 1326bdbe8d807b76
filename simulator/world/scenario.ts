/**
 * Scenario files (issue 5 "lockbox sim"): devices, people and steps in JSON, run against simulated
 * lockboxes with a narration of what each person does and what each box shows. A seed makes the
 * run reproducible. Every step may state what it expects; the run reports any that did not happen.
 * Format: protocol/SPEC.md Lockbox §8
 */
import "../portable.ts";
import { readFileSync } from "node:fs";
import type { KeyObject } from "node:crypto";
import { ScenarioError, validateScenario } from "./scenario-check.ts";
import { SimAssociation, type CardHolder } from "./association.ts";
import { SimLockbox } from "./lockbox.ts";
import * as L from "../../protocol/card/layouts.ts";
import { parseTzRule, TzRule, utcToLocal, localDay } from "../../protocol/time/tz.ts";
import { EVENT_DENIED, EVENT_CARS_APPLIED } from "../../protocol/card/records.ts";
import { reasonName } from "../../protocol/service/reasons.ts";
import type { DeviceEvent } from "../host/host.ts";
import { stagedSettings } from "../server/settings.ts";

/** A person of a scenario (spec §8). */
export interface ScenarioPerson {
  name: string;
  serial: number;
  pin: string;
  role?: "agent" | "listing-agent";
  /** Days from the start until the card expires (negative: already expired). */
  expiresInDays: number;
  /** Association id when not the scenario's. */
  association?: number;
}

/** `stage` step: settings staged on a card by the back end (spec §8). */
export interface StageStep { by: string; lockbox: number; version: number; hours?: string; days?: string; tz?: string; cbs?: string; shackle?: string; privacy?: boolean }
/** `visit` step: insert, type, remove (spec §8). */
export interface VisitStep { who: string; lockbox: number; keys: string; expect?: Expectation; reason?: string }
/** `cars` step: a CARS code asked for and keyed (spec §8). */
export interface CarsStep { who: string; lockbox: number; then?: string; expect?: Expectation }
/** `denylist` step: a signed denylist written onto a card (spec §8). */
export interface DenylistStep { by: string; version: number; revoke: string[] }
/** What a step expects the box to do. */
export type Expectation = "opened" | "denied" | "ready" | "shackle";

/** One step; one or more actions (spec §8). */
export interface ScenarioStep {
  say?: string;
  stage?: StageStep;
  visit?: VisitStep;
  cars?: CarsStep;
  denylist?: DenylistStep;
  /** Minutes of simulated time. */
  wait?: number;
}

/** `renewal`: who renews at a card reader after the narration (`lockbox start`, spec §8). */
export interface RenewalPart { who: string }

/** A scenario file (protocol/SPEC.md Lockbox §8). */
export interface Scenario {
  title: string;
  /** ISO-8601 UTC start time. */
  start: string;
  /** `tz`: POSIX TZ rule of the narration's local times (default UTC; a staged rule replaces it). */
  association: { id: number; tz?: string; carsPerMonth?: number; carsConsecutiveDays?: number };
  people: ScenarioPerson[];
  /** `listing`: the ListingId the back end has the box on from the start (`lockbox start`). */
  lockboxes: { id: number; name?: string; journalSectors?: number; listing?: string }[];
  steps: ScenarioStep[];
  renewal?: RenewalPart;
}

/** What one visit did: the outcome and the last audit record the lockbox wrote for it. */
export interface VisitOutcome {
  who: string;
  lockbox: number;
  outcome: Expectation;
  /** Lockbox sequence and UTC of that record (0 when the box wrote none). */
  sequence: number;
  utc: number;
}

/** Where CARS codes come from when not from the association's key directly (`lockbox start`: the server). */
export interface CarsIssuer {
  /** Shown in the narration, e.g. "POST /api/cars". */
  label: string;
  /** Today's code for the card, or throws with the refusal. */
  issue(holder: CardHolder, utc: number): Promise<string>;
}

/** A CarsIssuer's answer for one step: the code, or the refusal. */
interface IssuedCode {
  code?: string;
  refused?: string;
  label: string;
}

/** One narrated line; `failed` marks an expectation that did not hold. */
export interface NarrationLine {
  at: number;
  text: string;
  failed?: boolean;
}

export { ScenarioError, validateScenario } from "./scenario-check.ts";

/** Reads a scenario file and validates it completely (scenario-check.ts); throws ScenarioError. */
export function loadScenario(path: string): Scenario {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new ScenarioError("", (e as Error).message);
  }
  return validateScenario(parsed);
}

const LIGHT_NAMES: [number, string][] = [[1, "CODE"], [2, "READY"], [4, "ERROR"], [8, "DND"]];

function lightsText(steady: number, flashing: number): string {
  const names = (mask: number): string[] => LIGHT_NAMES.filter(([bit]) => (mask & bit) !== 0).map(([, n]) => n);
  const parts = [...names(steady), ...names(flashing).map((n) => `${n} flashing`)];
  return parts.length ? parts.join(" + ") : "no lights";
}

function parseHours(text: string): [number, number] {
  const m = /^(\d\d):(\d\d)-(\d\d):(\d\d)$/.exec(text);
  if (!m) throw new Error(`hours must look like 08:00-20:00, got '${text}'`);
  return [+m[1] * 60 + +m[2], +m[3] * 60 + +m[4]];
}

/** A world built from a scenario: associations, people's cards, lockboxes. */
export class ScenarioWorld {
  readonly assoc: SimAssociation;
  readonly people = new Map<string, CardHolder & { associationId: number }>();
  readonly boxes = new Map<number, SimLockbox & { label: string }>();
  readonly lines: NarrationLine[] = [];
  readonly visits: VisitOutcome[] = [];
  private readonly others = new Map<number, SimAssociation>();
  private tz = new TzRule();

  /**
   * `firmware`: the boxes get an update partition trusting that key and boot through the boot code
   * (SimLockbox `firmware`), so `lockbox update` can install signed images on them.
   */
  constructor(readonly scenario: Scenario, readonly seed: number, private readonly onLine?: (l: NarrationLine) => void, onEvent?: (box: number, e: DeviceEvent) => void,
    firmware?: { key: KeyObject; version?: string }) {
    const start = Date.parse(scenario.start) / 1000;
    if (!Number.isFinite(start)) throw new Error(`start '${scenario.start}' is not an ISO-8601 time`);
    this.assoc = new SimAssociation(scenario.association.id, seed);
    if (scenario.association.tz) {
      const text = new TextEncoder().encode(scenario.association.tz);
      if (parseTzRule(text, 0, text.length, this.tz) < 0) throw new Error(`association TZ rule '${scenario.association.tz}' does not parse`);
    }
    for (const p of scenario.people) {
      const aid = p.association ?? scenario.association.id;
      let a = this.assoc;
      if (aid !== this.assoc.id) {
        if (!this.others.has(aid)) this.others.set(aid, new SimAssociation(aid, seed + aid));
        a = this.others.get(aid)!;
      }
      const roles = p.role === "listing-agent" ? L.ROLE_AGENT | L.ROLE_LISTING_AGENT : L.ROLE_AGENT;
      this.people.set(p.name, { ...a.issue(p.name, p.serial, p.pin, start + Math.round(p.expiresInDays * 86400), roles), associationId: aid });
    }
    for (const b of scenario.lockboxes) {
      const box = new SimLockbox(this.assoc, {
        lockboxId: b.id, utc: start, seed: seed ^ b.id, journalSectors: b.journalSectors,
        carsPerMonth: scenario.association.carsPerMonth, carsConsecutiveDays: scenario.association.carsConsecutiveDays,
        onEvent: onEvent ? (e) => onEvent(b.id, e) : undefined, firmware,
      }) as SimLockbox & { label: string };
      box.label = b.name ?? `lockbox ${b.id}`;
      this.boxes.set(b.id, box);
    }
  }

  /** UTC now by the first box's RTC: the world's clock. */
  utc(): number {
    return this.boxes.values().next().value?.utc() ?? Date.parse(this.scenario.start) / 1000;
  }

  private say(text: string, failed = false): void {
    const line: NarrationLine = { at: this.utc(), text, failed: failed || undefined };
    this.lines.push(line);
    this.onLine?.(line);
  }

  private person(name: string): CardHolder & { associationId: number } {
    const p = this.people.get(name);
    if (!p) throw new Error(`no person '${name}' in the scenario`);
    return p;
  }

  private box(id: number): SimLockbox & { label: string } {
    const b = this.boxes.get(id);
    if (!b) throw new Error(`no lockbox ${id} in the scenario`);
    return b;
  }

  /** Local wall time of the first box for the narration. */
  clock(t: number): string {
    const local = utcToLocal(this.tz, t >>> 0);
    return new Date(local * 1000).toISOString().slice(0, 16).replace("T", " ");
  }

  private visit(v: VisitStep, what: string): void {
    const box = this.box(v.lockbox);
    const who = this.person(v.who);
    const log = box.auditLog();
    const before = log.length > 0 ? log[log.length - 1].record.sequence : 0;
    box.host.drainEvents();
    box.insert(who);
    box.type(v.keys);
    const events = box.host.drainEvents();
    const { steady, flashing } = box.host.lights;
    box.remove();
    const fresh = box.auditLog().filter((r) => r.record.sequence > before);
    const last = fresh.length > 0 ? fresh[fresh.length - 1] : undefined;
    let outcome: Expectation;
    let text: string;
    const releases = SimLockbox.releases(events);
    if (releases.includes(0)) {
      outcome = "opened";
      text = `key compartment released (${lightsText(steady, flashing)})`;
    } else if (releases.includes(1)) {
      outcome = "shackle";
      text = `shackle released (${lightsText(steady, flashing)})`;
    } else if (last && last.record.eventType === EVENT_DENIED) {
      outcome = "denied";
      text = `refused: ${reasonName(last.record.reason)} (${lightsText(steady, flashing)})`;
    } else {
      outcome = "ready";
      const did = last?.record.eventType === EVENT_CARS_APPLIED ? "CARS extension applied" : "done";
      text = `${did} (${lightsText(steady, flashing)})`;
    }
    const reasonOk = v.reason === undefined || (last !== undefined && reasonName(last.record.reason) === v.reason);
    const ok = (v.expect === undefined || v.expect === outcome) && reasonOk;
    this.visits.push({ who: v.who, lockbox: v.lockbox, outcome, sequence: last?.record.sequence ?? 0, utc: last?.record.utc ?? 0 });
    this.say(`${v.who} ${what} at ${box.label}: ${text}${ok ? "" : `  ✗ expected ${v.expect}${v.reason ? ` (${v.reason})` : ""}`}`, !ok);
  }

  /** `issued`: the code from a CarsIssuer, or its refusal; absent: computed under the association's key. */
  private cars(c: CarsStep, issued?: IssuedCode): void {
    const who = this.person(c.who);
    const box = this.box(c.lockbox);
    if (issued?.refused !== undefined) {
      this.say(`${c.who} asks the back end for a CARS code (${issued.label}): refused, ${issued.refused}`, c.expect !== undefined);
      return;
    }
    let code = issued?.code;
    if (code === undefined) {
      const auth = this.assoc.readAuthorization(who);
      code = this.assoc.carsCode(who.serial, localDay(this.tz, box.utc() >>> 0), auth.carsLastSequence + 1);
    }
    this.say(`${c.who} asks the back end for a CARS code (card ${who.serial}, PIN${issued ? `; ${issued.label}` : ""}): ${code}`);
    const visit: VisitStep = { who: c.who, lockbox: c.lockbox, keys: `F0${code}E${c.then ?? ""}`, expect: c.expect };
    this.visit(visit, c.then ? "keys FUNC 0 and the code, then the PIN" : "keys FUNC 0 and the code");
  }

  private stage(s: StageStep): void {
    const [startMinute, endMinute] = s.hours ? parseHours(s.hours) : [0, 1439];
    for (const code of [s.cbs, s.shackle]) if (code !== undefined && !/^\d{1,8}$/.test(code)) throw new Error(`codes are 1..8 digits, got '${code}'`);
    if (s.tz) {
      const text = new TextEncoder().encode(s.tz);
      if (parseTzRule(text, 0, text.length, this.tz) < 0) throw new Error(`TZ rule '${s.tz}' does not parse`);
    }
    const st = stagedSettings(s.lockbox, s.version, {
      dayMask: s.days ? [...s.days].reduce((m, ch, i) => (ch === "-" ? m : m | (1 << i)), 0) : 0x7f, startMinute, endMinute,
      cbsRequired: s.cbs !== undefined, cbsCode: s.cbs ?? "", privacyMode: s.privacy ?? false, privacyCode: "", shackleCode: s.shackle ?? "", tzRule: s.tz ?? "",
    });
    this.assoc.stageSettings(this.person(s.by), st);
    this.say(`The back end stages settings v${s.version} for lockbox ${s.lockbox} on ${s.by}'s card (hours ${s.hours ?? "all day"}${s.tz ? `, ${s.tz}` : ""}).`);
  }

  private denylist(d: DenylistStep): void {
    const entries = d.revoke.map((n): [number, number] => [this.person(n).serial, this.utc() + 30 * 86400]);
    this.assoc.pushDenylist(this.person(d.by), d.version, entries);
    this.say(`The back end revokes ${d.revoke.join(", ")}; ${d.by}'s card carries denylist v${d.version} to the boxes it visits.`);
  }

  private step(step: ScenarioStep, issued?: IssuedCode): void {
    if (step.say) this.say(step.say);
    if (step.stage) this.stage(step.stage);
    if (step.visit) this.visit(step.visit, `inserts the card and keys ${step.visit.keys.replace(/F/g, " FUNC ").replace(/E/g, " ENT").trim()}`);
    if (step.cars) this.cars(step.cars, issued);
    if (step.denylist) this.denylist(step.denylist);
    if (step.wait) {
      for (const b of this.boxes.values()) b.host.advance(step.wait * 60_000);
      this.say(`… ${step.wait} minutes pass.`);
    }
  }

  private failures(): number {
    return this.lines.filter((l) => l.failed).length;
  }

  /** Runs every step; returns the number of expectations that failed. */
  run(): number {
    this.say(this.scenario.title);
    for (const step of this.scenario.steps) this.step(step);
    return this.failures();
  }

  /**
   * Runs every step with the CARS codes from `issuer` (asked at the start of the step that keys
   * one, at the world's time); returns the number of expectations that failed.
   */
  async runWith(issuer: CarsIssuer): Promise<number> {
    this.say(this.scenario.title);
    for (const step of this.scenario.steps) {
      let issued: IssuedCode | undefined;
      if (step.cars) {
        try {
          issued = { code: await issuer.issue(this.person(step.cars.who), this.utc()), label: issuer.label };
        } catch (e) {
          issued = { refused: (e as Error).message, label: issuer.label };
        }
      }
      this.step(step, issued);
    }
    return this.failures();
  }
}
