/**
 * Installs AssemblyScript's portable globals (u8(), u16(), i32(), unchecked(), ...) so the
 * portable AssemblyScript in protocol/ runs unchanged under Node. Import it before anything that
 * imports protocol/; every Node entry point (tools/lockbox.ts, tools/bench.ts, test/setup.ts) does.
 */
import "assemblyscript/std/portable/index.js";
