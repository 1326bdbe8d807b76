// Test harness: exports protocol/ common codecs (CRCs, byte reader) over static buffers so the
// WASM build can be compared with the TypeScript build (test/common.test.ts).
import { crc16AugCcitt, crc16Msb, crc16Lsb, crc32Lsb, crc32, lrc8, osdpChecksum } from "../../protocol/crc";
import { readerProgram } from "./reader-program";
import { decodeImage } from "./image-driver";

const input = new Uint8Array(65536);
const output = new Uint8Array(65536);

export function inputPtr(): usize { return input.dataStart; }
export function outputPtr(): usize { return output.dataStart; }

export function crcAugCcitt(len: i32): u32 { return crc16AugCcitt(input, 0, len); }
export function crcMsb16(poly: u32, init: u32, xorout: u32, len: i32): u32 { return crc16Msb(poly, init, xorout, input, 0, len); }
export function crcLsb16(poly: u32, init: u32, xorout: u32, len: i32): u32 { return crc16Lsb(poly, init, xorout, input, 0, len); }
export function crcLsb32(poly: u32, init: u32, xorout: u32, len: i32): u32 { return crc32Lsb(poly, init, xorout, input, 0, len); }
export function crcHdlc32(len: i32): u32 { return crc32(input, 0, len); }
export function lrc(len: i32): u32 { return lrc8(input, 0, len); }
export function checksum(len: i32): u32 { return osdpChecksum(input, 0, len); }

export function readerProgramOf(progLen: i32, dataOff: i32, dataLen: i32): i32 {
  return readerProgram(input, progLen, dataOff, dataLen, output);
}

export function decodeImageOf(len: i32): i32 {
  return decodeImage(input, len, output);
}
