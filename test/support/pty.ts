/**
 * Real pseudo-terminals for serial tests: socat creates a linked PTY pair, one end for the
 * simulated device, the other for the tool under test (docs/ARCHITECTURE.md §3 "same bytes on every
 * transport"). Tests skip with this reason when socat is missing.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { SerialPort } from "serialport";
import { socatAvailable } from "../../simulator/host/uart.ts";

/** Why PTY tests cannot run here, or null when they can. */
export function ptyUnavailable(): string | null {
  return socatAvailable() ? null : "socat is not installed (apt-get install socat)";
}

/** Starts socat with two linked raw PTYs; resolves with their paths and the process. */
export async function ptyPair(): Promise<{ device: string; tool: string; socat: ChildProcess }> {
  const socat = spawn("socat", ["-d", "-d", "pty,raw,echo=0", "pty,raw,echo=0"], { stdio: ["ignore", "ignore", "pipe"] });
  const paths: string[] = [];
  await new Promise<void>((resolve, reject) => {
    let text = "";
    const timer = setTimeout(() => reject(new Error(`socat did not print two PTYs: ${text}`)), 5000);
    socat.stderr.on("data", (d: Buffer) => {
      text += d.toString();
      for (const m of text.matchAll(/PTY is (\S+)/g)) if (!paths.includes(m[1])) paths.push(m[1]);
      if (paths.length === 2) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return { device: paths[0], tool: paths[1], socat };
}

/** Opens one end of a PTY pair at 115200 baud through serialport. */
export function openSerial(path: string): Promise<SerialPort> {
  return new Promise((resolve, reject) => {
    const port = new SerialPort({ path, baudRate: 115200 }, (err) => (err ? reject(err) : resolve(port)));
  });
}
