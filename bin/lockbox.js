#!/usr/bin/env node
// The `lockbox` command: runs tools/lockbox.ts through tsx's loader (the project ships TypeScript).
import { register } from "tsx/esm/api";

register();
await import("../tools/lockbox.ts");
