// The emulated SentriCard: APDUs processed per second in process (plain, SCP03-wrapped, journaled
// writes, mutual authentication), and the simulated T=1 wire time of a lockbox insert (mutual
// authentication + read identity + append one record) at 9600 bit/s and at the ATR's fastest rate.
import "../simulator/portable.ts";
import { consume, type BenchGroup, type BenchMetric } from "../tools/lib/bench.ts";
import * as C from "../protocol/card/commands.ts";
import { AuditRecord, encodeAuditRecord, EVENT_OPENED } from "../protocol/card/records.ts";
import { etuMicros } from "../simulator/card/t1.ts";
import { issueCard } from "../simulator/card/issue.ts";
import { Card } from "../simulator/card/card.ts";
import { CardClient, cardKeys, apdu } from "../simulator/card/client.ts";
import { LoopbackCardPort } from "../simulator/card/t1-port.ts";
import { T1Master } from "../firmware/services/t1/master.ts";

const CARD_AUTH = Uint8Array.from(Buffer.from("404142434445464748494a4b4c4d4e4f", "hex"));
const SERVER = Uint8Array.from(Buffer.from("505152535455565758595a5b5c5d5e5f", "hex"));
const SERIAL = 12345678;
const ASSOCIATION = 257;
/** 3.5712 MHz: the card clock at which the default Fd/Dd = 372/1 gives exactly 9600 bit/s. */
const CLOCK = 3_571_200;
const LOCKBOX_KEYS = cardKeys(C.PARTY_LOCKBOX, CARD_AUTH, ASSOCIATION, SERIAL);

let counter = 0;
function challenge(): Uint8Array {
  counter++;
  return Uint8Array.of(counter >>> 24, counter >>> 16, counter >>> 8, counter, 1, 2, 3, 4);
}

function card(records = 64, t1 = {}): Card {
  const c = issueCard({
    cardSerial: SERIAL, associationId: ASSOCIATION, roleFlags: 1, memberKey: "M-1", mlsId: "AG1", cardAuthMaster: CARD_AUTH,
    serverMaster: SERVER, pin: "2580", expiry: 1900000000, capacities: { records: [records, 16, 16, 16] },
  }, { t1 });
  c.powerOn();
  return c;
}

function accessRecord(seq: number): Uint8Array {
  const r = new AuditRecord();
  r.lockboxId = 99;
  r.sequence = seq;
  r.utc = 1764250000;
  r.eventType = EVENT_OPENED;
  r.cardSerial = SERIAL;
  const out = new Uint8Array(38);
  encodeAuditRecord(r, out, 0, 38);
  return out;
}

/** A lockbox session that starts over on a fresh card whenever the access file is about to fill. */
class Appender {
  private c!: Card;
  private client!: CardClient;
  private n = 0;
  constructor(private readonly capacity: number) {
    this.fresh();
  }
  private fresh(): void {
    this.c = card(this.capacity);
    this.client = new CardClient((a) => this.c.transmitApdu(a));
    this.client.authenticate(C.PARTY_LOCKBOX, LOCKBOX_KEYS, 0x33, challenge());
    this.n = 0;
  }
  append(): number {
    if (this.n === this.capacity) this.fresh();
    return this.client.send(C.CLA_PROPRIETARY, C.INS_APPEND_RECORDS, 0, C.FILE_ACCESS, accessRecord(this.n++)).sw;
  }
}

/** Simulated T=1 time of one lockbox insert at `maxRate` (the master negotiates down to it). */
function insertWireTime(maxRate: number): BenchMetric[] {
  const c = card(64, { clockHz: CLOCK });
  const port = new LoopbackCardPort(c.t1(), null);
  const master = new T1Master(port, CLOCK, maxRate);
  const t0 = port.wireMicros();
  if (master.connect() !== 0) throw new Error("T=1 connect failed");
  const connectMicros = port.wireMicros() - t0;
  let processing = 0;
  const client = new CardClient((a) => {
    const resp = new Uint8Array(300);
    const n = master.transceive(a, 0, a.length, resp, 0, resp.length);
    if (n < 0) throw new Error(`T=1 transceive failed: ${n}`);
    processing += c.lastCommandMicros();
    return resp.slice(0, n);
  });
  master.stats.clear();
  const t1 = port.wireMicros();
  client.authenticate(C.PARTY_LOCKBOX, LOCKBOX_KEYS, 0x33, challenge());
  client.readObject(C.OBJ_IDENTITY);
  client.expectOk(C.INS_APPEND_RECORDS, 0, C.FILE_ACCESS, accessRecord(1));
  const total = port.wireMicros() - t1;
  const bytes = master.stats.bytesSent + master.stats.bytesReceived;
  const etu = etuMicros(master.fidi, CLOCK);
  const rate = Math.round(1e6 / etu);
  const label = `${rate} bit/s`;
  return [
    { name: `insert at ${label}: total simulated time`, value: +(total / 1000).toFixed(2), unit: "ms", note: "auth + read identity + append 1 record, 4 APDUs" },
    { name: `insert at ${label}: characters on the wire`, value: +((bytes * 12 * etu) / 1000).toFixed(2), unit: "ms", note: `${bytes} bytes × 12 ETU (the lower bound)` },
    { name: `insert at ${label}: card processing model`, value: +(processing / 1000).toFixed(2), unit: "ms", note: "2 ms per command + 3 ms per EEPROM page write" },
    { name: `ATR + PPS at ${label}`, value: +(connectMicros / 1000).toFixed(2), unit: "ms" },
  ];
}

export function groups(): BenchGroup[] {
  const plainCard = card();
  const readIdentity = apdu(C.CLA_PROPRIETARY, C.INS_READ_OBJECT, C.OBJ_IDENTITY, 0, undefined, 0);
  const sessionCard = card();
  const session = new CardClient((a) => sessionCard.transmitApdu(a));
  session.authenticate(C.PARTY_LOCKBOX, LOCKBOX_KEYS, 0x33, challenge());
  const authCard = card();
  const appender = new Appender(4000);
  return [
    {
      title: "Card APDUs per second (in process, one APDU per op)",
      baselines: ["READ OBJECT identity, plain"],
      cases: [
        { name: "READ OBJECT identity, plain", fn: () => consume(plainCard.transmitApdu(readIdentity)) },
        { name: "READ OBJECT authorization, SCP03 level 33 (host wrap + card + host unwrap)", fn: () => consume(session.send(C.CLA_PROPRIETARY, C.INS_READ_OBJECT, C.OBJ_AUTHORIZATION, 0, undefined, 0).sw) },
        { name: "APPEND RECORDS 1 record, level 33, journaled commit", fn: () => consume(appender.append()) },
        {
          name: "mutual authentication (INITIALIZE UPDATE + EXTERNAL AUTHENTICATE = 2 APDUs)",
          fn: () => {
            const c = new CardClient((a) => authCard.transmitApdu(a));
            c.authenticate(C.PARTY_LOCKBOX, LOCKBOX_KEYS, 0x33, challenge());
            consume(c.session.open);
          },
        },
      ],
    },
    {
      title: "Lockbox insert over T=1, simulated wire time (card clock 3.5712 MHz)",
      metrics: () => [...insertWireTime(9600), ...insertWireTime(1_000_000)],
    },
  ];
}
