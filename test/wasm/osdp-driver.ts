// Portable: runs in the WASM harness (test/wasm/osdp.ts) and under Node (test/osdp/*.test.ts), so
// both builds execute the very same driver over protocol/osdp and their outputs can be compared.
import { ERR_BAD_ARGUMENT } from "../../protocol/errors";
import { copyBytes } from "../../protocol/bytes";
import { BlockCipher } from "../../protocol/blockcipher";
import * as C from "../../protocol/osdp/codes";
import { OsdpPacket, decodePacket, encodePacket } from "../../protocol/osdp/packet";
import { OsdpFramer } from "../../protocol/osdp/framer";
import { OsdpSecureChannel } from "../../protocol/osdp/secure";
import {
  decodeEmpty, encodeEmpty, OsdpVendorData, decodeVendorData, encodeVendorData, OsdpFixedBytes,
  decodeFixedBytes, encodeFixedBytes, putU16,
} from "../../protocol/osdp/payload";
import {
  OsdpRequest, decodeRequest, encodeRequest, OsdpOut, decodeOut, encodeOut, OsdpLed, decodeLed, encodeLed,
  OsdpBuz, decodeBuz, encodeBuz, OsdpComSettings, decodeComSettings, encodeComSettings, OsdpKeyset,
  decodeKeyset, encodeKeyset, OsdpFileTransfer, decodeFileTransfer, encodeFileTransfer,
} from "../../protocol/osdp/commands";
import {
  OsdpNak, decodeNak, encodeNak, OsdpPdId, decodePdId, encodePdId, OsdpPdCap, decodePdCap, encodePdCap,
  OsdpLocalStatus, decodeLocalStatus, encodeLocalStatus, OsdpRawCard, decodeRawCard, encodeRawCard,
  OsdpKeypad, decodeKeypad, encodeKeypad, OsdpCcrypt, decodeCcrypt, encodeCcrypt, OsdpFileStatus,
  decodeFileStatus, encodeFileStatus,
} from "../../protocol/osdp/replies";

const request = new OsdpRequest();
const outCmd = new OsdpOut();
const led = new OsdpLed();
const buz = new OsdpBuz();
const com = new OsdpComSettings();
const keyset = new OsdpKeyset();
const challenge = new OsdpFixedBytes(8);
const block16 = new OsdpFixedBytes(16);
const file = new OsdpFileTransfer();
const vendor = new OsdpVendorData();
const nak = new OsdpNak();
const pdid = new OsdpPdId();
const pdcap = new OsdpPdCap();
const lstat = new OsdpLocalStatus();
const raw = new OsdpRawCard();
const keypad = new OsdpKeypad();
const ccrypt = new OsdpCcrypt();
const ftstat = new OsdpFileStatus();

/**
 * Decodes buf[off..off+len) as the payload of command/reply `code`, then re-encodes the decoded
 * fields into out[0..]. Returns the re-encoded length or the first error code; ERR_BAD_ARGUMENT
 * for a code without a payload codec.
 */
