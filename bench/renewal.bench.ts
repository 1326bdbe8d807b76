// Renewal of a card holding 1,000 records (docs/ARCHITECTURE.md §7): the reader firmware (build/reader.wasm) in
// the simulator host, the card emulator behind it on T=1, the OSDP control panel and the server
// in process. Simulated end-to-end wire time (card link at the negotiated rate + serial link at
// 115200 baud) against the wire-time bound of the payload alone; goodput as a share of the line
// rates; host seconds; and the server's ingest rate (audit MAC check + one-transaction store), in
// memory and to a store file with the durable synchronous=FULL against the old NORMAL.
import "../simulator/portable.ts";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BenchGroup, BenchMetric } from "../tools/lib/bench.ts";
import { openStore } from "../simulator/server/db/store.ts";
import { runRenewal } from "../simulator/server/renewal.ts";
import { verifyRecordMacs, decodeStoredRecord } from "../simulator/server/records.ts";
import { storeRenewal, loadCardContext } from "../simulator/server/renewal-store.ts";
import { lockboxAuditKey } from "../simulator/server/keys.ts";
import { ReaderClient } from "../simulator/server/reader-client.ts";
import { OsdpControlPanel, type ByteLink } from "../simulator/osdp/cp.ts";
import { DeviceHost } from "../simulator/host/host.ts";
import { Flash } from "../simulator/host/flash.ts";
import { Rtc } from "../simulator/host/rtc.ts";
import { LoopbackCardPort } from "../simulator/card/t1-port.ts";
import { EVENT_OPENED, STORED_RECORD_SIZE } from "../protocol/card/records.ts";
import { seedWorld, masterKeys } from "../test/server/fixture.ts";
import { newCard, nextChallenge, sealed, lockboxWrites } from "../test/server/cards.ts";

const RECORDS = 1000;
const SERIAL_BAUD = 115200;
const T0 = Date.UTC(2026, 2, 10, 15, 0, 0) / 1000;
const A = 0x00bc614e;

async function cardWithRecords(): Promise<{ db: import("better-sqlite3").Database; card: import("../simulator/card/card.ts").Card }> {
  const { db } = await openStore(":memory:");
  seedWorld(db, { renewalDays: 7 });
  const card = newCard(db, "M1", A, T0, { records: [RECORDS, 128, 16, 16] });
  await lockboxWrites(db, card, A, Array.from({ length: RECORDS }, (_, i) => ({ file: 1, lockboxId: 0x10, sequence: i + 1, utc: T0 + i, eventType: EVENT_OPENED, cardSerial: A })));
  return { db, card };
}

async function renewalMetrics(): Promise<BenchMetric[]> {
  const { db, card } = await cardWithRecords();
  const port = new LoopbackCardPort(card.t1());
  let toHost: ((b: Uint8Array) => void) | null = null;
  let serialBytes = 0;
  const host = new DeviceHost({
    wasm: "build/reader.wasm", flash: new Flash(64 * 1024), rtc: new Rtc(T0), seed: 1,
    onEvent: (e) => {
      if (e.kind !== "uart") return;
      serialBytes += e.bytes.length;
      const b = e.bytes;
      setImmediate(() => toHost?.(b));
    },
  });
  host.insertCard(port);
  host.boot();
  const link: ByteLink = {
    write(bytes) {
      serialBytes += bytes.length;
      const b = bytes.slice();
      setImmediate(() => host.uartReceive(b));
    },
    onData(listener) {
      toHost = listener;
      return () => (toHost = null);
    },
  };
  const cp = new OsdpControlPanel(link, { address: 0, timeoutMs: 2000 });
  const reader = new ReaderClient(cp);
  const status = await reader.connect();
  let payload = 0;
  let apdus = 0;
  const relay = reader.transmit();
  const cardMicros0 = port.wireMicros();
  serialBytes = 0;
  const started = performance.now();
  const out = await runRenewal(db, { now: () => T0 + 3600, randomBytes: nextChallenge }, async (a) => {
    const r = await relay(a);
    payload += a.length + r.length;
    apdus++;
    return r;
  });
  const hostSeconds = (performance.now() - started) / 1000;
  cp.close();
  if (out.recordsNew !== RECORDS) throw new Error(`renewal stored ${out.recordsNew} records, expected ${RECORDS}`);
  const cardSeconds = (port.wireMicros() - cardMicros0) / 1e6;
  const serialSeconds = (serialBytes * 10) / SERIAL_BAUD;
  // The bound: only the APDU payload crosses, 11 ETU per character on the card link (the T=1
  // minimum with the guard time), 10 bits per byte on the serial link; no framing, no waiting.
  const etuSeconds = 1 / status.bitRate;
  const boundSeconds = payload * 11 * etuSeconds + (payload * 10) / SERIAL_BAUD;
  const wireSeconds = cardSeconds + serialSeconds;
  const recordBytes = RECORDS * STORED_RECORD_SIZE;
  return [
    { name: "records uploaded", value: out.recordsUploaded, unit: "records" },
    { name: "card link rate (negotiated)", value: status.bitRate, unit: "bit/s" },
    { name: "APDUs relayed", value: apdus, unit: "APDUs" },
    { name: "APDU payload relayed (both directions)", value: payload, unit: "bytes" },
    { name: "simulated wire time, card link", value: cardSeconds, unit: "s" },
    { name: "simulated wire time, serial link (OSDP at 115200)", value: serialSeconds, unit: "s", note: `${serialBytes} bytes` },
    { name: "simulated end-to-end wire time", value: wireSeconds, unit: "s" },
    { name: "wire-time bound (payload only)", value: boundSeconds, unit: "s" },
    { name: "end-to-end / bound", value: wireSeconds / boundSeconds, unit: "x" },
    { name: "goodput: record bytes / line capacity used", value: (recordBytes * 11 * etuSeconds + (recordBytes * 10) / SERIAL_BAUD) / wireSeconds, unit: "share" },
    { name: "host seconds for the whole renewal", value: hostSeconds, unit: "s" },
  ];
}

