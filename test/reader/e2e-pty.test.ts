import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SerialPort } from "serialport";
import { startServer, type RunningServer } from "../../simulator/server/app.ts";
import { registerLockbox } from "../../simulator/server/admin.ts";
import { DeviceHost } from "../../simulator/host/host.ts";
import { Flash } from "../../simulator/host/flash.ts";
import { Rtc } from "../../simulator/host/rtc.ts";
import { LoopbackCardPort } from "../../simulator/card/t1-port.ts";
import { OsdpPd } from "../../firmware/services/osdp/pd.ts";
import { aesBlockCipher } from "../../simulator/crypto/index.ts";
import { EVENT_OPENED } from "../../protocol/card/records.ts";
import type { Card } from "../../simulator/card/card.ts";
import { seedWorld, call } from "../server/fixture.ts";
import { newCard, lockboxWrites, type TestRecord } from "../server/cards.ts";
import { readerWith } from "./slot.ts";
import { Rng } from "../support/rng.ts";
import { ptyPair, ptyUnavailable, openSerial } from "../support/pty.ts";

const WASM = "build/reader.wasm";
const noPty = ptyUnavailable();
const T0 = Math.floor(Date.now() / 1000) - 86400;
const dir = mkdtempSync(join(tmpdir(), "lockbox-e2e-"));
let srv: RunningServer;

