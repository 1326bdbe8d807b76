// firmware/crypto against published vectors (test/vectors), through the Node module, for
// both the scalar and the SIMD build.
import { describe, it, expect } from "vitest";
import { loadVectors, hex, toHex } from "../support/vectors.ts";
import { BUILDS, codeOf, engine, raw } from "./builds.ts";

interface WyTest { tcId: number; key: string; iv: string; aad: string; msg: string; ct: string; tag: string; result: string; flags: string[]; ikm: string; salt: string; info: string; size: number; okm: string }
interface WyGroup { keySize: number; ivSize: number; tagSize: number; tests: WyTest[] }

const fips197 = loadVectors("fips197_aes128.json");
const ctr = loadVectors("sp800_38a_aes128_ctr.json");
const ccm = loadVectors("sp800_38c_ccm.json");
const sha = loadVectors("fips180_sha256.json");
const rfc4231 = loadVectors("rfc4231_hmac_sha256.json");
const rfc4493 = loadVectors("rfc4493_aes_cmac.json");
const rfc5869 = loadVectors("rfc5869_hkdf_sha256.json");
const rfc4226 = loadVectors("rfc4226_hotp.json");
const rfc6238 = loadVectors("rfc6238_totp_sha256.json");
const scp03 = loadVectors("scp03.json");
const wyCcm = loadVectors<{ testGroups: WyGroup[] }>("wycheproof/aes_ccm_test.json");
const wyCmac = loadVectors<{ testGroups: WyGroup[] }>("wycheproof/aes_cmac_test.json");
const wyHmac = loadVectors<{ testGroups: WyGroup[] }>("wycheproof/hmac_sha256_test.json");
const wyHkdf = loadVectors<{ testGroups: WyGroup[] }>("wycheproof/hkdf_sha256_test.json");

