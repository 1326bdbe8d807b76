/**
 * The reader's manufacturer-specific OSDP commands (osdp_MFG §6.22 / osdp_MFGREP §7.25): card
 * status, connect (ATR + PPS + IFS), APDU pass-through and power-off, and the card event the reader
 * reports in answer to osdp_POLL. Byte layouts and error codes: protocol/SPEC.md Reader §2
 * Portable AssemblyScript: the firmware and the Node control panel build and parse the same bytes.
 */
import { ERR_TRUNCATED, ERR_OVERLONG, ERR_BAD_ARGUMENT } from "../errors";
import { inBounds, readU32BE } from "../bytes";
import { ATR_MAX_LEN } from "../iso7816/atr";

/** Vendor code (IEEE OUI field) of every reader MFG command and reply: "LBX" sent as 4c 42 58. */
export const READER_VENDOR: u32 = 0x58424c;

/** Sub-command: report card presence, connection, bit rate and ATR (spec §2.2). */
export const MFG_CARD_STATUS: u8 = 0x01;
/** Sub-command: power and reset the card, negotiate T=1 (PPS, IFS); reply as CARD_STATUS (spec §2.3). */
export const MFG_CARD_CONNECT: u8 = 0x02;
/** Sub-command: send one command APDU to the card over T=1, reply with its response APDU (spec §2.4). */
export const MFG_CARD_APDU: u8 = 0x03;
/** Sub-command: remove power from the card (spec §2.5). */
export const MFG_CARD_OFF: u8 = 0x04;
/** A reply's sub-command byte is the command's with this bit set. */
export const MFG_REPLY_BIT: u8 = 0x80;

/** osdp_RAW format the reader uses for card events (spec §2.6): 0 = unspecified raw bits. */
export const CARD_EVENT_FORMAT: u8 = 0;
/** First byte of a card event: the card was removed. */
export const CARD_EVENT_REMOVED: u8 = 0x00;
/** First byte of a card event: a card was inserted and connected; the ATR follows. */
export const CARD_EVENT_INSERTED: u8 = 0x01;

/** Bytes before the body of every reply: sub-command, status (i16 BE). */
export const MFG_REPLY_HEADER: i32 = 3;
/** Bytes of the status body after the header: present, connected, bit rate (u32 BE), ATR length. */
export const MFG_STATUS_FIXED: i32 = 7;

/** The MFG command is empty, names an unknown sub-command, or its body has the wrong length. */
export const ERR_READER_BAD_COMMAND: i32 = -230;
/** No card in the slot. */
export const ERR_READER_NO_CARD: i32 = -231;
/** APDU before CARD_CONNECT succeeded (or after the card was removed or powered off). */
export const ERR_READER_NOT_CONNECTED: i32 = -232;
/** A CARD_STATUS reply body has a flag other than 0/1 or an ATR longer than ATR_MAX_LEN (host side). */
export const ERR_READER_BAD_REPLY: i32 = -233;

/** Name of a reader error code, or "" when it is not one of this file's. */
export function readerErrorName(code: i32): string {
  if (code == ERR_READER_BAD_COMMAND) return "ERR_READER_BAD_COMMAND";
  if (code == ERR_READER_NO_CARD) return "ERR_READER_NO_CARD";
  if (code == ERR_READER_NOT_CONNECTED) return "ERR_READER_NOT_CONNECTED";
  if (code == ERR_READER_BAD_REPLY) return "ERR_READER_BAD_REPLY";
  return "";
}

/** Writes the reply header (sub-command | 0x80, status i16 BE) at out[off..off+3). */
export function writeReplyHeader(sub: u8, status: i32, out: Uint8Array, off: i32): void {
  out[off] = u8(u32(sub) | u32(MFG_REPLY_BIT));
  out[off + 1] = u8(status >>> 8);
  out[off + 2] = u8(status);
}

/** The status i16 of a reply at buf[off..); call only when at least 3 bytes are there. */
export function replyStatus(buf: Uint8Array, off: i32): i32 {
  const v = i32((u32(buf[off + 1]) << 8) | u32(buf[off + 2]));
  return v >= 0x8000 ? v - 0x10000 : v;
}

/** The CARD_STATUS / CARD_CONNECT reply body (spec §2.2). */
export class CardSlotStatus {
  present: bool = false;
  connected: bool = false;
  /** Bits per second on the card line; 0 when not connected. */
  bitRate: u32 = 0;
  atrLen: i32 = 0;
  atr: Uint8Array = new Uint8Array(ATR_MAX_LEN);
}

/**
 * Decodes a CARD_STATUS body of exactly MFG_STATUS_FIXED + ATR length bytes at buf[off..off+len)
 * (spec §2.2). Returns len, or ERR_TRUNCATED / ERR_OVERLONG / ERR_READER_BAD_REPLY (ERR_BAD_ARGUMENT:
 * window outside buf) leaving `into` unchanged.
 */
export function decodeCardStatus(buf: Uint8Array, off: i32, len: i32, into: CardSlotStatus): i32 {
  if (!inBounds(buf, off, len)) return ERR_BAD_ARGUMENT;
  if (len < MFG_STATUS_FIXED) return ERR_TRUNCATED;
  const atrLen = i32(buf[off + 6]);
  if (buf[off] > 1 || buf[off + 1] > 1 || atrLen > ATR_MAX_LEN) return ERR_READER_BAD_REPLY;
  if (len < MFG_STATUS_FIXED + atrLen) return ERR_TRUNCATED;
  if (len > MFG_STATUS_FIXED + atrLen) return ERR_OVERLONG;
  into.present = buf[off] == 1;
  into.connected = buf[off + 1] == 1;
  into.bitRate = readU32BE(buf, off + 2);
  into.atrLen = atrLen;
  for (let i = 0; i < atrLen; i++) into.atr[i] = buf[off + MFG_STATUS_FIXED + i];
  return len;
}