export function payloadRoundTrip(code: i32, isReply: bool, buf: Uint8Array, off: i32, len: i32, out: Uint8Array): i32 {
  let r: i32;
  const cap = out.length;
  if (!isReply) {
    switch (code) {
      case C.CMD_POLL: case C.CMD_LSTAT:
        r = decodeEmpty(buf, off, len); return r < 0 ? r : encodeEmpty();
      case C.CMD_ID: case C.CMD_CAP:
        r = decodeRequest(buf, off, len, request); return r < 0 ? r : encodeRequest(request, out, 0, cap);
      case C.CMD_OUT:
        r = decodeOut(buf, off, len, outCmd); return r < 0 ? r : encodeOut(outCmd, out, 0, cap);
      case C.CMD_LED:
        r = decodeLed(buf, off, len, led); return r < 0 ? r : encodeLed(led, out, 0, cap);
      case C.CMD_BUZ:
        r = decodeBuz(buf, off, len, buz); return r < 0 ? r : encodeBuz(buz, out, 0, cap);
      case C.CMD_COMSET:
        r = decodeComSettings(buf, off, len, com); return r < 0 ? r : encodeComSettings(com, out, 0, cap);
      case C.CMD_KEYSET:
        r = decodeKeyset(buf, off, len, keyset); return r < 0 ? r : encodeKeyset(keyset, out, 0, cap);
      case C.CMD_CHLNG:
        r = decodeFixedBytes(buf, off, len, challenge); return r < 0 ? r : encodeFixedBytes(challenge, out, 0, cap);
      case C.CMD_SCRYPT:
        r = decodeFixedBytes(buf, off, len, block16); return r < 0 ? r : encodeFixedBytes(block16, out, 0, cap);
      case C.CMD_FILETRANSFER:
        r = decodeFileTransfer(buf, off, len, file); return r < 0 ? r : encodeFileTransfer(file, out, 0, cap);
      case C.CMD_MFG:
        r = decodeVendorData(buf, off, len, vendor); return r < 0 ? r : encodeVendorData(vendor, out, 0, cap);
      default:
        return ERR_BAD_ARGUMENT;
    }
  }
  switch (code) {
    case C.REPLY_ACK: case C.REPLY_BUSY:
      r = decodeEmpty(buf, off, len); return r < 0 ? r : encodeEmpty();
    case C.REPLY_NAK:
      r = decodeNak(buf, off, len, nak); return r < 0 ? r : encodeNak(nak, out, 0, cap);
    case C.REPLY_PDID:
      r = decodePdId(buf, off, len, pdid); return r < 0 ? r : encodePdId(pdid, out, 0, cap);
    case C.REPLY_PDCAP:
      r = decodePdCap(buf, off, len, pdcap); return r < 0 ? r : encodePdCap(pdcap, out, 0, cap);
    case C.REPLY_LSTATR:
      r = decodeLocalStatus(buf, off, len, lstat); return r < 0 ? r : encodeLocalStatus(lstat, out, 0, cap);
    case C.REPLY_RAW:
      r = decodeRawCard(buf, off, len, raw); return r < 0 ? r : encodeRawCard(raw, out, 0, cap);
    case C.REPLY_KEYPAD:
      r = decodeKeypad(buf, off, len, keypad); return r < 0 ? r : encodeKeypad(keypad, out, 0, cap);
    case C.REPLY_COM:
      r = decodeComSettings(buf, off, len, com); return r < 0 ? r : encodeComSettings(com, out, 0, cap);
    case C.REPLY_CCRYPT:
      r = decodeCcrypt(buf, off, len, ccrypt); return r < 0 ? r : encodeCcrypt(ccrypt, out, 0, cap);
    case C.REPLY_RMAC_I:
      r = decodeFixedBytes(buf, off, len, block16); return r < 0 ? r : encodeFixedBytes(block16, out, 0, cap);
    case C.REPLY_FTSTAT:
      r = decodeFileStatus(buf, off, len, ftstat); return r < 0 ? r : encodeFileStatus(ftstat, out, 0, cap);
    case C.REPLY_MFGREP:
      r = decodeVendorData(buf, off, len, vendor); return r < 0 ? r : encodeVendorData(vendor, out, 0, cap);
    default:
      return ERR_BAD_ARGUMENT;
  }
}

const packet = new OsdpPacket();
/** Bytes packetSummary writes per packet. */
export const PACKET_SUMMARY_LEN: i32 = 18;

/** Writes every decoded header field of `p` to out[at..at+PACKET_SUMMARY_LEN). */
function writeSummary(p: OsdpPacket, out: Uint8Array, at: i32): void {
  out[at] = p.mark ? 1 : 0;
  out[at + 1] = p.address;
  out[at + 2] = p.isReply ? 1 : 0;
  out[at + 3] = p.sqn;
  out[at + 4] = p.useCrc ? 1 : 0;
  out[at + 5] = p.scbType;
  out[at + 6] = p.scbData;
  out[at + 7] = p.code;
  putU16(out, at + 8, p.somOff);
  putU16(out, at + 10, p.dataOff);
  putU16(out, at + 12, p.dataLen);
  putU16(out, at + 14, p.macOff + 1);
  putU16(out, at + 16, p.length);
}

/**
 * Decodes buf[off..off+len) as one packet; on success writes its summary and then re-encodes it
 * from the decoded fields after the summary (which must reproduce the input). Returns the bytes
 * written to out or the decoder's error.
 */
export function packetRoundTrip(buf: Uint8Array, off: i32, len: i32, out: Uint8Array): i32 {
  const r = decodePacket(buf, off, len, packet);
  if (r < 0) return r;
  writeSummary(packet, out, 0);
  if (packet.macOff >= 0) copyBytes(buf, packet.macOff, packet.mac, 0, 4);
  const n = encodePacket(packet, buf, packet.dataOff, packet.dataLen, out, PACKET_SUMMARY_LEN, out.length - PACKET_SUMMARY_LEN);
  return n < 0 ? n : PACKET_SUMMARY_LEN + n;
}

const framer = new OsdpFramer();

/**
 * Feeds buf[off..off+len) to a fresh framer in chunks of `chunk` bytes and records each result:
 * a packet as 01, its summary and its bytes; a dropped candidate as 00 and -error. At the end of
 * the input it abandons partial packets (as an inter-character timeout would). Returns the
 * bytes written to out (at most out.length - 1100 so a last record always fits).
 */
