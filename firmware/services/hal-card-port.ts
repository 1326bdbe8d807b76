/**
 * The HAL's card contacts as the T=1 master's CardPort (firmware/services/t1/master.ts): the one
 * adapter the lockbox and the reader firmware both drive their card slot through.
 */
import { CardPort } from "./t1/master";
import { halCardReset, halCardTransmit, halCardReceive, halCardSetFiDi } from "../hal/hal";

export class HalCardPort implements CardPort {
  reset(buf: Uint8Array, off: i32, cap: i32): i32 {
    return halCardReset(buf.dataStart + <usize>off, cap);
  }
  transmit(buf: Uint8Array, off: i32, len: i32): void {
    halCardTransmit(buf.dataStart + <usize>off, len);
  }
  receive(buf: Uint8Array, off: i32, max: i32, timeoutEtu: i32): i32 {
    return halCardReceive(buf.dataStart + <usize>off, max, timeoutEtu);
  }
  setFiDi(fidi: i32): void {
    halCardSetFiDi(fidi);
  }
}
