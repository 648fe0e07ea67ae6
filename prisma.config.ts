// Prisma 7 CLI configuration (used by `prisma generate`, and by `prisma migrate deploy` where the schema
// engine is available). The server applies the same migrations itself at start (lib/server/migrate.ts).
import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://localhost:5432/flowtrace" },
});
