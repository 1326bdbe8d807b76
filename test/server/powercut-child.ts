// Child process of the power-cut test (test/server/powercut.test.ts): runs a renewal of the card in
// <card file> against the store <db>, and SIGKILLs itself the moment the server hands the card its
// APPLY RECEIPT, the instant after which the card would free the uploaded records. With "NORMAL" as
// the third argument the store runs with the pre-issue-12 synchronous setting, to show what it lost.
import "../../simulator/portable.ts";
import { openStore } from "../../simulator/server/db/store.ts";
import { runRenewal } from "../../simulator/server/renewal.ts";
import { Card } from "../../simulator/card/card.ts";
import { CLA_SECURE, INS_APPLY_RECEIPT } from "../../protocol/card/commands.ts";

const [dbPath, cardPath, synchronous] = process.argv.slice(2);
const store = await openStore(dbPath);
if (synchronous === "NORMAL") store.db.pragma("synchronous = NORMAL");
const card = Card.load(cardPath);
card.powerOn();
let challenge = 1000;
await runRenewal(store.db, {
  now: () => Date.UTC(2026, 2, 10, 16, 0, 0) / 1000,
  randomBytes: (n) => {
    const out = new Uint8Array(n);
    new DataView(out.buffer).setUint32(0, ++challenge);
    return out;
  },
}, async (apdu) => {
  if (apdu[0] === CLA_SECURE && apdu[1] === INS_APPLY_RECEIPT) {
    console.log("power cut as APPLY RECEIPT leaves for the card");
    process.kill(process.pid, "SIGKILL");
  }
  return card.transmitApdu(apdu);
});
console.log("renewal finished without a power cut");
