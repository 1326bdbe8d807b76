// Scenario files are validated completely before anything runs (issue 10 item 7; protocol/SPEC.md
// Lockbox §8): an unknown or misspelt field, a wrong type, a negative wait, an unknown reason or
// role are refused with the path of the field, and `lockbox sim` exits 2 without building a box.
// Reason names are the ones SPEC.md Lockbox §5 lists, read from SPEC.md itself.
import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { validateScenario, ScenarioError, reasonNames } from "../../simulator/world/scenario-check.ts";
import { reasonName } from "../../protocol/service/reasons.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const DEFAULT = join(root, "simulator", "world", "scenarios", "showing.json");
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- scenario JSON edited freely to break it
const good = (): Json => JSON.parse(readFileSync(DEFAULT, "utf8")) as Json;

/** Index of the n-th step (from 0) holding `action` in scenario `s`. */
function stepIndex(s: Json, action: string, n = 0): number {
  const found = (s.steps as Json[]).map((st, i) => (action in st ? i : -1)).filter((i) => i >= 0);
  if (n >= found.length) throw new Error(`the default scenario has no ${action} step #${n}`);
  return found[n];
}
const d = good();
const VISIT = stepIndex(d, "visit");
const STAGE = stepIndex(d, "stage");
const WAIT = stepIndex(d, "wait");
const DENYLIST = stepIndex(d, "denylist");
const REASON = (d.steps as Json[]).findIndex((st) => st.visit?.reason !== undefined);

/** The path ScenarioError names for `edit` applied to the default scenario. */
function refusal(edit: (s: Json) => void): { path: string; message: string } {
  const s = good();
  edit(s);
  try {
    validateScenario(s);
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioError);
    return { path: (e as ScenarioError).path, message: (e as Error).message };
  }
  throw new Error("the scenario was accepted");
}

