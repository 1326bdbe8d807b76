// SPEC Conventions: every codec refuses an (offset, length) window outside its buffer with
// ERR_BAD_ARGUMENT and neither build reads outside the buffer. The card and ISO 7816 decoders used
// to trust the window: a fixed-size layout decoded zeros and reported success, others read past
// the end (a trap in WASM). Each call below returned something else before the window checks.
import { describe, it, expect } from "vitest";
import { loadHarness } from "../support/wasm.ts";
import * as L from "../../protocol/card/layouts.ts";
import { AuditRecord, decodeAuditRecord, AUDIT_RECORD_SIZE } from "../../protocol/card/records.ts";
import { checkDenylist, denylistSize } from "../../protocol/card/denylist.ts";
import { checkPinBlock, PIN_BLOCK_SIZE } from "../../protocol/card/pin.ts";
import { Scp03Session, hostAuthenticate, unwrapResponse, INIT_UPDATE_RESPONSE_SIZE } from "../../protocol/card/scp03.ts";
import type { BlockCipher } from "../../protocol/blockcipher.ts";
import { Atr, decodeAtr } from "../../protocol/iso7816/atr.ts";
import { Pps, decodePps } from "../../protocol/iso7816/pps.ts";
import { T1Block, decodeT1Block, T1_EDC_LRC } from "../../protocol/iso7816/t1.ts";
import { CommandApdu, ResponseApdu, decodeCommandApdu, decodeResponseApdu } from "../../protocol/iso7816/apdu.ts";
import { ERR_BAD_ARGUMENT } from "../../protocol/errors.ts";

/** A cipher that must not be reached: every call below fails before any cryptography. */
const noCipher: BlockCipher = {
  setKey() { throw new Error("cipher reached"); },
  encryptBlock() { throw new Error("cipher reached"); },
  decryptBlock() { throw new Error("cipher reached"); },
};

describe("card decoders refuse windows outside the buffer", () => {
  const short = new Uint8Array(4);

  it("every fixed-size layout, server time, audit record, denylist and PIN block", () => {
    const cases: [string, number][] = [
      ["identity", L.decodeIdentity(short, 0, L.IDENTITY_SIZE, new L.Identity())],
      ["authorization", L.decodeAuthorization(short, 0, L.AUTHORIZATION_SIZE, new L.Authorization())],
      ["cars extension", L.decodeCarsExtension(short, 0, L.CARS_EXTENSION_SIZE, new L.CarsExtension())],
      ["settings", L.decodeSettings(short, 0, L.SETTINGS_SIZE, new L.Settings())],
      ["server time", L.decodeServerTime(short, 0, 5, new L.ServerTime())],
      ["upload cursor", L.decodeUploadCursor(short, 0, L.UPLOAD_CURSOR_SIZE, new L.UploadCursor())],
      ["receipt", L.decodeReceipt(short, 0, L.RECEIPT_SIZE, new L.Receipt())],
      ["card status", L.decodeCardStatus(short, 0, L.STATUS_SIZE, new L.CardStatus())],
      ["card status at -1", L.decodeCardStatus(new Uint8Array(64), -1, L.STATUS_SIZE, new L.CardStatus())],
      ["audit record", decodeAuditRecord(short, 0, AUDIT_RECORD_SIZE, new AuditRecord())],
      ["denylist", checkDenylist(short, 0, denylistSize(0), 10)],
      ["pin block", checkPinBlock(short, 0, PIN_BLOCK_SIZE)],
    ];
    for (const [name, r] of cases) expect(r, name).toBe(ERR_BAD_ARGUMENT);
  });

  it("a decoded-zero status is not reported for a window past the end", () => {
    const status = new L.CardStatus();
    status.pinTriesLeft = 7;
    expect(L.decodeCardStatus(new Uint8Array(L.STATUS_SIZE), 1, L.STATUS_SIZE, status)).toBe(ERR_BAD_ARGUMENT);
    expect(status.pinTriesLeft).toBe(7);
  });

  it("SCP03 host side: INITIALIZE UPDATE response and wrapped response windows", () => {
    const k = new Uint8Array(16);
    const s = new Scp03Session();
    const out = new Uint8Array(64);
    expect(hostAuthenticate(noCipher, k, k, k, 0, short, 0, INIT_UPDATE_RESPONSE_SIZE, 0x01, s, out, 0, 64)).toBe(ERR_BAD_ARGUMENT);
    expect(unwrapResponse(noCipher, s, short, 2, 4, out, 0, 64)).toBe(ERR_BAD_ARGUMENT);
  });
});

interface IsoHarness {
  inputPtr(): number;
  responseApdu(len: number): number;
}

describe("ISO 7816 decoders refuse windows outside the buffer", () => {
  const buf = Uint8Array.from([0x3b, 0x00, 0xff, 0x00, 0x00, 0x00]);

  it("in TypeScript", () => {
    expect(decodeAtr(buf, 0, 40, new Atr())).toBe(ERR_BAD_ARGUMENT);
    expect(decodePps(buf, 2, 6, new Pps())).toBe(ERR_BAD_ARGUMENT);
    expect(decodeT1Block(buf, 1, 6, T1_EDC_LRC, 254, new T1Block())).toBe(ERR_BAD_ARGUMENT);
    expect(decodeCommandApdu(buf, 0, 7, new CommandApdu())).toBe(ERR_BAD_ARGUMENT);
    expect(decodeResponseApdu(buf, 0, 7, new ResponseApdu())).toBe(ERR_BAD_ARGUMENT);
    expect(decodeResponseApdu(buf, -1, 2, new ResponseApdu())).toBe(ERR_BAD_ARGUMENT);
  });

  it("in WASM: a response APDU longer than the harness input returns the error instead of trapping", () => {
    const h = loadHarness<IsoHarness>("iso7816");
    expect(h.exports.responseApdu(65537)).toBe(ERR_BAD_ARGUMENT);
    expect(h.exports.responseApdu(0x7fffffff)).toBe(ERR_BAD_ARGUMENT);
  });
});
