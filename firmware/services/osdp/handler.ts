/**
 * What the OSDP peripheral device (pd.ts) needs from the firmware that embeds it: the
 * application's answers to osdp commands (SIA OSDP v2.2 §6), randomness for the secure-channel
 * challenge (Annex D.3), key storage for osdp_KEYSET (§6.17) and the transmit path. The lockbox and
 * reader firmware implement it over the HAL; the Node tests implement it in memory.
 */
import { OsdpVendorData } from "../../../protocol/osdp/payload";
import { OsdpOut, OsdpLed, OsdpBuz, OsdpComSettings, OsdpFileTransfer } from "../../../protocol/osdp/commands";
import { OsdpPdId, OsdpPdCap, OsdpLocalStatus, OsdpRawCard, OsdpKeypad, OsdpFileStatus } from "../../../protocol/osdp/replies";

/** poll() answer: nothing to report (osdp_ACK, §7.2). */
export const POLL_IDLE: i32 = 0;
/** poll() answer: a card was read, report osdp_RAW (§7.10) from the `raw` fields. */
export const POLL_CARD: i32 = 1;
/** poll() answer: keys were pressed, report osdp_KEYPAD (§7.12) from the `keypad` fields. */
export const POLL_KEYPAD: i32 = 2;

/** mfg() answer: the command was carried out, reply osdp_ACK. */
export const MFG_ACK: i32 = 0;
/** mfg() answer: reply osdp_MFGREP (§7.25) with the `reply` fields. */
export const MFG_REPLY: i32 = 1;
/** mfg() answer: the command cannot be carried out, reply osdp_NAK 0x09 (§7.3). */
export const MFG_UNABLE: i32 = -1;

/** The application behind an OSDP PD (§6 commands it answers, Annex D randomness, the bus). */
export interface OsdpPdHandler {
  /** osdp_ID §6.2: fills the osdp_PDID report. */
  identify(into: OsdpPdId): void;
  /** osdp_CAP §6.3: fills the osdp_PDCAP report (at least one entry). */
  capabilities(into: OsdpPdCap): void;
  /** osdp_LSTAT §6.4: fills the osdp_LSTATR report. */
  localStatus(into: OsdpLocalStatus): void;
  /** osdp_POLL §6.1: POLL_IDLE, or POLL_CARD / POLL_KEYPAD after filling `raw` / `keypad`. */
  poll(raw: OsdpRawCard, keypad: OsdpKeypad): i32;
  /** osdp_OUT §6.8: applies the records; false answers osdp_NAK 0x09. */
  output(cmd: OsdpOut): bool;
  /** osdp_LED §6.10: applies the records; false answers osdp_NAK 0x09. */
  led(cmd: OsdpLed): bool;
  /** osdp_BUZ §6.11: applies the request; false answers osdp_NAK 0x09. */
  buzzer(cmd: OsdpBuz): bool;
  /**
   * osdp_COMSET §6.13: may adjust `cmd` to the settings it will really use (reported in osdp_COM);
   * the PD answers at the old address and switches afterwards. False answers osdp_NAK 0x09.
   */
  comSet(cmd: OsdpComSettings): bool;
  /** osdp_KEYSET §6.17 (only over a secure channel): persists the new SCBK; false answers NAK 0x09. */
  storeScbk(key: Uint8Array, off: i32): bool;
  /** osdp_FILETRANSFER §6.21: takes one fragment and fills the osdp_FTSTAT reply; false answers NAK 0x09. */
  fileTransfer(cmd: OsdpFileTransfer, status: OsdpFileStatus): bool;
  /** osdp_MFG §6.22: MFG_ACK, MFG_REPLY (after filling `reply`) or MFG_UNABLE. */
  mfg(cmd: OsdpVendorData, reply: OsdpVendorData): i32;
  /** Fills out[off..off+len) with unpredictable bytes (RND.B of the secure-channel challenge). */
  random(out: Uint8Array, off: i32, len: i32): void;
  /** Sends a reply packet on the bus. */
  transmit(buf: Uint8Array, off: i32, len: i32): void;
}
