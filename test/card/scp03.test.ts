// protocol/card/scp03.ts and cmac.ts against the published SCP03 transcripts (vectors/scp03.json,
// AES-128 S8: pySim SL 11/03/33 and OpenSCP SL 33), RFC 4493 and @noble's CMAC, plus tamper and
// replay checks and a seeded fuzz of the card-side unwrap.
import { describe, it, expect } from "vitest";
import { cmac } from "@noble/ciphers/aes.js";
import { aesBlockCipher } from "../../simulator/crypto/index.ts";
import { aesCmac, kdfCmac } from "../../protocol/card/cmac.ts";
import {
  Scp03Session, deriveSessionKeys, computeCryptogram, hostAuthenticate, cardExternalAuthenticate, markOpen,
  wrapCommand, unwrapCommand, wrapResponse, unwrapResponse, cardInitializeUpdate, INIT_UPDATE_RESPONSE_SIZE,
} from "../../protocol/card/scp03.ts";
import { ERR_CARD_BAD_MAC, ERR_CARD_BAD_CRYPTOGRAM, ERR_CARD_BAD_SECURITY_LEVEL } from "../../protocol/card/errors.ts";
import { loadVectors, hex, toHex } from "../support/vectors.ts";
import { Rng } from "../support/rng.ts";
import { initUpdateResponse } from "./fixture.ts";

interface Step {
  name: string;
  plain_apdu_hex?: string;
  wrapped_apdu_hex?: string;
  encryption_counter?: number;
  c_mac_full_hex?: string;
  response_data_hex?: string;
  sw_hex?: string;
  plain_response_data_hex?: string;
}
interface Case {
  id: string; mode: string; key_bits: number;
  static_keys: { enc_hex: string; mac_hex: string };
  host_challenge_hex: string;
  initialize_update_response_hex: string;
  initialize_update_response_fields: { card_challenge_hex: string };
  s_enc_hex: string; s_mac_hex: string; s_rmac_hex: string;
  card_cryptogram_hex: string; host_cryptogram_hex: string;
  external_authenticate: { security_level: string; apdu_hex: string; mac_chaining_value_after_hex: string };
  secure_messaging_steps: Step[];
}

const bc = aesBlockCipher();
const scp03 = loadVectors<{ cases: Case[] }>("scp03.json");
const cases = scp03.cases.filter((c) => c.key_bits === 128 && c.mode === "S8");

/** Runs the host side and the card side of one transcript in lockstep; every byte is compared to the vectors. */
function runTranscript(c: Case): number {
  const host = new Scp03Session();
  const card = new Scp03Session();
  const kEnc = hex(c.static_keys.enc_hex);
  const kMac = hex(c.static_keys.mac_hex);
  const hostCh = hex(c.host_challenge_hex);
  const resp = initUpdateResponse(c.initialize_update_response_hex);
  const ea = new Uint8Array(32);
  const sl = parseInt(c.external_authenticate.security_level, 16);
  expect(hostAuthenticate(bc, kEnc, kMac, hostCh, 0, resp, 0, resp.length, sl, host, ea, 0, 32)).toBe(21);
  expect(toHex(host.sEnc)).toBe(c.s_enc_hex);
  expect(toHex(host.sMac)).toBe(c.s_mac_hex);
  expect(toHex(host.sRmac)).toBe(c.s_rmac_hex);
  expect(toHex(ea.subarray(0, 21))).toBe(c.external_authenticate.apdu_hex);
  expect(toHex(host.macChain)).toBe(c.external_authenticate.mac_chaining_value_after_hex);
  markOpen(host);

  deriveSessionKeys(bc, kEnc, 0, kMac, 0, hostCh, 0, hex(c.initialize_update_response_fields.card_challenge_hex), 0, card);
  const cardCrypt = new Uint8Array(8);
  computeCryptogram(bc, card, 0, cardCrypt, 0);
  expect(toHex(cardCrypt)).toBe(c.card_cryptogram_hex);
  expect(cardExternalAuthenticate(bc, card, ea, 0, 21)).toBe(0);
  expect(card.open).toBe(true);

  const out = new Uint8Array(512);
  let checked = 0;
  for (const step of c.secure_messaging_steps) {
    if (step.plain_apdu_hex) {
      const plain = hex(step.plain_apdu_hex);
      const n = wrapCommand(bc, host, plain, 0, plain.length, out, 0, 512);
      expect(toHex(out.subarray(0, n)), step.name).toBe(step.wrapped_apdu_hex);
      if (step.encryption_counter !== undefined) expect(host.encCounter).toBe(step.encryption_counter);
      const wrapped = hex(step.wrapped_apdu_hex!);
      const m = unwrapCommand(bc, card, wrapped, 0, wrapped.length, out, 0, 512);
      expect(toHex(out.subarray(0, m)), step.name).toBe(step.plain_apdu_hex);
    } else {
      const data = hex(step.response_data_hex!);
      const sw = parseInt(step.sw_hex!, 16);
      const plainData = hex(step.plain_response_data_hex ?? step.response_data_hex!);
      const n = wrapResponse(bc, card, plainData, 0, plainData.length, sw, out, 0, 512);
      // This card pads to the next block; OpenSCP's card adds a whole extra zero block to some
      // responses, so the byte comparison applies only where both pad the same.
      const macLen = c.external_authenticate.security_level.startsWith("0") ? 0 : 8;
      const padsSame = !(sl & 0x20) || plainData.length === 0 || data.length - macLen === (Math.floor(plainData.length / 16) + 1) * 16;
      if (padsSame) expect(toHex(out.subarray(0, n)), step.name).toBe(step.response_data_hex! + step.sw_hex);
      else expect(n).toBe(data.length - 16 + 2);
      const full = new Uint8Array([...data, sw >> 8, sw & 0xff]);
      const m = unwrapResponse(bc, host, full, 0, full.length, out, 0, 512);
      expect(toHex(out.subarray(0, m)), step.name).toBe(toHex(plainData) + step.sw_hex);
    }
    checked++;
  }
  return checked;
}

