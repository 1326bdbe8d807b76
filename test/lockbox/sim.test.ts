// `lockbox sim`: the default scenario runs to the end with every expectation met,
// is reproducible from its seed, and the command exits by itself when stdin is not a terminal.
import { it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { ScenarioWorld, loadScenario, validateScenario, ScenarioError, type Scenario } from "../../simulator/world/scenario.ts";
import { DEFAULT_SCENARIO } from "../../tools/commands/sim.ts";

it("the default scenario: every expectation holds, and the same seed gives the same narration", () => {
  const a = new ScenarioWorld(loadScenario(DEFAULT_SCENARIO), 42);
  expect(a.run()).toBe(0);
  const b = new ScenarioWorld(loadScenario(DEFAULT_SCENARIO), 42);
  b.run();
  expect(b.lines).toEqual(a.lines);
  const texts = a.lines.map((l) => l.text).join("\n");
  expect(texts).toMatch(/Alice .* key compartment released/);
  expect(texts).toMatch(/CARS code .*: \d{8}/);
  expect(texts).toMatch(/refused: wrong PIN/);
  expect(texts).toMatch(/refused: denylisted/);
  const c = new ScenarioWorld(loadScenario(DEFAULT_SCENARIO), 43);
  c.run();
  expect(c.lines.map((l) => l.text)).not.toEqual(a.lines.map((l) => l.text));
});

// `lockbox start` (server + renewal on top of this scenario) has its own tests in test/start/.
it("`lockbox sim --json` exits 0 by itself with stdin not a terminal", () => {
  const r = spawnSync(process.execPath, ["bin/lockbox.js", "sim", "--json", "--no-build"], { encoding: "utf8", stdio: ["pipe", "pipe", "pipe"], timeout: 120_000 });
  expect(r.status, r.stderr).toBe(0);
  const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as { text: string; failed: boolean });
  expect(lines.length).toBeGreaterThan(10);
  expect(lines.every((l) => !l.failed)).toBe(true);
});

it("a scenario with a typo is refused with the step and the problem", () => {
  const good = loadScenario(DEFAULT_SCENARIO);
  const typo = JSON.parse(JSON.stringify(good)) as Scenario & { steps: Record<string, unknown>[] };
  typo.steps[1] = { vist: { who: "Alice", lockbox: 5001, keys: "1234E" } };
  expect(() => validateScenario(typo)).toThrow(/^steps\[1\]\.vist: unknown field/);
  const nobody = JSON.parse(JSON.stringify(good)) as Scenario;
  nobody.steps.push({ visit: { who: "Zed", lockbox: 5001, keys: "1E" } });
  expect(() => validateScenario(nobody)).toThrow(ScenarioError);
  expect(() => validateScenario(nobody)).toThrow(`steps[${good.steps.length}].visit.who: no person "Zed"`);
});
