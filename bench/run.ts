// `npm run bench`: the figures behind the performance targets (issue 7), measured against the fake
// Slack with a per-call latency standing in for the network (BENCH_SLACK_LATENCY_MS, default 50).
// Prints a table and writes bench/results.md with the date and the machine.

import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { startFakeSlack } from "../src/local-slack/server.ts";
import { alertsSection, assistantSection, backupSection, metricsSection, playgroundSection, recordSection, schedulerSection, startSection, statusPageSection, webhooksSection, followupsSection } from "./sections.ts";
import { coreSection, type Env } from "./core.ts";
import { HERE, LATENCY, lines, out } from "./report.ts";

/** BENCH_SECTIONS=record,scheduler runs only those (and writes no results.md): start, core, scheduler, record, alerts, webhooks, metrics, backup, playground, assistant, status-page, followups. */
const SECTIONS = new Set((process.env.BENCH_SECTIONS ?? "start,core,scheduler,record,alerts,webhooks,metrics,backup,playground,assistant,status-page,followups").split(",").map((s) => s.trim()));
const ALL = ["start", "core", "scheduler", "record", "alerts", "webhooks", "metrics", "backup", "playground", "assistant", "status-page", "followups"].every((s) => SECTIONS.has(s));
async function main(): Promise<void> {
  const started = Date.now();
  const fake = await startFakeSlack();
  fake.latencyMs = LATENCY;
  const parent = await fs.mkdtemp(path.join(os.tmpdir(), "warroom-bench-"));
  await fs.chmod(parent, 0o755);
  const configFile = path.join(parent, "incident.config.yml");
  await fs.writeFile(configFile, "announce_channel: incidents\n");
  fake.ws.addChannel("incidents", {});
  const users = Array.from({ length: 1200 }, (_, i) => fake.ws.addUser(`person${i}`));
  const general = fake.ws.addChannel("general", { members: users.map((u) => u.id) }).id;
  const env: Env = { fake, users, general, dataDir: path.join(parent, "data"), configFile };

  out(`# Warroom benchmark`);
  out();
  out(`${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC · ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"} · ${Math.round(os.totalmem() / 2 ** 30)} GiB · Node ${process.version} · fake Slack latency ${LATENCY} ms per call`);
  out();

  if (SECTIONS.has("start")) await startSection(fake);
  if (SECTIONS.has("core")) await coreSection(env);
  // ---- scheduler ----
  if (SECTIONS.has("scheduler")) await schedulerSection();
  if (SECTIONS.has("record")) await recordSection(env);
  if (SECTIONS.has("alerts")) await alertsSection();
  if (SECTIONS.has("webhooks")) await webhooksSection();
  if (SECTIONS.has("metrics")) await metricsSection();
  if (SECTIONS.has("backup")) await backupSection();
  if (SECTIONS.has("playground")) await playgroundSection();
  if (SECTIONS.has("assistant")) await assistantSection();
  if (SECTIONS.has("status-page")) await statusPageSection();
  if (SECTIONS.has("followups")) await followupsSection();
  out(`Benchmark took ${Math.round((Date.now() - started) / 1000)} s.`);

  await fake.stop();
  await fs.rm(parent, { recursive: true, force: true });
  if (ALL) await fs.writeFile(path.join(HERE, "results.md"), `${lines.join("\n")}\n`);
}

await main();
