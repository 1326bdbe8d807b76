/**
 * Why the Import Utility rejects a row (docs/ARCHITECTURE.md §6: "imports … report every rejected row with its
 * reason"). Each code names one way a vendor row can be wrong; the report pairs it with a sentence.
 */
/** The key field (OfficeKey, MemberKey, ListingKey) is absent or empty. */
export const REJECT_MISSING_KEY = "missing-key";
/** The key already appeared earlier in this run's feed of the resource. */
export const REJECT_DUPLICATE_KEY = "duplicate-key";
/** ModificationTimestamp is not an ISO 8601 instant with a zone. */
export const REJECT_BAD_TIMESTAMP = "bad-timestamp";
/** A lookup field holds a value outside its RESO DD 2.0 lookup. */
export const REJECT_UNKNOWN_ENUM = "unknown-enum";
/** A field has the wrong type or is longer than 255 characters. */
export const REJECT_BAD_VALUE = "bad-value";
/** A required field (MemberStatus) is absent. */
export const REJECT_MISSING_FIELD = "missing-field";
/** A JSON record does not parse, or the document's structure breaks (then the rest of it is lost). */
export const REJECT_BROKEN_JSON = "broken-json";
/** A CSV row has broken quoting or the wrong number of fields. */
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
