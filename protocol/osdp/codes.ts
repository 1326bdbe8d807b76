/**
 * OSDP v2.2 command codes (§6), reply codes (§7), NAK reasons (§7.3) and security-block types
 * (Annex D). The packet decoder accepts every code v2.2 defines, including those without a
 * payload codec here (ISTAT, PIVDATA, ...), and rejects the rest as unknown.
 */

/** osdp_POLL §6.1. */ export const CMD_POLL: u8 = 0x60;
/** osdp_ID §6.2. */ export const CMD_ID: u8 = 0x61;
/** osdp_CAP §6.3. */ export const CMD_CAP: u8 = 0x62;
/** osdp_LSTAT §6.4. */ export const CMD_LSTAT: u8 = 0x64;
/** osdp_ISTAT §6.5. */ export const CMD_ISTAT: u8 = 0x65;
/** osdp_OSTAT §6.6. */ export const CMD_OSTAT: u8 = 0x66;
/** osdp_RSTAT §6.7. */ export const CMD_RSTAT: u8 = 0x67;
/** osdp_OUT §6.8. */ export const CMD_OUT: u8 = 0x68;
/** osdp_LED §6.10. */ export const CMD_LED: u8 = 0x69;
/** osdp_BUZ §6.11. */ export const CMD_BUZ: u8 = 0x6a;
/** osdp_TEXT §6.12. */ export const CMD_TEXT: u8 = 0x6b;
/** osdp_COMSET §6.13. */ export const CMD_COMSET: u8 = 0x6e;
/** osdp_BIOREAD §6.15. */ export const CMD_BIOREAD: u8 = 0x73;
/** osdp_BIOMATCH §6.16. */ export const CMD_BIOMATCH: u8 = 0x74;
/** osdp_KEYSET §6.17. */ export const CMD_KEYSET: u8 = 0x75;
/** osdp_CHLNG §6.18. */ export const CMD_CHLNG: u8 = 0x76;
/** osdp_SCRYPT §6.19. */ export const CMD_SCRYPT: u8 = 0x77;
/** osdp_ACURXSIZE §6.20. */ export const CMD_ACURXSIZE: u8 = 0x7b;
/** osdp_FILETRANSFER §6.21. */ export const CMD_FILETRANSFER: u8 = 0x7c;
/** osdp_MFG §6.22. */ export const CMD_MFG: u8 = 0x80;
/** osdp_XWR §6.23. */ export const CMD_XWR: u8 = 0xa1;
/** osdp_ABORT §6.24. */ export const CMD_ABORT: u8 = 0xa2;
/** osdp_PIVDATA §6.25. */ export const CMD_PIVDATA: u8 = 0xa3;
/** osdp_GENAUTH §6.26. */ export const CMD_GENAUTH: u8 = 0xa4;
/** osdp_CRAUTH §6.27. */ export const CMD_CRAUTH: u8 = 0xa5;
/** osdp_KEEPACTIVE §6.28. */ export const CMD_KEEPACTIVE: u8 = 0xa7;

/** osdp_ACK §7.2. */ export const REPLY_ACK: u8 = 0x40;
/** osdp_NAK §7.3. */ export const REPLY_NAK: u8 = 0x41;
/** osdp_PDID §7.4. */ export const REPLY_PDID: u8 = 0x45;
/** osdp_PDCAP §7.5. */ export const REPLY_PDCAP: u8 = 0x46;
/** osdp_LSTATR §7.6. */ export const REPLY_LSTATR: u8 = 0x48;
/** osdp_ISTATR §7.7. */ export const REPLY_ISTATR: u8 = 0x49;
/** osdp_OSTATR §7.8. */ export const REPLY_OSTATR: u8 = 0x4a;
/** osdp_RSTATR §7.9. */ export const REPLY_RSTATR: u8 = 0x4b;
/** osdp_RAW §7.10. */ export const REPLY_RAW: u8 = 0x50;
/** osdp_FMT §7.11. */ export const REPLY_FMT: u8 = 0x51;
/** osdp_KEYPAD §7.12. */ export const REPLY_KEYPAD: u8 = 0x53;
/** osdp_COM §7.13. */ export const REPLY_COM: u8 = 0x54;
/** osdp_BIOREADR §7.14. */ export const REPLY_BIOREADR: u8 = 0x57;
/** osdp_BIOMATCHR §7.15. */ export const REPLY_BIOMATCHR: u8 = 0x58;
/** osdp_CCRYPT §7.16. */ export const REPLY_CCRYPT: u8 = 0x76;
/** osdp_RMAC_I §7.17. */ export const REPLY_RMAC_I: u8 = 0x78;
/** osdp_BUSY §7.18. */ export const REPLY_BUSY: u8 = 0x79;
/** osdp_FTSTAT §7.19. */ export const REPLY_FTSTAT: u8 = 0x7a;
/** osdp_PIVDATAR §7.20. */ export const REPLY_PIVDATAR: u8 = 0x80;
/** osdp_GENAUTHR §7.21. */ export const REPLY_GENAUTHR: u8 = 0x81;
/** osdp_CRAUTHR §7.22. */ export const REPLY_CRAUTHR: u8 = 0x82;
/** osdp_MFGSTATR §7.23. */ export const REPLY_MFGSTATR: u8 = 0x83;
/** osdp_MFGERRR §7.24. */ export const REPLY_MFGERRR: u8 = 0x84;
/** osdp_MFGREP §7.25. */ export const REPLY_MFGREP: u8 = 0x90;
/** osdp_XRD §7.26. */ export const REPLY_XRD: u8 = 0xb1;

