/**
 * When the server may issue a CARS code (docs/ARCHITECTURE.md §2 "CARS code"; API.md §CARS): a pure decision
 * over the card, its member, the association's limits and the codes already issued, so every
 * refusal is testable without a database or a clock.
 */
import type { ServerErrorCode } from "./errors.ts";

/** The association's CARS settings (associations table, migration 001). */
export interface CarsLimits {
  /** Refused while the card has at least this many days left. */
  renewalPeriodDays: number;
  /** Codes per local calendar month; 0 means no cap (as the lockbox reads it, protocol/cars). */
  monthlyLimit: number;
  /** Most local days in a row with a code; 0 means no cap. */
  consecutiveDayLimit: number;
}

/** Everything the decision looks at. Days are local day numbers (protocol/time localDay). */
export interface CarsRequest {
  cardStatus: string;
  memberStatus: string;
  /** Whole days from now until the card's expiry, rounded up; 0 or less when expired. */
  daysLeft: number;
  today: number;
  /** First local day of today's calendar month. */
  monthStart: number;
  /** Local days on which this card was already issued a code, any order. */
  issuedDays: number[];
}

/** The outcome: issue a new code, repeat today's code, or refuse with a code. */
export type CarsDecision = { kind: "issue" } | { kind: "repeat" } | { kind: "refuse"; error: ServerErrorCode; message: string };

/** Whole days left before `expiry`, rounded up (a card expiring in one second has 1 day left). */
export function daysLeft(expiryUtc: number, nowUtc: number): number {
  return Math.ceil((expiryUtc - nowUtc) / 86400);
}

/** Decides a CARS request (docs/ARCHITECTURE.md §2): checks in the order an agent would want them explained. */
export function decideCars(limits: CarsLimits, r: CarsRequest): CarsDecision {
  if (r.cardStatus === "lost") return refuse("card-lost", "the card is reported lost or stolen");
  if (r.cardStatus !== "active") return refuse("card-deactivated", "the card is deactivated; an administrator must reactivate it");
  if (r.memberStatus !== "active") return refuse("member-inactive", `the member is ${r.memberStatus}`);
  if (r.issuedDays.includes(r.today)) return { kind: "repeat" };
  if (r.daysLeft >= limits.renewalPeriodDays) {
    return refuse("cars-too-early", `the card has ${r.daysLeft} days left; CARS codes are issued with fewer than ${limits.renewalPeriodDays}`);
  }
  const thisMonth = r.issuedDays.filter((d) => d >= r.monthStart && d <= r.today).length;
  if (limits.monthlyLimit > 0 && thisMonth >= limits.monthlyLimit) {
    return refuse("cars-monthly-limit", `${thisMonth} codes issued this month; the limit is ${limits.monthlyLimit}`);
  }
  if (limits.consecutiveDayLimit > 0) {
    let run = 0;
    while (run < limits.consecutiveDayLimit && r.issuedDays.includes(r.today - 1 - run)) run++;
    if (run >= limits.consecutiveDayLimit) {
      return refuse("cars-consecutive-limit", `codes were issued on the last ${run} days; the limit is ${limits.consecutiveDayLimit} days in a row`);
    }
  }
  return { kind: "issue" };
}

function refuse(error: ServerErrorCode, message: string): CarsDecision {
  return { kind: "refuse", error, message };
}
