/**
 * MCUboot's imgtool as an independent peer for the image tests. It is never part of this
 * repository: set LOCKBOX_IMGTOOL to the imgtool.py of an mcuboot checkout (scripts/imgtool.py,
 * run with Debian's /usr/bin/python3 and python3-click, python3-cryptography, python3-intelhex,
 * python3-cbor2), or put an `imgtool` command on PATH. Tests that need it skip with the reason
 * when it is absent; the committed vectors in test/vectors/mcuboot/ pin its output regardless.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

/** The command line that runs imgtool, or the reason it cannot run here. */
export function findImgtool(): { argv: string[] } | { reason: string } {
  const env = process.env.LOCKBOX_IMGTOOL;
  const argv = env ? (env.endsWith(".py") ? ["/usr/bin/python3", env] : [env]) : ["imgtool"];
  if (env && !existsSync(env)) return { reason: `LOCKBOX_IMGTOOL=${env} does not exist` };
  const r = spawnSync(argv[0], [...argv.slice(1), "version"], { encoding: "utf8", timeout: 30_000 });
  if (r.error || r.status !== 0) {
    const why = r.error ? r.error.message : (r.stderr || r.stdout).trim().split("\n").pop();
    return { reason: `MCUboot imgtool is not available (${why}): set LOCKBOX_IMGTOOL=<mcuboot>/scripts/imgtool.py` };
  }
  return { argv };
}

/** Runs imgtool with `args`; returns its exit code and output. */
export function imgtool(tool: { argv: string[] }, args: string[]): { code: number | null; out: string } {
  const r = spawnSync(tool.argv[0], [...tool.argv.slice(1), ...args], { encoding: "utf8", timeout: 60_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}
