/**
 * Which OSDP v2.2 replies can answer which command (§6 commands, §7 replies; protocol/SPEC.md
 * OSDP §2): the control panel uses it so that a reply carrying the right address and SQN is still
 * refused when it cannot be the answer to the command in flight — a late answer to an abandoned
 * command after the SQN restarted at 0 (OSDP §4).
 */
import * as C from "../../protocol/osdp/codes.ts";

/** Replies a PD may volunteer to osdp_POLL (§6.1): reports of input, status and vendor data. */
const POLL_REPORTS: readonly number[] = [
  C.REPLY_LSTATR, C.REPLY_ISTATR, C.REPLY_OSTATR, C.REPLY_RSTATR, C.REPLY_RAW, C.REPLY_FMT, C.REPLY_KEYPAD,
  C.REPLY_MFGREP, C.REPLY_MFGSTATR, C.REPLY_MFGERRR, C.REPLY_XRD,
];

/** The specific replies each command solicits (§6.x "Reply"); commands absent here get only ACK/NAK/BUSY. */
const SOLICITED = new Map<number, readonly number[]>([
  [C.CMD_POLL, POLL_REPORTS],
  [C.CMD_ID, [C.REPLY_PDID]],
  [C.CMD_CAP, [C.REPLY_PDCAP]],
  [C.CMD_LSTAT, [C.REPLY_LSTATR]],
  [C.CMD_ISTAT, [C.REPLY_ISTATR]],
  [C.CMD_OSTAT, [C.REPLY_OSTATR]],
  [C.CMD_OUT, [C.REPLY_OSTATR]],
  [C.CMD_RSTAT, [C.REPLY_RSTATR]],
  [C.CMD_COMSET, [C.REPLY_COM]],
  [C.CMD_BIOREAD, [C.REPLY_BIOREADR]],
  [C.CMD_BIOMATCH, [C.REPLY_BIOMATCHR]],
  [C.CMD_CHLNG, [C.REPLY_CCRYPT]],
  [C.CMD_SCRYPT, [C.REPLY_RMAC_I]],
  [C.CMD_FILETRANSFER, [C.REPLY_FTSTAT]],
  [C.CMD_MFG, [C.REPLY_MFGREP, C.REPLY_MFGSTATR, C.REPLY_MFGERRR]],
  [C.CMD_XWR, [C.REPLY_XRD]],
  [C.CMD_PIVDATA, [C.REPLY_PIVDATAR]],
  [C.CMD_GENAUTH, [C.REPLY_GENAUTHR]],
  [C.CMD_CRAUTH, [C.REPLY_CRAUTHR]],
]);

/**
 * True when reply code `reply` can answer command code `command`: osdp_ACK, osdp_NAK and
 * osdp_BUSY (§7.2, §7.3, §7.18) answer any command, anything else only the commands that solicit it.
 */
export function mayAnswer(command: number, reply: number): boolean {
  if (reply === C.REPLY_ACK || reply === C.REPLY_NAK || reply === C.REPLY_BUSY) return true;
  return SOLICITED.get(command)?.includes(reply) ?? false;
}
