/**
 * A simulated association (docs/ARCHITECTURE.md §2, §5): its master keys (from a seed), the cards it issues,
 * the lockboxes it provisions, and the server-side operations a renewal would perform on a card
 * (renew with server time, stage settings, push a denylist) and CARS code issuance. Used by the
 * scenarios, `lockbox sim`, and the lockbox tests.
 */
import { issueCard, type IssueParams } from "../card/issue.ts";
import { Card } from "../card/card.ts";
import { LoopbackCardPort, type LineNoise } from "../card/t1-port.ts";
import { CardClient } from "../card/client.ts";
import { sha256 } from "../crypto/index.ts";
import * as C from "../../protocol/card/commands.ts";
import * as L from "../../protocol/card/layouts.ts";
import { crc32 } from "../../protocol/crc.ts";
import { SimRandom } from "../host/random.ts";
import { carsCodeFor } from "../server/cars.ts";
import { renewData } from "../server/renewal.ts";
import { signedDenylist } from "../server/denylist.ts";
import { cardServerKeys, lockboxAuditKey, carsKey, denylistKey, type AssociationKeys } from "../server/keys.ts";
import type { CardContacts } from "../host/host.ts";

/** Layout of the factory block in flash sector 0 (protocol/SPEC.md Lockbox §2.1). */
export const FACTORY_SIZE = 100;
/** Magic of the factory block (spec §2.1). */
export const FACTORY_MAGIC = 0x4c425831;
/** Sectors before the journal: factory, state A/B, denylist A/B. */
export const SECTORS_BEFORE_JOURNAL = 5;

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** A person with an issued card (simulator/card). */
export interface CardHolder {
  name: string;
  serial: number;
  pin: string;
  card: Card;
  roles: number;
}

/** Per-box values of the factory block (spec §2.1). */
export interface LockboxProvision {
  lockboxId: number;
  carsPerMonth: number;
  carsConsecutiveDays: number;
  journalSectors: number;
}

/** An association: masters, card issuance, server-side card operations, CARS codes (spec §4). */
export class SimAssociation {
  readonly id: number;
  readonly cardAuthMaster: Uint8Array;
  readonly serverMaster: Uint8Array;
  readonly auditMaster: Uint8Array;
  private readonly random: SimRandom;
  /** The masters as the server's store holds them: every key is derived by simulator/server/keys.ts. */
  private readonly keys: AssociationKeys;
  private issueCounter = new Map<number, number>();

  constructor(id: number, seed: number) {
    this.id = id;
    this.random = new SimRandom(seed ^ 0xa55a_0000 ^ id);
    this.cardAuthMaster = this.random.bytes(16);
    this.serverMaster = this.random.bytes(16);
    this.auditMaster = this.random.bytes(16);
    this.keys = { cardId: id, cardAuthMaster: this.cardAuthMaster, serverMaster: this.serverMaster, auditMaster: this.auditMaster };
  }

  /** One lockbox's audit-record MAC key (spec §5). */
  auditKey(lockboxId: number): Uint8Array {
    return lockboxAuditKey(this.keys, lockboxId);
  }

  /** The association's CARS code key (spec §5). */
  carsKey(): Uint8Array {
    return carsKey(this.keys);
  }

  /** The OSDP secure-channel base key of a lockbox's service port (held by the association's tools). */
  serviceKey(lockboxId: number): Uint8Array {
    return sha256(concat(new TextEncoder().encode("LBX service SCBK"), this.auditKey(lockboxId))).slice(0, 16);
  }

  /** The association's denylist MAC key (spec §5). */
  denylistKey(): Uint8Array {
    return denylistKey(this.keys);
  }

  /** Personalizes a card (simulator/card/issue.ts) with a seeded card RNG. */
  issue(name: string, serial: number, pin: string, expiry: number, roles = L.ROLE_AGENT, capacities?: IssueParams["capacities"]): CardHolder {
    const rng = new SimRandom(serial ^ 0x5eed);
    const params: IssueParams = {
      cardSerial: serial, associationId: this.id, roleFlags: roles, memberKey: `M-${serial}`, mlsId: name.slice(0, 16),
      cardAuthMaster: this.cardAuthMaster, serverMaster: this.serverMaster, pin, expiry, capacities,
    };
    this.issueCounter.set(serial, 1);
    return { name, serial, pin, roles, card: issueCard(params, { random: (n) => rng.bytes(n) }) };
  }

