// Field update of the simulated lockbox and reader (protocol/SPEC.md Image §6-§8), the real
// firmware and boot code: an update over the secure channel, the new version reported, the box still
// opening; every refusal with its specific reason and nothing changed; a transfer resumed after a
// cut link; a test boot that never confirms, reverted at the next reset.
import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { OsdpControlPanel, OsdpError, type ByteLink } from "../../simulator/osdp/cp.ts";
import { LockboxServiceClient } from "../../simulator/world/service-client.ts";
import { runUpdate, FILE_TYPE_IMAGE } from "../../simulator/image/update-client.ts";
import { parseImage, signImage, parseVersion } from "../../simulator/image/image.ts";
import { vectorsDir } from "../support/vectors.ts";
import * as E from "../../protocol/image/errors.ts";
import { NAK_ENCRYPTION_REQUIRED } from "../../protocol/osdp/codes.ts";
import { bootableBox, bootableReader, firmware, statusOf, opens, OTHER_KEY, FACTORY_KEY, type Box } from "./support.ts";
import { join } from "node:path";

describe("a signed update", () => {
  it("lockbox: 1.0.0 → 1.1.0 over the secure channel; osdp_PDID, STATUS and IMAGE STATUS report it; the box still opens and keeps its log", async () => {
    const b = bootableBox();
    expect(opens(b)).toBe(true);
    const client = new LockboxServiceClient(b.box.serviceLink(), b.box.scbk);
    await client.cp.establishSecureChannel();
    const before = await client.status();
    client.cp.close();
    expect(before.firmwareVersion).toBe(0x0100);
    const r = await runUpdate(b.box.serviceLink(), { scbk: b.box.scbk, image: firmware("1.1.0") });
    expect([r.ok, r.outcome, r.from, r.to]).toEqual([true, "installed", "1.0.0+0", "1.1.0+0"]);
    expect(b.box.host.lastBoot).toEqual({ result: 1, action: 1, verdict: 0 }); // BOOT_TEST
    expect(r.after.primary).toEqual({ state: "confirmed", version: "1.1.0+0" });
    expect(r.after.secondary).toEqual({ state: "previous", version: "1.0.0+0" });
    const after = new LockboxServiceClient(b.box.serviceLink(), b.box.scbk);
    const id = await after.cp.id();
    expect([id.fwMajor, id.fwMinor]).toEqual([1, 1]);
    const status = await after.status();
    after.cp.close();
    expect(status.firmwareVersion).toBe(0x0101);
    expect(status.nextSequence).toBe(before.nextSequence);
    // Parked and brought back (fleets park idle boxes): the application loaded from flash resumes.
    b.box.host.park();
    expect(opens(b)).toBe(true);
    // Confirmed: a power cycle keeps 1.1.0.
    b.box.host.boot();
    expect((await statusOf(b.box.serviceLink(), b.box.scbk)).primary).toEqual({ state: "confirmed", version: "1.1.0+0" });
  });

  it("reader: 1.0.0 → 1.2.0, reported by osdp_PDID and IMAGE STATUS", async () => {
    const r = bootableReader();
    const res = await runUpdate(r.link(), { scbk: r.scbk, image: firmware("1.2.0", "reader") });
    expect([res.ok, res.outcome, res.device, res.from, res.to]).toEqual([true, "installed", "reader", "1.0.0+0", "1.2.0+0"]);
    const cp = new OsdpControlPanel(r.link(), { address: 0, scbk: r.scbk });
    const id = await cp.id();
    cp.close();
    expect([id.model, id.fwMajor, id.fwMinor]).toEqual([0x52, 1, 2]);
  });
});

