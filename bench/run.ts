// `npm run bench`: the figures behind the performance targets (issue 7), measured against the fake
// Slack with a per-call latency standing in for the network (BENCH_SLACK_LATENCY_MS, default 50).
// Prints a table and writes bench/results.md with the date and the machine.

import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { startFakeSlack, type FakeSlack } from "../src/local-slack/server.ts";
import type { FakeUser } from "../src/local-slack/workspace.ts";
import { spawnBot, type BotProcess } from "../test/support/bot-process.ts";
import { SIGNING_SECRET } from "../test/support/harness.ts";
import { freePort } from "../test/support/postgres-cluster.ts";
import { sequentialRounds } from "../test/support/rounds.ts";
import { SlackRequests, type SentRequest } from "../src/local-slack/deliver.ts";
import { type BenchServer, startEmbeddedServer, startExternalServer } from "./databases.ts";
import { measureStorm, STORM } from "./alerts.ts";
import { measureWebhooks, WEBHOOK_LOAD } from "./webhooks.ts";
import { measureBackup } from "./backup.ts";
import { measurePlayground } from "./playground.ts";
import { measureMetrics, METRICS_LOAD } from "./metrics.ts";
import { measureRecord } from "./record.ts";
import { measureLateness, measureTick } from "./scheduler.ts";
import { fmt, percentile } from "./stats.ts";
import { until } from "../test/support/wait.ts";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const LATENCY = Number(process.env.BENCH_SLACK_LATENCY_MS ?? 50);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 200);
const CONCURRENCY = 20;
/** BENCH_SECTIONS=record,scheduler runs only those (and writes no results.md): core, scheduler, record, alerts, webhooks, metrics, backup, playground. */
const SECTIONS = new Set((process.env.BENCH_SECTIONS ?? "core,scheduler,record,alerts,webhooks,metrics,backup,playground").split(",").map((s) => s.trim()));
const ALL = ["core", "scheduler", "record", "alerts", "webhooks", "metrics", "backup", "playground"].every((s) => SECTIONS.has(s));

const lines: string[] = [];
function out(line = ""): void {
  lines.push(line);
  process.stdout.write(`${line}\n`);
}

type Dist = { p50: number; p95: number; p99: number };
const dist = (xs: number[]): Dist => ({ p50: percentile(xs, 50), p95: percentile(xs, 95), p99: percentile(xs, 99) });

async function pool<T>(n: number, concurrency: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (;;) {
        const i = next++;
        if (i >= n) return;
        results[i] = await task(i);
      }
    }),
  );
  return results;
}

/** Waits until the bot has been quiet towards Slack for a second (its background work is done). */
async function quiet(fake: FakeSlack, ms = 1000, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const last = fake.calls.at(-1)?.at ?? 0;
    if (Date.now() - last >= ms) return;
    if (Date.now() > deadline) throw new Error("the bot never went quiet");
    await sleep(100);
  }
}

async function timed(send: () => Promise<SentRequest>): Promise<number> {
  const r = await send();
  if (r.status !== 200) throw new Error(`request answered ${r.status}: ${r.text.slice(0, 200)}`);
  return r.ms;
}

async function startBare(port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(HERE, "bare-bolt.ts")], {
    env: { ...process.env, PORT: String(port), SLACK_SIGNING_SECRET: SIGNING_SECRET },
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on("data", (d: Buffer) => d.toString().includes("ready") && resolve());
    child.on("exit", () => reject(new Error("bare Bolt app exited")));
  });
  return child;
}

