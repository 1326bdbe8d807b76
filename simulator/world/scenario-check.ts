/**
 * Validation of scenario files (protocol/SPEC.md Lockbox §8), complete before anything runs: every
 * field's name, type and range, the key syntax, hours, days, TZ rules and codes, reason and role
 * names, and every reference to a person or lockbox. The first problem is thrown as a
 * ScenarioError whose `path` names the field (`steps[3].visit.reason`), so `lockbox sim` can exit 2
 * with it before a lockbox is built.
 */
import "../portable.ts";
import { parseTzRule, TzRule } from "../../protocol/time/tz.ts";
import { reasonName } from "../../protocol/service/reasons.ts";
import { PIN_MIN_DIGITS, PIN_MAX_DIGITS } from "../../protocol/card/pin.ts";
import type { Scenario } from "./scenario.ts";

/** A scenario file that does not follow the format; `path` is the offending field ("" for the whole file). */
export class ScenarioError extends Error {
  override name = "ScenarioError";
  constructor(readonly path: string, problem: string) {
    super(path ? `${path}: ${problem}` : problem);
  }
}

/** Outcomes a visit may expect (spec §8). */
export const EXPECTATIONS = ["opened", "denied", "ready", "shackle"] as const;
/** Roles a person may have (spec §8). */
export const ROLES = ["agent", "listing-agent"] as const;
/** Actions a step may hold (spec §8). */
export const STEP_ACTIONS = ["say", "stage", "visit", "cars", "denylist", "wait"] as const;

/** Names of the denial reasons a visit may expect (protocol/SPEC.md Lockbox §5; "none" is success, not a reason). */
export function reasonNames(): string[] {
  const names: string[] = [];
  for (let code = 1; code < 256; code++) {
    const name = reasonName(code);
    if (name !== "") names.push(name);
  }
  return names;
}

const U32 = 0xffffffff;
type Check = (value: unknown, path: string) => void;

function fail(path: string, problem: string): never {
  throw new ScenarioError(path, problem);
}

function show(value: unknown): string {
  return value === undefined ? "nothing" : JSON.stringify(value);
}

/** Checks that `value` is an object with exactly the listed fields (required ones present); runs their checks. */
function object(value: unknown, path: string, required: Record<string, Check>, optional: Record<string, Check> = {}): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) fail(path, `must be an object, got ${show(value)}`);
  const fields = value as Record<string, unknown>;
  const known = [...Object.keys(required), ...Object.keys(optional)];
  const at = (key: string): string => (path ? `${path}.${key}` : key);
  for (const key of Object.keys(fields)) {
    if (!known.includes(key)) fail(at(key), `unknown field (${path || "a scenario"} has ${known.join(", ")})`);
  }
  for (const [key, check] of Object.entries(required)) {
    if (fields[key] === undefined) fail(at(key), "missing");
    check(fields[key], at(key));
  }
  for (const [key, check] of Object.entries(optional)) if (fields[key] !== undefined) check(fields[key], at(key));
  return fields;
}

function string(pattern?: RegExp, what?: string): Check {
  return (v, path) => {
    if (typeof v !== "string") fail(path, `must be a string, got ${show(v)}`);
    if (pattern && !pattern.test(v)) fail(path, `${what ?? `must match ${String(pattern)}`}, got ${show(v)}`);
  };
}

function integer(min: number, max: number): Check {
  return (v, path) => {
    if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) fail(path, `must be an integer ${min}..${max}, got ${show(v)}`);
  };
}

function number(min = -Infinity): Check {
  return (v, path) => {
    if (typeof v !== "number" || !Number.isFinite(v) || v < min) fail(path, `must be a number${min > -Infinity ? ` ≥ ${min}` : ""}, got ${show(v)}`);
  };
}

const boolean: Check = (v, path) => {
  if (typeof v !== "boolean") fail(path, `must be true or false, got ${show(v)}`);
};

function oneOf(values: readonly string[], what: string): Check {
  return (v, path) => {
    if (typeof v !== "string" || !values.includes(v)) fail(path, `unknown ${what} ${show(v)} (one of: ${values.map((x) => `"${x}"`).join(", ")})`);
  };
}

function array(item: Check): Check {
  return (v, path) => {
    if (!Array.isArray(v)) fail(path, `must be an array, got ${show(v)}`);
    v.forEach((x, i) => item(x, `${path}[${i}]`));
  };
}

const tzRule: Check = (v, path) => {
  string()(v, path);
  const text = new TextEncoder().encode(v as string);
  if (parseTzRule(text, 0, text.length, new TzRule()) < 0) fail(path, `not a POSIX TZ rule (e.g. "CST6CDT,M3.2.0,M11.1.0"), got ${show(v)}`);
};

const isoTime: Check = (v, path) => {
  string(/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/, "must be an ISO-8601 time such as \"2026-03-09T14:30:00Z\"")(v, path);
  if (!Number.isFinite(Date.parse(v as string))) fail(path, `not a valid time, got ${show(v)}`);
};

const hours: Check = (v, path) => {
  string(/^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/, "must be \"HH:MM-HH:MM\" (24-hour local time)")(v, path);
};

