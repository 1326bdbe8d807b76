// `lockbox image keygen | sign | verify | info`: files, modes, exit codes, --json, refusals.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, readFileSync, writeFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPrivateKey, createPublicKey, verify } from "node:crypto";
import { findImgtool, imgtool } from "../support/imgtool.ts";

let dir = "";
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "lockbox-image-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function lockbox(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["--import", "tsx", "tools/lockbox.ts", "image", ...args], { encoding: "utf8", timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("lockbox image", () => {
  it("keygen writes a PKCS#8 private key (0600) and its SPKI public key; refuses to overwrite them", () => {
    const key = join(dir, "k.pem");
    const r = lockbox("keygen", "--key", key, "--json");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.public).toBe(join(dir, "k.pub.pem"));
    expect(statSync(key).mode & 0o777).toBe(0o600);
    const priv = createPrivateKey(readFileSync(key));
    expect(priv.asymmetricKeyType).toBe("ed25519");
    const pub = createPublicKey(readFileSync(out.public));
    expect(pub.export({ format: "der", type: "spki" }).subarray(12).toString("hex")).toBe(out.publicKey);
    const again = lockbox("keygen", "--key", key);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/exists; refusing to overwrite/);
  });

  it("sign, info and verify a firmware .wasm; the signature checks with node:crypto; a wrong device, key or version is refused (1)", () => {
    const key = join(dir, "s.pem");
    expect(lockbox("keygen", "--key", key).code).toBe(0);
    const wasm = join(dir, "fw.wasm");
    writeFileSync(wasm, Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, ...Array.from({ length: 300 }, (_, i) => i & 255)]));
    const img = join(dir, "fw.img");
    const s = lockbox("sign", "--key", key, "--version", "2.1.0+7", "--device", "reader", wasm, img, "--json");
    expect(s.code).toBe(0);
    const signed = JSON.parse(s.stdout);
    expect([signed.version, signed.device, signed.payloadSize]).toEqual(["2.1.0+7", "reader", 308]);
    const info = JSON.parse(lockbox("info", img, "--json").stdout);
    expect(info.sha256).toBe(signed.sha256);
    expect(verify(null, Buffer.from(info.sha256, "hex"), createPublicKey(readFileSync(join(dir, "s.pub.pem"))), Buffer.from(info.signature, "hex"))).toBe(true);
    expect(lockbox("verify", "--key", join(dir, "s.pub.pem"), "--device", "reader", "--running", "2.1.0", img).code).toBe(0);
    const wrongDevice = lockbox("verify", "--key", key, "--device", "lockbox", img, "--json");
    expect([wrongDevice.code, JSON.parse(wrongDevice.stdout).error]).toEqual([1, "ERR_IMAGE_DEVICE"]);
    const downgrade = lockbox("verify", "--key", key, "--running", "2.2.0", img);
    expect(downgrade.code).toBe(1);
    expect(downgrade.stderr).toMatch(/ERR_IMAGE_DOWNGRADE.*older than the running firmware/);
    const tool = findImgtool();
    if (!("reason" in tool)) expect(imgtool(tool, ["verify", "-k", join(dir, "s.pub.pem"), img]).out).toContain("Image was correctly validated");
  });

  it("bad command lines exit 2 with the reason", () => {
    const noVersion = lockbox("sign", "--key", "x.pem", "a", "b");
    expect([noVersion.code, /--version is required/.test(noVersion.stderr)]).toEqual([2, true]);
    const badDevice = lockbox("sign", "--key", join(dir, "s.pem"), "--version", "1.0", "--device", "toaster", "a", "b");
    expect([badDevice.code, /--device must be one of lockbox, reader/.test(badDevice.stderr)]).toEqual([2, true]);
  });
});
