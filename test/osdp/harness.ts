/**
 * Loads build/harness/osdp.wasm with the env imports it needs (abort, and AES from node:crypto);
 * test/support/wasm.ts's loadHarness supplies only abort.
 */
import { readFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { hostAesImports } from "./aes.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

export interface OsdpExports {
  payload(code: number, isReply: number, len: number): number;
  payloadBatch(count: number): number;
  packet(len: number): number;
  frame(len: number, chunk: number): number;
  seal(len: number): number;
  open(len: number): number;
  handshake(): number;
}

export interface OsdpHarness {
  exports: OsdpExports;
  setInput(bytes: Uint8Array): void;
  output(len: number): Uint8Array;
}

export function loadOsdpHarness(): OsdpHarness {
  const path = join(root, "build", "harness", "osdp.wasm");
  if (!existsSync(path)) throw new Error(`${path} is missing: run npx tsx tools/build.ts harness-osdp`);
  let memory: WebAssembly.Memory | undefined;
  const instance = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(path)), {
    env: {
      abort(_msg: number, _file: number, line: number, column: number): never {
        throw new Error(`wasm abort at ${line}:${column}`);
      },
      ...hostAesImports(() => memory!),
    },
  });
  const ex = instance.exports as Record<string, unknown>;
  memory = ex.memory as WebAssembly.Memory;
  if (typeof ex._start === "function") (ex._start as () => void)();
  const inputPtr = (ex.inputPtr as () => number)();
  const outputPtr = (ex.outputPtr as () => number)();
  return {
    exports: ex as unknown as OsdpExports,
    setInput(bytes: Uint8Array): void {
      if (bytes.length > 65536) throw new Error("harness input too long");
      new Uint8Array(memory!.buffer, inputPtr, bytes.length).set(bytes);
    },
    output(len: number): Uint8Array {
      return new Uint8Array(memory!.buffer, outputPtr, len).slice();
    },
  };
}
