// The scenario-world features `lockbox start` relies on (simulator/world/scenario.ts): CARS codes
// from an outside issuer (the server's API in `npm start`), the record each visit left, and the
// `listing` / `renewal` fields of a scenario file.
import { describe, expect, it } from "vitest";
import { ScenarioWorld, loadScenario, validateScenario, ScenarioError, type Scenario } from "../../simulator/world/scenario.ts";
import { DEFAULT_SCENARIO } from "../../tools/commands/sim.ts";
import { reasonName } from "../../protocol/service/reasons.ts";
import { icuLocalDay, specCarsCode } from "../support/oracles.ts";

describe("ScenarioWorld.runWith: CARS codes from an issuer", () => {
  it("a correct code from the issuer opens the box, and the run narrates exactly what run() does", async () => {
    const world = new ScenarioWorld(loadScenario(DEFAULT_SCENARIO), 7);
    const asked: { serial: number; utc: number }[] = [];
    const failed = await world.runWith({
      label: "test issuer",
      issue: async (holder, utc) => {
        asked.push({ serial: holder.serial, utc });
        return specCarsCode(world.assoc.carsKey(), holder.serial, icuLocalDay(utc, "America/Chicago"), 1);
      },
    });
    expect(failed).toBe(0);
    expect(asked.map((a) => a.serial)).toEqual([1010]);
    const texts = world.lines.map((l) => l.text);
    const i = texts.findIndex((t) => t.startsWith("Ed asks the back end for a CARS code"));
    expect(texts[i]).toMatch(/\(card 1010, PIN; test issuer\): \d{8}$/);
    expect(texts[i + 1]).toMatch(/^Ed keys FUNC 0 and the code, then the PIN at the lockbox at 12 Elm St: key compartment released/);

    const plain = new ScenarioWorld(loadScenario(DEFAULT_SCENARIO), 7);
    expect(plain.run()).toBe(0);
    expect(plain.lines.map((l) => l.text.replace(", PIN)", ", PIN; test issuer)"))).toEqual(texts);
  });

  it("a wrong code from the issuer: the lockbox refuses it and the step's expectation fails", async () => {
    const world = new ScenarioWorld(loadScenario(DEFAULT_SCENARIO), 7);
    const right = specCarsCode(world.assoc.carsKey(), 1010, icuLocalDay(world.utc(), "America/Chicago"), 1);
    const wrong = right === "00000000" ? "00000001" : "00000000";
    const failed = await world.runWith({ label: "test issuer", issue: async () => wrong });
    expect(failed).toBe(1);
    const bad = world.lines.filter((l) => l.failed);
    // The code is refused, so the PIN that follows meets a card that is still expired.
    expect(bad[0].text).toMatch(/^Ed keys FUNC 0 and the code, then the PIN at the lockbox at 12 Elm St: refused: expired .*✗ expected opened/);
    const ed = world.boxes.get(5001)!.auditLog().filter((r) => r.record.cardSerial === 1010).map((r) => reasonName(r.record.reason));
    expect(ed.slice(0, 2)).toEqual(["CARS code wrong", "expired"]);
  });

  it("a refusal by the issuer is narrated and fails the step; the lockbox is not visited", async () => {
    const world = new ScenarioWorld(loadScenario(DEFAULT_SCENARIO), 7);
    const failed = await world.runWith({ label: "test issuer", issue: async () => { throw new Error("cars-too-early: the card has 40 days left"); } });
    expect(failed).toBe(1);
    const texts = world.lines.map((l) => l.text);
    expect(world.lines.find((l) => l.failed)!.text).toBe("Ed asks the back end for a CARS code (test issuer): refused, cars-too-early: the card has 40 days left");
    expect(texts.some((t) => t.includes("FUNC 0 and the code"))).toBe(false);
  });
});

describe("ScenarioWorld.visits", () => {
  it("each visit's outcome and the lockbox record it wrote, in order and in sequence", () => {
    const world = new ScenarioWorld(loadScenario(DEFAULT_SCENARIO), 7);
    world.run();
    const showing = world.visits.find((v) => v.who === "Alice" && v.outcome === "opened")!;
    expect(showing.lockbox).toBe(5001);
    const record = world.boxes.get(5001)!.auditLog().find((r) => r.record.sequence === showing.sequence)!;
    expect(record.record.cardSerial).toBe(1001);
    expect(record.record.utc).toBe(showing.utc);
    expect(record.macValid).toBe(true);
    const at5001 = world.visits.filter((v) => v.lockbox === 5001).map((v) => v.sequence);
    expect(at5001).toEqual([...at5001].sort((a, b) => a - b));
    expect(world.visits.map((v) => v.outcome)).toContain("denied");
  });
});

describe("scenario files: listing and renewal", () => {
  const good = (): Scenario => JSON.parse(JSON.stringify(loadScenario(DEFAULT_SCENARIO))) as Scenario;

  it("the default scenario puts its boxes on listings and names who renews", () => {
    const s = good();
    expect(s.lockboxes.map((b) => b.listing)).toEqual(["778899", "445566"]);
    expect(s.renewal).toEqual({ who: "Alice" });
  });

  it("refuses a renewal by nobody, by another association's agent, and an empty listing", () => {
    const nobody = good();
    nobody.renewal = { who: "Zed" };
    expect(() => validateScenario(nobody)).toThrow(ScenarioError);
    expect(() => validateScenario(nobody)).toThrow('renewal.who: no person "Zed"');
    const foreign = good();
    foreign.renewal = { who: "Eve" };
    expect(() => validateScenario(foreign)).toThrow('renewal.who: "Eve" is not of association 257');
    const empty = good();
    empty.lockboxes[0].listing = "";
    expect(() => validateScenario(empty)).toThrow('lockboxes[0].listing: must be a ListingId of 1 to 12 characters without spaces, got ""');
  });
});
