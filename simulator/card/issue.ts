/**
 * Personalization (protocol/SPEC.md Card §8.4): builds a new card from the association's master
 * keys and the member's data. The server calls issueCard(); `lockbox card issue` wraps it. The
 * factory writes the whole EEPROM at once (no journal): a card is only handed out once issued.
 */
import { randomBytes } from "node:crypto";
import * as L from "../../protocol/card/layouts.ts";
import { deriveKey, KEY_CARD_AUTH_ENC, KEY_CARD_AUTH_MAC, KEY_CARD_SERVER_ENC, KEY_CARD_SERVER_MAC } from "../../protocol/card/keys.ts";
import { encodePinBlock } from "../../protocol/card/pin.ts";
import { aesBlockCipher } from "../crypto/index.ts";
import { Card, CardOptions } from "./card.ts";
import { Layout, Capacities, DEFAULT_CAPACITIES, HOME_MAGIC, writeCapacities } from "./layout.ts";
import { PAGE_SIZE, HOME_FIRST_PAGE, eepromPages, sealHome } from "./journal.ts";

/** What personalization writes (spec §8.4). */
export interface IssueParams {
  cardSerial: number;
  associationId: number;
  keyVersion?: number;
  /** ROLE_* bits of protocol/card/layouts.ts. */
  roleFlags: number;
  memberKey: string;
  mlsId: string;
  /** Association card-authentication master (16 bytes): lockboxes derive the same card keys. */
  cardAuthMaster: Uint8Array;
  /** Server master (16 bytes). */
  serverMaster: Uint8Array;
  /** 4..12 decimal digits. */
  pin: string;
  /** First expiry, UTC seconds. */
  expiry: number;
  /** First issue counter (renewals must exceed it); default 1. */
  issueCounter?: number;
  capacities?: Partial<Capacities>;
}

/** Refused personalization data. */
export class IssueError extends Error {
  override name = "IssueError";
}

function text(value: string, width: number, what: string): Uint8Array {
  if (!/^[\x20-\x7e]*$/.test(value) || value.length > width) throw new IssueError(`${what} must be at most ${width} printable ASCII characters`);
  const out = new Uint8Array(width);
  out.set(new TextEncoder().encode(value));
  return out;
}

function u32(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new IssueError(`${what} must be an integer 0..4294967295`);
  return value;
}

/** Creates a personalized card in memory; `opts.path` (or card.saveTo) makes it a card file. */
export function issueCard(p: IssueParams, opts: CardOptions = {}): Card {
  const caps: Capacities = { ...DEFAULT_CAPACITIES, ...p.capacities };
  if (caps.records.some((r) => !Number.isInteger(r) || r < 1 || r > 4096)) throw new IssueError("record capacities must be 1..4096");
  if (caps.stagedSettings < 1 || caps.stagedSettings > 32 || caps.denylistEntries < 1 || caps.denylistEntries > 1024) throw new IssueError("staged settings 1..32, denylist entries 1..1024");
  if (!Number.isInteger(caps.pinTryLimit) || caps.pinTryLimit < 1 || caps.pinTryLimit > 15) throw new IssueError("PIN try limit must be 1..15");
  if (!/^[0-9]{4,12}$/.test(p.pin)) throw new IssueError("PIN must be 4..12 digits");
  if (p.cardAuthMaster.length !== 16 || p.serverMaster.length !== 16) throw new IssueError("master keys must be 16 bytes");
  const layout = new Layout(caps);
  const home = new Uint8Array(layout.size);
  const v = new DataView(home.buffer);
  v.setUint32(0, HOME_MAGIC);
  writeCapacities(home, caps);

  const bc = aesBlockCipher();
  const serial = u32(p.cardSerial, "card serial");
  const association = u32(p.associationId, "association id");
  const keyVersion = p.keyVersion ?? 1;
  if (!Number.isInteger(keyVersion) || keyVersion < 1 || keyVersion > 0x7f) throw new IssueError("key version must be 1..127");
  home[layout.keys] = keyVersion;
  deriveKey(bc, p.cardAuthMaster, 0, KEY_CARD_AUTH_ENC, association, serial, home, layout.keys + 1);
  deriveKey(bc, p.cardAuthMaster, 0, KEY_CARD_AUTH_MAC, association, serial, home, layout.keys + 17);
  deriveKey(bc, p.serverMaster, 0, KEY_CARD_SERVER_ENC, association, serial, home, layout.keys + 33);
  deriveKey(bc, p.serverMaster, 0, KEY_CARD_SERVER_MAC, association, serial, home, layout.keys + 49);

  encodePinBlock(Uint8Array.from(p.pin, (c) => c.charCodeAt(0) - 48), p.pin.length, home, layout.pin);
  home[layout.pin + 8] = caps.pinTryLimit;

  const id = new L.Identity();
  id.cardSerial = serial;
  id.associationId = association;
  id.keyVersion = keyVersion;
  if ((p.roleFlags & ~L.ROLE_MASK) !== 0) throw new IssueError("unknown role flag bits");
  id.roleFlags = p.roleFlags;
  id.memberKey = text(p.memberKey, L.MEMBER_KEY_WIDTH, "member key");
  id.mlsId = text(p.mlsId, L.MLS_ID_WIDTH, "MLS id");
  L.encodeIdentity(id, home, layout.identity, L.IDENTITY_SIZE);

  const auth = new L.Authorization();
  auth.expiry = u32(p.expiry, "expiry");
  auth.issueCounter = u32(p.issueCounter ?? 1, "issue counter");
  L.encodeAuthorization(auth, home, layout.authorization, L.AUTHORIZATION_SIZE);
  sealHome(home);

  const pages = eepromPages(layout.size);
  const eeprom = new Uint8Array(pages * PAGE_SIZE);
  eeprom.set(home, HOME_FIRST_PAGE * PAGE_SIZE);
  const card = new Card({ chipId: new Uint8Array(randomBytes(8)), pageSize: PAGE_SIZE, pageCount: pages, eeprom }, opts);
  if (opts.path) card.saveTo(opts.path);
  return card;
}
