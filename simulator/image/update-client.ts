/**
 * The control panel's side of a field update (protocol/SPEC.md Image §7), over any byte link to a
 * device's service port: secure channel, IMAGE STATUS (what runs, where an earlier transfer of the
 * same file stands), osdp_FILETRANSFER from there, keep-alives while the device checks the image,
 * then the reset, the boot code's verdict and the test boot, and IMAGE STATUS again for the outcome.
 * A link that goes quiet mid-transfer is reopened and the transfer resumed from what the device
 * logged. Used by `lockbox update`, the tests and the bench.
 */
import { OsdpControlPanel, OsdpError, type ByteLink } from "../osdp/cp.ts";
import * as E from "../../protocol/osdp/errors.ts";
import { FT_STATUS_REBOOTING, FT_STATUS_PROCESSED } from "../../protocol/osdp/replies.ts";
import { READER_VENDOR, replyStatus, MFG_REPLY_HEADER, MFG_REPLY_BIT } from "../../protocol/service/reader.ts";
import { ImageStatus, MFG_IMAGE_STATUS, decodeImageStatus } from "../../protocol/service/image.ts";
import { crc32 } from "../../protocol/crc.ts";
import { imageErrorName, ERR_IMAGE_NO_PARTITION } from "../../protocol/image/errors.ts";
import * as P from "../../protocol/image/partition.ts";
import { describeImageError, deviceName, formatVersion } from "./image.ts";
import { ImageHeader, decodeImageHeader } from "../../protocol/image/image.ts";

/** FtType of a firmware image (firmware/services/update.ts). */
export const FILE_TYPE_IMAGE = 1;
/** The largest fragment a device takes over the secure channel (firmware/services/update.ts FRAGMENT_MAX). */
export const DEFAULT_FRAGMENT = 996;

/** Names of the slot states (Image §6.3), as IMAGE STATUS reports them. */
export const PRIMARY_STATES = ["confirmed", "testing"];
export const SECONDARY_STATES = ["empty", "receiving", "received", "pending", "rejected", "previous", "reverted"];

/** IMAGE STATUS in plain terms. */
export interface SlotReport {
  partition: boolean;
  device: string;
  slotBytes: number;
  primary: { state: string; version: string };
  secondary: { state: string; version: string };
  transfer: { total: number; resumeOffset: number };
  lastResult: null | { code: number; name: string; message: string };
}

export function slotReport(s: ImageStatus): SlotReport {
  const v = (x: { major: number; minor: number; revision: number; build: number }): string => formatVersion(x);
  return {
    partition: s.partition, device: deviceName(s.deviceModel), slotBytes: s.slotBytes,
    primary: { state: PRIMARY_STATES[s.primaryState] ?? String(s.primaryState), version: v(s.primaryVersion) },
    secondary: { state: SECONDARY_STATES[s.secondaryState] ?? String(s.secondaryState), version: v(s.secondaryVersion) },
    transfer: { total: s.transferTotal, resumeOffset: s.resumeOffset },
    lastResult: s.lastResult === 0 ? null : { code: s.lastResult, name: imageErrorName(s.lastResult) || String(s.lastResult), message: describeImageError(s.lastResult) },
  };
}

/** Reads IMAGE STATUS (MFG 0x20) over an established link. */
export async function readImageStatus(cp: OsdpControlPanel): Promise<ImageStatus> {
  const r = await cp.mfg(READER_VENDOR, Uint8Array.of(MFG_IMAGE_STATUS));
  if (!r || r.dataLen < MFG_REPLY_HEADER || r.data[0] !== (MFG_IMAGE_STATUS | MFG_REPLY_BIT)) throw new Error("the device does not answer IMAGE STATUS");
  const status = replyStatus(r.data, 0);
  if (status !== 0) throw new Error(`the device refused IMAGE STATUS (status ${status}): it has no update service`);
  const s = new ImageStatus();
  if (decodeImageStatus(r.data, MFG_REPLY_HEADER, r.dataLen - MFG_REPLY_HEADER, s) < 0) throw new Error("malformed IMAGE STATUS reply");
  return s;
}

