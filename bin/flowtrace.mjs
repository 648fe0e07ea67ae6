#!/usr/bin/env node
// flowtrace command line: `flowtrace server` (default), `build`, `generate`, `test`.
// The commands are TypeScript in lib/server/, loaded through tsx.
import { spawn } from "node:child_process";
import { register } from "tsx/esm/api";

const [cmd = "server", ...args] = process.argv.slice(2);

// The server allocates many short-lived objects per span (decode, derive, COPY rows); a larger young
// generation cuts its GC time by about a quarter (limits.md). V8 takes the flag only at start, so the
// server re-executes itself with it once. 32 MB since big OTLP bodies are decoded in a worker thread (which
// sets its own): the same throughput as 64 MB in bench:otlp, with ~50 MB less resident memory.
// (Started with the flag already, e.g. by the test runner, it does not re-execute: one process to measure.)
const SEMI_SPACE = "--max-semi-space-size=32";
const info = ["--help", "-help", "help", "-?", "--version", "-V", "version"];
const wantsServer = (cmd === "server" || cmd.startsWith("-")) && ![cmd, ...args].some((a) => info.includes(a));

// `npm start` runs us through `sh -c`, and a SIGINT or SIGTERM sent to npm's own process reaches that shell,
// which dies without passing it on: we would run on, orphaned. So under npm, a parent that goes away is
// taken as SIGTERM (graceful stop: in-flight requests finish, PostgreSQL stops).
function stopWhenOrphaned(stop) {
  if (!process.env.npm_lifecycle_event) return;
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) stop();
  }, 500).unref();
}

if (wantsServer && !process.execArgv.some((a) => a.startsWith("--max-semi-space-size")) && !process.env.FLOWTRACE_NO_REEXEC) {
  const child = spawn(process.execPath, [SEMI_SPACE, ...process.execArgv, ...process.argv.slice(1)], { stdio: "inherit" });
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(sig, () => child.kill(sig));
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
  stopWhenOrphaned(() => child.kill("SIGTERM"));
} else {
  if (wantsServer) stopWhenOrphaned(() => process.kill(process.pid, "SIGTERM"));
  register();
  const { main } = await import("../lib/server/cli.ts");
  await main(cmd, args);
}
