/**
 * The host side of the card's command set (protocol/SPEC.md Card §2) for Node: what the server
 * (and tests, and the world simulator standing in for a lockbox) use to talk to a card over any
 * transport that carries APDUs. Secure messaging is protocol/card/scp03.ts, the same code the
 * lockbox firmware runs.
 */
import { randomBytes } from "node:crypto";
import type { BlockCipher } from "../../protocol/blockcipher.ts";
import * as C from "../../protocol/card/commands.ts";
import { deriveKey, KEY_CARD_AUTH_ENC, KEY_CARD_AUTH_MAC, KEY_CARD_SERVER_ENC, KEY_CARD_SERVER_MAC } from "../../protocol/card/keys.ts";
import { Scp03Session, hostAuthenticate, markOpen, wrapCommand, unwrapResponse } from "../../protocol/card/scp03.ts";
import { encodePinBlock } from "../../protocol/card/pin.ts";
import { cardErrorName } from "../../protocol/card/errors.ts";
import { CommandApdu, commandApduLength, encodeCommandApdu } from "../../protocol/iso7816/apdu.ts";
import { STORED_RECORD_SIZE } from "../../protocol/card/records.ts";
import { MAX_RESPONSE_DATA } from "./applet.ts";
import { aesBlockCipher } from "../crypto/index.ts";

/** A response: data and status word. */
export interface Reply {
  data: Uint8Array;
  sw: number;
}

/** The card answered with a status word the caller did not accept, or secure messaging failed. */
export class CardCommandError extends Error {
  override name = "CardCommandError";
  constructor(readonly sw: number, message: string) {
    super(message);
  }
}

const shortCommand = new CommandApdu();

/**
 * Builds a short command APDU (ISO 7816-4 §5.1) with the protocol encoder; `le` undefined = no Le,
 * 0 = 256. The one builder for every Node-side host (this client, the server's CardChannel).
 */
export function apdu(cla: number, ins: number, p1: number, p2: number, data: Uint8Array = new Uint8Array(0), le?: number): Uint8Array {
  if (data.length > 255) throw new RangeError(`APDU data of ${data.length} bytes does not fit a short APDU`);
  shortCommand.set(cla, ins, p1, p2, data.length, le === undefined ? 0 : (le & 0xff) || 256, false);
  const total = commandApduLength(shortCommand);
  if (total < 0) throw new RangeError(`APDU header ${[cla, ins, p1, p2].join(" ")} is not four bytes`);
  const out = new Uint8Array(total);
  encodeCommandApdu(shortCommand, data, 0, out, 0, total);
  return out;
}

function split(rsp: Uint8Array): Reply {
  return { data: rsp.subarray(0, rsp.length - 2), sw: (rsp[rsp.length - 2] << 8) | rsp[rsp.length - 1] };
}

/** A party's static SCP03 keys for one card (spec §5). */
export interface StaticKeys {
  enc: Uint8Array;
  mac: Uint8Array;
}

/** Derives the lockbox (card-auth master) or server (server master) key set of one card (spec §5). */
export function cardKeys(party: number, master: Uint8Array, associationId: number, cardSerial: number, bc: BlockCipher = aesBlockCipher()): StaticKeys {
  const enc = new Uint8Array(16);
  const mac = new Uint8Array(16);
  const server = party === C.PARTY_SERVER;
  deriveKey(bc, master, 0, server ? KEY_CARD_SERVER_ENC : KEY_CARD_AUTH_ENC, associationId, cardSerial, enc, 0);
  deriveKey(bc, master, 0, server ? KEY_CARD_SERVER_MAC : KEY_CARD_AUTH_MAC, associationId, cardSerial, mac, 0);
  return { enc, mac };
}

/** A host talking to one card (spec §2, §6): SELECT, SCP03 authentication, wrapped commands. */
export class CardClient {
  readonly session = new Scp03Session();
  private readonly bc: BlockCipher;

  constructor(private readonly transmit: (apdu: Uint8Array) => Uint8Array, bc?: BlockCipher) {
    this.bc = bc ?? aesBlockCipher();
  }

  /** Sends a plain APDU. */
  raw(cmd: Uint8Array): Reply {
    return split(this.transmit(cmd));
  }

  /** SELECT the applet by AID. */
  select(): Reply {
    return this.raw(apdu(C.CLA_ISO, C.INS_SELECT, C.P1_SELECT_BY_NAME, 0, C.CARD_AID));
  }

  /**
   * INITIALIZE UPDATE + EXTERNAL AUTHENTICATE as `party` with `keys` at security level `sl`
   * (spec §6). Throws CardCommandError when the card refuses or its cryptogram is wrong.
   */
  authenticate(party: number, keys: StaticKeys, sl = 0x33, hostChallenge: Uint8Array = new Uint8Array(randomBytes(8))): void {
    const init = this.raw(apdu(C.CLA_PROPRIETARY, C.INS_INITIALIZE_UPDATE, 0, party, hostChallenge, 0));
    if (init.sw !== 0x9000) throw new CardCommandError(init.sw, `INITIALIZE UPDATE refused: ${init.sw.toString(16)}`);
    const ea = new Uint8Array(21);
    const n = hostAuthenticate(this.bc, keys.enc, keys.mac, hostChallenge, 0, init.data, 0, init.data.length, sl, this.session, ea, 0, 21);
    if (n < 0) throw new CardCommandError(0, `card authentication failed: ${cardErrorName(n)}`);
    const r = this.raw(ea);
    if (r.sw !== 0x9000) throw new CardCommandError(r.sw, `EXTERNAL AUTHENTICATE refused: ${r.sw.toString(16)}`);
    markOpen(this.session);
  }

