/**
 * GlobalPlatform SCP03 secure channel (GP Card Specification v2.3 Amendment D v1.1), S8 mode,
 * AES-128, host side and card side, over the injected BlockCipher (spec §6). The lockbox firmware
 * and the server use the host side; the card emulator uses the card side. One Scp03Session holds
 * the session keys, the MAC chaining value and the encryption counter of one side.
 *
 * Card challenges are random (i-parameter 0x60: random challenge, R-MAC and R-ENC supported), so
 * the INITIALIZE UPDATE response has no sequence counter (Amd D §7.1.2): 29 bytes + SW.
 */
import { BlockCipher } from "../blockcipher";
import { constantTimeEqual, inBounds } from "../bytes";
import { cbcEncryptPadded } from "../cbc";
import { OK, ERR_OUTPUT_TOO_SMALL, ERR_BAD_ARGUMENT } from "../errors";
import {
  ERR_CARD_BAD_APDU, ERR_CARD_SM_MISSING, ERR_CARD_BAD_MAC, ERR_CARD_BAD_PADDING, ERR_CARD_BAD_CRYPTOGRAM,
  ERR_CARD_BAD_SECURITY_LEVEL, ERR_CARD_BAD_INIT_RESPONSE, ERR_CARD_SM_TOO_LONG,
} from "./errors";
import { aesCmac, kdfCmac } from "./cmac";
import { CommandApdu, decodeCommandApdu } from "../iso7816/apdu";
import { CLA_SECURE, CLA_SM_BIT, INS_EXTERNAL_AUTHENTICATE, SL_C_MAC, SL_C_DECRYPTION, SL_R_MAC, SL_R_ENCRYPTION } from "./commands";

/** KDF derivation constant of the card cryptogram (Amd D §6.2.2.1). */
export const DERIVE_CARD_CRYPTOGRAM: u8 = 0x00;
/** KDF derivation constant of the host cryptogram (Amd D §6.2.2.1). */
export const DERIVE_HOST_CRYPTOGRAM: u8 = 0x01;
/** KDF derivation constant of S-ENC (Amd D §6.2.2.1). */
export const DERIVE_S_ENC: u8 = 0x04;
/** KDF derivation constant of S-MAC (Amd D §6.2.2.1). */
export const DERIVE_S_MAC: u8 = 0x06;
/** KDF derivation constant of S-RMAC (Amd D §6.2.2.1). */
export const DERIVE_S_RMAC: u8 = 0x07;

/** SCP identifier in the key information of INITIALIZE UPDATE (Amd D §7.1.2). */
export const SCP_ID: u8 = 0x03;
/** i-parameter: random card challenge, R-MAC and R-ENC supported (Amd D §5.1). */
export const SCP_I_PARAMETER: u8 = 0x60;
/** Challenge and cryptogram length in S8 mode. */
export const CHALLENGE_SIZE: i32 = 8;
/** Truncated C-MAC / R-MAC length in S8 mode. */
export const SM_MAC_SIZE: i32 = 8;
/** Key diversification data length in the INITIALIZE UPDATE response. */
export const DIVERSIFICATION_DATA_SIZE: i32 = 10;
/** INITIALIZE UPDATE response data length (without SW): 10 + 3 + 8 + 8. */
export const INIT_UPDATE_RESPONSE_SIZE: i32 = 29;
/** EXTERNAL AUTHENTICATE command length: header 5 + host cryptogram 8 + C-MAC 8. */
export const EXTERNAL_AUTHENTICATE_SIZE: i32 = 21;

/** True for a security level this channel supports: 01, 03, 11, 13, 33 (Amd D §5.1). */
export function isSecurityLevel(sl: u8): bool {
  return sl == 0x01 || sl == 0x03 || sl == 0x11 || sl == 0x13 || sl == 0x33;
}

/** One side's state of one SCP03 session (Amd D §6.2). */
export class Scp03Session {
  sEnc: Uint8Array = new Uint8Array(16);
  sMac: Uint8Array = new Uint8Array(16);
  sRmac: Uint8Array = new Uint8Array(16);
  /** The full C-MAC of the last command (the MAC chaining value), or zeros before EXTERNAL AUTHENTICATE. */
  macChain: Uint8Array = new Uint8Array(16);
  /** Encryption counter: incremented before every command while C-DECRYPTION is active. */
  encCounter: u32 = 0;
  securityLevel: u8 = 0;
  /** host challenge || card challenge, the KDF context. */
  context: Uint8Array = new Uint8Array(2 * CHALLENGE_SIZE);
  /** True after EXTERNAL AUTHENTICATE succeeded. */
  open: bool = false;

