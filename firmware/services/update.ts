/**
 * Field update, the application's side (protocol/SPEC.md Image §7): osdp_FILETRANSFER fragments
 * are programmed into the secondary slot (the PD accepts them only over the secure channel), the
 * progress is logged sector by sector so a cut link or a power cut resumes where it stood, and the
 * complete image is checked (firmware/services/image-check.ts: everything but the signature) in
 * bounded steps driven by the ACU's keep-alives. An acceptable image is marked for the boot code,
 * which verifies the signature, swaps it in for a test boot and reverts unless the new image
 * confirms itself (confirm()). IMAGE STATUS reports all of it (protocol/service/image.ts).
 * Shared by the lockbox and the reader; all memory is allocated at construction.
 */
import { halFlashRead, halFlashProgram, halFlashErase } from "../hal/hal";
import { UpdatePartition } from "./boot-log";
import { ImageCheck, CHECK_PENDING } from "./image-check";
import { OsdpFileTransfer } from "../../protocol/osdp/commands";
import {
  OsdpFileStatus, FT_STATUS_OK, FT_STATUS_REBOOTING, FT_STATUS_FINISHING, FT_STATUS_ABORT, FT_STATUS_UNRECOGNISED, FT_STATUS_MALFORMED,
} from "../../protocol/osdp/replies";
import { crc32Continue } from "../../protocol/crc";
import { ImageHeader, ImageVersion, decodeImageHeader, IMAGE_HEADER_SIZE, IMAGE_MAGIC, TLV_INFO_SIZE, tlvOffset } from "../../protocol/image/image";
import {
  REC_ACCEPTED, REC_CONFIRMED, LOG_RECORD_SIZE, PRIMARY_TESTING, SECONDARY_RECEIVING, SECONDARY_RECEIVED, SECONDARY_PENDING,
  encodeMarker, encodeTransferBegin, encodeTransferProgress, encodeRejected,
} from "../../protocol/image/partition";
import {
  ERR_IMAGE_MAGIC, ERR_IMAGE_HEADER, ERR_IMAGE_DEVICE, ERR_IMAGE_TOO_LARGE, ERR_IMAGE_TRUNCATED, ERR_IMAGE_NO_PARTITION, ERR_IMAGE_OFFSET,
} from "../../protocol/image/errors";
import { ImageStatus } from "../../protocol/service/image";

/** FtType of a firmware image: 1, "opaque file contents recognizable by this specific PD" (OSDP v2.2 §6.26). */
export const FILE_TYPE_IMAGE: u8 = 1;
/**
 * The largest FtFragmentSize taken: its secure packet (8 bytes of header and SCB, the command code,
 * 11 + 996 bytes of data with the 80 pad in 1008 encrypted bytes, the MAC and the CRC) is 1022 bytes,
 * within OSDP_MAX_PACKET.
 */
export const FRAGMENT_MAX: i32 = 996;
/** Check steps per osdp_FILETRANSFER keep-alive (each hashes at most 4 KiB of flash). */
const CHECK_STEPS_PER_EVENT: i32 = 4;
const PAGE: i32 = 256;

/** The update service of one device; see the file comment. */
export class FirmwareUpdate {
  readonly partition: UpdatePartition = new UpdatePartition();
  readonly check: ImageCheck = new ImageCheck();
  /** The running image's version (the primary slot's header), when it has one. */
  readonly running: ImageVersion = new ImageVersion();
  hasRunning: bool = false;
  /** Set when a reset must follow the reply just sent (an image was accepted): the app calls halSystemReset. */
  resetRequested: bool = false;
  private readonly model: u8;
  private received: i32 = 0;
  private crc: u32 = 0;
  private checking: bool = false;
  /** A sector of the secondary slot erased ahead (afterReply) and not programmed since, or -1. */
  private erasedAhead: i32 = -1;
  /** A refusal that changed nothing on flash (reported until the next one or a reset). */
  private refusal: i32 = 0;
  private readonly record: Uint8Array = new Uint8Array(LOG_RECORD_SIZE);
  private readonly header: ImageHeader = new ImageHeader();
  private readonly headerBuf: Uint8Array = new Uint8Array(IMAGE_HEADER_SIZE);

  /** For a device of `model` (the osdp_PDID model byte: DEVICE_LOCKBOX, DEVICE_READER). */
  constructor(model: u8) {
    this.model = model;
  }

