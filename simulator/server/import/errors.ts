/**
 * Why the Import Utility rejects a row (DESIGN.md §6: "imports … report every rejected row with its
 * reason"). Each code names one way a vendor row can be wrong; the report pairs it with a sentence.
 */
export const REJECT_MISSING_KEY = "missing-key";
export const REJECT_DUPLICATE_KEY = "duplicate-key";
export const REJECT_BAD_TIMESTAMP = "bad-timestamp";
export const REJECT_UNKNOWN_ENUM = "unknown-enum";
export const REJECT_BAD_VALUE = "bad-value";
export const REJECT_MISSING_FIELD = "missing-field";
export const REJECT_BROKEN_JSON = "broken-json";
export const REJECT_BROKEN_CSV = "broken-csv";

/** Every rejection code. */
export type RejectCode =
  | typeof REJECT_MISSING_KEY
  | typeof REJECT_DUPLICATE_KEY
  | typeof REJECT_BAD_TIMESTAMP
  | typeof REJECT_UNKNOWN_ENUM
  | typeof REJECT_BAD_VALUE
  | typeof REJECT_MISSING_FIELD
  | typeof REJECT_BROKEN_JSON
  | typeof REJECT_BROKEN_CSV;
