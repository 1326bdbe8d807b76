// Test harness: exports the protocol/rig drivers (test/wasm/rig-drivers.ts) over static buffers so
// test/rig/ can compare the WASM build with the TypeScript build byte for byte.
// Build target (asconfig.json): "harness-rig" → build/harness/rig.wasm.
import { driveDecode, driveFramer, driveWindow, driveName } from "./rig-drivers";

const input = new Uint8Array(65536);
const output = new Uint8Array(65536);

export function inputPtr(): usize { return input.dataStart; }
export function outputPtr(): usize { return output.dataStart; }

export function decode(len: i32, direction: i32): i32 { return driveDecode(input, len, direction, output); }
export function framer(len: i32, chunk: i32): i32 { return driveFramer(input, len, chunk, output); }
export function window(off: i32, len: i32): i32 { return driveWindow(off, len, output); }
export function name(code: i32): i32 { return driveName(code, output); }
