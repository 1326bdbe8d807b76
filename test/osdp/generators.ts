/**
 * Seeded generators of valid OSDP payloads and packets, written from the message layouts of
 * SIA OSDP v2.2 §6-7 independently of protocol/osdp (they build bytes, not fields).
 */
import { Rng } from "../support/rng.ts";
import { crc16AugCcitt, osdpChecksum } from "../../protocol/crc.ts";

/** [code, isReply, name] of every message with a payload codec. */
export const CODECS: readonly [number, boolean, string][] = [
  [0x60, false, "POLL"], [0x61, false, "ID"], [0x62, false, "CAP"], [0x64, false, "LSTAT"],
  [0x68, false, "OUT"], [0x69, false, "LED"], [0x6a, false, "BUZ"], [0x6e, false, "COMSET"],
  [0x75, false, "KEYSET"], [0x76, false, "CHLNG"], [0x77, false, "SCRYPT"], [0x7c, false, "FILETRANSFER"],
  [0x80, false, "MFG"], [0x40, true, "ACK"], [0x41, true, "NAK"], [0x45, true, "PDID"],
  [0x46, true, "PDCAP"], [0x48, true, "LSTATR"], [0x50, true, "RAW"], [0x53, true, "KEYPAD"],
  [0x54, true, "COM"], [0x76, true, "CCRYPT"], [0x78, true, "RMAC_I"], [0x79, true, "BUSY"],
  [0x7a, true, "FTSTAT"], [0x90, true, "MFGREP"],
];

const BAUDS = [9600, 19200, 38400, 57600, 115200, 230400];

function le16(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff];
}

function le32(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
}

function records(rng: Rng, min: number, max: number, make: () => number[]): number[] {
  const out: number[] = [];
  for (let i = rng.int(min, max); i > 0; i--) out.push(...make());
  return out;
}

/** A valid payload for message `code` in the given direction. */
export function validPayload(rng: Rng, code: number, isReply: boolean): Uint8Array {
  const b = (): number => rng.int(0, 255);
  const bytes = (n: number): number[] => Array.from(rng.bytes(n));
  let p: number[];
  if (!isReply) {
    switch (code) {
      case 0x60: case 0x64: p = []; break;
      case 0x61: case 0x62: p = [0]; break;
      case 0x68: p = records(rng, 1, 16, () => [b(), rng.int(0, 6), b(), b()]); break;
      case 0x69: p = records(rng, 1, 8, () => [b(), b(), rng.int(0, 2), b(), b(), rng.int(0, 7), rng.int(0, 7), b(), b(),
        rng.int(0, 1), b(), b(), rng.int(0, 7), rng.int(0, 7)]); break;
      case 0x6a: p = [b(), rng.int(0, 2), b(), b(), b()]; break;
      case 0x6e: p = [rng.int(0, 0x7e), ...le32(rng.pick(BAUDS))]; break;
      case 0x75: p = [1, 16, ...bytes(16)]; break;
      case 0x76: p = bytes(8); break;
      case 0x77: p = bytes(16); break;
      case 0x7c: {
        const frag = rng.int(0, 200);
        const total = frag + rng.int(0, 100000);
        const offset = rng.int(0, total - frag);
        p = [b(), ...le32(total), ...le32(offset), ...le16(frag), ...bytes(frag)];
        break;
      }
      case 0x80: p = bytes(3 + rng.int(0, 100)); break;
      default: throw new Error(`no generator for command ${code}`);
    }
  } else {
    switch (code) {
      case 0x40: case 0x79: p = []; break;
      case 0x41: p = [rng.int(1, 9), ...bytes(rng.int(0, 16))]; break;
      case 0x45: p = bytes(12); break;
      case 0x46: p = records(rng, 1, 32, () => [rng.int(1, 16), b(), b()]); break;
      case 0x48: p = [rng.int(0, 1), rng.int(0, 1)]; break;
      case 0x50: {
        const bits = rng.int(1, 400);
        p = [b(), rng.int(0, 1), ...le16(bits), ...bytes((bits + 7) >> 3)];
        break;
      }
      case 0x53: { const n = rng.int(0, 40); p = [b(), n, ...bytes(n)]; break; }
      case 0x54: p = [rng.int(0, 0x7e), ...le32(rng.pick(BAUDS))]; break;
      case 0x76: p = bytes(32); break;
      case 0x78: p = bytes(16); break;
      case 0x7a: p = [rng.int(0, 15), ...bytes(6)]; break;
      case 0x90: p = bytes(3 + rng.int(0, 100)); break;
      default: throw new Error(`no generator for reply ${code}`);
    }
  }
  return Uint8Array.from(p);
}

export interface PacketSpec {
  address: number; isReply: boolean; sqn: number; useCrc: boolean; mark: boolean;
  scb: number[]; code: number; data: Uint8Array; mac: number[];
}

/** Serialises a packet per §5 (the test's own builder, independent of encodePacket). */
export function buildPacket(s: PacketSpec): Uint8Array {
  const body = [0x53, s.address | (s.isReply ? 0x80 : 0), 0, 0,
    s.sqn | (s.useCrc ? 4 : 0) | (s.scb.length ? 8 : 0), ...s.scb, s.code, ...s.data, ...s.mac];
  const length = body.length + (s.useCrc ? 2 : 1);
  body[2] = length & 0xff;
  body[3] = length >>> 8;
  const bytes = Uint8Array.from(body);
  const trailer = s.useCrc ? le16(crc16AugCcitt(bytes, 0, bytes.length)) : [osdpChecksum(bytes, 0, bytes.length)];
  return Uint8Array.from([...(s.mark ? [0xff] : []), ...body, ...trailer]);
}

/** A random valid packet spec: any known message with a valid payload, any header options. */
export function randomPacketSpec(rng: Rng): PacketSpec {
  const [code, isReply] = rng.pick(CODECS);
  const scs = rng.int(0, 3) === 0 ? 0 : isReply ? rng.pick([0x12, 0x14, 0x16, 0x18]) : rng.pick([0x11, 0x13, 0x15, 0x17]);
  let scb: number[] = [];
  if (scs >= 0x15) scb = [2, scs];
  else if (scs === 0x14) scb = [3, scs, rng.pick([0x01, 0xff])];
  else if (scs) scb = [3, scs, rng.int(0, 1)];
  return {
    address: rng.int(0, 0x7f), isReply, sqn: rng.int(0, 3), useCrc: rng.bool(), mark: rng.bool(), scb, code,
    data: validPayload(rng, code, isReply), mac: scs >= 0x15 ? Array.from(rng.bytes(4)) : [],
  };
}
