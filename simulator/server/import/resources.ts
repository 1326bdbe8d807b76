/**
 * The three RESO resources the Import Utility reads (docs/ARCHITECTURE.md §2, Import; issue 7, Inputs) and how
 * a vendor record becomes a row of the store: which RESO Data Dictionary 2.0 fields are used, which
 * column each lands in, which lookups constrain them, and every reason a record is refused.
 */
import {
  REJECT_BAD_TIMESTAMP, REJECT_BAD_VALUE, REJECT_MISSING_FIELD, REJECT_MISSING_KEY, REJECT_UNKNOWN_ENUM, type RejectCode,
} from "./errors.ts";

/** The RESO resources imported (RESO Data Dictionary 2.0 resource names). */
export type ResourceName = "Office" | "Member" | "Property";

/** Import order: members point at offices, listings at members. */
export const RESOURCES: readonly ResourceName[] = ["Office", "Member", "Property"];

/** The key field of each resource (RESO DD 2.0). */
export const KEY_FIELD: Record<ResourceName, string> = { Office: "OfficeKey", Member: "MemberKey", Property: "ListingKey" };

/**
 * RESO DD 2.0 lookups used here, as StandardLookupValue → LegacyODataValue (dd_lookups_2.0.json).
 * Vendors send either spelling; the store keeps the StandardLookupValue.
 */
export const LOOKUPS: Record<string, Record<string, string>> = {
  OfficeStatus: { Active: "Active", Inactive: "Inactive" },
  MemberStatus: { Active: "Active", Inactive: "Inactive" },
  MemberType: {
    Affiliate: "Affiliate", Assistant: "Assistant", "Association Staff": "AssociationStaff",
    "Designated REALTOR Appraiser": "DesignatedRealtorAppraiser", "Designated REALTOR Participant": "DesignatedRealtorParticipant",
    "Leasing Agent": "LeasingAgent", "Licensed Assistant": "LicensedAssistant", "MLS Only Appraiser": "MlsOnlyAppraiser",
    "MLS Only Broker": "MlsOnlyBroker", "MLS Only Broker Associate": "MlsOnlyBrokerAssociate",
    "MLS Only Salesperson": "MlsOnlySalesperson", "MLS Staff": "MlsStaff", "Non Member/Vendor": "NonMemberVendor",
    "Office Manager": "OfficeManager", Photographer: "Photographer", "REALTOR Appraiser": "RealtorAppraiser",
    "REALTOR Broker Associate": "RealtorBrokerAssociate", "REALTOR Salesperson": "RealtorSalesperson",
    "Unlicensed Assistant": "UnlicensedAssistant",
  },
  StandardStatus: {
    Active: "Active", "Active Under Contract": "ActiveUnderContract", Canceled: "Canceled", Closed: "Closed",
    "Coming Soon": "ComingSoon", Delete: "Delete", Expired: "Expired", Hold: "Hold", Incomplete: "Incomplete",
    Pending: "Pending", Withdrawn: "Withdrawn",
  },
};

const LOOKUP_INDEX = new Map<string, Map<string, string>>(
  Object.entries(LOOKUPS).map(([name, values]) => {
    const index = new Map<string, string>();
    for (const [standard, legacy] of Object.entries(values)) {
      index.set(standard, standard);
      index.set(legacy, standard);
    }
    return [name, index];
  }),
);

/** One stored column: the RESO fields it comes from (first non-empty wins) and its lookup. */
interface FieldSpec {
  column: string;
  from: readonly string[];
  lookup?: string;
  required?: boolean;
}

const FIELDS: Record<ResourceName, readonly FieldSpec[]> = {
  Office: [
    { column: "office_mls_id", from: ["OfficeMlsId"] },
    { column: "name", from: ["OfficeName"] },
    { column: "address1", from: ["OfficeAddress1"] },
    { column: "city", from: ["OfficeCity"] },
    { column: "state_or_province", from: ["OfficeStateOrProvince"] },
    { column: "postal_code", from: ["OfficePostalCode"] },
    { column: "phone", from: ["OfficePhone"] },
    { column: "status", from: ["OfficeStatus"], lookup: "OfficeStatus" },
  ],
  Member: [
    { column: "member_mls_id", from: ["MemberMlsId"] },
    { column: "first_name", from: ["MemberFirstName"] },
    { column: "last_name", from: ["MemberLastName"] },
    { column: "email", from: ["MemberEmail"] },
    { column: "phone", from: ["MemberPreferredPhone", "MemberMobilePhone", "MemberDirectPhone", "MemberOfficePhone"] },
    { column: "member_type", from: ["MemberType"], lookup: "MemberType" },
    { column: "status", from: ["MemberStatus"], lookup: "MemberStatus", required: true },
    { column: "office_key", from: ["OfficeKey"] },
    { column: "office_mls_id", from: ["OfficeMlsId"] },
    { column: "national_association_id", from: ["MemberNationalAssociationId"] },
  ],
  Property: [
    { column: "listing_id", from: ["ListingId"] },
    { column: "standard_status", from: ["StandardStatus"], lookup: "StandardStatus" },
    { column: "list_agent_key", from: ["ListAgentKey"] },
    { column: "list_agent_mls_id", from: ["ListAgentMlsId"] },
    { column: "co_list_agent_key", from: ["CoListAgentKey"] },
    { column: "co_list_agent_mls_id", from: ["CoListAgentMlsId"] },
    { column: "street_number", from: ["StreetNumber"] },
    { column: "street_name", from: ["StreetName"] },
    { column: "city", from: ["City"] },
    { column: "state_or_province", from: ["StateOrProvince"] },
    { column: "postal_code", from: ["PostalCode"] },
  ],
};

