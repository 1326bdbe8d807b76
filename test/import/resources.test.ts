// RESO field handling of the Import Utility, checked against the published RESO Data Dictionary 2.0
// tables in vectors/reso/ (lookups and field definitions) and against Date.parse for timestamps.
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { LOOKUPS, KEY_FIELD, normalizeRecord, normalizeTimestamp, isRejection } from "../../simulator/server/import/resources.ts";
import { loadVectors } from "../support/vectors.ts";

interface Lookup { LookupName: string; StandardLookupValue: string; LegacyODataValue: string }
interface Field { ResourceName: string; StandardName: string; LookupName: string }

const lookups = loadVectors<{ lookups: Lookup[] }>("reso/dd_lookups_2.0.json").lookups;
const fields = loadVectors<{ fields: Field[] }>("reso/dd_fields_2.0.json").fields;

describe("RESO Data Dictionary 2.0", () => {
  it("every lookup the importer enforces has exactly the DD 2.0 values, both spellings", () => {
    for (const [name, values] of Object.entries(LOOKUPS)) {
      const dd = lookups.filter((l) => l.LookupName === name).map((l) => [l.StandardLookupValue, l.LegacyODataValue]);
      expect(dd.length, name).toBeGreaterThan(0);
      expect(Object.entries(values).sort(), name).toEqual(dd.sort());
    }
  });

  it("the fields the importer reads are DD 2.0 fields of their resource; its enum fields use those lookups", () => {
    const used: Record<string, string[]> = {
      Office: ["OfficeKey", "OfficeMlsId", "OfficeName", "OfficeAddress1", "OfficeCity", "OfficeStateOrProvince", "OfficePostalCode", "OfficePhone", "OfficeStatus", "ModificationTimestamp"],
      Member: ["MemberKey", "MemberMlsId", "MemberFirstName", "MemberLastName", "MemberEmail", "MemberPreferredPhone", "MemberMobilePhone", "MemberDirectPhone", "MemberOfficePhone", "MemberType", "MemberStatus", "OfficeKey", "OfficeMlsId", "MemberNationalAssociationId", "ModificationTimestamp"],
      Property: ["ListingKey", "ListingId", "StandardStatus", "ListAgentKey", "ListAgentMlsId", "CoListAgentKey", "CoListAgentMlsId", "StreetNumber", "StreetName", "City", "StateOrProvince", "PostalCode", "ModificationTimestamp"],
    };
    for (const [resource, names] of Object.entries(used)) {
      expect(names).toContain(KEY_FIELD[resource as keyof typeof KEY_FIELD]);
      for (const name of names) {
        const f = fields.find((x) => x.ResourceName === resource && x.StandardName === name);
        expect(f, `${resource}.${name}`).toBeDefined();
        if (name in LOOKUPS) expect(f?.LookupName, `${resource}.${name}`).toBe(name);
      }
    }
  });
});

describe("ModificationTimestamp", () => {
  it("normalizes any valid instant to UTC text that Date.parse agrees with and that sorts in time order", () => {
    const instant = fc.date({ min: new Date("1971-01-01T00:00:00Z"), max: new Date("2099-12-31T00:00:00Z"), noInvalidDate: true });
    const offset = fc.integer({ min: -14 * 60, max: 14 * 60 });
    fc.assert(
      fc.property(instant, offset, instant, (d, off, e) => {
        const local = new Date(d.getTime() + off * 60_000).toISOString().slice(0, 23);
        const zone = off === 0 ? "Z" : `${off < 0 ? "-" : "+"}${String(Math.floor(Math.abs(off) / 60)).padStart(2, "0")}:${String(Math.abs(off) % 60).padStart(2, "0")}`;
        const n = normalizeTimestamp(local + zone);
        expect(n).not.toBeNull();
        expect(Date.parse(n as string)).toBe(d.getTime());
        const m = normalizeTimestamp(e.toISOString()) as string;
        expect(Math.sign(n!.localeCompare(m))).toBe(Math.sign(d.getTime() - e.getTime()));
      }),
      { seed: 0x7157, numRuns: 500 },
    );
  });

  it("keeps sub-millisecond digits so a cursor never rounds a record away", () => {
    expect(normalizeTimestamp("2020-04-02T02:02:02.0200001Z")).toBe("2020-04-02T02:02:02.0200001Z");
    expect(normalizeTimestamp("2022-12-05T18:33:20Z")).toBe("2022-12-05T18:33:20.0000000Z");
  });

  it("refuses the invalid timestamps of the RESO samples and other non-instants", () => {
    for (const bad of ["2021-08-21T00:01:01.01.007Z", "2021-02-29T00:00:00Z", "2021-13-01T00:00:00Z", "2021-01-01T24:00:00Z", "2021-01-01", "2021-01-01T00:00:00", "yesterday", "2021-01-01T00:00:00+25:00"]) {
      expect(normalizeTimestamp(bad), bad).toBeNull();
    }
  });
});

describe("record normalization", () => {
  it("accepts both DD spellings of a lookup value and stores the standard one", () => {
    const a = normalizeRecord("Property", { ListingKey: "k", StandardStatus: "ActiveUnderContract" });
    const b = normalizeRecord("Property", { ListingKey: "k", StandardStatus: "Active Under Contract" });
    expect(isRejection(a) ? null : a.fields.standard_status).toBe("Active Under Contract");
    expect(b).toEqual(a);
  });

  it("names the reason for every way a record is wrong", () => {
    const cases: [Record<string, unknown>, string, string][] = [
      [{ MemberStatus: "Active" }, "missing-key", "MemberKey is missing"],
      [{ MemberKey: "  ", MemberStatus: "Active" }, "missing-key", "MemberKey is missing"],
      [{ MemberKey: { a: 1 }, MemberStatus: "Active" }, "bad-value", "MemberKey must be a string"],
      [{ MemberKey: "k" }, "missing-field", "MemberStatus is missing"],
      [{ MemberKey: "k", MemberStatus: "Terminated" }, "unknown-enum", 'MemberStatus "Terminated" is not a MemberStatus value'],
      [{ MemberKey: "k", MemberStatus: "Active", ModificationTimestamp: 5 }, "bad-timestamp", "ModificationTimestamp 5 is not an ISO 8601 date-time with zone"],
      [{ MemberKey: "k", MemberStatus: "Active", MemberEmail: true }, "bad-value", "MemberEmail must be a string or number"],
      [{ MemberKey: "k", MemberStatus: "Active", MemberFirstName: "x".repeat(256) }, "bad-value", "MemberFirstName longer than 255 characters"],
    ];
    for (const [rec, code, reason] of cases) expect(normalizeRecord("Member", rec)).toMatchObject({ code, reason });
  });
});
