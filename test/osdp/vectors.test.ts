// Every OSDP vector in osdp_annex_e.json, through the TypeScript build of protocol/osdp and then
// through the WASM build of the same source.
import { describe, it, expect } from "vitest";
import { loadVectors, hex, toHex } from "../support/vectors.ts";
import { nodeBlockCipher } from "./aes.ts";
import { loadOsdpHarness } from "./harness.ts";
import { packetRoundTrip } from "../wasm/osdp-driver.ts";
import { crc16AugCcitt } from "../../protocol/crc.ts";
import { OsdpPacket, decodePacket, encodePacket } from "../../protocol/osdp/packet.ts";
import { OsdpSecureChannel } from "../../protocol/osdp/secure.ts";
import { ERR_OSDP_BAD_CRC, ERR_OSDP_BAD_SCB, ERR_OSDP_BAD_LENGTH, ERR_OSDP_BAD_MAC, ERR_OSDP_BAD_PADDING } from "../../protocol/osdp/errors.ts";

const annex = loadVectors("osdp_annex_e.json");

interface Decoded {
  address_byte: string; pd_address: number; length_field: number; sqn: number; crc_mode: boolean;
  scb_present: boolean; scs_type?: string; scb_hex?: string; code: string; payload_after_code_hex: string;
}

/** Decodes `bytes` and checks every header field against the vector's decoded description. */
function expectDecoded(bytes: Uint8Array, d: Decoded, mark: boolean): OsdpPacket {
  const p = new OsdpPacket();
  expect(decodePacket(bytes, 0, bytes.length, p)).toBe(bytes.length);
  expect(p.mark).toBe(mark);
  expect(p.address).toBe(d.pd_address);
  expect(p.isReply).toBe((parseInt(d.address_byte, 16) & 0x80) !== 0);
  expect(p.length).toBe(d.length_field);
  expect(p.sqn).toBe(d.sqn);
  expect(p.useCrc).toBe(d.crc_mode);
  expect(p.scbType).toBe(d.scb_present ? parseInt(d.scs_type!, 16) : 0);
  if (d.scb_hex && d.scb_hex.length === 6) expect(p.scbData).toBe(parseInt(d.scb_hex.slice(4), 16));
  expect(p.code).toBe(parseInt(d.code, 16));
  const macLen = p.macOff >= 0 ? 4 : 0;
  expect(toHex(bytes.subarray(p.dataOff, p.dataOff + p.dataLen + macLen))).toBe(d.payload_after_code_hex);
  return p;
}

/** Re-encodes a decoded packet (MAC copied from the input) and expects the input bytes back. */
function expectReencodes(bytes: Uint8Array, p: OsdpPacket): void {
  if (p.macOff >= 0) p.mac.set(bytes.subarray(p.macOff, p.macOff + 4));
  const out = new Uint8Array(bytes.length + 8);
  const n = encodePacket(p, bytes, p.dataOff, p.dataLen, out, 0, out.length);
  expect(toHex(out.subarray(0, n))).toBe(toHex(bytes));
}

describe("OSDP Annex E packets (CRC and checksum examples)", () => {
  for (const c of [...annex.crc_cases, ...annex.checksum_cases]) {
    it(c.id, () => {
      const bytes = hex(c.full_packet_hex);
      expectReencodes(bytes, expectDecoded(bytes, c.decoded, false));
    });
  }
});

describe("OSDP framing packets (libosdp, jeff, OSDP.Net)", () => {
  const expectedError: Partial<Record<string, number>> = {
    libosdp_invalid_scb_type_0x19: ERR_OSDP_BAD_SCB,
    libosdp_scs16_while_sc_inactive: ERR_OSDP_BAD_LENGTH,
  };
  for (const c of annex.framing_packets) {
    it(`${c.id}${c.trailer_valid ? "" : " (bad CRC)"}`, () => {
      for (const [field, mark] of [["packet_hex", false], ["packet_with_mark_hex", true]] as const) {
        const bytes = hex(c[field]);
        const want = !c.trailer_valid ? ERR_OSDP_BAD_CRC : expectedError[c.id];
        if (want !== undefined) {
          const p = new OsdpPacket();
          p.code = 0xee;
          expect(decodePacket(bytes, 0, bytes.length, p)).toBe(want);
          expect(p.code).toBe(0xee);
        } else {
          expectReencodes(bytes, expectDecoded(bytes, c.decoded, mark));
        }
      }
    });
  }
});

