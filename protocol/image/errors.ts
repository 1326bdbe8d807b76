/**
 * Error codes of protocol/image (range -140..-159, protocol/errors.ts): why a firmware image was
 * refused. protocol/SPEC.md Image §5. The devices report them over MFG (IMAGE STATUS, last result).
 */

/** The first 4 bytes are not MCUboot's image magic 0x96f3b83d (little-endian). */
export const ERR_IMAGE_MAGIC: i32 = -140;
/** Header size below 32, a load address, or flags this device cannot boot (encrypted, compressed, RAM-load, ...). */
export const ERR_IMAGE_HEADER: i32 = -141;
/** The image (header, payload and both TLV areas) does not fit the slot. */
export const ERR_IMAGE_TOO_LARGE: i32 = -142;
/** Fewer bytes than the header and TLV areas describe (a truncated file or transfer). */
export const ERR_IMAGE_TRUNCATED: i32 = -143;
/** More bytes than the header and TLV areas describe. */
export const ERR_IMAGE_TRAILING: i32 = -144;
/** A TLV area's info header has the wrong magic, or the protected area's size differs from the header's. */
export const ERR_IMAGE_TLV_INFO: i32 = -145;
/** A TLV runs past its area, has the wrong length for its type, or appears twice. */
export const ERR_IMAGE_TLV: i32 = -146;
/** A TLV this device does not know (MCUboot's allow list: an unknown protected TLV cannot be honoured). */
export const ERR_IMAGE_UNKNOWN_TLV: i32 = -147;
/** No SHA-256 TLV. */
export const ERR_IMAGE_NO_HASH: i32 = -148;
/** No Ed25519 signature TLV (or no key-hash TLV to say which key signed): an unsigned image. */
export const ERR_IMAGE_UNSIGNED: i32 = -149;
/** The key-hash TLV names another key than the one provisioned at the factory. */
export const ERR_IMAGE_WRONG_KEY: i32 = -150;
/** The SHA-256 of header, payload and protected TLVs differs from the SHA-256 TLV. */
export const ERR_IMAGE_HASH: i32 = -151;
/** The Ed25519 signature over the SHA-256 does not verify under the factory key. */
export const ERR_IMAGE_SIGNATURE: i32 = -152;
/** No device TLV, or one naming another kind of device (a reader image for a lockbox, ...). */
export const ERR_IMAGE_DEVICE: i32 = -153;
/** The version is lower than the running one and the image does not permit the rollback. */
export const ERR_IMAGE_DOWNGRADE: i32 = -154;
/** The test-booted image reset before it confirmed itself: the boot code put the old one back. */
export const ERR_IMAGE_NOT_CONFIRMED: i32 = -155;
/** The device has no update partition (no boot block provisioned at the factory). */
export const ERR_IMAGE_NO_PARTITION: i32 = -156;

/** An osdp_FILETRANSFER fragment at another offset than 0 (a new transfer) or where the transfer stands (IMAGE STATUS: resume offset). */
export const ERR_IMAGE_OFFSET: i32 = -157;

/** Name of an image error code, or "" when the code is not one of this file's. */
export function imageErrorName(code: i32): string {
  switch (code) {
    case ERR_IMAGE_MAGIC: return "ERR_IMAGE_MAGIC";
    case ERR_IMAGE_HEADER: return "ERR_IMAGE_HEADER";
    case ERR_IMAGE_TOO_LARGE: return "ERR_IMAGE_TOO_LARGE";
    case ERR_IMAGE_TRUNCATED: return "ERR_IMAGE_TRUNCATED";
    case ERR_IMAGE_TRAILING: return "ERR_IMAGE_TRAILING";
    case ERR_IMAGE_TLV_INFO: return "ERR_IMAGE_TLV_INFO";
    case ERR_IMAGE_TLV: return "ERR_IMAGE_TLV";
    case ERR_IMAGE_UNKNOWN_TLV: return "ERR_IMAGE_UNKNOWN_TLV";
    case ERR_IMAGE_NO_HASH: return "ERR_IMAGE_NO_HASH";
    case ERR_IMAGE_UNSIGNED: return "ERR_IMAGE_UNSIGNED";
    case ERR_IMAGE_WRONG_KEY: return "ERR_IMAGE_WRONG_KEY";
    case ERR_IMAGE_HASH: return "ERR_IMAGE_HASH";
    case ERR_IMAGE_SIGNATURE: return "ERR_IMAGE_SIGNATURE";
    case ERR_IMAGE_DEVICE: return "ERR_IMAGE_DEVICE";
    case ERR_IMAGE_DOWNGRADE: return "ERR_IMAGE_DOWNGRADE";
    case ERR_IMAGE_NOT_CONFIRMED: return "ERR_IMAGE_NOT_CONFIRMED";
    case ERR_IMAGE_NO_PARTITION: return "ERR_IMAGE_NO_PARTITION";
    case ERR_IMAGE_OFFSET: return "ERR_IMAGE_OFFSET";
    default: return "";
  }
}
