/**
 * OSDP v2.2 packet layer (§5): [mark 0xFF] SOM 0x53, ADDR, LEN (LE, SOM..trailer), CTRL,
 * [security block], CODE, DATA, [4-byte MAC when SCS_15..18], CRC-16/AUG-CCITT (LE) or checksum.
 * The decoder checks in a fixed order (SOM, CTRL, LEN, completeness, trailer, SCB, code) so a
 * corrupted packet reports the first thing that is wrong with it, the same in every build.
 */
import { ERR_OUTPUT_TOO_SMALL, ERR_BAD_ARGUMENT } from "../errors";
import { crc16AugCcitt, osdpChecksum } from "../crc";
import { copyBytes, inBounds } from "../bytes";
import {
  ERR_OSDP_BAD_SOM, ERR_OSDP_TRUNCATED, ERR_OSDP_OVERLONG, ERR_OSDP_BAD_LENGTH, ERR_OSDP_BAD_CRC,
  ERR_OSDP_BAD_CHECKSUM, ERR_OSDP_BAD_CTRL, ERR_OSDP_BAD_SCB, ERR_OSDP_UNKNOWN_COMMAND, ERR_OSDP_UNKNOWN_REPLY,
} from "./errors";
import { isKnownCommand, isKnownReply, SCS_11, SCS_14, SCS_15, SCS_18 } from "./codes";

/** Optional mark byte sent before SOM (§5.1, v2.2). */
export const OSDP_MARK: u8 = 0xff;
/** Start of message (§5.2). */
export const OSDP_SOM: u8 = 0x53;
/** Address every PD answers to (§5.3). */
export const OSDP_BROADCAST: u8 = 0x7f;
/** Address bit set in every reply (§5.3). */
export const OSDP_REPLY_BIT: u8 = 0x80;
/** CTRL bit: trailer is CRC-16 rather than checksum (§5.5). */
export const CTRL_CRC: u8 = 0x04;
/** CTRL bit: a security block follows CTRL (§5.5). */
export const CTRL_SCB: u8 = 0x08;
/** Largest packet (SOM..trailer) this library accepts or builds; sized for the firmware's buffers. */
export const OSDP_MAX_PACKET: i32 = 1024;
/** Length of the truncated MAC carried by SCS_15..18 packets (Annex D.5). */
export const OSDP_MAC_LEN: i32 = 4;

/** One packet's header fields: filled by decodePacket, read by encodePacket. Allocate once, reuse. */
export class OsdpPacket {
  /** Decode: a 0xFF mark preceded SOM. Encode: write one. */
  mark: bool = false;
  /** PD address 0..0x7F without the reply bit (§5.3). */
  address: u8 = 0;
  /** The reply bit 0x80 of the address byte. */
  isReply: bool = false;
  /** Sequence number 0..3 (CTRL bits 0-1). */
  sqn: u8 = 0;
  /** CRC-16 trailer (true) or 8-bit checksum (false). */
  useCrc: bool = true;
  /** Security-block type (SCS_11..SCS_18), or 0 when the packet has no security block. */
  scbType: u8 = 0;
  /** The one SEC_BLK_DATA byte of SCS_11..14 (key selector / RMAC_I status); 0 otherwise. */
  scbData: u8 = 0;
  /** Command or reply code. */
  code: u8 = 0;
  /** Decode: absolute index of the payload after CODE (excluding the MAC) in the decoded buffer. */
  dataOff: i32 = 0;
  /** Payload length (excluding the MAC). */
  dataLen: i32 = 0;
  /** Decode: absolute index of SOM. */
  somOff: i32 = 0;
  /** Decode: absolute index of the 4 MAC bytes, or -1. */
  macOff: i32 = -1;
  /** Decode: LEN, the bytes from SOM to the end of the trailer. */
  length: i32 = 0;
  /** Encode: the MAC bytes to write when scbType is SCS_15..18. */
  mac: Uint8Array = new Uint8Array(OSDP_MAC_LEN);
}

/** True for security-block types whose packets carry a MAC (SCS_15..18, Annex D). */
export function scbHasMac(scbType: i32): bool {
  return scbType >= i32(SCS_15) && scbType <= i32(SCS_18);
}

/** SEC_BLK_LEN for a security-block type: 3 for SCS_11..14 (one data byte), 2 for SCS_15..18. */
function scbLength(scbType: i32): i32 {
  if (scbType == 0) return 0;
  return scbType <= i32(SCS_14) ? 3 : 2;
}

