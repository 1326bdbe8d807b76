/**
 * Swapping the two image slots through the scratch sector (protocol/SPEC.md Image §6.4), one
 * sector at a time, three steps each: scratch ← secondary[i], secondary[i] ← primary[i],
 * primary[i] ← scratch. Each step erases its destination and copies; each completed step is logged,
 * and a step's source is intact until the step after it, so a power cut before any flash write is
 * resumed by redoing the first unlogged step. Only the sectors the two images occupy are swapped.
 */
import { halFlashRead, halFlashProgram, halFlashErase } from "../hal/hal";
import { UpdatePartition } from "../services/boot-log";
import { ImageHeader, decodeImageHeader, tlvOffset, IMAGE_HEADER_SIZE, TLV_INFO_MAGIC, TLV_INFO_SIZE } from "../../protocol/image/image";
import { LOG_RECORD_SIZE, SWAP_STEPS_PER_SECTOR, encodeSwapBegin, encodeSwapStep, encodeSwapDone } from "../../protocol/image/partition";

const PAGE: i32 = 256;
const page = new Uint8Array(PAGE);
const record = new Uint8Array(LOG_RECORD_SIZE);
const header = new ImageHeader();

/** Sectors the image in the slot starting at `first` occupies (the whole slot when its header or TLV info is unreadable). */
export function sectorsUsed(p: UpdatePartition, first: i32): i32 {
  const l = p.layout;
  if (halFlashRead(p.address(first, 0), page.dataStart, IMAGE_HEADER_SIZE) != 0) return l.slotSectors;
  if (decodeImageHeader(page, 0, IMAGE_HEADER_SIZE, header) < 0) return l.slotSectors;
  const info = i64(tlvOffset(header)) + i64(header.protectedTlvSize);
  if (info + i64(TLV_INFO_SIZE) > i64(l.slotBytes())) return l.slotSectors;
  if (halFlashRead(p.address(first, i32(info)), page.dataStart, TLV_INFO_SIZE) != 0) return l.slotSectors;
  if ((i32(page[0]) | (i32(page[1]) << 8)) != TLV_INFO_MAGIC) return l.slotSectors;
  const end = i32(info) + (i32(page[2]) | (i32(page[3]) << 8));
  return min(l.slotSectors, max(1, (end + l.sectorSize - 1) / l.sectorSize));
}

/** Erases sector `to` and copies sector `from` into it, skipping pages that are still erased. */
function copySector(p: UpdatePartition, from: i32, to: i32): i32 {
  if (halFlashErase(to) != 0) return -1;
  const size = p.layout.sectorSize;
  for (let at = 0; at < size; at += PAGE) {
    if (halFlashRead(p.address(from, at), page.dataStart, PAGE) != 0) return -1;
    let blank = true;
    for (let i = 0; i < PAGE && blank; i++) blank = page[i] == 0xff;
    if (!blank && halFlashProgram(p.address(to, at), page.dataStart, PAGE) != 0) return -1;
  }
  return 0;
}

/** Starts a swap of `kind` over the sectors both images occupy and runs it to the end; 0 or -1. */
export function swapSlots(p: UpdatePartition, kind: u8): i32 {
  const l = p.layout;
  const n = max(sectorsUsed(p, l.primary), sectorsUsed(p, l.secondary));
  if (p.reserve(SWAP_STEPS_PER_SECTOR * n + 2) != 0) return -1;
  encodeSwapBegin(kind, n, record, 0);
  if (p.append(record) != 0) return -1;
  return resumeSwap(p);
}

/** Runs the swap under way from its first unlogged step to the end, then logs it done; 0 or -1. */
export function resumeSwap(p: UpdatePartition): i32 {
  const l = p.layout;
  const s = p.state;
  const kind = s.swapKind;
  const steps = SWAP_STEPS_PER_SECTOR * s.swapSectors;
  for (let k = s.swapDone; k < steps; k++) {
    const i = k / SWAP_STEPS_PER_SECTOR;
    const step = k % SWAP_STEPS_PER_SECTOR + 1;
    const rc = step == 1 ? copySector(p, l.secondary + i, l.scratch)
      : step == 2 ? copySector(p, l.primary + i, l.secondary + i)
      : copySector(p, l.scratch, l.primary + i);
    if (rc != 0) return -1;
    encodeSwapStep(i, step, record, 0);
    if (p.append(record) != 0) return -1;
  }
  encodeSwapDone(kind, record, 0);
  return p.append(record);
}
