// PC/SC bridge: starts its own pcscd in the foreground with the vpcd driver, serves a card through
// simulator/card/vpcd.ts, and talks to it with opensc-tool and python3-pyscard. Skipped, with the
// reason, when the Debian packages are missing or another pcscd already owns the reader socket.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { existsSync } from "node:fs";
import { spawn, spawnSync, execFile, ChildProcess } from "node:child_process";
import { promisify } from "node:util";
import * as C from "../../protocol/card/commands.ts";
import { VpcdBridge } from "../../simulator/card/vpcd.ts";
import { newCard } from "./fixture.ts";

const run = promisify(execFile);

function missing(): string | null {
  const need: [string, string][] = [
    ["/usr/sbin/pcscd", "pcscd"], ["/etc/reader.conf.d/vpcd", "vsmartcard-vpcd"], ["/usr/lib/pcsc/drivers/serial/libifdvpcd.so", "vsmartcard-vpcd"],
    ["/usr/bin/opensc-tool", "opensc"],
  ];
  const absent = need.filter(([path]) => !existsSync(path)).map(([, pkg]) => pkg);
  if (absent.length) return `Debian packages missing: ${[...new Set(absent)].join(", ")} (.ci/run installs them)`;
  if (spawnSync("pgrep", ["-x", "pcscd"]).status === 0) return "a pcscd is already running; this test starts its own in the foreground";
  return null;
}

const reason = missing();
const hasPyscard = existsSync("/usr/bin/python3") && spawnSync("/usr/bin/python3", ["-c", "import smartcard"]).status === 0;
const AID = Buffer.from(C.CARD_AID).toString("hex");

describe.skipIf(reason !== null)(`PC/SC through pcscd + vpcd${reason ? ` (skipped: ${reason})` : ""}`, () => {
  let pcscd: ChildProcess | undefined;
  let bridge: VpcdBridge | undefined;
  const card = newCard();

  beforeAll(async () => {
    pcscd = spawn("/usr/sbin/pcscd", ["-f"], { stdio: "ignore" });
    bridge = new VpcdBridge(card);
    await bridge.connect(15_000);
    for (let i = 0; i < 50; i++) {
      const list = await run("opensc-tool", ["-l"]).catch(() => ({ stdout: "" }));
      if (/0\s+Yes\s+Virtual PCD/.test(list.stdout)) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error("pcscd never reported a card in Virtual PCD");
  });

  afterAll(() => {
    bridge?.close();
    if (pcscd?.pid) pcscd.kill("SIGTERM");
  });

  it("opensc-tool: SELECT, public identity, a protected object refused, INITIALIZE UPDATE answered", async () => {
    const { stdout } = await run("opensc-tool", ["-r", "0", "-s", `00a4040009${AID}`, "-s", "80ca010000", "-s", "80ca020000", "-s", "80500001080102030405060708"]);
    const received = [...stdout.matchAll(/Received \(SW1=0x([0-9A-F]{2}), SW2=0x([0-9A-F]{2})\)/g)].map((m) => m[1] + m[2]);
    expect(received).toEqual(["9000", "9000", "6982", "9000"]);
    // Each dump line is 16 "XX " columns (48 characters), then an ASCII column.
    const dumps = stdout.split("Received").slice(1).map((block) =>
      block.split("\n").slice(1).filter((line) => /^[0-9A-F]{2} /.test(line)).map((line) => line.slice(0, 48).replace(/\s+/g, "")).join("").toLowerCase());
    expect(dumps[1].slice(0, 10)).toBe("0100bc614e");
    expect(dumps[1].length).toBe(2 * 52);
    expect(dumps[3].length).toBe(2 * 29);
    expect(dumps[3].slice(0, 20)).toBe("00000000000000bc614e");
    expect(bridge?.apdus).toBeGreaterThanOrEqual(4);
  });

  it.skipIf(!hasPyscard)("pyscard: ATR is the card's T=1 ATR; SELECT + identity read", async () => {
    const script = [
      "from smartcard.System import readers",
      "from smartcard.util import toHexString",
      "r = [x for x in readers() if 'Virtual PCD' in str(x)][0]",
      "c = r.createConnection(); c.connect()",
      "print(bytes(c.getATR()).hex())",
      `d, a, b = c.transmit(list(bytes.fromhex('00a4040009${AID}'))); print('%02x%02x' % (a, b))`,
      "d, a, b = c.transmit([0x80, 0xca, 0x01, 0x00, 0x00]); print(bytes(d).hex(), '%02x%02x' % (a, b))",
    ].join("\n");
    const { stdout } = await run("/usr/bin/python3", ["-c", script]);
    const [atr, selectSw, identity] = stdout.trim().split("\n");
    expect(atr).toBe(Buffer.from(card.t1().atrBytes).toString("hex"));
    expect(selectSw).toBe("9000");
    expect(identity.endsWith(" 9000")).toBe(true);
    expect(identity.slice(0, 10)).toBe("0100bc614e");
  });
});
