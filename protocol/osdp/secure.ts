/**
 * OSDP secure channel computations (SIA OSDP v2.2 Annex D) with the AES-128 block function
 * injected (protocol/blockcipher.ts). One object per link holds the session keys and the two MAC
 * chaining values; sealPacket/openPacket apply them to whole packets (SCS_15..18).
 */
import { BlockCipher } from "../blockcipher";
import { cbcEncryptPadded } from "../cbc";
import { copyBytes, zeroBytes, inBounds, constantTimeEqual } from "../bytes";
import { ERR_OUTPUT_TOO_SMALL, ERR_BAD_ARGUMENT } from "../errors";
import { ERR_OSDP_BAD_MAC, ERR_OSDP_BAD_PADDING } from "./errors";
import { SCS_15, SCS_16, SCS_17, SCS_18 } from "./codes";
import { OsdpPacket, OSDP_MAC_LEN, OSDP_MAX_PACKET, encodePacket, scbHasMac, writePacketTrailer } from "./packet";

const SCBK_D: Uint8Array = new Uint8Array(16);
for (let i = 0; i < 16; i++) SCBK_D[i] = u8(0x30 + i);

/** Copies the well-known install-mode key SCBK-D (30 31 .. 3F, Annex D.2) to out[off..off+16). */
export function writeScbkD(out: Uint8Array, off: i32): void {
  copyBytes(SCBK_D, 0, out, off, 16);
}

/** Session state of one secure channel: S-ENC, S-MAC1, S-MAC2 and the C-MAC/R-MAC chain (Annex D.4-D.5). */
export class OsdpSecureChannel {
  cipher: BlockCipher;
  readonly sEnc: Uint8Array = new Uint8Array(16);
  readonly sMac1: Uint8Array = new Uint8Array(16);
  readonly sMac2: Uint8Array = new Uint8Array(16);
  /** Full MAC of the last command (chaining value for the next reply). */
  readonly cMac: Uint8Array = new Uint8Array(16);
  /** Full MAC of the last reply, initially RMAC-I (chaining value for the next command). */
  readonly rMac: Uint8Array = new Uint8Array(16);
  private readonly block: Uint8Array = new Uint8Array(16);
  private readonly iv: Uint8Array = new Uint8Array(16);
  private readonly mac: Uint8Array = new Uint8Array(16);
  private readonly scratch: Uint8Array = new Uint8Array(OSDP_MAX_PACKET);

  constructor(cipher: BlockCipher) {
    this.cipher = cipher;
  }

  /**
   * Annex D.3: S-ENC = AES(SCBK, 01 82 RND.A[0..5] 00*8), S-MAC1 = AES(SCBK, 01 01 ...),
   * S-MAC2 = AES(SCBK, 01 02 ...). Clears the MAC chain.
   */
  deriveSessionKeys(scbk: Uint8Array, scbkOff: i32, rndA: Uint8Array, rndAOff: i32): void {
    const c = this.cipher;
    c.setKey(scbk, scbkOff);
    this.deriveOne(c, 0x82, rndA, rndAOff, this.sEnc);
    this.deriveOne(c, 0x01, rndA, rndAOff, this.sMac1);
    this.deriveOne(c, 0x02, rndA, rndAOff, this.sMac2);
    zeroBytes(this.cMac, 0, 16);
    zeroBytes(this.rMac, 0, 16);
  }

  private deriveOne(c: BlockCipher, second: i32, rndA: Uint8Array, rndAOff: i32, key: Uint8Array): void {
    const b = this.block;
    zeroBytes(b, 0, 16);
    b[0] = 0x01;
    b[1] = u8(second);
    copyBytes(rndA, rndAOff, b, 2, 6);
    c.encryptBlock(b, 0, key, 0);
  }

  /** Annex D.3: client cryptogram = AES(S-ENC, RND.A || RND.B), computed by the PD, sent in CCRYPT. */
  clientCryptogram(rndA: Uint8Array, rndAOff: i32, rndB: Uint8Array, rndBOff: i32, out: Uint8Array, outOff: i32): void {
    this.cryptogram(rndA, rndAOff, rndB, rndBOff, out, outOff);
  }

  /** Annex D.3: server cryptogram = AES(S-ENC, RND.B || RND.A), computed by the ACU, sent in SCRYPT. */
  serverCryptogram(rndA: Uint8Array, rndAOff: i32, rndB: Uint8Array, rndBOff: i32, out: Uint8Array, outOff: i32): void {
    this.cryptogram(rndB, rndBOff, rndA, rndAOff, out, outOff);
  }

