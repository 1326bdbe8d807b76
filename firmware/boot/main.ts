/**
 * The boot code (protocol/SPEC.md Image §6): the trusted program that runs before the application
 * at every reset and decides what runs. In the simulator the host runs build/boot.wasm and then
 * loads the application from the primary slot; on an MCU the same code, through wasm2c, jumps to it.
 *
 *   a swap under way (a power cut)          → finish it
 *   the primary is on trial, unconfirmed    → the new image reset before confirming: swap back
 *   the application accepted a new image    → verify it (signature too); swap it in for a test boot,
 *                                             or refuse it (the old image keeps running)
 *   then verify the primary (hash, signature, device) and boot it
 *
 * Flash only (firmware/hal/hal.ts); all memory static.
 */
import { halFlashRead } from "../hal/hal";
import { UpdatePartition } from "../services/boot-log";
import { ImageCheck, SignatureCheck, CHECK_PENDING } from "../services/image-check";
import { ed25519VerifyStart, ed25519VerifyStep, ED25519_PENDING } from "../crypto/signature";
import { swapSlots, resumeSwap } from "./swap";
import { ImageHeader, ImageVersion, decodeImageHeader, IMAGE_HEADER_SIZE } from "../../protocol/image/image";
import {
  LOG_RECORD_SIZE, SWAP_NONE, SWAP_TEST, SWAP_REVERT, PRIMARY_TESTING, SECONDARY_PENDING, encodeRejected,
} from "../../protocol/image/partition";
import { ERR_IMAGE_NO_PARTITION } from "../../protocol/image/errors";

/** boot() results (≥ 0: boot the primary slot; the value says what happened before). */
export const BOOT_NORMAL: i32 = 0;
/** A new image was swapped in: this boot is its test boot. */
export const BOOT_TEST: i32 = 1;
/** The image on trial reset before confirming: the old image was swapped back. */
export const BOOT_REVERTED: i32 = 2;
/** The image the application accepted failed verification (its reason is logged); the old one runs. */
export const BOOT_REJECTED: i32 = 3;
/** A flash error stopped a swap or a log write (the next reset tries again). */
export const ERR_BOOT_FLASH: i32 = -1;

/** The Ed25519 check of firmware/crypto/signature.ts, in the steps ImageCheck drives. */
class Ed25519Signature implements SignatureCheck {
  begin(key: Uint8Array, sig: Uint8Array, sigOff: i32, digest: Uint8Array): i32 {
    const rc = ed25519VerifyStart(key, 0, 32, sig, sigOff, 64, digest, 0, 32);
    return rc == ED25519_PENDING ? CHECK_PENDING : rc;
  }
  step(): i32 {
    const rc = ed25519VerifyStep();
    return rc == ED25519_PENDING ? CHECK_PENDING : rc;
  }
}

const partition = new UpdatePartition();
const check = new ImageCheck();
const signature = new Ed25519Signature();
const record = new Uint8Array(LOG_RECORD_SIZE);
const headerBuf = new Uint8Array(IMAGE_HEADER_SIZE);
const header = new ImageHeader();
const running = new ImageVersion();

/** Checks the image in the slot starting at sector `first` completely; `replacing`: the version it would replace. */
function verifySlot(first: i32, replacing: ImageVersion | null): i32 {
  const p = partition;
  check.start(p.address(first, 0), p.layout.slotBytes(), -1, p.block.publicKey, p.block.deviceModel, replacing, signature);
  return check.run();
}

/** The version in the primary slot's header, or null when it has none. */
function primaryVersion(): ImageVersion | null {
  if (halFlashRead(partition.address(partition.layout.primary, 0), headerBuf.dataStart, IMAGE_HEADER_SIZE) != 0) return null;
  if (decodeImageHeader(headerBuf, 0, IMAGE_HEADER_SIZE, header) < 0) return null;
  running.copyFrom(header.version);
  return running;
}

let lastAction: i32 = BOOT_NORMAL;
let lastVerdict: i32 = 0;

/**
 * Runs the boot decision (file comment). Returns BOOT_* (≥ 0: the primary slot holds a verified
 * image to start), or a negative code: ERR_IMAGE_NO_PARTITION, ERR_BOOT_FLASH, or the primary
 * image's refusal (ERR_IMAGE_*) when nothing bootable is left.
 */
export function boot(): i32 {
  lastAction = BOOT_NORMAL;
  lastVerdict = 0;
  const p = partition;
  if (!p.mount()) return ERR_IMAGE_NO_PARTITION;
  const s = p.state;
  if (s.swapKind != SWAP_NONE) {
    const kind = s.swapKind;
    if (resumeSwap(p) != 0) return ERR_BOOT_FLASH;
    lastAction = kind == SWAP_TEST ? BOOT_TEST : BOOT_REVERTED;
  } else if (s.primary == PRIMARY_TESTING) {
    if (swapSlots(p, SWAP_REVERT) != 0) return ERR_BOOT_FLASH;
    lastAction = BOOT_REVERTED;
  } else if (s.secondary == SECONDARY_PENDING) {
    const verdict = verifySlot(p.layout.secondary, primaryVersion());
    lastVerdict = verdict;
    if (verdict == 0) {
      if (swapSlots(p, SWAP_TEST) != 0) return ERR_BOOT_FLASH;
      lastAction = BOOT_TEST;
    } else {
      encodeRejected(verdict, record, 0);
      if (p.append(record) != 0) return ERR_BOOT_FLASH;
      lastAction = BOOT_REJECTED;
    }
  }
  let rc = verifySlot(p.layout.primary, null);
  if (rc != 0 && p.state.primary == PRIMARY_TESTING) {
    // The new image does not verify in place: put the old one back now rather than boot it.
    if (swapSlots(p, SWAP_REVERT) != 0) return ERR_BOOT_FLASH;
    lastAction = BOOT_REVERTED;
    rc = verifySlot(p.layout.primary, null);
  }
  return rc != 0 ? rc : lastAction;
}

/** What the last boot() did (BOOT_*), for the host's log. */
export function bootAction(): i32 {
  return lastAction;
}

/** The pending image's verdict in the last boot() (0 when none was checked or it passed). */
export function bootVerdict(): i32 {
  return lastVerdict;
}