  /** The wrapped form of a plain (CLA 80) command in the open session; advances the MAC chain. */
  wrap(cmd: Uint8Array): Uint8Array {
    const out = new Uint8Array(300);
    const n = wrapCommand(this.bc, this.session, cmd, 0, cmd.length, out, 0, out.length);
    if (n < 0) throw new CardCommandError(0, `cannot wrap command: ${cardErrorName(n)}`);
    return out.slice(0, n);
  }

  /**
   * Verifies and decrypts a response to the last wrapped command. Only a refusal may come back as a
   * bare status word without R-MAC (as the server's CardChannel takes it); a bare 9000 is verified.
   */
  unwrap(rsp: Uint8Array): Reply {
    if (rsp.length === 2 && ((rsp[0] << 8) | rsp[1]) !== 0x9000) return split(rsp);
    const out = new Uint8Array(rsp.length + 2);
    const n = unwrapResponse(this.bc, this.session, rsp, 0, rsp.length, out, 0, out.length);
    if (n < 0) throw new CardCommandError(0, `response fails secure messaging: ${cardErrorName(n)}`);
    return split(out.subarray(0, n));
  }

  /** Sends a plain command wrapped in the session, and unwraps the answer. */
  send(cla: number, ins: number, p1: number, p2: number, data?: Uint8Array, le?: number): Reply {
    const cmd = apdu(cla, ins, p1, p2, data, le);
    if (!this.session.open) return this.raw(cmd);
    return this.unwrap(this.transmit(this.wrap(cmd)));
  }

  /** Sends a command and throws unless the card answers 9000; returns the data. */
  expectOk(ins: number, p1: number, p2: number, data?: Uint8Array, le?: number): Uint8Array {
    const r = this.send(C.CLA_PROPRIETARY, ins, p1, p2, data, le);
    if (r.sw !== 0x9000) throw new CardCommandError(r.sw, `card refused INS ${ins.toString(16)}: ${r.sw.toString(16)}`);
    return r.data;
  }

  /** READ OBJECT of the whole object, in chunks by offset (spec §2.4). */
  readObject(id: number): Uint8Array {
    if (id === C.OBJ_STAGED_SETTINGS) throw new Error("use readStagedSettings");
    const parts: number[] = [];
    for (;;) {
      const chunk = this.expectOk(C.INS_READ_OBJECT, id, 0, Uint8Array.of(parts.length >> 8, parts.length & 0xff), 0);
      parts.push(...chunk);
      if (chunk.length < MAX_RESPONSE_DATA) return Uint8Array.from(parts);
    }
  }

  /** VERIFY PIN with a digit string (spec §2.6). Returns the status word (9000, 63Cx, 6983, …). */
  verifyPin(pin: string): number {
    const block = new Uint8Array(8);
    if (encodePinBlock(Uint8Array.from(pin, (c) => c.charCodeAt(0) - 48), pin.length, block, 0) < 0) throw new Error("PIN must be 4..12 digits");
    return this.send(C.CLA_PROPRIETARY, C.INS_VERIFY_PIN, 0, C.P2_PIN_REFERENCE, block).sw;
  }

  /** Every stored record of a file from `from` on, in READ RECORDS pages (spec §2.5). */
  readAllRecords(fileId: number, from = 0): Uint8Array[] {
    const out: Uint8Array[] = [];
    let next = from;
    for (;;) {
      const page = this.expectOk(C.INS_READ_RECORDS, fileId, 0, Uint8Array.of(next >>> 24, next >>> 16, next >>> 8, next), 0);
      if (page.length === 0) return out;
      for (let i = 0; i < page.length; i += STORED_RECORD_SIZE) out.push(page.slice(i, i + STORED_RECORD_SIZE));
      next = new DataView(page.buffer, page.byteOffset).getUint32(page.length - STORED_RECORD_SIZE) + 1;
    }
  }

  /** Sends a denylist in UPDATE DENYLIST chunks (spec §2.11); returns the final status word. */
  updateDenylist(list: Uint8Array, chunk = 200): number {
    for (let off = 0; ; off += chunk) {
      const last = off + chunk >= list.length;
      const body = new Uint8Array(2 + Math.min(chunk, list.length - off));
      body[0] = off >> 8;
      body[1] = off & 0xff;
      body.set(list.subarray(off, off + chunk), 2);
      const r = this.send(C.CLA_PROPRIETARY, C.INS_UPDATE_DENYLIST, last ? C.P1_LAST_CHUNK : 0, 0, body);
      if (last || r.sw !== 0x9000) return r.sw;
    }
  }
}
