// Shared helpers of the field-update tests: a lockbox and a reader with an update partition booting
// through build/boot.wasm, signed images of the real firmware, and IMAGE STATUS over a control panel.
import { createPrivateKey, type KeyObject } from "node:crypto";
import { SimAssociation, type CardHolder } from "../../simulator/world/association.ts";
import { SimLockbox, LOCKBOX_WASM } from "../../simulator/world/lockbox.ts";
import { DeviceHost } from "../../simulator/host/host.ts";
import { Flash } from "../../simulator/host/flash.ts";
import { Rtc } from "../../simulator/host/rtc.ts";
import { UartTap, memoryUart } from "../../simulator/host/uart.ts";
import { OsdpControlPanel, type ByteLink } from "../../simulator/osdp/cp.ts";
import { BOOT_WASM, partitionSectors, provisionPartition, signedFirmware } from "../../simulator/image/provision.ts";
import { signImage, parseVersion } from "../../simulator/image/image.ts";
import { readImageStatus, slotReport, type SlotReport } from "../../simulator/image/update-client.ts";
import { DEVICE_LOCKBOX, DEVICE_READER } from "../../protocol/image/image.ts";
import { readFileSync } from "node:fs";

export const T0 = Date.UTC(2026, 2, 2, 15) / 1000;
export const READER_WASM = "build/reader.wasm";

/** A fixed Ed25519 key (seed bytes i + 1): the factory key of the test devices. */
export const FACTORY_KEY = keyFromSeed(1);
/** Another key: images signed with it must be refused. */
export const OTHER_KEY = keyFromSeed(2);

export function keyFromSeed(n: number): KeyObject {
  const seed = Buffer.from(Array.from({ length: 32 }, (_, i) => (i * 7 + n) & 255));
  return createPrivateKey({ key: Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), seed]), format: "der", type: "pkcs8" });
}

/** build/lockbox.wasm (or reader.wasm) signed as `version` for `device`. */
export function firmware(version: string, device: "lockbox" | "reader" = "lockbox", key = FACTORY_KEY, opts: { permitRollback?: boolean } = {}): Uint8Array {
  const model = device === "lockbox" ? DEVICE_LOCKBOX : DEVICE_READER;
  if (!opts.permitRollback) return signedFirmware(device === "lockbox" ? LOCKBOX_WASM : READER_WASM, version, model, key);
  return signImage({ payload: new Uint8Array(readFileSync(device === "lockbox" ? LOCKBOX_WASM : READER_WASM)), version: parseVersion(version), device: model, key, permitRollback: true });
}

export interface Box {
  assoc: SimAssociation;
  box: SimLockbox;
  alice: CardHolder;
}

/** Lockbox 5001 running 1.0.0 from its update partition; agent Alice (PIN 1234). */
export function bootableBox(seed = 7): Box {
  const assoc = new SimAssociation(257, seed);
  const alice = assoc.issue("Alice", 1001, "1234", T0 + 30 * 86400);
  const box = new SimLockbox(assoc, { lockboxId: 5001, utc: T0, journalSectors: 4, firmware: { key: FACTORY_KEY } });
  return { assoc, box, alice };
}

export interface Reader {
  host: DeviceHost;
  tap: UartTap;
  scbk: Uint8Array;
  link(): ByteLink;
}

/** A reader with SCBK 40..4f at flash address 0 and an update partition, running 1.0.0. */
export function bootableReader(): Reader {
  const tap = new UartTap();
  const flash = new Flash((16 + partitionSectors()) * 4096);
  const scbk = Uint8Array.from({ length: 16 }, (_, i) => 0x40 + i);
  flash.bytes.set(scbk, 0);
  provisionPartition(flash, { model: DEVICE_READER, key: FACTORY_KEY, image: firmware("1.0.0", "reader") });
  const host = new DeviceHost({ bootRom: BOOT_WASM, flash, rtc: new Rtc(T0), seed: 3, onEvent: tap.onEvent });
  host.boot();
  return { host, tap, scbk, link: () => memoryUart(host, tap) };
}

/** IMAGE STATUS over a fresh secure session. */
export async function statusOf(link: ByteLink, scbk: Uint8Array): Promise<SlotReport> {
  const cp = new OsdpControlPanel(link, { address: 0, scbk });
  try {
    await cp.establishSecureChannel();
    return slotReport(await readImageStatus(cp));
  } finally {
    cp.close();
  }
}

/** Inserts Alice's card, keys her PIN, removes the card: true when the key compartment was released. */
export function opens(b: Box): boolean {
  b.box.host.drainEvents();
  b.box.insert(b.alice);
  b.box.type("1234E");
  const released = SimLockbox.releases(b.box.host.drainEvents()).includes(0);
  b.box.remove();
  return released;
}
