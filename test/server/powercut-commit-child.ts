// Child process of the power-cut test: commits one transaction through the store (the way an
// import's apply, a CARS code or staged settings commit) and SIGKILLs itself as soon as COMMIT
// returns, the moment the server would acknowledge it.
import { openStore } from "../../simulator/server/db/store.ts";
import { upsertAssociation } from "../../simulator/server/db/associations.ts";

const [dbPath] = process.argv.slice(2);
const store = await openStore(dbPath);
upsertAssociation(store.db, "acknowledged", { name: "committed just before the power cut" });
console.log("committed; power cut");
process.kill(process.pid, "SIGKILL");
