/**
 * The server side of the demonstration world (issues 5 and 6, `npm start`): registering a
 * simulated world — an association with the world's master keys, its agents' cards, its lockboxes
 * on their listings — in the server's store, as the administrator and the MLS import would, and a
 * reader (build/reader.wasm) with a card in its slot whose UART is a socat pseudo-terminal.
 * `runRenewalDemo` is the small stand-alone version `lockbox server --demo` runs: a showing at a
 * lockbox, then a renewal at the reader driven through `serialport` as `lockbox renew` does, and the
 * showing read back from the listing's access log. `lockbox start` runs the full world
 * (tools/commands/start.ts).
 */
import type { Database } from "better-sqlite3";
import { randomBytes } from "node:crypto";
import { SerialPort } from "serialport";
import { SimAssociation, contactsOf, type CardHolder } from "../world/association.ts";
import type { ScenarioWorld } from "../world/scenario.ts";
import { SimLockbox } from "../world/lockbox.ts";
import { DeviceHost } from "../host/host.ts";
import { Flash } from "../host/flash.ts";
import { Rtc } from "../host/rtc.ts";
import { UartTap, PtyUart } from "../host/uart.ts";
import { OsdpControlPanel, streamLink } from "../osdp/cp.ts";
import { startServer, type RunningServer } from "./app.ts";
import { pinVerifier, registerLockbox } from "./admin.ts";
import { ReaderClient } from "./reader-client.ts";
import { renewOverHttp } from "./renew-client.ts";
import type { RenewalOutcome } from "./renewal.ts";
import { deviceId } from "./records.ts";

/** Where the reader firmware is built. */
export const READER_WASM = "build/reader.wasm";

/** An association's CARS limits (DESIGN.md §2 "CARS code"); the store's defaults when absent. */
export interface CarsLimitsSetting {
  perMonth: number;
  consecutiveDays: number;
}

/** Registers a simulated association and its master keys in the store (as the admin would). */
export function registerSimAssociation(db: Database, assoc: SimAssociation, id: string, name: string, tzRule: string, renewalDays: number, cars: CarsLimitsSetting = { perMonth: 3, consecutiveDays: 2 }): void {
  db.prepare(`INSERT INTO associations (id, name, renewal_period_days, tz_rule, cars_monthly_limit, cars_consecutive_day_limit, card_id, key_card_auth, key_server, key_audit, key_cars, key_denylist, created_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`)
    .run(id, name, renewalDays, tzRule, cars.perMonth, cars.consecutiveDays, assoc.id, assoc.cardAuthMaster, assoc.serverMaster, assoc.auditMaster, assoc.carsKey(), assoc.denylistKey(), new Date().toISOString());
}