async function rssMb(pid: number): Promise<number> {
  const status = await fs.readFile(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

function blockAction(fake: FakeSlack, user: FakeUser, channel: string, action: Record<string, unknown>) {
  return {
    type: "block_actions",
    user: { id: user.id, name: user.name, team_id: fake.ws.teamId },
    team: { id: fake.ws.teamId },
    trigger_id: fake.ws.newTrigger(user.id),
    channel: { id: channel },
    container: { type: "message", channel_id: channel, message_ts: "1.1" },
    response_url: fake.responseUrl(),
    actions: [{ ...action, action_ts: String(Date.now() / 1000) }],
  };
}

interface Env {
  fake: FakeSlack;
  users: FakeUser[];
  general: string;
  dataDir: string;
  configFile: string;
}

/** The core and record sections measure the bot's own speed: their fake enforces no rate limits, and pacing is off (the alert storm keeps both on). */
function botEnv(env: Env): Record<string, string> {
  return { SLACK_BOT_TOKEN: env.fake.botToken, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: env.fake.apiUrl, DATA_DIR: env.dataDir, INCIDENT_CONFIG: env.configFile, LOG_LEVEL: "warn", SLACK_PACING: "off" };
}

async function channelReady(env: Env, bot: SlackRequests, count: number): Promise<{ ms: number[]; rounds: number[]; roundsAfterChannel: number[]; calls: number[] }> {
  const ms: number[] = [];
  const rounds: number[] = [];
  const after: number[] = [];
  const calls: number[] = [];
  for (let i = 0; i < count; i++) {
    const title = `Ready check ${i} ${Date.now()}`;
    const first = env.fake.calls.length;
    const t0 = Date.now();
    await bot.command(`declare sev2 ${title}`, { user: (env.users[i % env.users.length] as FakeUser).id, channel: env.general });
    const slug = title.toLowerCase().replace(/[^a-z0-9]+/g, "-");
    const create = await until(() => env.fake.okCallsTo("conversations.create").find((c) => String(c.args.name).endsWith(slug)), 20_000, "the channel");
    const id = (create.response.channel as { id: string }).id;
    const pin = await until(() => env.fake.okCallsTo("pins.add").find((c) => c.args.channel === id), 20_000, "the pin");
    ms.push(pin.at - t0);
    await sleep(LATENCY * 2);
    // this declaration's calls: the channel, everything in it, its broadcast and its brief
    const mine = env.fake.calls
      .slice(first)
      .filter((c) => c.startedAt <= pin.at)
      .filter((c) => c === create || c.args.channel === id || c.args.channel_id === id || (typeof c.args.text === "string" && c.args.text.includes(title)) || c.method === "users.info" || c.method === "conversations.list");
    calls.push(mine.length);
    rounds.push(sequentialRounds(mine));
    after.push(sequentialRounds(mine.filter((c) => c.startedAt >= create.at)));
  }
  return { ms, rounds, roundsAfterChannel: after, calls };
}

async function coreSection(env: Env): Promise<void> {
  const { fake, users, general } = env;
  let bot: BotProcess = await spawnBot(botEnv(env));
  await bot.waitUntilUp(60_000);
  const barePort = await freePort();
  const bare = await startBare(barePort);
  const warroom = new SlackRequests(bot.url, SIGNING_SECRET, fake);
  const bareReq = new SlackRequests(`http://127.0.0.1:${barePort}`, SIGNING_SECRET, fake);
  await sleep(1000);
  const idleRss = await rssMb(bot.proc.pid as number);

  // ---- acknowledgement latency ----
  let n = 0;
  const declare = (i: number) => timed(() => warroom.command(`declare sev2 Bench incident ${n++}`, { user: (users[i % users.length] as FakeUser).id, channel: general }));
  const empty = (i: number) => timed(() => bareReq.command("", { user: (users[i % users.length] as FakeUser).id, channel: general }));
  await pool(20, 1, declare);
  await pool(20, 1, empty);
  // each measurement starts with nothing else going on: the bot's background work from the one
  // before has finished (the bare app has none)
  await quiet(fake);
  const declSeq = await pool(REQUESTS, 1, declare);
  await quiet(fake);
  const bareSeq = await pool(REQUESTS, 1, empty);
  const declConc = await pool(REQUESTS, CONCURRENCY, declare);
  await quiet(fake);
  const bareConc = await pool(REQUESTS, CONCURRENCY, empty);

  // role clicks: "Join as responder" by a different person each time, on one incident
  await warroom.command("declare sev3 Click target", { user: (users[0] as FakeUser).id, channel: general });
  const target = await until(() => fake.okCallsTo("conversations.create").find((c) => String(c.args.name).endsWith("click-target")), 30_000, "the click target");
  const channel = (target.response.channel as { id: string }).id;
  const opening = await until(() => fake.ws.conversations.get(channel)?.messages.find((m) => m.text.includes("INCIDENT DECLARED")), 30_000, "the opening message");
  const join = (opening.blocks as { type: string; block_id?: string; elements?: Record<string, unknown>[] }[]).find((b) => b.type === "actions");
  const button = join?.elements?.find((e) => String(e.action_id).endsWith(":responder"));
  let clicker = 1;
  const click = () => timed(() => warroom.interaction(blockAction(fake, users[clicker++ % users.length] as FakeUser, channel, { action_id: button?.action_id, block_id: join?.block_id, value: button?.value, type: "button" })));
  const bareClick = (i: number) => timed(() => bareReq.interaction(blockAction(fake, users[i % users.length] as FakeUser, channel, { action_id: "x", block_id: "y", value: "z", type: "button" })));
  await pool(20, 1, click);
  await quiet(fake);
  const clickSeq = await pool(REQUESTS, 1, click);
  await quiet(fake);
  const bareClickSeq = await pool(REQUESTS, 1, bareClick);
  const clickConc = await pool(REQUESTS, CONCURRENCY, click);
  await quiet(fake);
  const bareClickConc = await pool(REQUESTS, CONCURRENCY, bareClick);

  const row = (what: string, mine: number[], base: number[]) => {
    const a = dist(mine);
    const b = dist(base);
    return `| ${what} | ${fmt(a.p50)} / ${fmt(a.p95)} / ${fmt(a.p99)} | ${fmt(b.p50)} / ${fmt(b.p95)} / ${fmt(b.p99)} | ${(a.p99 / b.p99).toFixed(2)} |`;
  };
  out(`## Acknowledgement latency (ms, p50 / p95 / p99 over ${REQUESTS} requests)`);
  out();
  out("| request | Warroom | bare Bolt app | p99 ratio |");
  out("| --- | --- | --- | --- |");
  out(row("`/incident declare sev2 …`, sequential", declSeq, bareSeq));
  out(row(`\`/incident declare sev2 …\`, ${CONCURRENCY} concurrent`, declConc, bareConc));
  out(row("role button (join as responder), sequential", clickSeq, bareClickSeq));
  out(row(`role button (join as responder), ${CONCURRENCY} concurrent`, clickConc, bareClickConc));
  out();

  // ---- channel ready ----
  await quiet(fake);
  const ready = await channelReady(env, warroom, 30);
  const rd = dist(ready.ms);
  out("## Declaration to channel ready (opening message pinned), 30 declarations one at a time");
  out();
  out("| p50 | p95 | Slack calls | sequential rounds in all | rounds after the channel exists |");
  out("| --- | --- | --- | --- | --- |");
  out(`| ${fmt(rd.p50)} ms | ${fmt(rd.p95)} ms | ${percentile(ready.calls, 50)} | ${percentile(ready.rounds, 50)} (max ${Math.max(...ready.rounds)}) | ${percentile(ready.roundsAfterChannel, 50)} (max ${Math.max(...ready.roundsAfterChannel)}) |`);
  out();

  // ---- memory and start-up ----
  // every incident so far: the bench's declarations, the click target and the 30 readiness checks
  const declared = () => n + 1 + 30;
  await pool(Math.max(0, 1000 - declared()), CONCURRENCY, declare);
  await until(() => fake.okCallsTo("pins.add").length >= declared(), 300_000, `${declared()} incidents to be provisioned`);
  await quiet(fake, 2000);
  const loadedRss = await rssMb(bot.proc.pid as number);
  bot.kill("SIGTERM");
  await bot.exited;
  const startups: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = Date.now();
    bot = await spawnBot(botEnv(env));
    for (;;) {
      const ok = await fetch(`${bot.url}/healthz`).then((r) => r.status === 200).catch(() => false);
      if (ok) break;
      await sleep(10);
    }
    startups.push(Date.now() - t0);
    bot.kill("SIGTERM");
    await bot.exited;
  }
  out("## Memory and start-up (embedded PostgreSQL)");
  out();
  out(`| RSS idle | RSS after ${declared().toLocaleString("en")} incidents | start-up to a 200 /healthz on an existing database (median of 3) |`);
  out("| --- | --- | --- |");
  out(`| ${idleRss.toFixed(0)} MB | ${loadedRss.toFixed(0)} MB | ${percentile(startups, 50)} ms (${startups.join(", ")}) |`);
  out();
  bare.kill("SIGTERM");

}

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

  if (SECTIONS.has("core")) await coreSection(env);
  // ---- scheduler ----
  if (SECTIONS.has("scheduler")) await schedulerSection();
  if (SECTIONS.has("record")) await recordSection(env);
  if (SECTIONS.has("alerts")) await alertsSection();
  if (SECTIONS.has("webhooks")) await webhooksSection();
  if (SECTIONS.has("metrics")) await metricsSection();
  if (SECTIONS.has("backup")) await backupSection();
  if (SECTIONS.has("playground")) await playgroundSection();
  out(`Benchmark took ${Math.round((Date.now() - started) / 1000)} s.`);

  await fake.stop();
  await fs.rm(parent, { recursive: true, force: true });
  if (ALL) await fs.writeFile(path.join(HERE, "results.md"), `${lines.join("\n")}\n`);
}

