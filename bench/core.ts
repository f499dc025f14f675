// The core section: the acknowledgement of /incident declare and of a role button against bare
// Bolt's, the time to a ready channel, and memory after 1,000 incidents.

import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { type FakeSlack } from "../src/local-slack/server.ts";
import type { FakeUser } from "../src/local-slack/workspace.ts";
import { spawnBot, type BotProcess } from "../test/support/bot-process.ts";
import { SIGNING_SECRET } from "../test/support/harness.ts";
import { freePort } from "../test/support/postgres-cluster.ts";
import { sequentialRounds } from "../test/support/rounds.ts";
import { SlackRequests, type SentRequest } from "../src/local-slack/deliver.ts";
import { fmt, percentile, rssMb } from "./stats.ts";
import { until } from "../test/support/wait.ts";
import { CONCURRENCY, dist, HERE, LATENCY, out, REQUESTS } from "./report.ts";

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

/**
 * One fsync on this machine, in the bot's DATA_DIR: the p50 of 200 rounds of an 8 KiB write and its
 * fdatasync (what a commit waits for: PostgreSQL's WAL flush).
 */
async function fsyncMs(dir: string): Promise<number> {
  const file = path.join(dir, `bench-fsync-${process.pid}`);
  const handle = await fs.open(file, "w");
  const block = Buffer.alloc(8192, 1);
  const times: number[] = [];
  try {
    for (let i = 0; i < 200; i++) {
      const t = performance.now();
      await handle.write(block, 0, block.length, 0);
      await handle.datasync();
      times.push(performance.now() - t);
    }
  } finally {
    await handle.close();
    await fs.rm(file, { force: true });
  }
  return percentile(times, 50);
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

export interface Env {
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

export async function coreSection(env: Env): Promise<void> {
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
  // the floors of issue 23, measured in this run: a durable ack needs Bolt's ack and one commit's fsync
  const fsync = await fsyncMs(env.dataDir);
  const floor = dist(bareSeq).p50 + fsync;
  out("| durable ack's floor | figure | target | met |");
  out("| --- | --- | --- | --- |");
  out(`| declare, sequential p50 vs 3 × (bare Bolt p50 ${fmt(dist(bareSeq).p50)} + one fsync p50 ${fmt(fsync)}) | ${fmt(dist(declSeq).p50)} ms | ≤ ${fmt(3 * floor)} ms | ${dist(declSeq).p50 <= 3 * floor ? "yes" : "no"} |`);
  out(`| declare, ${CONCURRENCY} concurrent p99 vs 1.5 × bare Bolt's p99 | ${fmt(dist(declConc).p99)} ms | ≤ ${fmt(1.5 * dist(bareConc).p99)} ms | ${dist(declConc).p99 <= 1.5 * dist(bareConc).p99 ? "yes" : "no"} |`);
  out();

  // ---- channel ready ----
  await quiet(fake);
  const ready = await channelReady(env, warroom, 30);
  const rd = dist(ready.ms);
  out("## Declaration to channel ready (opening message pinned), 30 declarations one at a time");
  out();
  out("| p50 | p95 | Slack calls | sequential rounds in all | rounds after the channel exists |");
  out("| --- | --- | --- | --- | --- |");
  out(`| ${fmt(rd.p50)} ms | ${fmt(rd.p95)} ms (${(rd.p95 / rd.p50).toFixed(2)} × p50; target < 1.5 ×) | ${percentile(ready.calls, 50)} | ${percentile(ready.rounds, 50)} (max ${Math.max(...ready.rounds)}) | ${percentile(ready.roundsAfterChannel, 50)} (max ${Math.max(...ready.roundsAfterChannel)}) |`);
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