describe("AES-CMAC over BlockCipher", () => {
  it("matches RFC 4493 examples 1-4", () => {
    const v = loadVectors("rfc4493_aes_cmac.json");
    const out = new Uint8Array(16);
    for (const c of v.cases) {
      const msg = hex(c.msg_hex);
      aesCmac(bc, hex(c.key_hex), 0, msg, 0, msg.length, out, 0);
      expect(toHex(out)).toBe(c.mac_hex);
    }
  });

  it("matches @noble/ciphers cmac for 0..80-byte messages at an offset", () => {
    const rng = new Rng(0x5c03);
    const out = new Uint8Array(16);
    for (let len = 0; len <= 80; len++) {
      const key = rng.bytes(16);
      const buf = rng.bytes(len + 7);
      aesCmac(bc, key, 0, buf, 7, len, out, 0);
      expect(toHex(out)).toBe(toHex(cmac(buf.subarray(7), key)));
    }
  });

  it("the KDF reproduces GlobalPlatformPro's session-key KCVs", () => {
    const kdfCases = loadVectors("scp03.json").kcv_and_kdf_cases.filter((k: { derivation_constant?: string }) => k.derivation_constant);
    expect(kdfCases.length).toBeGreaterThan(0);
    for (const k of kdfCases) {
      const ctx = hex(k.context_hex);
      const out = new Uint8Array(16);
      expect(kdfCmac(bc, hex(k.static_key_hex), 0, parseInt(k.derivation_constant, 16), ctx, 0, ctx.length, 128, out, 0)).toBe(true);
      const kcv = new Uint8Array(16);
      bc.setKey(out, 0);
      bc.encryptBlock(new Uint8Array(16).fill(1), 0, kcv, 0);
      expect(toHex(kcv.subarray(0, 3))).toBe(k.kcv_hex);
    }
  });
});

describe("SCP03 published transcripts (AES-128, S8)", () => {
  it("has the four AES-128 S8 transcripts", () => {
    expect(cases.map((c) => c.id).sort()).toEqual(["pysim_aes128_sl03", "pysim_aes128_sl11", "pysim_aes128_sl33", "samsung_openscp_aes128_s8"]);
  });
  for (const c of cases) {
    it(`${c.id}: session keys, cryptograms, EXTERNAL AUTHENTICATE and every wrapped step, host and card side`, () => {
      expect(runTranscript(c)).toBe(c.secure_messaging_steps.length);
    });
  }
});

