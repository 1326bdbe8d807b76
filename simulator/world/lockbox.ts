/**
 * A simulated lockbox: the lockbox firmware (build/lockbox.wasm) on a DeviceHost with its own
 * flash (provisioned with the association's factory block) and RTC, plus the conveniences
 * scenarios and tests use: insert a card, type keys, read the audit log out of flash.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { DeviceHost, type DeviceEvent } from "../host/host.ts";
import { UartTap, memoryUart } from "../host/uart.ts";
import type { ByteLink } from "../osdp/cp.ts";
import { Flash } from "../host/flash.ts";
import { Rtc } from "../host/rtc.ts";
import { type SimAssociation, type CardHolder, type LockboxProvision, contactsOf, SECTORS_BEFORE_JOURNAL } from "./association.ts";
import { AuditRecord, decodeAuditRecord, auditRecordMacValid, AUDIT_RECORD_SIZE } from "../../protocol/card/records.ts";
import { crc32 } from "../../protocol/crc.ts";
import type { LineNoise } from "../card/t1-port.ts";
import { aesBlockCipher } from "../crypto/index.ts";
import type { KeyObject } from "node:crypto";
import { BOOT_WASM, partitionSectors, partitionOf, provisionPartition, signedFirmware } from "../image/provision.ts";
import { DEVICE_LOCKBOX } from "../../protocol/image/image.ts";

/** The lockbox firmware build (asconfig target `lockbox`). */
export const LOCKBOX_WASM = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "build", "lockbox.wasm");
/** Flash sector size of the simulated lockbox board (spec §2). */
export const SECTOR_SIZE = 4096;
/** Journal slot size (protocol/SPEC.md Lockbox §2.3). */
export const JOURNAL_SLOT = 64;
/** Keypad codes of the HAL key event. */
export const KEY = { FUNC: 10, ENT: 11, CLR: 12 } as const;
/** Light bits (firmware/lockbox/indicate.ts). */
export const LIGHT = { CODE: 1, READY: 2, ERROR: 4, DND: 8 } as const;

/** How a simulated lockbox is provisioned and started. */
export interface LockboxOptions extends Partial<LockboxProvision> {
  lockboxId: number;
  utc: number;
  seed?: number;
  driftPpm?: number;
  flashPath?: string;
  onEvent?: (e: DeviceEvent) => void;
  /**
   * Field update (protocol/SPEC.md Image §6): the box gets an update partition whose boot block
   * holds `key`'s public half, its primary slot build/lockbox.wasm signed with `key` as `version`
   * (default 1.0.0), and it boots through the boot code. Without it the host runs lockbox.wasm directly.
   */
  firmware?: { key: KeyObject; version?: string };
}

/** A journal record as read back from flash, with its integrity and MAC checks. */
export interface LoggedRecord {
  slot: number;
  record: AuditRecord;
  bytes: Uint8Array;
  macValid: boolean;
}

/** The lockbox firmware on a simulated board, with test and scenario conveniences. */
export class SimLockbox {
  readonly host: DeviceHost;
  readonly id: number;
  readonly journalSectors: number;
  /** The service UART's output, for links to a control panel. */
  readonly uart = new UartTap();
  /** The service port's secure-channel key. */
  readonly scbk: Uint8Array;
  private readonly auditKey: Uint8Array;
  holder: CardHolder | null = null;

  constructor(assoc: SimAssociation, opts: LockboxOptions) {
    this.id = opts.lockboxId;
    this.journalSectors = opts.journalSectors ?? 17;
    const sectors = SECTORS_BEFORE_JOURNAL + this.journalSectors + (opts.firmware ? partitionSectors() : 0);
    const flash = new Flash(sectors * SECTOR_SIZE, SECTOR_SIZE, opts.flashPath ?? null);
    if (opts.firmware && !partitionOf(flash)) {
      provisionPartition(flash, { model: DEVICE_LOCKBOX, key: opts.firmware.key, image: signedFirmware(LOCKBOX_WASM, opts.firmware.version ?? "1.0.0", DEVICE_LOCKBOX, opts.firmware.key) });
    }
    if (flash.bytes[0] === 0xff) {
      flash.bytes.set(assoc.factoryBlock({
        lockboxId: opts.lockboxId, carsPerMonth: opts.carsPerMonth ?? 3, carsConsecutiveDays: opts.carsConsecutiveDays ?? 2,
        journalSectors: this.journalSectors,
      }));
    }
    this.auditKey = assoc.auditKey(opts.lockboxId);
    this.scbk = assoc.serviceKey(opts.lockboxId);
    const onEvent = (e: DeviceEvent): void => {
      this.uart.onEvent(e);
      opts.onEvent?.(e);
    };
    const code = opts.firmware ? { bootRom: BOOT_WASM } : { wasm: LOCKBOX_WASM };
    this.host = new DeviceHost({ ...code, flash, rtc: new Rtc(opts.utc, opts.driftPpm ?? 0), seed: opts.seed ?? opts.lockboxId, onEvent });
    this.host.boot();
  }

