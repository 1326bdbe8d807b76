/**
 * Synthetic RESO-shaped feeds for the import tests and the import bench: deterministic Office,
 * Member and Property records with Data Dictionary field names, and writers that stream them to
 * OData-page JSON or CSV files without building the whole feed in memory.
 */
import { createWriteStream } from "node:fs";
import { once } from "node:events";

export type Rec = Record<string, string | number | null>;

const BASE = Date.UTC(2024, 0, 1);

/** A ModificationTimestamp `seconds` after 2024-01-01T00:00:00Z. */
export function stamp(seconds: number): string {
  return new Date(BASE + seconds * 1000).toISOString().replace(".000Z", "Z");
}

export function office(i: number, overrides: Rec = {}): Rec {
  return {
    OfficeKey: `OFF${i}`, OfficeMlsId: `O${i}`, OfficeName: `Office ${i} Realty`, OfficeAddress1: `${100 + i} Main St`,
    OfficeCity: "Springfield", OfficeStateOrProvince: "IL", OfficePostalCode: String(62700 + (i % 100)),
    OfficePhone: `217-555-${String(i % 10000).padStart(4, "0")}`, OfficeStatus: "Active", ModificationTimestamp: stamp(i), ...overrides,
  };
}

export function member(i: number, offices: number, overrides: Rec = {}): Rec {
  return {
    MemberKey: `MEM${i}`, MemberMlsId: `M${i}`, MemberFirstName: `First${i}`, MemberLastName: `Last${i}`,
    MemberEmail: `agent${i}@example.com`, MemberPreferredPhone: `217-555-${String(i % 10000).padStart(4, "0")}`,
    MemberStatus: "Active", MemberType: "REALTOR Salesperson", OfficeKey: `OFF${i % offices}`,
    MemberNationalAssociationId: String(100000000 + i), ModificationTimestamp: stamp(i), ...overrides,
  };
}

export function property(i: number, members: number, overrides: Rec = {}): Rec {
  return {
    ListingKey: `L${i}`, ListingId: `MLS${i}`, StandardStatus: "Active", ListAgentKey: `MEM${i % members}`,
    ListAgentMlsId: `M${i % members}`, CoListAgentKey: null, StreetNumber: String(1 + (i % 9000)), StreetName: "Oak",
    City: "Springfield", StateOrProvince: "IL", PostalCode: "62701", ModificationTimestamp: stamp(i), ...overrides,
  };
}

async function write(out: ReturnType<typeof createWriteStream>, text: string): Promise<void> {
  if (!out.write(text)) await once(out, "drain");
}

async function close(out: ReturnType<typeof createWriteStream>): Promise<void> {
  out.end();
  await once(out, "finish");
}

/** Writes `count` records as one OData page (`{"@odata.context": …, "value": [...]}`), streaming. */
export async function writeODataFile(path: string, count: number, make: (i: number) => Rec): Promise<void> {
  const out = createWriteStream(path);
  await write(out, '{"@odata.context":"$metadata#Collection","value":[\n');
  for (let i = 0; i < count; i++) await write(out, (i > 0 ? ",\n" : "") + JSON.stringify(make(i)));
  await write(out, "\n]}\n");
  await close(out);
}

/** RFC 4180 quoting, written independently of the reader under test. */
export function csvField(v: string | number | null): string {
  const s = v === null ? "" : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Writes `count` records as CSV with a header row of `columns`, streaming. */
export async function writeCsvFile(path: string, columns: string[], count: number, make: (i: number) => Rec): Promise<void> {
  const out = createWriteStream(path);
  await write(out, columns.map(csvField).join(",") + "\r\n");
  for (let i = 0; i < count; i++) {
    const r = make(i);
    await write(out, columns.map((c) => csvField(r[c] ?? null)).join(",") + "\r\n");
  }
  await close(out);
}