  /** Wipes keys and state (session closed). */
  close(): void {
    for (let i = 0; i < 16; i++) {
      this.sEnc[i] = 0;
      this.sMac[i] = 0;
      this.sRmac[i] = 0;
      this.macChain[i] = 0;
    }
    this.encCounter = 0;
    this.securityLevel = 0;
    this.open = false;
  }
}

const macInput = new Uint8Array(16 + 5 + 256);
const block = new Uint8Array(16);
const fullMac = new Uint8Array(16);
const cryptogram = new Uint8Array(CHALLENGE_SIZE);

/**
 * Derives S-ENC, S-MAC and S-RMAC from the static keys and the two challenges (Amd D §6.2.1) into
 * `s`, and resets its chaining value and counter. Any previous session in `s` is closed.
 */
export function deriveSessionKeys(bc: BlockCipher, kEnc: Uint8Array, kEncOff: i32, kMac: Uint8Array, kMacOff: i32, hostChallenge: Uint8Array, hOff: i32, cardChallenge: Uint8Array, cOff: i32, s: Scp03Session): void {
  s.close();
  for (let i = 0; i < CHALLENGE_SIZE; i++) {
    s.context[i] = hostChallenge[hOff + i];
    s.context[CHALLENGE_SIZE + i] = cardChallenge[cOff + i];
  }
  kdfCmac(bc, kEnc, kEncOff, DERIVE_S_ENC, s.context, 0, 16, 128, s.sEnc, 0);
  kdfCmac(bc, kMac, kMacOff, DERIVE_S_MAC, s.context, 0, 16, 128, s.sMac, 0);
  kdfCmac(bc, kMac, kMacOff, DERIVE_S_RMAC, s.context, 0, 16, 128, s.sRmac, 0);
}

/** Writes the 8-byte card (constant 00) or host (01) cryptogram of session `s` (Amd D §6.2.2.2-3). */
export function computeCryptogram(bc: BlockCipher, s: Scp03Session, constant: u8, out: Uint8Array, off: i32): void {
  kdfCmac(bc, s.sMac, 0, constant, s.context, 0, 16, 64, out, off);
}

function cryptogramMatches(bc: BlockCipher, s: Scp03Session, constant: u8, buf: Uint8Array, off: i32): bool {
  computeCryptogram(bc, s, constant, cryptogram, 0);
  return constantTimeEqual(cryptogram, 0, buf, off, CHALLENGE_SIZE);
}

/**
 * Card side of INITIALIZE UPDATE (Amd D §7.1): derives the session from the static keys, the host
 * challenge and the card's fresh random challenge, and writes the 29-byte response data
 * (diversification data || key version || 03 || i || card challenge || card cryptogram) to out.
 * Returns INIT_UPDATE_RESPONSE_SIZE or ERR_OUTPUT_TOO_SMALL.
 */
export function cardInitializeUpdate(bc: BlockCipher, kEnc: Uint8Array, kMac: Uint8Array, keyVersion: u8, diversification: Uint8Array, divOff: i32, hostChallenge: Uint8Array, hOff: i32, cardChallenge: Uint8Array, cOff: i32, s: Scp03Session, out: Uint8Array, off: i32, cap: i32): i32 {
  if (cap < INIT_UPDATE_RESPONSE_SIZE) return ERR_OUTPUT_TOO_SMALL;
  deriveSessionKeys(bc, kEnc, 0, kMac, 0, hostChallenge, hOff, cardChallenge, cOff, s);
  for (let i = 0; i < DIVERSIFICATION_DATA_SIZE; i++) out[off + i] = diversification[divOff + i];
  out[off + 10] = keyVersion;
  out[off + 11] = SCP_ID;
  out[off + 12] = SCP_I_PARAMETER;
  for (let i = 0; i < CHALLENGE_SIZE; i++) out[off + 13 + i] = cardChallenge[cOff + i];
  computeCryptogram(bc, s, DERIVE_CARD_CRYPTOGRAM, out, off + 21);
  return INIT_UPDATE_RESPONSE_SIZE;
}

