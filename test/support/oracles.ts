/**
 * Independent implementations the tests compare the code under test against: node:crypto
 * (OpenSSL) and ICU (Intl), with the small glue the specifications describe written out here. One
 * copy of each, so every test area checks against the same oracle.
 */
import { createCipheriv, createDecipheriv, createHmac } from "node:crypto";

/** One AES call through node:crypto without padding, e.g. nodeCipher("aes-128-cbc", key, iv, data). */
export function nodeCipher(alg: string, key: Uint8Array, iv: Uint8Array | null, data: Uint8Array, decrypt = false): Uint8Array {
  const c = decrypt ? createDecipheriv(alg, key, iv) : createCipheriv(alg, key, iv);
  c.setAutoPadding(false);
  return new Uint8Array(Buffer.concat([c.update(data), c.final()]));
}

/** AES-128-CCM seal through node:crypto: ciphertext ‖ tag of `tagLen` bytes. */
export function nodeCcmSeal(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, msg: Uint8Array, tagLen: number): Uint8Array {
  const e = createCipheriv("aes-128-ccm", key, nonce, { authTagLength: tagLen } as never) as ReturnType<typeof createCipheriv> & { setAAD(b: Uint8Array, o: object): void; getAuthTag(): Buffer };
  e.setAAD(aad, { plaintextLength: msg.length });
  return new Uint8Array(Buffer.concat([e.update(msg), e.final(), e.getAuthTag()]));
}

/**
 * The CARS code by the spec text (protocol/SPEC.md Lockbox §4) as a number: HMAC-SHA256 from
 * node:crypto over serial ‖ local day ‖ sequence (big-endian), RFC 4226 §5.3 truncation, mod 10^8.
 */
export function specCarsNumber(key: Uint8Array, serial: number, localDay: number, sequence: number): number {
  const msg = Buffer.alloc(8);
  msg.writeUInt32BE(serial >>> 0, 0);
  msg.writeUInt16BE(localDay & 0xffff, 4);
  msg.writeUInt16BE(sequence & 0xffff, 6);
  const mac = createHmac("sha256", key).update(msg).digest();
  const offset = mac[31] & 0x0f;
  return (mac.readUInt32BE(offset) & 0x7fffffff) % 100_000_000;
}

/** specCarsNumber as the 8 digits a user keys (leading zeros kept). */
export function specCarsCode(key: Uint8Array, serial: number, localDay: number, sequence: number): string {
  return String(specCarsNumber(key, serial, localDay, sequence)).padStart(8, "0");
}

/** Local day number (days since 1970-01-01 local) of a UTC instant in an IANA zone, by ICU. */
export function icuLocalDay(t: number, zone: string): number {
  const f = new Intl.DateTimeFormat("en-US", { timeZone: zone, year: "numeric", month: "numeric", day: "numeric" });
  const p = Object.fromEntries(f.formatToParts(new Date(t * 1000)).map((x) => [x.type, x.value]));
  return Date.UTC(+p.year, +p.month - 1, +p.day) / 86400000;
}

/**
 * A CRC-16 with refin = refout = false computed bit by bit from the catalogue definition (RevEng:
 * shift each message bit into the top of the register, XOR the polynomial when a 1 falls out), for
 * checking framed examples independently of protocol/crc.ts's table-driven code.
 */
export function bitwiseCrc16(poly: number, init: number, data: Uint8Array): number {
  let reg = init;
  for (const byte of data) {
    for (let bit = 7; bit >= 0; bit--) {
      const top = ((reg >> 15) ^ (byte >> bit)) & 1;
      reg = ((reg << 1) & 0xffff) ^ (top ? poly : 0);
    }
  }
  return reg;
}
