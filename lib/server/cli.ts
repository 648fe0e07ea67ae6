// Commands of bin/flowtrace.mjs. Modules that need the generated Prisma client are imported lazily, so
// `generate` (run by npm's postinstall, before the client exists) works on a fresh clone.
import { readFileSync } from "node:fs";
import path from "node:path";
import { build, buildForPackage, generatePrismaClient } from "./build";
import { USAGE } from "./config";
import { ROOT } from "./paths";

export function flowtraceVersion(): string {
  return (JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string }).version;
}

export const MAIN_USAGE = `flowtrace ${"<version>"}: a tracing server and UI that speaks MLflow Tracing's protocols

Usage: flowtrace [command] [options]

Commands:
  server      start the server and UI (the default command)
  build       build the web app (npm start does this when needed)
  generate    generate the database client (npm install does this)
  test        run the test suite (npm test)
  help        print this help; "flowtrace help server" for the server's options

${USAGE}`;

const isHelp = (a: string) => a === "--help" || a === "-help" || a === "help" || a === "-?";
const isVersion = (a: string) => a === "--version" || a === "-V" || a === "version";

export async function main(cmd: string, args: string[]): Promise<void> {
  // --help and --version work in every position and form (`flowtrace --help`, `flowtrace server --help`,
  // `npm start -- --help`, `flowtrace help server`) and exit 0. -h stays --host, as in `mlflow server`.
  if (isHelp(cmd) || (cmd === "server" && args.some(isHelp)) || (cmd.startsWith("-") && [cmd, ...args].some(isHelp))) {
    console.log(cmd === "server" || args[0] === "server" ? USAGE : MAIN_USAGE.replace("<version>", flowtraceVersion()));
    return;
  }
  if (isVersion(cmd) || ((cmd === "server" || cmd.startsWith("-")) && args.some(isVersion))) {
    console.log(`flowtrace ${flowtraceVersion()}`);
    return;
  }
  switch (cmd) {
    case "server":
      return (await import("./serve")).serveMain(args);
    case "build":
      await (args.includes("--package") ? buildForPackage(ROOT) : build(ROOT));
      return;
    case "generate":
      generatePrismaClient(ROOT);
      return;
    case "test": {
      const { runTests } = await import("./test-runner");
      process.exit(await runTests(args));
    }
    // falls through (process.exit never returns)
    default:
      if (cmd.startsWith("-")) return (await import("./serve")).serveMain([cmd, ...args]);
      console.error(`flowtrace: error: unknown command '${cmd}' (expected server, build, generate, test or help; flowtrace --help for the options)`);
      process.exit(2);
  }
}
