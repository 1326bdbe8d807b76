// protocol/ is portable AssemblyScript: under Node it needs the portable globals (u8, i32, ...).
import "../simulator/portable.ts";