beforeAll(async () => {
  srv = await startServer({ db: join(dir, "e2e.db"), port: 0 });
  seedWorld(srv.store.db);
  registerLockbox(srv.store.db, "00000010", "assoc-1", T0);
  srv.store.db.prepare("UPDATE lockboxes SET listing_id = (SELECT id FROM listings WHERE listing_id = 'L1')").run();
});
afterAll(async () => {
  await srv.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A device on the PTY: takes UART bytes, sends its replies back; `stop` ends it. */
type Device = { stop(): void };

/** The reader firmware (build/reader.wasm) in the simulator host, with the card in its slot. */
function wasmReader(port: SerialPort, card: Card): Device {
  const host = new DeviceHost({
    wasm: WASM, flash: new Flash(64 * 1024), rtc: new Rtc(T0), seed: 7,
    onEvent: (e) => { if (e.kind === "uart") port.write(Buffer.from(e.bytes)); },
  });
  host.insertCard(new LoopbackCardPort(card.t1()));
  host.boot();
  port.on("data", (d: Buffer) => host.uartReceive(new Uint8Array(d)));
  const timer = setInterval(() => host.advance(25), 25);
  return { stop: () => clearInterval(timer) };
}

/** The same reader application and PD, portable build under Node (when the wasm is absent). */
function portableReader(port: SerialPort, card: Card): Device {
  const { reader, board } = readerWith(card);
  board.onTransmit = (bytes) => port.write(Buffer.from(bytes));
  const pd = new OsdpPd(0, new Uint8Array(16), aesBlockCipher(), reader);
  reader.cardInserted();
  port.on("data", (d: Buffer) => pd.receive(new Uint8Array(d), 0, d.length));
  const timer = setInterval(() => pd.idle(), 25);
  return { stop: () => clearInterval(timer) };
}

/** Runs `lockbox renew --json` on `port`; resolves with its exit code, parsed stdout and stderr. */
async function renewCli(port: string): Promise<{ code: number | null; result: Record<string, unknown>; err: string }> {
  const cli = spawn("node_modules/.bin/tsx", ["tools/lockbox.ts", "renew", "--port", port, "--server", srv.url, "--json", "--wait", "10"], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  cli.stdout.on("data", (d: Buffer) => (out += d.toString()));
  cli.stderr.on("data", (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((resolve) => cli.once("exit", resolve));
  return { code, result: JSON.parse(out || "{}") as Record<string, unknown>, err };
}

/** A card of `member` with nine showings at lockbox 0x10, and a reader with it on a fresh PTY pair. */
async function onPty(serial: number, member: string, start: (port: SerialPort, card: Card) => Device) {
  const card = newCard(srv.store.db, member, serial, T0);
  const recs: TestRecord[] = Array.from({ length: 9 }, (_, i) => ({ file: 1, lockboxId: 0x10, sequence: serial * 100 + i, utc: T0 + 60 * i, eventType: EVENT_OPENED, cardSerial: serial }));
  await lockboxWrites(srv.store.db, card, serial, recs);
  const { device, tool, socat } = await ptyPair();
  const port = await openSerial(device);
  const dev = start(port, card);
  const stop = async () => {
    dev.stop();
    await new Promise<void>((resolve) => port.close(() => resolve()));
    socat.kill();
  };
  return { recs, tool, stop };
}

async function endToEnd(serial: number, member: string, start: (port: SerialPort, card: Card) => Device): Promise<void> {
  const { recs, tool, stop } = await onPty(serial, member, start);
  try {
    const { code, result, err } = await renewCli(tool);
    expect({ code, err }).toMatchObject({ code: 0 });
    expect(result).toMatchObject({ ok: true, outcome: { serial: serial.toString(16).padStart(8, "0"), recordsUploaded: 9, recordsNew: 9 } });
    const log = (await call(srv.url, "GET", `/api/access-log?agent=${member}`)).body.events as { sequence: number; listing: string }[];
    expect(log.map((e) => e.sequence).sort((a, b) => a - b)).toEqual(recs.map((r) => r.sequence));
    expect(log.every((e) => e.listing === "L1")).toBe(true);
  } finally {
    await stop();
  }
}

describe.skipIf(noPty !== null)(`end to end over real pseudo-terminals ${noPty ?? ""}`, () => {
  it(`reader firmware (${WASM}) in the simulator host ⇄ socat PTY ⇄ lockbox renew ⇄ HTTP ⇄ server ⇄ SQLite file`, async () => {
    await endToEnd(0x31, "M1", wasmReader);
  });

  it("portable reader build ⇄ socat PTY ⇄ lockbox renew ⇄ HTTP ⇄ server ⇄ SQLite file", async () => {
    await endToEnd(0x32, "M2", portableReader);
  });

  it("with corrupted, dropped and duplicated bytes injected between the PTYs, lockbox renew still completes correctly", async () => {
    const { recs, tool: readerSide, stop } = await onPty(0x34, "M2", wasmReader);
    const pair = await ptyPair();
    const [toReader, toTool] = await Promise.all([openSerial(readerSide), openSerial(pair.device)]);
    // One fault in every 5th chunk crossing the relay, rotating drop / corrupt / duplicate, at a
    // seeded position: every packet that crosses a faulty chunk is lost and must be retried.
    const rng = new Rng(0x2077);
    const count = { corrupted: 0, dropped: 0, duplicated: 0 };
    let chunks = 0;
    const noisy = (d: Buffer): Buffer => {
      if (++chunks % 5 !== 0 || d.length === 0) return d;
      const at = rng.int(0, d.length - 1);
      const out = Array.from(d);
      const kind = (chunks / 5) % 3;
      if (kind === 0) { out.splice(at, 1); count.dropped++; }
      else if (kind === 1) { out[at] ^= 1 << rng.int(0, 7); count.corrupted++; }
      else { out.splice(at, 0, out[at]); count.duplicated++; }
      return Buffer.from(out);
    };
    toTool.on("data", (d: Buffer) => toReader.write(noisy(d)));
    toReader.on("data", (d: Buffer) => toTool.write(noisy(d)));
    try {
      const { code, result, err } = await renewCli(pair.tool);
      if (code !== 0) console.log(JSON.stringify({ code, err, result, count }));
      expect(code).toBe(0);
      expect(result).toMatchObject({ ok: true, outcome: { recordsUploaded: 9, recordsNew: 9 } });
      expect(count.corrupted).toBeGreaterThan(0);
      expect(count.dropped).toBeGreaterThan(0);
      expect(count.duplicated).toBeGreaterThan(0);
      const n = srv.store.db.prepare("SELECT COUNT(*) AS n FROM access_events WHERE card_serial = '00000034'").get() as { n: number };
      expect(n.n).toBe(recs.length);
    } finally {
      await Promise.all([toReader, toTool].map((p) => new Promise<void>((resolve) => p.close(() => resolve()))));
      pair.socat.kill();
      await stop();
    }
  });

  it("lockbox renew reports a refusal with its code (exit 1) and an unusable port (exit 3)", async () => {
    const { tool, stop } = await onPty(0x33, "M1", portableReader);
    try {
      srv.store.db.prepare("UPDATE cards SET status = 'deactivated' WHERE serial = '00000033'").run();
      const refused = await renewCli(tool);
      expect(refused.code).toBe(1);
      expect(refused.result).toMatchObject({ ok: false, error: "card-deactivated" });
      expect(srv.store.db.prepare("SELECT COUNT(*) AS n FROM access_events WHERE card_serial = '00000033'").get()).toEqual({ n: 0 });
    } finally {
      await stop();
    }
    const noPort = await renewCli("/dev/does-not-exist");
    expect(noPort.code).toBe(3);
    expect(noPort.result).toMatchObject({ ok: false, error: "port-unavailable" });
  });
});
