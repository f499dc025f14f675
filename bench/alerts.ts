// The alert storm (issue 13): 600 Alertmanager notifications in 60 s over 60 groups (each group's
// alerts growing, some notifications repeated, six groups critical and declared at once), with the
// fake Slack enforcing Slack's published rate limits (chat.postMessage about one a second per
// channel, chat.update Tier 3, conversations.create Tier 2, …; over a limit it answers 429). The bot
// runs as `npm start` runs it, on an external PostgreSQL, pacing itself (SLACK_PACING on).

import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { startFakeSlack } from "../src/local-slack/server.ts";
import { ALERTS_TOKEN, alertmanagerBody, sendAlertmanager } from "../test/support/alerts.ts";
import type { BotProcess } from "../test/support/bot-process.ts";
import { spawnBenchBot } from "./bot.ts";
import { until } from "../test/support/wait.ts";
import { percentile } from "./stats.ts";

export const STORM = { notifications: 600, seconds: 60, groups: 60, critical: 6 };

export interface StormFigures {
  webhookMs: { p50: number; p99: number; max: number };
  answered200: number;
  triageMessages: number;
  firstPostS: number;
  lastPostS: number;
  currentS: number;
  rateLimited: number;
  editsPerItem: { min: number; p50: number; max: number; total: number };
  updates: number;
  declared: number;
  lowerBound: { lastPostS: number; editsInWindow: number };
}

export async function measureStorm(url: string, latencyMs: number): Promise<StormFigures> {
  const fake = await startFakeSlack();
  fake.latencyMs = latencyMs;
  fake.enforceRateLimits();
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "warroom-storm-"));
  const triage = fake.ws.addChannel("alerts", {});
  fake.ws.addChannel("incidents", {});
  const configFile = path.join(dir, "incident.config.yml");
  await fs.writeFile(configFile, `announce_channel: incidents\nalerts:\n  triage_channel: ${triage.id}\n  severity_map: { critical: SEV1, warning: SEV3 }\n  auto_declare: [SEV1]\n`);
  const bot: BotProcess = await spawnBenchBot(fake, url, configFile, { WARROOM_ALERTS_TOKEN: ALERTS_TOKEN });
  const db = new pg.Client({ connectionString: url });
  try {
    await bot.waitUntilUp(60_000);
    await db.connect();
    const keyOf = (g: number) => `{}/{team="storm"}:{alertname="Storm${g}"}`;
    const latencies: number[] = [];
    let ok = 0;
    const started = Date.now();
    const interval = (STORM.seconds * 1000) / STORM.notifications;
    const inFlight: Promise<void>[] = [];
    for (let i = 0; i < STORM.notifications; i++) {
      const due = started + i * interval;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const g = i % STORM.groups;
      const round = Math.floor(i / STORM.groups);
      // every other round repeats the previous one (Alertmanager's retries and repeat_interval)
      const count = 1 + Math.floor(round / 2);
      const body = alertmanagerBody({ groupKey: keyOf(g), alertname: `Storm${g}`, severity: g < STORM.critical ? "critical" : "warning", count, startsAt: "2026-11-30T20:00:00.000Z" });
      inFlight.push(
        (async () => {
          const t0 = performance.now();
          const r = await sendAlertmanager(bot, body);
          latencies.push(performance.now() - t0);
          if (r.status === 200) ok++;
          await r.arrayBuffer();
        })(),
      );
    }
    await Promise.all(inFlight);
    const posts = () => fake.okCallsTo("chat.postMessage").filter((c) => c.args.channel === triage.id);
    await until(() => posts().length >= STORM.groups, 300_000, "every triage message", 200);
    // every message shows its group's last state
    await until(
      async () => (await db.query<{ n: string }>("SELECT count(*) AS n FROM alert_groups WHERE rendered_version < version OR message_ts IS NULL")).rows[0]?.n === "0",
      600_000,
      "every triage message current",
      250,
    );
    const currentS = (Date.now() - started) / 1000;
    const postTimes = posts().map((c) => (c.at - started) / 1000);
    const edits = (await db.query<{ edits: number }>("SELECT edits FROM alert_groups")).rows.map((r) => r.edits);
    const declared = Number((await db.query<{ n: string }>("SELECT count(*) AS n FROM incidents")).rows[0]?.n ?? 0);
    const updates = fake.okCallsTo("chat.update").filter((c) => c.args.channel === triage.id).length;
    return {
      webhookMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: Math.max(...latencies) },
      answered200: ok,
      triageMessages: posts().length,
      firstPostS: Math.min(...postTimes),
      lastPostS: Math.max(...postTimes),
      currentS,
      rateLimited: fake.calls.filter((c) => c.status === 429).length,
      editsPerItem: { min: Math.min(...edits), p50: percentile(edits, 50), max: Math.max(...edits), total: edits.reduce((a, b) => a + b, 0) },
      updates,
      declared,
      // one message a second in one channel: the 60th cannot go before 59 s after the first; Tier 3
      // allows 50 chat.update a minute, so at most that many edits in any minute
      lowerBound: { lastPostS: STORM.groups - 1, editsInWindow: 50 },
    };
  } finally {
    await db.end().catch(() => undefined);
    bot.kill("SIGTERM");
    await bot.exited;
    await fake.stop();
    await fs.rm(dir, { recursive: true, force: true });
  }
}
