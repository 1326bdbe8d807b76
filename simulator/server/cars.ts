/**
 * CARS code issuance (docs/ARCHITECTURE.md §2 "CARS code"; API.md §CARS): card serial + PIN in, an 8-digit
 * code valid until local midnight out, under the association's limits (cars-policy.ts). The code
 * is the one the lockbox validates (protocol/cars); the association CARS key never leaves here.
 */
import type { Database } from "better-sqlite3";
import { nextLocalMidnight } from "../../protocol/time/tz.ts";
import { ServerError } from "./errors.ts";
import { checkPin, associationTzRule, localMonth } from "./admin.ts";
import type { PinKdf } from "./pin-kdf.ts";
import { decideCars, daysLeft } from "./cars-policy.ts";
import { carsKey, associationKeys } from "./keys.ts";
import { carsMessage, carsCodeFromMac, CARS_MESSAGE_SIZE, CARS_DIGITS } from "../../protocol/cars/cars.ts";
import { hmacSha256 } from "../crypto/index.ts";

/** Wrong PINs before CARS requests for a card are refused until an administrator resets it. */
export const CARS_PIN_TRIES = 5;

/** A CARS code as the API returns it. */
export interface CarsIssued {
  serial: string;
  code: string;
  sequence: number;
  /** Local day of the code, days since 1970-01-01 in the association's TZ rule. */
  localDay: number;
  validUntil: string;
  /** True when this repeats the code already issued today (it is not counted again). */
  repeated: boolean;
}

interface CarsRow {
  status: string; member_status: string; expires_at: string; tz_rule: string; cars_renewal_period_days: number; cars_monthly_limit: number;
  cars_consecutive_day_limit: number; association_id: string;
}

/** The code the lockbox will accept for (serial, local day, sequence) (protocol/SPEC.md Lockbox §4). */
export function carsCodeFor(key: Uint8Array, serial: number, day: number, sequence: number): string {
  const msg = new Uint8Array(CARS_MESSAGE_SIZE);
  carsMessage(serial >>> 0, day, sequence, msg, 0);
  return String(carsCodeFromMac(hmacSha256(key, msg), 0)).padStart(CARS_DIGITS, "0");
}

/** Issues (or repeats today's) CARS code for card `serial` after checking its PIN and the limits. */
export async function issueCars(db: Database, serial: string, pin: string, nowUtc: number, kdf: PinKdf): Promise<CarsIssued> {
  await checkPin(db, serial, pin, CARS_PIN_TRIES, kdf);
  return db.transaction((): CarsIssued => {
    const r = db.prepare(`SELECT c.status, m.status AS member_status, c.expires_at, a.tz_rule, a.cars_renewal_period_days, a.cars_monthly_limit,
        a.cars_consecutive_day_limit, a.id AS association_id
      FROM cards c JOIN members m ON m.id = c.member_id JOIN associations a ON a.id = c.association_id WHERE c.serial = ?`).get(serial) as CarsRow;
    const keys = associationKeys(db, r.association_id);
    if (!keys) throw new ServerError("unknown-association", "the card's association has no keys");
    const rule = associationTzRule(r.tz_rule);
    const { today, monthStart } = localMonth(rule, nowUtc);
    const issued = db.prepare("SELECT local_day, sequence, code FROM cars_codes WHERE card_serial = ? ORDER BY sequence").all(serial) as
      { local_day: number; sequence: number; code: string }[];
    const decision = decideCars(
      { renewalPeriodDays: r.cars_renewal_period_days, monthlyLimit: r.cars_monthly_limit, consecutiveDayLimit: r.cars_consecutive_day_limit },
      {
        cardStatus: r.status, memberStatus: r.member_status, daysLeft: daysLeft(Date.parse(r.expires_at) / 1000, nowUtc), today,
        monthStart, issuedDays: issued.map((i) => i.local_day),
      },
    );
    const validUntil = new Date(nextLocalMidnight(rule, nowUtc >>> 0) * 1000).toISOString();
    if (decision.kind === "refuse") throw new ServerError(decision.error, decision.message);
    if (decision.kind === "repeat") {
      const same = issued.find((i) => i.local_day === today)!;
      return { serial, code: same.code, sequence: same.sequence, localDay: today, validUntil, repeated: true };
    }
    const sequence = (issued.length > 0 ? issued[issued.length - 1].sequence : 0) + 1;
    const code = carsCodeFor(carsKey(keys), parseInt(serial, 16), today, sequence);
    db.prepare("INSERT INTO cars_codes (card_serial, local_day, sequence, code, valid_until, issued_at) VALUES (?, ?, ?, ?, ?, ?)")
      .run(serial, today, sequence, code, validUntil, new Date(nowUtc * 1000).toISOString());
    return { serial, code, sequence, localDay: today, validUntil, repeated: false };
  })();
}
