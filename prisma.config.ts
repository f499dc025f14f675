// Prisma CLI configuration. The bot itself never runs the CLI: it applies migrations with
// Prisma's WebAssembly schema engine (src/store/migrate.ts), and the client is generated with
// `npm run db:generate`. This file lets a user with normal internet access use the stock
// `npx prisma migrate …` commands on the same folder. A plain object (what `defineConfig` from
// "prisma/config" returns), since the CLI is not installed in the project.
export default {
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "" },
};
