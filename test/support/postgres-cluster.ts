// A throwaway PostgreSQL cluster from Debian's packages (the "external" PostgreSQL of the tests):
// initdb into a temporary directory, start on a free loopback port, delete it all afterwards.
// As root, the server runs as the `postgres` user, as PostgreSQL requires.

import { execFile, spawn } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { freePort } from "../../src/playground/bot.ts";

export { freePort };

const execFileAsync = promisify(execFile);

export interface ThrowawayCluster {
  readonly url: string;
  readonly port: number;
  readonly version: string;
  stop(): Promise<void>;
}

export async function findDebianPostgres(): Promise<string | undefined> {
  const root = "/usr/lib/postgresql";
  const versions = await fs.readdir(root).catch(() => [] as string[]);
  const sorted = versions.filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
  for (const v of sorted) {
    const bin = path.join(root, v, "bin");
    if (await fs.access(path.join(bin, "pg_ctl")).then(() => true, () => false)) return bin;
  }
  return undefined;
}

async function runAs(file: string, args: string[], uid?: number, gid?: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = spawn(file, args, { uid, gid, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, LC_ALL: "C" } });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`${path.basename(file)} exited ${code}: ${out.trim()}`))));
  });
}

export async function startThrowawayCluster(binDir?: string): Promise<ThrowawayCluster> {
  const bin = binDir ?? (await findDebianPostgres());
  if (!bin) throw new Error("PostgreSQL server binaries not found under /usr/lib/postgresql (apt-get install postgresql)");
  const version = path.basename(path.dirname(bin));
  const isRoot = process.getuid?.() === 0;
  let uid: number | undefined;
  let gid: number | undefined;
  if (isRoot) {
    uid = Number((await execFileAsync("id", ["-u", "postgres"])).stdout.trim());
    gid = Number((await execFileAsync("id", ["-g", "postgres"])).stdout.trim());
  }
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "warroom-pg-"));
  if (isRoot) await fs.chown(dir, uid as number, gid as number);
  const data = path.join(dir, "data");
  await runAs(path.join(bin, "initdb"), ["-D", data, "-U", "postgres", "--auth=trust", "--no-locale", "-E", "UTF8", "--no-instructions"], uid, gid);
  const port = await freePort();
  const opts = `-p ${port} -c listen_addresses=127.0.0.1 -k ${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300`;
  await runAs(path.join(bin, "pg_ctl"), ["start", "-D", data, "-w", "-t", "60", "-l", path.join(dir, "server.log"), "-o", opts], uid, gid);
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    port,
    version,
    async stop() {
      await runAs(path.join(bin, "pg_ctl"), ["stop", "-D", data, "-m", "immediate", "-w"], uid, gid).catch(() => undefined);
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}