describe("OSDP secure channel, Annex E SCBK-D session", () => {
  it("derives S-ENC, S-MAC1, S-MAC2, both cryptograms and RMAC-I", () => {
    const v = annex.secure_channel_scbk_d;
    const sc = new OsdpSecureChannel(nodeBlockCipher());
    const rndA = hex(v.rnd_a_hex), rndB = hex(v.rnd_b_hex);
    sc.deriveSessionKeys(hex(v.scbk_d_hex), 0, rndA, 0);
    expect(toHex(sc.sEnc)).toBe(v.s_enc);
    expect(toHex(sc.sMac1)).toBe(v.s_mac1);
    expect(toHex(sc.sMac2)).toBe(v.s_mac2);
    const out = new Uint8Array(48);
    sc.clientCryptogram(rndA, 0, rndB, 0, out, 0);
    sc.serverCryptogram(rndA, 0, rndB, 0, out, 16);
    sc.initialRmac(out, 16, out, 32);
    expect(toHex(out.subarray(0, 16))).toBe(v.client_cryptogram);
    expect(toHex(out.subarray(16, 32))).toBe(v.server_cryptogram);
    expect(toHex(out.subarray(32))).toBe(v.rmac_i);
    expect(toHex(sc.rMac)).toBe(v.rmac_i);
  });
});

describe("OSDP secure channel primitives (libosdp test-sc.c)", () => {
  for (const c of annex.sc_primitive_cases) {
    it(c.id, () => {
      const sc = new OsdpSecureChannel(nodeBlockCipher());
      if (c.operation === "osdp MAC") {
        sc.sMac1.set(hex(c.s_mac1_hex));
        sc.sMac2.set(hex(c.s_mac2_hex));
        const data = hex(c.data_hex);
        const mac = new Uint8Array(16);
        sc.computeMac(data, 0, data.length, hex(c.iv_hex), 0, mac, 0);
        expect(toHex(mac)).toBe(c.mac16_hex);
        expect(toHex(mac.subarray(0, 4))).toBe(c.mac4_on_wire_hex);
      } else {
        sc.sEnc.set(hex(c.s_enc_hex));
        const plain = hex(c.plaintext_hex);
        const peer = hex(c.last_mac_from_peer_hex);
        const ct = new Uint8Array(64);
        const n = sc.encryptData(plain, 0, plain.length, peer, ct, 0, ct.length);
        expect(toHex(ct.subarray(0, n))).toBe(c.ciphertext_hex);
        const back = new Uint8Array(64).fill(0xee);
        expect(sc.decryptData(ct, 0, n, peer, back, 0, back.length)).toBe(plain.length);
        expect(toHex(back.subarray(0, plain.length))).toBe(c.plaintext_hex);
        // A wrong IV garbles the padding of a one-block message: a specific error, nothing written.
        const wrong = Uint8Array.from(peer, (b) => b ^ 1);
        const untouched = new Uint8Array(64).fill(0xee);
        if (n === 16) {
          expect(sc.decryptData(ct, 0, n, wrong, untouched, 0, 64)).toBe(ERR_OSDP_BAD_PADDING);
          expect(untouched.every((b) => b === 0xee)).toBe(true);
        }
      }
    });
  }
});

describe("OSDP secure packets (OSDP.Net, all-zero session keys)", () => {
  for (const c of annex.secure_packets) {
    it(`${c.id} (SCS_${c.scs_type})`, () => {
      const sc = new OsdpSecureChannel(nodeBlockCipher());
      sc.rMac.set(hex(c.last_rmac_hex));
      const h = new OsdpPacket();
      h.address = c.address;
      h.sqn = c.sqn;
      h.useCrc = c.decoded.crc_mode;
      h.code = parseInt(c.decoded.code, 16);
      h.mark = true;
      const data = hex(c.command_data_plain_hex);
      const out = new Uint8Array(128);
      const n = sc.sealPacket(h, data, 0, data.length, c.scs_type === "17", out, 0, out.length);
      expect(toHex(out.subarray(0, n))).toBe(c.expected_packet_with_mark_hex);
      expect(toHex(sc.cMac)).toBe(c.mac16_hex);

      const pd = new OsdpSecureChannel(nodeBlockCipher());
      pd.rMac.set(hex(c.last_rmac_hex));
      const wire = hex(c.expected_packet_hex);
      const p = new OsdpPacket();
      expect(decodePacket(wire, 0, wire.length, p)).toBe(wire.length);
      const plain = new Uint8Array(64);
      const m = pd.openPacket(p, wire, plain, 0, plain.length);
      expect(toHex(plain.subarray(0, m))).toBe(c.command_data_plain_hex);
      expect(toHex(pd.cMac)).toBe(c.mac16_hex);
    });
  }
});

