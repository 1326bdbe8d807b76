/**
 * The JSON schemas of the reference server's API (API.md), written once with TypeBox: Fastify
 * validates every request against them before a handler runs, derives the handlers' TypeScript
 * types from them, serializes replies with them, and @fastify/swagger publishes them as the
 * OpenAPI description (`GET /api/openapi.json`).
 */
import { Type, type TSchema } from "typebox";
import { TZ_RULE_WIDTH } from "../../../protocol/card/layouts.ts";

/** Card serials and lockbox ids: the u32 the card layouts carry, as 8 lowercase hex digits. */
export const SERIAL_PATTERN = "^[0-9a-f]{8}$";
export const Serial = Type.String({ pattern: SERIAL_PATTERN, description: "8 lowercase hex digits (the card's or lockbox's u32, big-endian)" });

/** An association id as the store keeps it. */
export const AssociationId = Type.String({ minLength: 1, maxLength: 64 });
/** A CARS / card PIN: 4..12 digits (a shorter one is refused when issuing; CARS counts any other string as wrong). */
export const Pin = Type.String({ minLength: 1, maxLength: 12 });
export const IsoTime = Type.String({ description: "ISO 8601 UTC, e.g. 2026-03-10T15:00:00.000Z" });
export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

/** Every refusal: a stable code (API.md §Errors) and a message for people. */
export const ErrorReply = Type.Object({ error: Type.String(), message: Type.String() }, { $id: "ErrorReply" });

/** The path parameter `:serial`. */
export const SerialParams = Type.Object({ serial: Serial });

/** A card's status (API.md §Cards). */
export const CardStatusReply = Type.Object({
  serial: Type.String(), association: Type.String(), memberKey: Type.String(), memberStatus: Type.String(), status: Type.String(),
  expiresAt: IsoTime, daysLeft: Type.Integer(), issuedAt: IsoTime, lastRenewedAt: Nullable(IsoTime), deactivatedAt: Nullable(IsoTime),
  reactivatedAt: Nullable(IsoTime), reactivationPending: Type.Boolean(), carsCodesThisMonth: Type.Integer(), pinFailures: Type.Integer(),
  renewalPending: Nullable(Type.Object({ expiresAt: IsoTime, since: IsoTime }, { description: "a renewal whose RENEW the card has not confirmed yet" })),
});

const Code = (description: string) => Type.String({ pattern: "^[0-9]{0,8}$", description });

/** A partial lockbox settings update (API.md §Lockbox settings); every field optional. */
export const SettingsUpdate = Type.Object({
  dayMask: Type.Optional(Type.Integer({ minimum: 0, maximum: 0x7f, description: "bit 0 = Sunday .. bit 6 = Saturday" })),
  startMinute: Type.Optional(Type.Integer({ minimum: 0, maximum: 1439 })),
  endMinute: Type.Optional(Type.Integer({ minimum: 0, maximum: 1439 })),
  cbsRequired: Type.Optional(Type.Boolean()),
  cbsCode: Type.Optional(Code("call-before-showing code, 0..8 digits")),
  privacyMode: Type.Optional(Type.Boolean()),
  privacyCode: Type.Optional(Code("homeowner privacy code, 0..8 digits")),
  shackleCode: Type.Optional(Code("shackle code, 0..8 digits")),
  tzRule: Type.Optional(Type.String({ minLength: 1, maxLength: TZ_RULE_WIDTH, description: "POSIX TZ rule, e.g. CST6CDT,M3.2.0,M11.1.0" })),
});

/** The settings of a lockbox, every field present. */
export const Settings = Type.Object({
  dayMask: Type.Integer(), startMinute: Type.Integer(), endMinute: Type.Integer(), cbsRequired: Type.Boolean(), cbsCode: Type.String(),
  privacyMode: Type.Boolean(), privacyCode: Type.String(), shackleCode: Type.String(), tzRule: Type.String(),
});

/** One access-log entry (API.md §Access log). */
export const AccessLogEntry = Type.Object({
  at: IsoTime, lockbox: Type.String(), sequence: Type.Integer(), event: Type.String(), reason: Type.Integer(), card: Type.String(),
  agent: Nullable(Type.String()), listing: Nullable(Type.String()), carriedBy: Type.String(),
});

/** Where the server is in a renewal (relay.ts RelayProgress). */
export const Progress = Type.Object({ phase: Type.String(), done: Type.Integer(), total: Type.Integer() });

/** What a renewal stored (renewal.ts RenewalOutcome). */
export const RenewalOutcome = Type.Object({
  serial: Type.String(), kind: Type.String(), expiresAt: IsoTime, recordsUploaded: Type.Integer(), recordsNew: Type.Integer(),
  recordsDuplicate: Type.Integer(), uploadId: Type.Integer(), denylistVersion: Type.Integer(), settingsStaged: Type.Integer(),
});

/** A renewal relay step: the next APDU for the card, or the outcome. */
export const RelayStep = Type.Union([
  Type.Object({ session: Type.String(), apdu: Type.String({ description: "command APDU for the card, hex" }), step: Type.Integer(), progress: Progress }),
  Type.Object({ session: Type.String(), done: Type.Literal(true), outcome: RenewalOutcome }),
]);
