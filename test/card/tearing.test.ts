// Tearing (protocol/SPEC.md Card §8.1): for every state-changing command, cut power before each of
// its EEPROM page writes; after power-up the card passes its integrity check and holds exactly the
// old or the new state (so no record is lost or duplicated). Prints the number of cut points.
import { describe, it, expect, afterAll } from "vitest";
import * as C from "../../protocol/card/commands.ts";
import * as L from "../../protocol/card/layouts.ts";
import { denylistSize } from "../../protocol/card/denylist.ts";
import { Card } from "../../simulator/card/card.ts";
import { CardClient } from "../../simulator/card/client.ts";
import { PowerCut } from "../../simulator/card/eeprom.ts";
import { sealHome } from "../../simulator/card/journal.ts";
import { PIN_BLOCK_SIZE } from "../../protocol/card/pin.ts";
import { newCard, lockboxClient, serverClient, record } from "./fixture.ts";
import { concat } from "../support/vectors.ts";

const P = C.CLA_PROPRIETARY;

interface Scenario {
  name: string;
  /** Brings a fresh card to the state before the command and returns a sender of the command. */
  prepare(card: Card): () => void;
  /** The command commits but ends where it started (a correct PIN restores the counter). */
  endsUnchanged?: boolean;
  /** Extra acceptable states besides old and new (VERIFY PIN: the try already consumed). */
  alsoAcceptable?(old: Uint8Array, card: Card): Uint8Array[];
}

function u32(n: number): Uint8Array {
  return Uint8Array.of(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
}

function sendOk(c: CardClient, ins: number, p1: number, p2: number, data?: Uint8Array): () => void {
  return () => {
    const r = c.send(P, ins, p1, p2, data);
    if (r.sw !== 0x9000 && (r.sw & 0xfff0) !== 0x63c0) throw new Error(`unexpected ${r.sw.toString(16)}`);
  };
}

function settings(lockboxId: number, version: number): Uint8Array {
  const s = new L.Settings();
  s.lockboxId = lockboxId;
  s.version = version;
  s.cbsCode.fill(0xff);
  s.privacyCode.fill(0xff);
  s.shackleCode.fill(0xff);
  const out = new Uint8Array(L.SETTINGS_SIZE);
  L.encodeSettings(s, out, 0, out.length);
  return out;
}

function denylist(version: number, n: number): Uint8Array {
  const out = new Uint8Array(denylistSize(n));
  const v = new DataView(out.buffer);
  v.setUint32(0, version);
  v.setUint16(4, n);
  for (let i = 0; i < n; i++) {
    v.setUint32(6 + 8 * i, 100 + i);
    v.setUint32(10 + 8 * i, 1900000000);
  }
  return out;
}

function withTryConsumed(old: Uint8Array, card: Card): Uint8Array[] {
  const s = old.slice();
  s[card.layout.pin + PIN_BLOCK_SIZE] -= 1;
  sealHome(s);
  return [s];
}

const scenarios: Scenario[] = [
  {
    name: "APPEND RECORDS (access, 1 record)",
    prepare: (card) => sendOk(lockboxClient(card), C.INS_APPEND_RECORDS, 0, C.FILE_ACCESS, record(7, 1)),
  },
  {
    name: "APPEND RECORDS (carried, 6 records over a wrapped ring)",
    prepare: (card) => {
      const l = lockboxClient(card);
      for (let i = 0; i < 21; i++) l.expectOk(C.INS_APPEND_RECORDS, 0, C.FILE_CARRIED, concat(...Array.from({ length: 6 }, (_, k) => record(3, i * 6 + k, 1, 50))));
      serverClient(card).expectOk(C.INS_APPLY_RECEIPT, 0, 0, concat(u32(0), u32(120), u32(0), u32(0)));
      return sendOk(lockboxClient(card), C.INS_APPEND_RECORDS, 0, C.FILE_CARRIED, concat(...Array.from({ length: 6 }, (_, k) => record(4, k, 1, 51))));
    },
  },
  {
    name: "APPEND RECORDS (ownership)",
    prepare: (card) => sendOk(lockboxClient(card), C.INS_APPEND_RECORDS, 0, C.FILE_OWNERSHIP, record(7, 2, 0x10)),
  },
  {
    name: "APPEND RECORDS (settings applied)",
    prepare: (card) => sendOk(lockboxClient(card), C.INS_APPEND_RECORDS, 0, C.FILE_SETTINGS_APPLIED, record(7, 3, 0x20)),
  },
  {
    name: "VERIFY PIN (correct)",
    prepare: (card) => {
      const c = lockboxClient(card);
      return () => expect(c.verifyPin("2580")).toBe(0x9000);
    },
    endsUnchanged: true,
    alsoAcceptable: withTryConsumed,
  },
  {
    name: "VERIFY PIN (wrong)",
    prepare: (card) => {
      const c = lockboxClient(card);
      return () => expect(c.verifyPin("1111")).toBe(0x63c2);
    },
  },
  {
    name: "APPLY CARS EXTENSION",
    prepare: (card) => sendOk(lockboxClient(card), C.INS_APPLY_CARS, 0, 0, Uint8Array.of(0x69, 0x29, 0x3a, 0x60, 0, 4, 0x4f, 0xc2, 0x5e, 0xf6)),
  },
  {
    name: "RENEW",
    prepare: (card) => {
      const a = new L.Authorization();
      a.expiry = 1800000000;
      a.issueCounter = 9;
      const auth = new Uint8Array(L.AUTHORIZATION_SIZE);
      L.encodeAuthorization(a, auth, 0, auth.length);
      return sendOk(serverClient(card), C.INS_RENEW, 0, 0, concat(auth, Uint8Array.of(0x69, 0x27, 0x94, 0x80, 2, 0, 0, 0, 7, 0, 0, 0, 9, 0, 0, 0, 8, 0, 0, 0, 1)));
    },
  },
  {
    name: "STAGE SETTINGS",
    prepare: (card) => sendOk(serverClient(card), C.INS_STAGE_SETTINGS, 0, 0, settings(44, 1)),
  },
  {
    name: "STAGE SETTINGS (remove)",
    prepare: (card) => {
      serverClient(card).expectOk(C.INS_STAGE_SETTINGS, 0, 0, settings(44, 1));
      return sendOk(serverClient(card), C.INS_STAGE_SETTINGS, C.P1_UNSTAGE, 0, u32(44));
    },
  },
  {
    name: "UPDATE DENYLIST (128 entries replacing 3)",
    prepare: (card) => {
      serverClient(card).updateDenylist(denylist(1, 3));
      const s = serverClient(card);
      return () => expect(s.updateDenylist(denylist(2, 128))).toBe(0x9000);
    },
  },
  {
    name: "RESET COUNTERS",
    prepare: (card) => {
      lockboxClient(card).verifyPin("0000");
      return sendOk(serverClient(card), C.INS_RESET_COUNTERS, C.RESET_PIN | C.RESET_CARS, 0);
    },
  },
  {
    name: "APPLY RECEIPT",
    prepare: (card) => {
      const l = lockboxClient(card);
      l.expectOk(C.INS_APPEND_RECORDS, 0, C.FILE_ACCESS, concat(record(1, 1), record(1, 2), record(1, 3)));
      l.expectOk(C.INS_APPEND_RECORDS, 0, C.FILE_CARRIED, concat(record(1, 4, 1, 9), record(1, 5, 1, 9)));
      return sendOk(serverClient(card), C.INS_APPLY_RECEIPT, 0, 0, concat(u32(2), u32(2), u32(0), u32(0)));
    },
  },
];

const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));
let cutPoints = 0;
const perCommand: string[] = [];