async function schedulerSection(): Promise<void> {
  out("## Scheduler (reminder lateness over 50 reminders; tick = one claim of due jobs, 300 ticks)");
  out();
  out("| database | open incidents | lateness p50 | lateness p99 | tick p50 | tick p99 | due-job query uses the index |");
  out("| --- | --- | --- | --- | --- | --- | --- |");
  for (const start of [startEmbeddedServer, startExternalServer]) {
    const server: BenchServer = await start();
    try {
      for (const open of [1_000, 10_000]) {
        const tick = await measureTick(await server.database(), open);
        const late = await measureLateness(await server.database(), 50, open, LATENCY);
        out(`| ${server.name} | ${open.toLocaleString("en")} | ${fmt(late.lateMs.p50)} ms | ${fmt(late.lateMs.p99)} ms | ${fmt(tick.tickMs.p50)} ms | ${fmt(tick.tickMs.p99)} ms | ${tick.usesIndex ? "yes" : "NO"} |`);
      }
    } finally {
      await server.stop();
    }
  }
  out();
}

async function recordSection(env: Env): Promise<void> {
  const server = await startExternalServer();
  try {
    const r = await measureRecord(await server.database(), env.fake, env.configFile, env.general, env.users.slice(0, 30));
    out(`## The record at scale (${r.incidents.toLocaleString("en")} closed incidents, ${r.timeline.toLocaleString("en")} timeline entries, ${server.name}; seeded in ${r.seedS.toFixed(0)} s)`);
    out();
    out("| measurement | p50 | p99 | target |");
    out("| --- | --- | --- | --- |");
    out(`| \`/incident stats all\` answered (30 times) | ${fmt(r.statsMs.p50)} ms | ${fmt(r.statsMs.p99)} ms | p99 < 1 s |`);
    out(`| App Home published, from the event to views.publish (30 times) | ${fmt(r.homeMs.p50)} ms | ${fmt(r.homeMs.p99)} ms | p99 < 300 ms |`);
    out(`| \`GET /api/v1/incidents?limit=100\` (200 times) | ${fmt(r.listMs.p50)} ms | ${fmt(r.listMs.p99)} ms | p99 < 50 ms |`);
    out();
    out(`The full CSV export: ${r.csv.rows.toLocaleString("en")} rows, ${(r.csv.bytes / 2 ** 20).toFixed(1)} MB streamed in ${(r.csv.ms / 1000).toFixed(1)} s (target < 10 s); the bot's RSS ${r.csv.rssBeforeMb.toFixed(0)} MB before, ${r.csv.rssPeakMb.toFixed(0)} MB at most while streaming (target < 300 MB).`);
    out(`Indexes the plans use: newest-first pages \`${r.indexes[0]}\`, open incidents \`${r.indexes[1]}\`, someone's action items \`${r.indexes[2]}\`.`);
    out();
  } finally {
    await server.stop();
  }
}

