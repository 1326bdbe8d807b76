// protocol/service/mfg.ts: the STATUS body round trip, reply headers, and a seeded fuzz of the
// decoder (malformed input gets a specific error and writes nothing).
import { it, expect } from "vitest";
import * as M from "../../protocol/service/mfg.ts";
import * as E from "../../protocol/service/errors.ts";
import { writeReplyHeader } from "../../protocol/service/reader.ts";
import { ERR_TRUNCATED, ERR_OVERLONG } from "../../protocol/errors.ts";
import { Rng } from "../support/rng.ts";

function sample(): M.LockboxStatus {
  const s = new M.LockboxStatus();
  s.lockboxId = 123456;
  s.associationId = 257;
  s.firmwareVersion = 0x0100;
  s.utc = 0x69279480;
  s.clockTrusted = true;
  s.batteryMillivolts = 6000;
  s.nextSequence = 42;
  s.logCapacity = 1024;
  s.settingsVersion = 2;
  s.denylistVersion = 9;
  s.denylistCount = 2;
  s.ownerSerial = 12345678;
  s.listing.set(new TextEncoder().encode("778899"));
  return s;
}

it("STATUS body: the spec's worked example, and encode → decode → encode", () => {
  const out = new Uint8Array(M.STATUS_BODY_SIZE);
  expect(M.encodeLockboxStatus(sample(), out, 0, out.length)).toBe(49);
  expect(Buffer.from(out).toString("hex")).toBe(
    "0001e24000000101010069279480011770" + "0000002a0400" + "00000002" + "00000009" + "0002" + "00bc614e" + "373738383939000000000000");
  const back = new M.LockboxStatus();
  expect(M.decodeLockboxStatus(out, 0, out.length, back)).toBe(0);
  const again = new Uint8Array(M.STATUS_BODY_SIZE);
  M.encodeLockboxStatus(back, again, 0, again.length);
  expect(again).toEqual(out);
});

it("STATUS decoder: truncated, overlong, bad flag; fuzz never throws and leaves the target alone on error", () => {
  const out = new Uint8Array(M.STATUS_BODY_SIZE);
  M.encodeLockboxStatus(sample(), out, 0, out.length);
  const into = new M.LockboxStatus();
  expect(M.decodeLockboxStatus(out, 0, 48, into)).toBe(ERR_TRUNCATED);
  expect(M.decodeLockboxStatus(new Uint8Array(50), 0, 50, into)).toBe(ERR_OVERLONG);
  const bad = out.slice();
  bad[14] = 2;
  expect(M.decodeLockboxStatus(bad, 0, bad.length, into)).toBe(E.ERR_SVC_BAD_REPLY);
  expect(into.lockboxId).toBe(0);
  const rng = new Rng(0x57a7);
  for (let i = 0; i < 10000; i++) {
    const m = rng.mutate(out);
    const t = new M.LockboxStatus();
    const r = M.decodeLockboxStatus(m, 0, m.length, t);
    if (r !== 0) {
      expect([ERR_TRUNCATED, ERR_OVERLONG, E.ERR_SVC_BAD_REPLY]).toContain(r);
      expect(t.lockboxId).toBe(0);
    }
  }
});

it("reply header: sub-command | 80 and a signed status", () => {
  const b = new Uint8Array(3);
  writeReplyHeader(M.MFG_LB_READ_LOG, E.ERR_SVC_NO_RECORD, b, 0);
  expect(Buffer.from(b).toString("hex")).toBe("92ff36");
  expect(M.readMfgHeader(M.MFG_LB_READ_LOG, b, 0, 3)).toBe(E.ERR_SVC_NO_RECORD);
  expect(M.readMfgHeader(M.MFG_LB_STATUS, b, 0, 3)).toBe(E.ERR_SVC_BAD_REPLY);
  expect(M.readMfgHeader(M.MFG_LB_READ_LOG, b, 0, 2)).toBe(E.ERR_SVC_BAD_REPLY);
});
