// The embedded server's processes and files, at the lowest level: running a PostgreSQL binary (as
// its own user when we are root), the postmaster's pid and liveness, and DATA_DIR's lock.

import { execFile, spawn } from "node:child_process";
import { constants as fsc } from "node:fs";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";

export const execFileAsync = promisify(execFile);
export interface Binaries {
  pg_ctl: string;
  initdb: string;
  postgres: string;
}
export interface RunAs {
  uid?: number;
  gid?: number;
}

export class EmbeddedPostgresError extends Error {}
export async function exists(p: string): Promise<boolean> {
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

export function run(
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

export async function readPostmasterPid(clusterDir: string): Promise<number | undefined> {
  try {
    const text = await fs.readFile(path.join(clusterDir, "postmaster.pid"), "utf8");
    const pid = Number.parseInt(text.split("\n")[0] ?? "", 10);
    return Number.isFinite(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** True when `pid` is a running postmaster whose data directory is `clusterDir`. */
export async function isOurPostmaster(pid: number, clusterDir: string): Promise<boolean> {
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

export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await sleep(50);
  }
  return !isAlive(pid);
}

export function lastLines(text: string, n = 3): string {
  return text.split("\n").filter(Boolean).slice(-n).join(" | ") || "(no output)";
}

/**
 * One bot per DATA_DIR: a second one would take the first's running server for an orphan. The lock
 * file holds the owner's PID; a lock left by a dead bot is taken over.
 */
export async function lockDataDir(absData: string): Promise<() => Promise<void>> {
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

/** The PID of a live Warroom holding DATA_DIR's lock, if one does. */
export async function runningBot(absData: string): Promise<number | undefined> {
  const owner = Number.parseInt(await fs.readFile(path.join(absData, "warroom.pid"), "utf8").catch(() => ""), 10);
  return Number.isFinite(owner) && owner !== process.pid && isAlive(owner) && (await isNodeProcess(owner)) ? owner : undefined;
}
