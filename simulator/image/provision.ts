/**
 * The factory's part of field update for simulated devices (protocol/SPEC.md Image §6): the update
 * partition at the top of a device's flash, with the boot block (device kind, slot size, the
 * public key images must be signed with) and the first signed image in the primary slot; and the
 * deterministic development signing key of a simulated world.
 */
import { createHash, createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { readFileSync, statSync } from "node:fs";
import type { Flash } from "../host/flash.ts";
import { BootBlock, PartitionLayout, encodeBootBlock, layoutPartition, bootBlockSector, BOOT_BLOCK_SIZE, PARTITION_FIXED_SECTORS, decodeBootBlock } from "../../protocol/image/partition.ts";
import { signImage, rawPublicKey, parseVersion } from "./image.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
/** The boot code (asconfig target `boot`): the simulated boards' boot ROM. */
export const BOOT_WASM = join(root, "build", "boot.wasm");
/** Slot size of the simulated devices: a 64 KiB .wasm (the firmware's limit) with its header and TLVs. */
export const WASM_SLOT_SECTORS = 17;

/** Sectors the update partition takes for slots of `slotSectors` (two slots, scratch, two log sectors, boot block). */
export function partitionSectors(slotSectors = WASM_SLOT_SECTORS): number {
  return PARTITION_FIXED_SECTORS + 2 * slotSectors;
}

/** Where the partition of `flash` is, when it has a valid boot block. */
export function partitionOf(flash: Flash): PartitionLayout | null {
  const block = new BootBlock();
  const at = bootBlockSector(flash.bytes.length, flash.sectorSize) * flash.sectorSize;
  const layout = new PartitionLayout();
  if (decodeBootBlock(flash.bytes, at, BOOT_BLOCK_SIZE, block) < 0) return null;
  return layoutPartition(flash.bytes.length, flash.sectorSize, block.slotSectors, layout) < 0 ? null : layout;
}

export interface PartitionProvision {
  /** The device kind (osdp_PDID model: DEVICE_LOCKBOX, DEVICE_READER). */
  model: number;
  /** The key images must be signed with (its public half goes into the boot block). */
  key: KeyObject;
  /** The first image, put into the primary slot: a signed image, as `lockbox image sign` writes it. */
  image: Uint8Array;
  slotSectors?: number;
}

/** Writes the boot block into the last sector and the image into the primary slot (logs erased: the image is confirmed). */
export function provisionPartition(flash: Flash, p: PartitionProvision): PartitionLayout {
  const slotSectors = p.slotSectors ?? WASM_SLOT_SECTORS;
  const layout = new PartitionLayout();
  if (layoutPartition(flash.bytes.length, flash.sectorSize, slotSectors, layout) < 0) throw new Error("the flash is too small for the update partition");
  if (p.image.length > layout.slotBytes()) throw new Error(`the image (${p.image.length} bytes) does not fit a ${layout.slotBytes()}-byte slot`);
  const block = new BootBlock();
  block.deviceModel = p.model;
  block.slotSectors = slotSectors;
  block.publicKey.set(rawPublicKey(createPublicKey(p.key)));
  const sector = flash.sectorSize;
  flash.bytes.fill(0xff, layout.primary * sector, (layout.bootBlock + 1) * sector);
  encodeBootBlock(block, flash.bytes, layout.bootBlock * sector);
  flash.bytes.set(p.image, layout.primary * sector);
  return layout;
}

/**
 * The development image-signing key of a simulated world: an Ed25519 private key whose seed is
 * SHA-256("lockbox simulated image key" ‖ seed). Anyone can derive it: simulated devices only.
 */
export function devImageKey(seed: number): KeyObject {
  const secret = createHash("sha256").update(`lockbox simulated image key ${seed >>> 0}`).digest();
  return createPrivateKey({ key: Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), secret]), format: "der", type: "pkcs8" });
}

const signed = new Map<string, Uint8Array>();

/** `wasmPath` signed as `version` for `model` with `key` (cached per file state, version and key). */
export function signedFirmware(wasmPath: string, version: string, model: number, key: KeyObject): Uint8Array {
  const id = `${wasmPath}:${statSync(wasmPath).mtimeMs}:${version}:${model}:${Buffer.from(rawPublicKey(createPublicKey(key))).toString("hex")}`;
  let image = signed.get(id);
  if (!image) {
    image = signImage({ payload: new Uint8Array(readFileSync(wasmPath)), version: parseVersion(version), device: model, key });
    signed.set(id, image);
  }
  return image;
}
