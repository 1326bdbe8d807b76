/**
 * The core schema of the server store (docs/ARCHITECTURE.md §2 and §3): associations with their settings and
 * master keys, the offices, members and listings the Import Utility keeps in sync with the data
 * vendor, cards, lockboxes and their ownership history, per-field provenance of administrator
 * edits, and the import bookkeeping (runs, rejected rows, cursors). Later migrations ALTER or add;
 * this file never changes once applied anywhere.
 *
 * Conventions: timestamps are ISO 8601 UTC text (`2026-01-02T03:04:05.000Z`); vendor keys are kept
 * verbatim and are unique per association; rows the vendor deleted are kept and marked, because
 * access logs and ownership history point at them.
 */
import type { Migration } from "../migrate.ts";

/** Migration 001: the core schema (see the file comment). */
export const migration: Migration = {
  description: "core schema: associations, offices, members, listings, cards, lockboxes, provenance, import bookkeeping",
  up(db) {
    db.exec(`
-- One association (a board of REALTORS or MLS) and every setting the devices and the server need.
CREATE TABLE associations (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  renewal_period_days INTEGER NOT NULL DEFAULT 1 CHECK (renewal_period_days > 0),
  -- CARS (docs/ARCHITECTURE.md §2): refused while days left >= this; monthly and consecutive-day caps.
  cars_renewal_period_days INTEGER NOT NULL DEFAULT 1 CHECK (cars_renewal_period_days >= 0),
  cars_monthly_limit INTEGER NOT NULL DEFAULT 3 CHECK (cars_monthly_limit >= 0),
  cars_consecutive_day_limit INTEGER NOT NULL DEFAULT 2 CHECK (cars_consecutive_day_limit >= 0),
  -- Access hours in local minutes since midnight; start = end means all day.
  access_start_minute INTEGER NOT NULL DEFAULT 0 CHECK (access_start_minute BETWEEN 0 AND 1439),
  access_end_minute INTEGER NOT NULL DEFAULT 0 CHECK (access_end_minute BETWEEN 0 AND 1439),
  -- POSIX TZ rule, e.g. CST6CDT,M3.2.0,M11.1.0.
  tz_rule TEXT NOT NULL DEFAULT 'UTC0',
  -- Import schedule 'HH:MM' local time, daily; NULL = on demand only.
  import_schedule TEXT CHECK (import_schedule IS NULL OR import_schedule GLOB '[0-2][0-9]:[0-5][0-9]'),
  -- Where the vendor data comes from: a RESO Web API base URL, a directory or a file.
  import_source TEXT,
  import_token TEXT,
  -- A scheduled run is a full key reconciliation when the last full run is older than this.
  import_full_every_days INTEGER NOT NULL DEFAULT 7 CHECK (import_full_every_days > 0),
  -- Association master keys (docs/ARCHITECTURE.md §5), 16 bytes each; devices get keys diversified from them.
  key_card_auth BLOB CHECK (key_card_auth IS NULL OR length(key_card_auth) = 16),
  key_server BLOB CHECK (key_server IS NULL OR length(key_server) = 16),
  key_audit BLOB CHECK (key_audit IS NULL OR length(key_audit) = 16),
  key_cars BLOB CHECK (key_cars IS NULL OR length(key_cars) = 16),
  key_denylist BLOB CHECK (key_denylist IS NULL OR length(key_denylist) = 16),
  created_at TEXT NOT NULL
) STRICT;

-- RESO Office. status: active | inactive (vendor says so) | deleted (gone from a full reconciliation).
CREATE TABLE offices (
  id INTEGER PRIMARY KEY,
  association_id TEXT NOT NULL REFERENCES associations(id),
  office_key TEXT NOT NULL,
  office_mls_id TEXT,
  name TEXT,
  address1 TEXT,
  city TEXT,
  state_or_province TEXT,
  postal_code TEXT,
  phone TEXT,
  status TEXT NOT NULL CHECK (status IN ('active', 'inactive', 'deleted')),
  modification_timestamp TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (association_id, office_key)
) STRICT;
CREATE INDEX offices_mls_id ON offices (association_id, office_mls_id);

-- RESO Member (an agent). status: active | inactive (vendor) | terminated (gone from a full
-- reconciliation). Only active members may renew a card (docs/ARCHITECTURE.md §2, Renewal).
CREATE TABLE members (
  id INTEGER PRIMARY KEY,
  association_id TEXT NOT NULL REFERENCES associations(id),
  member_key TEXT NOT NULL,
  member_mls_id TEXT,
  first_name TEXT,
  last_name TEXT,
  email TEXT,
  phone TEXT,
  member_type TEXT,
  status TEXT NOT NULL CHECK (status IN ('active', 'inactive', 'terminated')),
  office_id INTEGER REFERENCES offices(id),
  -- The vendor's office reference as sent, kept when the office is not (yet) known.
  office_key TEXT,
  national_association_id TEXT,
  eligible INTEGER NOT NULL GENERATED ALWAYS AS (status = 'active') VIRTUAL,
  deactivated_at TEXT,
  reactivated_at TEXT,
  modification_timestamp TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (association_id, member_key)
) STRICT;
CREATE INDEX members_mls_id ON members (association_id, member_mls_id);
CREATE INDEX members_office ON members (office_id);

-- Every eligibility change of a member, with the import run (or admin) that caused it.
CREATE TABLE member_status_events (
  id INTEGER PRIMARY KEY,
  member_id INTEGER NOT NULL REFERENCES members(id),
  event TEXT NOT NULL CHECK (event IN ('deactivated', 'reactivated', 'terminated')),
  from_status TEXT NOT NULL,
  to_status TEXT NOT NULL,
  at TEXT NOT NULL,
  import_run_id INTEGER REFERENCES import_runs(id)
) STRICT;
CREATE INDEX member_status_events_member ON member_status_events (member_id);

-- RESO Property (a listing) with its listing and co-listing agents. pending_assignment = 1 while
-- the listing agent named by the vendor is not a known member; every import run retries it.
CREATE TABLE listings (
  id INTEGER PRIMARY KEY,
  association_id TEXT NOT NULL REFERENCES associations(id),
  listing_key TEXT NOT NULL,
  listing_id TEXT,
  standard_status TEXT,
  list_agent_key TEXT,
  list_agent_mls_id TEXT,
  co_list_agent_key TEXT,
  co_list_agent_mls_id TEXT,
  list_agent_id INTEGER REFERENCES members(id),
  co_list_agent_id INTEGER REFERENCES members(id),
  pending_assignment INTEGER NOT NULL DEFAULT 0 CHECK (pending_assignment IN (0, 1)),
  street_number TEXT,
  street_name TEXT,
  city TEXT,
  state_or_province TEXT,
  postal_code TEXT,
  deleted INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
  modification_timestamp TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (association_id, listing_key)
) STRICT;
CREATE INDEX listings_listing_id ON listings (association_id, listing_id);
CREATE INDEX listings_pending ON listings (association_id) WHERE pending_assignment = 1;

-- An agent's smart card. deactivated: refused at renewal until an administrator reactivates it.
CREATE TABLE cards (
  serial TEXT PRIMARY KEY,
  association_id TEXT NOT NULL REFERENCES associations(id),
  member_id INTEGER NOT NULL REFERENCES members(id),
  status TEXT NOT NULL CHECK (status IN ('active', 'deactivated', 'lost')),
  expires_at TEXT NOT NULL,
  issued_at TEXT NOT NULL,
  deactivated_at TEXT,
  reactivated_at TEXT
) STRICT;
CREATE INDEX cards_member ON cards (member_id);

-- A lockbox. listing_id is the listing it is assigned to (FUNC 2 <MLS#>); pending_listing_mls_id
-- holds an MLS# entered at the box for a listing not imported yet (retried every import run).
CREATE TABLE lockboxes (
  id TEXT PRIMARY KEY,
  association_id TEXT NOT NULL REFERENCES associations(id),
  listing_id INTEGER REFERENCES listings(id),
  pending_listing_mls_id TEXT,
  owner_member_id INTEGER REFERENCES members(id),
  created_at TEXT NOT NULL
) STRICT;
CREATE INDEX lockboxes_listing ON lockboxes (listing_id);

-- Every change of a lockbox's owner or listing, and what caused it.
CREATE TABLE lockbox_ownership_history (
  id INTEGER PRIMARY KEY,
  lockbox_id TEXT NOT NULL REFERENCES lockboxes(id),
  owner_member_id INTEGER REFERENCES members(id),
  listing_id INTEGER REFERENCES listings(id),
  source TEXT NOT NULL CHECK (source IN ('import', 'card', 'admin')),
  reason TEXT NOT NULL,
  at TEXT NOT NULL,
  import_run_id INTEGER REFERENCES import_runs(id)
) STRICT;
CREATE INDEX lockbox_ownership_history_box ON lockbox_ownership_history (lockbox_id);

-- Fields an administrator edited locally; the import leaves these columns alone.
CREATE TABLE field_provenance (
  association_id TEXT NOT NULL REFERENCES associations(id),
  entity TEXT NOT NULL CHECK (entity IN ('office', 'member', 'listing')),
  entity_key TEXT NOT NULL,
  field TEXT NOT NULL,
  source TEXT NOT NULL CHECK (source IN ('admin')),
  edited_by TEXT NOT NULL,
  edited_at TEXT NOT NULL,
  PRIMARY KEY (association_id, entity, entity_key, field)
) STRICT;

-- One import run and its report. status: applied | rejected (strict mode, nothing applied) |
-- failed (an error rolled everything back).
CREATE TABLE import_runs (
  id INTEGER PRIMARY KEY,
  association_id TEXT NOT NULL REFERENCES associations(id),
  mode TEXT NOT NULL CHECK (mode IN ('incremental', 'full')),
  source TEXT NOT NULL,
  strict INTEGER NOT NULL CHECK (strict IN (0, 1)),
  trigger TEXT NOT NULL CHECK (trigger IN ('manual', 'schedule')),
  status TEXT NOT NULL CHECK (status IN ('applied', 'rejected', 'failed')),
  started_at TEXT NOT NULL,
  finished_at TEXT NOT NULL,
  added INTEGER NOT NULL,
  updated INTEGER NOT NULL,
  deactivated INTEGER NOT NULL,
  unchanged INTEGER NOT NULL,
  rejected INTEGER NOT NULL,
  error TEXT,
  -- The whole report (per-resource counts and extras) as JSON.
  report TEXT NOT NULL
) STRICT;
CREATE INDEX import_runs_association ON import_runs (association_id, started_at);

-- Each rejected row of a run: where it was, its key when readable, why, and the start of the row.
CREATE TABLE import_rejections (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES import_runs(id),
  resource TEXT NOT NULL,
  row INTEGER NOT NULL,
  record_key TEXT,
  code TEXT NOT NULL,
  reason TEXT NOT NULL,
  excerpt TEXT
) STRICT;
CREATE INDEX import_rejections_run ON import_rejections (run_id);

-- The incremental cursor: the last (ModificationTimestamp, key) applied per association and resource.
CREATE TABLE import_cursors (
  association_id TEXT NOT NULL REFERENCES associations(id),
  resource TEXT NOT NULL CHECK (resource IN ('Office', 'Member', 'Property')),
  modification_timestamp TEXT NOT NULL,
  record_key TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (association_id, resource)
) STRICT;
`);
  },
};