/** What must not change when an image is refused: the running image, its log, its settings, its opening. */
async function unchanged(b: Box, seq: number): Promise<void> {
  const st = await statusOf(b.box.serviceLink(), b.box.scbk);
  expect(st.primary).toEqual({ state: "confirmed", version: "1.0.0+0" });
  const c = new LockboxServiceClient(b.box.serviceLink(), b.box.scbk);
  const s = await c.status();
  c.cp.close();
  expect([s.firmwareVersion, s.nextSequence, s.settingsVersion]).toEqual([0x0100, seq, 0]);
  expect(b.box.host.running).toBe(true);
}

describe("refusals: each with its reason, nothing changed", () => {
  const good = firmware("1.1.0");
  const { header, tlvs } = parseImage(good);
  const tlvAt = header.headerSize + header.imageSize;
  const flip = (at: number): Uint8Array => { const x = good.slice(); x[at] ^= 0x40; return x; };
  const unsigned = new Uint8Array(readFileSync(join(vectorsDir(), "mcuboot", "lockbox-unsigned.img")));
  // [what, image, outcome, reason, the secondary slot afterwards: refused on the first fragment (nothing written) or after the whole transfer]
  const cases: [string, () => Uint8Array, string, number, string][] = [
    ["an unsigned image (imgtool create)", () => unsigned, "refused", E.ERR_IMAGE_UNSIGNED, "rejected"],
    ["an image signed with another key", () => firmware("1.1.0", "lockbox", OTHER_KEY), "refused", E.ERR_IMAGE_WRONG_KEY, "rejected"],
    ["a flipped byte in the header (version)", () => flip(20), "refused", E.ERR_IMAGE_HASH, "rejected"],
    ["a flipped byte in the header (flags)", () => flip(16), "refused", E.ERR_IMAGE_HEADER, "empty"],
    ["a flipped byte in the payload", () => flip(header.headerSize + 1000), "refused", E.ERR_IMAGE_HASH, "rejected"],
    ["a flipped byte in the protected TLVs (device)", () => flip(tlvAt + 11), "refused", E.ERR_IMAGE_HASH, "rejected"],
    ["a flipped byte in the TLV area's header", () => flip(tlvAt + header.protectedTlvSize), "refused", E.ERR_IMAGE_TLV_INFO, "rejected"],
    ["a flipped byte in the SHA-256 TLV", () => flip(tlvs.hashAt + 5), "refused", E.ERR_IMAGE_HASH, "rejected"],
    ["a flipped byte in the key hash", () => flip(tlvs.keyHashAt + 5), "refused", E.ERR_IMAGE_WRONG_KEY, "rejected"],
    ["a flipped byte in the signature (the boot code's check)", () => flip(tlvs.signatureAt + 5), "boot-refused", E.ERR_IMAGE_SIGNATURE, "rejected"],
    ["a truncated image (last 10 bytes missing)", () => good.subarray(0, good.length - 10), "refused", E.ERR_IMAGE_TRUNCATED, "rejected"],
    ["a truncated image (half of it)", () => good.subarray(0, good.length >> 1), "refused", E.ERR_IMAGE_TRUNCATED, "empty"],
    ["a downgrade (0.9.0 over 1.0.0)", () => firmware("0.9.0"), "refused", E.ERR_IMAGE_DOWNGRADE, "rejected"],
    ["an image for the reader", () => firmware("1.1.0", "reader"), "refused", E.ERR_IMAGE_DEVICE, "rejected"],
  ];
  for (const [what, image, outcome, code, slot] of cases) {
    it(`${what}: ${outcome}, ${E.imageErrorName(code)}`, async () => {
      const b = bootableBox();
      const c = new LockboxServiceClient(b.box.serviceLink(), b.box.scbk);
      const seq = (await c.status()).nextSequence;
      c.cp.close();
      const flashBefore = b.box.host.flash.bytes.slice();
      const r = await runUpdate(b.box.serviceLink(), { scbk: b.box.scbk, image: image() });
      expect([r.ok, r.outcome, r.reason?.code]).toEqual([false, outcome, code]);
      expect(r.after.secondary.state).toBe(slot);
      if (slot === "empty") expect(Buffer.from(b.box.host.flash.bytes).equals(Buffer.from(flashBefore))).toBe(true);
      await unchanged(b, seq);
      expect(opens(b)).toBe(true);
    });
  }

  it("a transfer outside the secure channel: osdp_NAK 'encryption required', nothing written", async () => {
    const b = bootableBox();
    const flashBefore = b.box.host.flash.bytes.slice();
    const cp = new OsdpControlPanel(b.box.serviceLink(), { address: 0 });
    const e = await cp.fileTransfer(FILE_TYPE_IMAGE, firmware("1.1.0"), { fragmentSize: 900 }).catch((x: unknown) => x);
    cp.close();
    expect(e).toBeInstanceOf(OsdpError);
    expect((e as OsdpError).nakReason).toBe(NAK_ENCRYPTION_REQUIRED);
    expect(Buffer.from(b.box.host.flash.bytes).equals(Buffer.from(flashBefore))).toBe(true);
    await unchanged(b, 1);
  });

  it("a permitted rollback (0.9.0 signed with --permit-rollback) is installed", async () => {
    const b = bootableBox();
    const r = await runUpdate(b.box.serviceLink(), { scbk: b.box.scbk, image: firmware("0.9.0", "lockbox", FACTORY_KEY, { permitRollback: true }) });
    expect([r.outcome, r.after.primary.version]).toEqual(["installed", "0.9.0+0"]);
  });
});

