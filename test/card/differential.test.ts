// protocol/card compiled to WASM (harness test/wasm/card.ts, with the firmware's constant-time AES)
// against the same source under Node: SCP03 transcripts, CMAC, key diversification and every layout
// decoder on seeded random and mutated inputs must agree byte for byte.
import { describe, it, expect } from "vitest";
import { aesBlockCipher } from "../../simulator/crypto/index.ts";
import { aesCmac } from "../../protocol/card/cmac.ts";
import { deriveKey } from "../../protocol/card/keys.ts";
import {
  Scp03Session, hostAuthenticate, markOpen, deriveSessionKeys, cardExternalAuthenticate, wrapCommand, unwrapCommand, wrapResponse, unwrapResponse,
} from "../../protocol/card/scp03.ts";
import * as L from "../../protocol/card/layouts.ts";
import { AuditRecord, decodeAuditRecord, encodeAuditRecord } from "../../protocol/card/records.ts";
import { checkDenylist, denylistSize } from "../../protocol/card/denylist.ts";
import { checkPinBlock } from "../../protocol/card/pin.ts";
import { loadHarness, type Harness } from "../support/wasm.ts";
import { loadVectors, hex, toHex } from "../support/vectors.ts";
import { Rng } from "../support/rng.ts";
import { initUpdateResponse } from "./fixture.ts";

interface CardHarness {
  cmac(len: number): void;
  derive(purpose: number, association: number, device: number): number;
  authenticate(respLen: number, sl: number): number;
  hostWrap(len: number): number;
  cardUnwrap(len: number): number;
  cardWrap(len: number, sw: number): number;
  hostUnwrap(len: number): number;
  decode(kind: number, len: number): number;
  denylist(len: number, maxEntries: number): number;
  pinBlock(len: number): number;
}

const bc = aesBlockCipher();

/** The TypeScript side of each harness export, over the same input bytes. */
class Node {
  host = new Scp03Session();
  card = new Scp03Session();
  out = new Uint8Array(65536);
  authenticate(input: Uint8Array, respLen: number, sl: number): number {
    const kEnc = input.slice(0, 16);
    const kMac = input.slice(16, 32);
    const n = hostAuthenticate(bc, kEnc, kMac, input, 32, input, 40, respLen, sl, this.host, this.out, 0, 64);
    if (n < 0) return n;
    markOpen(this.host);
    deriveSessionKeys(bc, kEnc, 0, kMac, 0, input, 32, input, 53, this.card);
    const r = cardExternalAuthenticate(bc, this.card, this.out, 0, n);
    return r < 0 ? r : n;
  }
  decode(kind: number, input: Uint8Array): number {
    const codecs: [(b: Uint8Array, o: number, l: number, into: never) => number, (v: never, o: Uint8Array, off: number, cap: number) => number, () => object][] = [
      [L.decodeIdentity, L.encodeIdentity, () => new L.Identity()], [L.decodeAuthorization, L.encodeAuthorization, () => new L.Authorization()],
      [L.decodeCarsExtension, L.encodeCarsExtension, () => new L.CarsExtension()], [L.decodeSettings, L.encodeSettings, () => new L.Settings()],
      [L.decodeServerTime, L.encodeServerTime, () => new L.ServerTime()], [L.decodeUploadCursor, L.encodeUploadCursor, () => new L.UploadCursor()],
      [L.decodeReceipt, L.encodeReceipt, () => new L.Receipt()], [L.decodeCardStatus, L.encodeCardStatus, () => new L.CardStatus()],
      [decodeAuditRecord, encodeAuditRecord, () => new AuditRecord()],
    ] as never;
    const [dec, enc, make] = codecs[kind];
    const into = make() as never;
    const n = dec(input, 0, input.length, into);
    if (n > 0) enc(into, this.out, 0, 65536);
    return n;
  }
}

function run(h: Harness<CardHarness>, name: keyof CardHarness, input: Uint8Array, ...args: number[]): { r: number; out: Uint8Array } {
  h.setInput(input);
  const r = (h.exports[name] as (...a: number[]) => number)(...args);
  return { r, out: h.output(Math.max(0, typeof r === "number" ? r : 16)) };
}

