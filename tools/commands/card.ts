/**
 * `lockbox card`: personalize an emulated SentriCard, serve it to PC/SC through vsmartcard's vpcd,
 * and show what a card file holds (protocol/SPEC.md (Card chapter)).
 */
import "../../simulator/portable.ts";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { existsSync } from "node:fs";
import { spawn, spawnSync, ChildProcess } from "node:child_process";
import { type Command, EXIT_FAILED, EXIT_OK, EXIT_UNAVAILABLE, UsageError } from "../lib/command.ts";

const usage = `Usage:
  lockbox card issue <card file> --serial <n> --association <n> --member-key <text> --mls-id <text>
                     --pin <digits> --expiry <ISO date | unix seconds>
                     --card-auth-master <32 hex> --server-master <32 hex>
                     [--roles agent,listing,admin,contractor] [--key-version <n>]
                     [--capacity <access>,<carried>,<ownership>,<settings-applied>] [--json]
  lockbox card serve [--pcsc] <card file> [--host 127.0.0.1] [--port 35963] [--json]
  lockbox card info <card file> [--json]

issue   creates a personalized card file (mode 0600, AES-CCM sealed under a chip key derived
        from LOCKBOX_FAB_SECRET, 64 hex digits; \`lockbox --dev card ...\` uses the published
        development secret when it is not set). Refuses to overwrite an existing file.
serve   connects the card to vpcd (pcscd's virtual reader driver, /etc/reader.conf.d/vpcd) so
        opensc-tool, pcsc_scan and pyscard see it in "Virtual PCD"; runs until vpcd disconnects or
        Ctrl-C. --pcsc also starts "pcscd -f" (and stops it on exit) when none is running.
        Every exchange is printed (--json: one JSON object per line).
info    prints the identity, authorization and fill levels of a card file.

Exit codes: 0 done; 1 failed (bad card file, refused data); 2 bad command line; 3 pcscd/vpcd
missing or unreachable.`;

const ROLE_BITS: Record<string, number> = { agent: 1, listing: 2, admin: 4, contractor: 8 };

function hexKey(value: string | undefined, name: string): Uint8Array {
  if (!value || !/^[0-9a-fA-F]{32}$/.test(value)) throw new UsageError(`${name} must be 32 hex digits`);
  return Uint8Array.from(Buffer.from(value, "hex"));
}

function integer(value: string | undefined, name: string): number {
  if (!value || !/^[0-9]+$/.test(value)) throw new UsageError(`${name} must be a non-negative integer`);
  return Number(value);
}

type Values = Record<string, string | boolean | undefined>;

function parse(argv: string[], options: ParseArgsConfig["options"]): { values: Values; positionals: string[] } {
  try {
    const r = parseArgs({ args: argv, allowPositionals: true, strict: true, options });
    return { values: r.values, positionals: r.positionals };
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

async function issue(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    serial: { type: "string" }, association: { type: "string" }, "member-key": { type: "string" }, "mls-id": { type: "string" },
    pin: { type: "string" }, expiry: { type: "string" }, "card-auth-master": { type: "string" }, "server-master": { type: "string" },
    roles: { type: "string" }, "key-version": { type: "string" }, capacity: { type: "string" }, json: { type: "boolean", default: false },
  });
  if (positionals.length !== 1) throw new UsageError("issue takes one card file");
  const path = positionals[0];
  const v = values;
  const expiryText = v.expiry as string | undefined;
  const expiry = expiryText && /^[0-9]+$/.test(expiryText) ? Number(expiryText) : Date.parse(expiryText ?? "") / 1000;
  if (!Number.isFinite(expiry)) throw new UsageError("--expiry must be an ISO date or unix seconds");
  const roles = ((v.roles as string | undefined) ?? "agent").split(",").reduce((bits, r) => {
    if (!(r in ROLE_BITS)) throw new UsageError(`unknown role '${r}'`);
    return bits | ROLE_BITS[r];
  }, 0);
  const capacity = v.capacity as string | undefined;
  let records: [number, number, number, number] | undefined;
  if (capacity) {
    const parts = capacity.split(",").map((x) => integer(x, "--capacity"));
    if (parts.length !== 4) throw new UsageError("--capacity takes four numbers");
    records = parts as [number, number, number, number];
  }
  if (existsSync(path)) {
    console.error(`lockbox card: ${path} exists; refusing to overwrite a card`);
    return EXIT_FAILED;
  }
  const { issueCard, IssueError } = await import("../../simulator/card/issue.ts");
  try {
    const card = issueCard({
      cardSerial: integer(v.serial as string, "--serial"), associationId: integer(v.association as string, "--association"),
      keyVersion: v["key-version"] ? integer(v["key-version"] as string, "--key-version") : undefined, roleFlags: roles,
      memberKey: (v["member-key"] as string | undefined) ?? "", mlsId: (v["mls-id"] as string | undefined) ?? "", pin: (v.pin as string | undefined) ?? "",
      expiry: Math.floor(expiry), cardAuthMaster: hexKey(v["card-auth-master"] as string, "--card-auth-master"),
      serverMaster: hexKey(v["server-master"] as string, "--server-master"), capacities: records ? { records } : undefined,
    }, { path });
    const summary = { file: path, chipId: hex(card.chipId), serial: v.serial, association: v.association, pages: card.eeprom.pageCount, bytes: card.eeprom.bytes.length };
    console.log(v.json ? JSON.stringify(summary) : `issued card ${summary.serial} of association ${summary.association} to ${path} (chip ${summary.chipId}, EEPROM ${summary.bytes} bytes)`);
    return EXIT_OK;
  } catch (err) {
    if (err instanceof IssueError) {
      console.error(`lockbox card: ${err.message}`);
      return EXIT_FAILED;
    }
    throw err;
  }
}

