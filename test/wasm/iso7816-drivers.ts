// Portable: runs in the WASM harness (test/wasm/iso7816.ts) and under Node, so both builds execute
// the very same driver. Each driver decodes its input, and on success writes every decoded field
// followed by the re-encoded message to `out`; it returns the bytes written or the decoder's error.
import { Atr, decodeAtr, encodeAtr, ATR_MAX_GROUPS } from "../../protocol/iso7816/atr";
import { Pps, decodePps, encodePps } from "../../protocol/iso7816/pps";
import { T1Block, decodeT1Block, encodeT1Block } from "../../protocol/iso7816/t1";
import { CommandApdu, ResponseApdu, decodeCommandApdu, encodeCommandApdu, decodeResponseApdu, encodeResponseApdu } from "../../protocol/iso7816/apdu";
import { statusWordName } from "../../protocol/iso7816/sw";
import { bitRate, etuNanos, bwtEtu, cwtEtu, fiOf, diOf, fMaxKHzOf } from "../../protocol/iso7816/timing";
import { put32 } from "./fields";

const atr = new Atr();
const pps = new Pps();
const block = new T1Block();
const command = new CommandApdu();
const response = new ResponseApdu();

/** Decodes an ATR; writes its fields, then encodeAtr of the result. */
export function driveAtr(input: Uint8Array, len: i32, out: Uint8Array): i32 {
  const r = decodeAtr(input, 0, len, atr);
  if (r < 0) return r;
  let o = 0;
  o = put32(out, o, r);
  o = put32(out, o, atr.tsByte);
  o = put32(out, o, atr.t0);
  o = put32(out, o, atr.groups);
  for (let i = 1; i <= ATR_MAX_GROUPS; i++) {
    o = put32(out, o, atr.ta[i]);
    o = put32(out, o, atr.tb[i]);
    o = put32(out, o, atr.tc[i]);
    o = put32(out, o, atr.td[i]);
  }
  o = put32(out, o, atr.historicalLen);
  for (let i = 0; i < atr.historicalLen; i++) out[o++] = atr.historical[i];
  o = put32(out, o, atr.tck);
  o = put32(out, o, atr.protocols);
  o = put32(out, o, atr.firstProtocol);
  o = put32(out, o, atr.fidi);
  o = put32(out, o, atr.fi);
  o = put32(out, o, atr.di);
  o = put32(out, o, atr.fMaxKHz);
  o = put32(out, o, atr.guardN);
  o = put32(out, o, atr.specificMode ? 1 : 0);
  o = put32(out, o, atr.specificProtocol);
  o = put32(out, o, atr.specificImplicit ? 1 : 0);
  o = put32(out, o, atr.ifsc);
  o = put32(out, o, atr.cwi);
  o = put32(out, o, atr.bwi);
  o = put32(out, o, atr.edc);
  o = put32(out, o, atr.t15Ta);
  const e = encodeAtr(atr, out, o + 4, out.length - o - 4);
  o = put32(out, o, e);
  return e < 0 ? o : o + e;
}

/** Decodes a PPS; writes its fields, then encodePps of the result. */
export function drivePps(input: Uint8Array, len: i32, out: Uint8Array): i32 {
  const r = decodePps(input, 0, len, pps);
  if (r < 0) return r;
  let o = 0;
  o = put32(out, o, r);
  o = put32(out, o, pps.protocol);
  o = put32(out, o, pps.pps1);
  o = put32(out, o, pps.pps2);
  o = put32(out, o, pps.pps3);
  const e = encodePps(pps, out, o + 4, out.length - o - 4);
  o = put32(out, o, e);
  return e < 0 ? o : o + e;
}

/** Decodes a T=1 block; writes its fields, then encodeT1Block of the result. */
export function driveT1(input: Uint8Array, len: i32, edcMode: i32, maxInf: i32, out: Uint8Array): i32 {
  const r = decodeT1Block(input, 0, len, edcMode, maxInf, block);
  if (r < 0) return r;
  let o = 0;
  o = put32(out, o, r);
  o = put32(out, o, block.nad);
  o = put32(out, o, block.pcb);
  o = put32(out, o, block.kind);
  o = put32(out, o, block.ns);
  o = put32(out, o, block.more ? 1 : 0);
  o = put32(out, o, block.nr);
  o = put32(out, o, block.error);
  o = put32(out, o, block.sType);
  o = put32(out, o, block.sResponse ? 1 : 0);
  o = put32(out, o, block.sValue);
  o = put32(out, o, block.infOff);
  o = put32(out, o, block.infLen);
  const e = encodeT1Block(block.nad, block.pcb, input, block.infOff, block.infLen, edcMode, out, o + 4, out.length - o - 4);
  o = put32(out, o, e);
  return e < 0 ? o : o + e;
}

/** Decodes a command APDU; writes its fields, then encodeCommandApdu of the result. */
export function driveCommandApdu(input: Uint8Array, len: i32, out: Uint8Array): i32 {
  const r = decodeCommandApdu(input, 0, len, command);
  if (r < 0) return r;
  let o = 0;
  o = put32(out, o, r);
  o = put32(out, o, command.cla);
  o = put32(out, o, command.ins);
  o = put32(out, o, command.p1);
  o = put32(out, o, command.p2);
  o = put32(out, o, command.apduCase);
  o = put32(out, o, command.extended ? 1 : 0);
  o = put32(out, o, command.dataOff);
  o = put32(out, o, command.nc);
  o = put32(out, o, command.ne);
  const e = encodeCommandApdu(command, input, command.dataOff, out, o + 4, out.length - o - 4);
  o = put32(out, o, e);
  return e < 0 ? o : o + e;
}

/** Decodes a response APDU; writes its fields, the SW name's characters, then the re-encoding. */
export function driveResponseApdu(input: Uint8Array, len: i32, out: Uint8Array): i32 {
  const r = decodeResponseApdu(input, 0, len, response);
  if (r < 0) return r;
  let o = 0;
  o = put32(out, o, r);
  o = put32(out, o, response.dataOff);
  o = put32(out, o, response.dataLen);
  o = put32(out, o, response.sw);
  const name = statusWordName(response.sw);
  o = put32(out, o, name.length);
  for (let i = 0; i < name.length; i++) out[o++] = u8(name.charCodeAt(i));
  const e = encodeResponseApdu(input, response.dataOff, response.dataLen, response.sw, out, o + 4, out.length - o - 4);
  o = put32(out, o, e);
  return e < 0 ? o : o + e;
}

/** The timing helpers for one Fi/Di byte, clock and BWI/CWI. */
export function driveTiming(fidi: i32, clockHz: i32, bwi: i32, cwi: i32, out: Uint8Array): i32 {
  const fi = fiOf((fidi >> 4) & 15);
  const di = diOf(fidi & 15);
  let o = 0;
  o = put32(out, o, fi);
  o = put32(out, o, di);
  o = put32(out, o, fMaxKHzOf((fidi >> 4) & 15));
  o = put32(out, o, bitRate(fi, di, clockHz));
  o = put32(out, o, etuNanos(fi, di, i32(clockHz / 1000)));
  o = put32(out, o, bwtEtu(bwi, fi, di));
  o = put32(out, o, cwtEtu(cwi));
  return o;
}