describe("OSDP derived exchange with the Annex E keys (distinct S-MAC1/S-MAC2, chaining)", () => {
  it("CP and PD produce and accept all four packets; a command replayed after its reply fails its MAC", () => {
    const v = annex.derived_secure_exchange;
    const make = (): OsdpSecureChannel => {
      const sc = new OsdpSecureChannel(nodeBlockCipher());
      sc.sEnc.set(hex(v.s_enc_hex));
      sc.sMac1.set(hex(v.s_mac1_hex));
      sc.sMac2.set(hex(v.s_mac2_hex));
      sc.rMac.set(hex(v.initial_rmac_hex));
      return sc;
    };
    const cp = make(), pd = make();
    const codes = [0x60, 0x40, 0x61, 0x45];
    let lastCommand: { p: OsdpPacket; bytes: Uint8Array } | undefined;
    for (const [i, s] of v.steps.entries()) {
      const isReply = s.direction === "PD->ACU";
      const sender = isReply ? pd : cp, receiver = isReply ? cp : pd;
      const data = hex(s.data_plain_hex ?? (codes[i] === 0x61 ? "00" : ""));
      const h = new OsdpPacket();
      h.address = 1;
      h.isReply = isReply;
      h.code = codes[i];
      h.sqn = i < 2 ? 1 : 2;
      const out = new Uint8Array(128);
      const n = sender.sealPacket(h, data, 0, data.length, data.length > 0, out, 0, out.length);
      expect(toHex(out.subarray(0, n))).toBe(s.packet_hex);
      expect(toHex(isReply ? sender.rMac : sender.cMac)).toBe(isReply ? s.r_mac16_hex : s.c_mac16_hex);
      const p = new OsdpPacket();
      expect(decodePacket(out, 0, n, p)).toBe(n);
      const plain = new Uint8Array(64);
      expect(receiver.openPacket(p, out, plain, 0, 64)).toBe(data.length);
      expect(toHex(plain.subarray(0, data.length))).toBe(toHex(data));
      if (!isReply) {
        lastCommand = { p, bytes: out };
      } else {
        // Once the PD has replied the chain has moved on: the old command no longer verifies.
        expect(pd.openPacket(lastCommand!.p, lastCommand!.bytes, plain, 0, 64)).toBe(ERR_OSDP_BAD_MAC);
      }
    }
  });
});

describe("OSDP Annex E vectors through the WASM build", () => {
  const h = loadOsdpHarness();
  const out = new Uint8Array(65536);

  it("CRC check value of \"123456789\" (CRC-16/AUG-CCITT)", () => {
    const c = annex.crc_check_value;
    const input = hex(c.input_hex);
    expect(crc16AugCcitt(input, 0, input.length)).toBe(parseInt(c.crc, 16));
  });

  it("every packet vector decodes and re-encodes identically in both builds", () => {
    const packets: string[] = [
      ...annex.crc_cases.map((c: { full_packet_hex: string }) => c.full_packet_hex),
      ...annex.checksum_cases.map((c: { full_packet_hex: string }) => c.full_packet_hex),
      ...annex.framing_packets.flatMap((c: { packet_hex: string; packet_with_mark_hex: string }) => [c.packet_hex, c.packet_with_mark_hex]),
      ...annex.secure_packets.flatMap((c: { expected_packet_hex: string; expected_packet_with_mark_hex: string }) => [c.expected_packet_hex, c.expected_packet_with_mark_hex]),
    ];
    for (const x of packets) {
      const bytes = hex(x);
      const ts = packetRoundTrip(bytes, 0, bytes.length, out);
      h.setInput(bytes);
      expect(h.exports.packet(bytes.length), x).toBe(ts);
      if (ts > 0) expect(h.output(ts)).toEqual(out.slice(0, ts));
    }
  });

  it("SCBK-D session keys, cryptograms and RMAC-I", () => {
    const v = annex.secure_channel_scbk_d;
    h.setInput(Uint8Array.from([...hex(v.scbk_d_hex), ...hex(v.rnd_a_hex), ...hex(v.rnd_b_hex)]));
    expect(h.exports.handshake()).toBe(96);
    expect(toHex(h.output(96))).toBe(v.s_enc + v.s_mac1 + v.s_mac2 + v.client_cryptogram + v.server_cryptogram + v.rmac_i);
  });

  it("OSDP.Net secure packets sealed by the WASM build", () => {
    for (const c of annex.secure_packets) {
      const flags = (c.scs_type === "17" ? 2 : 0) | (c.decoded.crc_mode ? 4 : 0) | 8;
      const state = new Uint8Array(80);
      state.set(hex(c.s_enc_hex), 0);
      state.set(hex(c.s_mac1_hex), 16);
      state.set(hex(c.s_mac2_hex), 32);
      state.set(hex(c.last_rmac_hex), 64);
      const job = Uint8Array.from([...state, flags, c.address, c.sqn, parseInt(c.decoded.code, 16), ...hex(c.command_data_plain_hex)]);
      h.setInput(job);
      const n = h.exports.seal(job.length);
      expect(toHex(h.output(n).subarray(32))).toBe(c.expected_packet_with_mark_hex);
      expect(toHex(h.output(16))).toBe(c.mac16_hex);
    }
  });
});
