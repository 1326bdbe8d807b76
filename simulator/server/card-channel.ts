/**
 * The server's end of its secure channel to a card (docs/ARCHITECTURE.md §5: end to end between card and
 * server; the PC and reader only relay APDUs): SCP03 host side from protocol/card/scp03.ts over a
 * `transmit` function that carries one command APDU to the card and brings its response back,
 * however many untrusted hops lie between. Every failure is a ServerError naming what went wrong.
 */
import type { BlockCipher } from "../../protocol/blockcipher.ts";
import { CARD_AID, CLA_ISO, CLA_PROPRIETARY, INS_SELECT, INS_INITIALIZE_UPDATE, P1_SELECT_BY_NAME } from "../../protocol/card/commands.ts";
import { Scp03Session, hostAuthenticate, markOpen, wrapCommand, unwrapResponse, CHALLENGE_SIZE, EXTERNAL_AUTHENTICATE_SIZE } from "../../protocol/card/scp03.ts";
import { cardErrorName, ERR_CARD_BAD_CRYPTOGRAM, ERR_CARD_BAD_MAC } from "../../protocol/card/errors.ts";
import { statusWordName, SW_OK } from "../../protocol/iso7816/sw.ts";
import { apdu, type Reply } from "../card/client.ts";
import { ServerError } from "./errors.ts";

/** Carries one command APDU to the card and resolves to its response APDU (data || SW1 SW2). */
export type Transmit = (apdu: Uint8Array) => Promise<Uint8Array>;

function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex");
}

function split(resp: Uint8Array): Reply {
  if (resp.length < 2) throw new ServerError("card-bad-response", `card response of ${resp.length} bytes has no status word`);
  return { data: resp.subarray(0, resp.length - 2), sw: (resp[resp.length - 2] << 8) | resp[resp.length - 1] };
}

/** One SCP03 session, host side, between the server and one card (protocol/SPEC.md Card §6). */
export class CardChannel {
  private readonly session = new Scp03Session();
  private readonly buf = new Uint8Array(300);

  constructor(private readonly bc: BlockCipher, private readonly transmit: Transmit) {}

  /** Sends a plain APDU and checks the status word. */
  async plain(command: Uint8Array, what: string): Promise<Uint8Array> {
    const reply = split(await this.transmit(command));
    if (reply.sw !== SW_OK) throw new ServerError("card-error", `${what}: card answered ${reply.sw.toString(16)} (${statusWordName(reply.sw)})`);
    return reply.data;
  }

  /** SELECT the Lockbox applet by AID (spec §2.1). */
  async select(): Promise<void> {
    await this.plain(apdu(CLA_ISO, INS_SELECT, P1_SELECT_BY_NAME, 0, CARD_AID, 0), "SELECT");
  }

  /**
   * INITIALIZE UPDATE + EXTERNAL AUTHENTICATE (GP Amd D §7.1-7.2) with the static keys of the
   * authenticating `party`; opens the session at security level `sl`. A card that cannot prove
   * it holds the keys is refused as card-bad-cryptogram.
   */
  async open(kEnc: Uint8Array, kMac: Uint8Array, party: number, hostChallenge: Uint8Array, sl: number): Promise<void> {
    if (hostChallenge.length !== CHALLENGE_SIZE) throw new Error("host challenge must be 8 bytes");
    const init = await this.plain(apdu(CLA_PROPRIETARY, INS_INITIALIZE_UPDATE, 0, party, hostChallenge, 0), "INITIALIZE UPDATE");
    const n = hostAuthenticate(this.bc, kEnc, kMac, hostChallenge, 0, init, 0, init.length, sl, this.session, this.buf, 0, this.buf.length);
    if (n === ERR_CARD_BAD_CRYPTOGRAM) throw new ServerError("card-bad-cryptogram", "the card's cryptogram does not verify: not a genuine card of this association, or the wrong card");
    if (n < 0) throw new ServerError("card-bad-response", `INITIALIZE UPDATE response refused: ${cardErrorName(n)}`);
    if (n !== EXTERNAL_AUTHENTICATE_SIZE) throw new ServerError("card-bad-response", "EXTERNAL AUTHENTICATE has an unexpected size");
    const reply = split(await this.transmit(this.buf.slice(0, n)));
    if (reply.sw !== SW_OK) throw new ServerError("card-bad-cryptogram", `the card refused the server's cryptogram (${reply.sw.toString(16)})`);
    markOpen(this.session);
  }

  /**
   * Sends a plain command APDU through the open session (C-MAC, C-ENC) and returns the verified,
   * decrypted response data; an R-MAC that does not verify (altered, replayed or substituted
   * response) is card-bad-mac; a status word other than 9000 is card-error with `what`.
   */
  async secure(command: Uint8Array, what: string): Promise<Uint8Array> {
    const reply = await this.secureReply(command, what);
    if (reply.sw !== SW_OK) throw new ServerError("card-error", `${what}: card answered ${reply.sw.toString(16)} (${statusWordName(reply.sw)})`);
    return reply.data;
  }

  /** As secure(), but returns any status word to the caller. */
  async secureReply(command: Uint8Array, what: string): Promise<Reply> {
    if (!this.session.open) throw new ServerError("card-error", `${what}: the secure session is closed`);
    const n = wrapCommand(this.bc, this.session, command, 0, command.length, this.buf, 0, this.buf.length);
    if (n < 0) throw new Error(`${what}: cannot wrap ${hex(command)}: ${cardErrorName(n)}`);
    const resp = await this.transmit(this.buf.slice(0, n));
    // A refusal may come back as a bare status word without R-MAC; refusing is always safe.
    if (resp.length === 2 && ((resp[0] << 8) | resp[1]) !== SW_OK) return split(resp);
    const out = new Uint8Array(Math.max(resp.length, 2));
    const m = unwrapResponse(this.bc, this.session, resp, 0, resp.length, out, 0, out.length);
    if (m === ERR_CARD_BAD_MAC) throw new ServerError("card-bad-mac", `${what}: the response's R-MAC does not verify (altered, replayed or substituted)`);
    if (m < 0) throw new ServerError("card-bad-response", `${what}: ${cardErrorName(m)}`);
    return split(out.slice(0, m));
  }

  /** Wipes the session keys. */
  close(): void {
    this.session.close();
  }
}