describe("protocol/card: WASM vs TypeScript", () => {
  const h = loadHarness<CardHarness>("card");

  it("SCP03 transcripts (AES-128 S8 vectors): EXTERNAL AUTHENTICATE, every wrapped command and response", () => {
    const cases = loadVectors("scp03.json").cases.filter((c: { key_bits: number; mode: string }) => c.key_bits === 128 && c.mode === "S8");
    expect(cases.length).toBe(4);
    for (const c of cases) {
      const resp = initUpdateResponse(c.initialize_update_response_hex);
      const input = new Uint8Array([...hex(c.static_keys.enc_hex), ...hex(c.static_keys.mac_hex), ...hex(c.host_challenge_hex), ...resp]);
      const node = new Node();
      const sl = parseInt(c.external_authenticate.security_level, 16);
      const w = run(h, "authenticate", input, resp.length, sl);
      expect(w.r).toBe(node.authenticate(input, resp.length, sl));
      expect(toHex(w.out)).toBe(c.external_authenticate.apdu_hex);
      for (const step of c.secure_messaging_steps) {
        if (step.plain_apdu_hex) {
          const plain = hex(step.plain_apdu_hex);
          const a = run(h, "hostWrap", plain, plain.length);
          const b = wrapCommand(bc, node.host, plain, 0, plain.length, node.out, 0, 65536);
          expect(toHex(a.out)).toBe(toHex(node.out.subarray(0, b)));
          const wrapped = hex(step.wrapped_apdu_hex);
          const u = run(h, "cardUnwrap", wrapped, wrapped.length);
          const v = unwrapCommand(bc, node.card, wrapped, 0, wrapped.length, node.out, 0, 65536);
          expect(toHex(u.out)).toBe(toHex(node.out.subarray(0, v)));
        } else {
          const data = hex(step.plain_response_data_hex ?? step.response_data_hex);
          const sw = parseInt(step.sw_hex, 16);
          const a = run(h, "cardWrap", data, data.length, sw);
          const b = wrapResponse(bc, node.card, data, 0, data.length, sw, node.out, 0, 65536);
          expect(toHex(a.out)).toBe(toHex(node.out.subarray(0, b)));
          const u = run(h, "hostUnwrap", a.out, a.out.length);
          const v = unwrapResponse(bc, node.host, a.out, 0, a.out.length, node.out, 0, 65536);
          expect(toHex(u.out)).toBe(toHex(node.out.subarray(0, v)));
          expect(toHex(u.out)).toBe(toHex(data) + step.sw_hex);
        }
      }
    }
  });

  it("CMAC and key diversification agree on random inputs (seed 0xd1ff)", () => {
    const rng = new Rng(0xd1ff);
    const out = new Uint8Array(16);
    for (let i = 0; i < 200; i++) {
      const input = rng.bytes(16 + rng.int(0, 100));
      h.setInput(input);
      h.exports.cmac(input.length - 16);
      aesCmac(bc, input, 0, input, 16, input.length - 16, out, 0);
      expect(toHex(h.output(16))).toBe(toHex(out));
      const purpose = rng.int(0x40, 0x48);
      const assoc = rng.u32();
      const device = rng.u32();
      const ok = deriveKey(bc, input, 0, purpose, assoc, device, out, 0);
      expect(h.exports.derive(purpose, assoc, device)).toBe(ok ? 16 : -1);
      if (ok) expect(toHex(h.output(16))).toBe(toHex(out));
    }
  });

  it("every layout decoder, the denylist and PIN-block checks agree on 2000 mutated inputs each (seed 0xd1fe)", () => {
    const rng = new Rng(0xd1fe);
    const node = new Node();
    const sizes = [52, 21, 10, 75, 21, 32, 16, 22, 38];
    for (let kind = 0; kind < sizes.length; kind++) {
      const base = new Uint8Array(sizes[kind]);
      base[0] = 1;
      if (kind === 4) base[4] = 2;
      if (kind === 8) base[12] = 1;
      for (let i = 0; i < 2000; i++) {
        const input = rng.bool() ? rng.mutate(base) : rng.bytes(rng.int(0, sizes[kind] + 3));
        const a = run(h, "decode", input, kind, input.length);
        const b = node.decode(kind, input);
        expect(a.r, `kind ${kind} input ${toHex(input)}`).toBe(b);
        if (b > 0) expect(toHex(a.out)).toBe(toHex(node.out.subarray(0, b)));
      }
    }
    const list = new Uint8Array(denylistSize(3));
    list[5] = 3;
    list.set([0, 0, 0, 1], 6);
    list.set([0, 0, 0, 2], 14);
    list.set([0, 0, 0, 3], 22);
    for (let i = 0; i < 2000; i++) {
      const m = rng.mutate(list);
      h.setInput(m);
      expect(h.exports.denylist(m.length, 4)).toBe(checkDenylist(m, 0, m.length, 4));
      const p = rng.mutate(hex("241234ffffffffff"));
      h.setInput(p);
      expect(h.exports.pinBlock(p.length)).toBe(checkPinBlock(p, 0, p.length));
    }
  });
});
