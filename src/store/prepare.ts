// The database made ready before anything uses it: the embedded PostgreSQL started (or DATABASE_URL
// taken as it is) and the migrations applied. Light on purpose: `npm start` begins this before it
// loads the rest of the bot, so the server starts while the modules load (src/main.ts).

import type { PoolConfig } from "pg";
import type { DatabaseConfig } from "../config/index.ts";
import type { Logger } from "../log.ts";
import { type EmbeddedPostgresHandle, type StartHooks, startEmbeddedPostgres } from "./embedded/server.ts";
import { applyPendingMigrations } from "./migrate.ts";

export interface PreparedDatabase {
  readonly connection: PoolConfig;
  /** The embedded server this process started, if it did. */
  readonly server: EmbeddedPostgresHandle | undefined;
}

/** `hooks.starting`: the database is starting by itself (the server's process, or one elsewhere). */
export async function prepareDatabase(config: DatabaseConfig, log: Logger, hooks: StartHooks = {}): Promise<PreparedDatabase> {
  let server: EmbeddedPostgresHandle | undefined;
  let connection: PoolConfig;
  if (config.kind === "embedded") {
    server = await startEmbeddedPostgres(config.dataDir, log, hooks);
    connection = server.connection;
  } else {
    // a server elsewhere is up already, or starts by itself
    hooks.starting?.();
    connection = { connectionString: config.url };
  }
  try {
    await applyPendingMigrations(connection, log);
  } catch (err) {
    await server?.stop();
    throw err;
  }
  return { connection, server };
}
