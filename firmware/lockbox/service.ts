/**
 * The service port (protocol/SPEC.md Lockbox §6): an OSDP peripheral device on the UART answering ID, CAP,
 * LSTAT, POLL, the lockbox MFG sub-commands (protocol/service/mfg.ts) and IMAGE STATUS, and taking
 * signed firmware images by osdp_FILETRANSFER (firmware/services/update.ts; Image §7). Reads are
 * allowed in the clear; SET TIME and file transfers change state and are refused outside the secure
 * channel. Secrets never leave.
 */
import { OsdpPd } from "../services/osdp/pd";
import { OsdpPdHandler, POLL_IDLE, MFG_REPLY, MFG_UNABLE } from "../services/osdp/handler";
import { OsdpVendorData } from "../../protocol/osdp/payload";
import { OsdpOut, OsdpLed, OsdpBuz, OsdpComSettings, OsdpFileTransfer } from "../../protocol/osdp/commands";
import { OsdpPdId, OsdpPdCap, OsdpLocalStatus, OsdpRawCard, OsdpKeypad, OsdpFileStatus } from "../../protocol/osdp/replies";
import { encodeSettings, SETTINGS_SIZE, CODE_WIDTH, TZ_RULE_WIDTH } from "../../protocol/card/layouts";
import { AUDIT_RECORD_SIZE } from "../../protocol/card/records";
import * as M from "../../protocol/service/mfg";
import { writeReplyHeader } from "../../protocol/service/reader";
import * as E from "../../protocol/service/errors";
import { Aes128 } from "../crypto/index";
import { halUartTransmit, halRandomBytes, halBatteryMillivolts, halSystemReset } from "../hal/hal";
import { seqOf } from "../services/journal";
import { readU32BE, writeU32BE } from "../../protocol/bytes";
import { factory, settings, ownerSerial, listing, denylistVersionKept, denylistCountKept } from "./config";
import { FirmwareUpdate } from "../services/update";
import { ImageStatus, MFG_IMAGE_STATUS, encodeImageStatus } from "../../protocol/service/image";
import { DEVICE_LOCKBOX } from "../../protocol/image/image";
import { journal, logEvent, EVENT_CLOCK_SET } from "./audit";
import { clock } from "./access";

/** Firmware version reported by osdp_PDID and STATUS when the box has no update partition (major.minor as 0x0100 = 1.0). */
export const FIRMWARE_VERSION: u16 = 0x0100;

/** The field update service (Image §7): the running image's version, transfers into the secondary slot. */
export const update = new FirmwareUpdate(DEVICE_LOCKBOX);
const imageStatus = new ImageStatus();

/** major.minor of the running image (its header), or FIRMWARE_VERSION. */
function firmwareVersion(): u16 {
  return update.hasRunning ? u16((u32(update.running.major) << 8) | u32(update.running.minor)) : FIRMWARE_VERSION;
}
/** Below this battery voltage LSTAT reports a power problem (mV). */
const LOW_BATTERY_MV: i32 = 4400;
/** SET TIME accepts 2000-01-01 .. 2105-12-31. */
const MIN_TIME: u32 = 946684800;
const MAX_TIME: u32 = 4291747199;

const status = new M.LockboxStatus();
const record = new Uint8Array(AUDIT_RECORD_SIZE);
const stamp = new Uint8Array(12);

class LockboxService implements OsdpPdHandler {
  pd: OsdpPd | null = null;

  identify(into: OsdpPdId): void {
    into.vendor = M.LOCKBOX_VENDOR;
    into.model = 0x4c;
    into.version = 1;
    into.serial = factory.lockboxId;
    into.fwMajor = u8(firmwareVersion() >> 8);
    into.fwMinor = u8(firmwareVersion());
    into.fwBuild = update.hasRunning ? u8(update.running.revision) : 0;
  }

  capabilities(into: OsdpPdCap): void {
    // 9: communication security (AES-128); 10: receive buffer size 1024.
    into.count = 2;
    into.entries[0].functionCode = 9;
    into.entries[0].compliance = 1;
    into.entries[0].count = 0;
    into.entries[1].functionCode = 10;
    into.entries[1].compliance = 0;
    into.entries[1].count = 4;
  }

  localStatus(into: OsdpLocalStatus): void {
    into.tamper = 0;
    into.power = halBatteryMillivolts() < LOW_BATTERY_MV ? 1 : 0;
  }

  poll(raw: OsdpRawCard, keypad: OsdpKeypad): i32 {
    return POLL_IDLE;
  }

  output(cmd: OsdpOut): bool {
    return false;
  }

  led(cmd: OsdpLed): bool {
    return false;
  }

  buzzer(cmd: OsdpBuz): bool {
    return false;
  }

  comSet(cmd: OsdpComSettings): bool {
    return false;
  }

  storeScbk(key: Uint8Array, off: i32): bool {
    return false;
  }

  fileTransfer(cmd: OsdpFileTransfer, st: OsdpFileStatus): bool {
    return update.fileTransfer(cmd, st);
  }

