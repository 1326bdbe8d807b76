/**
 * The renewal's last step (issue 12): the new expiry a renewal writes is pending until the card
 * confirms RENEW (its 9000, or at its next contact the authorization it holds), so CARS and the card
 * status go by what the card really carries. cards.pending_* is the RENEW sent and not yet
 * confirmed; renewals.confirmed_at is set when the card took it (NULL: it never did). Renewals
 * stored before this migration were taken as applied when stored, so they count as confirmed then.
 */
import type { Migration } from "../migrate.ts";

export const migration: Migration = {
  description: "renewal pending until the card confirms RENEW: cards.pending_*, renewals.confirmed_at",
  up(db) {
    db.exec(`
ALTER TABLE cards ADD COLUMN pending_renewal_id INTEGER REFERENCES renewals(id);
ALTER TABLE cards ADD COLUMN pending_expires_at TEXT;
ALTER TABLE cards ADD COLUMN pending_issue_counter INTEGER;
ALTER TABLE renewals ADD COLUMN confirmed_at TEXT;
UPDATE renewals SET confirmed_at = at;
`);
  },
};