/** Checks SEC_BLK_TYPE/DATA: defined type, sent in the right direction, defined data byte (Annex D). */
function scbValid(scbLen: i32, scbType: i32, scbData: i32, isReply: bool): bool {
  if (scbType < i32(SCS_11) || scbType > i32(SCS_18)) return false;
  if (scbLen != scbLength(scbType)) return false;
  // Odd types (11, 13, 15, 17) go ACU→PD, even types PD→ACU.
  if (((scbType & 1) == 0) != isReply) return false;
  if (scbType == i32(SCS_14)) return scbData == 0x01 || scbData == 0xff;
  if (scbType < i32(SCS_14)) return scbData == 0x00 || scbData == 0x01;
  return true;
}

/** Fixed bytes of a packet around its payload: header, SCB, CODE, MAC and trailer. */
function overhead(useCrc: bool, scbType: i32): i32 {
  return 6 + scbLength(scbType) + (scbHasMac(scbType) ? OSDP_MAC_LEN : 0) + (useCrc ? 2 : 1);
}

/**
 * Decodes exactly one packet from buf[off..off+len) (§5), optionally preceded by the mark byte.
 * Returns `len` (the bytes consumed) or a negative ERR_OSDP_* code; `into` is written only on success.
 */
export function decodePacket(buf: Uint8Array, off: i32, len: i32, into: OsdpPacket): i32 {
  return decodeChecked(buf, off, len, into, false);
}

/**
 * Like decodePacket, but a packet that is valid except for an undefined command/reply code still
 * fills `into` (and the unknown-code error is returned): the framer hands such a packet to the PD,
 * which must answer osdp_NAK 0x03 (§7.3) rather than stay silent.
 */
export function decodePacketKeepUnknown(buf: Uint8Array, off: i32, len: i32, into: OsdpPacket): i32 {
  return decodeChecked(buf, off, len, into, true);
}

function decodeChecked(buf: Uint8Array, off: i32, len: i32, into: OsdpPacket, keepUnknown: bool): i32 {
  if (!inBounds(buf, off, len)) return ERR_BAD_ARGUMENT;
  let p = off;
  let avail = len;
  const mark = avail > 0 && buf[p] == OSDP_MARK;
  if (mark) { p++; avail--; }
  if (avail < 1) return ERR_OSDP_TRUNCATED;
  if (buf[p] != OSDP_SOM) return ERR_OSDP_BAD_SOM;
  if (avail < 5) return ERR_OSDP_TRUNCATED;
  const addrByte = i32(buf[p + 1]);
  const length = i32(buf[p + 2]) | (i32(buf[p + 3]) << 8);
  const ctrl = i32(buf[p + 4]);
  if ((ctrl & 0xf0) != 0) return ERR_OSDP_BAD_CTRL;
  const useCrc = (ctrl & i32(CTRL_CRC)) != 0;
  const hasScb = (ctrl & i32(CTRL_SCB)) != 0;
  const trailer = useCrc ? 2 : 1;
  if (length < 6 + (hasScb ? 2 : 0) + trailer || length > OSDP_MAX_PACKET) return ERR_OSDP_BAD_LENGTH;
  if (avail < length) return ERR_OSDP_TRUNCATED;
  if (avail > length) return ERR_OSDP_OVERLONG;
  const body = length - trailer;
  if (useCrc) {
    const crc = i32(buf[p + body]) | (i32(buf[p + body + 1]) << 8);
    if (crc != i32(crc16AugCcitt(buf, p, body))) return ERR_OSDP_BAD_CRC;
  } else if (buf[p + body] != osdpChecksum(buf, p, body)) {
    return ERR_OSDP_BAD_CHECKSUM;
  }
  const isReply = (addrByte & i32(OSDP_REPLY_BIT)) != 0;
  let scbType = 0;
  let scbData = 0;
  let q = p + 5;
  if (hasScb) {
    const scbLen = i32(buf[q]);
    scbType = i32(buf[q + 1]);
    if (scbLen < 2) return ERR_OSDP_BAD_SCB;
    if (5 + scbLen + 1 + trailer > length) return ERR_OSDP_BAD_LENGTH;
    scbData = scbLen > 2 ? i32(buf[q + 2]) : 0;
    if (!scbValid(scbLen, scbType, scbData, isReply)) return ERR_OSDP_BAD_SCB;
    if (length < overhead(useCrc, scbType)) return ERR_OSDP_BAD_LENGTH;
    q += scbLen;
  }
  const code = i32(buf[q]);
  const unknown = isReply ? !isKnownReply(code) : !isKnownCommand(code);
  if (unknown && !keepUnknown) return isReply ? ERR_OSDP_UNKNOWN_REPLY : ERR_OSDP_UNKNOWN_COMMAND;
  const macLen = scbHasMac(scbType) ? OSDP_MAC_LEN : 0;
  into.mark = mark;
  into.address = u8(addrByte & 0x7f);
  into.isReply = isReply;
  into.sqn = u8(ctrl & 3);
  into.useCrc = useCrc;
  into.scbType = u8(scbType);
  into.scbData = u8(scbData);
  into.code = u8(code);
  into.somOff = p;
  into.length = length;
  into.dataOff = q + 1;
  into.dataLen = p + body - macLen - (q + 1);
  into.macOff = macLen > 0 ? p + body - macLen : -1;
  if (unknown) return isReply ? ERR_OSDP_UNKNOWN_REPLY : ERR_OSDP_UNKNOWN_COMMAND;
  return len;
}

