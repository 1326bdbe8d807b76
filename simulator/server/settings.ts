/**
 * Lockbox settings as the API takes them (API.md §Lockbox settings) and as the card carries them
 * (protocol/card/layouts.ts Settings, spec §3.4): validation of the JSON form and conversion to
 * the 75-byte staged-settings object the owner's card takes to the box.
 */
import { Settings, encodeSettings, SETTINGS_SIZE, SETTINGS_CBS_REQUIRED, SETTINGS_PRIVACY_MODE } from "../../protocol/card/layouts.ts";
import { parseTzRule, TzRule } from "../../protocol/time/tz.ts";
import { ServerError } from "./errors.ts";

/** The JSON form of a lockbox's settings (API.md §Lockbox settings). */
export interface LockboxSettings {
  /** Days access is allowed, bit 0 = Sunday .. bit 6 = Saturday. */
  dayMask: number;
  startMinute: number;
  endMinute: number;
  cbsRequired: boolean;
  /** Digits only, up to 8; "" = none. */
  cbsCode: string;
  privacyMode: boolean;
  privacyCode: string;
  shackleCode: string;
  tzRule: string;
}

/** Defaults: all days, all hours, no codes, UTC. */
export const DEFAULT_SETTINGS: LockboxSettings = {
  dayMask: 0x7f, startMinute: 0, endMinute: 1439, cbsRequired: false, cbsCode: "", privacyMode: false, privacyCode: "", shackleCode: "", tzRule: "UTC0",
};

/**
 * Applies a partial update over `base`. The field types and ranges are the API schema's
 * (http/schemas.ts SettingsUpdate, checked before this runs); what depends on more than one field
 * or on the TZ grammar is checked here, and refused with bad-request.
 */
export function mergeSettings(base: LockboxSettings, update: Partial<LockboxSettings>): LockboxSettings {
  const s: LockboxSettings = { ...base };
  for (const key of Object.keys(DEFAULT_SETTINGS) as (keyof LockboxSettings)[]) {
    if (update[key] !== undefined) (s as unknown as Record<string, unknown>)[key] = update[key];
  }
  const tz = Buffer.from(s.tzRule, "latin1");
  if (parseTzRule(tz, 0, tz.length, new TzRule()) < 0) throw new ServerError("bad-request", `field 'tzRule' is not a POSIX TZ rule: ${s.tzRule}`);
  if (s.cbsRequired && s.cbsCode === "") throw new ServerError("bad-request", "cbsRequired needs a cbsCode");
  return s;
}

function bcd(code: string, into: Uint8Array): void {
  into.fill(0xff);
  for (let i = 0; i < code.length; i++) {
    const d = code.charCodeAt(i) - 48;
    into[i >> 1] = i % 2 === 0 ? (d << 4) | 0x0f : (into[i >> 1] & 0xf0) | d;
  }
}

/** The staged-settings object (spec §3.4) for lockbox `lockboxId` at `version`, decoded (the simulated association stages it). */
export function stagedSettings(lockboxId: number, version: number, s: LockboxSettings): Settings {
  const v = new Settings();
  v.lockboxId = lockboxId >>> 0;
  v.version = version >>> 0;
  v.dayMask = s.dayMask;
  v.startMinute = s.startMinute;
  v.endMinute = s.endMinute;
  v.flags = (s.cbsRequired ? SETTINGS_CBS_REQUIRED : 0) | (s.privacyMode ? SETTINGS_PRIVACY_MODE : 0);
  bcd(s.cbsCode, v.cbsCode);
  bcd(s.privacyCode, v.privacyCode);
  bcd(s.shackleCode, v.shackleCode);
  v.tzRule.fill(0);
  v.tzRule.set(Buffer.from(s.tzRule, "latin1"));
  return v;
}

/** The staged-settings object (spec §3.4) for lockbox `lockboxId` at `version`, as the card takes it. */
export function encodeStagedSettings(lockboxId: number, version: number, s: LockboxSettings): Uint8Array {
  const out = new Uint8Array(SETTINGS_SIZE);
  if (encodeSettings(stagedSettings(lockboxId, version, s), out, 0, out.length) !== SETTINGS_SIZE) throw new Error("settings encoding failed");
  return out;
}
