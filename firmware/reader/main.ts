/**
 * Reader firmware entry points (events of firmware/hal/hal.ts; protocol/SPEC.md (Reader chapter)): the OSDP
 * peripheral device on the USB-serial UART (firmware/services/osdp/pd.ts) with the reader
 * application (reader.ts) as its handler, the card slot through the shared T=1 master, and the
 * lights. Everything is allocated at start; every event does bounded work and returns.
 *
 * Flash holds the OSDP secure-channel base key (16 bytes at address 0) and, at its top, the update
 * partition (protocol/SPEC.md Image §6). A reader whose key is still erased accepts the
 * install-mode key SCBK-D so a host can set one with osdp_KEYSET.
 */
import {
  halCardPowerOff, halCardPresent, halUartTransmit, halLights,
  halRandomBytes, halFlashRead, halFlashProgram, halFlashErase, halWakeAfter, halSystemReset,
} from "../hal/hal";
import { Aes128 } from "../crypto/index";
import { HalCardPort } from "../services/hal-card-port";
import { OsdpPd } from "../services/osdp/pd";
import { Reader, ReaderBoard } from "./reader";
import { FirmwareUpdate } from "../services/update";
import { cryptoSelfTest } from "../services/self-test";
import { OsdpPdId, OsdpFileStatus } from "../../protocol/osdp/replies";
import { OsdpFileTransfer } from "../../protocol/osdp/commands";
import { ImageStatus, encodeImageStatus, IMAGE_STATUS_SIZE } from "../../protocol/service/image";
import { DEVICE_READER } from "../../protocol/image/image";

/** OSDP address of the reader (§5.3): the only PD on its USB link. */
const READER_ADDRESS: u8 = 0;
/** Milliseconds of bus silence after which a partial packet is abandoned (OSDP §5.9 inter-character timeout). */
const IDLE_MS: i32 = 20;
/** Size of the buffer the host writes received UART bytes into. */
const RX_SIZE: i32 = 256;

class HalBoard implements ReaderBoard {
  lights(steady: i32, flashing: i32): void {
    halLights(steady, flashing);
  }
  transmit(buf: Uint8Array, off: i32, len: i32): void {
    halUartTransmit(buf.dataStart + <usize>off, len);
  }
  random(out: Uint8Array, off: i32, len: i32): void {
    halRandomBytes(out.dataStart + <usize>off, len);
  }
  storeScbk(key: Uint8Array, off: i32): bool {
    if (halFlashErase(0) != 0) return false;
    return halFlashProgram(0, key.dataStart + <usize>off, 16) == 0;
  }
  cardPowerOff(): void {
    halCardPowerOff();
  }
  firmwareVersion(into: OsdpPdId): void {
    into.fwMajor = update.hasRunning ? update.running.major : 1;
    into.fwMinor = update.hasRunning ? update.running.minor : 0;
    into.fwBuild = update.hasRunning ? u8(update.running.revision) : 0;
  }
  fileTransfer(cmd: OsdpFileTransfer, status: OsdpFileStatus): bool {
    return update.fileTransfer(cmd, status);
  }
  imageStatus(out: Uint8Array, off: i32): i32 {
    update.status(imageStatus);
    return encodeImageStatus(imageStatus, out, off, IMAGE_STATUS_SIZE);
  }
}

/** The field update service (Image §7). */
const update = new FirmwareUpdate(DEVICE_READER);
const imageStatus = new ImageStatus();

const scbk = new Uint8Array(16);
const reader = new Reader(new HalBoard(), new HalCardPort());
const aes = new Aes128();
let pd: OsdpPd | null = null;
const rx = new Uint8Array(RX_SIZE);

/** True when every byte of the key is 0xFF (flash erased: never provisioned). */
function erased(key: Uint8Array): bool {
  for (let i = 0; i < key.length; i++) if (key[i] != 0xff) return false;
  return true;
}

/** Power-on reset: loads the SCBK, starts the PD, reports a card already in the slot. */
export function init(): void {
  if (halFlashRead(0, scbk.dataStart, 16) != 0) scbk.fill(0xff);
  update.start();
  const p = new OsdpPd(READER_ADDRESS, scbk, aes, reader);
  p.scbkDEnabled = erased(scbk);
  p.fileTransferNeedsSecure = true;
  pd = p;
  reader.showLights();
  if (halCardPresent()) reader.cardInserted();
  // A test boot of a new image: it stays only if it passes its self-test (Image §7.3).
  if (update.testing()) {
    if (!cryptoSelfTest(aes) || update.confirm() != 0) halSystemReset();
  }
}

/** The wake-up after bus silence: abandon a partial OSDP packet. */
export function tick(): void {
  if (pd) pd!.idle();
}

/** Address of the buffer where the host places received UART bytes before uartRx. */
export function uartRxBuffer(): usize {
  return rx.dataStart;
}

/** UART bytes arrived: the PD frames them and answers complete commands. */
export function uartRx(len: i32): void {
  if (len <= 0 || len > RX_SIZE || !pd) return;
  pd!.receive(rx, 0, len);
  halWakeAfter(IDLE_MS);
  // An accepted firmware image: reset once the reply is out; the boot code takes over (Image §7).
  if (update.resetRequested) halSystemReset();
  else update.afterReply();
}

/** Card detect closed. */
export function cardInserted(): void {
  reader.cardInserted();
}

/** Card detect opened. */
export function cardRemoved(): void {
  reader.cardRemoved();
}
