/**
 * Runs any device firmware .wasm (lockbox, reader) on simulated hardware by implementing the HAL
 * import module "hal" (firmware/hal/hal.ts). Time is virtual: the host advances a microsecond clock
 * by the card link's wire time, by the delays a caller asks for, and to the firmware's requested
 * wake-ups, so a simulation runs as fast as the host can compute and is reproducible from a seed.
 * Outputs (lights, buzzer, actuators, UART bytes, debug lines) are delivered as events.
 * An idle device can be parked (snapshot.ts): its instance is dropped and its memory kept compact
 * until the next event brings it back, so a fleet of thousands fits in memory.
 */
import { readFileSync } from "node:fs";
import { Flash, PowerCut } from "./flash.ts";
import { Rtc } from "./rtc.ts";
import { SimRandom } from "./random.ts";
import { FIDI_DEFAULT } from "../../protocol/iso7816/timing.ts";
import { etuMicros } from "../card/t1.ts";
import { exportGlobals, MemoryImage, GLOBAL_EXPORT_PREFIX } from "./snapshot.ts";

/** Card interface clock of the simulated board (Hz); the lockbox firmware assumes the same. */
export const CARD_CLOCK_HZ = 4_000_000;
/** ISO 7816-3 character frame: 12 ETU (start, 8 data, parity, 2 guard) for T=1 with N = 0. */
const ETU_PER_CHAR = 12;

/** The card contacts as the simulator's card emulator provides them (simulator/card/t1-port.ts). */
export interface CardContacts {
  reset(buf: Uint8Array, off: number, cap: number): number;
  transmit(buf: Uint8Array, off: number, len: number): void;
  receive(buf: Uint8Array, off: number, max: number, timeoutEtu: number): number;
  setFiDi(fidi: number): void;
  /** Contacts deactivated: the card loses its volatile state. */
  powerOff?(): void;
  /** Simulated microseconds spent on the link so far (characters, processing, timeouts). */
  wireMicros(): number;
}

/** Outputs of the firmware as the host records them (hal.lights, beep, release, uartTransmit, debugLog). */
export type DeviceEvent =
  | { kind: "lights"; atMicros: number; steady: number; flashing: number }
  | { kind: "beep"; atMicros: number; count: number; ms: number }
  | { kind: "release"; atMicros: number; actuator: number; ms: number }
  | { kind: "uart"; atMicros: number; bytes: Uint8Array }
  | { kind: "debug"; atMicros: number; text: string };

/** What a DeviceHost runs and on which simulated parts. */
export interface HostOptions {
  /** Path of the .wasm, or its bytes. */
  wasm: string | Uint8Array<ArrayBuffer>;
  flash: Flash;
  rtc: Rtc;
  seed: number;
  batteryMillivolts?: number;
  /** Called for every output event (in addition to `events`). */
  onEvent?: (e: DeviceEvent) => void;
}

/** The firmware trapped (abort or a wasm trap): a bug, never a reaction to input. */
export class FirmwareTrap extends Error {
  override name = "FirmwareTrap";
}

interface FirmwareExports {
  memory: WebAssembly.Memory;
  _start?: () => void;
  init(): void;
  tick(): void;
  key?(code: number): void;
  cardInserted?(): void;
  cardRemoved?(): void;
  uartRx?(len: number): void;
  uartRxBuffer?(): number;
}

/** A compiled firmware (its globals exported for parking) and the reference its parked memories are kept against. */
interface Firmware {
  module: WebAssembly.Module;
  reference: Uint8Array | null;
}

const moduleCache = new Map<string, Firmware>();

function compile(wasm: string | Uint8Array<ArrayBuffer>): Firmware {
  if (typeof wasm !== "string") return { module: new WebAssembly.Module(exportGlobals(wasm)), reference: null };
  let m = moduleCache.get(wasm);
  if (!m) {
    m = { module: new WebAssembly.Module(exportGlobals(readFileSync(wasm))), reference: null };
    moduleCache.set(wasm, m);
  }
  return m;
}

/** A parked firmware instance: its memory and its mutable globals. */
interface Parked {
  memory: MemoryImage;
  globals: (number | bigint)[];
}

/** One device: a firmware instance and its simulated board (HAL, firmware/hal/hal.ts). */
export class DeviceHost {
  readonly flash: Flash;
  readonly rtc: Rtc;
  /** Simulated time since the host was created, in microseconds. */
  micros = 0;
  events: DeviceEvent[] = [];
  lights = { steady: 0, flashing: 0 };
  /** False after a power cut or trap until reboot(). */
  running = false;
  batteryMillivolts: number;
  /** Why the device stopped, when it did. */
  stopReason: Error | null = null;
  /**
   * Bytes that crossed the card link (ATR included) and the least time they need at the rates in
   * force (12 ETU each): the wire-time lower bound a transaction is measured against.
   */
  cardLink = { bytes: 0, lowerBoundMicros: 0 };

