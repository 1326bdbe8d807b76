/**
 * The server side of the demonstration world (issues 5 and 6, `npm start`): registering a
 * simulated world — an association with the world's master keys, its agents' cards, its lockboxes
 * on their listings — in the server's store, as the administrator and the MLS import would, and a
 * reader (build/reader.wasm) with a card in its slot whose UART is a socat pseudo-terminal.
 * `lockbox start` (tools/commands/start.ts) runs the world around these pieces.
 */
import type { Database } from "better-sqlite3";
import { randomBytes, type KeyObject } from "node:crypto";
import { BOOT_WASM, partitionSectors, provisionPartition, signedFirmware } from "../image/provision.ts";
import { DEVICE_READER } from "../../protocol/image/image.ts";
import { SimAssociation, contactsOf, type CardHolder } from "../world/association.ts";
import type { ScenarioWorld } from "../world/scenario.ts";
import { DeviceHost } from "../host/host.ts";
import { Flash } from "../host/flash.ts";
import { Rtc } from "../host/rtc.ts";
import { UartTap, PtyUart } from "../host/uart.ts";
import { registerLockbox } from "./admin.ts";
import { pinVerifier } from "./pin-kdf.ts";
import { deviceId } from "./records.ts";
import { storeAssociationKeys } from "./keys.ts";

/** Where the reader firmware is built. */
const READER_WASM = "build/reader.wasm";
/** Flash of a simulated reader below its update partition (its SCBK at address 0). */
const READER_DATA_SECTORS = 16;

/** An association's CARS limits (docs/ARCHITECTURE.md §2 "CARS code"); the store's defaults when absent. */
interface CarsLimitsSetting {
  perMonth: number;
  consecutiveDays: number;
}

/** Registers a simulated association and its master keys in the store (as the admin would). */
function registerSimAssociation(db: Database, assoc: SimAssociation, id: string, name: string, tzRule: string, renewalDays: number, cars: CarsLimitsSetting): void {
  const added = db.prepare(`INSERT INTO associations (id, name, renewal_period_days, tz_rule, cars_monthly_limit, cars_consecutive_day_limit, created_at)
    VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`)
    .run(id, name, renewalDays, tzRule, cars.perMonth, cars.consecutiveDays, new Date().toISOString()).changes;
  if (added) storeAssociationKeys(db, id, { cardId: assoc.id, cardAuthMaster: assoc.cardAuthMaster, serverMaster: assoc.serverMaster, auditMaster: assoc.auditMaster });
}

/** Registers the member and the card of a simulated card holder (the card was issued by the world at `issuedUtc`). */
function registerHolder(db: Database, associationId: string, holder: CardHolder, expiryUtc: number, issuedUtc: number): void {
  const now = new Date(issuedUtc * 1000).toISOString();
  const memberKey = `M-${holder.serial}`;
  db.prepare(`INSERT INTO members (association_id, member_key, member_mls_id, first_name, status, created_at, updated_at)
    VALUES (?, ?, ?, ?, 'active', ?, ?) ON CONFLICT (association_id, member_key) DO NOTHING`).run(associationId, memberKey, holder.name.slice(0, 16), holder.name, now, now);
  const member = db.prepare("SELECT id FROM members WHERE association_id = ? AND member_key = ?").get(associationId, memberKey) as { id: number };
  const salt = randomBytes(16);
  db.prepare(`INSERT INTO cards (serial, association_id, member_id, status, expires_at, issued_at, pin_salt, pin_verifier, issue_counter)
    VALUES (?, ?, ?, 'active', ?, ?, ?, ?, 1) ON CONFLICT (serial) DO NOTHING`)
    .run(deviceId(holder.serial), associationId, member.id, new Date(expiryUtc * 1000).toISOString(), now, salt, pinVerifier(holder.pin, salt));
}

/** Registers a lockbox and puts it on a listing (ListingId `listingId`), creating the listing, as an import and the listing agent would. */
function registerBoxOnListing(db: Database, associationId: string, lockboxId: number, listingId: string, utc: number): void {
  const now = new Date(utc * 1000).toISOString();
  db.prepare(`INSERT INTO listings (association_id, listing_key, listing_id, standard_status, created_at, updated_at) VALUES (?, ?, ?, 'Active', ?, ?)
    ON CONFLICT (association_id, listing_key) DO NOTHING`).run(associationId, `LK-${listingId}`, listingId, now, now);
  registerLockbox(db, deviceId(lockboxId), associationId, utc);
  db.prepare("UPDATE lockboxes SET listing_id = (SELECT id FROM listings WHERE association_id = ? AND listing_id = ?) WHERE id = ?").run(associationId, listingId, deviceId(lockboxId));
}

/** Days a renewal extends a card of the demonstration associations. */
const DEMO_RENEWAL_DAYS = 30;

/**
 * Registers a scenario world (simulator/world/scenario.ts) in the store: its association with the
 * world's master keys, TZ rule and CARS limits, the member and card of every person of that
 * association (people of other associations belong to other servers), its lockboxes and their
 * listings. Returns the association id in the store.
 */
export function registerWorld(db: Database, world: ScenarioWorld): string {
  const s = world.scenario;
  const id = `assoc-${s.association.id}`;
  const start = Date.parse(s.start) / 1000;
  db.transaction(() => {
    registerSimAssociation(db, world.assoc, id, `Association ${s.association.id}`, s.association.tz ?? "UTC0", DEMO_RENEWAL_DAYS, {
      perMonth: s.association.carsPerMonth ?? 3, consecutiveDays: s.association.carsConsecutiveDays ?? 2,
    });
    for (const p of s.people) {
      if ((p.association ?? s.association.id) === s.association.id) registerHolder(db, id, world.people.get(p.name)!, start + Math.round(p.expiresInDays * 86400), start);
    }
    for (const b of s.lockboxes) {
      if (b.listing !== undefined) registerBoxOnListing(db, id, b.id, b.listing, start);
      else registerLockbox(db, deviceId(b.id), id, start);
    }
  })();
  return id;
}

/**
 * A reader running build/reader.wasm with `holder`'s card in its slot and its UART on a PTY. With
 * `device`, its flash holds that SCBK (so it takes the secure channel and leaves install mode) and an
 * update partition trusting `firmware.key`: it boots through the boot code and `lockbox update` can
 * install signed images on it (protocol/SPEC.md Image §6).
 */
export async function readerOnPty(holder: CardHolder, utc: number, device?: { scbk: Uint8Array; firmware: { key: KeyObject } }): Promise<{ path: string; host: DeviceHost; close: () => void }> {
  const tap = new UartTap();
  const flash = new Flash(READER_DATA_SECTORS * 4096 + (device ? partitionSectors() * 4096 : 0));
  if (device) {
    flash.bytes.set(device.scbk, 0);
    provisionPartition(flash, { model: DEVICE_READER, key: device.firmware.key, image: signedFirmware(READER_WASM, "1.0.0", DEVICE_READER, device.firmware.key) });
  }
  const code = device ? { bootRom: BOOT_WASM } : { wasm: READER_WASM };
  const host = new DeviceHost({ ...code, flash, rtc: new Rtc(utc), seed: holder.serial, onEvent: tap.onEvent });
  host.insertCard(contactsOf(holder));
  host.boot();
  const pty = new PtyUart();
  const path = await pty.open(host, tap);
  const timer = setInterval(() => host.advance(25), 25);
  return { path, host, close: () => { clearInterval(timer); pty.close(); } };
}
