// Backups at scale (issue 15): with 100,000 closed incidents and 1,000,000 timeline entries stored,
// how long `npm run backup` takes to write its file and `npm run restore` to load it into an empty
// database (and check it), and how much memory each holds meanwhile (it streams: flat).

import { spawn } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { ROOT } from "../test/support/bot-process.ts";
import { emptyDatabase } from "./databases.ts";
import { seedRecord } from "./record.ts";

export interface ToolRun {
  s: number;
  peakRssMb: number;
  output: string;
}

export interface BackupFigures {
  incidents: number;
  timeline: number;
  rows: number;
  seedS: number;
  fileMb: number;
  backup: ToolRun;
  restore: ToolRun;
  /** The restore's peak against a tenth of the data, to show memory does not grow with it. */
  smallBackup: ToolRun;
  restoredIncidents: number;
}

/** Runs one of the database tools as `npm run` would (after the build), sampling its RSS. */
async function runTool(script: string, args: string[], env: Record<string, string>): Promise<ToolRun> {
  const started = Date.now();
  const child = spawn(process.execPath, [path.join(ROOT, "dist", "cli", script), ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  let peak = 0;
  const sampler = setInterval(() => {
    fs.readFile(`/proc/${child.pid}/status`, "utf8")
      .then((s) => (peak = Math.max(peak, Number(/VmHWM:\s+(\d+)/.exec(s)?.[1] ?? 0) / 1024)))
      .catch(() => undefined);
  }, 100);
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  clearInterval(sampler);
  if (code !== 0) throw new Error(`${script} ${args.join(" ")} exited ${code}: ${output}`);
  return { s: (Date.now() - started) / 1000, peakRssMb: peak, output };
}

async function count(url: string, table: string): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return Number((await c.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n);
  } finally {
    await c.end();
  }
}

export async function measureBackup(sourceUrl: string, adminUrl: string, smallUrl: string, incidents = 100_000): Promise<BackupFigures> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "warroom-bench-backup-"));
  try {
    const seedS = await seedRecord(sourceUrl, "TBENCH", ["UOWNER1", "UOWNER2"], incidents, 10);
    await seedRecord(smallUrl, "TBENCH", ["UOWNER1", "UOWNER2"], incidents / 10, 10);
    const file = path.join(dir, "warroom.backup");
    const backup = await runTool("backup.js", [file], { DATABASE_URL: sourceUrl });
    const fileMb = (await fs.stat(file)).size / 1e6;
    const restoredUrl = await emptyDatabase(adminUrl, `bench_restored_${process.pid}`);
    const restore = await runTool("restore.js", [file], { DATABASE_URL: restoredUrl });
    const small = path.join(dir, "small.backup");
    await runTool("backup.js", [small], { DATABASE_URL: smallUrl });
    const smallBackup = await runTool("restore.js", [small], { DATABASE_URL: await emptyDatabase(adminUrl, `bench_small_restored_${process.pid}`) });
    const rows = Number(/([\d,]+) rows restored/.exec(restore.output)?.[1]?.replaceAll(",", "") ?? 0);
    return {
      incidents,
      timeline: incidents * 10,
      rows,
      seedS,
      fileMb,
      backup,
      restore,
      smallBackup,
      restoredIncidents: await count(restoredUrl, "incidents"),
    };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
