// Portable: runs in the WASM harness and under Node, so both builds decode images with the very
// same driver (test/image/format.test.ts).
import { ImageHeader, ImageTlvs, decodeImageHeader, decodeImageTlvs, tlvOffset } from "../../protocol/image/image";

const header = new ImageHeader();
const tlvs = new ImageTlvs();

function put32(out: Uint8Array, at: i32, v: u32): void {
  out[at] = u8(v); out[at + 1] = u8(v >>> 8); out[at + 2] = u8(v >>> 16); out[at + 3] = u8(v >>> 24);
}

/**
 * Decodes the image at input[0..len): header, then the TLV areas. Writes every decoded field to
 * `output` (40 bytes) and returns 40, or the first decoder's error code.
 */
export function decodeImage(input: Uint8Array, len: i32, output: Uint8Array): i32 {
  const rc = decodeImageHeader(input, 0, len, header);
  if (rc < 0) return rc;
  const at = tlvOffset(header);
  if (at > u32(len)) return -143;
  const n = decodeImageTlvs(input, i32(at), len - i32(at), header.protectedTlvSize, tlvs);
  if (n < 0) return n;
  put32(output, 0, u32(header.headerSize));
  put32(output, 4, u32(header.protectedTlvSize));
  put32(output, 8, header.imageSize);
  output[12] = header.version.major;
  output[13] = header.version.minor;
  put32(output, 14, u32(header.version.revision));
  put32(output, 18, header.version.build);
  put32(output, 22, u32(tlvs.hashAt));
  put32(output, 26, u32(tlvs.keyHashAt));
  put32(output, 30, u32(tlvs.signatureAt));
  output[34] = tlvs.hasDevice ? 1 : 0;
  output[35] = tlvs.deviceModel;
  output[36] = tlvs.rollback ? 1 : 0;
  output[37] = u8(n);
  output[38] = u8(n >> 8);
  output[39] = u8(tlvs.deviceVendor);
  return 40;
}
