// Recording one field update write by write (test/update/powercut.test.ts, bench/update.bench.ts):
// every flash write with the step of the update it belongs to.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { Flash, type FlashWrite } from "../../simulator/host/flash.ts";
import { memoryUart } from "../../simulator/host/uart.ts";
import { runUpdate } from "../../simulator/image/update-client.ts";
import { partitionOf } from "../../simulator/image/provision.ts";
import { LOCKBOX_WASM } from "../../simulator/world/lockbox.ts";
import { recordStatus, LOG_RECORD_SIZE } from "../../protocol/image/partition.ts";
import * as P from "../../protocol/image/partition.ts";
import { bootableBox, bootableReader, firmware, opens, READER_WASM } from "./support.ts";

export type Phase = "transfer" | "verification" | "swap" | "confirmation";
/** Which step of the update a write belongs to, from where it goes and what log record it writes. */
function classify(op: FlashWrite, flash: Flash, current: Phase): Phase {
  const l = partitionOf(flash)!;
  const sector = op.kind === "erase" ? op.sector : Math.floor(op.addr / flash.sectorSize);
  if (sector === l.primary || (sector > l.primary && sector < l.secondary) || sector === l.scratch) return "swap";
  if (sector >= l.secondary && sector < l.scratch) return current === "swap" ? "swap" : "transfer";
  if (op.kind === "program" && op.data.length === LOG_RECORD_SIZE && recordStatus(op.data, 0) === 1) {
    const type = op.data[0];
    if (type === P.REC_TRANSFER_BEGIN || type === P.REC_TRANSFER_PROGRESS) return "transfer";
    if (type === P.REC_ACCEPTED || type === P.REC_REJECTED) return "verification";
    if (type === P.REC_SWAP_BEGIN || type === P.REC_SWAP_STEP || type === P.REC_SWAP_DONE) return "swap";
    if (type === P.REC_CONFIRMED) return "confirmation";
  }
  return current; // a log compaction: part of the step that needed the room
}

export const sha = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");

export interface Sweep {
  device: "lockbox" | "reader";
  before: Uint8Array;
  ops: FlashWrite[];
  phases: Phase[];
  scbk: Uint8Array;
  image: Uint8Array;
  /** SHA-256 of the firmware .wasm both images carry (they differ in their version). */
  app: string;
}

/** Records one update, write by write. */
export async function record(device: "lockbox" | "reader"): Promise<Sweep> {
  let flash: Flash;
  let link: ReturnType<typeof memoryUart>;
  let scbk: Uint8Array;
  if (device === "lockbox") {
    const b = bootableBox();
    // Something to keep: audit records of two openings.
    if (!opens(b) || !opens(b)) throw new Error("the box does not open before the update");
    flash = b.box.host.flash;
    link = b.box.serviceLink();
    scbk = b.box.scbk;
  } else {
    const r = bootableReader();
    flash = r.host.flash;
    link = r.link();
    scbk = r.scbk;
  }
  const before = flash.bytes.slice();
  const ops: FlashWrite[] = [];
  const phases: Phase[] = [];
  let phase: Phase = "transfer";
  flash.onWrite = (op) => {
    ops.push(op);
    phase = classify(op, flash, phase);
    phases.push(phase);
  };
  const image = firmware("1.1.0", device);
  const r = await runUpdate(link, { scbk, image });
  flash.onWrite = null;
  if (r.outcome !== "installed") throw new Error(`the recorded update did not install: ${r.message}`);
  const wasm = device === "lockbox" ? LOCKBOX_WASM : READER_WASM;
  return { device, before, ops, phases, scbk, image, app: sha(readFileSync(wasm)) };
}