/** CMAC of chain || header (CLA|04 INS P1 P2 Lc') || data into fullMac; the header is at apdu[off..off+4). */
function commandMac(bc: BlockCipher, s: Scp03Session, apdu: Uint8Array, off: i32, lcWithMac: i32, data: Uint8Array, dOff: i32, dLen: i32): void {
  for (let i = 0; i < 16; i++) macInput[i] = s.macChain[i];
  macInput[16] = u8(u32(apdu[off]) | CLA_SM_BIT);
  macInput[17] = apdu[off + 1];
  macInput[18] = apdu[off + 2];
  macInput[19] = apdu[off + 3];
  macInput[20] = u8(lcWithMac);
  for (let i = 0; i < dLen; i++) macInput[21 + i] = data[dOff + i];
  aesCmac(bc, s.sMac, 0, macInput, 0, 21 + dLen, fullMac, 0);
}

/**
 * Host side of INITIALIZE UPDATE's answer and EXTERNAL AUTHENTICATE (Amd D §7.1-7.2): checks the
 * response layout, derives the session, verifies the card cryptogram, and writes the EXTERNAL
 * AUTHENTICATE APDU for security level `sl` (with its C-MAC) to out. Accepts both response forms:
 * 29 bytes (random challenge, i bit 0x10 clear: this card) and 32 bytes with a 3-byte sequence
 * counter (pseudo-random challenge: other SCP03 cards). The session opens once the card answers
 * 9000 (call markOpen). Returns EXTERNAL_AUTHENTICATE_SIZE or an error.
 */
export function hostAuthenticate(bc: BlockCipher, kEnc: Uint8Array, kMac: Uint8Array, hostChallenge: Uint8Array, hOff: i32, resp: Uint8Array, rOff: i32, rLen: i32, sl: u8, s: Scp03Session, out: Uint8Array, off: i32, cap: i32): i32 {
  if (!isSecurityLevel(sl)) return ERR_CARD_BAD_SECURITY_LEVEL;
  if (!inBounds(resp, rOff, rLen)) return ERR_BAD_ARGUMENT;
  if (rLen < INIT_UPDATE_RESPONSE_SIZE) return ERR_CARD_BAD_INIT_RESPONSE;
  const pseudoRandom = (u32(resp[rOff + 12]) & 0x10) != 0;
  if (rLen != INIT_UPDATE_RESPONSE_SIZE + (pseudoRandom ? 3 : 0) || resp[rOff + 11] != SCP_ID) return ERR_CARD_BAD_INIT_RESPONSE;
  if (cap < EXTERNAL_AUTHENTICATE_SIZE) return ERR_OUTPUT_TOO_SMALL;
  deriveSessionKeys(bc, kEnc, 0, kMac, 0, hostChallenge, hOff, resp, rOff + 13, s);
  if (!cryptogramMatches(bc, s, DERIVE_CARD_CRYPTOGRAM, resp, rOff + 21)) {
    s.close();
    return ERR_CARD_BAD_CRYPTOGRAM;
  }
  out[off] = CLA_SECURE;
  out[off + 1] = INS_EXTERNAL_AUTHENTICATE;
  out[off + 2] = sl;
  out[off + 3] = 0;
  out[off + 4] = u8(2 * CHALLENGE_SIZE);
  computeCryptogram(bc, s, DERIVE_HOST_CRYPTOGRAM, out, off + 5);
  commandMac(bc, s, out, off, 2 * CHALLENGE_SIZE, out, off + 5, CHALLENGE_SIZE);
  for (let i = 0; i < 16; i++) s.macChain[i] = fullMac[i];
  for (let i = 0; i < SM_MAC_SIZE; i++) out[off + 13 + i] = fullMac[i];
  s.securityLevel = sl;
  s.encCounter = 0;
  return EXTERNAL_AUTHENTICATE_SIZE;
}

/** Host side: the card answered 9000 to EXTERNAL AUTHENTICATE; the session is open (Amd D §7.2). */
export function markOpen(s: Scp03Session): void {
  s.open = true;
}

function macMatches(buf: Uint8Array, off: i32): bool {
  return constantTimeEqual(fullMac, 0, buf, off, SM_MAC_SIZE);
}

/**
 * Card side of EXTERNAL AUTHENTICATE (Amd D §7.2): verifies the C-MAC (chaining value zero) and
 * the host cryptogram of the 21-byte APDU, then opens the session at the level in P1. On any
 * failure the session is closed and an error returned.
 */