  private readonly firmware: Firmware;
  private readonly random: SimRandom;
  private readonly onEvent?: (e: DeviceEvent) => void;
  private instance: WebAssembly.Instance | null = null;
  private exports: FirmwareExports | null = null;
  private parkedState: Parked | null = null;
  private bootMicros = 0;
  private wakeAtMicros = 0;
  private card: CardContacts | null = null;
  private cardPowered = false;
  private cardFidi = FIDI_DEFAULT;

  private countCardBytes(n: number): void {
    this.cardLink.bytes += n;
    this.cardLink.lowerBoundMicros += n * ETU_PER_CHAR * etuMicros(this.cardFidi, CARD_CLOCK_HZ);
  }

  constructor(opts: HostOptions) {
    this.firmware = compile(opts.wasm);
    this.flash = opts.flash;
    this.rtc = opts.rtc;
    this.random = new SimRandom(opts.seed);
    this.batteryMillivolts = opts.batteryMillivolts ?? 6000;
    this.onEvent = opts.onEvent;
  }

  private emit(e: DeviceEvent): void {
    this.events.push(e);
    this.onEvent?.(e);
  }

  /** The running instance's exports, bringing a parked device back first. */
  private get ex(): FirmwareExports {
    if (!this.exports) this.unpark();
    return this.exports!;
  }

  private mem(ptr: number, len: number): Uint8Array {
    return new Uint8Array(this.ex.memory.buffer, ptr, len);
  }

  private withCard<T>(fallback: T, fn: (c: CardContacts) => T): T {
    const c = this.card;
    if (!c || !this.cardPowered) return fallback;
    const before = c.wireMicros();
    const r = fn(c);
    this.micros += c.wireMicros() - before;
    return r;
  }

  private imports(): WebAssembly.Imports {
    return {
      env: {
        abort: (_msg: number, _file: number, line: number, column: number): never => {
          throw new FirmwareTrap(`firmware abort at ${line}:${column}`);
        },
      },
      hal: {
        cardPresent: (): number => (this.card ? 1 : 0),
        cardReset: (buf: number, cap: number): number => {
          if (!this.card) return 0;
          this.cardPowered = true;
          this.cardFidi = FIDI_DEFAULT;
          const n = this.withCard(0, (c) => c.reset(this.mem(buf, cap), 0, cap));
          this.countCardBytes(n);
          return n;
        },
        cardPowerOff: (): void => {
          if (this.card && this.cardPowered) this.card.powerOff?.();
          this.cardPowered = false;
        },
        cardTransmit: (buf: number, len: number): void => {
          if (this.card && this.cardPowered) this.countCardBytes(len);
          this.withCard(undefined, (c) => c.transmit(this.mem(buf, len), 0, len));
        },
        cardReceive: (buf: number, max: number, timeoutEtu: number): number => {
          const n = this.withCard(0, (c) => c.receive(this.mem(buf, max), 0, max, timeoutEtu));
          this.countCardBytes(n);
          return n;
        },
        cardSetFiDi: (fidi: number): void => {
          this.cardFidi = fidi;
          this.withCard(undefined, (c) => c.setFiDi(fidi));
        },
        uartTransmit: (buf: number, len: number): void => this.emit({ kind: "uart", atMicros: this.micros, bytes: this.mem(buf, len).slice() }),
        flashSize: (): number => this.flash.size,
        flashSectorSize: (): number => this.flash.sectorSize,
        flashRead: (addr: number, buf: number, len: number): number => {
          const src = this.flash.read(addr, len);
          if (!src) return -1;
          this.mem(buf, len).set(src);
          return 0;
        },
        flashProgram: (addr: number, buf: number, len: number): number => this.flash.program(addr, this.mem(buf, len).slice()),
        flashErase: (sector: number): number => this.flash.erase(sector),
        rtcRead: (): number => this.rtc.read(this.micros),
        rtcWrite: (utc: number): void => this.rtc.write(this.micros, utc >>> 0),
        rtcValid: (): number => (this.rtc.valid ? 1 : 0),
        uptimeMs: (): number => Math.floor((this.micros - this.bootMicros) / 1000) >>> 0,
        wakeAfter: (ms: number): void => {
          this.wakeAtMicros = ms > 0 ? this.micros + ms * 1000 : 0;
        },
        lights: (steady: number, flashing: number): void => {
          this.lights = { steady, flashing };
          this.emit({ kind: "lights", atMicros: this.micros, steady, flashing });
        },
        beep: (count: number, ms: number): void => this.emit({ kind: "beep", atMicros: this.micros, count, ms }),
        release: (actuator: number, ms: number): void => this.emit({ kind: "release", atMicros: this.micros, actuator, ms }),
        batteryMillivolts: (): number => this.batteryMillivolts,
        randomBytes: (buf: number, len: number): void => this.mem(buf, len).set(this.random.bytes(len)),
        debugLog: (buf: number, len: number): void =>
          this.emit({ kind: "debug", atMicros: this.micros, text: new TextDecoder().decode(this.mem(buf, len)) }),
      },
    };
  }

