// Runs the bot as a real child process (what `npm start` runs), for start-up, shutdown and crash tests.

import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { freePort } from "./postgres-cluster.ts";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

import { START_ENV, START_FLAGS } from "../../src/playground/bot.ts";

// the node flags and environment `npm start` runs the bot with (package.json; a unit test keeps them equal)
export { START_ENV, START_FLAGS };

export interface BotProcess {
  readonly proc: ChildProcess;
  readonly port: number;
  readonly url: string;
  readonly stdout: string[];
  readonly stderr: string[];
  /** Resolves with the exit code (or the signal's name). */
  readonly exited: Promise<number | string>;
  waitUntilUp(timeoutMs?: number): Promise<void>;
  kill(signal: NodeJS.Signals): void;
}

export async function spawnBot(env: Record<string, string>, opts: { port?: number; node?: string[]; cwd?: string } = {}): Promise<BotProcess> {
  const port = opts.port ?? (await freePort());
  // BOT_NODE_OPTIONS passes flags to the bot's node (e.g. --cpu-prof when profiling a benchmark)
  const extra = process.env.BOT_NODE_OPTIONS ? process.env.BOT_NODE_OPTIONS.split(" ") : [];
  // what `npm start` runs: the compiled bot (npm test builds it first); BOT_ENTRY=src runs the sources
  const entry = opts.node ?? (process.env.BOT_ENTRY === "src" ? ["--import", "tsx", path.join(ROOT, "src/main.ts")] : [...START_FLAGS, path.join(ROOT, "dist/main.js")]);
  const proc = spawn(process.execPath, [...extra, ...entry], {
    cwd: opts.cwd ?? ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", PORT: String(port), LOG_LEVEL: "info", ...START_ENV, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  let outBuf = "";
  proc.stdout?.on("data", (d: Buffer) => {
    outBuf += d.toString("utf8");
    const lines = outBuf.split("\n");
    outBuf = lines.pop() ?? "";
    stdout.push(...lines.filter(Boolean));
  });
  proc.stderr?.on("data", (d: Buffer) => stderr.push(...d.toString("utf8").split("\n").filter(Boolean)));
  const exited = new Promise<number | string>((resolve) => proc.on("exit", (code, signal) => resolve(code ?? signal ?? "unknown")));
  const url = `http://127.0.0.1:${port}`;
  return {
    proc,
    port,
    url,
    stdout,
    stderr,
    exited,
    async waitUntilUp(timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      let exitedEarly = false;
      void exited.then(() => (exitedEarly = true));
      while (Date.now() < deadline) {
        if (exitedEarly) throw new Error(`bot exited during start: ${stderr.join(" | ")} ${stdout.slice(-5).join(" | ")}`);
        if (stdout.some((l) => l.includes('"msg":"Warroom is up"'))) return;
        const healthy = await fetch(`${url}/healthz`).then((r) => r.status === 200, () => false);
        if (healthy) return;
        await sleep(25);
      }
      throw new Error(`bot did not start within ${timeoutMs} ms: ${stdout.slice(-5).join(" | ")} ${stderr.join(" | ")}`);
    },
    kill(signal) {
      proc.kill(signal);
    },
  };
}

/** The PID of the embedded PostgreSQL server of a DATA_DIR, from its lock file. */
export async function postmasterPid(dataDir: string): Promise<number | undefined> {
  try {
    const text = await fs.readFile(path.join(dataDir, "postgres", "postmaster.pid"), "utf8");
    return Number.parseInt(text.split("\n")[0] ?? "", 10);
  } catch {
    return undefined;
  }
}

export function postmasterPidSync(dataDir: string): number | undefined {
  try {
    return Number.parseInt(readFileSync(path.join(dataDir, "postgres", "postmaster.pid"), "utf8").split("\n")[0] ?? "", 10);
  } catch {
    return undefined;
  }
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function waitForDeath(pid: number, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!alive(pid)) return true;
    // a killed child stays a zombie until reaped; /proc says so
    const stat = await fs.readFile(`/proc/${pid}/stat`, "utf8").catch(() => "");
    if (stat === "" || / Z /.test(stat)) return true;
    await sleep(25);
  }
  return false;
}

/** Connection settings of an embedded cluster, for checking its data from outside the bot. */
export async function embeddedConnection(dataDir: string) {
  const creds = JSON.parse(await fs.readFile(path.join(dataDir, "postgres-credentials.json"), "utf8")) as { user: string; password: string };
  return { host: path.join(dataDir, "postgres"), port: 5432, user: creds.user, password: creds.password, database: "warroom" };
}
