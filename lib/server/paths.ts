import path from "node:path";

/** The repository root (where package.json, .next and prisma/ live). */
export const ROOT = path.resolve(import.meta.dirname, "..", "..");
