// Loading into an empty database only: checked empty first, given the schema of the snapshot's own
// migrations, filled in one transaction, and emptied again if the load fails.

import pg, { type PoolConfig } from "pg";
import type { Logger } from "../../log.ts";
import { applyMigrations, applyPendingMigrations, loadMigrationList } from "../migrate.ts";
import { BackupError, connect, quote, type Summary, type TableSummary } from "./tables.ts";

/** Drops what a failed load created, so the database is empty again and the load can be retried. */
async function emptyAgain(connection: PoolConfig, log: Logger): Promise<void> {
  const client = await connect(connection);
  try {
    const found = await client.query<{ relname: string }>(
      "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')",
    );
    if (found.rows.length > 0) await client.query(`DROP TABLE ${found.rows.map((r) => quote(r.relname)).join(", ")} CASCADE`);
    const types = await client.query<{ typname: string }>(
      "SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = 'public' AND t.typtype = 'e'",
    );
    for (const t of types.rows) await client.query(`DROP TYPE IF EXISTS ${quote(t.typname)} CASCADE`);
  } catch (err) {
    log.error({ err }, "could not empty the database after the failed load");
  } finally {
    await client.end();
  }
}

/** The snapshot's migrations, which must be the first ones of this version's. */
async function assertKnownMigrations(names: string[]): Promise<void> {
  const ours = (await loadMigrationList()).migrationDirectories.map((d) => d.path);
  names.forEach((name, i) => {
    if (ours[i] !== name) {
      throw new BackupError(
        ours.includes(name)
          ? `the data's migrations are not this version's (${name} is applied but an earlier one is not)`
          : `the data was written by a newer Warroom (its migration ${name} is unknown here): use that version or a later one`,
      );
    }
  });
}

/**
 * What a restore and a copy share: the data's migrations must be the first of this version's and the
 * target empty; the schema of those migrations is built, `fill` runs in one transaction (whatever was
 * made is dropped again if it fails, so the target is empty as before), then the later migrations.
 */
export async function intoEmpty(target: PoolConfig, where: string, migrations: string[], log: Logger, fill: (client: pg.Client) => Promise<TableSummary[]>): Promise<Summary> {
  await assertKnownMigrations(migrations);
  await checkEmpty(target, where);
  await applyMigrations(target, log, migrations);
  let tables: TableSummary[];
  try {
    tables = await inTransaction(target, fill);
  } catch (err) {
    await emptyAgain(target, log);
    throw err;
  }
  await applyPendingMigrations(target, log);
  return { tables, rows: tables.reduce((n, t) => n + t.rows, 0), migrations };
}

async function inTransaction<T>(connection: PoolConfig, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = await connect(connection);
  try {
    await client.query("BEGIN");
    const result = await fn(client);
    await client.query("COMMIT");
    return result;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  } finally {
    await client.end();
  }
}

/** Refuses a database that holds anything at all in its public schema. */
async function checkEmpty(connection: PoolConfig, where: string): Promise<void> {
  const client = await connect(connection);
  try {
    const found = await client.query<{ relname: string }>(
      "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S') ORDER BY c.relname",
    );
    const names = found.rows.map((r) => r.relname);
    if (names.length > 0) {
      throw new BackupError(
        `${where} is not empty (${names.length} tables and sequences: ${names.slice(0, 3).join(", ")}${names.length > 3 ? ", …" : ""}); load only into an empty database: a new DATA_DIR, or one made with createdb`,
      );
    }
  } finally {
    await client.end();
  }
}