export function frameStream(buf: Uint8Array, off: i32, len: i32, chunk: i32, out: Uint8Array): i32 {
  framer.reset();
  let o = 0;
  let fed = 0;
  const limit = out.length - 1100;
  while (o < limit) {
    const r = framer.next(packet);
    if (r > 0) {
      out[o++] = 1;
      writeSummary(packet, out, o);
      o += PACKET_SUMMARY_LEN;
      copyBytes(framer.buf, packet.somOff, out, o, r);
      o += r;
    } else if (r < 0) {
      out[o++] = 0;
      out[o++] = u8(-r);
    } else if (fed < len) {
      const n = chunk < len - fed ? chunk : len - fed;
      fed += framer.push(buf, off + fed, n);
    } else if (!framer.abandonPartial()) {
      break;
    }
  }
  return o;
}

/** Placeholder cipher until secureSetCipher installs the real one. */
class NullCipher implements BlockCipher {
  setKey(key: Uint8Array, off: i32): void {}
  encryptBlock(src: Uint8Array, srcOff: i32, dst: Uint8Array, dstOff: i32): void {}
  decryptBlock(src: Uint8Array, srcOff: i32, dst: Uint8Array, dstOff: i32): void {}
}

const channel = new OsdpSecureChannel(new NullCipher());

/** Installs the AES block function the secure-channel drivers use. */
export function secureSetCipher(cipher: BlockCipher): void {
  channel.cipher = cipher;
}

/** Loads S-ENC, S-MAC1, S-MAC2, C-MAC, R-MAC from state[0..80). */
function loadState(state: Uint8Array, at: i32): void {
  copyBytes(state, at, channel.sEnc, 0, 16);
  copyBytes(state, at + 16, channel.sMac1, 0, 16);
  copyBytes(state, at + 32, channel.sMac2, 0, 16);
  copyBytes(state, at + 48, channel.cMac, 0, 16);
  copyBytes(state, at + 64, channel.rMac, 0, 16);
}

function storeChain(out: Uint8Array, at: i32): void {
  copyBytes(channel.cMac, 0, out, at, 16);
  copyBytes(channel.rMac, 0, out, at + 16, 16);
}

/**
 * Input: 80 bytes of state (S-ENC, S-MAC1, S-MAC2, C-MAC, R-MAC), then flags (bit 0 reply, bit 1
 * encrypt, bit 2 CRC, bit 3 mark), address, sqn, code, then the data. Output: C-MAC, R-MAC after
 * sealing, then the packet. Returns the output length or the seal error.
 */
export function secureSeal(buf: Uint8Array, len: i32, out: Uint8Array): i32 {
  if (len < 84) return ERR_BAD_ARGUMENT;
  loadState(buf, 0);
  const flags = i32(buf[80]);
  const h = packet;
  h.isReply = (flags & 1) != 0;
  h.useCrc = (flags & 4) != 0;
  h.mark = (flags & 8) != 0;
  h.address = u8(buf[81] & 0x7f);
  h.sqn = u8(buf[82] & 3);
  h.code = buf[83];
  const n = channel.sealPacket(h, buf, 84, len - 84, (flags & 2) != 0, out, 32, out.length - 32);
  if (n < 0) return n;
  storeChain(out, 0);
  return 32 + n;
}

/**
 * Input: 80 bytes of state, then one packet. Output: C-MAC, R-MAC after opening, then the
 * plaintext payload. Returns the output length, the packet decoder's error or the open error.
 */
export function secureOpen(buf: Uint8Array, len: i32, out: Uint8Array): i32 {
  if (len < 80) return ERR_BAD_ARGUMENT;
  loadState(buf, 0);
  const r = decodePacket(buf, 80, len - 80, packet);
  if (r < 0) return r;
  if (packet.macOff < 0) return ERR_BAD_ARGUMENT;
  const n = channel.openPacket(packet, buf, out, 32, out.length - 32);
  if (n < 0) return n;
  storeChain(out, 0);
  return 32 + n;
}

/**
 * Input: SCBK (16), RND.A (8), RND.B (8). Output: S-ENC, S-MAC1, S-MAC2, client cryptogram,
 * server cryptogram, RMAC-I (96 bytes).
 */
export function secureHandshake(buf: Uint8Array, out: Uint8Array): i32 {
  channel.deriveSessionKeys(buf, 0, buf, 16);
  copyBytes(channel.sEnc, 0, out, 0, 16);
  copyBytes(channel.sMac1, 0, out, 16, 16);
  copyBytes(channel.sMac2, 0, out, 32, 16);
  channel.clientCryptogram(buf, 16, buf, 24, out, 48);
  channel.serverCryptogram(buf, 16, buf, 24, out, 64);
  channel.initialRmac(out, 64, out, 80);
  return 96;
}
