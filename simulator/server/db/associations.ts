/**
 * Creating and configuring associations (docs/ARCHITECTURE.md §2: "numbers are association settings").
 * Only the settings given are written; the rest keep their schema defaults or current values.
 */
import type { Database } from "better-sqlite3";

/**
 * Association settings by column name (see migrations/001-core.ts for each one's meaning; 011 drops
 * the derived keys). The master keys are not settings: server/keys.ts seals and stores them.
 */
export interface AssociationSettings {
  name?: string;
  renewal_period_days?: number;
  cars_renewal_period_days?: number;
  cars_monthly_limit?: number;
  cars_consecutive_day_limit?: number;
  access_start_minute?: number;
  access_end_minute?: number;
  tz_rule?: string;
  import_schedule?: string | null;
  import_source?: string | null;
  import_token?: string | null;
  import_full_every_days?: number;
}

const COLUMNS = new Set<string>([
  "name", "renewal_period_days", "cars_renewal_period_days", "cars_monthly_limit", "cars_consecutive_day_limit",
  "access_start_minute", "access_end_minute", "tz_rule", "import_schedule", "import_source", "import_token",
  "import_full_every_days",
]);

/** Creates the association if it is new (name defaults to its id), then applies `settings`. */
export function upsertAssociation(db: Database, id: string, settings: AssociationSettings = {}, now = new Date()): void {
  const entries = Object.entries(settings).filter(([k, v]) => COLUMNS.has(k) && v !== undefined);
  db.transaction(() => {
    db.prepare("INSERT INTO associations (id, name, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING").run(
      id,
      settings.name ?? id,
      now.toISOString(),
    );
    if (entries.length > 0) {
      db.prepare(`UPDATE associations SET ${entries.map(([k]) => `${k} = ?`).join(", ")} WHERE id = ?`).run(
        ...entries.map(([, v]) => v),
        id,
      );
    }
  })();
}
