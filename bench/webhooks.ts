// Webhooks out (issue 14): 1,000 events (100 incidents declared, nine updates each) to three
// endpoints, one of which answers every delivery after 2 s. The fast endpoints must not wait for the
// slow one: the delivery latency (the event's timestamp to the receiver having the request) to them
// is measured, and the bot's RSS sampled before, during and after, to show memory stays flat. The bot
// runs as `npm start` runs it, on an external PostgreSQL.

import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { startFakeSlack } from "../src/local-slack/server.ts";
import { startReceiver, type WebhookReceiver } from "../test/fake-webhooks/receiver.ts";
import type { BotProcess } from "../test/support/bot-process.ts";
import { spawnBenchBot } from "./bot.ts";
import { SIGNING_SECRET } from "../test/support/harness.ts";
import { SlackRequests } from "../src/local-slack/deliver.ts";
import { until } from "../test/support/wait.ts";
import { percentile } from "./stats.ts";

export const WEBHOOK_LOAD = { incidents: 100, updatesEach: 9, slowMs: 2_000 };
const EVENTS = WEBHOOK_LOAD.incidents * (1 + WEBHOOK_LOAD.updatesEach);

export interface WebhookFigures {
  events: number;
  fast: { p50: number; p99: number; max: number; received: number; byType: Record<string, { n: number; p50: number; p99: number }> }[];
  slow: { p50: number; received: number; allInS: number | null };
  sentInS: number;
  fastDoneS: number;
  rssMb: { idle: number; peak: number; after: number };
  inOrder: boolean;
}

async function rssMb(pid: number): Promise<number> {
  const status = await fs.readFile(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/** Milliseconds from each event's timestamp to the receiver having it (first delivery of each webhook-id), with its type. */
function timed(r: WebhookReceiver): { type: string; ms: number }[] {
  const seen = new Set<string>();
  const out: { type: string; ms: number }[] = [];
  for (const x of r.received) {
    const id = x.headers["webhook-id"] as string;
    if (seen.has(id)) continue;
    seen.add(id);
    const b = JSON.parse(x.body) as { type: string; timestamp: string };
    out.push({ type: b.type, ms: x.at - Date.parse(b.timestamp) });
  }
  return out;
}

const latencies = (r: WebhookReceiver) => timed(r).map((t) => t.ms);

function byType(r: WebhookReceiver): Record<string, { n: number; p50: number; p99: number }> {
  const groups = new Map<string, number[]>();
  for (const t of timed(r)) groups.set(t.type, [...(groups.get(t.type) ?? []), t.ms]);
  return Object.fromEntries([...groups].map(([type, xs]) => [type, { n: xs.length, p50: percentile(xs, 50), p99: percentile(xs, 99) }]));
}

/** Each incident's events reached the receiver in the order they happened. */
function inOrder(r: WebhookReceiver): boolean {
  const last = new Map<string, number>();
  for (const x of r.received) {
    const b = JSON.parse(x.body) as { timestamp: string; data: { incident: { id: string } } };
    const t = Date.parse(b.timestamp);
    if ((last.get(b.data.incident.id) ?? 0) > t) return false;
    last.set(b.data.incident.id, t);
  }
  return true;
}

export async function measureWebhooks(url: string, latencyMs: number): Promise<WebhookFigures> {
  const fake = await startFakeSlack();
  fake.latencyMs = latencyMs;
  const receivers = await Promise.all([startReceiver("/fast-a"), startReceiver("/fast-b"), startReceiver("/slow")]);
  const [a, b, slow] = receivers;
  slow.behave({ kind: "slow", ms: WEBHOOK_LOAD.slowMs });
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "warroom-webhooks-"));
  const configFile = path.join(dir, "incident.config.yml");
  const secret = (c: string) => `whsec_${Buffer.from(c.repeat(32)).toString("base64")}`;
  await fs.writeFile(
    configFile,
    `webhooks:\n${receivers.map((r, i) => `  - url: ${r.url}\n    secret_env: HOOK_${i}\n`).join("")}`,
  );
  const alice = fake.ws.addUser("alice");
  const general = fake.ws.addChannel("general", { members: [alice.id] });
  const bot: BotProcess = await spawnBenchBot(fake, url, configFile, { SLACK_PACING: "off", HOOK_0: secret("a"), HOOK_1: secret("b"), HOOK_2: secret("c") });
  try {
    await bot.waitUntilUp(60_000);
    const pid = bot.proc.pid as number;
    const idle = await rssMb(pid);
    let peak = idle;
    const sampler = setInterval(() => void rssMb(pid).then((m) => (peak = Math.max(peak, m))).catch(() => undefined), 250);
    const slack = new SlackRequests(bot.url, SIGNING_SECRET, fake);
    const started = Date.now();
    // declared ten at a time; each incident's updates follow once its channel exists
    const channels: string[] = [];
    for (let i = 0; i < WEBHOOK_LOAD.incidents; i += 10) {
      await Promise.all(Array.from({ length: 10 }, (_, k) => slack.command(`declare sev2 Webhook load ${i + k + 1}`, { user: alice.id, channel: general.id })));
    }
    await until(() => (fake.okCallsTo("conversations.create").length >= WEBHOOK_LOAD.incidents ? true : undefined), 120_000, "every incident channel", 100);
    for (const c of fake.okCallsTo("conversations.create")) channels.push((c.response.channel as { id: string }).id);
    // the opening message is posted once the channel is recorded
    await until(() => channels.every((id) => (fake.ws.conversations.get(id)?.messages.length ?? 0) > 0), 120_000, "every opening message", 100);
    for (let u = 1; u <= WEBHOOK_LOAD.updatesEach; u++) {
      for (let i = 0; i < channels.length; i += 10) {
        await Promise.all(channels.slice(i, i + 10).map((id) => slack.command(`update Update ${u}: still working on it`, { user: alice.id, channel: id })));
      }
    }
    const sentInS = (Date.now() - started) / 1000;
    const got = (r: WebhookReceiver) => new Set(r.delivered().map((d) => d.headers["webhook-id"])).size;
    await until(() => (got(a) >= EVENTS && got(b) >= EVENTS ? true : undefined), 300_000, "every event at the fast endpoints", 100);
    const fastDoneS = (Date.now() - started) / 1000;
    const slowAtFastDone = got(slow);
    let allInS: number | null = null;
    try {
      await until(() => (got(slow) >= EVENTS ? true : undefined), 600_000, "every event at the slow endpoint", 250);
      allInS = (Date.now() - started) / 1000;
    } catch {
      allInS = null;
    }
    clearInterval(sampler);
    const after = await rssMb(pid);
    const fast = [a, b].map((r) => {
      const xs = latencies(r);
      return { p50: percentile(xs, 50), p99: percentile(xs, 99), max: Math.max(...xs), received: got(r), byType: byType(r) };
    });
    return {
      events: EVENTS,
      fast,
      slow: { p50: percentile(latencies(slow), 50), received: slowAtFastDone, allInS },
      sentInS,
      fastDoneS,
      rssMb: { idle, peak, after },
      inOrder: receivers.every(inOrder),
    };
  } finally {
    bot.kill("SIGTERM");
    await bot.exited;
    await fake.stop();
    await Promise.all(receivers.map((r) => r.stop()));
    await fs.rm(dir, { recursive: true, force: true });
  }
}
