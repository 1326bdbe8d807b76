/**
 * The shape of a `lockbox` subcommand. Each file in tools/commands/ exports `command`; the
 * dispatcher (tools/lockbox.ts) finds them, so adding a subcommand is adding one file.
 */
export interface Command {
  /** The word after `lockbox`, e.g. "sim" or "card". */
  name: string;
  /** One line for `lockbox --help`. */
  summary: string;
  /** Full usage text for `lockbox <name> --help`. */
  usage: string;
  /** Runs with the arguments after the name; resolves to the process exit code. */
  run(argv: string[]): Promise<number>;
}

/** Exit codes shared by every subcommand. */
export const EXIT_OK = 0;
/** The operation ran and failed (refused renewal, failed import, ...). */
export const EXIT_FAILED = 1;
/** The command line was wrong. */
export const EXIT_USAGE = 2;
/** A needed system component (socat, pcscd, ...) is missing. */
export const EXIT_UNAVAILABLE = 3;

/** Thrown for a bad command line; the dispatcher prints the message and the usage, exits 2. */
export class UsageError extends Error {
  override name = "UsageError";
}