async function alertsSection(): Promise<void> {
  const server = await startExternalServer();
  try {
    const s = await measureStorm(await server.database(), LATENCY);
    out(`## Alert storm (${STORM.notifications} Alertmanager notifications in ${STORM.seconds} s over ${STORM.groups} groups, ${STORM.critical} of them declared at once; the fake Slack enforcing Slack's rate limits; ${server.name})`);
    out();
    out("| measurement | figure | target | lower bound Slack's limits allow |");
    out("| --- | --- | --- | --- |");
    out(`| webhook answered (p50 / p99 / max) | ${fmt(s.webhookMs.p50)} / ${fmt(s.webhookMs.p99)} / ${fmt(s.webhookMs.max)} ms, ${s.answered200} of ${STORM.notifications} with 200 | p99 < 200 ms | — |`);
    out(`| triage messages posted | ${s.triageMessages} | exactly ${STORM.groups} | — |`);
    out(`| last triage message posted, from the first notification | ${s.lastPostS.toFixed(1)} s (first at ${s.firstPostS.toFixed(1)} s) | within 90 s | ${s.lowerBound.lastPostS} s (one message a second in one channel) |`);
    out(`| 429s answered by the fake Slack | ${s.rateLimited} | 0 | — |`);
    out(`| edits per triage item (min / median / max; total) | ${s.editsPerItem.min} / ${s.editsPerItem.p50} / ${s.editsPerItem.max}; ${s.editsPerItem.total} (${s.updates} chat.update in the triage channel) | at most one per 5 s per item | ${s.lowerBound.editsInWindow} chat.update in any minute (Tier 3) |`);
    out(`| every triage message showing its group's last state | ${s.currentS.toFixed(1)} s after the first notification | — | — |`);
    out(`| incidents declared at once (auto_declare) | ${s.declared} | ${STORM.critical} | — |`);
    out();
  } finally {
    await server.stop();
  }
}

