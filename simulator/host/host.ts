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
import { createHash } from "node:crypto";
import { Flash, PowerCut } from "./flash.ts";
import { BootBlock, PartitionLayout, decodeBootBlock, layoutPartition, bootBlockSector, BOOT_BLOCK_SIZE } from "../../protocol/image/partition.ts";
import { ImageHeader, decodeImageHeader } from "../../protocol/image/image.ts";
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
  | { kind: "debug"; atMicros: number; text: string }
  | { kind: "boot"; atMicros: number; result: number; action: number; verdict: number };

/** What a DeviceHost runs and on which simulated parts. */
export interface HostOptions {
  /** Path of the application .wasm, or its bytes (without a boot ROM). */
  wasm?: string | Uint8Array<ArrayBuffer>;
  /**
   * The boot code (build/boot.wasm), played as the board's boot ROM: it runs at every power-on and
   * reset and decides what the primary slot holds; the host then loads the application .wasm from
   * the primary slot's image (protocol/SPEC.md Image §6). Replaces `wasm`.
   */
  bootRom?: string | Uint8Array<ArrayBuffer>;
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

/** The boot code found nothing it may start (`code`: an ERR_IMAGE_* value or -1 for a flash error). */
export class BootFailure extends Error {
  override name = "BootFailure";
  constructor(readonly code: number) {
    super(`the boot code refused to start the device (code ${code})`);
  }
}

/** The exports of build/boot.wasm (firmware/boot/main.ts). */
interface BootExports {
  memory: WebAssembly.Memory;
  _start?: () => void;
  boot(): number;
  bootAction(): number;
  bootVerdict(): number;
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

const imageCache = new Map<string, Firmware>();

/** Compiles an application loaded from flash, once per distinct image (by SHA-256). */
function compileImage(bytes: Uint8Array<ArrayBuffer>): Firmware {
  const key = createHash("sha256").update(bytes).digest("hex");
  let m = imageCache.get(key);
  if (!m) {
    m = { module: new WebAssembly.Module(exportGlobals(bytes)), reference: null };
    imageCache.set(key, m);
  }
  return m;
}

/** The update partition's layout and the application .wasm in the primary slot (after the boot code vouched for it). */
export function primaryPayload(flash: Flash): { layout: PartitionLayout; payload: Uint8Array<ArrayBuffer> } {
  const bytes = flash.bytes;
  const block = new BootBlock();
  const at = bootBlockSector(bytes.length, flash.sectorSize) * flash.sectorSize;
  const layout = new PartitionLayout();
  if (decodeBootBlock(bytes, at, BOOT_BLOCK_SIZE, block) < 0 || layoutPartition(bytes.length, flash.sectorSize, block.slotSectors, layout) < 0) {
    throw new Error("no update partition in flash");
  }
  const base = layout.primary * flash.sectorSize;
  const h = new ImageHeader();
  if (decodeImageHeader(bytes, base, 32, h) < 0) throw new Error("no image header in the primary slot");
  return { layout, payload: bytes.slice(base + h.headerSize, base + h.headerSize + h.imageSize) };
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

  /** The application: `wasm`, or the primary slot's payload loaded at each boot. */
  private firmware: Firmware | null;
  private readonly bootModule: WebAssembly.Module | null;
  /** Flash ranges [from, to) the application may not write (the boot code's): primary slot, scratch, boot block. */
  private protectedRanges: [number, number][] = [];
  private resetRequested = false;
  /** The running module's linear memory (the boot code's while it runs, then the application's). */
  private memory: WebAssembly.Memory | null = null;
  /** The last boot decision: BOOT_* (≥ 0) or the refusal, what the boot code did, the pending image's verdict. */
  lastBoot: { result: number; action: number; verdict: number } | null = null;
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
    if (!opts.wasm === !opts.bootRom) throw new Error("give the host either the application .wasm or a boot ROM");
    this.firmware = opts.wasm ? compile(opts.wasm) : null;
    this.bootModule = opts.bootRom ? compile(opts.bootRom).module : null;
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
    return new Uint8Array((this.memory ?? this.ex.memory).buffer, ptr, len);
  }

  private withCard<T>(fallback: T, fn: (c: CardContacts) => T): T {
    const c = this.card;
    if (!c || !this.cardPowered) return fallback;
    const before = c.wireMicros();
    const r = fn(c);
    this.micros += c.wireMicros() - before;
    return r;
  }

