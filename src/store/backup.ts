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
import { finished, pipeline } from "node:stream/promises";
import pg, { type PoolConfig } from "pg";
import { from as copyFrom, to as copyTo } from "pg-copy-streams";
import { z } from "zod";
import type { Logger } from "../log.ts";
import { applyMigrations, applyPendingMigrations, loadMigrationList } from "./migrate.ts";

const BACKUP_FORMAT = "warroom-backup";
const BACKUP_VERSION = 1;

export class BackupError extends Error {}

/** Session settings that make COPY's text (and so the checksums) the same on every server. */
const SESSION = [
  "SET TIME ZONE 'UTC'",
  "SET DateStyle = 'ISO, MDY'",
  "SET IntervalStyle = 'postgres'",
  "SET extra_float_digits = 1",
  "SET bytea_output = 'hex'",
  "SET client_encoding = 'UTF8'",
].join("; ");

const END_OF_DATA = Buffer.from("\\.\n");

interface TableSpec {
  name: string;
  columns: string[];
}

export interface TableSummary {
  name: string;
  rows: number;
  checksum: string;
}

interface SequenceValue {
  name: string;
  /** null for a sequence never used. */
  value: string | null;
}

const headerSchema = z.object({
  format: z.literal(BACKUP_FORMAT),
  version: z.literal(BACKUP_VERSION),
  createdAt: z.string(),
  postgres: z.string(),
  migrations: z.array(z.string()).min(1),
  tables: z.array(z.object({ name: z.string().min(1), columns: z.array(z.string().min(1)).min(1) })),
});
type BackupHeader = z.infer<typeof headerSchema>;

const tableStartSchema = z.object({ table: z.string() });
const tableEndSchema = z.object({ end: z.string(), rows: z.number().int().min(0), sha256: z.string(), checksum: z.string() });
const sequencesSchema = z.object({ sequences: z.array(z.object({ name: z.string(), value: z.string().nullable() })) });
const backupEndSchema = z.object({ end: z.literal("backup"), tables: z.number().int(), rows: z.number().int() });

export interface Summary {
  tables: TableSummary[];
  rows: number;
  migrations: string[];
}

async function connect(connection: PoolConfig): Promise<pg.Client> {
  const client = new pg.Client(connection);
  await client.connect();
  await client.query(SESSION);
  return client;
}

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;
const columnList = (t: TableSpec) => t.columns.map(quote).join(", ");

/**
 * The bot's tables (every base table of the public schema but Prisma's own record of migrations),
 * parents before children, so that a load satisfies each foreign key as it goes.
 */
async function listTables(client: pg.Client): Promise<TableSpec[]> {
  const tables = await client.query<{ name: string; columns: string[] }>(
    `SELECT c.relname AS name, array_agg(a.attname::text ORDER BY a.attnum) AS columns
       FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relname <> '_prisma_migrations'
      GROUP BY c.relname
      ORDER BY c.relname`,
  );
  const edges = await client.query<{ child: string; parent: string }>(
    `SELECT c.relname AS child, p.relname AS parent
       FROM pg_constraint k
       JOIN pg_class c ON c.oid = k.conrelid
       JOIN pg_class p ON p.oid = k.confrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE k.contype = 'f' AND n.nspname = 'public' AND c.oid <> p.oid`,
  );
  const parents = new Map<string, Set<string>>(tables.rows.map((t) => [t.name, new Set<string>()]));
  for (const e of edges.rows) parents.get(e.child)?.add(e.parent);
  const ordered: TableSpec[] = [];
  const placed = new Set<string>();
  while (ordered.length < tables.rows.length) {
    const ready = tables.rows.filter((t) => !placed.has(t.name) && [...(parents.get(t.name) ?? [])].every((p) => placed.has(p)));
    if (ready.length === 0) throw new BackupError("the tables' foreign keys form a cycle; a backup cannot order them");
    for (const t of ready) {
      ordered.push({ name: t.name, columns: t.columns });
      placed.add(t.name);
    }
  }
  return ordered;
}

/**
 * Row count and an order-free checksum of a table's rows: the sums of two 60-bit slices of each
 * row's MD5. The same rows give the same figure on any server, whatever their physical order.
 */
async function tableChecksum(client: pg.Client, table: TableSpec): Promise<{ rows: number; checksum: string }> {
  const result = await client.query<{ rows: string; a: string; b: string }>(
    `SELECT count(*)::text AS rows,
            coalesce(sum(('x' || substr(h, 1, 15))::bit(60)::bigint), 0)::text AS a,
            coalesce(sum(('x' || substr(h, 16, 15))::bit(60)::bigint), 0)::text AS b
       FROM (SELECT md5(ROW(${columnList(table)})::text) AS h FROM ${quote(table.name)}) AS rows`,
  );
  const row = result.rows[0] as { rows: string; a: string; b: string };
  return { rows: Number(row.rows), checksum: `md5-sum:${row.a}:${row.b}` };
}

