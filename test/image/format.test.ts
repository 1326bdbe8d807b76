// The MCUboot image format (protocol/image, simulator/image): imgtool's own output (committed
// vectors) reproduced byte for byte by our signer and accepted by our checks; imgtool verify
// accepting our images when imgtool is available; every flipped byte and every truncation refused
// with a specific reason; the decoders fuzzed.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createHash } from "node:crypto";
import * as S from "../../simulator/image/image.ts";
import * as I from "../../protocol/image/image.ts";
import * as E from "../../protocol/image/errors.ts";
import { Rng } from "../support/rng.ts";
import { findImgtool, imgtool } from "../support/imgtool.ts";
import { vectorsDir } from "../support/vectors.ts";
import { loadHarness } from "../support/wasm.ts";
import { newTally, compareBuilds, expectAgreed } from "../support/differential.ts";
import { decodeImage } from "../wasm/image-driver.ts";

const dir = join(vectorsDir(), "mcuboot");
const manifest = JSON.parse(readFileSync(join(dir, "imgtool.json"), "utf8")) as {
  cases: { file: string; payload: "a" | "b"; device: string; version: string; header_size: number; permits_rollback: boolean; signed: boolean; sha256: string }[];
};
const PAYLOADS = {
  a: Uint8Array.from({ length: 1234 }, (_, i) => (7 * i + 3) & 255),
  b: Uint8Array.from({ length: 777 }, (_, i) => (13 * i + 1) & 255),
};
const key = S.privateKeyFromPem(readFileSync(join(dir, "ed25519-test-key.pem")));
const publicKey = S.rawPublicKey(S.publicKeyFromPem(readFileSync(join(dir, "ed25519-test-key.pub.pem"))));
const vector = (file: string): Uint8Array => new Uint8Array(readFileSync(join(dir, file)));

describe("images written by MCUboot's imgtool (test/vectors/mcuboot, imgtool 2.4.0)", () => {
  for (const c of manifest.cases.filter((x) => x.signed)) {
    it(`${c.file}: our signer writes the same bytes; our checks accept it; info reads its fields`, () => {
      const theirs = vector(c.file);
      const ours = S.signImage({
        payload: PAYLOADS[c.payload], version: S.parseVersion(c.version), device: S.DEVICE_KINDS[c.device], key,
        permitRollback: c.permits_rollback, headerSize: c.header_size,
      });
      expect(Buffer.from(ours).equals(Buffer.from(theirs))).toBe(true);
      const info = S.verifyImage(theirs, { publicKey, device: S.DEVICE_KINDS[c.device] });
      expect([info.version, info.device, info.headerSize, info.permitsRollback, info.sha256]).toEqual([c.version, c.device, c.header_size, c.permits_rollback, c.sha256]);
      expect(Buffer.from(S.imagePayload(theirs)).equals(Buffer.from(PAYLOADS[c.payload]))).toBe(true);
      // The SHA-256 TLV is the hash of header, padding, payload and protected area (hashlib's value in the manifest).
      const { header } = S.parseImage(theirs);
      expect(createHash("sha256").update(theirs.subarray(0, I.tlvOffset(header) + header.protectedTlvSize)).digest("hex")).toBe(c.sha256);
    });
  }

  it("imgtool's unsigned image (imgtool create) is refused as unsigned", () => {
    const c = manifest.cases.find((x) => !x.signed)!;
    expect(() => S.verifyImage(vector(c.file), { publicKey })).toThrow(expect.objectContaining({ code: E.ERR_IMAGE_UNSIGNED }));
  });
});

