// Footprint of the devices with field update (issue 16): every firmware .wasm stays within the one
// 64 KiB page the HAL promises (the lockbox's budget is protocol/SPEC.md Lockbox §1), and the boot
// code stays small enough for the boot sector of a ~256 KiB-flash MCU.
import { describe, it, expect } from "vitest";
import { statSync } from "node:fs";
import { LOCKBOX_WASM } from "../../simulator/world/lockbox.ts";
import { BOOT_WASM } from "../../simulator/image/provision.ts";
import { READER_WASM } from "./support.ts";

describe("firmware size", () => {
  it("lockbox.wasm ≤ 64 KiB (SPEC Lockbox §1), reader.wasm ≤ 48 KiB (SPEC Reader §2), boot.wasm ≤ 24 KiB", () => {
    expect(statSync(LOCKBOX_WASM).size).toBeLessThanOrEqual(65536);
    expect(statSync(READER_WASM).size).toBeLessThanOrEqual(48 * 1024);
    expect(statSync(BOOT_WASM).size).toBeLessThanOrEqual(24 * 1024);
  });
});
