// Migrations. The bot applies pending ones at start as their own SQL files (migrate-sql.ts), recorded
// in `_prisma_migrations` exactly as `prisma migrate deploy` would, under the engine's advisory lock,
// so replicas starting together apply each migration once. Prisma's own schema engine, compiled to
// WebAssembly (the native engine is a download these machines cannot make), makes new migrations
// (`npm run db:migration`) and proves the SQL way gives its schema.

import { randomUUID } from "node:crypto";
import fs from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PrismaPg } from "@prisma/adapter-pg";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";
import type { MigrationList, SchemaEngine } from "@prisma/schema-engine-wasm";
import pg, { type PoolConfig } from "pg";
import type { Logger } from "../log.ts";
import { applyWithSql } from "./migrate-sql.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const MIGRATIONS_DIR = path.join(ROOT, "prisma", "migrations");
export const SCHEMA_FILE = path.join(ROOT, "prisma", "schema.prisma");

const NO_FILTERS = { externalTables: [], externalEnums: [] };

type EngineModule = typeof import("@prisma/schema-engine-wasm");

// Node has WebAssembly; TypeScript declares it only in the DOM lib, which this project does not load.
declare const WebAssembly: {
  instantiate(bytes: Uint8Array, imports: Record<string, unknown>): Promise<{ instance: { exports: Record<string, unknown> } }>;
};

let enginePromise: Promise<EngineModule> | undefined;
let lastPanic: string | undefined;
let panicLog: Logger | undefined;

// The engine reports a Rust panic through this global before it throws (Prisma's CLI installs it).
const panicRegistry = globalThis as { PRISMA_WASM_PANIC_REGISTRY?: { set_message(message: string): void } };
panicRegistry.PRISMA_WASM_PANIC_REGISTRY ??= {
  set_message(message: string) {
    // a panic inside a callback can surface as a bare "unreachable" trap: log the reason first
    lastPanic = message;
    panicLog?.error({ panic: message }, "the Prisma schema engine panicked");
  },
};

/** Instantiates the wasm-bindgen "bundler" build by hand: Node has no wasm ESM integration. */
function loadEngineModule(): Promise<EngineModule> {
  enginePromise ??= (async () => {
    const require = createRequire(import.meta.url);
    const bgPath = require.resolve("@prisma/schema-engine-wasm/schema_engine_bg");
    const bg = (await import("@prisma/schema-engine-wasm/schema_engine_bg")) as EngineModule & {
      __wbg_set_wasm(exports: Record<string, unknown>): void;
    };
    const bytes = await fs.readFile(path.join(path.dirname(bgPath), "schema_engine_bg.wasm"));
    const { instance } = await WebAssembly.instantiate(bytes, { "./schema_engine_bg.js": bg });
    bg.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    return bg;
  })();
  return enginePromise;
}

export async function loadMigrationList(dir = MIGRATIONS_DIR): Promise<MigrationList> {
  const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
  const directories = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  const lockPath = path.join(dir, "migration_lock.toml");
  const lockContent = await fs.readFile(lockPath, "utf8").catch(() => null);
  return {
    baseDir: dir,
    lockfile: { path: "migration_lock.toml", content: lockContent },
    shadowDbInitScript: "",
    migrationDirectories: await Promise.all(
      directories.map(async (name) => {
        const file = path.join(dir, name, "migration.sql");
        const content = await fs.readFile(file, "utf8").then(
          (ok) => ({ tag: "ok" as const, value: ok }),
          (err: Error) => ({ tag: "error" as const, value: err.message }),
        );
        return { path: name, migrationFile: { path: "migration.sql", content } };
      }),
    ),
  };
}

const PG_CHAR_OID = 18; // the one-byte "char" type of catalog columns (contype, relkind, ...)
const PG_TEXT_OID = 25;
const CHARACTER_COLUMN = 6; // ColumnTypeEnum.Character in @prisma/driver-adapter-utils
const CHAR_COLUMNS = Symbol("charColumns");

