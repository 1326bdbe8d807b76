/**
 * Whether a card may renew (docs/ARCHITECTURE.md §2, Renewal): an expired card renews normally; a card that
 * is deactivated or lost, or whose member is inactive or terminated, is refused until an
 * administrator reactivates it. The renewal authority asks this before writing an authorization.
 */
import type { Database } from "better-sqlite3";

/** Why a renewal is refused, or "ok". */
export type RenewalVerdict = "ok" | "unknown-card" | "card-deactivated" | "card-lost" | "member-inactive" | "member-terminated";

/** The renewal verdict for the card with this serial. */
export function renewalEligibility(db: Database, cardSerial: string): RenewalVerdict {
  const row = db
    .prepare(
      `SELECT c.status AS card, m.status AS member FROM cards c JOIN members m ON m.id = c.member_id WHERE c.serial = ?`,
    )
    .get(cardSerial) as { card: string; member: string } | undefined;
  if (!row) return "unknown-card";
  if (row.member === "inactive") return "member-inactive";
  if (row.member === "terminated") return "member-terminated";
  if (row.card === "deactivated") return "card-deactivated";
  if (row.card === "lost") return "card-lost";
  return "ok";
}