/** NAK reason §7.3: message check character(s) error (bad CRC/checksum). */ export const NAK_BAD_CHECK: u8 = 0x01;
/** NAK reason §7.3: command length error. */ export const NAK_BAD_LENGTH: u8 = 0x02;
/** NAK reason §7.3: unknown command code. */ export const NAK_UNKNOWN_COMMAND: u8 = 0x03;
/** NAK reason §7.3: unexpected sequence number. */ export const NAK_BAD_SEQUENCE: u8 = 0x04;
/** NAK reason §7.3: security block not supported or not accepted. */ export const NAK_BAD_SCB: u8 = 0x05;
/** NAK reason §7.3: encrypted communication required. */ export const NAK_ENCRYPTION_REQUIRED: u8 = 0x06;
/** NAK reason §7.3: BIO type not supported. */ export const NAK_BIO_TYPE: u8 = 0x07;
/** NAK reason §7.3: BIO format not supported. */ export const NAK_BIO_FORMAT: u8 = 0x08;
/** NAK reason §7.3: unable to process command record. */ export const NAK_UNABLE: u8 = 0x09;
/** Highest NAK reason v2.2 defines. */ export const NAK_REASON_MAX: u8 = 0x09;

/** Annex D: CHLNG (ACU→PD) carries RND.A. */ export const SCS_11: u8 = 0x11;
/** Annex D: CCRYPT (PD→ACU) carries client UID, RND.B, client cryptogram. */ export const SCS_12: u8 = 0x12;
/** Annex D: SCRYPT (ACU→PD) carries the server cryptogram. */ export const SCS_13: u8 = 0x13;
/** Annex D: RMAC_I (PD→ACU) carries the initial R-MAC. */ export const SCS_14: u8 = 0x14;
/** Annex D: command with MAC, data in clear. */ export const SCS_15: u8 = 0x15;
/** Annex D: reply with MAC, data in clear. */ export const SCS_16: u8 = 0x16;
/** Annex D: command with MAC and encrypted data. */ export const SCS_17: u8 = 0x17;
/** Annex D: reply with MAC and encrypted data. */ export const SCS_18: u8 = 0x18;

/** True when `code` is a command code OSDP v2.2 defines (§6). */
export function isKnownCommand(code: i32): bool {
  switch (code) {
    case 0x60: case 0x61: case 0x62: case 0x64: case 0x65: case 0x66: case 0x67: case 0x68:
    case 0x69: case 0x6a: case 0x6b: case 0x6e: case 0x73: case 0x74: case 0x75: case 0x76:
    case 0x77: case 0x7b: case 0x7c: case 0x80: case 0xa1: case 0xa2: case 0xa3: case 0xa4:
    case 0xa5: case 0xa7:
      return true;
    default:
      return false;
  }
}

/** True when `code` is a reply code OSDP v2.2 defines (§7). */
export function isKnownReply(code: i32): bool {
  switch (code) {
    case 0x40: case 0x41: case 0x45: case 0x46: case 0x48: case 0x49: case 0x4a: case 0x4b:
    case 0x50: case 0x51: case 0x53: case 0x54: case 0x57: case 0x58: case 0x76: case 0x78:
    case 0x79: case 0x7a: case 0x80: case 0x81: case 0x82: case 0x83: case 0x84: case 0x90:
    case 0xb1:
      return true;
    default:
      return false;
  }
}