  /** Runs one firmware entry point; a power cut stops the device, a trap is rethrown. */
  private call(fn: () => void): void {
    if (!this.running) return;
    try {
      fn();
    } catch (err) {
      this.running = false;
      this.stopReason = err as Error;
      this.cardPowered = false;
      if (err instanceof PowerCut) return;
      if (err instanceof WebAssembly.RuntimeError) throw new FirmwareTrap(`firmware trapped: ${err.message}`);
      throw err;
    }
  }

  private instantiate(): void {
    this.instance = new WebAssembly.Instance(this.firmware.module, this.imports());
    this.exports = this.instance.exports as unknown as FirmwareExports;
  }

  /** The instance's mutable globals, in export order (exportGlobals added them). */
  private globals(): WebAssembly.Global[] {
    return Object.entries(this.instance!.exports).filter(([name]) => name.startsWith(GLOBAL_EXPORT_PREFIX)).map(([, g]) => g as WebAssembly.Global);
  }

  /**
   * Parks the device: keeps its memory (as the chunks that differ from the module's reference
   * image) and its globals, and drops the instance. Any later call brings it back unchanged.
   * Simulated time does not pass for a parked device until it is advanced.
   */
  park(): void {
    if (!this.instance) return;
    const memory = new Uint8Array(this.exports!.memory.buffer);
    this.firmware.reference ??= memory.slice();
    this.parkedState = { memory: MemoryImage.capture(memory, this.firmware.reference), globals: this.globals().map((g) => g.value as number | bigint) };
    this.instance = null;
    this.exports = null;
  }

  /** True while the device is parked. */
  get parked(): boolean {
    return this.parkedState !== null;
  }

  /** Bytes a parked device keeps of its own for its memory (0 when it is running). */
  parkedBytes(): number {
    return this.parkedState ? this.parkedState.memory.bytes + this.parkedState.globals.length * 8 : 0;
  }

  private unpark(): void {
    const p = this.parkedState;
    if (!p) throw new Error("device has no firmware instance");
    this.instantiate();
    p.memory.restore(new Uint8Array(this.exports!.memory.buffer));
    this.globals().forEach((g, i) => (g.value = p.globals[i]));
    this.parkedState = null;
  }

  /** Power-on: a fresh instance (RAM lost), static initialisation, then init(). */
  boot(): void {
    this.parkedState = null;
    this.instantiate();
    this.bootMicros = this.micros;
    this.wakeAtMicros = 0;
    this.running = true;
    this.stopReason = null;
    this.cardPowered = false;
    this.call(() => {
      this.ex._start?.();
      this.ex.init();
    });
    // init() may have trapped, which stops the device: TypeScript's narrowing does not see call() clear `running`.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
    if (this.card && this.running) this.call(() => this.ex.cardInserted?.());
  }

  /** Bytes of the firmware's linear memory (fixed: the firmware may not grow it). */
  memoryBytes(): number {
    return this.ex.memory.buffer.byteLength;
  }

  /**
   * Index one past the highest non-zero byte of linear memory: with the stub runtime every
   * allocation writes a header above the previous ones, so this stays put when nothing is allocated.
   */
  memoryHighWater(): number {
    const m = new Uint8Array(this.ex.memory.buffer);
    let i = m.length;
    while (i > 0 && m[i - 1] === 0) i--;
    return i;
  }

  /** Advances simulated time by ms, delivering the firmware's wake-up when it falls due. */
  advance(ms: number): void {
    const until = this.micros + ms * 1000;
    while (this.running && this.wakeAtMicros !== 0 && this.wakeAtMicros <= until) {
      this.micros = Math.max(this.micros, this.wakeAtMicros);
      this.wakeAtMicros = 0;
      this.call(() => this.ex.tick());
    }
    this.micros = Math.max(this.micros, until);
  }

  /** Puts a card in the slot (card-detect closes). */
  insertCard(contacts: CardContacts): void {
    this.card = contacts;
    this.call(() => this.ex.cardInserted?.());
  }

  /** Takes the card out (card-detect opens). */
  removeCard(): void {
    this.card = null;
    this.cardPowered = false;
    this.call(() => this.ex.cardRemoved?.());
  }

  /** One key press; `gapMs` of simulated time passes first (a person typing). */
  pressKey(code: number, gapMs = 0): void {
    if (gapMs > 0) this.advance(gapMs);
    this.call(() => this.ex.key?.(code));
  }

  /** Bytes arriving on the service UART. */
  uartReceive(bytes: Uint8Array): void {
    const rx = this.ex.uartRxBuffer?.();
    if (rx === undefined) return;
    for (let at = 0; at < bytes.length && this.running; at += 256) {
      const chunk = bytes.subarray(at, at + 256);
      this.mem(rx, chunk.length).set(chunk);
      this.call(() => this.ex.uartRx?.(chunk.length));
    }
  }

  /** Events since the last call, and forgets them. */
  drainEvents(): DeviceEvent[] {
    const e = this.events;
    this.events = [];
    return e;
  }
}
