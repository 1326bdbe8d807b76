/** Shared set-up of the import tests: a fresh store in a temp directory and small feeds on disk. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStore, dumpStore, type Store } from "../../simulator/server/db/store.ts";
import { upsertAssociation } from "../../simulator/server/db/associations.ts";
import type { Rec } from "./synthetic.ts";

export interface Sandbox {
  dir: string;
  store: Store;
  /** A new directory under the sandbox holding the given resources as OData-page JSON files. */
  feed(files: Partial<Record<"Office" | "Member" | "Property", Rec[]>>): string;
  cleanup(): void;
}

export async function sandbox(associationId = "A1"): Promise<Sandbox> {
  const dir = mkdtempSync(join(tmpdir(), "lockbox-import-"));
  const store = await openStore(join(dir, "lockbox.db"));
  upsertAssociation(store.db, associationId, { name: "Test Board" }, new Date("2024-01-01T00:00:00Z"));
  return {
    dir,
    store,
    feed(files) {
      const target = mkdtempSync(join(dir, "feed-"));
      for (const [resource, records] of Object.entries(files)) {
        writeFileSync(join(target, `${resource}.json`), JSON.stringify({ "@odata.context": `$metadata#${resource}`, value: records }));
      }
      return target;
    },
    cleanup() {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Every table except the import bookkeeping, which a failed run is expected to write to. */
export function dataDump(store: Store): string {
  return dumpStore(store.db)
    .split("## ")
    .filter((section) => !section.startsWith("import_runs") && !section.startsWith("import_rejections"))
    .join("## ");
}

/** One column of all rows of a table, ordered by a key column, for compact assertions. */
export function column(store: Store, sql: string, ...params: unknown[]): unknown[] {
  return store.db.prepare(sql).raw().all(...params).map((r) => (r as unknown[]).length === 1 ? (r as unknown[])[0] : r);
}
