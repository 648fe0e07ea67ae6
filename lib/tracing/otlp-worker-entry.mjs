// Worker thread entry (lib/tracing/otlp-workers.ts): loads the TypeScript worker through tsx, like
// bin/flowtrace.mjs does for the main thread.
import { register } from "tsx/esm/api";

register();
await import("./otlp-worker.ts");