  private cryptogram(first: Uint8Array, firstOff: i32, second: Uint8Array, secondOff: i32, out: Uint8Array, outOff: i32): void {
    copyBytes(first, firstOff, this.block, 0, 8);
    copyBytes(second, secondOff, this.block, 8, 8);
    this.cipher.setKey(this.sEnc, 0);
    this.cipher.encryptBlock(this.block, 0, out, outOff);
  }

  /**
   * Annex D.3: RMAC-I = AES(S-MAC2, AES(S-MAC1, server cryptogram)); also installs it as the
   * R-MAC that chains into the first secure command.
   */
  initialRmac(serverCryptogram: Uint8Array, off: i32, out: Uint8Array, outOff: i32): void {
    this.cipher.setKey(this.sMac1, 0);
    this.cipher.encryptBlock(serverCryptogram, off, this.block, 0);
    this.cipher.setKey(this.sMac2, 0);
    this.cipher.encryptBlock(this.block, 0, this.rMac, 0);
    copyBytes(this.rMac, 0, out, outOff, 16);
  }

  /**
   * Annex D.5 MAC: AES-CBC over buf[off..off+len) from IV iv[ivOff..], padded with 80 00.. only
   * when len is not a multiple of 16; every block but the last under S-MAC1, the last under S-MAC2.
   * Writes the 16-byte chaining value to out[outOff..].
   */
  computeMac(buf: Uint8Array, off: i32, len: i32, iv: Uint8Array, ivOff: i32, out: Uint8Array, outOff: i32): void {
    const c = this.cipher;
    const b = this.block;
    copyBytes(iv, ivOff, b, 0, 16);
    const blocks = len == 0 ? 1 : i32((len + 15) / 16);
    if (blocks > 1) c.setKey(this.sMac1, 0);
    for (let k = 0; k < blocks; k++) {
      const at = off + k * 16;
      const n = k == blocks - 1 ? len - k * 16 : 16;
      for (let i = 0; i < n; i++) b[i] = u8(b[i] ^ buf[at + i]);
      if (n < 16) b[n] = u8(b[n] ^ 0x80);
      if (k == blocks - 1) c.setKey(this.sMac2, 0);
      c.encryptBlock(b, 0, b, 0);
    }
    copyBytes(b, 0, out, outOff, 16);
  }

  /**
   * Annex D.4: AES-CBC under S-ENC of data || 80 || 00.. (padding always added) with
   * IV = NOT(lastPeerMac). Returns the ciphertext length (a multiple of 16) or ERR_OUTPUT_TOO_SMALL.
   * `data` and `out` may be the same buffer at the same offset.
   */
  encryptData(data: Uint8Array, off: i32, len: i32, lastPeerMac: Uint8Array, out: Uint8Array, outOff: i32, cap: i32): i32 {
    const padded = (i32(len / 16) + 1) * 16;
    if (!inBounds(data, off, len)) return ERR_BAD_ARGUMENT;
    if (padded > cap || !inBounds(out, outOff, cap)) return ERR_OUTPUT_TOO_SMALL;
    const b = this.block;
    for (let i = 0; i < 16; i++) b[i] = u8(~lastPeerMac[i]);
    this.cipher.setKey(this.sEnc, 0);
    return cbcEncryptPadded(this.cipher, b, data, off, len, out, outOff);
  }

  /**
   * Annex D.4 inverse: AES-CBC decryption under S-ENC with IV = NOT(lastPeerMac), then removal of
   * the 80 00.. padding. Returns the plaintext length, ERR_OSDP_BAD_PADDING (length not a positive
   * multiple of 16, or no 0x80 marker in the last block) or ERR_OUTPUT_TOO_SMALL; on error out is
   * untouched.
   */
  decryptData(data: Uint8Array, off: i32, len: i32, lastPeerMac: Uint8Array, out: Uint8Array, outOff: i32, cap: i32): i32 {
    if (!inBounds(data, off, len)) return ERR_BAD_ARGUMENT;
    if (len == 0 || (len & 15) != 0 || len > this.scratch.length) return ERR_OSDP_BAD_PADDING;
    const s = this.scratch;
    const c = this.cipher;
    for (let i = 0; i < 16; i++) this.iv[i] = u8(~lastPeerMac[i]);
    c.setKey(this.sEnc, 0);
    for (let at = 0; at < len; at += 16) {
      c.decryptBlock(data, off + at, s, at);
      for (let i = 0; i < 16; i++) {
        s[at + i] = u8(s[at + i] ^ this.iv[i]);
        this.iv[i] = data[off + at + i];
      }
    }
    let end = len - 1;
    while (end >= len - 16 && s[end] == 0) end--;
    if (end < len - 16 || s[end] != 0x80) {
      zeroBytes(s, 0, len);
      return ERR_OSDP_BAD_PADDING;
    }
    if (end > cap || !inBounds(out, outOff, cap)) {
      zeroBytes(s, 0, len);
      return ERR_OUTPUT_TOO_SMALL;
    }
    copyBytes(s, 0, out, outOff, end);
    zeroBytes(s, 0, len);
    return end;
  }