export function cardExternalAuthenticate(bc: BlockCipher, s: Scp03Session, apdu: Uint8Array, off: i32, len: i32): i32 {
  if (len != EXTERNAL_AUTHENTICATE_SIZE && len != EXTERNAL_AUTHENTICATE_SIZE + 1) return ERR_CARD_BAD_APDU;
  if (apdu[off] != CLA_SECURE || apdu[off + 1] != INS_EXTERNAL_AUTHENTICATE || apdu[off + 3] != 0 || i32(apdu[off + 4]) != 2 * CHALLENGE_SIZE) return ERR_CARD_BAD_APDU;
  const sl = apdu[off + 2];
  if (!isSecurityLevel(sl)) {
    s.close();
    return ERR_CARD_BAD_SECURITY_LEVEL;
  }
  for (let i = 0; i < 16; i++) s.macChain[i] = 0;
  commandMac(bc, s, apdu, off, 2 * CHALLENGE_SIZE, apdu, off + 5, CHALLENGE_SIZE);
  if (!macMatches(apdu, off + 13)) {
    s.close();
    return ERR_CARD_BAD_MAC;
  }
  if (!cryptogramMatches(bc, s, DERIVE_HOST_CRYPTOGRAM, apdu, off + 5)) {
    s.close();
    return ERR_CARD_BAD_CRYPTOGRAM;
  }
  for (let i = 0; i < 16; i++) s.macChain[i] = fullMac[i];
  s.securityLevel = sl;
  s.encCounter = 0;
  s.open = true;
  return OK;
}

/** Sets `block` to the C-ENC ICV (counter as 16-byte BE) or R-ENC ICV (80 || counter as 15 bytes). */
function makeIcv(bc: BlockCipher, s: Scp03Session, response: bool): void {
  for (let i = 0; i < 16; i++) block[i] = 0;
  if (response) block[0] = 0x80;
  const c = s.encCounter;
  block[12] = u8(c >>> 24);
  block[13] = u8(c >>> 16);
  block[14] = u8(c >>> 8);
  block[15] = u8(c);
  bc.setKey(s.sEnc, 0);
  bc.encryptBlock(block, 0, block, 0);
}

/** Pads src with 80 00.. and CBC-encrypts under S-ENC into dst; returns the padded length. */
function encryptPadded(bc: BlockCipher, s: Scp03Session, response: bool, src: Uint8Array, sOff: i32, len: i32, dst: Uint8Array, dOff: i32): i32 {
  makeIcv(bc, s, response);
  return cbcEncryptPadded(bc, block, src, sOff, len, dst, dOff);
}

/**
 * CBC-decrypts src (whole blocks) under S-ENC into dst and strips 80 00..; returns the plain
 * length or ERR_CARD_BAD_PADDING. Padding longer than one block is accepted (some cards add a
 * whole zero block); the data was MAC-verified first, so this reveals nothing.
 */
function decryptPadded(bc: BlockCipher, s: Scp03Session, response: bool, src: Uint8Array, sOff: i32, len: i32, dst: Uint8Array, dOff: i32): i32 {
  if (len == 0 || len % 16 != 0) return ERR_CARD_BAD_PADDING;
  makeIcv(bc, s, response);
  for (let b = 0; b < len; b += 16) {
    for (let i = 0; i < 16; i++) fullMac[i] = src[sOff + b + i];
    bc.decryptBlock(src, sOff + b, dst, dOff + b);
    for (let i = 0; i < 16; i++) {
      dst[dOff + b + i] = u8(u32(dst[dOff + b + i]) ^ u32(block[i]));
      block[i] = fullMac[i];
    }
  }
  let end = len - 1;
  while (end >= 0 && dst[dOff + end] == 0) end--;
  if (end < 0 || dst[dOff + end] != 0x80) return ERR_CARD_BAD_PADDING;
  return end;
}

const parsed = new CommandApdu();

/** Decodes a short command APDU (ISO 7816-4 §5.1) into `parsed`; extended APDUs are not used by this channel. */
function parseShort(apdu: Uint8Array, off: i32, len: i32): bool {
  return decodeCommandApdu(apdu, off, len, parsed) >= 0 && !parsed.extended;
}

/**
 * Host side (Amd D §6.2.4-6.2.6): wraps a plain short command APDU for session `s` — C-ENC of the
 * data when C-DECRYPTION is on (the counter advances for every command), then the C-MAC over the
 * chaining value, the header with CLA|04 and Lc', and the data. Le is kept. Returns the wrapped
 * length, or ERR_CARD_BAD_APDU / ERR_CARD_SM_TOO_LONG / ERR_OUTPUT_TOO_SMALL.
 */
