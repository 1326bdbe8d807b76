/**
 * ISO/IEC 7816-3 transmission factors and times, in integer arithmetic so the firmware and the
 * Node build agree to the bit. An elementary time unit (ETU) lasts F/D clock cycles (§7.1); F and
 * D come from TA1 or PPS1 through tables 7 and 8 (§8.3). Indices are the nibbles of TA1/PPS1.
 */

/** Default Fi/Di byte (Fd = 372, Dd = 1) used until a PPS or specific mode changes it. §8.3. */
export const FIDI_DEFAULT: i32 = 0x11;

/** Clock-rate conversion integer Fi for a TA1 high-nibble index, or 0 when the index is RFU. Table 7. */
export function fiOf(index: i32): i32 {
  switch (index) {
    case 0: return 372;
    case 1: return 372;
    case 2: return 558;
    case 3: return 744;
    case 4: return 1116;
    case 5: return 1488;
    case 6: return 1860;
    case 9: return 512;
    case 10: return 768;
    case 11: return 1024;
    case 12: return 1536;
    case 13: return 2048;
    default: return 0;
  }
}

/** Maximum clock frequency f(max) in kHz for a Fi index, or 0 when RFU. Table 7. */
export function fMaxKHzOf(index: i32): i32 {
  switch (index) {
    case 0: return 4000;
    case 1: return 5000;
    case 2: return 6000;
    case 3: return 8000;
    case 4: return 12000;
    case 5: return 16000;
    case 6: return 20000;
    case 9: return 5000;
    case 10: return 7500;
    case 11: return 10000;
    case 12: return 15000;
    case 13: return 20000;
    default: return 0;
  }
}

/** Baud-rate adjustment integer Di for a TA1 low-nibble index, or 0 when RFU. Table 8. */
export function diOf(index: i32): i32 {
  switch (index) {
    case 1: return 1;
    case 2: return 2;
    case 3: return 4;
    case 4: return 8;
    case 5: return 16;
    case 6: return 32;
    case 7: return 64;
    case 8: return 12;
    case 9: return 20;
    default: return 0;
  }
}

/** True when both nibbles of a TA1/PPS1 byte name defined table entries. */
export function fiDiValid(fidi: i32): bool {
  return fiOf((fidi >> 4) & 15) != 0 && diOf(fidi & 15) != 0;
}

/** Bits per second (rounded down) at clock `clockHz` for factors fi, di: D·f/F. §7.1. */
export function bitRate(fi: i32, di: i32, clockHz: i32): i32 {
  if (fi <= 0 || di <= 0 || clockHz <= 0) return 0;
  return i32(u32(u32(clockHz) * u32(di)) / u32(fi));
}

/** Duration of one ETU in nanoseconds (rounded down) at clock `clockKHz`: F/(D·f). §7.1. */
export function etuNanos(fi: i32, di: i32, clockKHz: i32): i32 {
  if (fi <= 0 || di <= 0 || clockKHz <= 0) return 0;
  return i32(u32(u32(fi) * 1000000) / u32(u32(di) * u32(clockKHz)));
}

/** T=1 character waiting time in ETU: 11 + 2^CWI. §11.4.3. */
export function cwtEtu(cwi: i32): i32 {
  return 11 + (1 << (cwi & 15));
}

/**
 * T=1 block waiting time in ETU of the current rate: 11 + 2^BWI · 960 · 372 · D / F (the 960·Fd
 * clock cycles of §11.4.3 expressed in ETU), computed without overflow for BWI 0..9.
 */
export function bwtEtu(bwi: i32, fi: i32, di: i32): i32 {
  if (fi <= 0 || di <= 0 || bwi < 0 || bwi > 9) return 0;
  const x = 357120 << bwi;
  const q = i32(x / fi);
  const r = x - q * fi;
  return 11 + q * di + i32((r * di) / fi);
}