  /**
   * Builds a secure packet (Annex D.5): SCS_17/18 with encrypted data when `encrypt` and there is
   * data, else SCS_15/16; MAC IV is the other direction's last MAC, and the new full MAC becomes
   * this direction's chaining value. `h` gives address, direction, sqn, trailer type, code and mark.
   * Returns the packet length or an encoder error (chain unchanged on error).
   */
  sealPacket(h: OsdpPacket, data: Uint8Array, dataOff: i32, dataLen: i32, encrypt: bool, out: Uint8Array, off: i32, cap: i32): i32 {
    const isReply = h.isReply;
    const peerMac = isReply ? this.cMac : this.rMac;
    let payload = data;
    let payloadOff = dataOff;
    let payloadLen = dataLen;
    if (encrypt && dataLen > 0) {
      h.scbType = isReply ? SCS_18 : SCS_17;
      payloadLen = this.encryptData(data, dataOff, dataLen, peerMac, this.scratch, 0, this.scratch.length);
      if (payloadLen < 0) return payloadLen;
      payload = this.scratch;
      payloadOff = 0;
    } else {
      h.scbType = isReply ? SCS_16 : SCS_15;
    }
    h.scbData = 0;
    zeroBytes(h.mac, 0, OSDP_MAC_LEN);
    const n = encodePacket(h, payload, payloadOff, payloadLen, out, off, cap);
    if (n < 0) return n;
    const som = off + (h.mark ? 1 : 0);
    const length = n - (h.mark ? 1 : 0);
    const macAt = som + length - (h.useCrc ? 2 : 1) - OSDP_MAC_LEN;
    this.computeMac(out, som, macAt - som, peerMac, 0, this.mac, 0);
    copyBytes(this.mac, 0, isReply ? this.rMac : this.cMac, 0, 16);
    copyBytes(this.mac, 0, h.mac, 0, OSDP_MAC_LEN);
    copyBytes(this.mac, 0, out, macAt, OSDP_MAC_LEN);
    writePacketTrailer(out, som, length, h.useCrc);
    return n;
  }

  /**
   * Verifies and opens a decoded SCS_15..18 packet lying in buf (Annex D.5): checks its MAC against
   * the chain, decrypts SCS_17/18 data, and copies the plaintext payload to out[outOff..].
   * Returns the plaintext length or ERR_OSDP_BAD_MAC / ERR_OSDP_BAD_PADDING / ERR_OUTPUT_TOO_SMALL;
   * the MAC chain advances only on success.
   */
  openPacket(p: OsdpPacket, buf: Uint8Array, out: Uint8Array, outOff: i32, cap: i32): i32 {
    if (!scbHasMac(p.scbType) || p.macOff < 0) return ERR_BAD_ARGUMENT;
    const peerMac = p.isReply ? this.cMac : this.rMac;
    this.computeMac(buf, p.somOff, p.macOff - p.somOff, peerMac, 0, this.mac, 0);
    if (!constantTimeEqual(this.mac, 0, buf, p.macOff, OSDP_MAC_LEN)) return ERR_OSDP_BAD_MAC;
    let n = p.dataLen;
    if (p.scbType == SCS_17 || p.scbType == SCS_18) {
      n = this.decryptData(buf, p.dataOff, p.dataLen, peerMac, out, outOff, cap);
      if (n < 0) return n;
    } else {
      if (n > cap || !inBounds(out, outOff, cap)) return ERR_OUTPUT_TOO_SMALL;
      copyBytes(buf, p.dataOff, out, outOff, n);
    }
    copyBytes(this.mac, 0, p.isReply ? this.rMac : this.cMac, 0, 16);
    return n;
  }
}