export function wrapCommand(bc: BlockCipher, s: Scp03Session, apdu: Uint8Array, off: i32, len: i32, out: Uint8Array, outOff: i32, cap: i32): i32 {
  if (!parseShort(apdu, off, len)) return ERR_CARD_BAD_APDU;
  const encrypt = (s.securityLevel & SL_C_DECRYPTION) != 0;
  const bodyLen = encrypt && parsed.nc > 0 ? (i32(parsed.nc / 16) + 1) * 16 : parsed.nc;
  if (bodyLen + SM_MAC_SIZE > 255) return ERR_CARD_SM_TOO_LONG;
  const total = 5 + bodyLen + SM_MAC_SIZE + (parsed.ne != 0 ? 1 : 0);
  if (cap < total) return ERR_OUTPUT_TOO_SMALL;
  const hasLe = parsed.ne != 0;
  const le = u8(parsed.ne);
  if (encrypt) s.encCounter = u32(s.encCounter + 1);
  if (encrypt && parsed.nc > 0) encryptPadded(bc, s, false, apdu, parsed.dataOff, parsed.nc, out, outOff + 5);
  else for (let i = 0; i < bodyLen; i++) out[outOff + 5 + i] = apdu[parsed.dataOff + i];
  out[outOff] = u8(u32(apdu[off]) | CLA_SM_BIT);
  out[outOff + 1] = apdu[off + 1];
  out[outOff + 2] = apdu[off + 2];
  out[outOff + 3] = apdu[off + 3];
  out[outOff + 4] = u8(bodyLen + SM_MAC_SIZE);
  commandMac(bc, s, out, outOff, bodyLen + SM_MAC_SIZE, out, outOff + 5, bodyLen);
  for (let i = 0; i < 16; i++) s.macChain[i] = fullMac[i];
  for (let i = 0; i < SM_MAC_SIZE; i++) out[outOff + 5 + bodyLen + i] = fullMac[i];
  if (hasLe) out[outOff + total - 1] = le;
  return total;
}

/**
 * Card side (Amd D §6.2.4-6.2.6): verifies and unwraps a secured command APDU into a plain short
 * APDU in out (CLA without the SM bit, Lc = plain data length, Le kept). A bad C-MAC (altered or
 * replayed APDU) returns ERR_CARD_BAD_MAC and closes the session; nothing is written to out
 * unless the MAC verifies. Returns the plain APDU length or a negative error.
 */
export function unwrapCommand(bc: BlockCipher, s: Scp03Session, apdu: Uint8Array, off: i32, len: i32, out: Uint8Array, outOff: i32, cap: i32): i32 {
  if (!parseShort(apdu, off, len)) return ERR_CARD_BAD_APDU;
  if ((u32(apdu[off]) & CLA_SM_BIT) == 0 || parsed.nc < SM_MAC_SIZE) return ERR_CARD_SM_MISSING;
  const bodyLen = parsed.nc - SM_MAC_SIZE;
  const dataOff = parsed.dataOff;
  const hasLe = parsed.ne != 0;
  const le = u8(parsed.ne);
  if (cap < 6 + bodyLen) return ERR_OUTPUT_TOO_SMALL;
  commandMac(bc, s, apdu, off, parsed.nc, apdu, dataOff, bodyLen);
  if (!macMatches(apdu, dataOff + bodyLen)) {
    s.close();
    return ERR_CARD_BAD_MAC;
  }
  for (let i = 0; i < 16; i++) s.macChain[i] = fullMac[i];
  const encrypt = (s.securityLevel & SL_C_DECRYPTION) != 0;
  if (encrypt) s.encCounter = u32(s.encCounter + 1);
  let plainLen = bodyLen;
  if (encrypt && bodyLen > 0) {
    plainLen = decryptPadded(bc, s, false, apdu, dataOff, bodyLen, out, outOff + 5);
    if (plainLen < 0) {
      s.close();
      return plainLen;
    }
  } else {
    for (let i = 0; i < bodyLen; i++) out[outOff + 5 + i] = apdu[dataOff + i];
  }
  out[outOff] = u8(u32(apdu[off]) & ~u32(CLA_SM_BIT));
  out[outOff + 1] = apdu[off + 1];
  out[outOff + 2] = apdu[off + 2];
  out[outOff + 3] = apdu[off + 3];
  let total = 4;
  if (plainLen > 0) {
    out[outOff + 4] = u8(plainLen);
    total = 5 + plainLen;
  }
  if (hasLe) {
    out[outOff + total] = le;
    total++;
  }
  return total;
}

