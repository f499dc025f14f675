// The benchmark's PostgreSQL servers: the bot's embedded PostgreSQL 18 and a throwaway cluster from
// the distribution's PostgreSQL (15 on Debian 12), each with fresh migrated databases.

import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { createLogger } from "../src/log.ts";
import { startEmbeddedPostgres } from "../src/store/embedded/server.ts";
import { applyPendingMigrations } from "../src/store/migrate.ts";
import { startThrowawayCluster } from "../test/support/postgres-cluster.ts";

export interface BenchServer {
  name: string;
  /** The server's maintenance database, for making databases of one's own. */
  adminUrl: string;
  /** A fresh, migrated database; returns its URL. */
  database(): Promise<string>;
  stop(): Promise<void>;
}

let counter = 0;

/** A new, empty database on the server (dropped first if it exists); returns its URL. */
export async function emptyDatabase(adminUrl: string, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name}`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function freshDatabase(adminUrl: string): Promise<string> {
  const url = await emptyDatabase(adminUrl, `bench_${process.pid}_${++counter}`);
  await applyPendingMigrations({ connectionString: url }, createLogger("warn"));
  return url;
}

export async function startEmbeddedServer(): Promise<BenchServer> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "warroom-bench-"));
  await fs.chmod(dir, 0o755);
  const server = await startEmbeddedPostgres(path.join(dir, "data"), createLogger("warn"));
  const c = server.connection;
  const adminUrl = `postgresql://${c.user}:${encodeURIComponent(String(c.password))}@localhost:${c.port}/postgres?host=${encodeURIComponent(String(c.host))}`;
  return {
    name: "embedded PostgreSQL 18",
    adminUrl,
    database: () => freshDatabase(adminUrl),
    async stop() {
      await server.stop();
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}

export async function startExternalServer(): Promise<BenchServer> {
  const cluster = await startThrowawayCluster();
  return { name: `PostgreSQL ${cluster.version} (external)`, adminUrl: cluster.url, database: () => freshDatabase(cluster.url), stop: () => cluster.stop() };
}
