/**
 * The JSON API routes (API.md §Routes) on Fastify: each route's body, path and query are declared
 * as schemas (schemas.ts) and validated before its handler runs; the handlers only call the
 * store's operations (admin.ts, cars.ts, the renewal relay), which hold all the SQL.
 */
import { mkdirSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import type { Database } from "better-sqlite3";
import type { RelaySessions } from "../relay.ts";
import { runRenewal, type RenewalEnv, type RenewalOutcome } from "../renewal.ts";
import { issueCars } from "../cars.ts";
import type { PinKdf } from "../pin-kdf.ts";
import {
  provisionAssociation, checkNewCard, issueCardRecord, personalizeCard, cardStatus, unlockPin, deactivateCard, reactivateCard, registerLockbox, lockboxSettings, stageSettings, accessLog,
} from "../admin.ts";
import { ServerError } from "../errors.ts";
import {
  Serial, SerialParams, AssociationId, Pin, IsoTime, Nullable, ErrorReply, CardStatusReply, SettingsUpdate, Settings, AccessLogEntry, RelayStep,
} from "./schemas.ts";

/** Longest card response a host may relay: 256 data bytes + SW. */
const MAX_RESPONSE = 258;

/** What the API routes work on. */
export interface ApiContext {
  db: Database;
  env: RenewalEnv;
  sessions: RelaySessions<RenewalOutcome>;
  /** The bounded PIN verifier work (scrypt) of card issuance and CARS PIN checks. */
  kdf: PinKdf;
  /** Where issued cards are saved as card files; none when absent. */
  cardsDir?: string;
}

const refusals = { "4xx": { $ref: "ErrorReply#" } };

/** Registers the routes of API.md on `app`. */
export function apiRoutes(server: FastifyInstance, ctx: ApiContext): void {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  const { db, env, sessions, kdf, cardsDir } = ctx;
  const now = () => env.now();
  app.addSchema(ErrorReply);

  app.get("/api/health", {
    schema: { summary: "Liveness and renewals in progress", tags: ["server"], response: { 200: Type.Object({ ok: Type.Boolean(), renewalsInProgress: Type.Integer() }) } },
  }, async () => ({ ok: true, renewalsInProgress: sessions.size }));

  app.post("/api/associations/:id/provision", {
    schema: {
      summary: "Give an association its card id and fresh random master keys (once)", tags: ["associations"],
      params: Type.Object({ id: AssociationId }),
      body: Type.Object({ cardId: Type.Integer({ minimum: 0, maximum: 0xffffffff, description: "the association's u32 id on cards" }) }),
      response: { 200: Type.Object({ association: Type.String(), provisioned: Type.Boolean() }), ...refusals },
    },
  }, async (req) => {
    provisionAssociation(db, req.params.id, req.body.cardId);
    return { association: req.params.id, provisioned: true };
  });

  app.post("/api/cards", {
    schema: {
      summary: "Issue a card to an active member", tags: ["cards"],
      body: Type.Object({ association: AssociationId, memberKey: Type.String({ minLength: 1, maxLength: 64 }), pin: Pin, serial: Type.Optional(Serial) }),
      response: { 200: Type.Object({ serial: Serial, expiresAt: IsoTime, cardFile: Nullable(Type.String()) }), ...refusals },
    },
  }, async (req) => {
    const { association, memberKey, pin } = req.body;
    const serial = req.body.serial === undefined ? undefined : parseInt(req.body.serial, 16);
    checkNewCard(pin, serial);
    const salt = randomBytes(16);
    const pinRecord = { salt, verifier: await kdf.verifier(pin, salt) };
    const issued = issueCardRecord(db, association, memberKey, pin, now(), serial, pinRecord);
    if (!cardsDir) return { ...issued, cardFile: null };
    mkdirSync(cardsDir, { recursive: true });
    const cardFile = join(cardsDir, `${issued.serial}.card`);
    personalizeCard(db, issued.serial, pin, cardFile);
    return { ...issued, cardFile };
  });

  const cardReply = { 200: CardStatusReply, ...refusals };
  app.get("/api/cards/:serial", {
    schema: { summary: "A card's status", tags: ["cards"], params: SerialParams, response: cardReply },
  }, async (req) => cardStatus(db, req.params.serial, now()));

  app.post("/api/cards/:serial/deactivate", {
    schema: {
      summary: "Deactivate a card, or report it lost (it goes on the next denylist)", tags: ["cards"], params: SerialParams,
      body: Type.Object({ lost: Type.Optional(Type.Boolean()) }), response: cardReply,
    },
  }, async (req) => {
    deactivateCard(db, req.params.serial, req.body.lost ?? false, now());
    return cardStatus(db, req.params.serial, now());
  });

  app.post("/api/cards/:serial/reactivate", {
    schema: { summary: "Reactivate a card; its next renewal is recorded as a reactivation", tags: ["cards"], params: SerialParams, response: cardReply },
  }, async (req) => {
    reactivateCard(db, req.params.serial, now());
    return cardStatus(db, req.params.serial, now());
  });

  app.post("/api/cards/:serial/unlock-pin", {
    schema: { summary: "Clear the CARS PIN lock", tags: ["cards"], params: SerialParams, response: cardReply },
  }, async (req) => {
    unlockPin(db, req.params.serial);
    return cardStatus(db, req.params.serial, now());
  });

  app.post("/api/cars", {
    schema: {
      summary: "Issue (or repeat today's) CARS code for a card: serial + PIN", tags: ["cards"],
      body: Type.Object({ serial: Serial, pin: Pin }),
      response: {
        200: Type.Object({ serial: Serial, code: Type.String(), sequence: Type.Integer(), localDay: Type.Integer(), validUntil: IsoTime, repeated: Type.Boolean() }),
        ...refusals,
      },
    },
  }, async (req) => issueCars(db, req.body.serial, req.body.pin, now(), kdf));

  app.post("/api/lockboxes", {
    schema: {
      summary: "Register a lockbox of an association", tags: ["lockboxes"],
      body: Type.Object({ id: Serial, association: AssociationId }),
      response: { 200: Type.Object({ id: Serial, association: Type.String() }), ...refusals },
    },
  }, async (req) => {
    registerLockbox(db, req.body.id, req.body.association, now());
    return { id: req.body.id, association: req.body.association };
  });

  const boxParams = Type.Object({ id: Serial });
  app.get("/api/lockboxes/:id/settings", {
    schema: {
      summary: "The newest settings of a lockbox and their version (0 = defaults)", tags: ["lockboxes"], params: boxParams,
      response: { 200: Type.Object({ version: Type.Integer(), settings: Settings, appliedAt: Nullable(IsoTime) }), ...refusals },
    },
  }, async (req) => lockboxSettings(db, req.params.id));

  app.put("/api/lockboxes/:id/settings", {
    schema: {
      summary: "Stage new settings over the last; the owner's card carries them at its next renewal", tags: ["lockboxes"], params: boxParams,
      body: SettingsUpdate, response: { 200: Type.Object({ version: Type.Integer(), settings: Settings }), ...refusals },
    },
  }, async (req) => stageSettings(db, req.params.id, req.body, now()));

  app.get("/api/access-log", {
    schema: {
      summary: "The access log of a listing, a lockbox or an agent, newest first", tags: ["access log"],
      querystring: Type.Object({
        listing: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: "ListingId" })),
        lockbox: Type.Optional(Serial),
        agent: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: "MemberKey" })),
        limit: Type.Integer({ minimum: 1, maximum: 10_000, default: 1000 }),
      }),
      response: { 200: Type.Object({ by: Type.String(), key: Type.String(), events: Type.Array(AccessLogEntry) }), ...refusals },
    },
  }, async (req) => {
    for (const by of ["listing", "lockbox", "agent"] as const) {
      const key = req.query[by];
      if (key !== undefined) return { by, key, events: accessLog(db, by, key, req.query.limit) };
    }
    throw new ServerError("bad-request", "give one of ?listing=<ListingId>, ?lockbox=<id>, ?agent=<MemberKey>");
  });

  app.post("/api/renewals", {
    schema: { summary: "Start a renewal session: the first APDU for the card", tags: ["renewal"], response: { 200: RelayStep, ...refusals } },
  }, async (req) => sessions.start(req.ip, (transmit, report) => runRenewal(db, env, transmit, report)));

  app.post("/api/renewals/:session", {
    schema: {
      summary: "Relay the card's answer; the next APDU, or the outcome", tags: ["renewal"],
      params: Type.Object({ session: Type.String({ minLength: 1, maxLength: 64 }) }),
      body: Type.Object({ response: Type.String({ pattern: "^(?:[0-9a-fA-F]{2})*$", maxLength: MAX_RESPONSE * 2, description: "the card's answer, hex" }) }),
      response: { 200: RelayStep, ...refusals },
    },
  }, async (req) => sessions.respond(req.params.session, Uint8Array.from(Buffer.from(req.body.response, "hex"))));
}