for (const build of BUILDS) {
  const c = engine(build);

  describe(`${build}: FIPS 197`, () => {
    for (const v of fips197.cases) {
      it(`${v.id}: ciphertext, decryption, key schedule`, () => {
        const key = hex(v.key_hex);
        expect(toHex(c.ecb(key, hex(v.plaintext_hex), false))).toBe(v.ciphertext_hex);
        expect(toHex(c.ecb(key, hex(v.ciphertext_hex), true))).toBe(v.plaintext_hex);
        if (v.round_keys) {
          const { ex, out } = raw(build);
          new Uint8Array(ex.memory.buffer, ex.keyPtr(), 16).set(key);
          expect(ex.aesSetKey()).toBe(0);
          v.round_keys.forEach((rk: string, r: number) => {
            expect(ex.aesRoundKey(r)).toBe(0);
            expect(toHex(out.subarray(0, 16))).toBe(rk);
          });
        }
      });
    }

    it("every step of every round of Appendix C.1 (and each inverse step), with its round keys", () => {
      const v = fips197.cases.find((x: { encrypt_rounds?: unknown }) => Array.isArray(x.encrypt_rounds));
      const rounds: { round: number; start: string; s_box: string; s_row: string; m_col?: string; k_sch: string }[] = v.encrypt_rounds;
      expect(rounds.length).toBe(10);
      const { ex, io, out } = raw(build);
      new Uint8Array(ex.memory.buffer, ex.keyPtr(), 16).set(hex(v.key_hex));
      expect(ex.aesSetKey()).toBe(0);
      const roundKey = (r: number): string => {
        expect(ex.aesRoundKey(r)).toBe(0);
        return toHex(out.subarray(0, 16));
      };
      expect(roundKey(0)).toBe(v.round_key_0);
      const step = (code: number, input: string): string => {
        io.set(hex(input));
        ex.aesStep(code);
        return toHex(io.subarray(0, 16));
      };
      for (const r of rounds) {
        expect(roundKey(r.round)).toBe(r.k_sch);
        expect(step(0, r.start)).toBe(r.s_box);
        expect(step(3, r.s_box)).toBe(r.start);
        expect(step(1, r.s_box)).toBe(r.s_row);
        expect(step(4, r.s_row)).toBe(r.s_box);
        if (r.m_col) {
          expect(step(2, r.s_row)).toBe(r.m_col);
          expect(step(5, r.m_col)).toBe(r.s_row);
        }
      }
    });
  });

  describe(`${build}: SP 800-38A CTR, SP 800-38C CCM, RFC 4493 CMAC`, () => {
    it("F.5.1 CTR-AES128 encrypt and decrypt, block by block and whole", () => {
      const v = ctr.cases[0];
      const key = hex(v.key_hex);
      expect(toHex(c.ctr(key, hex(v.initial_counter_hex), hex(v.plaintext_hex)))).toBe(v.ciphertext_hex);
      expect(toHex(c.ctr(key, hex(v.initial_counter_hex), hex(v.ciphertext_hex)))).toBe(v.plaintext_hex);
      for (const b of v.blocks) {
        expect(toHex(c.ecb(key, hex(b.input_block_hex), false))).toBe(b.output_block_hex);
        expect(toHex(c.ctr(key, hex(b.input_block_hex), hex(b.plaintext_hex)))).toBe(b.ciphertext_hex);
      }
    });

    for (const v of ccm.cases) {
      it(`CCM example ${v.example}`, () => {
        const key = hex(v.key_hex), nonce = hex(v.nonce_hex), aad = hex(v.adata_hex);
        const tagLen = v.Tlen / 8;
        expect(toHex(c.ccmEncrypt(key, nonce, hex(v.payload_hex), aad, tagLen))).toBe(v.ciphertext_hex);
        expect(toHex(c.ccmDecrypt(key, nonce, hex(v.ciphertext_hex), aad, tagLen))).toBe(v.payload_hex);
      });
    }

    it("CMAC subkey-dependent examples 1-4", () => {
      for (const v of rfc4493.cases) expect(toHex(c.cmac(hex(v.key_hex), hex(v.msg_hex)))).toBe(v.mac_hex);
      const sk = rfc4493.subkey_generation;
      expect(toHex(c.ecb(hex(sk.key_hex), new Uint8Array(16), false))).toBe(sk.aes_128_key_zero_L);
    });
  });

  describe(`${build}: Wycheproof (128-bit key groups)`, () => {
    it("aes_ccm_test.json: valid and invalid cases", () => {
      let n = 0;
      for (const g of wyCcm.testGroups.filter((x) => x.keySize === 128)) {
        for (const t of g.tests) {
          const key = hex(t.key), iv = hex(t.iv), aad = hex(t.aad), tagLen = g.tagSize / 8;
          const sealed = hex(t.ct + t.tag);
          const nonceOk = iv.length >= 7 && iv.length <= 13;
          const tagOk = tagLen >= 4 && tagLen <= 16 && tagLen % 2 === 0;
          if (!nonceOk) {
            expect(codeOf(() => c.ccmDecrypt(key, iv, sealed, aad, tagLen)), `tc ${t.tcId}`).toBe("bad-nonce-length");
            expect(t.result).toBe("invalid");
          } else if (!tagOk) {
            expect(codeOf(() => c.ccmEncrypt(key, iv, hex(t.msg), aad, tagLen)), `tc ${t.tcId}`).toBe("bad-tag-length");
            expect(t.result).toBe("invalid");
          } else if (t.result === "valid") {
            expect(toHex(c.ccmEncrypt(key, iv, hex(t.msg), aad, tagLen)), `tc ${t.tcId}`).toBe(t.ct + t.tag);
            expect(toHex(c.ccmDecrypt(key, iv, sealed, aad, tagLen)), `tc ${t.tcId}`).toBe(t.msg);
          } else {
            expect(codeOf(() => c.ccmDecrypt(key, iv, sealed, aad, tagLen)), `tc ${t.tcId}`).toBe("tag-mismatch");
          }
          n++;
        }
      }
      expect(n).toBe(184);
    });

    it("aes_cmac_test.json: valid tags match, modified tags do not, bad key sizes are refused", () => {
      let n = 0;
      for (const g of wyCmac.testGroups.filter((x) => x.keySize !== 192 && x.keySize !== 256)) {
        for (const t of g.tests) {
          const key = hex(t.key);
          if (g.keySize !== 128) {
            expect(codeOf(() => c.cmac(key, hex(t.msg)))).toBe("bad-key-length");
          } else {
            const ok = toHex(c.cmac(key, hex(t.msg)).subarray(0, g.tagSize / 8)) === t.tag;
            expect(ok, `tc ${t.tcId}`).toBe(t.result === "valid");
          }
          n++;
        }
      }
      expect(n).toBe(107);
    });

    it("hmac_sha256_test.json: full and truncated tags", () => {
      let n = 0;
      for (const g of wyHmac.testGroups) {
        for (const t of g.tests) {
          const mac = c.hmacKey(hex(t.key)).mac(hex(t.msg));
          expect(toHex(mac.subarray(0, g.tagSize / 8)) === t.tag, `tc ${t.tcId}`).toBe(t.result === "valid");
          n++;
        }
      }
      expect(n).toBe(174);
    });

    it("hkdf_sha256_test.json: outputs, and sizes over 255*32 refused", () => {
      for (const g of wyHkdf.testGroups) {
        for (const t of g.tests) {
          if (t.result === "valid") {
            expect(toHex(c.hkdf(hex(t.ikm), hex(t.salt), hex(t.info), t.size)), `tc ${t.tcId}`).toBe(t.okm);
          } else {
            expect(codeOf(() => c.hkdf(hex(t.ikm), hex(t.salt), hex(t.info), t.size)), `tc ${t.tcId}`).toBe("bad-output-length");
          }
        }
      }
    });
  });

  describe(`${build}: SHA-256, HMAC, HKDF, truncation`, () => {
    for (const v of sha.cases) {
      it(`FIPS 180 ${v.section}`, () => {
        const msg = v.input.repeat !== undefined
          ? new Uint8Array(v.input.count).fill(v.input.repeat.charCodeAt(0))
          : hex(v.input.hex);
        expect(toHex(c.sha256(msg))).toBe(v.digest_hex);
      });
    }

    it("RFC 4231 test cases 1-7", () => {
      for (const v of rfc4231.cases) {
        const mac = toHex(c.hmacKey(hex(v.key_hex)).mac(hex(v.data_hex)));
        expect(mac.slice(0, v.mac_hex.length), `tc ${v.tc}`).toBe(v.mac_hex);
      }
    });

    it("RFC 5869 A.1-A.3 (OKM; PRK as HMAC(salt, IKM))", () => {
      for (const v of rfc5869.cases) {
        const salt = hex(v.salt_hex);
        expect(toHex(c.hkdf(hex(v.ikm_hex), salt, hex(v.info_hex), v.L))).toBe(v.okm_hex);
        expect(toHex(c.hmacKey(salt).mac(hex(v.ikm_hex)))).toBe(v.prk_hex);
      }
    });

    it("RFC 4226 Appendix D truncation of the given HMAC-SHA-1 values", () => {
      for (const v of rfc4226.cases) {
        expect(c.truncate(hex(v.hmac_sha1_hex))).toBe(v.truncated_decimal);
        expect(String(c.truncate(hex(v.hmac_sha1_hex)) % 10 ** rfc4226.digits).padStart(rfc4226.digits, "0")).toBe(v.hotp);
      }
    });

    it("RFC 6238 Appendix B SHA-256 TOTP values (HMAC-SHA256 + truncation)", () => {
      const key = c.hmacKey(hex(rfc6238.secret_hex));
      for (const v of rfc6238.cases) {
        const code = c.truncate(key.mac(hex(v.T_hex))) % 10 ** rfc6238.digits;
        expect(String(code).padStart(rfc6238.digits, "0"), `t=${v.time_seconds}`).toBe(v.totp);
      }
    });
  });

  describe(`${build}: GlobalPlatform SCP03 KDF (AES-128 cases)`, () => {
    const cases = scp03.cases.filter((x: { key_bits: number }) => x.key_bits === 128);
    it(`session keys and cryptograms of ${cases.length} transcripts`, () => {
      expect(cases.length).toBeGreaterThanOrEqual(4);
      for (const v of cases) {
        const ctx = hex(v.context_hex);
        const enc = hex(v.static_keys.enc_hex), mac = hex(v.static_keys.mac_hex);
        expect(toHex(c.kdfCmac(enc, 0x04, ctx, 128)), v.id).toBe(v.s_enc_hex);
        expect(toHex(c.kdfCmac(mac, 0x06, ctx, 128)), v.id).toBe(v.s_mac_hex);
        expect(toHex(c.kdfCmac(mac, 0x07, ctx, 128)), v.id).toBe(v.s_rmac_hex);
        const bits = v.card_cryptogram_hex.length * 4;
        const sMac = hex(v.s_mac_hex);
        expect(toHex(c.kdfCmac(sMac, 0x00, ctx, bits)), v.id).toBe(v.card_cryptogram_hex);
        expect(toHex(c.kdfCmac(sMac, 0x01, ctx, bits)), v.id).toBe(v.host_cryptogram_hex);
      }
    });

    it("key check values (first 3 bytes of AES-ECB(key, 01*16)), and GPPro's KDF-derived session-key KCVs", () => {
      const one = new Uint8Array(16).fill(1);
      let n = 0;
      for (const v of scp03.kcv_and_kdf_cases) {
        const key = v.key_hex ? hex(v.key_hex) : c.kdfCmac(hex(v.static_key_hex), parseInt(v.derivation_constant, 16), hex(v.context_hex), 128);
        expect(toHex(c.ecb(key, one, false).subarray(0, 3)), v.id).toBe(v.kcv_hex);
        n++;
      }
      expect(n).toBe(7);
    });
  });
}
