/**
 * `lockbox`: one command with subcommands, one file each in tools/commands/.
 *   lockbox --help            lists the subcommands
 *   lockbox <name> --help     usage of one subcommand
 *   lockbox --dev <name> ...  development mode (simulator/dev-mode.ts): published secrets allowed, announced
 */
import "../simulator/portable.ts";
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type Command, UsageError, EXIT_USAGE, EXIT_FAILED } from "./lib/command.ts";
import { checkDevelopmentSetting, developmentNotice } from "../simulator/dev-mode.ts";

const commandsDir = join(dirname(fileURLToPath(import.meta.url)), "commands");

async function loadCommands(): Promise<Command[]> {
  const files = readdirSync(commandsDir).filter((f) => f.endsWith(".ts")).sort();
  const commands: Command[] = [];
  for (const file of files) {
    const mod = (await import(pathToFileURL(join(commandsDir, file)).href)) as { command?: Command };
    if (mod.command) commands.push(mod.command);
  }
  return commands;
}

function overview(commands: Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length), 4);
  return [
    "Usage: lockbox <command> [options]",
    "",
    "Firmware, simulator and tools for the Lockbox electronic lockbox system.",
    "",
    "Commands:",
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "Run `lockbox <command> --help` for a command's options.",
    "",
    "--dev (before or after the command, or LOCKBOX_DEV=1): development mode. Card files and the",
    "store's secrets may then use the published development secrets when LOCKBOX_FAB_SECRET and",
    "LOCKBOX_STORE_KEY / LOCKBOX_STORE_KEY_FILE are not set; every start says so on stderr.",
  ].join("\n");
}

async function main(args: string[]): Promise<number> {
  // --dev (anywhere) is development mode for this process and the ones it starts: LOCKBOX_DEV=1.
  const argv = args.filter((a) => a !== "--dev");
  if (argv.length !== args.length) process.env.LOCKBOX_DEV = "1";
  try {
    checkDevelopmentSetting();
  } catch (err) {
    console.error(`lockbox: ${(err as Error).message}`);
    return EXIT_USAGE;
  }
  const notice = developmentNotice();
  if (notice) console.error(notice);
  const commands = await loadCommands();
  const name = argv.length > 0 ? argv[0] : undefined;
  const rest = argv.slice(1);
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    console.log(overview(commands));
    return name === undefined ? EXIT_USAGE : 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    console.error(`lockbox: unknown command '${name}'\n\n${overview(commands)}`);
    return EXIT_USAGE;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    console.log(command.usage);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`lockbox ${name}: ${err.message}\n\n${command.usage}`);
      return EXIT_USAGE;
    }
    console.error(`lockbox ${name}: ${err instanceof Error ? err.message : String(err)}`);
    return EXIT_FAILED;
  }
}

process.exitCode = await main(process.argv.slice(2));