/** Longest text accepted in any field (the DD's longest suggested length for these fields). */
export const MAX_FIELD_LENGTH = 255;

/** A vendor record ready to store: its key, normalized timestamp and column values. */
export interface NormalizedRecord {
  key: string;
  /** UTC, `YYYY-MM-DDTHH:MM:SS.fffffffZ` (sorts as text), or null when the vendor sent none. */
  timestamp: string | null;
  fields: Record<string, string | null>;
}

/** Why a record was refused; `key` when it could be read. */
export interface Rejection {
  code: RejectCode;
  reason: string;
  key: string | null;
}

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * An Edm.DateTimeOffset (ISO 8601 with a zone) as UTC text that sorts chronologically, with the
 * fraction kept to 7 digits (OData's precision) so a cursor never rounds a record away; null when
 * the text is not a real instant.
 */
export function normalizeTimestamp(text: string): string | null {
  const m = TIMESTAMP.exec(text);
  if (!m) return null;
  const [, y, mo, d, h, mi, s = "00", frac = "", zone] = m;
  const year = Number(y), month = Number(mo), day = Number(d), hour = Number(h), minute = Number(mi), second = Number(s);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  const local = Date.UTC(year, month - 1, day, hour, minute, second);
  if (new Date(local).getUTCDate() !== day) return null;
  let offsetMinutes = 0;
  if (zone !== "Z") {
    const oh = Number(zone.slice(1, 3)), om = Number(zone.slice(4, 6));
    if (oh > 23 || om > 59) return null;
    offsetMinutes = (zone[0] === "-" ? -1 : 1) * (oh * 60 + om);
  }
  const utc = new Date(local - offsetMinutes * 60_000).toISOString().slice(0, 19);
  return `${utc}.${frac.padEnd(7, "0")}Z`;
}

function textOf(value: unknown): string | null | undefined {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") {
    const t = value.trim();
    return t === "" ? null : t;
  }
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return undefined;
}

/** Turns one vendor record of `resource` into a storable row, or says why it cannot be stored. */
export function normalizeRecord(resource: ResourceName, record: Record<string, unknown>): NormalizedRecord | Rejection {
  const keyField = KEY_FIELD[resource];
  const key = textOf(record[keyField]);
  if (key === undefined) return { code: REJECT_BAD_VALUE, reason: `${keyField} must be a string`, key: null };
  if (key === null) return { code: REJECT_MISSING_KEY, reason: `${keyField} is missing`, key: null };
  if (key.length > MAX_FIELD_LENGTH) return { code: REJECT_BAD_VALUE, reason: `${keyField} longer than ${MAX_FIELD_LENGTH} characters`, key: null };

  let timestamp: string | null = null;
  const rawTs = record.ModificationTimestamp;
  if (rawTs !== undefined && rawTs !== null && rawTs !== "") {
    timestamp = typeof rawTs === "string" ? normalizeTimestamp(rawTs.trim()) : null;
    if (timestamp === null) {
      return { code: REJECT_BAD_TIMESTAMP, reason: `ModificationTimestamp ${JSON.stringify(rawTs)} is not an ISO 8601 date-time with zone`, key };
    }
  }

  const fields: Record<string, string | null> = {};
  for (const spec of FIELDS[resource]) {
    let value: string | null = null;
    for (const name of spec.from) {
      const v = textOf(record[name]);
      if (v === undefined) return { code: REJECT_BAD_VALUE, reason: `${name} must be a string or number`, key };
      if (v !== null) {
        if (v.length > MAX_FIELD_LENGTH) return { code: REJECT_BAD_VALUE, reason: `${name} longer than ${MAX_FIELD_LENGTH} characters`, key };
        value = v;
        break;
      }
    }
    if (value === null && spec.required) return { code: REJECT_MISSING_FIELD, reason: `${spec.from[0]} is missing`, key };
    if (value !== null && spec.lookup) {
      const standard = LOOKUP_INDEX.get(spec.lookup)?.get(value);
      if (standard === undefined) {
        return { code: REJECT_UNKNOWN_ENUM, reason: `${spec.from[0]} ${JSON.stringify(value)} is not a ${spec.lookup} value`, key };
      }
      value = standard;
    }
    fields[spec.column] = value;
  }
  return { key, timestamp, fields };
}

/** True when `r` is a refusal rather than a row. */
export function isRejection(r: NormalizedRecord | Rejection): r is Rejection {
  return "code" in r;
}
