// The migrations in prisma/migrations produce exactly prisma/schema.prisma, on the embedded
// PostgreSQL 18 and on Debian's PostgreSQL 15, and applying them is idempotent.

import pg from "pg";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/log.ts";
import { applyPendingMigrations, diffMigrationsToSchema, loadMigrationList } from "../../src/store/migrate.ts";
import { createEmptyDatabase, pgServers } from "../support/databases.ts";

const log = createLogger("warn");

describe.each(pgServers().map((s) => [s.name, s] as const))("on %s", (_name, server) => {
  it("the diff from the migrations to schema.prisma is empty", async () => {
    const db = await createEmptyDatabase(server);
    try {
      const sql = await diffMigrationsToSchema({ connectionString: db.url }, log);
      expect(sql.replace(/^-- This is an empty migration\.?$/m, "").trim()).toBe("");
      // the migrations were replayed in a shadow database, never in this one
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      const tables = await client.query("SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'");
      const shadows = await client.query("SELECT count(*)::int AS n FROM pg_database WHERE datname LIKE 'prisma_migrate_shadow_db_%'");
      await client.end();
      expect(tables.rows[0].n).toBe(0);
      expect(shadows.rows[0].n).toBe(0);
    } finally {
      await db.drop();
    }
  });

  it("applies every migration once to an empty database, and nothing the second time", async () => {
    const db = await createEmptyDatabase(server);
    try {
      const list = await loadMigrationList();
      const first = await applyPendingMigrations({ connectionString: db.url }, log);
      expect(first).toEqual(list.migrationDirectories.map((d) => d.path));
      expect(await applyPendingMigrations({ connectionString: db.url }, log)).toEqual([]);
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      const rows = await client.query("SELECT migration_name, count(*)::int AS n FROM _prisma_migrations GROUP BY 1");
      await client.end();
      expect(rows.rows.every((r: { n: number }) => r.n === 1)).toBe(true);
      expect(rows.rowCount).toBe(list.migrationDirectories.length);
    } finally {
      await db.drop();
    }
  });

  it("lets two processes applying at once apply each migration once (the engine's advisory lock)", async () => {
    const db = await createEmptyDatabase(server);
    try {
      const [a, b] = await Promise.all([
        applyPendingMigrations({ connectionString: db.url }, log),
        applyPendingMigrations({ connectionString: db.url }, log),
      ]);
      const list = await loadMigrationList();
      expect([...a, ...b].sort()).toEqual(list.migrationDirectories.map((d) => d.path).sort());
    } finally {
      await db.drop();
    }
  });
});
