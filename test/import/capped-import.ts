// Child process of the streaming test: writes a synthetic feed of the given size and imports it
// in full into a fresh store, in a process whose heap the parent caps with --max-old-space-size.
// Prints one JSON line: status, rows added, milliseconds, feed bytes. With "hold" as fourth
// argument it instead parses the whole feed into memory, to show the cap is too small for that.
import "../../simulator/portable.ts";
import { mkdtempSync, mkdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStore } from "../../simulator/server/db/store.ts";
import { upsertAssociation } from "../../simulator/server/db/associations.ts";
import { runImport } from "../../simulator/server/import/run.ts";
import { office, member, property, writeODataFile } from "./synthetic.ts";

const [offices, members, listings] = process.argv.slice(2, 5).map(Number);
const hold = process.argv[5] === "hold";
const dir = mkdtempSync(join(tmpdir(), "lockbox-capped-"));
try {
  const feed = join(dir, "feed");
  mkdirSync(feed);
  await writeODataFile(join(feed, "Office.json"), offices, (i) => office(i));
  await writeODataFile(join(feed, "Member.json"), members, (i) => member(i, offices));
  await writeODataFile(join(feed, "Property.json"), listings, (i) => property(i, members));
  const bytes = ["Office", "Member", "Property"].reduce((n, r) => n + statSync(join(feed, `${r}.json`)).size, 0);
  if (hold) {
    const held = ["Office", "Member", "Property"].map((r) => JSON.parse(readFileSync(join(feed, `${r}.json`), "utf8")) as { value: unknown[] });
    console.log(JSON.stringify({ status: "held", records: held.reduce((n, h) => n + h.value.length, 0), bytes }));
    process.exit(0);
  }
  const store = await openStore(join(dir, "capped.db"));
  upsertAssociation(store.db, "CAP");
  const t0 = performance.now();
  const r = await runImport(store.db, { associationId: "CAP", from: feed, full: true });
  const ms = performance.now() - t0;
  store.close();
  console.log(JSON.stringify({ status: r.status, added: r.totals.added, rejected: r.totals.rejected, ms, bytes, error: r.error }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
