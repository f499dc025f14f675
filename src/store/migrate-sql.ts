// The migrations applied as their own migration.sql files, without the schema engine: in order, in
// one transaction, under the advisory lock the engine takes (so a bot and `prisma migrate deploy`
// never run at once), recorded in `_prisma_migrations` as `prisma migrate deploy` records them — a
// team can switch to the Prisma CLI and back. The engine stays for `npm run db:migration` and for
// the test that proves both ways give the same schema and the same records.

import { createHash, randomUUID } from "node:crypto";
import type { MigrationList } from "@prisma/schema-engine-wasm";
import pg, { type PoolConfig } from "pg";
import type { Logger } from "../log.ts";

/** The key of Prisma's schema engine's advisory lock on PostgreSQL (`pg_advisory_lock(72707369)`). */
export const PRISMA_ADVISORY_LOCK = 72707369;

/** `_prisma_migrations` exactly as the engine creates it on PostgreSQL. */
const MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

/** A migration's checksum as Prisma writes it: the SHA-256 of its file, in hex. */
export function migrationChecksum(sql: string): string {
  return createHash("sha256").update(sql, "utf8").digest("hex");
}

interface Recorded {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

/** Applies the list's migrations the database has not finished; returns their names, in order. */
export async function applyWithSql(connection: PoolConfig, list: MigrationList, log: Logger): Promise<string[]> {
  const client = new pg.Client(connection);
  await client.connect();
  try {
    await client.query("BEGIN");
    // conflicts with the engine's session lock on the same key: one migrator at a time
    await client.query("SELECT pg_advisory_xact_lock($1)", [PRISMA_ADVISORY_LOCK]);
    await client.query(MIGRATIONS_TABLE);
    const recorded = (await client.query<Recorded>(`SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"`)).rows;
    const failed = recorded.find((r) => r.finished_at === null && r.rolled_back_at === null);
    if (failed) {
      throw new Error(
        `the migration ${failed.migration_name} failed earlier and is recorded as unfinished in _prisma_migrations: fix the database, then mark it with \`npx prisma migrate resolve --applied ${failed.migration_name}\` (or --rolled-back) and start again`,
      );
    }
    const done = new Map(recorded.filter((r) => r.finished_at !== null && r.rolled_back_at === null).map((r) => [r.migration_name, r.checksum]));
    const applied: string[] = [];
    for (const dir of list.migrationDirectories) {
      const content = dir.migrationFile.content;
      if (content.tag === "error") throw new Error(`${dir.path}/migration.sql could not be read: ${content.value}`);
      const checksum = migrationChecksum(content.value);
      const before = done.get(dir.path);
      if (before !== undefined) {
        if (before !== checksum) log.warn({ migration: dir.path }, "a migration applied earlier was changed since (its checksum differs); it is not applied again");
        continue;
      }
      const id = randomUUID();
      await client.query(`INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count) VALUES ($1, $2, $3, clock_timestamp(), 0)`, [id, checksum, dir.path]);
      try {
        // a file of many statements: the simple query protocol runs them all, inside this transaction
        await client.query(content.value);
      } catch (err) {
        throw new Error(`the migration ${dir.path} failed: ${(err as Error).message}`, { cause: err });
      }
      await client.query(`UPDATE "_prisma_migrations" SET finished_at = clock_timestamp(), applied_steps_count = 1 WHERE id = $1`, [id]);
      applied.push(dir.path);
    }
    await client.query("COMMIT");
    return applied;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  } finally {
    await client.end();
  }
}
