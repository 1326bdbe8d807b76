// Shared set-up for the card tests: a personalized card with fixed keys and a seeded RNG, clients
// that authenticate as lockbox or server, and builders for records and objects.
import { expect } from "vitest";
import { issueCard, IssueParams } from "../../simulator/card/issue.ts";
import { Card, type CardOptions } from "../../simulator/card/card.ts";
import { CardClient, cardKeys, Reply } from "../../simulator/card/client.ts";
import * as C from "../../protocol/card/commands.ts";
import * as L from "../../protocol/card/layouts.ts";
import { AuditRecord, encodeAuditRecord, EVENT_OPENED } from "../../protocol/card/records.ts";
import { Rng } from "../support/rng.ts";
import { hex } from "../support/vectors.ts";

export const CARD_AUTH_MASTER = hex("404142434445464748494a4b4c4d4e4f");
export const SERVER_MASTER = hex("505152535455565758595a5b5c5d5e5f");
export const SERIAL = 12345678;
export const ASSOCIATION = 257;
export const PIN = "2580";

export function params(over: Partial<IssueParams> = {}): IssueParams {
  return {
    cardSerial: SERIAL, associationId: ASSOCIATION, roleFlags: L.ROLE_AGENT | L.ROLE_LISTING_AGENT,
    memberKey: "M-100234", mlsId: "AG7781", cardAuthMaster: CARD_AUTH_MASTER, serverMaster: SERVER_MASTER,
    pin: PIN, expiry: 1767225600, ...over,
  };
}

/** A freshly issued, powered card with a seeded challenge source. */
export function newCard(over: Partial<IssueParams> = {}, seed = 7, opts: CardOptions = {}): Card {
  const rng = new Rng(seed);
  const card = issueCard(params(over), { random: (n) => rng.bytes(n), ...opts });
  card.powerOn();
  return card;
}

export function lockboxClient(card: Card, sl = 0x33): CardClient {
  const c = new CardClient((a) => card.transmitApdu(a));
  c.authenticate(C.PARTY_LOCKBOX, cardKeys(C.PARTY_LOCKBOX, CARD_AUTH_MASTER, ASSOCIATION, SERIAL), sl, Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8));
  return c;
}

export function serverClient(card: Card, sl = 0x33): CardClient {
  const c = new CardClient((a) => card.transmitApdu(a));
  c.authenticate(C.PARTY_SERVER, cardKeys(C.PARTY_SERVER, SERVER_MASTER, ASSOCIATION, SERIAL), sl, Uint8Array.of(8, 7, 6, 5, 4, 3, 2, 1));
  return c;
}

/** An audit record (unsealed MAC bytes: the card does not check them). */
export function record(lockboxId: number, sequence: number, eventType = EVENT_OPENED, cardSerial = SERIAL): Uint8Array {
  const r = new AuditRecord();
  r.lockboxId = lockboxId;
  r.sequence = sequence;
  r.utc = 1764250000 + sequence;
  r.eventType = eventType;
  r.cardSerial = cardSerial;
  r.mac.fill(0xa5);
  const out = new Uint8Array(38);
  encodeAuditRecord(r, out, 0, 38);
  return out;
}

/** Runs `send`, expects status `sw`, and checks the persistent state did not change. */
export function refused(card: Card, sw: number, send: () => Reply | number): void {
  const before = card.home();
  const r = send();
  expect((typeof r === "number" ? r : r.sw).toString(16)).toBe(sw.toString(16));
  expect(Buffer.from(card.home()).equals(Buffer.from(before))).toBe(true);
}

export function authorization(card: Card): L.Authorization {
  const a = new L.Authorization();
  const h = card.home();
  expect(L.decodeAuthorization(h, card.layout.authorization, L.AUTHORIZATION_SIZE, a)).toBe(L.AUTHORIZATION_SIZE);
  return a;
}

/** An INITIALIZE UPDATE response from scp03.json: some vectors keep the status word (34 bytes), which is dropped. */
export function initUpdateResponse(responseHex: string): Uint8Array {
  const r = hex(responseHex);
  return responseHex.length === 2 * 34 ? r.subarray(0, 32) : r;
}
