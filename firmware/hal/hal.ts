/**
 * The hardware abstraction layer: the ONLY import surface of the device firmware (docs/ARCHITECTURE.md §3.1,
 * issue 5 "HAL"). Nothing else in firmware/ declares imports. Every call is synchronous and
 * returns quickly; buffers are passed as (pointer, length) into the firmware's own linear memory.
 * A host (simulator/host, or C glue after wasm2c) provides module "hal"; the AssemblyScript
 * runtime's own `env.abort(msg, file, line, column)` is the abort handler: the host must stop the
 * device and report it (a trap is a firmware bug, never a reaction to input).
 *
 * Firmware entry points are events, exported by the application (firmware/lockbox/main.ts):
 *
 *   init()             power-on reset; may call any HAL function
 *   tick()             the wake-up the firmware asked for with halWakeAfter (or any periodic call)
 *   uartRx(len)        `len` bytes arrived on the service UART, already placed at uartRxBuffer()
 *   cardInserted()     the card-detect switch closed
 *   cardRemoved()      the card-detect switch opened
 *   key(code)          a keypad key went down: 0..9 digits, 10 FUNC, 11 ENT, 12 CLR
 *
 * Timing: uptime is in milliseconds from power-on; RTC is UTC seconds since 1970.
 *
 * Porting (wasm2c + a C toolchain, or another host): implement every function below; none is
 * re-entered (the firmware never calls back into itself from an import), none may call a firmware
 * export. Deliver events one at a time from the main loop, never from an interrupt. Card calls may
 * block for their timeout (ISO 7816-3 character and block waiting times); every other call returns
 * in microseconds. Pointers are offsets into the firmware's exported `memory` (one 64 KiB page; the
 * firmware never grows it). A failed flash call returns -1 and changes nothing it reports as done.
 * On a device with an update partition the application may not write the boot code's parts of it
 * (primary slot, scratch sector, boot block: protocol/SPEC.md Image §6): such a write returns -1.
 * The simulator's implementation is simulator/host/host.ts; spec: protocol/SPEC.md Lockbox §1
 */

// ---------------------------------------------------------------- card contacts (ISO 7816-3)

/** True while the card-detect switch reports a card. */
@external("hal", "cardPresent")
export declare function halCardPresent(): bool;

/** Powers the card (if off) and resets it; writes the ATR at buf, at most cap bytes; returns its length, 0 = mute. */
@external("hal", "cardReset")
export declare function halCardReset(buf: usize, cap: i32): i32;

/** Removes power from the card contacts (deactivation, ISO 7816-3 §6.4). */
@external("hal", "cardPowerOff")
export declare function halCardPowerOff(): void;

/** Sends len bytes on the I/O line at the current rate; returns when the last one left. */
@external("hal", "cardTransmit")
export declare function halCardTransmit(buf: usize, len: i32): void;

/**
 * Receives up to max bytes into buf, waiting at most timeoutEtu elementary time units for the
 * first byte and between bytes. Returns the count received (fewer than max: the line went quiet).
 */
@external("hal", "cardReceive")
export declare function halCardReceive(buf: usize, max: i32, timeoutEtu: i32): i32;

/** Switches the card UART to the Fi/Di byte (TA1 coding) agreed by PPS. */
@external("hal", "cardSetFiDi")
export declare function halCardSetFiDi(fidi: i32): void;

// ---------------------------------------------------------------- service UART

/** Queues len bytes for transmission on the service UART (OSDP, 8N1). Never blocks. */
@external("hal", "uartTransmit")
export declare function halUartTransmit(buf: usize, len: i32): void;

// ---------------------------------------------------------------- NOR flash

/** Bytes of flash the firmware may use (a whole number of sectors). */
@external("hal", "flashSize")
export declare function halFlashSize(): i32;

/** Erase granularity in bytes (a power of two, e.g. 4096). */
@external("hal", "flashSectorSize")
export declare function halFlashSectorSize(): i32;

/** Copies len bytes at flash address addr into buf; returns 0 or -1 for an address out of range. */
@external("hal", "flashRead")
export declare function halFlashRead(addr: i32, buf: usize, len: i32): i32;

/**
 * Programs len bytes at addr (NOR semantics: bits only go 1 → 0; the range must not cross a
 * 256-byte page). Returns 0, or -1 when out of range. Power may fail before any program.
 */
@external("hal", "flashProgram")
export declare function halFlashProgram(addr: i32, buf: usize, len: i32): i32;

/** Erases one sector to all 0xFF; returns 0, or -1 when out of range. */
@external("hal", "flashErase")
export declare function halFlashErase(sector: i32): i32;

// ---------------------------------------------------------------- time

/** The battery-backed RTC, UTC seconds since 1970-01-01. */
@external("hal", "rtcRead")
export declare function halRtcRead(): u32;

/** Sets the RTC (UTC seconds). */
@external("hal", "rtcWrite")
export declare function halRtcWrite(utc: u32): void;

/** False when the RTC lost power since it was last written (battery swap): its time is a guess. */
@external("hal", "rtcValid")
export declare function halRtcValid(): bool;

/** Milliseconds since power-on (wraps after 49 days). */
@external("hal", "uptimeMs")
export declare function halUptimeMs(): u32;

/** Asks for a tick() after ms milliseconds (the latest request wins; 0 cancels). */
@external("hal", "wakeAfter")
export declare function halWakeAfter(ms: i32): void;

// ---------------------------------------------------------------- user interface and actuators

/** Light bits (firmware/lockbox/indicate.ts names them): `steady` on, `flashing` blink at 2 Hz. */
@external("hal", "lights")
export declare function halLights(steady: i32, flashing: i32): void;

/** Sounds the buzzer `count` times for `ms` milliseconds each (0 = silence). */
@external("hal", "beep")
export declare function halBeep(count: i32, ms: i32): void;

/** Drives actuator `which` (0 key compartment, 1 shackle) to release for ms milliseconds. */
@external("hal", "release")
export declare function halRelease(which: i32, ms: i32): void;

/** Battery voltage in millivolts. */
@external("hal", "batteryMillivolts")
export declare function halBatteryMillivolts(): i32;

// ---------------------------------------------------------------- entropy and debug

/** Fills len bytes at buf from the hardware true random number generator. */
@external("hal", "randomBytes")
export declare function halRandomBytes(buf: usize, len: i32): void;

// ---------------------------------------------------------------- reset

/**
 * Asks for a warm reset (RAM lost; flash and RTC kept) once the current event has returned and the
 * UART transmit queue has drained: the boot code runs again and decides which image to start
 * (protocol/SPEC.md Image §6). Used after a firmware image was received and checked, and when a
 * test-booted image fails its self-test. On an MCU: NVIC_SystemReset after the UART drains.
 */
@external("hal", "systemReset")
export declare function halSystemReset(): void;

/** A debug line (ASCII, no newline) for the developer's console; no effect in production builds. */
@external("hal", "debugLog")
export declare function halDebugLog(buf: usize, len: i32): void;

/** Key codes of the keypad events. */
export const KEY_FUNC: i32 = 10;
export const KEY_ENT: i32 = 11;
export const KEY_CLR: i32 = 12;
/** Actuator numbers of halRelease. */
export const ACTUATOR_COMPARTMENT: i32 = 0;
export const ACTUATOR_SHACKLE: i32 = 1;
