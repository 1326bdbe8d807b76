/**
 * `lockbox image`: Ed25519 keys, and signed firmware images in MCUboot's format
 * (protocol/SPEC.md Image): keygen, sign, verify, info. Images verify with MCUboot's own
 * `imgtool verify -k <public key>`; signing uses node:crypto (simulator/image/image.ts).
 */
import "../../simulator/portable.ts";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { type Command, EXIT_FAILED, EXIT_OK, UsageError } from "../lib/command.ts";

const usage = `Usage:
  lockbox image keygen --key <private.pem> [--public <public.pem>] [--force] [--json]
  lockbox image sign --key <private.pem> --version <major.minor.revision[+build]> --device lockbox|reader
                     [--permit-rollback] [--header-size <n>] <firmware .wasm|.bin> <image file> [--json]
  lockbox image verify --key <private or public .pem> [--device lockbox|reader] [--running <version>] <image> [--json]
  lockbox image info <image> [--json]

keygen  makes an Ed25519 key pair: the private key in PKCS#8 PEM (written 0600), the public key
        in SubjectPublicKeyInfo PEM (what devices are provisioned with, and what imgtool verify -k
        takes). Refuses to overwrite a key unless --force.
sign    wraps the firmware in an MCUboot image (32-byte header, ff up to --header-size, default 32;
        use 512 for an MCU .bin whose vector table must be aligned), with the device TLV, the
        optional permitted-rollback TLV, SHA-256, key hash and the Ed25519 signature of the SHA-256.
        A device refuses an image older than its running firmware unless it was signed with
        --permit-rollback.
verify  checks an image as a device would: structure, key hash, SHA-256, signature, and with
        --device / --running the device kind and the version rule. Prints the refusal's reason.
info    prints the header, the TLVs, the hash and the signature.

Exit codes: 0 done (verify: the image is acceptable); 1 refused or failed; 2 bad command line.`;

type Values = Record<string, string | boolean | undefined>;