  /** At power-on: mounts the partition (none, or one provisioned for another model, means no updates) and reads the running version. */
  start(): bool {
    const p = this.partition;
    if (!p.mount() || p.block.deviceModel != this.model) {
      p.present = false;
      return false;
    }
    this.hasRunning = this.readHeader(p.layout.primary);
    if (this.hasRunning) this.running.copyFrom(this.header.version);
    this.received = i32(p.state.received);
    this.crc = p.state.crc;
    return true;
  }

  /** True when this run is a test boot: the boot code swapped a new image in and waits for its confirmation. */
  testing(): bool {
    return this.partition.present && this.partition.state.primary == PRIMARY_TESTING;
  }

  /** The image passed its self-test: makes it permanent (no revert at the next reset). 0, or -1 on a flash error. */
  confirm(): i32 {
    if (!this.testing()) return 0;
    encodeMarker(REC_CONFIRMED, this.record, 0);
    return this.partition.append(this.record);
  }

  private readHeader(sector: i32): bool {
    if (halFlashRead(this.partition.address(sector, 0), this.headerBuf.dataStart, IMAGE_HEADER_SIZE) != 0) return false;
    return decodeImageHeader(this.headerBuf, 0, IMAGE_HEADER_SIZE, this.header) >= 0;
  }

  /** osdp_FILETRANSFER: one fragment (or a keep-alive); fills the osdp_FTSTAT reply. Always answers. */
  fileTransfer(cmd: OsdpFileTransfer, st: OsdpFileStatus): bool {
    st.action = 0;
    st.delay = 0;
    st.updateMsgMax = u16(FRAGMENT_MAX);
    st.status = this.transfer(cmd);
    return true;
  }

  private transfer(cmd: OsdpFileTransfer): i32 {
    const p = this.partition;
    if (!p.present) return this.refuse(ERR_IMAGE_NO_PARTITION);
    if (cmd.fileType != FILE_TYPE_IMAGE) return FT_STATUS_UNRECOGNISED;
    const state = p.state;
    if (cmd.dataLen == 0) {
      if (this.checking) return this.checkSome();
      if (state.secondary == SECONDARY_PENDING) return this.accepted();
      if (state.secondary == SECONDARY_RECEIVED) return this.startCheck();
      return FT_STATUS_OK;
    }
    const total = i32(cmd.totalSize);
    if (cmd.offset == 0) {
      const early = this.firstFragment(cmd);
      if (early < 0) return this.refuse(early);
      if (p.reserve(p.layout.slotSectors + 4) != 0) return FT_STATUS_ABORT;
      encodeTransferBegin(cmd.totalSize, this.record, 0);
      if (p.append(this.record) != 0) return FT_STATUS_ABORT;
      this.received = 0;
      this.crc = 0;
      this.erasedAhead = -1;
    } else if (state.secondary == SECONDARY_RECEIVING && cmd.totalSize == state.total && (i32(cmd.offset) == this.received || cmd.offset == state.received)) {
      if (i32(cmd.offset) != this.received) {
        // A resume from the last logged sector: the bytes after it are written again.
        this.received = i32(state.received);
        this.crc = state.crc;
      }
    } else {
      return this.refuse(ERR_IMAGE_OFFSET);
    }
    this.checking = false;
    this.refusal = 0;
    if (this.write(cmd.data, cmd.dataLen, total) != 0) return FT_STATUS_ABORT;
    return this.received == total ? this.startCheck() : FT_STATUS_OK;
  }

  /** What the first fragment already shows (nothing is written for a refusal): size, magic, header, a length too short for it. */
  private firstFragment(cmd: OsdpFileTransfer): i32 {
    const total = i32(cmd.totalSize);
    if (total > this.partition.layout.slotBytes()) return ERR_IMAGE_TOO_LARGE;
    const d = cmd.data;
    if (cmd.dataLen >= 4 && (u32(d[0]) | (u32(d[1]) << 8) | (u32(d[2]) << 16) | (u32(d[3]) << 24)) != IMAGE_MAGIC) return ERR_IMAGE_MAGIC;
    if (cmd.dataLen >= IMAGE_HEADER_SIZE) {
      const rc = decodeImageHeader(d, 0, IMAGE_HEADER_SIZE, this.header);
      if (rc < 0) return rc;
      if (tlvOffset(this.header) + u32(this.header.protectedTlvSize + TLV_INFO_SIZE) > u32(total)) return ERR_IMAGE_TRUNCATED;
    }
    return 0;
  }

