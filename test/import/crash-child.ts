// Child process of the crash test: starts an import and SIGKILLs itself after applying N member
// records, mid-transaction, the way a power cut or an OOM kill would stop the server.
import { openStore } from "../../simulator/server/db/store.ts";
import { runImport } from "../../simulator/server/import/run.ts";

const [dbPath, from, after] = process.argv.slice(2);
const store = await openStore(dbPath);
await runImport(store.db, {
  associationId: "A1",
  from,
  onProgress: (p) => {
    if (p.phase === "apply" && p.resource === "Member" && p.records === Number(after)) {
      console.log(`killing at record ${after} of Member`);
      process.kill(process.pid, "SIGKILL");
    }
  },
});
console.log("import finished without being killed");