async function appliedMigrationNames(client: pg.Client): Promise<string[]> {
  const table = await client.query<{ t: string | null }>("SELECT to_regclass('_prisma_migrations')::text AS t");
  if (table.rows[0]?.t == null) return [];
  const rows = await client.query<{ migration_name: string }>(
    "SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name",
  );
  return rows.rows.map((r) => r.migration_name);
}

async function readSequences(client: pg.Client): Promise<SequenceValue[]> {
  const rows = await client.query<{ name: string; value: string | null }>(
    "SELECT sequencename AS name, last_value::text AS value FROM pg_sequences WHERE schemaname = 'public' ORDER BY sequencename",
  );
  return rows.rows;
}

async function writeSequences(client: pg.Client, sequences: SequenceValue[]): Promise<void> {
  for (const s of sequences) {
    if (s.value === null) continue;
    await client.query("SELECT setval($1::regclass, $2::bigint, true)", [quote(s.name), s.value]);
  }
}

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

async function serverVersion(client: pg.Client): Promise<string> {
  return (await client.query<{ server_version: string }>("SHOW server_version")).rows[0]?.server_version ?? "";
}

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

function countNewlines(chunk: Buffer): number {
  let n = 0;
  for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) n++;
  return n;
}

/**
 * Reads a snapshot's lines from a stream of buffers: JSON lines one at a time, and each table's data
 * in bulk (forwarded as it arrives, never held whole).
 */
class SnapshotReader {
  private pending: Buffer = Buffer.alloc(0);
  private done = false;
  private readonly iterator: AsyncIterator<Buffer>;
  line = 0;

  constructor(input: Readable) {
    this.iterator = (input as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  }

  private async more(): Promise<boolean> {
    if (this.done) return false;
    const next = await this.iterator.next();
    if (next.done) {
      this.done = true;
      return false;
    }
    this.pending = this.pending.length === 0 ? next.value : Buffer.concat([this.pending, next.value]);
    return true;
  }

  /** The next line as JSON, checked with `schema`. */
  async json<T>(schema: z.ZodType<T>, what: string): Promise<T> {
    for (;;) {
      const nl = this.pending.indexOf(10);
      if (nl !== -1) {
        const text = this.pending.subarray(0, nl).toString("utf8");
        this.pending = this.pending.subarray(nl + 1);
        this.line++;
        let value: unknown;
        try {
          value = JSON.parse(text);
        } catch {
          throw new BackupError(`line ${this.line}: expected ${what}, found something else (is this a Warroom backup?)`);
        }
        const parsed = schema.safeParse(value);
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          throw new BackupError(`line ${this.line}: not ${what}${issue ? ` (${issue.path.join(".") || "value"}: ${issue.message})` : ""}`);
        }
        return parsed.data;
      }
      if (this.pending.length > 1 << 20) throw new BackupError(`line ${this.line + 1}: expected ${what}, found a line over 1 MB`);
      if (!(await this.more())) throw new BackupError(`the file ends at line ${this.line} where ${what} was expected: it is cut short`);
    }
  }

  /** Hands each run of whole data lines to `sink` up to the `\.` line; returns the rows' count. */
  async data(sink: (bytes: Buffer) => Promise<void>): Promise<number> {
    let rows = 0;
    for (;;) {
      let start = 0;
      let nl = this.pending.indexOf(10);
      while (nl !== -1) {
        if (nl - start === 2 && this.pending[start] === 0x5c && this.pending[start + 1] === 0x2e) {
          if (start > 0) await sink(this.pending.subarray(0, start));
          this.pending = this.pending.subarray(nl + 1);
          this.line += rows + 1;
          return rows;
        }
        rows++;
        start = nl + 1;
        nl = this.pending.indexOf(10, start);
      }
      // everything up to the last whole line goes now; the rest waits for the next chunk
      if (start > 0) {
        await sink(this.pending.subarray(0, start));
        this.pending = this.pending.subarray(start);
      }
      if (!(await this.more())) throw new BackupError(`the file ends inside a table's rows (after line ${this.line + rows}): it is cut short`);
    }
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

/**
 * What a restore and a copy share: the data's migrations must be the first of this version's and the
 * target empty; the schema of those migrations is built, `fill` runs in one transaction (whatever was
 * made is dropped again if it fails, so the target is empty as before), then the later migrations.
 */
async function intoEmpty(target: PoolConfig, where: string, migrations: string[], log: Logger, fill: (client: pg.Client) => Promise<TableSummary[]>): Promise<Summary> {
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

/** The table's rows where they arrived against what was sent: count and checksum. */
async function checkArrived(client: pg.Client, table: TableSpec, sent: { rows: number; checksum: string }): Promise<TableSummary> {
  const arrived = await tableChecksum(client, table);
  if (arrived.rows !== sent.rows || arrived.checksum !== sent.checksum) {
    throw new BackupError(`table ${table.name}: ${arrived.rows} rows arrived of ${sent.rows}, and their checksum ${arrived.checksum === sent.checksum ? "matches" : "differs"}`);
  }
  return { name: table.name, ...sent };
}

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
