/**
 * ISO/IEC 7816-4 §5.6 status words SW1 SW2 (table 5 and 6) that the project's card and readers
 * produce or act on, with their names. Families whose SW2 is a parameter (61xx, 6Cxx, 63Cx) are
 * named by family; swParameter() extracts the parameter.
 */

/** 9000: normal processing. */
export const SW_OK: i32 = 0x9000;
/** 61xx: SW2 more response bytes are available (GET RESPONSE). */
export const SW_BYTES_AVAILABLE: i32 = 0x6100;
/** 6281: part of the returned data may be corrupted. */
export const SW_WARNING_CORRUPTED: i32 = 0x6281;
/** 6282: end of file or record reached before reading Ne bytes. */
export const SW_WARNING_EOF: i32 = 0x6282;
/** 63Cx: verification failed, x tries left. */
export const SW_VERIFY_FAILED: i32 = 0x63c0;
/** 6581: memory failure (EEPROM write failed). */
export const SW_MEMORY_FAILURE: i32 = 0x6581;
/** 6700: wrong length. */
export const SW_WRONG_LENGTH: i32 = 0x6700;
/** 6882: secure messaging not supported. */
export const SW_SM_NOT_SUPPORTED: i32 = 0x6882;
/** 6982: security status not satisfied. */
export const SW_SECURITY_NOT_SATISFIED: i32 = 0x6982;
/** 6983: authentication method blocked. */
export const SW_AUTH_BLOCKED: i32 = 0x6983;
/** 6984: reference data not usable. */
export const SW_REFERENCE_DATA_NOT_USABLE: i32 = 0x6984;
/** 6985: conditions of use not satisfied. */
export const SW_CONDITIONS_NOT_SATISFIED: i32 = 0x6985;
/** 6986: command not allowed (no current EF). */
export const SW_COMMAND_NOT_ALLOWED: i32 = 0x6986;
/** 6987: expected secure messaging data objects missing. */
export const SW_SM_OBJECTS_MISSING: i32 = 0x6987;
/** 6988: incorrect secure messaging data objects (bad MAC). */
export const SW_SM_OBJECTS_INCORRECT: i32 = 0x6988;
/** 6A80: incorrect parameters in the command data field. */
export const SW_WRONG_DATA: i32 = 0x6a80;
/** 6A82: file or application not found. */
export const SW_FILE_NOT_FOUND: i32 = 0x6a82;
/** 6A83: record not found. */
export const SW_RECORD_NOT_FOUND: i32 = 0x6a83;
/** 6A84: not enough memory space in the file. */
export const SW_NOT_ENOUGH_MEMORY: i32 = 0x6a84;
/** 6A86: incorrect parameters P1-P2. */
export const SW_WRONG_P1P2: i32 = 0x6a86;
/** 6A88: referenced data not found. */
export const SW_DATA_NOT_FOUND: i32 = 0x6a88;
/** 6B00: wrong parameters P1-P2 (offset outside the EF). */
export const SW_WRONG_P1P2_OFFSET: i32 = 0x6b00;
/** 6Cxx: wrong Le; SW2 is the exact length available. */
export const SW_WRONG_LE: i32 = 0x6c00;
/** 6D00: instruction code not supported or invalid. */
export const SW_INS_NOT_SUPPORTED: i32 = 0x6d00;
/** 6E00: class not supported. */
export const SW_CLA_NOT_SUPPORTED: i32 = 0x6e00;
/** 6F00: no precise diagnosis. */
export const SW_UNKNOWN: i32 = 0x6f00;

/** The status word with its parameter nibble/byte cleared, so families compare equal. */
export function swFamily(sw: i32): i32 {
  const sw1 = (sw >> 8) & 0xff;
  if (sw1 == 0x61 || sw1 == 0x6c) return sw & 0xff00;
  if ((sw & 0xfff0) == 0x63c0) return 0x63c0;
  return sw & 0xffff;
}

/** The parameter of a family status word (61xx, 6Cxx: SW2; 63Cx: x), else -1. */
export function swParameter(sw: i32): i32 {
  const sw1 = (sw >> 8) & 0xff;
  if (sw1 == 0x61 || sw1 == 0x6c) return sw & 0xff;
  if ((sw & 0xfff0) == 0x63c0) return sw & 15;
  return -1;
}

/** Name of a status word (its family for 61xx, 6Cxx, 63Cx), or "" when unknown. 7816-4 §5.6. */
export function statusWordName(sw: i32): string {
  switch (swFamily(sw)) {
    case SW_OK: return "SW_OK";
    case SW_BYTES_AVAILABLE: return "SW_BYTES_AVAILABLE";
    case SW_WARNING_CORRUPTED: return "SW_WARNING_CORRUPTED";
    case SW_WARNING_EOF: return "SW_WARNING_EOF";
    case SW_VERIFY_FAILED: return "SW_VERIFY_FAILED";
    case SW_MEMORY_FAILURE: return "SW_MEMORY_FAILURE";
    case SW_WRONG_LENGTH: return "SW_WRONG_LENGTH";
    case SW_SM_NOT_SUPPORTED: return "SW_SM_NOT_SUPPORTED";
    case SW_SECURITY_NOT_SATISFIED: return "SW_SECURITY_NOT_SATISFIED";
    case SW_AUTH_BLOCKED: return "SW_AUTH_BLOCKED";
    case SW_REFERENCE_DATA_NOT_USABLE: return "SW_REFERENCE_DATA_NOT_USABLE";
    case SW_CONDITIONS_NOT_SATISFIED: return "SW_CONDITIONS_NOT_SATISFIED";
    case SW_COMMAND_NOT_ALLOWED: return "SW_COMMAND_NOT_ALLOWED";
    case SW_SM_OBJECTS_MISSING: return "SW_SM_OBJECTS_MISSING";
    case SW_SM_OBJECTS_INCORRECT: return "SW_SM_OBJECTS_INCORRECT";
    case SW_WRONG_DATA: return "SW_WRONG_DATA";
    case SW_FILE_NOT_FOUND: return "SW_FILE_NOT_FOUND";
    case SW_RECORD_NOT_FOUND: return "SW_RECORD_NOT_FOUND";
    case SW_NOT_ENOUGH_MEMORY: return "SW_NOT_ENOUGH_MEMORY";
    case SW_WRONG_P1P2: return "SW_WRONG_P1P2";
    case SW_DATA_NOT_FOUND: return "SW_DATA_NOT_FOUND";
    case SW_WRONG_P1P2_OFFSET: return "SW_WRONG_P1P2_OFFSET";
    case SW_WRONG_LE: return "SW_WRONG_LE";
    case SW_INS_NOT_SUPPORTED: return "SW_INS_NOT_SUPPORTED";
    case SW_CLA_NOT_SUPPORTED: return "SW_CLA_NOT_SUPPORTED";
    case SW_UNKNOWN: return "SW_UNKNOWN";
    default: return "";
  }
}