describe("imgtool verify and sign as a peer", () => {
  const tool = findImgtool();
  const reason = "reason" in tool ? tool.reason : "";
  let tmp = "";
  beforeAll(() => { tmp = mkdtempSync(join(tmpdir(), "lockbox-imgtool-")); });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it.skipIf(reason !== "")(`accepts our images, and signs the same bytes for the same inputs ${reason}`, () => {
    if ("reason" in tool) return;
    const rng = new Rng(96);
    for (let i = 0; i < 4; i++) {
      const payload = rng.bytes(rng.int(1, 3000));
      const device = i % 2 === 0 ? "lockbox" : "reader";
      const headerSize = i < 2 ? 32 : 512;
      const rollback = i === 1 || i === 3;
      const version = `${rng.int(0, 9)}.${rng.int(0, 9)}.${rng.int(0, 999)}+${rng.int(0, 99999)}`;
      const ours = S.signImage({ payload, version: S.parseVersion(version), device: S.DEVICE_KINDS[device], key, permitRollback: rollback, headerSize });
      const img = join(tmp, `ours-${i}.img`);
      writeFileSync(img, ours);
      const v = imgtool(tool, ["verify", "-k", join(dir, "ed25519-test-key.pub.pem"), img]);
      expect(v.out).toContain("Image was correctly validated");
      expect(v.code).toBe(0);
      const bin = join(tmp, `payload-${i}.bin`);
      writeFileSync(bin, payload);
      const theirs = join(tmp, `theirs-${i}.img`);
      const tlvs = ["--custom-tlv", "0xa0", `0x4c4258${S.DEVICE_KINDS[device].toString(16)}`, ...(rollback ? ["--custom-tlv", "0xa1", "0x01"] : [])];
      const s = imgtool(tool, ["sign", "-k", join(dir, "ed25519-test-key.pem"), "--header-size", String(headerSize), "--pad-header", "--slot-size", "0x40000", "--version", version, ...tlvs, bin, theirs]);
      expect(s.code, s.out).toBe(0);
      expect(Buffer.from(readFileSync(theirs)).equals(Buffer.from(ours))).toBe(true);
      // A flipped payload byte: imgtool says the hash is wrong, as we do.
      const bad = ours.slice();
      bad[headerSize + 1] ^= 0x20;
      writeFileSync(img, bad);
      expect(imgtool(tool, ["verify", "-k", join(dir, "ed25519-test-key.pub.pem"), img]).code).not.toBe(0);
      expect(() => S.verifyImage(bad, { publicKey })).toThrow(expect.objectContaining({ code: E.ERR_IMAGE_HASH }));
    }
  });
});

describe("refusals", () => {
  const good = vector("lockbox-1.2.3-build4.img");
  const refusal = (img: Uint8Array, o: Partial<S.VerifyOptions> = {}): number => {
    try {
      S.verifyImage(img, { publicKey, ...o });
      return 0;
    } catch (e) {
      if (e instanceof S.ImageError) return e.code;
      throw e;
    }
  };

  it("every single flipped bit of an image is refused, with the reason of the part it hit", () => {
    const { header, tlvs } = S.parseImage(good);
    const protEnd = I.tlvOffset(header) + header.protectedTlvSize;
    const seen = new Map<number, number>();
    for (let at = 0; at < good.length; at++) {
      const bad = good.slice();
      bad[at] ^= 1 << (at % 8);
      const code = refusal(bad);
      expect(code, `byte ${at}`).toBeLessThan(0);
      seen.set(code, (seen.get(code) ?? 0) + 1);
      if (at >= 32 && at < protEnd && at >= I.tlvOffset(header) + 4) expect([E.ERR_IMAGE_HASH, E.ERR_IMAGE_TLV, E.ERR_IMAGE_UNKNOWN_TLV]).toContain(code);
      if (at >= tlvs.hashAt && at < tlvs.hashAt + 32) expect(code).toBe(E.ERR_IMAGE_HASH);
      if (at >= tlvs.keyHashAt && at < tlvs.keyHashAt + 32) expect(code).toBe(E.ERR_IMAGE_WRONG_KEY);
      if (at >= tlvs.signatureAt && at < tlvs.signatureAt + 64) expect(code).toBe(E.ERR_IMAGE_SIGNATURE);
    }
    expect(seen.get(E.ERR_IMAGE_HASH)).toBeGreaterThan(1000);
    expect(seen.has(E.ERR_IMAGE_MAGIC)).toBe(true);
  });

  it("every truncation is refused as truncated, and a byte too many as trailing", () => {
    for (let n = 0; n < good.length; n++) expect(refusal(good.subarray(0, n)), `length ${n}`).toBe(E.ERR_IMAGE_TRUNCATED);
    expect(refusal(Uint8Array.from([...good, 0]))).toBe(E.ERR_IMAGE_TRAILING);
  });

  it("wrong key, other device kind, downgrade (and the signed rollback that permits it)", () => {
    const other = S.rawPublicKey(S.publicKeyFromPem(S.generateKeyPem().publicPem));
    expect(refusal(good, { publicKey: other })).toBe(E.ERR_IMAGE_WRONG_KEY);
    expect(refusal(good, { device: I.DEVICE_READER })).toBe(E.ERR_IMAGE_DEVICE);
    expect(refusal(good, { device: I.DEVICE_LOCKBOX })).toBe(0);
    const reader = vector("reader-0.9.0-header512.img");
    expect(refusal(reader, { device: I.DEVICE_READER, running: S.parseVersion("1.0.0") })).toBe(E.ERR_IMAGE_DOWNGRADE);
    expect(refusal(reader, { device: I.DEVICE_READER, running: S.parseVersion("0.9.0+77") })).toBe(0);
    // lockbox-1.2.3+4 carries the permitted-rollback TLV: older than 2.0 but accepted.
    expect(refusal(good, { device: I.DEVICE_LOCKBOX, running: S.parseVersion("2.0.0") })).toBe(0);
  });
});