  /** Programs the fragment at the transfer's offset, erasing each sector as it is entered; logs every completed sector. */
  private write(data: Uint8Array, len: i32, total: i32): i32 {
    const p = this.partition;
    const sectorSize = p.layout.sectorSize;
    let done = 0;
    while (done < len) {
      const at = this.received;
      const sector = at / sectorSize;
      if (at % sectorSize == 0 && this.erasedAhead != sector && halFlashErase(p.layout.secondary + sector) != 0) return -1;
      if (this.erasedAhead == sector) this.erasedAhead = -1;
      const n = min(len - done, PAGE - (at % PAGE));
      if (halFlashProgram(p.address(p.layout.secondary, at), data.dataStart + <usize>done, n) != 0) return -1;
      this.crc = crc32Continue(this.crc, data, done, n);
      this.received = at + n;
      done += n;
      if (this.received % sectorSize == 0 || this.received == total) {
        encodeTransferProgress(u32(this.received), this.crc, this.record, 0);
        if (p.append(this.record) != 0) return -1;
      }
    }
    return 0;
  }

  /**
   * Called once the reply to a command is out: erases the sector the transfer enters next, so that
   * a NOR erase (tens of ms) overlaps the next fragment's time on the wire instead of delaying a
   * reply. A power cut here loses nothing: the log never points past what was programmed.
   */
  afterReply(): void {
    const p = this.partition;
    if (!p.present || this.checking || p.state.secondary != SECONDARY_RECEIVING) return;
    const sectorSize = p.layout.sectorSize;
    const next = (this.received + sectorSize - 1) / sectorSize;
    if (next * sectorSize >= i32(p.state.total) || next == this.erasedAhead) return;
    if (halFlashErase(p.layout.secondary + next) == 0) this.erasedAhead = next;
  }

  private startCheck(): i32 {
    const p = this.partition;
    this.check.start(p.address(p.layout.secondary, 0), p.layout.slotBytes(), i32(p.state.total), p.block.publicKey, this.model,
      this.hasRunning ? this.running : null, null);
    this.checking = true;
    return this.checkSome();
  }

  private checkSome(): i32 {
    let rc = CHECK_PENDING;
    for (let i = 0; i < CHECK_STEPS_PER_EVENT && rc == CHECK_PENDING; i++) rc = this.check.step();
    if (rc == CHECK_PENDING) return FT_STATUS_FINISHING;
    this.checking = false;
    if (rc == 0) {
      encodeMarker(REC_ACCEPTED, this.record, 0);
      if (this.partition.append(this.record) != 0) return FT_STATUS_ABORT;
      return this.accepted();
    }
    encodeRejected(rc, this.record, 0);
    this.partition.append(this.record);
    return ftStatusOf(rc);
  }

  private accepted(): i32 {
    this.resetRequested = true;
    return FT_STATUS_REBOOTING;
  }

  private refuse(code: i32): i32 {
    this.refusal = code;
    return ftStatusOf(code);
  }

  /** Fills the IMAGE STATUS body (Image §8). */
  status(s: ImageStatus): void {
    const p = this.partition;
    s.partition = p.present;
    s.maxFragment = u16(FRAGMENT_MAX);
    s.lastResult = this.refusal;
    if (!p.present) return;
    const state = p.state;
    s.deviceModel = p.block.deviceModel;
    s.slotBytes = u32(p.layout.slotBytes());
    s.primaryState = state.primary;
    s.primaryVersion.copyFrom(this.running);
    s.secondaryState = state.secondary;
    if (this.readHeader(p.layout.secondary)) s.secondaryVersion.copyFrom(this.header.version);
    else s.secondaryVersion.set(0, 0, 0, 0);
    s.transferTotal = state.total;
    // Where a transfer of the same file resumes: its logged bytes while receiving, all of them once complete.
    const inTransfer = state.secondary == SECONDARY_RECEIVING || state.secondary == SECONDARY_RECEIVED || state.secondary == SECONDARY_PENDING;
    s.resumeOffset = inTransfer ? state.received : 0;
    s.resumeCrc = inTransfer ? state.crc : 0;
    if (this.refusal == 0) s.lastResult = state.lastResult;
  }
}

/** FtStatusDetail for a refusal: abort (no partition, a fragment out of place), not an image for this device (-2), or an unacceptable one (-3). */
function ftStatusOf(code: i32): i32 {
  if (code == ERR_IMAGE_NO_PARTITION || code == ERR_IMAGE_OFFSET) return FT_STATUS_ABORT;
  return code == ERR_IMAGE_MAGIC || code == ERR_IMAGE_HEADER || code == ERR_IMAGE_DEVICE ? FT_STATUS_UNRECOGNISED : FT_STATUS_MALFORMED;
}