interface PgResult {
  fields: { dataTypeID: number }[];
  rows: unknown[][] & { [CHAR_COLUMNS]?: number[] };
}
interface Queryable {
  performIO(query: unknown): Promise<PgResult>;
  queryRaw(query: unknown): Promise<{ columnTypes: number[]; rows: PgResult["rows"] }>;
  startTransaction?(isolationLevel?: string): Promise<Queryable>;
}

/**
 * adapter-pg 7.10 has no mapping for PostgreSQL's "char" (OID 18) and throws, while the schema
 * engine reads catalog columns such as pg_constraint.contype as Character; so `diff` from the
 * migrations fails ("Column type 'char' could not be deserialized"). This reports those columns
 * as text to the adapter and then as Character to the engine. The rows array is shared between
 * the two steps, which makes it a safe carrier for the column positions.
 */
function mapCharColumns<T>(adapter: T): T {
  const q = adapter as unknown as Queryable;
  const performIO = q.performIO.bind(q);
  const queryRaw = q.queryRaw.bind(q);
  q.performIO = async (query) => {
    const result = await performIO(query);
    const positions: number[] = [];
    result.fields.forEach((field, i) => {
      if (field.dataTypeID === PG_CHAR_OID) {
        field.dataTypeID = PG_TEXT_OID;
        positions.push(i);
      }
    });
    if (positions.length > 0) result.rows[CHAR_COLUMNS] = positions;
    return result;
  };
  q.queryRaw = async (query) => {
    const result = await queryRaw(query);
    for (const i of result.rows[CHAR_COLUMNS] ?? []) result.columnTypes[i] = CHARACTER_COLUMN;
    return result;
  };
  if (q.startTransaction) {
    const startTransaction = q.startTransaction.bind(q);
    q.startTransaction = async (level) => mapCharColumns(await startTransaction(level));
  }
  return adapter;
}

/**
 * The same server, another database. pg lets a connection string win over a `database` field, so
 * with a URL the database must be replaced inside the URL (adapter-pg's own shadow database code
 * misses this and would replay the migrations into the real database).
 */
export function withDatabase(connection: PoolConfig, database: string): PoolConfig {
  if (connection.connectionString) {
    const url = new URL(connection.connectionString);
    url.pathname = `/${encodeURIComponent(database)}`;
    return { ...connection, connectionString: url.toString() };
  }
  return { ...connection, database };
}

/**
 * PrismaPg whose shadow database (used by `diff` to replay migrations) is dropped after its pool is
 * closed: adapter-pg 7.10 drops it first, which fails with "being accessed by other users", and never
 * closes the connection it created it with.
 */
function migrationAdapterFactory(connection: PoolConfig, opened: { dispose(): Promise<void> }[]): PrismaPg {
  const factory = new PrismaPg(connection);
  const connect = factory.connect.bind(factory);
  // engine.free() does not dispose what the engine connected, so we track it and close it ourselves
  factory.connect = async () => {
    const adapter = mapCharColumns(await connect());
    opened.push(adapter);
    return adapter;
  };
  factory.connectToShadowDb = async () => {
    const database = `prisma_migrate_shadow_db_${randomUUID()}`;
    const admin = new pg.Client(connection);
    await admin.connect();
    await admin.query(`CREATE DATABASE "${database}"`);
    const shadow = mapCharColumns(await new PrismaPg(withDatabase(connection, database)).connect());
    const closePool = shadow.dispose.bind(shadow);
    shadow.dispose = async () => {
      try {
        await closePool();
        await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      } finally {
        await admin.end();
      }
    };
    return shadow;
  };
  return factory;
}

