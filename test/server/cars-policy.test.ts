import { describe, expect, it } from "vitest";
import { decideCars, daysLeft, type CarsLimits, type CarsRequest } from "../../simulator/server/cars-policy.ts";

const limits: CarsLimits = { renewalPeriodDays: 1, monthlyLimit: 3, consecutiveDayLimit: 2 };
const base: CarsRequest = { cardStatus: "active", memberStatus: "active", daysLeft: 0, today: 100, monthStart: 90, issuedDays: [] };

describe("CARS issuance policy (docs/ARCHITECTURE.md §2)", () => {
  it("counts days left rounded up", () => {
    expect(daysLeft(1000, 1000)).toBe(0);
    expect(daysLeft(1001, 1000)).toBe(1);
    expect(daysLeft(1000 + 86400, 1000)).toBe(1);
    expect(daysLeft(1000 + 86401, 1000)).toBe(2);
    expect(daysLeft(0, 86400 * 3)).toBe(-3);
  });

  it("issues to an expired card of an active member", () => {
    expect(decideCars(limits, base)).toEqual({ kind: "issue" });
  });

  it("refuses while days left >= the CARS renewal period", () => {
    const d = decideCars(limits, { ...base, daysLeft: 1 });
    expect(d.kind === "refuse" && d.error).toBe("cars-too-early");
    expect(decideCars({ ...limits, renewalPeriodDays: 2 }, { ...base, daysLeft: 1 }).kind).toBe("issue");
  });

  it("refuses deactivated and lost cards and inactive members", () => {
    const errorOf = (r: Partial<CarsRequest>) => {
      const d = decideCars(limits, { ...base, ...r });
      return d.kind === "refuse" ? d.error : d.kind;
    };
    expect(errorOf({ cardStatus: "deactivated" })).toBe("card-deactivated");
    expect(errorOf({ cardStatus: "lost" })).toBe("card-lost");
    expect(errorOf({ memberStatus: "inactive" })).toBe("member-inactive");
    expect(errorOf({ memberStatus: "terminated" })).toBe("member-inactive");
  });

  it("caps codes per calendar month, counting only this month; 0 means no cap", () => {
    const d = decideCars(limits, { ...base, issuedDays: [91, 94, 97] });
    expect(d.kind === "refuse" && d.error).toBe("cars-monthly-limit");
    expect(decideCars(limits, { ...base, issuedDays: [80, 85, 94, 97] }).kind).toBe("issue");
    expect(decideCars({ ...limits, monthlyLimit: 0 }, { ...base, issuedDays: [91, 94, 97] }).kind).toBe("issue");
  });

  it("caps consecutive days; 0 means no cap", () => {
    const d = decideCars(limits, { ...base, issuedDays: [98, 99] });
    expect(d.kind === "refuse" && d.error).toBe("cars-consecutive-limit");
    expect(decideCars(limits, { ...base, issuedDays: [97, 99] }).kind).toBe("issue");
    expect(decideCars({ ...limits, consecutiveDayLimit: 0, monthlyLimit: 9 }, { ...base, issuedDays: [96, 97, 98, 99] }).kind).toBe("issue");
  });

  it("repeats today's code instead of issuing a second one", () => {
    expect(decideCars(limits, { ...base, issuedDays: [98, 99, 100] })).toEqual({ kind: "repeat" });
  });
});