export type UpdateOutcome = "installed" | "refused" | "boot-refused" | "reverted" | "failed";

export interface UpdateResult {
  ok: boolean;
  outcome: UpdateOutcome;
  device: string;
  from: string;
  to: string;
  imageBytes: number;
  /** Offset each transfer attempt started from (0, or where an earlier transfer of the same file stood). */
  resumedFrom: number[];
  /** Image bytes sent in osdp_FILETRANSFER fragments (resent ones included). */
  bytesSent: number;
  /** Wall time of the data fragments (first sent to last acknowledged) and of the whole update. */
  transferMs: number;
  totalMs: number;
  reason: SlotReport["lastResult"];
  after: SlotReport;
  message: string;
}

export interface UpdateOptions {
  scbk: Uint8Array;
  image: Uint8Array;
  fragmentSize?: number;
  /** Reply timeout per OSDP attempt (ms, default 1000). */
  timeoutMs?: number;
  /** How long the device may take to come back after the reset (ms, default 30000). */
  rebootTimeoutMs?: number;
  /** Times a cut link is reopened and the transfer resumed (default 5). */
  maxResumes?: number;
  onProgress?: (phase: "transfer" | "checking" | "rebooting", done: number, total: number) => void;
  /** Reopens the link after it went quiet (a serial port re-opened); the same link when absent. */
  reconnect?: () => Promise<ByteLink>;
}

const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Opens a control panel with a secure channel on `link` (the PD must hold `scbk`). */
async function session(link: ByteLink, scbk: Uint8Array, timeoutMs: number): Promise<OsdpControlPanel> {
  const cp = new OsdpControlPanel(link, { address: 0, scbk, timeoutMs, retries: 2 });
  try {
    await cp.establishSecureChannel();
    return cp;
  } catch (e) {
    cp.close();
    throw e;
  }
}

function versionOf(s: ImageStatus): string {
  return formatVersion(s.primaryVersion);
}