function parse(argv: string[], options: ParseArgsConfig["options"]): { values: Values; positionals: string[] } {
  try {
    const r = parseArgs({ args: argv, allowPositionals: true, strict: true, options: { ...options, json: { type: "boolean", default: false } } });
    return { values: r.values, positionals: r.positionals };
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

async function lib(): Promise<typeof import("../../simulator/image/image.ts")> {
  return import("../../simulator/image/image.ts");
}

function readFile(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new UsageError(`cannot read ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

function device(kinds: Record<string, number>, name: string | undefined, required: boolean): number | undefined {
  if (name === undefined) {
    if (required) throw new UsageError("--device lockbox|reader is required");
    return undefined;
  }
  if (!(name in kinds)) throw new UsageError(`--device must be one of ${Object.keys(kinds).join(", ")}`);
  return kinds[name];
}

async function keygen(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { key: { type: "string" }, public: { type: "string" }, force: { type: "boolean", default: false } });
  if (positionals.length > 0) throw new UsageError("keygen takes no positional arguments");
  const keyPath = values.key as string | undefined;
  if (!keyPath) throw new UsageError("--key <private.pem> is required");
  const pubPath = (values.public as string | undefined) ?? keyPath.replace(/(\.pem)?$/, ".pub.pem");
  for (const p of [keyPath, pubPath]) {
    if (existsSync(p) && !values.force) {
      console.error(`lockbox image: ${p} exists; refusing to overwrite a key (--force to replace it)`);
      return EXIT_FAILED;
    }
  }
  const { generateKeyPem, rawPublicKey, publicKeyFromPem, keyHash } = await lib();
  const { privatePem, publicPem } = generateKeyPem();
  writeFileSync(keyPath, privatePem, { mode: 0o600 });
  writeFileSync(pubPath, publicPem, { mode: 0o644 });
  const raw = rawPublicKey(publicKeyFromPem(publicPem));
  const out = { key: keyPath, public: pubPath, publicKey: Buffer.from(raw).toString("hex"), keyHash: Buffer.from(keyHash(raw)).toString("hex") };
  if (values.json) console.log(JSON.stringify(out));
  else console.log(`Ed25519 key pair: private ${keyPath} (0600), public ${pubPath}\npublic key ${out.publicKey}\nkey hash   ${out.keyHash} (the KEYHASH TLV of images it signs)`);
  return EXIT_OK;
}

async function signCmd(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    key: { type: "string" }, version: { type: "string" }, device: { type: "string" }, "permit-rollback": { type: "boolean", default: false },
    "header-size": { type: "string" },
  });
  if (positionals.length !== 2) throw new UsageError("sign takes the firmware file and the image file to write");
  const L = await lib();
  if (!values.key) throw new UsageError("--key <private.pem> is required");
  if (!values.version) throw new UsageError("--version is required");
  let version;
  try {
    version = L.parseVersion(values.version as string);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const model = device(L.DEVICE_KINDS, values.device as string | undefined, true)!;
  const headerText = values["header-size"] as string | undefined;
  const headerSize = headerText === undefined ? 32 : Number(headerText);
  if (!Number.isInteger(headerSize) || headerSize < 32 || headerSize > 0xffff) throw new UsageError("--header-size must be an integer 32..65535");
  let key;
  try {
    key = L.privateKeyFromPem(readFile(values.key as string, "key"));
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`--key: ${(err as Error).message}`);
  }
  const [input, output] = positionals;
  const payload = new Uint8Array(readFile(input, "firmware"));
  if (input.endsWith(".wasm") && !(payload[0] === 0 && payload[1] === 0x61 && payload[2] === 0x73 && payload[3] === 0x6d)) {
    console.error(`lockbox image: ${input} is not a WebAssembly module`);
    return EXIT_FAILED;
  }
  const image = L.signImage({ payload, version, device: model, key, permitRollback: values["permit-rollback"] as boolean, headerSize });
  writeFileSync(output, image);
  const { info } = L.parseImage(image);
  if (values.json) console.log(JSON.stringify({ image: output, ...info }));
  else console.log(`${output}: ${info.device} firmware ${info.version}, ${info.size} bytes (payload ${info.payloadSize}), SHA-256 ${info.sha256}${info.permitsRollback ? ", permits rollback" : ""}`);
  return EXIT_OK;
}

async function verifyCmd(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { key: { type: "string" }, device: { type: "string" }, running: { type: "string" } });
  if (positionals.length !== 1) throw new UsageError("verify takes one image file");
  const L = await lib();
  if (!values.key) throw new UsageError("--key <.pem> is required");
  const model = device(L.DEVICE_KINDS, values.device as string | undefined, false);
  let running;
  try {
    running = values.running === undefined ? undefined : L.parseVersion(values.running as string);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  let publicKey;
  try {
    publicKey = L.rawPublicKey(L.publicKeyFromPem(readFile(values.key as string, "key")));
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`--key: ${(err as Error).message}`);
  }
  const image = new Uint8Array(readFile(positionals[0], "image"));
  try {
    const info = L.verifyImage(image, { publicKey, device: model, running });
    if (values.json) console.log(JSON.stringify({ ok: true, image: positionals[0], ...info }));
    else console.log(`${positionals[0]}: valid ${info.device ?? "(no device TLV)"} image ${info.version}, signed by key hash ${info.keyHash}`);
    return EXIT_OK;
  } catch (err) {
    if (!(err instanceof L.ImageError)) throw err;
    if (values.json) console.log(JSON.stringify({ ok: false, image: positionals[0], error: err.codeName, code: err.code, message: err.message }));
    else console.error(`${positionals[0]}: refused (${err.codeName}): ${err.message}`);
    return EXIT_FAILED;
  }
}

async function infoCmd(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {});
  if (positionals.length !== 1) throw new UsageError("info takes one image file");
  const L = await lib();
  const image = new Uint8Array(readFile(positionals[0], "image"));
  try {
    const { info } = L.parseImage(image);
    if (values.json) console.log(JSON.stringify({ ok: true, image: positionals[0], ...info }));
    else {
      console.log(`${positionals[0]}: MCUboot image, ${info.size} bytes`);
      console.log(`  version          ${info.version}`);
      console.log(`  device           ${info.device ?? "(none)"}${info.permitsRollback ? ", permits rollback" : ""}`);
      console.log(`  header           ${info.headerSize} bytes, payload ${info.payloadSize} bytes`);
      console.log(`  TLV areas        protected ${info.protectedTlvSize} bytes, unprotected ${info.tlvSize} bytes`);
      console.log(`  SHA-256          ${info.sha256}`);
      console.log(`  key hash         ${info.keyHash}`);
      console.log(`  Ed25519 sig      ${info.signature}`);
    }
    return EXIT_OK;
  } catch (err) {
    if (!(err instanceof L.ImageError)) throw err;
    if (values.json) console.log(JSON.stringify({ ok: false, image: positionals[0], error: err.codeName, code: err.code, message: err.message }));
    else console.error(`${positionals[0]}: not a well-formed image (${err.codeName}): ${err.message}`);
    return EXIT_FAILED;
  }
}

export const command: Command = {
  name: "image",
  summary: "Ed25519 keys and signed firmware images (MCUboot format): keygen, sign, verify, info",
  usage,
  async run(argv) {
    const [sub, ...rest] = argv;
    if (sub === "keygen") return keygen(rest);
    if (sub === "sign") return signCmd(rest);
    if (sub === "verify") return verifyCmd(rest);
    if (sub === "info") return infoCmd(rest);
    throw new UsageError("expected keygen, sign, verify or info");
  },
};