/** Registers the member and the card of a simulated card holder (the card was issued by the world at `issuedUtc`). */
export function registerHolder(db: Database, associationId: string, holder: CardHolder, expiryUtc: number, issuedUtc = Math.floor(Date.now() / 1000)): void {
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
export function registerBoxOnListing(db: Database, associationId: string, lockboxId: number, listingId: string, utc: number): void {
  const now = new Date(utc * 1000).toISOString();
  db.prepare(`INSERT INTO listings (association_id, listing_key, listing_id, standard_status, created_at, updated_at) VALUES (?, ?, ?, 'Active', ?, ?)
    ON CONFLICT (association_id, listing_key) DO NOTHING`).run(associationId, `LK-${listingId}`, listingId, now, now);
  registerLockbox(db, deviceId(lockboxId), associationId, utc);
  db.prepare("UPDATE lockboxes SET listing_id = (SELECT id FROM listings WHERE association_id = ? AND listing_id = ?) WHERE id = ?").run(associationId, listingId, deviceId(lockboxId));
}

/** Days a renewal extends a card of the demonstration associations. */
export const DEMO_RENEWAL_DAYS = 30;

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

/** A reader running build/reader.wasm with `holder`'s card in its slot and its UART on a PTY. */
export async function readerOnPty(holder: CardHolder, utc: number): Promise<{ path: string; host: DeviceHost; close(): void }> {
  const tap = new UartTap();
  const host = new DeviceHost({ wasm: READER_WASM, flash: new Flash(64 * 1024), rtc: new Rtc(utc), seed: holder.serial, onEvent: tap.onEvent });
  host.insertCard(contactsOf(holder));
  host.boot();
  const pty = new PtyUart();
  const path = await pty.open(host, tap);
  const timer = setInterval(() => host.advance(25), 25);
  return { path, host, close: () => { clearInterval(timer); pty.close(); } };
}

/** What the demo did, for narration and tests. */
export interface RenewalDemoResult {
  server: string;
  readerPath: string;
  outcome: RenewalOutcome;
  accessLog: { at: string; lockbox: string; event: string; agent: string | null; listing: string | null }[];
}

/**
 * Runs the renewal scenario on `dbPath`: a showing at lockbox 0x1e240 on listing `listingId`, then
 * a renewal through the reader on a PTY. `say` narrates each step.
 */
export async function runRenewalDemo(dbPath: string, say: (line: string) => void, seed = 1): Promise<RenewalDemoResult> {
  const srv: RunningServer = await startServer({ db: dbPath, port: 0 });
  const utc = Math.floor(Date.now() / 1000);
  const assoc = new SimAssociation(4242, seed);
  const db = srv.store.db;
  const associationId = "demo-board";
  const listingId = "L-1001";
  let reader: Awaited<ReturnType<typeof readerOnPty>> | null = null;
  try {
    registerSimAssociation(db, assoc, associationId, "Demo Board of REALTORS", "CST6CDT,M3.2.0,M11.1.0", 30);
    const holder = assoc.issue("Ann Agent", 0x00a11ce5, "2580", utc + 7 * 86400);
    registerHolder(db, associationId, holder, utc + 7 * 86400);
    registerBoxOnListing(db, associationId, 0x1e240, listingId, utc);
    say(`server on ${srv.url} (store ${dbPath}); association ${associationId}, lockbox 0001e240 on listing ${listingId}`);

    const box = new SimLockbox(assoc, { lockboxId: 0x1e240, utc });
    box.insert(holder);
    box.type("2580E");
    box.remove();
    say(`showing: ${holder.name} opened lockbox 0001e240 with card ${deviceId(holder.serial)} + PIN; the card carries the access record`);

    reader = await readerOnPty(holder, utc);
    say(`reader firmware running with its USB serial port on ${reader.path}; the agent inserts the card and renews`);
    const port = await new Promise<SerialPort>((resolve, reject) => {
      const p = new SerialPort({ path: reader!.path, baudRate: 115200 }, (err) => (err ? reject(err) : resolve(p)));
    });
    let outcome: RenewalOutcome;
    try {
      const cp = new OsdpControlPanel(streamLink(port), { address: 0, retries: 5 });
      const client = new ReaderClient(cp);
      await client.waitForCard(5000);
      await client.connect();
      outcome = await renewOverHttp(srv.url, client.transmit());
      cp.close();
    } finally {
      await new Promise<void>((resolve) => port.close(() => resolve()));
    }
    say(`renewed until ${outcome.expiresAt}, ${outcome.recordsUploaded} record${outcome.recordsUploaded === 1 ? "" : "s"} uploaded (${outcome.recordsNew} new)`);
    const res = await fetch(`${srv.url}/api/access-log?listing=${listingId}`);
    const accessLog = ((await res.json()) as { events: RenewalDemoResult["accessLog"] }).events;
    for (const e of accessLog) say(`access log of ${listingId}: ${e.at} lockbox ${e.lockbox} ${e.event} by ${e.agent}`);
    return { server: srv.url, readerPath: reader.path, outcome, accessLog };
  } finally {
    reader?.close();
    await srv.close();
  }
}
