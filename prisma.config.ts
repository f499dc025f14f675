// Prisma CLI configuration. The bot itself never runs the CLI: it applies migrations with
// Prisma's WebAssembly schema engine (src/store/migrate.ts). This file lets a user with
// normal internet access use the stock `prisma migrate` commands on the same folder.
import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "" },
});
