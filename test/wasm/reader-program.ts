// Portable: runs in the WASM harness and under Node, so both builds execute the very same driver.
import { ByteReader } from "../../protocol/bytes";

const reader = new ByteReader();

/**
 * Interprets input[0..progLen) as a program for ByteReader over input[dataOff..dataOff+dataLen):
 * each op byte reads a field and appends what was read to `output`. Returns the bytes written, or
 * the reader's error code.
 */
export function readerProgram(input: Uint8Array, progLen: i32, dataOff: i32, dataLen: i32, output: Uint8Array): i32 {
  reader.reset(input, dataOff, dataLen);
  let o = 0;
  for (let i = 0; i < progLen; i++) {
    const op = input[i] % 6;
    if (op == 0) {
      output[o++] = reader.readU8();
    } else if (op == 1) {
      const v = reader.readU16LE();
      output[o++] = u8(v);
      output[o++] = u8(v >>> 8);
    } else if (op == 2) {
      const v = reader.readU16BE();
      output[o++] = u8(v);
      output[o++] = u8(v >>> 8);
    } else if (op == 3) {
      const v = reader.readU32LE();
      output[o++] = u8(v);
      output[o++] = u8(v >>> 24);
    } else if (op == 4) {
      const v = reader.readU32BE();
      output[o++] = u8(v);
      output[o++] = u8(v >>> 24);
    } else {
      output[o++] = u8(reader.skip(i32(input[i] >>> 4)));
    }
  }
  if (reader.error != 0) return reader.error;
  return o;
}