async function webhooksSection(): Promise<void> {
  const server = await startExternalServer();
  try {
    const w = await measureWebhooks(await server.database(), LATENCY);
    out(`## Webhooks out (${w.events.toLocaleString("en")} events: ${WEBHOOK_LOAD.incidents} incidents, ${WEBHOOK_LOAD.updatesEach} updates each; three endpoints, one answering after ${WEBHOOK_LOAD.slowMs / 1000} s; ${server.name})`);
    out();
    out("| measurement | figure | target |");
    out("| --- | --- | --- |");
    for (const [i, f] of w.fast.entries()) {
      out(`| fast endpoint ${i + 1}: delivery latency, event to receiver (p50 / p99 / max) | ${fmt(f.p50)} / ${fmt(f.p99)} / ${fmt(f.max)} ms, ${f.received} of ${w.events} | p99 < 1 s |`);
    }
    const types = Object.entries(w.fast[0]?.byType ?? {}).map(([t, d]) => `${t} ${fmt(d.p50)} / ${fmt(d.p99)} ms (n ${d.n})`).join("; ");
    out(`| fast endpoint 1 by type (p50 / p99) | ${types} | — |`);
    out(`| slow endpoint: events it had when the fast ones had all; delivery latency p50 | ${w.slow.received} of ${w.events}; ${fmt(w.slow.p50)} ms | (it sets its own pace) |`);
    out(`| events sent / all at the fast endpoints / all at the slow one | ${w.sentInS.toFixed(1)} s / ${w.fastDoneS.toFixed(1)} s / ${w.slow.allInS === null ? "not within 10 minutes" : `${w.slow.allInS.toFixed(1)} s`} | — |`);
    out(`| the bot's RSS: idle / peak / after | ${w.rssMb.idle.toFixed(0)} / ${w.rssMb.peak.toFixed(0)} / ${w.rssMb.after.toFixed(0)} MB | flat |`);
    out(`| each incident's events in order at every endpoint | ${w.inOrder ? "yes" : "NO"} | yes |`);
    out();
  } finally {
    await server.stop();
  }
}

