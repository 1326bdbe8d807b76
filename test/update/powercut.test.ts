// Power cuts during a field update (issue 16): before every flash write of the transfer, of the
// verification, of the swap and before the confirmation. One update is recorded write by write;
// the flash as a cut before write k leaves it is the flash before the update plus writes 1..k-1.
// For every k the device is powered on from that flash: it must boot a valid image (the old one
// before the swap, the new one once the swap has begun, the old one again when the cut came before
// the new image confirmed), with its audit log and settings untouched; for a sample of the cuts
// `runUpdate` is run again and must install the image. LOCKBOX_POWERCUT_FULL=1 reruns it after
// every cut (slow: `npm run bench` prints the same sweep's figures).
import { describe, it, expect } from "vitest";
import { DeviceHost, primaryPayload } from "../../simulator/host/host.ts";
import { Flash, type FlashWrite } from "../../simulator/host/flash.ts";
import { Rtc } from "../../simulator/host/rtc.ts";
import { UartTap, memoryUart } from "../../simulator/host/uart.ts";
import { runUpdate } from "../../simulator/image/update-client.ts";
import { BOOT_WASM, partitionOf } from "../../simulator/image/provision.ts";
import { T0 } from "./support.ts";
import { record, sha, type Phase, type Sweep } from "./sweep.ts";

const FULL = process.env.LOCKBOX_POWERCUT_FULL === "1";

/** Powers a device on from `bytes`; returns the host (running or not). */
function powerOn(bytes: Uint8Array, seed: number): { host: DeviceHost; tap: UartTap } {
  const flash = new Flash(bytes.length, 4096);
  flash.bytes.set(bytes);
  const tap = new UartTap();
  const host = new DeviceHost({ bootRom: BOOT_WASM, flash, rtc: new Rtc(T0 + 3600), seed, onEvent: tap.onEvent });
  host.boot();
  return { host, tap };
}

function apply(flash: Flash, op: FlashWrite): void {
  if (op.kind === "erase") flash.erase(op.sector);
  else flash.program(op.addr, op.data);
}

async function sweep(s: Sweep, rerunEvery: number, bootEvery = 1): Promise<{ cuts: number; byPhase: Record<Phase, number>; reruns: number }> {
  const work = new Flash(s.before.length, 4096);
  work.bytes.set(s.before);
  const keep = partitionOf(work)!.first() * 4096;
  const firstSwap = s.phases.indexOf("swap");
  const confirmAt = s.phases.indexOf("confirmation");
  expect(firstSwap).toBeGreaterThan(0);
  expect(confirmAt).toBe(s.ops.length - 1);
  const byPhase: Record<Phase, number> = { transfer: 0, verification: 0, swap: 0, confirmation: 0 };
  const wrong: string[] = [];
  let reruns = 0;
  for (let k = 0; k < s.ops.length; k++) {
    // The flash as a power cut before write k + 1 leaves it.
    byPhase[s.phases[k]]++;
    const boundary = k === firstSwap || k === confirmAt || k === s.ops.length - 1;
    if (k % bootEvery !== 0 && !boundary) {
      apply(work, s.ops[k]);
      continue;
    }
    const { host, tap } = powerOn(work.bytes, k);
    const expectNew = k >= firstSwap && k !== confirmAt;
    const version = host.running && host.lastBoot !== null && host.lastBoot.result >= 0 ? primaryPayload(host.flash) : null;
    if (!host.running || version === null) wrong.push(`cut ${k + 1} (${s.phases[k]}): the device does not start (${host.stopReason?.message})`);
    else {
      if (sha(version.payload) !== s.app) wrong.push(`cut ${k + 1}: the primary slot does not hold the firmware`);
      const v = host.flash.bytes.subarray(version.layout.primary * 4096 + 20, version.layout.primary * 4096 + 22);
      if (v[0] !== 1 || v[1] !== (expectNew ? 1 : 0)) wrong.push(`cut ${k + 1} (${s.phases[k]}): runs ${v[0]}.${v[1]}, expected ${expectNew ? "1.1" : "1.0"}`);
    }
    if (!Buffer.from(host.flash.bytes.subarray(0, keep)).equals(Buffer.from(s.before.subarray(0, keep)))) wrong.push(`cut ${k + 1}: the device's own data changed`);
    if (FULL || k % rerunEvery === 0 || boundary) {
      reruns++;
      const r = await runUpdate(memoryUart(host, tap), { scbk: s.scbk, image: s.image, timeoutMs: 300 });
      if (r.outcome !== "installed" || r.after.primary.version !== "1.1.0+0") wrong.push(`cut ${k + 1}: running the update again gave ${r.outcome}: ${r.message}`);
      if (!Buffer.from(host.flash.bytes.subarray(0, keep)).equals(Buffer.from(s.before.subarray(0, keep)))) wrong.push(`cut ${k + 1}: the rerun changed the device's own data`);
    }
    if (wrong.length > 5) break;
    apply(work, s.ops[k]);
  }
  expect(wrong).toEqual([]);
  return { cuts: s.ops.length, byPhase, reruns };
}

describe("power cut at every flash write of an update", () => {
  it("lockbox: every cut leaves a bootable box (old image, or new once the swap began, old again before confirmation) with its log and settings; the update completes when run again", async () => {
    const s = await record("lockbox");
    const r = await sweep(s, FULL ? 1 : 60);
    // Reported figures (see the report and bench/update.bench.ts): ~1,170 cut points for a 62 KB image.
    console.log(`lockbox power-cut sweep: ${r.cuts} cut points (${JSON.stringify(r.byPhase)}), update re-run after ${r.reruns}`);
    expect(r.byPhase.transfer).toBeGreaterThan(200);
    expect(r.byPhase.verification).toBeGreaterThanOrEqual(1);
    expect(r.byPhase.swap).toBeGreaterThan(500);
    expect(r.byPhase.confirmation).toBe(1);
  });

  it("reader: the same at every third cut, the update re-run after a sample", async () => {
    const s = await record("reader");
    const r = await sweep(s, FULL ? 1 : 200, FULL ? 1 : 3);
    console.log(`reader power-cut sweep: ${r.cuts} cut points (${JSON.stringify(r.byPhase)}), update re-run after ${r.reruns}`);
    expect(r.byPhase.confirmation).toBe(1);
  });
});
