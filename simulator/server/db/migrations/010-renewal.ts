/**
 * The renewal and upload side of the server store (docs/ARCHITECTURE.md §2 Renewal, CARS, Store-and-forward
 * audit, Ownership and settings, Revocation; §6 exactly-once): uploads, access events deduplicated
 * by (lockbox id, lockbox sequence), renewals, CARS codes, denylist versions and staged settings,
 * plus the card and association columns the card protocol needs. API.md §Store describes them.
 *
 * Device ids as text: card serials and lockbox ids are the u32 the card layouts carry
 * (protocol/card/layouts.ts, records.ts), written as 8 lowercase hex digits.
 */
import type { Migration } from "../migrate.ts";

export const migration: Migration = {
  description: "renewal store: card protocol columns, uploads, access events, renewals, CARS codes, denylist versions, staged settings",
  up(db) {
    db.exec(`
-- The association's u32 id on cards and in key diversification (protocol/card/keys.ts context).
ALTER TABLE associations ADD COLUMN card_id INTEGER CHECK (card_id IS NULL OR card_id BETWEEN 0 AND 4294967295);
CREATE UNIQUE INDEX associations_card_id ON associations (card_id);

-- PIN verifier for CARS requests: scrypt(PIN, salt); failures lock CARS after a bounded number.
ALTER TABLE cards ADD COLUMN pin_salt BLOB;
ALTER TABLE cards ADD COLUMN pin_verifier BLOB;
ALTER TABLE cards ADD COLUMN pin_failures INTEGER NOT NULL DEFAULT 0;
-- The authorization issue counter last written to the card (strictly increasing, spec §3.2).
ALTER TABLE cards ADD COLUMN issue_counter INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cards ADD COLUMN key_version INTEGER NOT NULL DEFAULT 1;
-- Set when an administrator reactivates; the next renewal is recorded as a reactivation.
ALTER TABLE cards ADD COLUMN reactivation_pending INTEGER NOT NULL DEFAULT 0 CHECK (reactivation_pending IN (0, 1));
ALTER TABLE cards ADD COLUMN last_renewed_at TEXT;

-- One completed renewal upload: what the card held and what was new.
CREATE TABLE uploads (
  id INTEGER PRIMARY KEY,
  card_serial TEXT NOT NULL REFERENCES cards(serial),
  at TEXT NOT NULL,
  records_received INTEGER NOT NULL,
  records_new INTEGER NOT NULL,
  records_duplicate INTEGER NOT NULL,
  -- The receipt written to the card (spec §3.7): per record file, records below upTo are held.
  receipt BLOB NOT NULL
) STRICT;
CREATE INDEX uploads_card ON uploads (card_serial, at);

-- Every lockbox audit record the server holds (spec §4.1), exactly once per (lockbox, sequence)
-- whichever card carried it and however often. The MAC is kept so the record can be re-verified.
CREATE TABLE access_events (
  id INTEGER PRIMARY KEY,
  lockbox_id TEXT NOT NULL,
  lockbox_seq INTEGER NOT NULL,
  utc INTEGER NOT NULL,
  at TEXT NOT NULL,
  event_type INTEGER NOT NULL,
  event TEXT NOT NULL,
  reason INTEGER NOT NULL,
  card_serial TEXT NOT NULL,
  payload BLOB NOT NULL,
  mac BLOB NOT NULL,
  -- Record file it arrived in (1 own access, 2 carried, 3 ownership, 4 settings applied).
  file INTEGER NOT NULL CHECK (file BETWEEN 1 AND 4),
  carried_by TEXT NOT NULL,
  -- The listing the lockbox was assigned to when the record arrived (the access log per listing).
  listing_id INTEGER REFERENCES listings(id),
  upload_id INTEGER NOT NULL REFERENCES uploads(id),
  UNIQUE (lockbox_id, lockbox_seq)
) STRICT;
CREATE INDEX access_events_card ON access_events (card_serial, utc);
CREATE INDEX access_events_box ON access_events (lockbox_id, utc);
CREATE INDEX access_events_listing ON access_events (listing_id, utc);

-- Every authorization the server wrote; kind 'reactivation' after an administrator's reactivation.
CREATE TABLE renewals (
  id INTEGER PRIMARY KEY,
  card_serial TEXT NOT NULL REFERENCES cards(serial),
  upload_id INTEGER NOT NULL REFERENCES uploads(id),
  at TEXT NOT NULL,
  previous_expiry TEXT NOT NULL,
  new_expiry TEXT NOT NULL,
  issue_counter INTEGER NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('renewal', 'reactivation')),
  denylist_version INTEGER NOT NULL
) STRICT;
CREATE INDEX renewals_card ON renewals (card_serial, at);

-- CARS codes issued (docs/ARCHITECTURE.md §2): at most one per card per local day; sequences per card.
CREATE TABLE cars_codes (
  id INTEGER PRIMARY KEY,
  card_serial TEXT NOT NULL REFERENCES cards(serial),
  local_day INTEGER NOT NULL,
  sequence INTEGER NOT NULL,
  code TEXT NOT NULL,
  valid_until TEXT NOT NULL,
  issued_at TEXT NOT NULL,
  UNIQUE (card_serial, local_day),
  UNIQUE (card_serial, sequence)
) STRICT;

-- Every denylist the server signed (spec §3.9); a new version whenever the set of revoked,
-- unexpired cards changes. The blob is exactly what cards carry.
CREATE TABLE denylist_versions (
  association_id TEXT NOT NULL REFERENCES associations(id),
  version INTEGER NOT NULL,
  entries INTEGER NOT NULL,
  blob BLOB NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (association_id, version)
) STRICT;

-- Lockbox settings changed on the web site, staged on the owner's card at renewal (spec §3.4).
-- applied_at is set when a "settings applied" record for this version comes back.
CREATE TABLE staged_settings (
  lockbox_id TEXT NOT NULL REFERENCES lockboxes(id),
  version INTEGER NOT NULL,
  settings TEXT NOT NULL,
  staged_at TEXT NOT NULL,
  written_to_card TEXT,
  applied_at TEXT,
  PRIMARY KEY (lockbox_id, version)
) STRICT;
`);
  },
};
