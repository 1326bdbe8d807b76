/**
 * The SentriCard applet's ISO 7816-4 command set: class, instruction and parameter bytes, object
 * and file identifiers. The command table with data, responses, status words and security
 * conditions is protocol/SPEC.md Card §2; both the lockbox firmware and the server build their
 * APDUs from these constants. Status words are the ISO 7816-4 ones of protocol/iso7816/sw.ts.
 */

function buildAid(): Uint8Array {
  const aid = new Uint8Array(9);
  aid[0] = 0xf0;
  const name = "LBXCARD";
  for (let i = 0; i < 7; i++) aid[1 + i] = u8(name.charCodeAt(i));
  aid[8] = 0x01;
  return aid;
}

/** Application identifier selected with SELECT by AID (spec §2.1): F0 'LBXCARD' 01. Read-only. */
export const CARD_AID: Uint8Array = buildAid();

/** ISO 7816-4 interindustry class, no secure messaging (spec §2): SELECT. */
export const CLA_ISO: u8 = 0x00;
/** Proprietary class without secure messaging (spec §2): INITIALIZE UPDATE, public reads. */
export const CLA_PROPRIETARY: u8 = 0x80;
/** Proprietary class with GlobalPlatform secure messaging (spec §2): every command of a session. */
export const CLA_SECURE: u8 = 0x84;
/** The class bit that marks secure messaging (GP CS v2.3 §11.1.4). */
export const CLA_SM_BIT: u8 = 0x04;

/** SELECT by AID (ISO 7816-4 §11.2.2, spec §2.1): P1 04, P2 00. */
export const INS_SELECT: u8 = 0xa4;
/** SCP03 INITIALIZE UPDATE (GP Amd D §7.1, spec §2.2): P1 key version (00 = current), P2 party. */
export const INS_INITIALIZE_UPDATE: u8 = 0x50;
/** SCP03 EXTERNAL AUTHENTICATE (GP Amd D §7.2, spec §2.3): P1 security level, P2 00. */
export const INS_EXTERNAL_AUTHENTICATE: u8 = 0x82;
/** READ OBJECT (spec §2.4): P1 object id, P2 00, data = offset (u16) or lockbox id (staged settings). */
export const INS_READ_OBJECT: u8 = 0xca;
/** READ RECORDS (spec §2.5): P1 file id, P2 00, data = first card sequence number (u32). Server. */
export const INS_READ_RECORDS: u8 = 0xb2;
/** VERIFY PIN (ISO 7816-4 §11.5.6, spec §2.6): P1 00, P2 80, data = 8-byte PIN block. Lockbox. */
export const INS_VERIFY_PIN: u8 = 0x20;
/** APPEND RECORDS (spec §2.7): P1 00, P2 file id, data = 1..6 audit records. Lockbox. */
export const INS_APPEND_RECORDS: u8 = 0xe2;
/** APPLY CARS EXTENSION (spec §2.8): P1 00, P2 00, data = CARS extension (10 bytes). Lockbox. */
export const INS_APPLY_CARS: u8 = 0x30;
/** RENEW (spec §2.9): writes authorization + server time and ack marks. Server. */
export const INS_RENEW: u8 = 0x40;
/** STAGE SETTINGS (spec §2.10): P1 00 stage/replace, 01 remove. Server. */
export const INS_STAGE_SETTINGS: u8 = 0x44;
/** UPDATE DENYLIST (spec §2.11): P1 00 more chunks follow, 80 last chunk. Server. */
export const INS_UPDATE_DENYLIST: u8 = 0x46;
/** RESET COUNTERS (spec §2.12): P1 bit mask RESET_PIN | RESET_CARS. Server. */
export const INS_RESET_COUNTERS: u8 = 0x48;
/** APPLY RECEIPT (spec §2.13): data = receipt (16 bytes); frees the records it covers. Server. */
export const INS_APPLY_RECEIPT: u8 = 0x4a;

/** SELECT P1: select by DF name (AID). */
export const P1_SELECT_BY_NAME: u8 = 0x04;
/** VERIFY P2: the card's one PIN (specific reference data). */
export const P2_PIN_REFERENCE: u8 = 0x80;
/** UPDATE DENYLIST P1: this chunk is the last; verify and commit. */
export const P1_LAST_CHUNK: u8 = 0x80;
/** STAGE SETTINGS P1: remove the entry for the lockbox id in the data. */
export const P1_UNSTAGE: u8 = 0x01;
/** RESET COUNTERS P1 bit: PIN retry counter back to its limit (unblocks). */
export const RESET_PIN: u8 = 0x01;
/** RESET COUNTERS P1 bit: CARS month and consecutive-day counts to zero. */
export const RESET_CARS: u8 = 0x02;

/** INITIALIZE UPDATE P2: authenticating party is a lockbox (card-auth key set). */
export const PARTY_LOCKBOX: u8 = 0x01;
/** INITIALIZE UPDATE P2: authenticating party is the server (card↔server key set). */
export const PARTY_SERVER: u8 = 0x02;

/** READ OBJECT P1 (spec §3): identity, public. */
export const OBJ_IDENTITY: u8 = 0x01;
/** READ OBJECT P1: authorization (lockbox, server). */
export const OBJ_AUTHORIZATION: u8 = 0x02;
/** READ OBJECT P1: denylist, read in chunks by offset (lockbox, server). */
export const OBJ_DENYLIST: u8 = 0x03;
/** READ OBJECT P1: staged settings for the lockbox id in the data (lockbox, server). */
export const OBJ_STAGED_SETTINGS: u8 = 0x04;
/** READ OBJECT P1: server time + acknowledged marks (lockbox, server). */
export const OBJ_SERVER_TIME: u8 = 0x05;
/** READ OBJECT P1: upload cursor (server). */
export const OBJ_UPLOAD_CURSOR: u8 = 0x06;
/** READ OBJECT P1: card status: PIN tries, capacities, fill levels (any authenticated party). */
export const OBJ_STATUS: u8 = 0x07;

/** Record file (spec §4): the card's own accesses, written by the lockbox that opened. */
export const FILE_ACCESS: u8 = 0x01;
/** Record file: other cards' accesses a lockbox hands this card to carry to the server. */
export const FILE_CARRIED: u8 = 0x02;
/** Record file: ownership events (take ownership, release). */
export const FILE_OWNERSHIP: u8 = 0x03;
/** Record file: "settings applied" events. */
export const FILE_SETTINGS_APPLIED: u8 = 0x04;
/** Number of record files (ids 1..RECORD_FILE_COUNT). */
export const RECORD_FILE_COUNT: i32 = 4;

/** GlobalPlatform security level bit (GP CS v2.3 §10.6, Amd D §5.1, spec §1): commands carry a C-MAC. */
export const SL_C_MAC: u8 = 0x01;
/** Security level bit: command data encrypted (C-DECRYPTION on the card). */
export const SL_C_DECRYPTION: u8 = 0x02;
/** Security level bit: responses carry an R-MAC. */
export const SL_R_MAC: u8 = 0x10;
/** Security level bit: response data encrypted. */
export const SL_R_ENCRYPTION: u8 = 0x20;