/** A link that stops carrying bytes (both ways) after `limit` bytes toward the device: a cable pulled. */
function cuttable(inner: ByteLink, limit: number): ByteLink {
  let sent = 0;
  return {
    write(bytes) {
      sent += bytes.length;
      if (sent <= limit) inner.write(bytes);
    },
    onData(listener) {
      return inner.onData((bytes) => { if (sent <= limit) listener(bytes); });
    },
  };
}

describe("resumption and revert", () => {
  it("a link cut mid-transfer: reopened, the transfer resumes at the last logged sector and completes", async () => {
    const b = bootableBox();
    const image = firmware("1.1.0");
    const r = await runUpdate(cuttable(b.box.serviceLink(), 30_000), {
      scbk: b.box.scbk, image, timeoutMs: 100, reconnect: async () => b.box.serviceLink(),
    });
    expect(r.outcome).toBe("installed");
    expect(r.resumedFrom.length).toBe(2);
    expect(r.resumedFrom[0]).toBe(0);
    expect(r.resumedFrom[1]).toBeGreaterThan(0);
    expect(r.resumedFrom[1] % 4096).toBe(0);
    expect(r.bytesSent).toBeLessThan(image.length + 30_000);
  });

  it("running the command again after a cut: it resumes instead of starting over", async () => {
    const b = bootableBox();
    const image = firmware("1.1.0");
    await expect(runUpdate(cuttable(b.box.serviceLink(), 40_000), { scbk: b.box.scbk, image, timeoutMs: 100, maxResumes: 0 })).rejects.toThrow(/no reply/);
    const st = await statusOf(b.box.serviceLink(), b.box.scbk);
    expect(st.secondary.state).toBe("receiving");
    expect(st.transfer.resumeOffset).toBeGreaterThan(0);
    const again = await runUpdate(b.box.serviceLink(), { scbk: b.box.scbk, image });
    expect([again.outcome, again.resumedFrom]).toEqual(["installed", [st.transfer.resumeOffset]]);
  });

  it("an image that never confirms itself (reader firmware signed for the lockbox) is reverted at the next reset", async () => {
    const b = bootableBox();
    // Signed correctly for a lockbox, but the payload is the reader's firmware: it boots, never confirms.
    const readerAsLockbox = signImage({ payload: new Uint8Array(readFileSync("build/reader.wasm")), version: parseVersion("2.0.0"), device: 0x4c, key: FACTORY_KEY });
    await expect(runUpdate(b.box.serviceLink(), { scbk: b.box.scbk, image: readerAsLockbox, timeoutMs: 100, rebootTimeoutMs: 500 })).rejects.toThrow();
    expect(b.box.host.lastBoot?.action).toBe(1); // the test boot happened
    b.box.host.boot(); // a reset before any confirmation
    expect(b.box.host.lastBoot?.action).toBe(2); // BOOT_REVERTED
    const st = await statusOf(b.box.serviceLink(), b.box.scbk);
    expect(st.primary).toEqual({ state: "confirmed", version: "1.0.0+0" });
    expect([st.secondary.state, st.lastResult?.code]).toEqual(["reverted", E.ERR_IMAGE_NOT_CONFIRMED]);
    expect(opens(b)).toBe(true);
  });
});

