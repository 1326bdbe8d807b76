// Test harness: exports the ISO 7816 codecs of protocol/iso7816 through the portable drivers in
// iso7816-drivers.ts over static buffers, so the WASM build can be compared with the TypeScript
// build byte for byte (test/iso7816/differential.test.ts).
import { driveAtr, drivePps, driveT1, driveCommandApdu, driveResponseApdu, driveTiming } from "./iso7816-drivers";
import { replayLink } from "./iso7816-link";
import { T1Block, decodeT1Block, encodeT1Block } from "../../protocol/iso7816/t1";

const input = new Uint8Array(65536);
const output = new Uint8Array(65536);

export function inputPtr(): usize { return input.dataStart; }
export function outputPtr(): usize { return output.dataStart; }

export function atr(len: i32): i32 { return driveAtr(input, len, output); }
export function pps(len: i32): i32 { return drivePps(input, len, output); }
export function t1(len: i32, edcMode: i32, maxInf: i32): i32 { return driveT1(input, len, edcMode, maxInf, output); }
export function commandApdu(len: i32): i32 { return driveCommandApdu(input, len, output); }
export function responseApdu(len: i32): i32 { return driveResponseApdu(input, len, output); }
export function timing(fidi: i32, clockHz: i32, bwi: i32, cwi: i32): i32 { return driveTiming(fidi, clockHz, bwi, cwi, output); }
export function link(len: i32): i32 { return replayLink(input, len, output); }

// Bare codec calls for bench/iso7816.bench.ts (no field dump), over the same static buffers.
const benchBlock = new T1Block();
export function t1Decode(len: i32, edcMode: i32): i32 { return decodeT1Block(input, 0, len, edcMode, 254, benchBlock); }
export function t1Encode(infLen: i32, edcMode: i32): i32 { return encodeT1Block(0, 0x40, input, 0, infLen, edcMode, output, 0, 65536); }
