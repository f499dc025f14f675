// The migrations in prisma/migrations produce exactly prisma/schema.prisma, on the embedded
// PostgreSQL 18 and on Debian's PostgreSQL 15, and applying them is idempotent. The bot applies them
// as SQL files; Prisma's engine (prisma migrate deploy) applying them gives the same schema and the
// same records in _prisma_migrations, and either takes over from the other.

import pg from "pg";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/log.ts";
import { applyMigrations, applyPendingMigrations, applyWithEngine, diffMigrationsToSchema, loadMigrationList } from "../../src/store/migrate.ts";
import { migrationChecksum } from "../../src/store/migrate-sql.ts";
import { createEmptyDatabase, pgServers } from "../support/databases.ts";

const log = createLogger("warn");

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

/** The whole schema of public, from the catalogs: tables' columns, constraints, indexes, enums, sequences, functions, triggers. */
async function schemaOf(url: string): Promise<Record<string, unknown[]>> {
  return {
    columns: await query(url, `SELECT table_name, column_name, ordinal_position, data_type, udt_name, is_nullable, column_default, character_maximum_length, numeric_precision
      FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`),
    constraints: await query(url, `SELECT conrelid::regclass::text AS tbl, conname, contype, pg_get_constraintdef(oid) AS def
      FROM pg_constraint WHERE connamespace = 'public'::regnamespace ORDER BY 1, 2`),
    indexes: await query(url, "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1, 2"),
    enums: await query(url, `SELECT t.typname, e.enumsortorder, e.enumlabel FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
      WHERE t.typnamespace = 'public'::regnamespace ORDER BY 1, 2`),
    sequences: await query(url, "SELECT sequencename, data_type, start_value, increment_by FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1"),
    functions: await query(url, "SELECT proname, pg_get_functiondef(oid) AS def FROM pg_proc WHERE pronamespace = 'public'::regnamespace ORDER BY 1"),
    triggers: await query(url, "SELECT tgrelid::regclass::text AS tbl, tgname, pg_get_triggerdef(oid) AS def FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1, 2"),
  };
}

/** What _prisma_migrations says of each migration, but its id and times. */
async function recordsOf(url: string): Promise<unknown[]> {
  return query(url, `SELECT migration_name, checksum, logs, rolled_back_at, applied_steps_count, finished_at IS NOT NULL AS finished, finished_at >= started_at AS ordered, length(id) AS id_length
    FROM _prisma_migrations ORDER BY migration_name`);
}

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
  it("gives, applied as SQL files, the schema and the records Prisma's engine gives; each takes over from the other", async () => {
    const byEngine = await createEmptyDatabase(server);
    const bySql = await createEmptyDatabase(server);
    const mixed = await createEmptyDatabase(server);
    try {
      const list = await loadMigrationList();
      const names = list.migrationDirectories.map((d) => d.path);
      expect(await applyWithEngine({ connectionString: byEngine.url }, log)).toEqual(names);
      expect(await applyMigrations({ connectionString: bySql.url }, log)).toEqual(names);
      expect(await schemaOf(bySql.url)).toEqual(await schemaOf(byEngine.url));
      const records = await recordsOf(bySql.url);
      expect(records).toEqual(await recordsOf(byEngine.url));
      // the checksum is the SHA-256 of the file, as the engine wrote it
      const first = list.migrationDirectories[0]?.migrationFile.content;
      expect((records[0] as { checksum: string }).checksum).toBe(migrationChecksum(first?.tag === "ok" ? first.value : ""));
      // a database the engine migrated is recognised: nothing applied again
      expect(await applyMigrations({ connectionString: byEngine.url }, log)).toEqual([]);

      // the engine applies the first two, the SQL files the rest, and the engine then finds nothing to do
      expect(await applyWithEngine({ connectionString: mixed.url }, log, names.slice(0, 2))).toEqual(names.slice(0, 2));
      expect(await applyMigrations({ connectionString: mixed.url }, log)).toEqual(names.slice(2));
      expect(await applyWithEngine({ connectionString: mixed.url }, log)).toEqual([]);
      expect(await schemaOf(mixed.url)).toEqual(await schemaOf(byEngine.url));
    } finally {
      for (const d of [byEngine, bySql, mixed]) await d.drop();
    }
  });

  it("refuses to go on past a migration recorded as failed, naming it and the way out", async () => {
    const db = await createEmptyDatabase(server);
    try {
      const names = (await loadMigrationList()).migrationDirectories.map((d) => d.path);
      await applyMigrations({ connectionString: db.url }, log, names.slice(0, 1));
      await query(db.url, `INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, applied_steps_count) VALUES ('00000000-0000-4000-8000-000000000000', 'x', '${names[1]}', now(), 0)`);
      await expect(applyMigrations({ connectionString: db.url }, log)).rejects.toThrow(new RegExp(`${names[1]} failed earlier .*prisma migrate resolve`));
      // nothing of it was applied
      const tables = await query<{ n: number }>(db.url, "SELECT count(*)::int AS n FROM _prisma_migrations");
      expect(tables[0]?.n).toBe(2);
    } finally {
      await db.drop();
    }
  });
});
