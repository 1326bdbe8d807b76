/**
 * Development mode: the one switch behind which the simulator may use published secrets (the
 * development fab secret that seals card files, the development key that seals the store's
 * secrets). It is off unless asked for with `lockbox --dev` or LOCKBOX_DEV=1, and every process
 * that runs in it says so when it starts (tools/lockbox.ts prints developmentNotice()). Outside it,
 * a missing or malformed secret is an error, never a silent fallback.
 */

/** True when development mode was asked for (LOCKBOX_DEV=1; `lockbox --dev` sets it). */
export function developmentMode(): boolean {
  return process.env.LOCKBOX_DEV === "1";
}

/** Refuses a LOCKBOX_DEV value other than unset, "" , "0" or "1", so a typo cannot look like either. */
export function checkDevelopmentSetting(): void {
  const v = process.env.LOCKBOX_DEV;
  if (v !== undefined && v !== "" && v !== "0" && v !== "1") throw new Error(`LOCKBOX_DEV must be 1 (development mode) or 0, not '${v}'`);
}

/** The secrets a development run takes from the published development values instead of the environment. */
export function developmentFallbacks(): string[] {
  const out: string[] = [];
  if (!process.env.LOCKBOX_FAB_SECRET) out.push("card files are sealed with the published development fab secret (set LOCKBOX_FAB_SECRET)");
  if (!process.env.LOCKBOX_STORE_KEY && !process.env.LOCKBOX_STORE_KEY_FILE) {
    out.push("the store's master keys and tokens are sealed with the published development store key (set LOCKBOX_STORE_KEY or LOCKBOX_STORE_KEY_FILE)");
  }
  return out;
}

/** The announcement a process in development mode prints at start, or null outside it. */
export function developmentNotice(): string | null {
  if (!developmentMode()) return null;
  const fallbacks = developmentFallbacks();
  return [
    "lockbox: DEVELOPMENT MODE (--dev / LOCKBOX_DEV=1): not for real cards, lockboxes or member data.",
    ...(fallbacks.length > 0 ? fallbacks.map((f) => `  - ${f}`) : ["  - every secret comes from the environment; only the announcement is different"]),
  ].join("\n");
}