async function metricsSection(): Promise<void> {
  const server = await startExternalServer();
  try {
    const m = await measureMetrics(await server.database());
    out(`## GET /metrics (${METRICS_LOAD.open.toLocaleString("en")} open incidents, as many pending jobs; ${server.name})`);
    out();
    out("| measurement | p50 | p99 | max | target |");
    out("| --- | --- | --- | --- | --- |");
    out(`| a scrape, answered (${METRICS_LOAD.scrapes} times; ${(m.bytes / 1024).toFixed(1)} kB each) | ${fmt(m.p50)} ms | ${fmt(m.p99)} ms | ${fmt(m.max)} ms | p99 < 20 ms |`);
    out();
  } finally {
    await server.stop();
  }
}

async function backupSection(): Promise<void> {
  const server = await startExternalServer();
  try {
    const b = await measureBackup(await server.database(), server.adminUrl, await server.database(), Number(process.env.BENCH_BACKUP_INCIDENTS ?? 100_000));
    out(`## Backup and restore (${b.incidents.toLocaleString("en")} closed incidents, ${b.timeline.toLocaleString("en")} timeline entries, ${b.rows.toLocaleString("en")} rows in all; ${server.name}; seeded in ${b.seedS.toFixed(0)} s)`);
    out();
    out("| measurement | time | peak RSS | target |");
    out("| --- | --- | --- | --- |");
    out(`| \`npm run backup\` (a ${b.fileMb.toFixed(0)} MB file) | ${b.backup.s.toFixed(1)} s | ${b.backup.peakRssMb.toFixed(0)} MB | < 60 s, memory flat |`);
    out(`| \`npm run restore\` into an empty database, every table checked (${b.restoredIncidents.toLocaleString("en")} incidents back) | ${b.restore.s.toFixed(1)} s | ${b.restore.peakRssMb.toFixed(0)} MB | < 120 s, memory flat |`);
    out(`| the same restore of a tenth of the data, for comparison | ${b.smallBackup.s.toFixed(1)} s | ${b.smallBackup.peakRssMb.toFixed(0)} MB | the same memory |`);
    out();
  } finally {
    await server.stop();
  }
}

async function playgroundSection(): Promise<void> {
  const p = await measurePlayground();
  out(`## The playground (\`npm run playground\`; its first start, which makes the database, took ${p.firstStartS.toFixed(1)} s)`);
  out();
  out("| measurement | p50 | max | target |");
  out("| --- | --- | --- | --- |");
  out(`| ready (the page answers; the bot is up) on an existing DATA_DIR, ${p.readyMs.length} starts | ${(percentile(p.readyMs, 50) / 1000).toFixed(2)} s | ${(Math.max(...p.readyMs) / 1000).toFixed(2)} s | < 5 s |`);
  if (p.browser) {
    out(`| a channel of ${p.messages.toLocaleString("en")} messages rendered in Chromium, opened by its address (${p.openMs.length} times) | ${fmt(percentile(p.openMs, 50))} ms | ${fmt(Math.max(...p.openMs))} ms | < 1 s |`);
    out(`| the same channel switched to from the sidebar (${p.switchMs.length} times) | ${fmt(percentile(p.switchMs, 50))} ms | ${fmt(Math.max(...p.switchMs))} ms | < 1 s |`);
    out(`| a message posted in that open channel, until the page shows it (${p.liveMs.length} times; 100 ms of it is the page's change batching) | ${fmt(percentile(p.liveMs, 50))} ms | ${fmt(Math.max(...p.liveMs))} ms | (none) |`);
  } else out("| rendering | (no Chromium at /usr/bin/chromium: not measured) | | < 1 s |");
  out();
}

await main();
process.exit(0);
