/**
 * `lockbox cars issue`: asks the server for a CARS code (docs/ARCHITECTURE.md §2; API.md §CARS), as the
 * agent would on the web page or the phone line: card serial + PIN.
 */
import "../../simulator/portable.ts";
import { parseArgs } from "node:util";
import { type Command, EXIT_FAILED, EXIT_OK, EXIT_UNAVAILABLE, UsageError } from "../lib/command.ts";

const usage = `Usage: lockbox cars issue --serial <8 hex digits> --pin <digits> [--server <url>] [--json]

Requests a CARS code for the card. At any lockbox of the association: insert the card, do not
enter the PIN, press FUNC 0 <code> ENT. The card is then valid until local midnight.

  --server  the reference server (default $LOCKBOX_SERVER or http://127.0.0.1:8080)
  --json    print the server's answer as JSON

Refusals (printed with their reason): cars-too-early (days left >= the association's CARS renewal
period), cars-monthly-limit, cars-consecutive-limit, card-deactivated, card-lost, member-inactive,
pin-wrong, pin-locked, unknown-card.
Exit codes: 0 code issued; 1 refused; 2 bad command line; 3 server unreachable.`;

export const command: Command = {
  name: "cars",
  summary: "request a CARS code for a card from the server",
  usage,
  async run(argv) {
    let parsed;
    try {
      parsed = parseArgs({ args: argv, allowPositionals: true, strict: true, options: { serial: { type: "string" }, pin: { type: "string" }, server: { type: "string" }, json: { type: "boolean", default: false } } });
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const { values, positionals } = parsed;
    if (positionals[0] !== "issue" || positionals.length !== 1) throw new UsageError("expected the subcommand 'issue'");
    if (!values.serial || !/^[0-9a-fA-F]{8}$/.test(values.serial)) throw new UsageError("--serial must be 8 hex digits");
    if (!values.pin) throw new UsageError("--pin is required");
    const server = (values.server ?? process.env.LOCKBOX_SERVER ?? "http://127.0.0.1:8080").replace(/\/+$/, "");
    let res: Response;
    try {
      res = await fetch(`${server}/api/cars`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ serial: values.serial.toLowerCase(), pin: values.pin }), signal: AbortSignal.timeout(10_000) });
    } catch (err) {
      console.error(`lockbox cars: cannot reach ${server}: ${(err as Error).message}`);
      return EXIT_UNAVAILABLE;
    }
    const body = (await res.json()) as { code?: string; validUntil?: string; sequence?: number; repeated?: boolean; error?: string; message?: string };
    if (values.json) console.log(JSON.stringify(body));
    if (!res.ok) {
      if (!values.json) console.error(`lockbox cars: refused (${body.error}): ${body.message}`);
      return EXIT_FAILED;
    }
    if (!values.json) console.log(`CARS code ${body.code} for card ${values.serial.toLowerCase()}, valid until ${body.validUntil}${body.repeated ? " (today's code, repeated)" : ""}: at a lockbox press FUNC 0 ${body.code} ENT without entering the PIN`);
    return EXIT_OK;
  },
};