describe("simulated worlds (lockbox sim, lockbox start)", () => {
  it("the boxes of a scenario world trust the world's development key: an image it signs installs, and the narrated showing still opens", async () => {
    const { ScenarioWorld, loadScenario } = await import("../../simulator/world/scenario.ts");
    const { DEFAULT_SCENARIO } = await import("../../tools/commands/sim.ts");
    const { devImageKey } = await import("../../simulator/image/provision.ts");
    const world = new ScenarioWorld(loadScenario(DEFAULT_SCENARIO), 5, undefined, undefined, { key: devImageKey(5) });
    const box = world.boxes.values().next().value!;
    const r = await runUpdate(box.serviceLink(), { scbk: box.scbk, image: firmware("1.1.0", "lockbox", devImageKey(5)) });
    expect([r.outcome, r.after.primary.version]).toEqual(["installed", "1.1.0+0"]);
    expect(world.run()).toBe(0);
    // A key of another seed is not trusted.
    const other = await runUpdate(box.serviceLink(), { scbk: box.scbk, image: firmware("1.2.0", "lockbox", devImageKey(6)) });
    expect([other.outcome, other.reason?.code]).toEqual(["refused", E.ERR_IMAGE_WRONG_KEY]);
  });
});

describe("IMAGE STATUS (SPEC Image §8)", () => {
  it("encodes the SPEC's worked example byte for byte and decodes it back; malformed bodies are refused", async () => {
    const { ImageStatus, encodeImageStatus, decodeImageStatus, IMAGE_STATUS_SIZE } = await import("../../protocol/service/image.ts");
    const s = new ImageStatus();
    s.partition = true;
    s.deviceModel = 0x4c;
    s.slotBytes = 17 * 4096;
    s.primaryState = 0;
    s.primaryVersion.set(1, 1, 0, 0);
    s.secondaryState = 5;
    s.secondaryVersion.set(1, 0, 0, 0);
    s.transferTotal = 62287;
    s.maxFragment = 996;
    const out = new Uint8Array(IMAGE_STATUS_SIZE);
    expect(encodeImageStatus(s, out, 0, out.length)).toBe(IMAGE_STATUS_SIZE);
    expect(Buffer.from(out).toString("hex")).toBe("014c00011000000101000000000000050100000000000000" + "0000f34f" + "00000000" + "00000000" + "0000" + "03e4");
    const back = new ImageStatus();
    expect(decodeImageStatus(out, 0, out.length, back)).toBe(0);
    expect([back.slotBytes, back.secondaryState, back.transferTotal, back.maxFragment, back.primaryVersion.minor]).toEqual([69632, 5, 62287, 996, 1]);
    s.lastResult = E.ERR_IMAGE_SIGNATURE;
    encodeImageStatus(s, out, 0, out.length);
    expect(decodeImageStatus(out, 0, out.length, back)).toBe(0);
    expect(back.lastResult).toBe(-152);
    expect(decodeImageStatus(out, 0, 39, back)).toBe(-1);
    expect(decodeImageStatus(new Uint8Array(41), 0, 41, back)).toBe(-2);
    out[0] = 2;
    expect(decodeImageStatus(out, 0, 40, back)).toBe(-204);
  });
});
