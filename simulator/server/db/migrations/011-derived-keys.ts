/**
 * Drops associations.key_cars and key_denylist: the CARS and denylist keys are diversified from the
 * server master on demand (simulator/server/keys.ts, protocol/card/keys.ts KEY_CARS, KEY_DENYLIST),
 * as docs/ARCHITECTURE.md §5 wants for every derived key. The columns were written (random values at
 * provisioning, which no code read) but never used, so a reader of the store saw keys that were not
 * the ones in force.
 */
import type { Migration } from "../migrate.ts";

export const migration: Migration = {
  description: "associations: drop key_cars and key_denylist (derived from the server master, never read)",
  up(db) {
    db.exec(`
ALTER TABLE associations DROP COLUMN key_cars;
ALTER TABLE associations DROP COLUMN key_denylist;
`);
  },
};