describe("decoders", () => {
  it("header: round trip, and magic / header size / load address / flags refused", () => {
    const h = new I.ImageHeader();
    expect(I.decodeImageHeader(vector("reader-0.9.0-header512.img"), 0, 32, h)).toBe(32);
    expect([h.headerSize, h.imageSize, h.protectedTlvSize, h.version.major, h.version.minor, h.version.revision, h.version.build]).toEqual([512, 777, 12, 0, 9, 0, 0]);
    const out = new Uint8Array(32);
    expect(I.encodeImageHeader(h, out, 0, 32)).toBe(32);
    expect(Buffer.from(out).equals(Buffer.from(vector("reader-0.9.0-header512.img").subarray(0, 32)))).toBe(true);
    const lockbox = vector("lockbox-1.2.3-build4.img").subarray(0, 32);
    const mutate = (at: number, v: number): number => { const b = lockbox.slice(); b[at] = v; return I.decodeImageHeader(b, 0, 32, new I.ImageHeader()); };
    expect(mutate(0, 0x3c)).toBe(E.ERR_IMAGE_MAGIC); // IMAGE_MAGIC_V1
    expect(mutate(4, 1)).toBe(E.ERR_IMAGE_HEADER); // a load address (RAM load)
    expect(mutate(8, 31)).toBe(E.ERR_IMAGE_HEADER); // header size 31
    expect(mutate(16, 0x04)).toBe(E.ERR_IMAGE_HEADER); // ENCRYPTED_AES128
    expect(mutate(17, 0x02)).toBe(E.ERR_IMAGE_HEADER); // COMPRESSED_LZMA1
    expect(I.decodeImageHeader(out, 0, 31, h)).toBe(E.ERR_IMAGE_TRUNCATED);
    expect(I.decodeImageHeader(out, 30, 32, h)).toBe(-5);
  });

  it("the WASM build decodes 20,000 mutated images exactly as the TypeScript build does", () => {
    const h = loadHarness<{ decodeImageOf(len: number): number }>("common");
    const rng = new Rng(141);
    const seeds = manifest.cases.map((c) => vector(c.file));
    const out = new Uint8Array(64);
    const t = newTally();
    for (let i = 0; i < 20_000; i++) {
      const img = i < seeds.length ? seeds[i] : rng.mutate(rng.pick(seeds));
      h.setInput(img);
      compareBuilds(t, h, out, () => `#${i}`, h.exports.decodeImageOf(img.length), decodeImage(img, img.length, out));
    }
    expectAgreed(t, [E.ERR_IMAGE_MAGIC, E.ERR_IMAGE_HEADER, E.ERR_IMAGE_TRUNCATED, E.ERR_IMAGE_TLV_INFO, E.ERR_IMAGE_TLV, E.ERR_IMAGE_UNKNOWN_TLV, E.ERR_IMAGE_NO_HASH, E.ERR_IMAGE_UNSIGNED]);
    expect(t.ok).toBeGreaterThan(3);
    expect(t.errors.size).toBeGreaterThan(4);
  });

  it("fuzz: 20,000 mutated images never throw, and a refused decode leaves its output untouched", () => {
    const rng = new Rng(140);
    const seeds = manifest.cases.map((c) => vector(c.file));
    for (let i = 0; i < 20_000; i++) {
      const img = rng.mutate(rng.pick(seeds));
      const h = new I.ImageHeader();
      const rc = I.decodeImageHeader(img, 0, img.length, h);
      if (rc < 0) {
        expect(rc).toBeGreaterThanOrEqual(-159);
        expect(h.imageSize).toBe(0);
        continue;
      }
      const at = Math.min(I.tlvOffset(h), img.length);
      const t = new I.ImageTlvs();
      const n = I.decodeImageTlvs(img, at, img.length - at, h.protectedTlvSize, t);
      if (n < 0) {
        expect(n === -5 || (n <= -140 && n >= -159)).toBe(true);
        expect(t.hashAt).toBe(-1);
      } else {
        expect(t.hashAt + 32).toBeLessThanOrEqual(img.length);
        expect(t.signatureAt + 64).toBeLessThanOrEqual(img.length);
      }
    }
  });
});
