// The lockbox service port (protocol/SPEC.md Lockbox §6): an OSDP control panel (simulator/osdp/cp.ts) reads
// ID, CAP, LSTAT, STATUS, settings and the audit log, in memory and over a real pseudo-terminal
// opened with `serialport`; SET TIME needs the secure channel; malformed MFG commands get an error.
import { describe, it, expect } from "vitest";
import { SerialPort } from "serialport";
import { world, attempt, utc, settings, applySettings } from "../lockbox/support.ts";
import { LockboxServiceClient, ServiceError } from "../../simulator/world/service-client.ts";
import { PtyUart, socatAvailable } from "../../simulator/host/uart.ts";
import { streamLink } from "../../simulator/osdp/cp.ts";
import * as M from "../../protocol/service/mfg.ts";
import * as E from "../../protocol/service/errors.ts";
import { EVENT_OPENED } from "../../protocol/card/records.ts";
import { Rng } from "../support/rng.ts";

const T0 = utc(2026, 3, 2, 15);
const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

function busyWorld() {
  const w = world(T0);
  for (let i = 0; i < 8; i++) {
    attempt(w.box, i % 2 ? w.alice : w.owner, i % 2 ? "1234E" : "5678E");
    w.box.remove();
  }
  return w;
}

describe("service port in memory", () => {
  it("ID, CAP, LSTAT, STATUS, settings and the whole audit log", async () => {
    const w = busyWorld();
    const c = new LockboxServiceClient(w.box.serviceLink());
    const id = await c.cp.id();
    expect(id.vendor).toBe(M.LOCKBOX_VENDOR);
    expect(id.serial).toBe(5001);
    expect((await c.cp.capabilities()).count).toBeGreaterThan(0);
    expect((await c.cp.localStatus()).power).toBe(0);
    const st = await c.status();
    expect(st.lockboxId).toBe(5001);
    expect(st.associationId).toBe(257);
    expect(st.nextSequence).toBe(9);
    expect(st.clockTrusted).toBe(true);
    expect(Math.abs(st.utc - w.box.utc())).toBeLessThanOrEqual(1);
    expect((await c.settings()).lockboxId).toBe(5001);
    const log = await c.readAllLog(1);
    expect(log.map(hex)).toEqual(w.box.auditLog().map((r) => hex(r.bytes)));
    expect(log.every((r) => r[12] === EVENT_OPENED)).toBe(true);
    c.cp.close();
  });

  it("READ SETTINGS shows the codes only inside the secure channel", async () => {
    const w = busyWorld();
    applySettings(w, settings({ version: 5, shackle: "2468", cbs: "5551", flags: 1 }));
    const plain = new LockboxServiceClient(w.box.serviceLink());
    const clear = await plain.settings();
    plain.cp.close();
    expect(clear.version).toBe(5);
    expect(hex(clear.shackleCode)).toBe("ffffffff");
    expect(hex(clear.cbsCode)).toBe("ffffffff");
    const secure = new LockboxServiceClient(w.box.serviceLink(), w.box.scbk);
    await secure.cp.establishSecureChannel();
    const full = await secure.settings();
    secure.cp.close();
    expect(hex(full.shackleCode)).toBe("2468ffff");
    expect(hex(full.cbsCode)).toBe("5551ffff");
  });

  it("SET TIME is refused in the clear and accepted (and logged) in the secure channel", async () => {
    const w = busyWorld();
    const plain = new LockboxServiceClient(w.box.serviceLink());
    await expect(plain.setTime(T0 + 3600)).rejects.toMatchObject({ status: E.ERR_SVC_NEEDS_SECURE });
    plain.cp.close();
    const secure = new LockboxServiceClient(w.box.serviceLink(), w.box.scbk);
    await secure.cp.establishSecureChannel();
    await secure.setTime(T0 - 3600);
    expect(Math.abs(w.box.utc() - (T0 - 3600))).toBeLessThanOrEqual(1);
    const last = w.box.auditLog().at(-1);
    expect(last.record.eventType).toBe(0x30);
    expect(last.macValid).toBe(true);
    expect(new DataView(last.record.payload.buffer).getUint32(4)).toBe(T0 - 3600);
    await expect(secure.setTime(5)).rejects.toMatchObject({ status: E.ERR_SVC_BAD_TIME });
    secure.cp.close();
  });

  it("malformed and unknown MFG commands get ERR_SVC_BAD_COMMAND and change nothing (seeded fuzz)", async () => {
    const w = busyWorld();
    const c = new LockboxServiceClient(w.box.serviceLink());
    const before = hex(w.box.host.flash.bytes);
    const rng = new Rng(0x5e7c);
    for (let i = 0; i < 200; i++) {
      const data = rng.bytes(rng.int(0, 12));
      if (data.length === 1 && [M.MFG_LB_STATUS, M.MFG_LB_READ_SETTINGS].includes(data[0])) continue;
      if (data.length === 6 && data[0] === M.MFG_LB_READ_LOG) continue;
      const r = await c.cp.mfg(M.LOCKBOX_VENDOR, data);
      expect(r).not.toBeNull();
      const st = M.readMfgHeader(data.length > 0 ? data[0] : 0, r!.data, 0, r!.dataLen);
      expect([E.ERR_SVC_BAD_COMMAND, E.ERR_SVC_NEEDS_SECURE]).toContain(st);
      expect(r!.dataLen).toBe(M.MFG_LB_HEADER);
    }
    expect(hex(w.box.host.flash.bytes)).toBe(before);
    expect(w.box.host.running).toBe(true);
    c.cp.close();
  });

  it("random and mutated bytes on the service UART never trap the firmware; the port still answers afterwards", async () => {
    const w = busyWorld();
    const rng = new Rng(0xbad5);
    const sent: Uint8Array[] = [];
    const off = w.box.uart.listen(() => undefined);
    // Capture real command packets to mutate: the CP's bytes as written.
    const link = w.box.serviceLink();
    const recording = { write: (b: Uint8Array) => { sent.push(b.slice()); link.write(b); }, onData: (listener: (bytes: Uint8Array) => void) => link.onData(listener) };
    const c = new LockboxServiceClient(recording);
    await c.status();
    await c.readLog(1, 3);
    c.cp.close();
    for (let i = 0; i < 3000; i++) {
      const bytes = i % 2 ? rng.bytes(rng.int(1, 64)) : rng.mutate(rng.pick(sent));
      w.box.host.uartReceive(bytes);
    }
    off();
    expect(w.box.host.running).toBe(true);
    const again = new LockboxServiceClient(w.box.serviceLink(), undefined, 500);
    expect((await again.status()).lockboxId).toBe(5001);
    again.cp.close();
  });

  it("READ LOG from a sequence the box no longer keeps starts at the oldest kept; above the newest is ERR_SVC_NO_RECORD", async () => {
    const w = busyWorld();
    const c = new LockboxServiceClient(w.box.serviceLink());
    expect((await c.readLog(0, 2)).map((r) => new DataView(r.buffer).getUint32(4))).toEqual([1, 2]);
    await expect(c.readLog(99)).rejects.toBeInstanceOf(ServiceError);
    await expect(c.readLog(99)).rejects.toMatchObject({ status: E.ERR_SVC_NO_RECORD });
    c.cp.close();
  });
});

describe.skipIf(!socatAvailable())("service port over a pseudo-terminal (socat)", () => {
  it("serialport opens the printed PTY path; the CP reads ID, CAP and the audit log", async () => {
    const w = busyWorld();
    const pty = new PtyUart();
    const path = await pty.open(w.box.host, w.box.uart);
    expect(path).toMatch(/^\/dev\/pts\//);
    const port = new SerialPort({ path, baudRate: 115200 });
    await new Promise<void>((resolve, reject) => port.once("open", () => resolve()).once("error", reject));
    try {
      const c = new LockboxServiceClient(streamLink(port), undefined, 500);
      const id = await c.cp.id();
      expect(id.serial).toBe(5001);
      expect((await c.cp.capabilities()).count).toBeGreaterThan(0);
      const log = await c.readAllLog(1);
      expect(log.map(hex)).toEqual(w.box.auditLog().map((r) => hex(r.bytes)));
      c.cp.close();
    } finally {
      await new Promise<void>((resolve) => port.close(() => resolve()));
      pty.close();
    }
  });
});