const days: Check = (v, path) => {
  const week = "SMTWTFS";
  string(/^.{7}$/, `must be 7 characters, "${week}" with "-" for closed days`)(v, path);
  [...(v as string)].forEach((ch, i) => {
    if (ch !== week[i] && ch !== "-") fail(path, `character ${i + 1} must be "${week[i]}" or "-", got ${show(v)}`);
  });
};

const code = string(/^\d{1,8}$/, "must be 1 to 8 digits");
const name = string(/\S/, "must be a non-empty name");
const keys = string(/^[0-9FEC ]*$/, "keys are digits, F (FUNC), E (ENT), C (CLR) and spaces");

const person: Check = (v, path) => {
  object(v, path, {
    name, serial: integer(0, U32), pin: string(new RegExp(`^\\d{${PIN_MIN_DIGITS},${PIN_MAX_DIGITS}}$`), `must be ${PIN_MIN_DIGITS} to ${PIN_MAX_DIGITS} digits`), expiresInDays: number(),
  }, { role: oneOf(ROLES, "role"), association: integer(0, U32) });
};

const lockbox: Check = (v, path) => {
  object(v, path, { id: integer(0, U32) }, { name, journalSectors: integer(2, 255), listing: string(/^\S{1,12}$/, "must be a ListingId of 1 to 12 characters without spaces") });
};

const visit: Record<string, Check> = { who: name, lockbox: integer(0, U32), keys };
const visitOptional: Record<string, Check> = { expect: oneOf(EXPECTATIONS, "outcome"), reason: oneOf(reasonNames(), "reason") };

const step: Check = (v, path) => {
  const s = object(v, path, {}, {
    say: string(),
    stage: (x, p) => object(x, p, { by: name, lockbox: integer(0, U32), version: integer(1, U32) }, { hours, days, tz: tzRule, cbs: code, shackle: code, privacy: boolean }),
    visit: (x, p) => object(x, p, visit, visitOptional),
    cars: (x, p) => object(x, p, { who: name, lockbox: integer(0, U32) }, { then: keys, expect: oneOf(EXPECTATIONS, "outcome") }),
    denylist: (x, p) => object(x, p, { by: name, version: integer(1, U32), revoke: array(name) }),
    wait: number(0),
  });
  if (Object.keys(s).length === 0) fail(path, `an empty step (give one or more of ${STEP_ACTIONS.join(", ")})`);
};

/** Checks a parsed scenario file completely; returns it typed, or throws ScenarioError naming the first bad field. */
export function validateScenario(input: unknown): Scenario {
  object(input, "", { title: string(), start: isoTime, association: (v, p) => object(v, p, { id: integer(0, U32) }, { tz: tzRule, carsPerMonth: integer(0, 255), carsConsecutiveDays: integer(0, 255) }), people: array(person), lockboxes: array(lockbox), steps: array(step) }, { renewal: (v, p) => object(v, p, { who: name }) });
  const s = input as Scenario;

  // References: every name and lockbox id a step or the renewal uses exists, and none is defined twice.
  const people = new Map<string, number>();
  s.people.forEach((p, i) => {
    if (people.has(p.name)) fail(`people[${i}].name`, `"${p.name}" is already people[${people.get(p.name)}]`);
    people.set(p.name, i);
  });
  const boxes = new Map<number, number>();
  s.lockboxes.forEach((b, i) => {
    if (boxes.has(b.id)) fail(`lockboxes[${i}].id`, `${b.id} is already lockboxes[${boxes.get(b.id)}]`);
    boxes.set(b.id, i);
  });
  const personAt = (who: string, path: string): void => {
    if (!people.has(who)) fail(path, `no person "${who}" (people: ${[...people.keys()].join(", ")})`);
  };
  const boxAt = (id: number, path: string): void => {
    if (!boxes.has(id)) fail(path, `no lockbox ${id} (lockboxes: ${[...boxes.keys()].join(", ")})`);
  };
  s.steps.forEach((st, i) => {
    const at = `steps[${i}]`;
    if (st.visit) { personAt(st.visit.who, `${at}.visit.who`); boxAt(st.visit.lockbox, `${at}.visit.lockbox`); }
    if (st.cars) { personAt(st.cars.who, `${at}.cars.who`); boxAt(st.cars.lockbox, `${at}.cars.lockbox`); }
    if (st.stage) { personAt(st.stage.by, `${at}.stage.by`); boxAt(st.stage.lockbox, `${at}.stage.lockbox`); }
    if (st.denylist) {
      personAt(st.denylist.by, `${at}.denylist.by`);
      st.denylist.revoke.forEach((who, j) => personAt(who, `${at}.denylist.revoke[${j}]`));
    }
  });
  if (s.renewal) {
    personAt(s.renewal.who, "renewal.who");
    const who = s.people[people.get(s.renewal.who)!];
    if ((who.association ?? s.association.id) !== s.association.id) fail("renewal.who", `"${who.name}" is not of association ${s.association.id}: only its members renew at its server`);
  }
  return s;
}
