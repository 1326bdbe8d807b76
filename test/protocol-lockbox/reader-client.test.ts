// The host's ReaderClient parses CARD_STATUS replies with protocol/service/reader.ts
// decodeCardStatus: the reader firmware's real replies decode to what it reported, and a malformed
// reply from the serial line is a ReaderError with a specific code (it used to throw a RangeError
// from DataView, or accept a flag byte of 2 as "no").
import { describe, it, expect, beforeEach } from "vitest";
import type { Database } from "better-sqlite3";
import { openStore } from "../../simulator/server/db/store.ts";
import { ReaderClient, ReaderError } from "../../simulator/server/reader-client.ts";
import type { OsdpControlPanel } from "../../simulator/osdp/cp.ts";
import { OsdpVendorData } from "../../protocol/osdp/payload.ts";
import { READER_VENDOR, ERR_READER_BAD_REPLY } from "../../protocol/service/reader.ts";
import { ERR_TRUNCATED, ERR_OVERLONG } from "../../protocol/errors.ts";
import { seedWorld } from "../server/fixture.ts";
import { newCard } from "../server/cards.ts";
import { readerWith } from "../reader/slot.ts";

/** A control panel whose MFG replies come from `answer` (the reply data after the vendor code). */
function panel(answer: (data: Uint8Array) => Uint8Array): OsdpControlPanel {
  return {
    async mfg(vendor: number, data: Uint8Array): Promise<OsdpVendorData> {
      const reply = new OsdpVendorData();
      reply.vendor = vendor;
      const bytes = answer(data);
      reply.data.set(bytes);
      reply.dataLen = bytes.length;
      return reply;
    },
  } as unknown as OsdpControlPanel;
}

async function refusal(reply: number[]): Promise<number> {
  const client = new ReaderClient(panel(() => Uint8Array.from(reply)));
  const err = await client.status().then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(ReaderError);
  return (err as ReaderError).code;
}

describe("ReaderClient CARD_STATUS parsing", () => {
  let db: Database;
  beforeEach(async () => {
    db = (await openStore(":memory:")).db;
    seedWorld(db);
  });

  it("decodes the reader firmware's own reply: present, connected at 250,000 bit/s, the card's ATR", async () => {
    const card = newCard(db, "M1", 0x00bc614e, Date.UTC(2026, 2, 10, 15) / 1000);
    const { reader } = readerWith(card);
    reader.cardInserted();
    const client = new ReaderClient(panel((data) => {
      const cmd = new OsdpVendorData();
      cmd.vendor = READER_VENDOR;
      cmd.data.set(data);
      cmd.dataLen = data.length;
      const reply = new OsdpVendorData();
      reader.mfg(cmd, reply);
      return reply.data.slice(0, reply.dataLen);
    }));
    const s = await client.status();
    expect({ present: s.present, connected: s.connected, bitRate: s.bitRate }).toEqual({ present: true, connected: true, bitRate: 250_000 });
    expect(Buffer.from(s.atr).toString("hex")).toBe(Buffer.from(card.t1().reset()).toString("hex"));
  });

  it("a malformed reply is a ReaderError with a specific code", async () => {
    expect(await refusal([0x81, 0, 0])).toBe(ERR_TRUNCATED);
    expect(await refusal([0x81, 0, 0, 1, 1, 0, 3, 0xd0, 0x90, 2, 0x3b])).toBe(ERR_TRUNCATED);
    expect(await refusal([0x81, 0, 0, 1, 1, 0, 3, 0xd0, 0x90, 1, 0x3b, 0x00])).toBe(ERR_OVERLONG);
    expect(await refusal([0x81, 0, 0, 2, 1, 0, 0, 0, 0, 0])).toBe(ERR_READER_BAD_REPLY);
    expect(await refusal([0x81, 0, 0, 1, 1, 0, 0, 0, 0, 34, ...new Array(34).fill(0x3b)])).toBe(ERR_READER_BAD_REPLY);
  });
});
