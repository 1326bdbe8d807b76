/**
 * The renewal's last step (issue 12 item 5): a renewal's new expiry is pending until the card
 * confirms RENEW. An agent whose card was pulled after the server committed but before RENEW
 * reached it is still expired on the card, and the server says so: the card status shows the
 * renewal pending, and a CARS code is issued (it was refused as cars-too-early). Running the
 * renewal again completes it; a RENEW the card took but whose answer was lost is confirmed from the
 * authorization the card shows at its next contact.
 */
import { describe, it, expect } from "vitest";
import type { Database } from "better-sqlite3";
import { openStore } from "../../simulator/server/db/store.ts";
import { runRenewal, type RenewalEnv } from "../../simulator/server/renewal.ts";
import { cardStatus } from "../../simulator/server/admin.ts";
import { issueCars } from "../../simulator/server/cars.ts";
import { PinKdf } from "../../simulator/server/pin-kdf.ts";
import type { Transmit } from "../../simulator/server/card-channel.ts";
import type { Card } from "../../simulator/card/card.ts";
import { CLA_SECURE, INS_RENEW } from "../../protocol/card/commands.ts";
import { seedWorld } from "./fixture.ts";
import { newCard, direct, readBack, nextChallenge } from "./cards.ts";

const T0 = Date.UTC(2026, 2, 10, 15, 0, 0) / 1000;
const SERIAL = 0x00bc614e;
const iso = (utc: number) => new Date(utc * 1000).toISOString();

class Pulled extends Error {}

/** A card issued at T0 for 7 days, now expired for a day (CARS renewal period 2 days). */
async function expiredCard(): Promise<{ db: Database; card: Card; env: RenewalEnv; now: number }> {
  const { db } = await openStore(":memory:");
  seedWorld(db, { renewalDays: 7, carsPeriod: 2 });
  const card = newCard(db, "M1", SERIAL, T0);
  const now = T0 + 8 * 86400;
  return { db, card, env: { now: () => now, randomBytes: nextChallenge }, now };
}

/** A transmit that pulls the card at RENEW: before the card sees it, or after it ran with the answer lost. */
function pulledAtRenew(card: Card, when: "before" | "after"): Transmit {
  return async (apdu) => {
    const renew = apdu[0] === CLA_SECURE && apdu[1] === INS_RENEW;
    if (renew && when === "before") throw new Pulled("card pulled before RENEW");
    const answer = card.transmitApdu(apdu);
    if (renew) throw new Pulled("card pulled, RENEW's answer lost");
    return answer;
  };
}

describe("the new expiry is pending until the card confirms RENEW", () => {
  it("pulled before RENEW: the store keeps the card's expiry, shows the renewal pending, and CARS issues a code", async () => {
    const { db, card, env, now } = await expiredCard();
    await expect(runRenewal(db, env, pulledAtRenew(card, "before"))).rejects.toBeInstanceOf(Pulled);
    card.powerOn();
    const onCard = (await readBack(db, card, SERIAL)).authorization.expiry;
    expect(onCard).toBe(T0 + 7 * 86400);
    const status = cardStatus(db, "00bc614e", now);
    expect(status.expiresAt).toBe(iso(onCard));
    expect(status.daysLeft).toBeLessThanOrEqual(0);
    expect(status.renewalPending).toEqual({ expiresAt: iso(now + 7 * 86400), since: iso(now) });
    const cars = await issueCars(db, "00bc614e", "1234", now, new PinKdf());
    expect(cars).toMatchObject({ sequence: 1, repeated: false });
    expect(cars.code).toMatch(/^[0-9]{8}$/);
  });

  it("running the renewal again completes it: the card and the store agree, nothing is pending", async () => {
    const { db, card, env, now } = await expiredCard();
    await expect(runRenewal(db, env, pulledAtRenew(card, "before"))).rejects.toBeInstanceOf(Pulled);
    card.powerOn();
    const out = await runRenewal(db, env, direct(card));
    const view = await readBack(db, card, SERIAL);
    expect(view.authorization.expiry).toBe(Date.parse(out.expiresAt) / 1000);
    const status = cardStatus(db, "00bc614e", now);
    expect(status).toMatchObject({ expiresAt: out.expiresAt, renewalPending: null, lastRenewedAt: iso(now) });
    const rows = db.prepare("SELECT issue_counter, confirmed_at FROM renewals ORDER BY id").all();
    // The first RENEW never reached the card: its renewal stays unconfirmed; the second is the card's.
    expect(rows).toEqual([{ issue_counter: 2, confirmed_at: null }, { issue_counter: 3, confirmed_at: iso(now) }]);
    expect(view.authorization.issueCounter).toBe(3);
    expect(await issueCars(db, "00bc614e", "1234", now, new PinKdf()).catch((e: { code: string }) => e.code)).toBe("cars-too-early");
  });

  it("RENEW ran but its answer was lost: pending until the next contact, which confirms it from the card's authorization", async () => {
    const { db, card, env, now } = await expiredCard();
    await expect(runRenewal(db, env, pulledAtRenew(card, "after"))).rejects.toBeInstanceOf(Pulled);
    card.powerOn();
    const onCard = (await readBack(db, card, SERIAL)).authorization;
    expect(onCard.expiry).toBe(now + 7 * 86400);
    expect(cardStatus(db, "00bc614e", now).renewalPending).toEqual({ expiresAt: iso(now + 7 * 86400), since: iso(now) });
    const later = now + 600;
    await runRenewal(db, { ...env, now: () => later }, direct(card));
    const rows = db.prepare("SELECT issue_counter, new_expiry, confirmed_at FROM renewals ORDER BY id").all();
    expect(rows).toEqual([
      { issue_counter: 2, new_expiry: iso(now + 7 * 86400), confirmed_at: iso(later) },
      { issue_counter: 3, new_expiry: iso(later + 7 * 86400), confirmed_at: iso(later) },
    ]);
    expect(cardStatus(db, "00bc614e", later)).toMatchObject({ expiresAt: iso(later + 7 * 86400), renewalPending: null });
  });
});
