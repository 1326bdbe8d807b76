// protocol/ is portable AssemblyScript: under Node it needs the portable globals (u8, i32, ...).
import "../simulator/portable.ts";

// The tests run on the real secret paths, not development mode: a store key and a fab secret from
// the environment, as a deployment has them. Published test values (they seal nothing real); the
// CLI children the tests start inherit them. Tests of the refusals unset them where they need to.
process.env.LOCKBOX_STORE_KEY = "746573742073746f7265206b65792c207075626c69736865642c206e6f742073"; // "test store key, published, not s"
process.env.LOCKBOX_FAB_SECRET = "7465737420666162207365637265742c207075626c697368656420666f722074"; // "test fab secret, published for t"
delete process.env.LOCKBOX_STORE_KEY_FILE;
delete process.env.LOCKBOX_DEV;