describe("SCP03 refusals", () => {
  const c = cases.find((x) => x.id === "pysim_aes128_sl33")!;
  const kEnc = hex(c.static_keys.enc_hex);
  const kMac = hex(c.static_keys.mac_hex);
  const hostCh = hex(c.host_challenge_hex);

  function openPair(): { host: Scp03Session; card: Scp03Session } {
    const host = new Scp03Session();
    const card = new Scp03Session();
    const resp = initUpdateResponse(c.initialize_update_response_hex);
    const ea = new Uint8Array(21);
    hostAuthenticate(bc, kEnc, kMac, hostCh, 0, resp, 0, resp.length, 0x33, host, ea, 0, 21);
    markOpen(host);
    deriveSessionKeys(bc, kEnc, 0, kMac, 0, hostCh, 0, resp, 13, card);
    expect(cardExternalAuthenticate(bc, card, ea, 0, 21)).toBe(0);
    return { host, card };
  }

  it("a wrong card cryptogram is refused by the host", () => {
    const resp = Uint8Array.from(initUpdateResponse(c.initialize_update_response_hex));
    resp[25] ^= 1;
    const host = new Scp03Session();
    expect(hostAuthenticate(bc, kEnc, kMac, hostCh, 0, resp, 0, resp.length, 0x33, host, new Uint8Array(21), 0, 21)).toBe(ERR_CARD_BAD_CRYPTOGRAM);
    expect(host.open).toBe(false);
  });

  it("an unsupported security level is refused", () => {
    const resp = initUpdateResponse(c.initialize_update_response_hex);
    expect(hostAuthenticate(bc, kEnc, kMac, hostCh, 0, resp, 0, resp.length, 0x02, new Scp03Session(), new Uint8Array(21), 0, 21)).toBe(ERR_CARD_BAD_SECURITY_LEVEL);
  });

  it("a replayed command fails the MAC and closes the card session", () => {
    const { host, card } = openPair();
    const plain = hex("80ca010000");
    const w = new Uint8Array(64);
    const n = wrapCommand(bc, host, plain, 0, plain.length, w, 0, 64);
    const out = new Uint8Array(64);
    expect(unwrapCommand(bc, card, w, 0, n, out, 0, 64)).toBe(plain.length);
    expect(unwrapCommand(bc, card, w, 0, n, out, 0, 64)).toBe(ERR_CARD_BAD_MAC);
    expect(card.open).toBe(false);
  });

  it("every single-bit flip of a wrapped command is refused and writes no output", () => {
    const plain = hex("80e2000204" + "31323334");
    for (let bit = 0; bit < 8 * 21; bit++) {
      const { host, card } = openPair();
      const w = new Uint8Array(64);
      const n = wrapCommand(bc, host, plain, 0, plain.length, w, 0, 64);
      if (bit >= 8 * n) break;
      w[bit >> 3] ^= 1 << (bit & 7);
      const out = new Uint8Array(64).fill(0xee);
      const r = unwrapCommand(bc, card, w, 0, n, out, 0, 64);
      expect(r).toBeLessThan(0);
      expect(out.every((b) => b === 0xee)).toBe(true);
    }
  });

  it("a tampered response fails the R-MAC on the host", () => {
    const { host, card } = openPair();
    const plain = hex("80ca010000");
    const w = new Uint8Array(64);
    const out = new Uint8Array(300);
    unwrapCommand(bc, card, w, 0, wrapCommand(bc, host, plain, 0, plain.length, w, 0, 64), out, 0, 300);
    const r = new Uint8Array(300);
    const n = wrapResponse(bc, card, hex("0102030405"), 0, 5, 0x9000, r, 0, 300);
    r[3] ^= 0x40;
    expect(unwrapResponse(bc, host, r, 0, n, out, 0, 300)).toBe(ERR_CARD_BAD_MAC);
  });

  it("card-side INITIALIZE UPDATE answers 29 bytes that the host side accepts", () => {
    const s = new Scp03Session();
    const out = new Uint8Array(40);
    const div = hex("00000000000012345678");
    const cardCh = hex("0102030405060708");
    expect(cardInitializeUpdate(bc, kEnc, kMac, 0x30, div, 0, hostCh, 0, cardCh, 0, s, out, 0, 40)).toBe(INIT_UPDATE_RESPONSE_SIZE);
    const host = new Scp03Session();
    const ea = new Uint8Array(21);
    expect(hostAuthenticate(bc, kEnc, kMac, hostCh, 0, out, 0, 29, 0x13, host, ea, 0, 21)).toBe(21);
    expect(cardExternalAuthenticate(bc, s, ea, 0, 21)).toBe(0);
    expect(s.securityLevel).toBe(0x13);
  });

  it("fuzz: mutated wrapped APDUs never unwrap (seed 0x4c0c)", () => {
    const rng = new Rng(0x4c0c);
    for (let i = 0; i < 300; i++) {
      const { host, card } = openPair();
      const plain = new Uint8Array([0x80, 0xe2, 0, 1, ...(() => { const d = rng.bytes(rng.int(1, 60)); return [d.length, ...d]; })()]);
      const w = new Uint8Array(300);
      const n = wrapCommand(bc, host, plain, 0, plain.length, w, 0, 300);
      const bad = rng.mutate(w.subarray(0, n));
      if (toHex(bad) === toHex(w.subarray(0, n))) continue;
      const out = new Uint8Array(300);
      const r = unwrapCommand(bc, card, bad, 0, bad.length, out, 0, 300);
      // Le is outside the C-MAC (Amd D §6.2.4): a mutation that only adds or changes a trailing
      // Le byte unwraps to the same command with that Le.
      if (r >= 0) {
        expect(toHex(bad.subarray(0, n))).toBe(toHex(w.subarray(0, n)));
        expect(toHex(out.subarray(0, plain.length))).toBe(toHex(plain));
      }
    }
  });
});