  /** An in-memory link to the service port. */
  serviceLink(): ByteLink {
    return memoryUart(this.host, this.uart);
  }

  /** UTC by the lockbox's RTC now. */
  utc(): number {
    return this.host.rtc.read(this.host.micros);
  }

  /** Puts a card in the slot; `noise` corrupts bursts on the card line (simulator/card/t1-port.ts). */
  insert(holder: CardHolder, noise: LineNoise | null = null): void {
    this.holder = holder;
    this.host.insertCard(contactsOf(holder, noise));
  }

  remove(): void {
    this.holder = null;
    this.host.removeCard();
    this.host.advance(1000);
  }

  /**
   * Types keys: digits, `F` FUNC, `E` ENT, `C` CLR; spaces ignored. `gapMs` of simulated time
   * passes before each key (a person typing).
   */
  type(keys: string, gapMs = 300): void {
    for (const ch of keys) {
      if (ch === " ") continue;
      const code = ch === "F" ? KEY.FUNC : ch === "E" ? KEY.ENT : ch === "C" ? KEY.CLR : ch.charCodeAt(0) - 48;
      if (code < 0 || code > 12) throw new Error(`not a key: '${ch}'`);
      this.host.pressKey(code, gapMs);
    }
  }

  /**
   * Parks the box while it is idle (simulator/host/snapshot.ts): the firmware instance is dropped,
   * its memory and the flash are kept compact; the next event brings both back unchanged.
   */
  park(): void {
    this.host.park();
    this.host.flash.compact();
  }

  /** Bytes the box holds for its firmware memory and flash (compact while parked). */
  heldBytes(): number {
    return (this.host.parked ? this.host.parkedBytes() : this.host.memoryBytes()) + this.host.flash.heldBytes();
  }

  /** Compartment or shackle releases among the events. */
  static releases(events: DeviceEvent[]): number[] {
    return events.flatMap((e) => (e.kind === "release" ? [e.actuator] : []));
  }

  /** Every intact record in the journal, oldest first by sequence. */
  auditLog(): LoggedRecord[] {
    const bc = aesBlockCipher();
    const base = SECTORS_BEFORE_JOURNAL * SECTOR_SIZE;
    const slots = (this.journalSectors * SECTOR_SIZE) / JOURNAL_SLOT;
    const out: LoggedRecord[] = [];
    const bytes = this.host.flash.bytes;
    for (let s = 0; s < slots; s++) {
      const at = base + s * JOURNAL_SLOT;
      const rec = bytes.slice(at, at + AUDIT_RECORD_SIZE);
      const stored = new DataView(bytes.buffer, bytes.byteOffset + at + AUDIT_RECORD_SIZE, 4).getUint32(0);
      if (crc32(rec, 0, AUDIT_RECORD_SIZE) !== stored) continue;
      const record = new AuditRecord();
      // Lockbox-only events (clock set, 0x30) are not card events: decode their fields by hand.
      if (decodeAuditRecord(rec, 0, AUDIT_RECORD_SIZE, record) < 0) {
        const v = new DataView(rec.buffer);
        record.lockboxId = v.getUint32(0);
        record.sequence = v.getUint32(4);
        record.utc = v.getUint32(8);
        record.eventType = rec[12];
        record.reason = rec[13];
        record.cardSerial = v.getUint32(14);
        record.payload = rec.slice(18, 30);
      }
      out.push({ slot: s, record, bytes: rec, macValid: auditRecordMacValid(bc, this.auditKey, 0, rec, 0) });
    }
    return out.sort((a, b) => a.record.sequence - b.record.sequence);
  }
}
