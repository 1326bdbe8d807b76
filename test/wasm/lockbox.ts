// Test harness: exports protocol/time, protocol/cars and protocol/service (lockbox service port and
// reader MFG codecs) through the portable drivers in lockbox-drivers.ts over static buffers, so
// test/protocol-lockbox/ can compare the WASM build with the TypeScript build byte for byte.
// Build target (asconfig.json): "harness-lockbox" → build/harness/lockbox.wasm.
import {
  driveCivilFromDays, driveDayNumber, driveSeconds, driveTzParse, driveTzSweep, driveCars, driveCarsDigits, driveCarsLimits,
  driveStatus, driveMfgHeader, driveReadLog, driveReaderReply, driveCardStatus, driveWindow, driveNames,
} from "./lockbox-drivers";
import { carsMessage, carsCodeFromMac, CARS_MESSAGE_SIZE } from "../../protocol/cars/cars";
import { HmacState } from "../../firmware/crypto/sha256";

const input = new Uint8Array(65536);
const output = new Uint8Array(65536);
const hmac = new HmacState();

export function inputPtr(): usize { return input.dataStart; }
export function outputPtr(): usize { return output.dataStart; }

export function civilFromDays(days: i32): i32 { return driveCivilFromDays(days, output); }
export function dayNumber(year: i32, month: i32, day: i32): i32 { return driveDayNumber(year, month, day, output); }
export function seconds(s: u32, delta: i32): i32 { return driveSeconds(s, delta, output); }
export function tzParse(len: i32): i32 { return driveTzParse(input, len, output); }
export function tzSweep(ruleLen: i32, count: i32): i32 { return driveTzSweep(input, ruleLen, count, output); }
export function cars(serial: u32, day: i32, sequence: i32, macOff: i32): i32 { return driveCars(serial, day, sequence, input, macOff, output); }
export function carsDigits(len: i32): i32 { return driveCarsDigits(input, len, output); }
export function carsLimits(carsMonth: i32, monthCount: i32, lastDay: i32, consecutive: i32, today: i32, month: i32, perMonth: i32, consecutiveDays: i32): i32 {
  return driveCarsLimits(carsMonth, monthCount, lastDay, consecutive, today, month, perMonth, consecutiveDays);
}
export function status(len: i32): i32 { return driveStatus(input, len, output); }
export function mfgHeader(sub: u8, len: i32): i32 { return driveMfgHeader(sub, input, len, output); }
export function readLog(fromSeq: u32, maxRecords: i32): i32 { return driveReadLog(fromSeq, maxRecords, output); }
export function readerReply(sub: u8, len: i32): i32 { return driveReaderReply(sub, input, len, output); }
export function cardStatus(len: i32): i32 { return driveCardStatus(input, len, output); }
export function window(off: i32, len: i32): i32 { return driveWindow(off, len, output); }
export function names(code: i32): i32 { return driveNames(code, output); }

/**
 * The CARS code as the lockbox firmware computes it: input = CARS key (keyLen); HMAC-SHA256 with the
 * firmware's SHA-256 over carsMessage, then carsCodeFromMac. output = message (8) ‖ MAC (32).
 */
export function carsCode(keyLen: i32, serial: u32, day: i32, sequence: i32): i32 {
  carsMessage(serial, day, sequence, output, 0);
  hmac.setKeyAt(input.dataStart, keyLen);
  hmac.macAt(output.dataStart, CARS_MESSAGE_SIZE, output.dataStart + <usize>CARS_MESSAGE_SIZE);
  return carsCodeFromMac(output, CARS_MESSAGE_SIZE);
}