  /** The factory block a lockbox of this association is provisioned with. */
  factoryBlock(p: LockboxProvision): Uint8Array {
    const b = new Uint8Array(FACTORY_SIZE);
    const v = new DataView(b.buffer);
    v.setUint32(0, FACTORY_MAGIC);
    v.setUint32(4, p.lockboxId);
    v.setUint32(8, this.id);
    b.set(this.cardAuthMaster, 12);
    b.set(this.auditKey(p.lockboxId), 28);
    b.set(this.carsKey(), 44);
    b.set(this.denylistKey(), 60);
    b[76] = p.carsPerMonth;
    b[77] = p.carsConsecutiveDays;
    b[78] = p.journalSectors;
    b.set(this.serviceKey(p.lockboxId), 80);
    v.setUint32(FACTORY_SIZE - 4, crc32(b, 0, FACTORY_SIZE - 4));
    return b;
  }

  /** The CARS code the server issues for (serial, local day, sequence) (protocol/SPEC.md Lockbox §4). */
  carsCode(serial: number, localDay: number, sequence: number): string {
    return carsCodeFor(this.carsKey(), serial, localDay, sequence);
  }

  /** A server-party SCP03 session with the card, as the renewal path opens one. */
  serverSession(holder: CardHolder): CardClient {
    holder.card.powerOn();
    const client = new CardClient((apdu) => holder.card.transmitApdu(apdu));
    client.authenticate(C.PARTY_SERVER, cardServerKeys(this.keys, holder.serial), 0x33, this.random.bytes(8));
    return client;
  }

  /** Renews a card as the server does (Reader §3.2 step 10, server/renewal.ts renewData): new expiry, server time, acknowledged marks (lockbox id → acked-below). */
  renew(holder: CardHolder, expiry: number, serverTime: number, acked: Map<number, number> = new Map()): void {
    const client = this.serverSession(holder);
    const auth = new L.Authorization();
    L.decodeAuthorization(client.readObject(C.OBJ_AUTHORIZATION), 0, L.AUTHORIZATION_SIZE, auth);
    const counter = Math.max(this.issueCounter.get(holder.serial) ?? 1, auth.issueCounter) + 1;
    this.issueCounter.set(holder.serial, counter);
    const marks = [...acked].map(([lockboxId, ackedBelow]) => ({ lockboxId, ackedBelow }));
    client.expectOk(C.INS_RENEW, 0, 0, renewData(auth, expiry, counter, serverTime, marks));
    holder.card.powerOff();
  }

  /** Stages settings for a lockbox on the (owner's) card. */
  stageSettings(holder: CardHolder, s: L.Settings): void {
    const client = this.serverSession(holder);
    const body = new Uint8Array(L.SETTINGS_SIZE);
    L.encodeSettings(s, body, 0, L.SETTINGS_SIZE);
    client.expectOk(C.INS_STAGE_SETTINGS, 0, 0, body);
    holder.card.powerOff();
  }

  /** Writes a signed denylist of (serial, expiry) entries onto the card (`macKey`: sign with another key, for tests). */
  pushDenylist(holder: CardHolder, version: number, entries: [number, number][], macKey: Uint8Array = this.denylistKey()): void {
    const list = signedDenylist(macKey, version, [...entries].sort((a, b) => a[0] - b[0]));
    const client = this.serverSession(holder);
    const sw = client.updateDenylist(list);
    holder.card.powerOff();
    if (sw !== 0x9000) throw new Error(`card refused the denylist: ${sw.toString(16)}`);
  }

  /** Reads a card file's stored records (server party), as the next renewal would upload them. */
  readRecords(holder: CardHolder, fileId: number): Uint8Array[] {
    const client = this.serverSession(holder);
    const out = client.readAllRecords(fileId);
    holder.card.powerOff();
    return out;
  }

  /** The card's authorization object (server party). */
  readAuthorization(holder: CardHolder): L.Authorization {
    const client = this.serverSession(holder);
    const auth = new L.Authorization();
    L.decodeAuthorization(client.readObject(C.OBJ_AUTHORIZATION), 0, L.AUTHORIZATION_SIZE, auth);
    holder.card.powerOff();
    return auth;
  }
}

/** The card's contacts for a lockbox's slot: T=1 over the emulator, with wire-time accounting and optional line noise. */
export function contactsOf(holder: CardHolder, noise: LineNoise | null = null): CardContacts & { port: LoopbackCardPort } {
  const port = new LoopbackCardPort(holder.card.t1(), noise);
  return {
    port,
    reset: (b, o, c) => {
      holder.card.powerOn();
      return port.reset(b, o, c);
    },
    powerOff: () => holder.card.powerOff(),
    transmit: (b, o, l) => port.transmit(b, o, l),
    receive: (b, o, m, t) => port.receive(b, o, m, t),
    setFiDi: (f) => port.setFiDi(f),
    wireMicros: () => port.wireMicros(),
  };
}
