// Commands of bin/flowtrace.mjs. Modules that need the generated Prisma client are imported lazily, so
// `generate` (run by npm's postinstall, before the client exists) works on a fresh clone.
import { build, generatePrismaClient } from "./build";
import { ROOT } from "./paths";

export async function main(cmd: string, args: string[]): Promise<void> {
  switch (cmd) {
    case "server":
      return (await import("./serve")).serveMain(args);
    case "build":
      build(ROOT);
      return;
    case "generate":
      generatePrismaClient(ROOT);
      return;
    case "test": {
      const { runTests } = await import("./test-runner");
      process.exit(await runTests(args));
    }
    // falls through (process.exit never returns)
    case "--help":
    case "help":
      console.log("Usage: flowtrace [server|build|generate|test] [options]\n  flowtrace server --help for the server options");
      return;
    default:
      if (cmd.startsWith("-")) return (await import("./serve")).serveMain([cmd, ...args]);
      console.error(`flowtrace: unknown command '${cmd}' (expected server, build, generate or test)`);
      process.exit(2);
  }
}