async function withEngine<T>(connection: PoolConfig, log: Logger, fn: (engine: SchemaEngine) => Promise<T>): Promise<T> {
  const mod = await loadEngineModule();
  const schema = await fs.readFile(SCHEMA_FILE, "utf8");
  const opened: { dispose(): Promise<void> }[] = [];
  const adapter = bindMigrationAwareSqlAdapterFactory(migrationAdapterFactory(connection, opened));
  const engine = await mod.SchemaEngine.new(
    { datamodels: [[SCHEMA_FILE, schema]] },
    (line: string) => log.debug({ engine: line }, "schema engine"),
    adapter,
  );
  try {
    lastPanic = undefined;
    panicLog = log;
    return await fn(engine);
  } catch (err) {
    if (lastPanic) throw new Error(`the Prisma schema engine panicked: ${lastPanic}`, { cause: err });
    throw err;
  } finally {
    engine.free();
    await Promise.allSettled(opened.map((a) => a.dispose()));
  }
}

/**
 * Names of migrations on disk that the database has not finished applying. Read straight from
 * `_prisma_migrations`, so a start with nothing to do never loads the 5 MB engine.
 */
async function pendingMigrations(connection: PoolConfig, list: MigrationList): Promise<string[]> {
  const client = new pg.Client(connection);
  await client.connect();
  try {
    const table = await client.query("SELECT to_regclass('_prisma_migrations') AS t");
    if (table.rows[0]?.t === null) return list.migrationDirectories.map((d) => d.path);
    const done = await client.query<{ migration_name: string }>(
      "SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL",
    );
    const applied = new Set(done.rows.map((r) => r.migration_name));
    return list.migrationDirectories.map((d) => d.path).filter((name) => !applied.has(name));
  } finally {
    await client.end();
  }
}

export async function applyPendingMigrations(connection: PoolConfig, log: Logger): Promise<string[]> {
  return applyMigrations(connection, log);
}

/**
 * Applies this version's migrations the database has not finished, or, with `only`, just the first
 * ones named there (a restore builds the schema its data was written in, then moves it forward).
 * They run as their own SQL files (migrate-sql.ts), recorded as `prisma migrate deploy` records
 * them; the 5 MB engine is not loaded for it (it took ten seconds of a first start).
 */
export async function applyMigrations(connection: PoolConfig, log: Logger, only?: readonly string[]): Promise<string[]> {
  const list = selectMigrations(await loadMigrationList(), only);
  if ((await pendingMigrations(connection, list)).length === 0) return [];
  const applied = await applyWithSql(connection, list, log);
  if (applied.length > 0) log.info({ migrations: applied }, "applied database migrations");
  return applied;
}

function selectMigrations(all: MigrationList, only?: readonly string[]): MigrationList {
  const list = only ? { ...all, migrationDirectories: all.migrationDirectories.filter((d) => only.includes(d.path)) } : all;
  if (list.migrationDirectories.length === 0) throw new Error(`no migrations found in ${MIGRATIONS_DIR}`);
  return list;
}

/** The engine applies the selected migrations, as `prisma migrate deploy` does (the test that the SQL way matches it). */
export async function applyWithEngine(connection: PoolConfig, log: Logger, only?: readonly string[]): Promise<string[]> {
  const list = selectMigrations(await loadMigrationList(), only);
  const { appliedMigrationNames } = await withEngine(connection, log, (engine) => engine.applyMigrations({ migrationsList: list, filters: NO_FILTERS }));
  return appliedMigrationNames;
}

/**
 * The SQL that takes the migrations' schema to schema.prisma (empty when they agree). Replays the
 * migrations on a shadow database, so `connection` needs the right to create databases.
 */
export async function diffMigrationsToSchema(connection: PoolConfig, log: Logger): Promise<string> {
  const list = await loadMigrationList();
  const schema = await fs.readFile(SCHEMA_FILE, "utf8");
  const result = await withEngine(connection, log, (engine) =>
    engine.diff({
      from: list.migrationDirectories.length > 0 ? { tag: "migrations", ...list } : { tag: "empty" },
      to: { tag: "schemaDatamodel", files: [{ path: SCHEMA_FILE, content: schema }] },
      script: true,
      exitCode: null,
      filters: NO_FILTERS,
    }),
  );
  return (result.stdout ?? "").trim();
}