async function loadCard(path: string) {
  const { Card } = await import("../../simulator/card/card.ts");
  const { CardFileError } = await import("../../simulator/card/store.ts");
  try {
    return Card.load(path);
  } catch (err) {
    if (err instanceof CardFileError || (err as NodeJS.ErrnoException).code === "ENOENT") {
      console.error(`lockbox card: ${path}: ${(err as Error).message}`);
      return null;
    }
    throw err;
  }
}

async function info(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { json: { type: "boolean", default: false } });
  if (positionals.length !== 1) throw new UsageError("info takes one card file");
  const card = await loadCard(positionals[0]);
  if (!card) return EXIT_FAILED;
  card.powerOn();
  if (!card.intact) {
    console.error("lockbox card: the card fails its integrity check (answers 6581)");
    return EXIT_FAILED;
  }
  const L = await import("../../protocol/card/layouts.ts");
  const home = card.home();
  const id = new L.Identity();
  L.decodeIdentity(home, card.layout.identity, L.IDENTITY_SIZE, id);
  const auth = new L.Authorization();
  L.decodeAuthorization(home, card.layout.authorization, L.AUTHORIZATION_SIZE, auth);
  const text = (b: Uint8Array): string => Buffer.from(b).toString("latin1").replace(/\0+$/, "");
  const view = new DataView(home.buffer);
  const files = ["access", "carried", "ownership", "settings-applied"].map((name, i) => {
    const first = view.getUint32(card.layout.cursor + 8 * i);
    const next = view.getUint32(card.layout.cursor + 8 * i + 4);
    return { name, held: next - first, capacity: card.layout.caps.records[i], first, next };
  });
  const out = {
    serial: id.cardSerial, association: id.associationId, keyVersion: id.keyVersion, roles: id.roleFlags, memberKey: text(id.memberKey), mlsId: text(id.mlsId),
    expiry: new Date(auth.expiry * 1000).toISOString(), issueCounter: auth.issueCounter, carsTempExpiry: auth.carsTempExpiry, carsMonthCount: auth.carsMonthCount,
    pinTriesLeft: home[card.layout.pin + 8], files,
  };
  if (values.json) console.log(JSON.stringify(out));
  else {
    console.log(`card ${out.serial} (association ${out.association}, key version ${out.keyVersion}) member ${out.memberKey} MLS ${out.mlsId} roles 0x${out.roles.toString(16)}`);
    console.log(`valid until ${out.expiry}, issue ${out.issueCounter}, PIN tries left ${out.pinTriesLeft}`);
    for (const f of files) console.log(`  ${f.name.padEnd(17)} ${f.held}/${f.capacity} records (sequence ${f.first}..${f.next})`);
  }
  return EXIT_OK;
}

function pcscdRunning(): boolean {
  return spawnSync("pgrep", ["-x", "pcscd"]).status === 0;
}

async function serve(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { pcsc: { type: "boolean", default: false }, host: { type: "string" }, port: { type: "string" }, json: { type: "boolean", default: false } });
  if (positionals.length !== 1) throw new UsageError("serve takes one card file");
  const card = await loadCard(positionals[0]);
  if (!card) return EXIT_FAILED;
  let pcscd: ChildProcess | null = null;
  if (values.pcsc && !pcscdRunning()) {
    if (!existsSync("/usr/sbin/pcscd") || !existsSync("/etc/reader.conf.d/vpcd")) {
      console.error("lockbox card: --pcsc needs pcscd and vsmartcard-vpcd (apt-get install pcscd vsmartcard-vpcd)");
      return EXIT_UNAVAILABLE;
    }
    pcscd = spawn("/usr/sbin/pcscd", ["-f"], { stdio: "ignore" });
  }
  const { VpcdBridge } = await import("../../simulator/card/vpcd.ts");
  const json = values.json === true;
  const bridge = new VpcdBridge(card, {
    host: values.host as string | undefined, port: values.port ? integer(values.port as string, "--port") : undefined,
    onEvent: (kind, detail) => {
      if (json) console.log(JSON.stringify({ event: kind, bytes: detail ? hex(detail) : undefined }));
      else console.error(`card: ${kind}${detail ? " " + hex(detail) : ""}`);
    },
  });
  const stop = (): void => {
    bridge.close();
    pcscd?.kill("SIGTERM");
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  try {
    await bridge.connect(pcscd ? 15_000 : 3_000);
  } catch (err) {
    console.error(`lockbox card: ${(err as Error).message}`);
    pcscd?.kill("SIGTERM");
    return EXIT_UNAVAILABLE;
  }
  await bridge.closed();
  pcscd?.kill("SIGTERM");
  return EXIT_OK;
}

export const command: Command = {
  name: "card",
  summary: "issue an emulated SentriCard, serve it to PC/SC (vpcd), show a card file",
  usage,
  async run(argv) {
    const [sub, ...rest] = argv;
    if (sub === "issue") return issue(rest);
    if (sub === "serve") return serve(rest);
    if (sub === "info") return info(rest);
    throw new UsageError("expected issue, serve or info");
  },
};