describe("validateScenario: every field, with its path", () => {
  it("accepts the default scenario", () => {
    expect(() => validateScenario(good())).not.toThrow();
  });

  it.each([
    ["an unknown top-level field", (s: Json) => { s.titel = "x"; }, "titel", /unknown field/],
    ["a misspelt field of a visit", (s: Json) => { s.steps[VISIT].visit.expct = "opened"; delete s.steps[VISIT].visit.expect; }, `steps[${VISIT}].visit.expct`, /unknown field/],
    ["a misspelt action", (s: Json) => { s.steps[STAGE] = { stge: s.steps[STAGE].stage }; }, `steps[${STAGE}].stge`, /unknown field/],
    ["a misspelt person field", (s: Json) => { s.people[0].expiresIndays = 3; }, "people[0].expiresIndays", /unknown field/],
    ["a missing required field", (s: Json) => { delete s.people[1].pin; }, "people[1].pin", /missing/],
    ["a serial given as a string", (s: Json) => { s.people[1].serial = "1001"; }, "people[1].serial", /must be an integer 0\.\.4294967295, got "1001"/],
    ["a lockbox id out of range", (s: Json) => { s.lockboxes[0].id = -5; }, "lockboxes[0].id", /must be an integer/],
    ["a negative wait", (s: Json) => { s.steps[WAIT].wait = -45; }, `steps[${WAIT}].wait`, /must be a number ≥ 0, got -45/],
    ["a wait given as text", (s: Json) => { s.steps[WAIT].wait = "45"; }, `steps[${WAIT}].wait`, /must be a number/],
    ["an unknown reason (not a SPEC name)", (s: Json) => { s.steps[REASON].visit.reason = "wrong pin"; }, `steps[${REASON}].visit.reason`, /unknown reason "wrong pin" \(one of: .*"wrong PIN"/],
    ["an unknown role", (s: Json) => { s.people[0].role = "broker"; }, "people[0].role", /unknown role "broker" \(one of: "agent", "listing-agent"\)/],
    ["an unknown expectation", (s: Json) => { s.steps[VISIT].visit.expect = "open"; }, `steps[${VISIT}].visit.expect`, /unknown outcome "open"/],
    ["keys with a letter the keypad lacks", (s: Json) => { s.steps[VISIT].visit.keys = "1234X"; }, `steps[${VISIT}].visit.keys`, /keys are digits/],
    ["hours out of range", (s: Json) => { s.steps[STAGE].stage.hours = "08:00-24:00"; }, `steps[${STAGE}].stage.hours`, /HH:MM-HH:MM/],
    ["days with a wrong letter", (s: Json) => { s.steps[STAGE].stage.days = "SMTWTFX"; }, `steps[${STAGE}].stage.days`, /character 7 must be "S" or "-"/],
    ["a TZ rule that does not parse", (s: Json) => { s.association.tz = "Central"; }, "association.tz", /not a POSIX TZ rule/],
    ["a shackle code of letters", (s: Json) => { s.steps[STAGE].stage.shackle = "abcd"; }, `steps[${STAGE}].stage.shackle`, /1 to 8 digits/],
    ["a PIN of 3 digits", (s: Json) => { s.people[2].pin = "246"; }, "people[2].pin", /4 to 12 digits/],
    ["a start that is not ISO-8601", (s: Json) => { s.start = "March 9"; }, "start", /ISO-8601/],
    ["an empty step", (s: Json) => { s.steps[0] = {}; }, "steps[0]", /an empty step/],
    ["a step that is not an object", (s: Json) => { s.steps[0] = "say hello"; }, "steps[0]", /must be an object/],
    ["a visit to a lockbox the scenario lacks", (s: Json) => { s.steps[VISIT].visit.lockbox = 9; }, `steps[${VISIT}].visit.lockbox`, /no lockbox 9/],
    ["a revocation of nobody", (s: Json) => { s.steps[DENYLIST].denylist.revoke = ["Zed"]; }, `steps[${DENYLIST}].denylist.revoke[0]`, /no person "Zed"/],
    ["two people with one name", (s: Json) => { s.people[1].name = "Olivia"; }, "people[1].name", /already people\[0\]/],
    ["two lockboxes with one id", (s: Json) => { s.lockboxes[1].id = 5001; }, "lockboxes[1].id", /already lockboxes\[0\]/],
    ["journalSectors below the minimum", (s: Json) => { s.lockboxes[0].journalSectors = 1; }, "lockboxes[0].journalSectors", /integer 2\.\.255/],
  ])("refuses %s", (_what, edit, path, message) => {
    const r = refusal(edit);
    expect(r.path).toBe(path);
    expect(r.message.startsWith(`${path}: `)).toBe(true);
    expect(r.message).toMatch(message);
  });

  it("refuses a file that is not an object", () => {
    expect(() => validateScenario([1, 2])).toThrow(/must be an object/);
    expect(() => validateScenario(null)).toThrow(ScenarioError);
  });
});

describe("reason names: SPEC.md Lockbox §5 and the code agree", () => {
  const spec = readFileSync(join(root, "protocol", "SPEC.md"), "utf8");
  const section = spec.slice(spec.indexOf("## Lockbox §5"), spec.indexOf("## Lockbox §6"));
  const rows = [...section.matchAll(/^\| (\d+) \| ([^|]+?) \|/gm)].map((m) => [Number(m[1]), m[2]] as const);

  it("every code in the SPEC table has the name reasonName gives, and there are no others", () => {
    expect(rows.length).toBeGreaterThan(15);
    for (const [code, name] of rows) expect(reasonName(code), `reason ${code}`).toBe(name);
    expect(reasonName(rows.length)).toBe("");
  });

  it("a scenario's reason may be any SPEC name but success's", () => {
    expect(reasonNames().sort()).toEqual(rows.filter(([code]) => code !== 0).map(([, name]) => name).sort());
  });
});

describe("lockbox sim with a bad scenario file", () => {
  it("exits 2 naming the file and the field, before anything runs", () => {
    const dir = mkdtempSync(join(tmpdir(), "lockbox-scenario-"));
    const path = join(dir, "bad.json");
    const s = good();
    s.steps[WAIT].wait = -45;
    writeFileSync(path, JSON.stringify(s));
    const r = spawnSync(process.execPath, [join(root, "bin", "lockbox.js"), "sim", path, "--once"], { encoding: "utf8", cwd: root, timeout: 120_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${path}: steps[${WAIT}].wait: must be a number ≥ 0, got -45`);
    expect(r.stdout).toBe("");
  });
});