/** `uploads` uploads of `perUpload` records each into a store at `path`, timed from decode to commit. */
async function ingestSeconds(path: string, synchronous: "FULL" | "NORMAL", uploads: number, perUpload: number): Promise<number> {
  const store = await openStore(path);
  const { db } = store;
  // The shipped store is FULL (durable before acknowledged); NORMAL is what it was before issue 12.
  db.pragma(`synchronous = ${synchronous}`);
  seedWorld(db);
  newCard(db, "M1", A, T0);
  const ctx = loadCardContext(db, "00bc614e");
  const keys = masterKeys(db);
  const auditKey = lockboxAuditKey(keys, 0x10);
  let seconds = 0;
  for (let b = 0; b < uploads; b++) {
    const buf = new Uint8Array(perUpload * STORED_RECORD_SIZE);
    for (let i = 0; i < perUpload; i++) {
      buf.set(sealed({ file: 2, lockboxId: 0x10, sequence: b * perUpload + i + 1, utc: T0 + i, eventType: EVENT_OPENED, cardSerial: 0x77 }, auditKey), i * STORED_RECORD_SIZE + 4);
    }
    const t = performance.now();
    const records = Array.from({ length: perUpload }, (_, i) => decodeStoredRecord(2, buf, i * STORED_RECORD_SIZE));
    verifyRecordMacs(keys, records);
    storeRenewal(db, { ctx, cardHolds: { expiry: 0, issueCounter: 0 }, records, receipt: new Uint8Array(16), nowIso: new Date().toISOString(), newExpiryIso: new Date().toISOString(), issueCounter: b + 2, denylistCapacity: 128 });
    seconds += (performance.now() - t) / 1000;
  }
  store.close();
  return seconds;
}

async function ingestMetrics(): Promise<BenchMetric[]> {
  const dir = mkdtempSync(join(tmpdir(), "lockbox-ingest-"));
  try {
    const big = { uploads: 10, records: RECORDS };
    const small = { uploads: 200, records: 10 };
    const run = (name: string, sync: "FULL" | "NORMAL", shape: { uploads: number; records: number }) =>
      ingestSeconds(join(dir, `${name}.db`), sync, shape.uploads, shape.records);
    const memory = await ingestSeconds(":memory:", "FULL", big.uploads, big.records);
    const bigNormal = await run("big-normal", "NORMAL", big);
    const bigFull = await run("big-full", "FULL", big);
    const smallNormal = await run("small-normal", "NORMAL", small);
    const smallFull = await run("small-full", "FULL", small);
    const rate = (shape: { uploads: number; records: number }, s: number) => (shape.uploads * shape.records) / s;
    return [
      { name: "ingest, in-memory store (no I/O)", value: rate(big, memory), unit: "records/s", note: `${big.uploads} uploads of ${big.records}` },
      { name: "ingest to file, synchronous=NORMAL (not durable)", value: rate(big, bigNormal), unit: "records/s", note: `${big.uploads} uploads of ${big.records}` },
      { name: "ingest to file, synchronous=FULL (durable, shipped)", value: rate(big, bigFull), unit: "records/s", note: `${big.uploads} uploads of ${big.records}` },
      { name: "  FULL / NORMAL, 1,000-record uploads", value: bigNormal / bigFull, unit: "x" },
      { name: "uploads of 10 records, synchronous=NORMAL", value: small.uploads / smallNormal, unit: "uploads/s" },
      { name: "uploads of 10 records, synchronous=FULL (shipped)", value: small.uploads / smallFull, unit: "uploads/s" },
      { name: "  FULL / NORMAL, 10-record uploads", value: smallNormal / smallFull, unit: "x" },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function groups(): BenchGroup[] {
  return [
    { title: `Renewal of a card holding ${RECORDS} records (reader.wasm + card emulator + server)`, metrics: renewalMetrics },
    { title: "Server ingest (durability cost: a store file, FULL against NORMAL)", metrics: ingestMetrics },
  ];
}
