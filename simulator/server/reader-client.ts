/**
 * The host's driver for a USB card reader (protocol/SPEC.md Reader §2): over an OSDP control panel
 * (simulator/osdp/cp.ts) it waits for a card (osdp_POLL card events or MFG CARD_STATUS), connects
 * it, and relays APDUs with MFG CARD_APDU. A lost reply is re-sent by the control panel with the
 * same sequence number, and the reader repeats its answer without running the APDU again (OSDP
 * §5.5), so relaying is safe on a noisy line.
 */
import { OsdpControlPanel } from "../osdp/cp.ts";
import { OsdpRawCard } from "../../protocol/osdp/replies.ts";
import { cardErrorName } from "../../protocol/card/errors.ts";
import { commonErrorName } from "../../protocol/errors.ts";
import {
  READER_VENDOR, MFG_CARD_STATUS, MFG_CARD_CONNECT, MFG_CARD_APDU, MFG_REPLY_BIT, MFG_REPLY_HEADER,
  CARD_EVENT_INSERTED, ERR_READER_NO_CARD, replyStatus, readerErrorName, CardSlotStatus, decodeCardStatus,
} from "../../protocol/service/reader.ts";
import type { Transmit } from "./card-channel.ts";

/** A reader-side failure: `code` is the reader's status (protocol/SPEC.md Reader §2.8). */
export class ReaderError extends Error {
  override name = "ReaderError";
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

/** The card as the reader sees it. */
export interface ReaderCardStatus {
  present: boolean;
  connected: boolean;
  bitRate: number;
  atr: Uint8Array;
}

function statusName(code: number): string {
  return readerErrorName(code) || cardErrorName(code) || commonErrorName(code) || `error ${code}`;
}

/** Drives one reader through its control panel. */
export class ReaderClient {
  constructor(readonly cp: OsdpControlPanel) {}

  private async call(sub: number, body: Uint8Array = new Uint8Array(0)): Promise<Uint8Array> {
    const data = new Uint8Array(1 + body.length);
    data[0] = sub;
    data.set(body, 1);
    const reply = await this.cp.mfg(READER_VENDOR, data);
    if (!reply || reply.vendor !== READER_VENDOR || reply.dataLen < MFG_REPLY_HEADER || reply.data[0] !== (sub | MFG_REPLY_BIT)) {
      throw new ReaderError(-1, `reader gave no valid answer to MFG sub-command ${sub}`);
    }
    const out = reply.data.slice(0, reply.dataLen);
    const status = replyStatus(out, 0);
    if (status !== 0) throw new ReaderError(status, `reader: ${statusName(status)}`);
    return out;
  }

  private static parseStatus(r: Uint8Array): ReaderCardStatus {
    const s = new CardSlotStatus();
    const n = decodeCardStatus(r, MFG_REPLY_HEADER, r.length - MFG_REPLY_HEADER, s);
    if (n < 0) throw new ReaderError(n, `reader: malformed card status (${statusName(n)})`);
    return { present: s.present, connected: s.connected, bitRate: s.bitRate, atr: s.atr.slice(0, s.atrLen) };
  }

  /** MFG CARD_STATUS. */
  async status(): Promise<ReaderCardStatus> {
    return ReaderClient.parseStatus(await this.call(MFG_CARD_STATUS));
  }

  /** MFG CARD_CONNECT: reset, PPS, IFS; the card's status afterwards. */
  async connect(): Promise<ReaderCardStatus> {
    return ReaderClient.parseStatus(await this.call(MFG_CARD_CONNECT));
  }

  /**
   * Polls until a card is in the slot (an insertion event, or a card already there), at most
   * `timeoutMs`; `onWait` is called once when the slot is empty (to ask for the card).
   */
  async waitForCard(timeoutMs: number, onWait: () => void = () => {}, pollMs = 100): Promise<void> {
    const until = Date.now() + timeoutMs;
    if ((await this.status()).present) return;
    onWait();
    while (Date.now() < until) {
      const ev = await this.cp.poll();
      if (ev instanceof OsdpRawCard && ev.bitCount >= 8 && ev.data[0] === CARD_EVENT_INSERTED) return;
      await new Promise((r) => setTimeout(r, pollMs));
    }
    throw new ReaderError(ERR_READER_NO_CARD, `no card inserted within ${timeoutMs} ms`);
  }

  /** A Transmit relaying each APDU through MFG CARD_APDU (for renewOverHttp). */
  transmit(): Transmit {
    return async (apdu) => {
      const r = await this.call(MFG_CARD_APDU, apdu);
      const resp = r.slice(MFG_REPLY_HEADER);
      if (resp.length < 2) throw new ReaderError(-1, "card answer without a status word");
      return resp;
    };
  }
}