  mfg(cmd: OsdpVendorData, reply: OsdpVendorData): i32 {
    if (cmd.vendor != M.LOCKBOX_VENDOR) return MFG_UNABLE;
    reply.vendor = M.LOCKBOX_VENDOR;
    const sub = cmd.dataLen > 0 ? cmd.data[0] : u8(0);
    let st = 0;
    let len = M.MFG_LB_HEADER;
    if (sub == M.MFG_LB_STATUS && cmd.dataLen == 1) {
      fillStatus();
      len += M.encodeLockboxStatus(status, reply.data, M.MFG_LB_HEADER, reply.data.length - M.MFG_LB_HEADER);
    } else if (sub == M.MFG_LB_READ_SETTINGS && cmd.dataLen == 1) {
      len += encodeSettings(settings, reply.data, M.MFG_LB_HEADER, SETTINGS_SIZE);
      if (!(this.pd != null && this.pd!.secure())) hideCodes(reply.data, M.MFG_LB_HEADER);
    } else if (sub == M.MFG_LB_READ_LOG && cmd.dataLen == 6) {
      const r = readLog(cmd.data, reply.data);
      if (r < 0) st = r;
      else len += r;
    } else if (sub == MFG_IMAGE_STATUS && cmd.dataLen == 1) {
      update.status(imageStatus);
      len += encodeImageStatus(imageStatus, reply.data, M.MFG_LB_HEADER, reply.data.length - M.MFG_LB_HEADER);
    } else if (sub == M.MFG_LB_SET_TIME && cmd.dataLen == 5) {
      st = setTime(cmd.data, this.pd != null && this.pd!.secure());
    } else {
      st = E.ERR_SVC_BAD_COMMAND;
    }
    if (st < 0) len = M.MFG_LB_HEADER;
    writeReplyHeader(sub, st, reply.data, 0);
    reply.dataLen = len;
    return MFG_REPLY;
  }

  random(out: Uint8Array, off: i32, len: i32): void {
    halRandomBytes(out.dataStart + <usize>off, len);
  }

  transmit(buf: Uint8Array, off: i32, len: i32): void {
    halUartTransmit(buf.dataStart + <usize>off, len);
  }
}

/** Offsets of the CBS, privacy and shackle code fields in the settings layout (protocol/SPEC.md Card §3.4). */
const CODE_FIELDS_SIZE: i32 = 3 * CODE_WIDTH;
/** The three codes come just before the TZ rule, the layout's last field. */
const CODE_FIELDS_AT: i32 = SETTINGS_SIZE - TZ_RULE_WIDTH - CODE_FIELDS_SIZE;

/** In the clear the codes read as "no code" (all f): they open things, and the link is not secret. */
function hideCodes(out: Uint8Array, off: i32): void {
  for (let i = 0; i < CODE_FIELDS_SIZE; i++) out[off + CODE_FIELDS_AT + i] = 0xff;
}

function fillStatus(): void {
  status.lockboxId = factory.lockboxId;
  status.associationId = factory.associationId;
  status.firmwareVersion = firmwareVersion();
  status.utc = clock.now();
  status.clockTrusted = clock.trusted;
  status.batteryMillivolts = u16(halBatteryMillivolts());
  status.nextSequence = journal.nextSeq;
  status.logCapacity = u16(journal.capacity());
  status.settingsVersion = settings.version;
  status.denylistVersion = denylistVersionKept;
  status.denylistCount = u16(denylistCountKept);
  status.ownerSerial = ownerSerial;
  for (let i = 0; i < 12; i++) status.listing[i] = listing[i];
}

/** READ LOG body: count (1) ‖ records; from the asked sequence (or the oldest kept above it). */
function readLog(data: Uint8Array, out: Uint8Array): i32 {
  const from = readU32BE(data, 1);
  const max = i32(data[5]);
  if (max < 1 || max > M.MAX_LOG_RECORDS) return E.ERR_SVC_BAD_COMMAND;
  let slot = journal.findFrom(from, record, 0);
  if (slot < 0) return E.ERR_SVC_NO_RECORD;
  let n = 0;
  let last: u32 = 0;
  for (let step = 0; step < journal.totalSlots && n < max; step++) {
    if (step > 0) {
      slot = journal.nextSlot(slot);
      if (slot == journal.head) break;
      if (!journal.readSlot(slot, record, 0)) continue;
    }
    const s = seqOf(record, 0);
    if (n > 0 && s <= last) break;
    for (let i = 0; i < AUDIT_RECORD_SIZE; i++) out[M.MFG_LB_HEADER + 1 + n * AUDIT_RECORD_SIZE + i] = record[i];
    n++;
    last = s;
  }
  out[M.MFG_LB_HEADER] = u8(n);
  return 1 + n * AUDIT_RECORD_SIZE;
}

function setTime(data: Uint8Array, secure: bool): i32 {
  if (!secure) return E.ERR_SVC_NEEDS_SECURE;
  const utc = readU32BE(data, 1);
  if (utc < MIN_TIME || utc > MAX_TIME) return E.ERR_SVC_BAD_TIME;
  const before = clock.setAuthenticated(utc);
  for (let i = 0; i < 12; i++) stamp[i] = 0;
  writeU32BE(stamp, 0, before);
  writeU32BE(stamp, 4, utc);
  return logEvent(clock.now(), EVENT_CLOCK_SET, 0, 0, stamp) == 0 ? E.ERR_SVC_FLASH : 0;
}

const service = new LockboxService();
let port: OsdpPd | null = null;

/** Starts the service port at OSDP address 0 with the factory SCBK (spec §6.1); the PD keeps its own copy. */
export function startService(key: Uint8Array, cipher: Aes128): void {
  const pd = new OsdpPd(0, key, cipher, service);
  pd.fileTransferNeedsSecure = true;
  port = pd;
  service.pd = pd;
}

/** Bytes received on the service UART; an accepted firmware image asks for the reset after its reply. */
export function serviceReceive(buf: Uint8Array, len: i32): void {
  if (port != null) port!.receive(buf, 0, len);
  if (update.resetRequested) halSystemReset();
  else update.afterReply();
}
