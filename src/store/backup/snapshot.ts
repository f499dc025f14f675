// Backups, restores and copies of the whole database, streamed with PostgreSQL's COPY so that memory
// stays flat however large the record. The file format is written down in docs/backups.md; in short,
// a gzip stream of lines: a JSON header, then per table a JSON line, the table's rows in COPY's text
// format (one row a line), the line `\.`, and a JSON line with the row count and checksums; then the
// sequences and a last line that proves the file is whole.
//
// A snapshot is one REPEATABLE READ transaction: every table is read as of the same instant, while
// the bot goes on writing. A load is one transaction too: into an empty database, with the schema of
// the snapshot's own migrations, checked table by table (row count and checksum) before it commits;
// a load that fails leaves the database empty again.

import { createHash } from "node:crypto";
import { once } from "node:events";
import type { Readable, Writable } from "node:stream";
import { finished } from "node:stream/promises";
import pg, { type PoolConfig } from "pg";
import { from as copyFrom, to as copyTo } from "pg-copy-streams";
import type { Logger } from "../../log.ts";
import { appliedMigrationNames, BackupError, checkArrived, columnList, connect, listTables, quote, readSequences, serverVersion, type Summary, tableChecksum, type TableSummary, writeSequences } from "./tables.ts";
import { countNewlines, SnapshotReader } from "./reader.ts";
import { BACKUP_FORMAT, BACKUP_VERSION, backupEndSchema, type BackupHeader, END_OF_DATA, headerSchema, sequencesSchema, tableEndSchema, tableStartSchema } from "./format.ts";
import { intoEmpty } from "./into-empty.ts";

/** Writes the line, waiting when the destination is full. */
async function put(out: Writable, data: string | Buffer): Promise<void> {
  if (!out.write(data)) await once(out, "drain");
}

const jsonLine = (value: unknown) => `${JSON.stringify(value)}\n`;

/**
 * Streams a consistent snapshot of the database at `connection` into `out` (uncompressed lines; the
 * caller compresses). `out` is not ended.
 */
export async function writeSnapshot(connection: PoolConfig, out: Writable): Promise<Summary> {
  const client = await connect(connection);
  try {
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    const migrations = await appliedMigrationNames(client);
    if (migrations.length === 0) throw new BackupError("the database holds no Warroom data (no migrations applied): nothing to back up");
    const tables = await listTables(client);
    const header: BackupHeader = {
      format: BACKUP_FORMAT,
      version: BACKUP_VERSION,
      createdAt: new Date().toISOString(),
      postgres: await serverVersion(client),
      migrations,
      tables,
    };
    await put(out, jsonLine(header));
    const summaries: TableSummary[] = [];
    for (const table of tables) {
      await put(out, jsonLine({ table: table.name }));
      const hash = createHash("sha256");
      let rows = 0;
      const stream = client.query(copyTo(`COPY ${quote(table.name)} (${columnList(table)}) TO STDOUT`));
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        hash.update(chunk);
        rows += countNewlines(chunk);
        await put(out, chunk);
      }
      await put(out, END_OF_DATA);
      const sums = await tableChecksum(client, table);
      if (sums.rows !== rows) throw new BackupError(`table ${table.name}: COPY gave ${rows} rows but the snapshot counts ${sums.rows}`);
      await put(out, jsonLine({ end: table.name, rows, sha256: hash.digest("hex"), checksum: sums.checksum }));
      summaries.push({ name: table.name, rows, checksum: sums.checksum });
    }
    await put(out, jsonLine({ sequences: await readSequences(client) }));
    const total = summaries.reduce((n, t) => n + t.rows, 0);
    await put(out, jsonLine({ end: "backup", tables: summaries.length, rows: total }));
    await client.query("COMMIT");
    return { tables: summaries, rows: total, migrations };
  } finally {
    await client.end();
  }
}

/**
 * Loads a snapshot (uncompressed lines) into the empty database at `connection`, checks every table,
 * then applies the migrations this version has beyond the snapshot's.
 */
export async function loadSnapshot(connection: PoolConfig, input: Readable, where: string, log: Logger): Promise<Summary> {
  const reader = new SnapshotReader(input);
  const header = await reader.json(headerSchema, "a Warroom backup's first line");
  return intoEmpty(connection, where, header.migrations, log, (client) => loadTables(client, header, reader));
}

async function loadTables(client: pg.Client, header: BackupHeader, reader: SnapshotReader): Promise<TableSummary[]> {
  const present = new Map((await listTables(client)).map((t) => [t.name, t]));
  const summaries: TableSummary[] = [];
  for (const table of header.tables) {
    const start = await reader.json(tableStartSchema, `the start of table ${table.name}`);
    if (start.table !== table.name) throw new BackupError(`line ${reader.line}: expected table ${table.name}, found ${start.table}`);
    const here = present.get(table.name);
    const missing = table.columns.filter((c) => !here?.columns.includes(c));
    if (!here || missing.length > 0) {
      throw new BackupError(`table ${table.name}${here ? ` has no column ${missing.join(", ")}` : " does not exist"} in the schema of the backup's migrations`);
    }
    const hash = createHash("sha256");
    const copy = client.query(copyFrom(`COPY ${quote(table.name)} (${columnList(table)}) FROM STDIN`));
    let copyError: unknown;
    copy.on("error", (err: unknown) => (copyError ??= err));
    let rows: number;
    try {
      rows = await reader.data(async (bytes) => {
        if (copyError) throw copyError;
        hash.update(bytes);
        await put(copy, bytes);
      });
      copy.end();
      await finished(copy);
    } catch (err) {
      // the COPY is abandoned (CopyFail) so that the connection can roll the transaction back
      copy.destroy(err as Error);
      await finished(copy).catch(() => undefined);
      throw err;
    }
    const end = await reader.json(tableEndSchema, `the end of table ${table.name}`);
    if (end.end !== table.name) throw new BackupError(`line ${reader.line}: expected the end of table ${table.name}, found ${end.end}`);
    if (end.rows !== rows || end.sha256 !== hash.digest("hex")) {
      throw new BackupError(`table ${table.name}: the file's rows do not match its own record (${rows} read, ${end.rows} written): the file is damaged`);
    }
    summaries.push(await checkArrived(client, table, { rows: end.rows, checksum: end.checksum }));
  }
  const { sequences } = await reader.json(sequencesSchema, "the sequences");
  await writeSequences(client, sequences);
  const end = await reader.json(backupEndSchema, "the backup's last line");
  if (end.tables !== summaries.length || end.rows !== summaries.reduce((n, t) => n + t.rows, 0)) {
    throw new BackupError("the backup's last line does not match its tables: the file is damaged");
  }
  return summaries;
}
