// What a backup, a restore and a copy share: the tables in dependency order, their checksums, the
// sequences, and the session settings that make COPY's text the same on every server.

import pg, { type PoolConfig } from "pg";

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

export interface Summary {
  tables: TableSummary[];
  rows: number;
  migrations: string[];
}

export async function connect(connection: PoolConfig): Promise<pg.Client> {
  const client = new pg.Client(connection);
  await client.connect();
  await client.query(SESSION);
  return client;
}

export const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;
export const columnList = (t: TableSpec) => t.columns.map(quote).join(", ");

/**
 * The bot's tables (every base table of the public schema but Prisma's own record of migrations),
 * parents before children, so that a load satisfies each foreign key as it goes.
 */
export async function listTables(client: pg.Client): Promise<TableSpec[]> {
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
export async function tableChecksum(client: pg.Client, table: TableSpec): Promise<{ rows: number; checksum: string }> {
  const result = await client.query<{ rows: string; a: string; b: string }>(
    `SELECT count(*)::text AS rows,
            coalesce(sum(('x' || substr(h, 1, 15))::bit(60)::bigint), 0)::text AS a,
            coalesce(sum(('x' || substr(h, 16, 15))::bit(60)::bigint), 0)::text AS b
       FROM (SELECT md5(ROW(${columnList(table)})::text) AS h FROM ${quote(table.name)}) AS rows`,
  );
  const row = result.rows[0] as { rows: string; a: string; b: string };
  return { rows: Number(row.rows), checksum: `md5-sum:${row.a}:${row.b}` };
}

export async function appliedMigrationNames(client: pg.Client): Promise<string[]> {
  const table = await client.query<{ t: string | null }>("SELECT to_regclass('_prisma_migrations')::text AS t");
  if (table.rows[0]?.t == null) return [];
  const rows = await client.query<{ migration_name: string }>(
    "SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name",
  );
  return rows.rows.map((r) => r.migration_name);
}

export async function readSequences(client: pg.Client): Promise<SequenceValue[]> {
  const rows = await client.query<{ name: string; value: string | null }>(
    "SELECT sequencename AS name, last_value::text AS value FROM pg_sequences WHERE schemaname = 'public' ORDER BY sequencename",
  );
  return rows.rows;
}

export async function writeSequences(client: pg.Client, sequences: SequenceValue[]): Promise<void> {
  for (const s of sequences) {
    if (s.value === null) continue;
    await client.query("SELECT setval($1::regclass, $2::bigint, true)", [quote(s.name), s.value]);
  }
}

export async function serverVersion(client: pg.Client): Promise<string> {
  return (await client.query<{ server_version: string }>("SHOW server_version")).rows[0]?.server_version ?? "";
}

/** The table's rows where they arrived against what was sent: count and checksum. */
export async function checkArrived(client: pg.Client, table: TableSpec, sent: { rows: number; checksum: string }): Promise<TableSummary> {
  const arrived = await tableChecksum(client, table);
  if (arrived.rows !== sent.rows || arrived.checksum !== sent.checksum) {
    throw new BackupError(`table ${table.name}: ${arrived.rows} rows arrived of ${sent.rows}, and their checksum ${arrived.checksum === sent.checksum ? "matches" : "differs"}`);
  }
  return { name: table.name, ...sent };
}
