// Config for Prisma 6.19's CLI with its WASM schema engine, used only to generate migration SQL
// offline (`node bin/flowtrace.mjs migration-sql`). The runtime uses Prisma 7 (prisma.config.ts).
import { defineConfig } from "prisma6/config";
import { PrismaPg } from "@prisma/adapter-pg";

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  
  adapter: async () => new PrismaPg({ connectionString: process.env.DATABASE_URL ?? "postgresql://localhost/none" }),
});