/**
 * Reads LEN from a packet header at buf[som..) holding at least 5 bytes; the framer uses it to
 * know how many bytes to wait for. Returns LEN, or ERR_OSDP_BAD_CTRL / ERR_OSDP_BAD_LENGTH when the
 * header cannot start a valid packet.
 */
export function packetLengthField(buf: Uint8Array, som: i32): i32 {
  const length = i32(buf[som + 2]) | (i32(buf[som + 3]) << 8);
  const ctrl = i32(buf[som + 4]);
  if ((ctrl & 0xf0) != 0) return ERR_OSDP_BAD_CTRL;
  const min = 6 + ((ctrl & i32(CTRL_SCB)) != 0 ? 2 : 0) + ((ctrl & i32(CTRL_CRC)) != 0 ? 2 : 1);
  if (length < min || length > OSDP_MAX_PACKET) return ERR_OSDP_BAD_LENGTH;
  return length;
}

/**
 * Builds a packet from `h` (address, isReply, sqn, useCrc, scbType, scbData, code, mark, mac) and
 * the payload data[dataOff..dataOff+dataLen) into out[off..off+cap). Returns the bytes written
 * (mark included) or ERR_OUTPUT_TOO_SMALL / ERR_BAD_ARGUMENT, writing nothing on error.
 */
export function encodePacket(h: OsdpPacket, data: Uint8Array, dataOff: i32, dataLen: i32, out: Uint8Array, off: i32, cap: i32): i32 {
  const scbType = i32(h.scbType);
  if (h.address > 0x7f || h.sqn > 3 || !inBounds(data, dataOff, dataLen)) return ERR_BAD_ARGUMENT;
  if (scbType != 0 && !scbValid(scbLength(scbType), scbType, i32(h.scbData), h.isReply)) return ERR_BAD_ARGUMENT;
  const length = overhead(h.useCrc, scbType) + dataLen;
  if (length > OSDP_MAX_PACKET) return ERR_BAD_ARGUMENT;
  const total = length + (h.mark ? 1 : 0);
  if (!inBounds(out, off, cap) || total > cap) return ERR_OUTPUT_TOO_SMALL;
  // Payload first: data may alias out (the secure layer encrypts in place).
  const som = off + (h.mark ? 1 : 0);
  const scbLen = scbLength(scbType);
  const payloadAt = som + 5 + scbLen + 1;
  copyBytes(data, dataOff, out, payloadAt, dataLen);
  if (h.mark) out[off] = OSDP_MARK;
  out[som] = OSDP_SOM;
  out[som + 1] = u8(i32(h.address) | (h.isReply ? i32(OSDP_REPLY_BIT) : 0));
  out[som + 2] = u8(length);
  out[som + 3] = u8(length >>> 8);
  out[som + 4] = u8(i32(h.sqn) | (h.useCrc ? i32(CTRL_CRC) : 0) | (scbType != 0 ? i32(CTRL_SCB) : 0));
  if (scbType != 0) {
    out[som + 5] = u8(scbLen);
    out[som + 6] = u8(scbType);
    if (scbLen == 3) out[som + 7] = h.scbData;
  }
  out[payloadAt - 1] = h.code;
  if (scbHasMac(scbType)) copyBytes(h.mac, 0, out, payloadAt + dataLen, OSDP_MAC_LEN);
  writePacketTrailer(out, som, length, h.useCrc);
  return total;
}

/** (Re)computes the CRC or checksum of the packet of LEN `length` at out[som..), §5.7. */
export function writePacketTrailer(out: Uint8Array, som: i32, length: i32, useCrc: bool): void {
  if (useCrc) {
    const crc = crc16AugCcitt(out, som, length - 2);
    out[som + length - 2] = u8(crc);
    out[som + length - 1] = u8(crc >>> 8);
  } else {
    out[som + length - 1] = osdpChecksum(out, som, length - 1);
  }
}