/** Runs a whole update (file comment). Resolves with the outcome; rejects only when the device cannot be reached at all. */
export async function runUpdate(link: ByteLink, o: UpdateOptions): Promise<UpdateResult> {
  const started = performance.now();
  // The device is the judge of the image; this side only reads the version it names, if any.
  const header = new ImageHeader();
  const target = decodeImageHeader(o.image, 0, o.image.length, header) >= 0 ? formatVersion(header.version) : "(no header)";
  const timeoutMs = o.timeoutMs ?? 1000;
  let cp = await session(link, o.scbk, timeoutMs);
  const id = await cp.id();
  let status = await readImageStatus(cp);
  const device = deviceName(id.model);
  const from = versionOf(status);
  const base = { device, from, to: target, imageBytes: o.image.length };
  if (!status.partition) {
    cp.close();
    return { ...base, ok: false, outcome: "refused", resumedFrom: [], bytesSent: 0, transferMs: 0, totalMs: performance.now() - started, reason: { code: ERR_IMAGE_NO_PARTITION, name: "ERR_IMAGE_NO_PARTITION", message: describeImageError(ERR_IMAGE_NO_PARTITION) }, after: slotReport(status), message: "the device has no update partition" };
  }
  const resumedFrom: number[] = [];
  let transferMs = 0;
  let bytesSent = 0;
  let final: number;
  for (let attempt = 0; ; attempt++) {
    const inTransfer = [P.SECONDARY_RECEIVING, P.SECONDARY_RECEIVED, P.SECONDARY_PENDING].includes(status.secondaryState);
    const offset = inTransfer && status.transferTotal === o.image.length && status.resumeOffset <= o.image.length
      && crc32(o.image, 0, status.resumeOffset) === status.resumeCrc ? status.resumeOffset : 0;
    resumedFrom.push(offset);
    const t0 = performance.now();
    let reached = offset;
    try {
      const st = await cp.fileTransfer(FILE_TYPE_IMAGE, o.image, {
        offset, fragmentSize: o.fragmentSize ?? DEFAULT_FRAGMENT,
        onProgress: (sent, total) => {
          bytesSent += sent - reached;
          reached = sent;
          o.onProgress?.(sent < total ? "transfer" : "checking", sent, total);
        },
      });
      transferMs += performance.now() - t0;
      final = st.status;
      break;
    } catch (e) {
      transferMs += performance.now() - t0;
      if (e instanceof OsdpError && e.ftStatus !== undefined) {
        status = await readImageStatus(cp);
        cp.close();
        const after = slotReport(status);
        return { ...base, ok: false, outcome: "refused", resumedFrom, bytesSent, transferMs, totalMs: performance.now() - started, reason: after.lastResult, after, message: `the device refused the image: ${after.lastResult?.message ?? `FtStatusDetail ${e.ftStatus}`}` };
      }
      if (!(e instanceof OsdpError) || e.code !== E.ERR_OSDP_TIMEOUT || attempt >= (o.maxResumes ?? 5)) throw e;
      // The link went quiet: reopen it, start a new session, and resume from what the device logged.
      cp.close();
      if (o.reconnect) link = await o.reconnect();
      cp = await reachable(link, o.scbk, timeoutMs, o.rebootTimeoutMs ?? 30_000);
      status = await readImageStatus(cp);
    }
  }
  cp.close();
  if (final !== FT_STATUS_REBOOTING && final !== FT_STATUS_PROCESSED) throw new Error(`unexpected final FtStatusDetail ${final}`);
  o.onProgress?.("rebooting", o.image.length, o.image.length);
  // The device resets: the boot code verifies the signature and swaps the image in; the new image confirms itself.
  const deadline = performance.now() + (o.rebootTimeoutMs ?? 30_000);
  await wait(50);
  if (o.reconnect) link = await o.reconnect();
  cp = await reachable(link, o.scbk, timeoutMs, o.rebootTimeoutMs ?? 30_000);
  status = await readImageStatus(cp);
  while (status.primaryState === P.PRIMARY_TESTING && performance.now() < deadline) {
    await wait(200);
    status = await readImageStatus(cp);
  }
  cp.close();
  const after = slotReport(status);
  const totalMs = performance.now() - started;
  const now = versionOf(status);
  if (status.primaryState === P.PRIMARY_CONFIRMED && now === target && status.secondaryState === P.SECONDARY_PREVIOUS) {
    return { ...base, ok: true, outcome: "installed", resumedFrom, bytesSent, transferMs, totalMs, reason: null, after, message: `installed ${target} (was ${from}); the ${device} confirmed it after its self-test` };
  }
  if (status.secondaryState === P.SECONDARY_REVERTED) {
    return { ...base, ok: false, outcome: "reverted", resumedFrom, bytesSent, transferMs, totalMs, reason: after.lastResult, after, message: `${target} did not confirm itself; the device reverted to ${now}` };
  }
  if (status.secondaryState === P.SECONDARY_REJECTED) {
    return { ...base, ok: false, outcome: "boot-refused", resumedFrom, bytesSent, transferMs, totalMs, reason: after.lastResult, after, message: `the boot code refused the image: ${after.lastResult?.message}; still running ${now}` };
  }
  return { ...base, ok: false, outcome: "failed", resumedFrom, bytesSent, transferMs, totalMs, reason: after.lastResult, after, message: `after the reset the device runs ${now} (${after.primary.state}), image slot ${after.secondary.state}` };
}

/** A secure session once the device answers again (after a reset or a cut link), or the last error after `limitMs`. */
async function reachable(link: ByteLink, scbk: Uint8Array, timeoutMs: number, limitMs: number): Promise<OsdpControlPanel> {
  const deadline = performance.now() + limitMs;
  for (;;) {
    try {
      return await session(link, scbk, timeoutMs);
    } catch (e) {
      if (performance.now() > deadline) throw e;
      await wait(100);
    }
  }
}
