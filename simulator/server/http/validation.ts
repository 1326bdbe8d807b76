/**
 * Fastify's schema validators (API.md §Conventions): request bodies are JSON and are taken exactly
 * as sent — a string where an integer belongs is refused, never coerced — while path and query
 * parameters, which are always text, are coerced to the types their schemas declare. Unknown body
 * fields are ignored; defaults declared in a schema are filled in.
 */
import { Ajv, type ValidateFunction } from "ajv";
import type { FastifySchema, FastifyRouteSchemaDef } from "fastify/types/schema.js";

const exact = new Ajv({ coerceTypes: false, useDefaults: true, removeAdditional: false, allErrors: false, strict: false });
const coercing = new Ajv({ coerceTypes: true, useDefaults: true, removeAdditional: false, allErrors: false, strict: false });

/** The compiler Fastify calls for every schema of every route. */
export function validatorCompiler({ schema, httpPart }: FastifyRouteSchemaDef<FastifySchema>): ValidateFunction {
  return (httpPart === "body" ? exact : coercing).compile(schema as object);
}
