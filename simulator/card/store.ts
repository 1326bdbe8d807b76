/**
 * The card file: the chip's EEPROM at rest, encrypted and authenticated with AES-128-CCM under a
 * chip-unique key (protocol/SPEC.md Card §8.3), so a dump reveals no field value and a modified
 * dump is refused.
 *
 *   0   8  "LBXCIMG1"
 *   8   8  chip id (random at personalization, public)
 *  16   2  page size (u16 BE)
 *  18   2  page count (u16 BE)
 *  20  12  CCM nonce (fresh random per save)
 *  32   …  CCM ciphertext of the EEPROM bytes ‖ 16-byte tag; associated data = bytes 0..31
 *
 * The chip key is HKDF-SHA256(fab secret, salt = chip id, info = "lockbox chip storage key"), 16
 * bytes: it lives in the "silicon" (the fab secret), never in the file. The fab secret comes from
 * LOCKBOX_FAB_SECRET (64 hex digits); only in development mode (simulator/dev-mode.ts) may the
 * published development secret stand in for it. Card files are the owner's only (0600) and reach
 * stable storage before a write returns, as an EEPROM write would.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { developmentMode } from "../dev-mode.ts";
import { randomBytes } from "node:crypto";
import { aesCcmEncrypt, aesCcmDecrypt, hkdfSha256, CryptoError } from "../crypto/index.ts";

const MAGIC = "LBXCIMG1";
const HEADER_SIZE = 32;
const TAG_SIZE = 16;
const DEV_FAB_SECRET = "4c6f636b626f782064657620666162207365637265742c206e6f742073656372";

/**
 * A card file that cannot be sealed or loaded: wrong format, its tag does not verify (modified, or
 * another fab), or no valid fab secret to seal or open it with.
 */
export class CardFileError extends Error {
  override name = "CardFileError";
  constructor(readonly code: "bad-format" | "tampered" | "no-fab-secret", message: string) {
    super(message);
  }
}

/** The fab secret: LOCKBOX_FAB_SECRET, or the development one in development mode; anything else refused. */
export function fabSecret(): Uint8Array {
  const env = process.env.LOCKBOX_FAB_SECRET;
  if (env !== undefined && env !== "") {
    if (!/^[0-9a-fA-F]{64}$/.test(env)) throw new CardFileError("no-fab-secret", "LOCKBOX_FAB_SECRET must be 64 hex digits (a 256-bit secret)");
    return Uint8Array.from(Buffer.from(env, "hex"));
  }
  if (developmentMode()) return Uint8Array.from(Buffer.from(DEV_FAB_SECRET, "hex"));
  throw new CardFileError("no-fab-secret", "card files are sealed with the fab secret: set LOCKBOX_FAB_SECRET=<64 hex digits>, or run in development mode (lockbox --dev, LOCKBOX_DEV=1)");
}

function chipKey(chipId: Uint8Array): Uint8Array {
  return hkdfSha256(fabSecret(), chipId, new TextEncoder().encode("lockbox chip storage key"), 16);
}

/** The EEPROM as sealed in a card file. */
export interface SealedChip {
  chipId: Uint8Array;
  pageSize: number;
  pageCount: number;
  eeprom: Uint8Array;
}

/** Encrypts an EEPROM image into card-file bytes (spec §8.3). */
export function sealChip(chip: SealedChip): Uint8Array {
  const header = new Uint8Array(HEADER_SIZE);
  header.set(new TextEncoder().encode(MAGIC), 0);
  header.set(chip.chipId, 8);
  const v = new DataView(header.buffer);
  v.setUint16(16, chip.pageSize);
  v.setUint16(18, chip.pageCount);
  header.set(randomBytes(12), 20);
  const body = aesCcmEncrypt(chipKey(chip.chipId), header.subarray(20, 32), chip.eeprom, header, TAG_SIZE);
  const out = new Uint8Array(HEADER_SIZE + body.length);
  out.set(header);
  out.set(body, HEADER_SIZE);
  return out;
}

/** Decrypts and authenticates card-file bytes (spec §8.3); throws CardFileError. */
export function unsealChip(file: Uint8Array): SealedChip {
  if (file.length < HEADER_SIZE + TAG_SIZE || new TextDecoder().decode(file.subarray(0, 8)) !== MAGIC) {
    throw new CardFileError("bad-format", "not a Lockbox card file");
  }
  const header = file.subarray(0, HEADER_SIZE);
  const v = new DataView(file.buffer, file.byteOffset);
  const pageSize = v.getUint16(16);
  const pageCount = v.getUint16(18);
  if (file.length !== HEADER_SIZE + pageSize * pageCount + TAG_SIZE) throw new CardFileError("bad-format", "card file length does not match its page count");
  const chipId = file.slice(8, 16);
  try {
    const eeprom = aesCcmDecrypt(chipKey(chipId), header.subarray(20, 32), file.subarray(HEADER_SIZE), header, TAG_SIZE);
    return { chipId, pageSize, pageCount, eeprom };
  } catch (e) {
    if (e instanceof CryptoError && e.code === "tag-mismatch") throw new CardFileError("tampered", "card file fails its authentication tag: modified, or sealed by another fab secret");
    throw e;
  }
}

/** Reads a card file from disk. */
export function readChipFile(path: string): SealedChip {
  return unsealChip(new Uint8Array(readFileSync(path)));
}

/**
 * Writes a card file atomically and durably: a temporary file (0600) is written and fsync'd, renamed
 * over the card file, and the folder fsync'd, so after a crash or power cut the file is the old
 * image or the new one, never torn, and a write that returned is kept.
 */
export function writeChipFile(path: string, chip: SealedChip): void {
  const bytes = sealChip(chip);
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, "w", 0o600);
  try {
    writeSync(fd, bytes);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  const dir = openSync(dirname(path), "r");
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}
