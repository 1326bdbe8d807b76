/**
 * The lockbox's side of a card transaction (protocol/SPEC.md Lockbox §3; card commands protocol/SPEC.md (Card chapter)):
 * the HAL card contacts wrapped as a T=1 CardPort, the T=1 master, and SCP03 (security level 33)
 * as the "lockbox" party with keys diversified from the association card-auth master.
 * All buffers are allocated once; one command at a time.
 */
import { T1Master } from "./t1/master";
import { HalCardPort } from "./hal-card-port";
import { Aes128 } from "../crypto/index";
import { Scp03Session, hostAuthenticate, markOpen, wrapCommand, unwrapResponse, CHALLENGE_SIZE } from "../../protocol/card/scp03";
import { deriveKey, KEY_CARD_AUTH_ENC, KEY_CARD_AUTH_MAC } from "../../protocol/card/keys";
import { CLA_PROPRIETARY, INS_INITIALIZE_UPDATE, PARTY_LOCKBOX } from "../../protocol/card/commands";
import { CommandApdu, encodeCommandApdu } from "../../protocol/iso7816/apdu";
import { halCardPowerOff, halRandomBytes } from "../hal/hal";

/** Card interface clock (Hz) and the fastest bit rate of the lockbox's card UART. */
export const CARD_CLOCK_HZ: i32 = 4000000;
export const CARD_MAX_BIT_RATE: i32 = 250000;
/** Security level used with the card: C-MAC, C-DEC, R-MAC, R-ENC. */
const LEVEL: u8 = 0x33;
/** The session error returned when a command's answer cannot be trusted or the link failed. */
export const SESSION_LINK_ERROR: i32 = -1;

/** The lockbox party of one card session: T=1 link + SCP03 level 33 (protocol/SPEC.md Lockbox §3, protocol/SPEC.md Card §6). */
export class CardSession {
  t1: T1Master = new T1Master(new HalCardPort(), CARD_CLOCK_HZ, CARD_MAX_BIT_RATE);
  aes: Aes128 = new Aes128();
  scp: Scp03Session = new Scp03Session();
  /** Status word of the last command (0 when the link failed). */
  sw: i32 = 0;
  /** Response data of the last command. */
  data: Uint8Array = new Uint8Array(260);
  private kEnc: Uint8Array = new Uint8Array(16);
  private kMac: Uint8Array = new Uint8Array(16);
  private hostChallenge: Uint8Array = new Uint8Array(CHALLENGE_SIZE);
  private apdu: CommandApdu = new CommandApdu();
  private cmd: Uint8Array = new Uint8Array(262);
  private wrapped: Uint8Array = new Uint8Array(262);
  private resp: Uint8Array = new Uint8Array(262);

  /** Powers and resets the card and sets up T=1 (ATR, PPS, IFS). OK or a link error (< 0). */
  connect(): i32 {
    this.scp.close();
    return this.t1.connect();
  }

  /** Encodes the command APDU into `cmd` (protocol/iso7816/apdu.ts); its length, or a negative code. */
  private build(cla: u8, ins: u8, p1: i32, p2: i32, data: Uint8Array, off: i32, len: i32, le: i32): i32 {
    this.apdu.set(cla, ins, p1, p2, len, le, false);
    return encodeCommandApdu(this.apdu, data, off, this.cmd, 0, this.cmd.length);
  }

  /** No answer to trust: no status word either. */
  private linkError(): i32 {
    this.sw = 0;
    return SESSION_LINK_ERROR;
  }

  private finish(n: i32, src: Uint8Array): i32 {
    if (n < 2) return this.linkError();
    this.sw = (i32(src[n - 2]) << 8) | i32(src[n - 1]);
    for (let i = 0; i < n - 2; i++) this.data[i] = src[i];
    return n - 2;
  }

  /** Sends a plain command; returns the response data length (data in `data`, SW in `sw`) or SESSION_LINK_ERROR. */
  plain(cla: u8, ins: u8, p1: i32, p2: i32, data: Uint8Array, off: i32, len: i32, le: i32): i32 {
    const n = this.build(cla, ins, p1, p2, data, off, len, le);
    if (n < 0) return this.linkError();
    const r = this.t1.transceive(this.cmd, 0, n, this.resp, 0, this.resp.length);
    return this.finish(r, this.resp);
  }

  /** Sends a command in the open SCP03 session (CLA 84, C-ENC of data, R-MAC checked, R-ENC decrypted). */
  secure(ins: u8, p1: i32, p2: i32, data: Uint8Array, off: i32, len: i32, le: i32): i32 {
    if (!this.scp.open) return SESSION_LINK_ERROR;
    const n = this.build(CLA_PROPRIETARY, ins, p1, p2, data, off, len, le);
    if (n < 0) return this.linkError();
    const w = wrapCommand(this.aes, this.scp, this.cmd, 0, n, this.wrapped, 0, this.wrapped.length);
    if (w < 0) return SESSION_LINK_ERROR;
    const r = this.t1.transceive(this.wrapped, 0, w, this.resp, 0, this.resp.length);
    if (r < 2) return this.finish(r, this.resp);
    const u = unwrapResponse(this.aes, this.scp, this.resp, 0, r, this.cmd, 0, this.cmd.length);
    if (u < 0) {
      this.scp.close();
      return this.linkError();
    }
    return this.finish(u, this.cmd);
  }

  /**
   * Mutual authentication as the lockbox party (INITIALIZE UPDATE P2 01 + EXTERNAL AUTHENTICATE,
   * level 33), keys diversified from the card-auth master for this card serial. OK, or a negative
   * code (link, wrong card cryptogram = not a genuine card of this association).
   */
  authenticate(master: Uint8Array, associationId: u32, serial: u32): i32 {
    deriveKey(this.aes, master, 0, KEY_CARD_AUTH_ENC, associationId, serial, this.kEnc, 0);
    deriveKey(this.aes, master, 0, KEY_CARD_AUTH_MAC, associationId, serial, this.kMac, 0);
    halRandomBytes(this.hostChallenge.dataStart, CHALLENGE_SIZE);
    const n = this.plain(CLA_PROPRIETARY, INS_INITIALIZE_UPDATE, 0, PARTY_LOCKBOX, this.hostChallenge, 0, CHALLENGE_SIZE, 256);
    if (n < 0 || this.sw != 0x9000) return SESSION_LINK_ERROR;
    const ea = hostAuthenticate(this.aes, this.kEnc, this.kMac, this.hostChallenge, 0, this.data, 0, n, LEVEL, this.scp, this.wrapped, 0, this.wrapped.length);
    if (ea < 0) return ea;
    const r = this.t1.transceive(this.wrapped, 0, ea, this.resp, 0, this.resp.length);
    if (this.finish(r, this.resp) < 0 || this.sw != 0x9000) return SESSION_LINK_ERROR;
    markOpen(this.scp);
    return 0;
  }

  /** Closes the session and removes power from the card. */
  close(): void {
    this.scp.close();
    halCardPowerOff();
  }
}

