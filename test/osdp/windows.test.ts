// OSDP codecs refuse an (offset, length) window that lies outside its buffer with ERR_BAD_ARGUMENT
// in both builds. A window whose end passes i32 range (offset near 2^31) must not wrap into a
// "valid" one in WASM: the checks go through protocol/bytes.ts inBounds.
import { describe, it, expect } from "vitest";
import { loadOsdpHarness } from "./harness.ts";
import { OsdpPacket, decodePacket, encodePacket } from "../../protocol/osdp/packet.ts";
import { OsdpFramer } from "../../protocol/osdp/framer.ts";
import { decodeEmpty } from "../../protocol/osdp/payload.ts";
import { ERR_BAD_ARGUMENT } from "../../protocol/errors.ts";

const I32_MAX = 0x7fffffff;
/** Windows that lie outside a 65536-byte buffer; the first two overflow i32 when summed. */
const outside: [number, number][] = [[I32_MAX, 1], [65536, I32_MAX], [65536, 1], [-1, 2], [0, -1], [0, 65537]];

interface WindowExports {
  decode(off: number, len: number): number;
  encode(code: number, dataOff: number, dataLen: number): number;
}

describe("OSDP window checks", () => {
  const wasm = loadOsdpHarness().exports as unknown as WindowExports;
  const buf = new Uint8Array(65536);

  it("decodePacket refuses every outside window, in TypeScript and in WASM", () => {
    for (const [off, len] of outside) {
      expect(decodePacket(buf, off, len, new OsdpPacket()), `ts ${off},${len}`).toBe(ERR_BAD_ARGUMENT);
      expect(wasm.decode(off, len), `wasm ${off},${len}`).toBe(ERR_BAD_ARGUMENT);
    }
  });

  it("encodePacket refuses every outside payload window, in TypeScript and in WASM", () => {
    const h = new OsdpPacket();
    h.address = 1;
    h.useCrc = true;
    h.code = 0x60;
    for (const [off, len] of outside.filter(([, n]) => n < 1000)) {
      expect(encodePacket(h, buf, off, len, new Uint8Array(64), 0, 64), `ts ${off},${len}`).toBe(ERR_BAD_ARGUMENT);
      expect(wasm.encode(0x60, off, len), `wasm ${off},${len}`).toBe(ERR_BAD_ARGUMENT);
    }
  });

  it("the framer and payload decoders refuse the same windows", () => {
    for (const [off, len] of outside) {
      expect(new OsdpFramer().push(buf, off, len)).toBe(ERR_BAD_ARGUMENT);
      expect(decodeEmpty(buf, off, len)).toBe(ERR_BAD_ARGUMENT);
    }
  });
});