/**
 * Card side (Amd D §6.2.7-6.2.8): writes the response for data[dOff..dOff+dLen) and status word
 * `sw`: R-ENC of non-empty data (ICV from 80 || counter of the command) when the level has R-ENC,
 * then the R-MAC over the command's chaining value, the data and SW when the level has R-MAC.
 * Returns the response length (data' || R-MAC || SW1 SW2) or ERR_OUTPUT_TOO_SMALL.
 */
export function wrapResponse(bc: BlockCipher, s: Scp03Session, data: Uint8Array, dOff: i32, dLen: i32, sw: u16, out: Uint8Array, outOff: i32, cap: i32): i32 {
  const rEnc = (s.securityLevel & SL_R_ENCRYPTION) != 0 && dLen > 0;
  const rMac = (s.securityLevel & SL_R_MAC) != 0;
  const bodyLen = rEnc ? (i32(dLen / 16) + 1) * 16 : dLen;
  const total = bodyLen + (rMac ? SM_MAC_SIZE : 0) + 2;
  if (cap < total || bodyLen > 256) return ERR_OUTPUT_TOO_SMALL;
  if (rEnc) encryptPadded(bc, s, true, data, dOff, dLen, out, outOff);
  else for (let i = 0; i < dLen; i++) out[outOff + i] = data[dOff + i];
  if (rMac) {
    for (let i = 0; i < 16; i++) macInput[i] = s.macChain[i];
    for (let i = 0; i < bodyLen; i++) macInput[16 + i] = out[outOff + i];
    macInput[16 + bodyLen] = u8(sw >>> 8);
    macInput[17 + bodyLen] = u8(sw);
    aesCmac(bc, s.sRmac, 0, macInput, 0, 18 + bodyLen, fullMac, 0);
    for (let i = 0; i < SM_MAC_SIZE; i++) out[outOff + bodyLen + i] = fullMac[i];
  }
  out[outOff + total - 2] = u8(sw >>> 8);
  out[outOff + total - 1] = u8(sw);
  return total;
}

/**
 * Host side (Amd D §6.2.7-6.2.8): verifies the R-MAC and decrypts R-ENC data of a response to the
 * last wrapped command; writes plain data || SW1 SW2 to out and returns its length, or
 * ERR_CARD_BAD_MAC (session closed), ERR_CARD_BAD_PADDING, or ERR_CARD_SM_MISSING (too short for
 * its R-MAC and SW).
 */
export function unwrapResponse(bc: BlockCipher, s: Scp03Session, resp: Uint8Array, off: i32, len: i32, out: Uint8Array, outOff: i32, cap: i32): i32 {
  const rMac = (s.securityLevel & SL_R_MAC) != 0;
  const macLen = rMac ? SM_MAC_SIZE : 0;
  if (!inBounds(resp, off, len)) return ERR_BAD_ARGUMENT;
  if (len < 2 + macLen) return ERR_CARD_SM_MISSING;
  const bodyLen = len - 2 - macLen;
  if (cap < bodyLen + 2) return ERR_OUTPUT_TOO_SMALL;
  if (rMac) {
    for (let i = 0; i < 16; i++) macInput[i] = s.macChain[i];
    for (let i = 0; i < bodyLen; i++) macInput[16 + i] = resp[off + i];
    macInput[16 + bodyLen] = resp[off + len - 2];
    macInput[17 + bodyLen] = resp[off + len - 1];
    aesCmac(bc, s.sRmac, 0, macInput, 0, 18 + bodyLen, fullMac, 0);
    if (!macMatches(resp, off + bodyLen)) {
      s.close();
      return ERR_CARD_BAD_MAC;
    }
  }
  let plainLen = bodyLen;
  if ((s.securityLevel & SL_R_ENCRYPTION) != 0 && bodyLen > 0) {
    plainLen = decryptPadded(bc, s, true, resp, off, bodyLen, out, outOff);
    if (plainLen < 0) return plainLen;
  } else {
    for (let i = 0; i < bodyLen; i++) out[outOff + i] = resp[off + i];
  }
  out[outOff + plainLen] = resp[off + len - 2];
  out[outOff + plainLen + 1] = resp[off + len - 1];
  return plainLen + 2;
}

/** True when the session's level includes all bits of `required` (e.g. SL_C_MAC | SL_R_MAC). */
export function levelAtLeast(s: Scp03Session, required: u8): bool {
  return s.open && (s.securityLevel & required) == required && (s.securityLevel & SL_C_MAC) != 0;
}
