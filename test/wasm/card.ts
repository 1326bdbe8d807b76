// Test harness (AssemblyScript): exports protocol/card (CMAC, key diversification, SCP03 host and
// card side, every layout codec) over static buffers with the firmware's constant-time AES, so
// test/card/differential.test.ts can compare the WASM build with the TypeScript build byte for byte.
// Build target (asconfig.json): "harness-card": entry test/wasm/card.ts, outFile build/harness/card.wasm.
import { Aes128 } from "../../firmware/crypto/aes";
import { aesCmac } from "../../protocol/card/cmac";
import { deriveKey } from "../../protocol/card/keys";
import {
  Scp03Session, hostAuthenticate, markOpen, deriveSessionKeys, cardExternalAuthenticate, wrapCommand, unwrapCommand, wrapResponse, unwrapResponse,
} from "../../protocol/card/scp03";
import * as L from "../../protocol/card/layouts";
import { AuditRecord, decodeAuditRecord, encodeAuditRecord } from "../../protocol/card/records";
import { checkDenylist } from "../../protocol/card/denylist";
import { checkPinBlock } from "../../protocol/card/pin";

const input = new Uint8Array(65536);
const output = new Uint8Array(65536);
const aes = new Aes128();
const kEnc = new Uint8Array(16);
const kMac = new Uint8Array(16);
const host = new Scp03Session();
const card = new Scp03Session();

export function inputPtr(): usize { return input.dataStart; }
export function outputPtr(): usize { return output.dataStart; }

/** input = key (16) ‖ message (len): output = AES-CMAC. */
export function cmac(len: i32): void { aesCmac(aes, input, 0, input, 16, len, output, 0); }

/** input = master (16): output = derived key; returns 16 or -1 for an unknown purpose. */
export function derive(purpose: u8, association: u32, device: u32): i32 {
  return deriveKey(aes, input, 0, purpose, association, device, output, 0) ? 16 : -1;
}

/** input = K-ENC ‖ K-MAC ‖ host challenge (8) ‖ INITIALIZE UPDATE response (respLen): host and card sessions. */
export function authenticate(respLen: i32, sl: u8): i32 {
  for (let i = 0; i < 16; i++) {
    kEnc[i] = input[i];
    kMac[i] = input[16 + i];
  }
  const n = hostAuthenticate(aes, kEnc, kMac, input, 32, input, 40, respLen, sl, host, output, 0, 64);
  if (n < 0) return n;
  markOpen(host);
  deriveSessionKeys(aes, kEnc, 0, kMac, 0, input, 32, input, 53, card);
  const r = cardExternalAuthenticate(aes, card, output, 0, n);
  return r < 0 ? r : n;
}

export function hostWrap(len: i32): i32 { return wrapCommand(aes, host, input, 0, len, output, 0, 65536); }
export function cardUnwrap(len: i32): i32 { return unwrapCommand(aes, card, input, 0, len, output, 0, 65536); }
export function cardWrap(len: i32, sw: u16): i32 { return wrapResponse(aes, card, input, 0, len, sw, output, 0, 65536); }
export function hostUnwrap(len: i32): i32 { return unwrapResponse(aes, host, input, 0, len, output, 0, 65536); }

const identity = new L.Identity();
const authorization = new L.Authorization();
const cars = new L.CarsExtension();
const settings = new L.Settings();
const serverTime = new L.ServerTime();
const cursor = new L.UploadCursor();
const receipt = new L.Receipt();
const status = new L.CardStatus();
const record = new AuditRecord();

/** Decodes input[0..len) as layout `kind` (0..8); on success re-encodes it into output. Returns the decoder's result. */
export function decode(kind: i32, len: i32): i32 {
  let n: i32;
  switch (kind) {
    case 0: n = L.decodeIdentity(input, 0, len, identity); if (n > 0) L.encodeIdentity(identity, output, 0, 65536); break;
    case 1: n = L.decodeAuthorization(input, 0, len, authorization); if (n > 0) L.encodeAuthorization(authorization, output, 0, 65536); break;
    case 2: n = L.decodeCarsExtension(input, 0, len, cars); if (n > 0) L.encodeCarsExtension(cars, output, 0, 65536); break;
    case 3: n = L.decodeSettings(input, 0, len, settings); if (n > 0) L.encodeSettings(settings, output, 0, 65536); break;
    case 4: n = L.decodeServerTime(input, 0, len, serverTime); if (n > 0) L.encodeServerTime(serverTime, output, 0, 65536); break;
    case 5: n = L.decodeUploadCursor(input, 0, len, cursor); if (n > 0) L.encodeUploadCursor(cursor, output, 0, 65536); break;
    case 6: n = L.decodeReceipt(input, 0, len, receipt); if (n > 0) L.encodeReceipt(receipt, output, 0, 65536); break;
    case 7: n = L.decodeCardStatus(input, 0, len, status); if (n > 0) L.encodeCardStatus(status, output, 0, 65536); break;
    default: n = decodeAuditRecord(input, 0, len, record); if (n > 0) encodeAuditRecord(record, output, 0, 65536);
  }
  return n;
}

export function denylist(len: i32, maxEntries: i32): i32 { return checkDenylist(input, 0, len, maxEntries); }
export function pinBlock(len: i32): i32 { return checkPinBlock(input, 0, len); }
