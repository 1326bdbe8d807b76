/**
 * Every refusal the reference server gives, as a stable machine-readable code with the HTTP status
 * it maps to. The API (simulator/server/API.md §Errors) returns `{ "error": code, "message": … }`;
 * tools and tests match on the code, never on the message.
 */

/** The codes and their HTTP statuses (API.md §Errors lists what each one means). */
export const SERVER_ERRORS = {
  "bad-request": 400,
  "bad-json": 400,
  "body-too-large": 413,
  "unsupported-media-type": 415,
  "not-found": 404,
  "method-not-allowed": 405,
  "unauthenticated": 401,
  "forbidden": 403,
  "rate-limited": 429,
  "unknown-card": 404,
  "unknown-member": 404,
  "unknown-lockbox": 404,
  "unknown-association": 404,
  "unknown-session": 404,
  "card-deactivated": 403,
  "card-lost": 403,
  "member-inactive": 403,
  "pin-wrong": 403,
  "pin-locked": 403,
  "cars-too-early": 409,
  "cars-monthly-limit": 409,
  "cars-consecutive-limit": 409,
  "not-owner": 403,
  "card-bad-response": 422,
  "card-bad-cryptogram": 422,
  "card-bad-mac": 422,
  "card-wrong-serial": 422,
  "card-error": 422,
  "upload-malformed": 422,
  "upload-bad-mac": 422,
  "upload-replayed": 409,
  "record-bad-mac": 422,
  "record-unknown-lockbox": 422,
  "session-expired": 410,
  "session-busy": 409,
  "conflict": 409,
  "internal": 500,
  "too-many-sessions": 429,
  "server-busy": 503,
} as const;

/** A refusal code of the server API. */
export type ServerErrorCode = keyof typeof SERVER_ERRORS;

/** A refusal the HTTP layer turns into `{ error, message }` with the code's status. */
export class ServerError extends Error {
  override name = "ServerError";
  constructor(readonly code: ServerErrorCode, message: string) {
    super(message);
  }
  get status(): number {
    return SERVER_ERRORS[this.code];
  }
}
