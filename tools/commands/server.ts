/**
 * `lockbox server`: runs the reference server (simulator/server/API.md) on Fastify over the SQLite
 * store until Ctrl-C or SIGTERM.
 */
import "../../simulator/portable.ts";
import { parseArgs } from "node:util";
import { type Command, EXIT_OK, UsageError } from "../lib/command.ts";
import { defaultStorePath } from "../../simulator/server/db/store.ts";
import { startServer } from "../../simulator/server/app.ts";
import { formatReport } from "../../simulator/server/import/report.ts";

const usage = `Usage: lockbox server [--port <n>] [--host <addr>] [--db <path>] [--cards-dir <dir>] [--json]

Runs the reference back end: card issuance and status, CARS codes, lockbox settings, access logs
and the renewal sessions a \`lockbox renew\` relays between a card and the server. The HTTP JSON API
is documented in simulator/server/API.md and served as OpenAPI at /api/openapi.json. It also runs each association's import schedule (set with
\`lockbox import setup\`) and prints every scheduled run's report.

  --port   TCP port (default 8080; 0 picks a free one)
  --host   interface (default 127.0.0.1: the administrator routes have no authentication)
  --db     SQLite file (default $LOCKBOX_DB or ./var/lockbox.db), created and migrated on start
  --cards-dir  where POST /api/cards saves each issued card as an emulated-chip card file
           (default ./var/cards; \`lockbox card serve <file>\` serves one to PC/SC)
  --json   print {"url","db","migrated"} as one JSON line when listening

The store's secrets are sealed under LOCKBOX_STORE_KEY (64 hex digits) or the key in the 0600 file
LOCKBOX_STORE_KEY_FILE, and issued card files under LOCKBOX_FAB_SECRET; \`lockbox --dev server\`
(announced) uses published development values for the ones not set.

Prints the URL when listening; stops cleanly on Ctrl-C / SIGTERM (exit 0).
Exit codes: 0 stopped cleanly; 1 could not start (port in use, bad store, no or wrong store key);
2 bad command line.`;

export const command: Command = {
  name: "server",
  summary: "run the reference back end (HTTP JSON API over SQLite)",
  usage,
  async run(argv) {
    let values;
    try {
      ({ values } = parseArgs({ args: argv, options: { port: { type: "string" }, host: { type: "string" }, db: { type: "string" }, "cards-dir": { type: "string" }, json: { type: "boolean", default: false } }, strict: true }));
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const port = values.port === undefined ? 8080 : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0..65535, got ${values.port}`);
    const db = values.db ?? defaultStorePath();
    const json = values.json;
    const srv = await startServer({
      db,
      port,
      host: values.host,
      cardsDir: values["cards-dir"] ?? "./var/cards",
      importScheduler: {
        onReport: (report) => console.log(json ? JSON.stringify({ scheduledImport: report }) : formatReport(report)),
        onError: (association, err) => console.error(`scheduled import of ${association} could not start: ${err.message}`),
      },
    });
    if (values.json) console.log(JSON.stringify({ url: srv.url, db, migrated: srv.store.migrated }));
    else console.log(`lockbox server listening on ${srv.url} (store ${db}${srv.store.migrated.length ? `, migrated ${srv.store.migrated.join(", ")}` : ""}); Ctrl-C to stop`);
    await new Promise<void>((resolve) => {
      process.once("SIGINT", resolve);
      process.once("SIGTERM", resolve);
    });
    await srv.close();
    return EXIT_OK;
  },
};
