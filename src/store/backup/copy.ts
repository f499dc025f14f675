// A copy from one database into another (db:copy): the same tables and checks as a backup, with no
// file between them.

import { pipeline } from "node:stream/promises";
import pg, { type PoolConfig } from "pg";
import { from as copyFrom, to as copyTo } from "pg-copy-streams";
import type { Logger } from "../../log.ts";
import { appliedMigrationNames, BackupError, checkArrived, columnList, connect, listTables, quote, readSequences, type Summary, tableChecksum, type TableSummary, writeSequences } from "./tables.ts";
import { intoEmpty } from "./into-empty.ts";

/**
 * Copies the database at `source` into the empty one at `target`: the schema of the source's
 * migrations, every table streamed from one snapshot, each checked on arrival (row count and
 * checksum), then this version's later migrations.
 */
export async function copyDatabase(source: PoolConfig, target: PoolConfig, where: string, log: Logger): Promise<Summary> {
  const from = await connect(source);
  try {
    await from.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    const migrations = await appliedMigrationNames(from);
    if (migrations.length === 0) throw new BackupError("the source database holds no Warroom data (no migrations applied): nothing to copy");
    const summary = await intoEmpty(target, where, migrations, log, (to) => copyTables(from, to));
    await from.query("COMMIT");
    return summary;
  } finally {
    await from.end();
  }
}

async function copyTables(from: pg.Client, to: pg.Client): Promise<TableSummary[]> {
  const summaries: TableSummary[] = [];
  for (const table of await listTables(from)) {
    const source = from.query(copyTo(`COPY ${quote(table.name)} (${columnList(table)}) TO STDOUT`));
    const sink = to.query(copyFrom(`COPY ${quote(table.name)} (${columnList(table)}) FROM STDIN`));
    await pipeline(source, sink);
    summaries.push(await checkArrived(to, table, await tableChecksum(from, table)));
  }
  await writeSequences(to, await readSequences(from));
  return summaries;
}
