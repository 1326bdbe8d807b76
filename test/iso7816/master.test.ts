// The T=1 master against scripted card answers: the connect paths (no card, no T=1, specific mode,
// unanswered PPS) and the S-blocks a card may send mid-exchange. Expected blocks are written out in
// hex with their LRC computed here, independently of protocol/.
import { describe, it, expect } from "vitest";
import { T1Master } from "../../firmware/services/t1/master.ts";
import { OK } from "../../protocol/errors.ts";
import { ERR_LINK_NO_CARD, ERR_LINK_NO_T1, ERR_LINK_ABORTED, ERR_LINK_FAILED } from "../../protocol/iso7816/errors.ts";
import { hex, toHex } from "../support/vectors.ts";

/** Block with its LRC appended. */
function lrc(h: string): string {
  const b = hex(h);
  return h + b.reduce((x, y) => x ^ y, 0).toString(16).padStart(2, "0");
}
/** ATR with its TCK appended. */
function tck(h: string): string {
  const b = hex(h);
  return h + b.subarray(1).reduce((x, y) => x ^ y, 0).toString(16).padStart(2, "0");
}

class ScriptPort {
  resets = 0;
  sent: string[] = [];
  fidis: number[] = [];
  private pending: Uint8Array = new Uint8Array(0);
  constructor(private atr: string | null, private replies: string[]) {}
  reset(buf: Uint8Array, off: number): number {
    this.resets++;
    if (this.atr === null) return 0;
    buf.set(hex(this.atr), off);
    return this.atr.length / 2;
  }
  transmit(buf: Uint8Array, off: number, len: number): void {
    this.sent.push(toHex(buf.subarray(off, off + len)));
    this.pending = hex(this.replies.shift() ?? "");
  }
  receive(buf: Uint8Array, off: number, max: number): number {
    const n = Math.min(max, this.pending.length);
    buf.set(this.pending.subarray(0, n), off);
    this.pending = this.pending.subarray(n);
    return n;
  }
  setFiDi(fidi: number): void {
    this.fidis.push(fidi);
  }
}

const T1_ATR = "3b800181";
const IFS_REQ = "00c101fe3e";
const IFS_RESP = "00e101fe1e";

function run(port: ScriptPort, apdu: string): number | string {
  const m = new T1Master(port, 4_000_000, 1_000_000);
  const c = m.connect();
  if (c !== OK) return c;
  const resp = new Uint8Array(300);
  const a = hex(apdu);
  const r = m.transceive(a, 0, a.length, resp, 0, 300);
  return r < 0 ? r : toHex(resp.subarray(0, r));
}

describe("T1Master connect", () => {
  it("reports a silent slot as ERR_LINK_NO_CARD", () => {
    expect(new T1Master(new ScriptPort(null, []), 4_000_000, 1_000_000).connect()).toBe(ERR_LINK_NO_CARD);
  });

  it("keeps the ATR bytes of the last reset, also of a card it refuses; none for a silent slot", () => {
    const eid = "3b9813400aa503010101ad1311";
    const m = new T1Master(new ScriptPort(eid, []), 4_000_000, 1_000_000);
    expect(m.connect()).toBe(ERR_LINK_NO_T1);
    expect(toHex(m.atrBytes.subarray(0, m.atrLen))).toBe(eid);
    m.port = new ScriptPort(null, []);
    expect(m.connect()).toBe(ERR_LINK_NO_CARD);
    expect(m.atrLen).toBe(0);
  });

  it("refuses a T=0-only card (Belgian eID ATR from t1_blocks.json)", () => {
    expect(new T1Master(new ScriptPort("3b9813400aa503010101ad1311", []), 4_000_000, 1_000_000).connect()).toBe(ERR_LINK_NO_T1);
  });

  it("a card in specific mode (TA2 = T=1) gets no PPS and runs at TA1 at once", () => {
    const port = new ScriptPort(tck("3b90969101" + "11fe"), [IFS_RESP]);
    const m = new T1Master(port, 4_000_000, 1_000_000);
    expect(m.connect()).toBe(OK);
    expect(port.sent).toEqual([IFS_REQ]);
    expect(port.fidis).toEqual([0x96]);
    expect(m.ifsc).toBe(0xfe);
  });

  it("an unanswered PPS makes it reset the card and continue at Fd/Dd", () => {
    const port = new ScriptPort(tck("3b9096" + "8131fe45"), ["", IFS_RESP]);
    const m = new T1Master(port, 4_000_000, 1_000_000);
    expect(m.connect()).toBe(OK);
    expect(port.sent).toEqual(["ff119678", IFS_REQ]);
    expect(port.resets).toBe(2);
    expect(m.fidi).toBe(0x11);
  });
});

describe("T1Master exchange: S-blocks from the card", () => {
  it("answers S(IFS request) mid-exchange and uses the new IFSC", () => {
    const port = new ScriptPort(T1_ATR, [IFS_RESP, lrc("00c10110"), "000002900092"]);
    expect(run(port, "00a40000")).toBe("9000");
    expect(port.sent).toEqual([IFS_REQ, lrc("00000400a40000"), lrc("00e10110")]);
  });

  it("answers S(WTX request) with the same multiplier", () => {
    const port = new ScriptPort(T1_ATR, [IFS_RESP, "00c30102c0", "000002900092"]);
    expect(run(port, "00a40000")).toBe("9000");
    expect(port.sent.at(-1)).toBe("00e30102e0");
  });

  it("confirms S(ABORT) and reports ERR_LINK_ABORTED", () => {
    const port = new ScriptPort(T1_ATR, [IFS_RESP, "00c200c2"]);
    expect(run(port, "00a40000")).toBe(ERR_LINK_ABORTED);
    expect(port.sent.at(-1)).toBe("00e200e2");
  });

  it("a card that goes silent: R(other error) ×3, then RESYNCH ×3, then ERR_LINK_FAILED", () => {
    const port = new ScriptPort(T1_ATR, [IFS_RESP]);
    expect(run(port, "00a40000")).toBe(ERR_LINK_FAILED);
    expect(port.sent.slice(2)).toEqual(["00820082", "00820082", "00820082", "00c000c0", "00c000c0", "00c000c0"]);
  });

  it("an EDC error is answered with R(EDC error) and the card's retransmission is accepted", () => {
    const port = new ScriptPort(T1_ATR, [IFS_RESP, "000002900093", "000002900092"]);
    expect(run(port, "00a40000")).toBe("9000");
    expect(port.sent.at(-1)).toBe("00810081");
  });
});
