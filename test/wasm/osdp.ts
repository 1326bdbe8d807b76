// Test harness: exports the protocol/osdp drivers (test/wasm/osdp-driver.ts) over static buffers,
// with AES supplied by the host (env.aesSetKey/aesEncrypt/aesDecrypt, node:crypto in the tests).
import { BlockCipher } from "../../protocol/blockcipher";
import { OsdpPacket, decodePacket, encodePacket } from "../../protocol/osdp/packet";
import { replayPd } from "./osdp-pd";
import {
  payloadRoundTrip, packetRoundTrip, frameStream, secureSetCipher, secureSeal, secureOpen, secureHandshake,
} from "./osdp-driver";

const input = new Uint8Array(65536);
const output = new Uint8Array(65536);
const batchOut = new Uint8Array(4096);

@external("env", "aesSetKey") declare function hostAesSetKey(key: usize): void;
@external("env", "aesEncrypt") declare function hostAesEncrypt(src: usize, dst: usize): void;
@external("env", "aesDecrypt") declare function hostAesDecrypt(src: usize, dst: usize): void;

/** BlockCipher over the host's AES: the harness passes pointers into its own memory. */
class HostAes implements BlockCipher {
  setKey(key: Uint8Array, off: i32): void { hostAesSetKey(key.dataStart + off); }
  encryptBlock(src: Uint8Array, srcOff: i32, dst: Uint8Array, dstOff: i32): void {
    hostAesEncrypt(src.dataStart + srcOff, dst.dataStart + dstOff);
  }
  decryptBlock(src: Uint8Array, srcOff: i32, dst: Uint8Array, dstOff: i32): void {
    hostAesDecrypt(src.dataStart + srcOff, dst.dataStart + dstOff);
  }
}
const hostAes = new HostAes();
secureSetCipher(hostAes);

export function inputPtr(): usize { return input.dataStart; }
export function outputPtr(): usize { return output.dataStart; }

export function payload(code: i32, isReply: i32, len: i32): i32 { return payloadRoundTrip(code, isReply != 0, input, 0, len, output); }
export function packet(len: i32): i32 { return packetRoundTrip(input, 0, len, output); }
export function frame(len: i32, chunk: i32): i32 { return frameStream(input, 0, len, chunk, output); }
export function seal(len: i32): i32 { return secureSeal(input, len, output); }
export function open(len: i32): i32 { return secureOpen(input, len, output); }
export function handshake(): i32 { return secureHandshake(input, output); }

/**
 * Runs `count` payload round trips over records packed in the input buffer, each
 * [code, isReply, lenLo, lenHi, bytes...]; writes per record [resultLo, resultHi, bytes...] to the
 * output. Batching keeps the JS↔WASM crossings out of the fuzz loop's cost.
 */
export function payloadBatch(count: i32): i32 {
  let i = 0;
  let o = 0;
  for (let k = 0; k < count; k++) {
    const code = i32(input[i]);
    const reply = input[i + 1] != 0;
    const len = i32(input[i + 2]) | (i32(input[i + 3]) << 8);
    i += 4;
    const r = payloadRoundTrip(code, reply, input, i, len, batchOut);
    output[o] = u8(r);
    output[o + 1] = u8(r >> 8);
    o += 2;
    for (let j = 0; j < r; j++) output[o + j] = batchOut[j];
    if (r > 0) o += r;
    i += len;
  }
  return o;
}

const benchPacket = new OsdpPacket();

/** Decodes the packet in input[off..off+len) (bench/osdp.bench.ts). */
export function decode(off: i32, len: i32): i32 { return decodePacket(input, off, len, benchPacket); }

/** Encodes a CRC command packet with input[dataOff..+dataLen) as payload into the output (bench/osdp.bench.ts). */
export function encode(code: i32, dataOff: i32, dataLen: i32): i32 {
  benchPacket.address = 1;
  benchPacket.isReply = false;
  benchPacket.sqn = 1;
  benchPacket.useCrc = true;
  benchPacket.scbType = 0;
  benchPacket.mark = true;
  benchPacket.code = u8(code);
  return encodePacket(benchPacket, input, dataOff, dataLen, output, 0, output.length);
}

/**
 * Replays the bus stream in input[0..len) into a fresh PD (test/wasm/osdp-pd.ts); flags bit 0:
 * idle after every chunk, bit 1: install mode. Returns the length of the recorded replies.
 */
export function pdReplay(len: i32, chunk: i32, flags: i32): i32 {
  return replayPd(hostAes, input, 0, len, chunk, (flags & 1) != 0, (flags & 2) != 0, output);
}
