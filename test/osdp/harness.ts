/**
 * Loads build/harness/osdp.wasm (test/wasm/osdp.ts) with the AES it imports taken from
 * node:crypto (./aes.ts).
 */
import { loadHarness, type Harness } from "../support/wasm.ts";
import { hostAesImports } from "./aes.ts";

export interface OsdpExports {
  payload(code: number, isReply: number, len: number): number;
  payloadBatch(count: number): number;
  packet(len: number): number;
  frame(len: number, chunk: number): number;
  seal(len: number): number;
  open(len: number): number;
  handshake(): number;
}

export type OsdpHarness = Harness<OsdpExports>;

export function loadOsdpHarness(): OsdpHarness {
  return loadHarness<OsdpExports>("osdp", hostAesImports);
}
