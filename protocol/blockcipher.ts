/**
 * The one crypto contract protocol/ depends on: a keyed AES-128 block function, injected by the
 * caller. protocol/ never implements AES itself (docs/ARCHITECTURE.md §3: crypto reaches protocol/ by
 * injection). Firmware passes firmware/crypto's constant-time AES; Node passes the WASM crypto
 * module (simulator/crypto) or, in tests, node:crypto / @noble as independent oracles.
 */
export interface BlockCipher {
  /** Loads the 16-byte AES-128 key at key[off..off+16) (FIPS 197 §5.2 key expansion). */
  setKey(key: Uint8Array, off: i32): void;
  /** Encrypts one 16-byte block (FIPS 197 §5.1); src and dst may be the same bytes. */
  encryptBlock(src: Uint8Array, srcOff: i32, dst: Uint8Array, dstOff: i32): void;
  /** Decrypts one 16-byte block (FIPS 197 §5.3); src and dst may be the same bytes. */
  decryptBlock(src: Uint8Array, srcOff: i32, dst: Uint8Array, dstOff: i32): void;
}
