/**
 * How the server reads request bodies and refuses requests (API.md §Conventions, §Errors): every
 * refusal is `{ error, message }` with the status of its code (errors.ts), whatever raised it — a
 * handler's ServerError, a schema violation, a body that is not JSON or too large, a malformed URL,
 * a route that does not exist (404) or exists for other methods (405, with Allow). Anything else is
 * a bug: it answers 500 `internal` without internal details, and is reported to `onInternalError`.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from "fastify";
import { ServerError, SERVER_ERRORS, type ServerErrorCode } from "../errors.ts";

/** Largest accepted request body: a 1,000-record upload relayed as hex APDUs stays far below it. */
export const MAX_BODY_BYTES = 1 << 20;

/** The methods a route may answer; a path known under some of them answers 405 to the others. */
const METHODS: HTTPMethods[] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

interface ValidationIssue {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

/** A schema violation in words that name the field (`field 'pin' must …`, `path parameter 'serial' …`). */
export function validationMessage(context: string | undefined, issues: readonly ValidationIssue[]): string {
  const where = context === "params" ? "path parameter" : context === "querystring" ? "query parameter" : "field";
  if (issues.length === 0) return "request does not match its schema";
  const first = issues[0];
  if (first.keyword === "required") return `${where} '${String(first.params.missingProperty)}' is required`;
  const name = first.instancePath.replace(/^\//, "").replaceAll("/", ".");
  if (name === "") return context === "body" ? `request body ${first.message ?? "is malformed"}` : `${context ?? "request"} ${first.message ?? "is malformed"}`;
  const detail = first.keyword === "pattern" ? `must match ${String(first.params.pattern)}` : first.keyword === "anyOf" ? "has the wrong type" : first.message;
  return `${where} '${name}' ${detail}`;
}

function send(reply: FastifyReply, code: ServerErrorCode, message: string): FastifyReply {
  return reply.status(SERVER_ERRORS[code]).type("application/json").send({ error: code, message });
}

/** The code for an error Fastify or a plugin raised with a 4xx status. */
function codeForStatus(status: number): ServerErrorCode {
  switch (status) {
    case 401: return "unauthenticated";
    case 403: return "forbidden";
    case 404: return "not-found";
    case 405: return "method-not-allowed";
    case 413: return "body-too-large";
    case 415: return "unsupported-media-type";
    case 429: return "rate-limited";
    default: return "bad-request";
  }
}

/** Installs body parsing and the refusal handlers on `app`. */
export function installRefusals(app: FastifyInstance, onInternalError: (err: unknown, req: FastifyRequest) => void): void {
  // Bodies are JSON whatever their content type says (a host may send text/plain); an empty body is {}.
  // Fastify's own JSON parser refuses __proto__ and constructor.prototype keys.
  const json = app.getDefaultJsonParser("error", "error");
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "string", bodyLimit: MAX_BODY_BYTES }, (req, body, done) => {
    if (body === "") return done(null, {});
    // The default parser answers through `done`; it returns nothing to await.
    void json(req, body as string, (err, value) => done(err ? new ServerError("bad-json", `request body is not valid JSON${err.message.includes("prototype") ? ` (${err.message})` : ""}`) : null, value));
  });
  // A bodyless POST/PUT is {} as an empty one is, so "no fields" is refused by the schema, not by the parser.
  app.addHook("preValidation", async (req) => {
    if (req.body === undefined && req.method !== "GET" && req.method !== "HEAD") req.body = {};
  });

  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err instanceof ServerError) return send(reply, err.code, err.message);
    if (err.validation) return send(reply, "bad-request", validationMessage(err.validationContext, err.validation));
    if (err.code === "FST_ERR_CTP_BODY_TOO_LARGE") return send(reply, "body-too-large", `request body over ${MAX_BODY_BYTES} bytes`);
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500) return send(reply, codeForStatus(status), err.message);
    onInternalError(err, req);
    return send(reply, "internal", "internal error; the server log has the details");
  });

  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split("?")[0];
    // Fastify's typings leave out the null findRoute returns when no route matches the URL.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
    const allowed = METHODS.filter((m) => m !== req.method && app.findRoute({ method: m, url: path }) !== null);
    if (allowed.length > 0) return send(reply.header("allow", allowed.join(", ")), "method-not-allowed", `${req.method} is not allowed on ${path}; allowed: ${allowed.join(", ")}`);
    return send(reply, "not-found", `no route ${path}`);
  });
}

/** Fastify's `frameworkErrors` option: a URL that does not decode (bad %-encoding) is a 400 like any other bad request. */
export function frameworkErrors(err: FastifyError, _req: FastifyRequest, reply: FastifyReply): void {
  void send(reply, "bad-request", err.code === "FST_ERR_BAD_URL" ? `the URL is not valid: ${err.message}` : err.message);
}
