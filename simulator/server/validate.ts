/**
 * Checks on untrusted JSON request bodies (API.md §Conventions): every field is type- and
 * range-checked before a handler uses it, and a wrong field is refused as `bad-request` naming it.
 */
import { ServerError } from "./errors.ts";

function object(body: unknown): Record<string, unknown> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new ServerError("bad-request", "request body must be a JSON object");
  }
  return body as Record<string, unknown>;
}

/** A required string field of at most `max` characters matching `pattern` when given. */
export function str(body: unknown, name: string, max = 200, pattern?: RegExp): string {
  const v = object(body)[name];
  if (typeof v !== "string" || v.length === 0 || v.length > max || (pattern && !pattern.test(v))) {
    throw new ServerError("bad-request", `field '${name}' must be a string of 1..${max} characters${pattern ? ` matching ${pattern}` : ""}`);
  }
  return v;
}

/** An optional string field: undefined when absent, otherwise checked as str(). */
export function optStr(body: unknown, name: string, max = 200, pattern?: RegExp): string | undefined {
  return object(body)[name] === undefined ? undefined : str(body, name, max, pattern);
}

/** A required integer field in [min, max]. */
export function int(body: unknown, name: string, min: number, max: number): number {
  const v = object(body)[name];
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
    throw new ServerError("bad-request", `field '${name}' must be an integer in ${min}..${max}`);
  }
  return v;
}

/** An optional integer field: undefined when absent, otherwise checked as int(). */
export function optInt(body: unknown, name: string, min: number, max: number): number | undefined {
  return object(body)[name] === undefined ? undefined : int(body, name, min, max);
}

/** An optional boolean field. */
export function optBool(body: unknown, name: string): boolean | undefined {
  const v = object(body)[name];
  if (v === undefined) return undefined;
  if (typeof v !== "boolean") throw new ServerError("bad-request", `field '${name}' must be true or false`);
  return v;
}

/** A required hex field of 0..maxBytes bytes (lowercase or uppercase, even length). */
export function hexField(body: unknown, name: string, maxBytes: number): Uint8Array {
  const v = object(body)[name];
  if (typeof v !== "string" || v.length % 2 !== 0 || v.length > maxBytes * 2 || !/^[0-9a-fA-F]*$/.test(v)) {
    throw new ServerError("bad-request", `field '${name}' must be hex of at most ${maxBytes} bytes`);
  }
  return Uint8Array.from(Buffer.from(v, "hex"));
}

/** Card serials are 8 hex digits in the API (the card's 4-byte serial, big-endian). */
export const SERIAL_PATTERN = /^[0-9a-f]{8}$/;

/** Parses a card serial path parameter or field value. */
export function serialParam(value: string): number {
  if (!SERIAL_PATTERN.test(value)) throw new ServerError("bad-request", `card serial '${value}' must be 8 lowercase hex digits`);
  return parseInt(value, 16);
}
