/**
 * `npm start` (`lockbox start`): the demonstration world — the default scenario of `lockbox sim`
 * narrated, then the lockboxes kept running with their service ports on printed PTY paths until
 * Ctrl-C. Exits by itself when stdin is not a terminal or with --once.
 */
import type { Command } from "../lib/command.ts";
import { runSim } from "./sim.ts";

export const command: Command = {
  name: "start",
  summary: "run the demonstration world (what `npm start` runs)",
  usage: `Usage: lockbox start [--seed N] [--realtime] [--once] [--json] [--no-build]

Runs the demonstration world: an association, agents with cards and a lockbox on a listing; narrates
a showing with card + PIN, an expired card renewed by a CARS code and then opening, and refusals with
their reasons; then keeps the lockbox running with its OSDP service port on a printed PTY path until
Ctrl-C. Same options and exit codes as \`lockbox sim\`.`,
  run: (argv) => runSim(argv.filter((a) => !a.endsWith(".json"))),
};
