#!/usr/bin/env node
// flowtrace command line: `flowtrace server` (default), `build`, `generate`, `test`.
// The commands are TypeScript in lib/server/, loaded through tsx.
import { register } from "tsx/esm/api";

register();
const [cmd = "server", ...args] = process.argv.slice(2);
const { main } = await import("../lib/server/cli.ts");
await main(cmd, args);
