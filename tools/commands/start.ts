import type { Command } from "../lib/command.ts";

/** `npm start`: the demonstration world. Until the simulator lands it prints what `lockbox` offers. */
export const command: Command = {
  name: "start",
  summary: "run the demonstration world (what `npm start` runs)",
  usage: "Usage: lockbox start\n\nStarts the demonstration world: a simulated association, agents with cards and lockboxes.",
  async run(): Promise<number> {
    const { spawnSync } = await import("node:child_process");
    const { fileURLToPath } = await import("node:url");
    const bin = fileURLToPath(new URL("../../bin/lockbox.js", import.meta.url));
    spawnSync(process.execPath, [bin, "--help"], { stdio: "inherit" });
    return 0;
  },
};
