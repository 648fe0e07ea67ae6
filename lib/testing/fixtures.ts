// The recorded wire exchanges of real MLflow / OpenTelemetry clients (copied from the team's shared
// reference material into the repo, so a clone on any machine can replay them).
import path from "node:path";
import { ROOT } from "../server/paths";

export const WIRE_FIXTURES_DIR = process.env.FLOWTRACE_WIRE_FIXTURES ?? path.join(ROOT, "e2e", "fixtures", "wire");
