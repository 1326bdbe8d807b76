/**
 * A control panel for a lockbox's service port (protocol/SPEC.md Lockbox §6) over any byte link (in-memory,
 * PTY, real serial port): OSDP via simulator/osdp/cp.ts, the MFG sub-commands via protocol/service.
 */
import { OsdpControlPanel, type ByteLink } from "../osdp/cp.ts";
import * as M from "../../protocol/service/mfg.ts";
import { serviceErrorName, ERR_SVC_BAD_REPLY, ERR_SVC_NO_RECORD } from "../../protocol/service/errors.ts";
import { Settings, decodeSettings, SETTINGS_SIZE } from "../../protocol/card/layouts.ts";
import { AUDIT_RECORD_SIZE } from "../../protocol/card/records.ts";

/** A lockbox MFG reply with a non-zero status (spec §6). */
export class ServiceError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = "ServiceError";
  }
}

/** The control-panel side of the lockbox service port (protocol/SPEC.md Lockbox §6). */
export class LockboxServiceClient {
  readonly cp: OsdpControlPanel;

  constructor(link: ByteLink, scbk?: Uint8Array, timeoutMs = 200) {
    this.cp = new OsdpControlPanel(link, { address: 0, scbk, timeoutMs });
  }

  private async call(sub: number, body: Uint8Array = new Uint8Array(0)): Promise<Uint8Array> {
    const data = new Uint8Array(1 + body.length);
    data[0] = sub;
    data.set(body, 1);
    const r = await this.cp.mfg(M.LOCKBOX_VENDOR, data);
    if (!r || r.vendor !== M.LOCKBOX_VENDOR) throw new ServiceError(ERR_SVC_BAD_REPLY, `no lockbox MFG reply to sub-command ${sub}`);
    const bytes = r.data.slice(0, r.dataLen);
    const st = M.readMfgHeader(sub, bytes, 0, bytes.length);
    if (st !== 0) throw new ServiceError(st, `lockbox refused sub-command 0x${sub.toString(16)}: ${serviceErrorName(st) || st}`);
    return bytes.subarray(M.MFG_LB_HEADER);
  }

  async status(): Promise<M.LockboxStatus> {
    const body = await this.call(M.MFG_LB_STATUS);
    const s = new M.LockboxStatus();
    const r = M.decodeLockboxStatus(body, 0, body.length, s);
    if (r < 0) throw new ServiceError(r, "malformed STATUS reply");
    return s;
  }

  async settings(): Promise<Settings> {
    const body = await this.call(M.MFG_LB_READ_SETTINGS);
    const s = new Settings();
    if (decodeSettings(body, 0, body.length, s) < 0 || body.length !== SETTINGS_SIZE) throw new ServiceError(ERR_SVC_BAD_REPLY, "malformed settings reply");
    return s;
  }

  /** Up to `max` records from sequence `from` on (raw 38-byte audit records). */
  async readLog(from: number, max = M.MAX_LOG_RECORDS): Promise<Uint8Array[]> {
    const body = new Uint8Array(5);
    M.encodeReadLog(from >>> 0, max, body, 0);
    const r = await this.call(M.MFG_LB_READ_LOG, body);
    const n = r[0];
    if (r.length !== 1 + n * AUDIT_RECORD_SIZE) throw new ServiceError(ERR_SVC_BAD_REPLY, "malformed READ LOG reply");
    return Array.from({ length: n }, (_, i) => r.slice(1 + i * AUDIT_RECORD_SIZE, 1 + (i + 1) * AUDIT_RECORD_SIZE));
  }

  /** The whole kept log from `from` on, page by page. */
  async readAllLog(from = 1): Promise<Uint8Array[]> {
    const out: Uint8Array[] = [];
    let next = from;
    for (;;) {
      let page: Uint8Array[];
      try {
        page = await this.readLog(next);
      } catch (e) {
        if (e instanceof ServiceError && e.status === ERR_SVC_NO_RECORD) return out;
        throw e;
      }
      if (page.length === 0) return out;
      out.push(...page);
      next = new DataView(page.at(-1).buffer).getUint32(4) + 1;
    }
  }

  async setTime(utc: number): Promise<void> {
    const body = new Uint8Array(4);
    new DataView(body.buffer).setUint32(0, utc >>> 0);
    await this.call(M.MFG_LB_SET_TIME, body);
  }
}
