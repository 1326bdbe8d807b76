// OSDP secure channel: the key schedule and packet sealing checked against node:crypto applied
// to the Annex D rules directly, WASM = TypeScript on random and mutated inputs, and a fuzz run of
// packet opening (every forged or corrupted packet refused with a named error, chain unchanged).
import { describe, it, expect } from "vitest";
import { Rng } from "../support/rng.ts";
import { nodeCipher } from "../support/oracles.ts";
import { concat } from "../support/vectors.ts";
import { secureSetCipher, secureHandshake, secureSeal, secureOpen } from "../wasm/osdp-driver.ts";
import { nodeBlockCipher } from "./aes.ts";
import { loadOsdpHarness } from "./harness.ts";
import { osdpErrorName, ERR_OSDP_BAD_MAC } from "../../protocol/osdp/errors.ts";
import { ERR_BAD_ARGUMENT } from "../../protocol/errors.ts";
import { crc16AugCcitt, osdpChecksum } from "../../protocol/crc.ts";

secureSetCipher(nodeBlockCipher());
const out = new Uint8Array(65536);

const ecb = (key: Uint8Array, block: Uint8Array): Uint8Array => nodeCipher("aes-128-ecb", key, null, block);
const cbc = (key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array => nodeCipher("aes-128-cbc", key, iv, data);

const not = (b: Uint8Array): Uint8Array => b.map((x) => ~x & 0xff);

/** Annex D.5 MAC from node:crypto: CBC under S-MAC1 for all blocks but the last, then S-MAC2. */
function oracleMac(sMac1: Uint8Array, sMac2: Uint8Array, iv: Uint8Array, msg: Uint8Array): Uint8Array {
  const padded = msg.length % 16 === 0 ? msg : concat(msg, [0x80], new Array(15 - (msg.length % 16)).fill(0));
  const head = padded.subarray(0, padded.length - 16);
  const chain = head.length ? cbc(sMac1, iv, head).subarray(head.length - 16) : iv;
  return ecb(sMac2, padded.subarray(padded.length - 16).map((x, i) => x ^ chain[i]));
}

describe("OSDP secure channel vs node:crypto applying Annex D directly", () => {
  it("session keys, cryptograms and RMAC-I for 500 random SCBK/RND.A/RND.B", () => {
    const rng = new Rng(0x5cb4);
    for (let i = 0; i < 500; i++) {
      const input = rng.bytes(32);
      const scbk = input.subarray(0, 16), a = input.subarray(16, 24), b = input.subarray(24, 32);
      expect(secureHandshake(input, out)).toBe(96);
      const zeros = new Array(8).fill(0);
      const sEnc = ecb(scbk, concat([1, 0x82], a.subarray(0, 6), zeros));
      const sMac1 = ecb(scbk, concat([1, 1], a.subarray(0, 6), zeros));
      const sMac2 = ecb(scbk, concat([1, 2], a.subarray(0, 6), zeros));
      const server = ecb(sEnc, concat(b, a));
      expect(out.slice(0, 96)).toEqual(concat(sEnc, sMac1, sMac2, ecb(sEnc, concat(a, b)), server, ecb(sMac2, ecb(sMac1, server))));
    }
  });

  it("sealed packets carry CBC-encrypted, 80-padded data and the chained MAC (2,000 random)", () => {
    const rng = new Rng(0x5ea1);
    for (let i = 0; i < 2000; i++) {
      const state = rng.bytes(80);
      const flags = rng.int(0, 15);
      const data = rng.bytes(rng.int(0, 100));
      const n = secureSeal(concat(state, [flags, rng.int(0, 127), rng.int(0, 3), 0x80], data), 84 + data.length, out);
      expect(n).toBeGreaterThan(32);
      const isReply = (flags & 1) !== 0, encrypt = (flags & 2) !== 0 && data.length > 0;
      const sEnc = state.subarray(0, 16), sMac1 = state.subarray(16, 32), sMac2 = state.subarray(32, 48);
      const peer = isReply ? state.subarray(48, 64) : state.subarray(64, 80);
      const packet = out.subarray(32 + ((flags & 8) ? 1 : 0), n);
      const trailer = (flags & 4) ? 2 : 1;
      const payload = packet.subarray(8, packet.length - trailer - 4);
      expect(packet[6]).toBe((isReply ? 0x16 : 0x15) + (encrypt ? 2 : 0));
      if (encrypt) {
        const padded = concat(data, [0x80], new Array(15 - (data.length % 16)).fill(0));
        expect(payload).toEqual(cbc(sEnc, not(peer), padded));
      } else {
        expect(payload).toEqual(data);
      }
      const mac = oracleMac(sMac1, sMac2, peer, packet.subarray(0, packet.length - trailer - 4));
      expect(packet.subarray(packet.length - trailer - 4, packet.length - trailer)).toEqual(mac.subarray(0, 4));
      expect(out.subarray(isReply ? 16 : 0, isReply ? 32 : 16)).toEqual(mac);
    }
  });
});

/** Recomputes the trailer of a packet whose length field matches its size (else leaves it). */
function fixTrailer(b: Uint8Array): void {
  const som = b[0] === 0xff ? 1 : 0;
  if (b.length < som + 7 || b[som + 2] + (b[som + 3] << 8) !== b.length - som) return;
  const body = b.subarray(som);
  if (body[4] & 4) {
    const crc = crc16AugCcitt(body, 0, body.length - 2);
    body[body.length - 2] = crc & 0xff;
    body[body.length - 1] = crc >>> 8;
  } else {
    body[body.length - 1] = osdpChecksum(body, 0, body.length - 1);
  }
}

describe("OSDP secure channel: WASM = TypeScript, and opening forged packets (fuzz)", () => {
  const h = loadOsdpHarness();

  function both(kind: "seal" | "open", input: Uint8Array): { ts: number; bytes: Uint8Array; same: boolean } {
    const ts = kind === "seal" ? secureSeal(input, input.length, out) : secureOpen(input, input.length, out);
    h.setInput(input);
    const wasm = kind === "seal" ? h.exports.seal(input.length) : h.exports.open(input.length);
    const bytes = out.slice(0, Math.max(ts, 0));
    return { ts, bytes, same: wasm === ts && (ts < 0 || Buffer.compare(h.output(ts), bytes) === 0) };
  }

  it("handshake on 2,000 random inputs", () => {
    const rng = new Rng(0x4a5d);
    for (let i = 0; i < 2000; i++) {
      const input = rng.bytes(32);
      secureHandshake(input, out);
      h.setInput(input);
      expect(h.exports.handshake()).toBe(96);
      expect(h.output(96)).toEqual(out.slice(0, 96));
    }
  });

  it("seal then open on 10,000 random messages: identical bytes, plaintext recovered, chains agree", () => {
    const rng = new Rng(0x5ea15);
    // 64 random key sets keep node:crypto's per-key setup out of the loop; data, chains and headers vary.
    const states = Array.from({ length: 64 }, () => rng.bytes(48));
    const failures: string[] = [];
    for (let i = 0; i < 10_000 && failures.length < 5; i++) {
      const state = concat(rng.pick(states), rng.bytes(32));
      const data = rng.bytes(rng.int(0, 120));
      const sealed = both("seal", concat(state, [rng.int(0, 15), rng.int(0, 127), rng.int(0, 3), 0x80], data));
      if (!sealed.same || sealed.ts < 0) { failures.push(`seal ${sealed.ts}`); continue; }
      const opened = both("open", concat(state, sealed.bytes.subarray(32)));
      if (!opened.same) failures.push(`open differs ${opened.ts}`);
      else if (Buffer.compare(opened.bytes.subarray(32), data) !== 0) failures.push("plaintext differs");
      else if (Buffer.compare(opened.bytes.subarray(0, 32), sealed.bytes.subarray(0, 32)) !== 0) failures.push("chain differs");
    }
    expect(failures).toEqual([]);
  });

  it("100,000 mutated and random packets: refused with a named error unless intact; WASM agrees on 20,000", () => {
    const rng = new Rng(0xf0e9);
    const state = rng.bytes(80);
    const sealed: Uint8Array[] = [];
    for (let i = 0; i < 200; i++) {
      const data = rng.bytes(rng.int(0, 60));
      const n = secureSeal(concat(state, [rng.int(0, 15), rng.int(0, 127), rng.int(0, 3), 0x80], data), 84 + data.length, out);
      sealed.push(out.slice(32, n));
    }
    const scratch = new Uint8Array(512);
    const input = new Uint8Array(80 + 512);
    input.set(state);
    const failures: string[] = [];
    let accepted = 0, badMac = 0;
    for (let i = 0; i < 100_000 && failures.length < 5; i++) {
      const base = sealed[rng.u32() % sealed.length];
      let pkt: Uint8Array;
      if (i % 10 === 0) pkt = rng.bytes(rng.int(0, 60));
      else if (i % 2 === 0) pkt = rng.mutateInto(base, scratch);
      else {
        // Same-length corruption with a correct trailer reaches the MAC and decryption checks.
        pkt = scratch.subarray(0, base.length);
        pkt.set(base);
        for (let k = rng.int(1, 3); k > 0; k--) pkt[rng.u32() % pkt.length] ^= 1 << rng.int(0, 7);
        fixTrailer(pkt);
      }
      input.set(pkt, 80);
      const view = input.subarray(0, 80 + pkt.length);
      let r: number;
      if (i % 5 === 0) {
        const res = both("open", view);
        if (!res.same) failures.push(`wasm differs: ${Buffer.from(pkt).toString("hex")}`);
        r = res.ts;
      } else {
        r = secureOpen(view, view.length, out);
      }
      if (r === ERR_OSDP_BAD_MAC) badMac++;
      if (r >= 0) {
        accepted++;
        // Only a packet whose MAC-covered bytes are intact may open (e.g. a dropped mark byte).
        const som = (b: Uint8Array): Uint8Array => b.subarray(b[0] === 0xff ? 1 : 0);
        const covered = (b: Uint8Array): Uint8Array => som(b).subarray(0, som(b).length - ((som(b)[4] & 4) ? 2 : 1) - 4);
        if (Buffer.compare(covered(pkt), covered(base)) !== 0) failures.push(`forgery accepted: ${Buffer.from(pkt).toString("hex")}`);
      } else if (osdpErrorName(r) === "" && r !== ERR_BAD_ARGUMENT) failures.push(`unnamed ${r}`);
    }
    expect(failures).toEqual([]);
    expect(accepted).toBeLessThan(5000);
    expect(badMac).toBeGreaterThan(10_000);
  });
});
