/**
 * Loads a compiled test harness (test/wasm/*.ts -> build/harness/*.wasm). Every harness exports
 * inputPtr()/outputPtr() to two static 64 KiB buffers; the JS side writes the input bytes,
 * calls an export, and reads the output bytes back, so the WASM build and the TypeScript build of
 * the same protocol/ source can be compared byte for byte.
 */
import { readFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

export const HARNESS_BUFFER_SIZE = 65536;

export interface Harness<E> {
  exports: E;
  /** Copies `bytes` into the harness input buffer. */
  setInput(bytes: Uint8Array): void;
  /** A copy of output[0..len). */
  output(len: number): Uint8Array;
}

/** Host functions a harness imports besides abort; `memory` is the harness's own, once instantiated. */
export type HarnessImports = (memory: () => WebAssembly.Memory) => Record<string, (...args: number[]) => void>;

/** Instantiates build/harness/<name>.wasm, with `imports` added to its env (e.g. AES for OSDP). */
export function loadHarness<E>(name: string, imports?: HarnessImports): Harness<E> {
  const path = join(root, "build", "harness", `${name}.wasm`);
  if (!existsSync(path)) throw new Error(`${path} is missing: run npm run build:wasm`);
  const module = new WebAssembly.Module(readFileSync(path));
  let memory: WebAssembly.Memory | undefined;
  const instance = new WebAssembly.Instance(module, {
    env: {
      abort(_msg: number, _file: number, line: number, column: number): never {
        throw new Error(`wasm abort at ${line}:${column}`);
      },
      ...imports?.(() => memory!),
    },
  });
  const ex = instance.exports as Record<string, unknown>;
  memory = ex.memory as WebAssembly.Memory;
  if (typeof ex._start === "function") (ex._start as () => void)();
  const inputPtr = (ex.inputPtr as () => number)();
  const outputPtr = (ex.outputPtr as () => number)();
  return {
    exports: ex as E,
    setInput(bytes: Uint8Array): void {
      if (bytes.length > HARNESS_BUFFER_SIZE) throw new Error("harness input too long");
      new Uint8Array(memory.buffer, inputPtr, bytes.length).set(bytes);
    },
    output(len: number): Uint8Array {
      return new Uint8Array(memory.buffer, outputPtr, len).slice();
    },
  };
}