  /** True when the application may not write [addr, addr + len). */
  private writeProtected(addr: number, len: number): boolean {
    return this.protectedRanges.some(([from, to]) => addr < to && addr + Math.max(len, 1) > from);
  }

  private imports(application = true): WebAssembly.Imports {
    const guard = application && this.protectedRanges.length > 0;
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
        flashProgram: (addr: number, buf: number, len: number): number =>
          guard && this.writeProtected(addr, len) ? -1 : this.flash.program(addr, this.mem(buf, len).slice()),
        flashErase: (sector: number): number =>
          guard && this.writeProtected(sector * this.flash.sectorSize, this.flash.sectorSize) ? -1 : this.flash.erase(sector),
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
        systemReset: (): void => {
          this.resetRequested = true;
        },
        debugLog: (buf: number, len: number): void =>
          this.emit({ kind: "debug", atMicros: this.micros, text: new TextDecoder().decode(this.mem(buf, len)) }),
      },
    };
  }

  /**
   * Runs one firmware entry point; a power cut stops the device, a trap is rethrown. A reset the
   * firmware asked for (hal.systemReset) happens once the entry point has returned.
   */
  private call(fn: () => void): void {
    if (!this.running) return;
    try {
      fn();
    } catch (err) {
      this.running = false;
      this.resetRequested = false;
      this.stopReason = err as Error;
      this.cardPowered = false;
      if (err instanceof PowerCut) return;
      if (err instanceof WebAssembly.RuntimeError) throw new FirmwareTrap(`firmware trapped: ${err.message}`);
      throw err;
    }
    if (this.resetRequested) {
      this.resetRequested = false;
      this.boot();
    }
  }

  private instantiate(): void {
    this.instance = new WebAssembly.Instance(this.firmware!.module, this.imports());
    this.exports = this.instance.exports as unknown as FirmwareExports;
    this.memory = this.exports.memory;
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
    const firmware = this.firmware!;
    firmware.reference ??= memory.slice();
    this.parkedState = { memory: MemoryImage.capture(memory, firmware.reference), globals: this.globals().map((g) => g.value as number | bigint) };
    this.instance = null;
    this.exports = null;
    this.memory = null;
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

  /**
   * Power-on (or reset): with a boot ROM, the boot code runs first and the application is loaded
   * from the primary slot; then a fresh application instance (RAM lost), static initialisation, init().
   */
  boot(): void {
    this.parkedState = null;
    this.bootMicros = this.micros;
    this.wakeAtMicros = 0;
    this.running = true;
    this.stopReason = null;
    this.cardPowered = false;
    this.resetRequested = false;
    if (this.bootModule && !this.runBootRom()) return;
    this.instantiate();
    this.call(() => {
      this.ex._start?.();
      this.ex.init();
    });
    // init() may have trapped, which stops the device: TypeScript's narrowing does not see call() clear `running`.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
    if (this.card && this.running) this.call(() => this.ex.cardInserted?.());
  }

  /**
   * The boot ROM: runs build/boot.wasm with full flash access, then loads the application from the
   * primary slot it vouched for and write-protects the boot code's parts of flash. False when the
   * device does not start (a power cut during the boot code, or nothing bootable).
   */
  private runBootRom(): boolean {
    this.instance = null;
    this.exports = null;
    const bootCode = new WebAssembly.Instance(this.bootModule!, this.imports(false)).exports as unknown as BootExports;
    this.memory = bootCode.memory;
    let result = 0;
    this.protectedRanges = [];
    this.call(() => {
      bootCode._start?.();
      result = bootCode.boot();
    });
    this.memory = null;
    if (!this.running) return false; // a power cut during the boot code
    this.lastBoot = { result, action: bootCode.bootAction(), verdict: bootCode.bootVerdict() };
    this.emit({ kind: "boot", atMicros: this.micros, ...this.lastBoot });
    if (result < 0) {
      this.running = false;
      this.stopReason = new BootFailure(result);
      return false;
    }
    const { layout, payload } = primaryPayload(this.flash);
    this.firmware = compileImage(payload);
    const sector = layout.sectorSize;
    this.protectedRanges = [
      [layout.primary * sector, layout.secondary * sector],
      [layout.scratch * sector, (layout.scratch + 1) * sector],
      [layout.bootBlock * sector, (layout.bootBlock + 1) * sector],
    ];
    return true;
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