describe("tearing: power cut before every EEPROM write of every state-changing command", () => {
  for (const sc of scenarios) {
    it(sc.name, () => {
      const reference = newCard();
      const act = sc.prepare(reference);
      const old = reference.home();
      const before = reference.eeprom.writes;
      act();
      const writes = reference.eeprom.writes - before;
      const fresh = reference.home();
      expect(writes).toBeGreaterThan(0);
      expect(same(fresh, old)).toBe(sc.endsUnchanged === true);
      const acceptable = [old, fresh, ...(sc.alsoAcceptable?.(old, reference) ?? [])];
      for (let k = 1; k <= writes; k++) {
        const card = newCard();
        const send = sc.prepare(card);
        expect(same(card.home(), old)).toBe(true);
        card.eeprom.cutPowerBeforeWrite(k);
        expect(send).toThrow(PowerCut);
        expect(() => card.transmitApdu(Uint8Array.of(0x80, 0xca, 1, 0, 0))).toThrow(/not powered/);
        card.powerOn();
        expect(card.intact).toBe(true);
        const after = card.home();
        const match = acceptable.findIndex((s) => same(s, after));
        expect(match, `cut before write ${k} of ${writes}`).toBeGreaterThanOrEqual(0);
        cutPoints++;
      }
      perCommand.push(`${sc.name}: ${writes}`);
    });
  }

  it("a cut during power-up recovery is finished by the next power-up", () => {
    const reference = newCard();
    const act = sc0(reference);
    const before = reference.eeprom.writes;
    act();
    const lastHomeWrite = reference.eeprom.writes - before - 1;
    const fresh = reference.home();
    const card = newCard();
    const send = sc0(card);
    card.eeprom.cutPowerBeforeWrite(lastHomeWrite);
    expect(send).toThrow(PowerCut);
    card.eeprom.cutPowerBeforeWrite(1);
    expect(() => card.powerOn()).toThrow(PowerCut);
    card.powerOn();
    expect(card.intact).toBe(true);
    expect(same(card.home(), fresh)).toBe(true);
  });

  afterAll(() => {
    console.log(`tearing: ${cutPoints} cut points over ${scenarios.length} state-changing commands (writes per command: ${perCommand.join("; ")})`);
  });
});

function sc0(card: Card): () => void {
  return scenarios[0].prepare(card);
}
