/**
 * The host's side of a renewal over HTTP (API.md §Renewal): it relays each APDU the server asks
 * for to the card (through whatever `transmit` reaches it: an OSDP reader, an in-process card)
 * and posts the card's answer back, until the server says done. The host sees only ciphertext
 * and MACs; it is trusted with nothing (docs/ARCHITECTURE.md §5).
 */
import type { Transmit } from "./card-channel.ts";
import type { RenewalOutcome } from "./renewal.ts";
import type { RelayProgress } from "./relay.ts";

/** A refusal from the server, with its API error code (API.md §Errors). */
export class RenewRefused extends Error {
  override name = "RenewRefused";
  constructor(readonly code: string, message: string, readonly status: number) {
    super(message);
  }
}

type Step = { session: string; apdu?: string; step?: number; progress?: RelayProgress; done?: boolean; outcome?: RenewalOutcome; error?: string; message?: string };

async function post(url: string, body: unknown, timeoutMs: number): Promise<Step> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const json = (await res.json()) as Step;
  if (!res.ok) throw new RenewRefused(json.error ?? "http-error", json.message ?? `HTTP ${res.status}`, res.status);
  return json;
}

/** Runs one renewal: `onApdu(step, apdu, progress)` is called per relayed APDU (for a progress bar). */
export async function renewOverHttp(server: string, transmit: Transmit, onApdu: (step: number, apdu: Uint8Array, progress?: RelayProgress) => void = () => {}, timeoutMs = 30_000): Promise<RenewalOutcome> {
  const base = server.replace(/\/+$/, "");
  let step = await post(`${base}/api/renewals`, {}, timeoutMs);
  while (!step.done) {
    if (typeof step.apdu !== "string") throw new RenewRefused("bad-reply", "server reply has neither an APDU nor an outcome", 200);
    const apdu = Uint8Array.from(Buffer.from(step.apdu, "hex"));
    onApdu(step.step ?? 0, apdu, step.progress);
    const resp = await transmit(apdu);
    step = await post(`${base}/api/renewals/${step.session}`, { response: Buffer.from(resp).toString("hex") }, timeoutMs);
  }
  return step.outcome!;
}
