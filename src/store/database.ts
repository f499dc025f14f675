// Opens the database the configuration names: the embedded PostgreSQL (started here, or already being
// started by src/main.ts) or the one at DATABASE_URL. Either way: migrations applied (prepare.ts), then
// one Prisma client through the pg adapter.

import { PrismaPg } from "@prisma/adapter-pg";
import pg, { type PoolConfig } from "pg";
import type { DatabaseConfig } from "../config/index.ts";
import type { Logger } from "../log.ts";
import { type Prisma, PrismaClient } from "./generated/client.ts";
import { type PreparedDatabase, prepareDatabase } from "./prepare.ts";

/**
 * The Prisma client, and the pg pool under it: a hot path's single statements go to the pool
 * directly (sql.ts), a tenth of the CPU of an ORM call, on the same connections.
 */
export type Db = PrismaClient & { readonly $pool: pg.Pool };

/** A transaction's client, or the client itself (each statement its own transaction). */
export type Tx = Prisma.TransactionClient | Db;

export interface Database {
  readonly prisma: Db;
  /**
   * A few connections of their own for the acknowledgement path's single-statement writes, so a
   * request never waits for a connection held by background work.
   */
  readonly requests: pg.Pool;
  readonly connection: PoolConfig;
  readonly embedded: boolean;
  /** True when the database answers a trivial query within `timeoutMs`. */
  healthy(timeoutMs?: number): Promise<boolean>;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** Connections in this process's pool. */
  poolSize?: number;
  /** The same database, already being prepared (started and migrated) by the caller. */
  prepared?: Promise<PreparedDatabase>;
}

export function createPrisma(connection: PoolConfig, poolSize = 20): Db {
  const pool = new pg.Pool({ ...connection, max: poolSize, idleTimeoutMillis: 30_000, connectionTimeoutMillis: 5_000 });
  // the client's $disconnect ends the pool
  const adapter = new PrismaPg(pool, { disposeExternalPool: true });
  // Under a burst (hundreds of commands at once) a transaction may wait for one of the pool's
  // connections longer than Prisma's 2 s default; a slow answer is covered (a command is acknowledged
  // empty at 2.3 s and answered through its response_url, a job retries), a refusal is not.
  const prisma = Object.assign(new PrismaClient({ adapter, transactionOptions: { maxWait: 10_000, timeout: 15_000 } }), { $pool: pool });
  CLIENTS.add(prisma);
  return prisma;
}

// A transaction's client forwards every property to the client it came from, $pool included; only
// the clients themselves are in here.
const CLIENTS = new WeakSet<object>();

/** The client itself (its statements may go to its pool), not a transaction's client. */
export function isClient(db: object): db is Db {
  return CLIENTS.has(db);
}

export async function openDatabase(config: DatabaseConfig, log: Logger, opts: OpenOptions = {}): Promise<Database> {
  const { server, connection } = await (opts.prepared ?? prepareDatabase(config, log));
  const prisma = createPrisma(connection, opts.poolSize);
  const requests = new pg.Pool({ ...connection, max: 4, idleTimeoutMillis: 30_000, connectionTimeoutMillis: 10_000 });
  requests.on("error", (err) => log.warn({ err }, "idle request connection failed"));
  let closed = false;
  return {
    prisma,
    requests,
    connection,
    embedded: server !== undefined,
    async healthy(timeoutMs = 1000) {
      if (closed) return false;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      });
      try {
        return await Promise.race([prisma.$queryRaw`SELECT 1`.then(() => true), timeout]);
      } catch {
        return false;
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await prisma.$disconnect();
      await requests.end();
      await server?.stop();
    },
  };
}
