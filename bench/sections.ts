// The other sections, each a table: the scheduler, the record, the alert storm, webhooks, /metrics,
// backups, the playground, the assistant and the public status page.

import { type BenchServer, startEmbeddedServer, startExternalServer } from "./databases.ts";
import { measureStorm, STORM } from "./alerts.ts";
import { measureWebhooks, WEBHOOK_LOAD } from "./webhooks.ts";
import { measureBackup } from "./backup.ts";
import { measurePlayground } from "./playground.ts";
import { measureMetrics, METRICS_LOAD } from "./metrics.ts";
import { measureRecord } from "./record.ts";
import { ASSISTANT_LOAD, measureAssistant, summary } from "./assistant.ts";
import { measureStart } from "./start.ts";
import { measureStatusPage, STATUS_LOAD } from "./status-page.ts";
import { EXPORT_BURST, measureExport } from "./followups.ts";
import type { FakeSlack } from "../src/local-slack/server.ts";
import { measureLateness, measureTick } from "./scheduler.ts";
import { fmt, percentile } from "./stats.ts";
import { LATENCY, out } from "./report.ts";
import { type Env } from "./core.ts";

export async function schedulerSection(): Promise<void> {
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

export async function recordSection(env: Env): Promise<void> {
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
    out(`| \`GET /insights\`, each of 5 filters' first request (the report worked out: ${r.insightsColdMs.map((x) => fmt(x)).join(", ")} ms) | ${fmt(percentile(r.insightsColdMs, 50))} ms | ${fmt(Math.max(...r.insightsColdMs))} ms (max) | p99 < 500 ms |`);
    out(`| \`GET /insights?range=365\` again within the minute (30 times; ${(r.insightsBytes / 1024).toFixed(0)} KB) | ${fmt(r.insightsMs.p50)} ms | ${fmt(r.insightsMs.p99)} ms | p99 < 500 ms |`);
    out();
    out(`The full CSV export: ${r.csv.rows.toLocaleString("en")} rows, ${(r.csv.bytes / 2 ** 20).toFixed(1)} MB streamed in ${(r.csv.ms / 1000).toFixed(1)} s (target < 10 s); the bot's RSS ${r.csv.rssBeforeMb.toFixed(0)} MB before, ${r.csv.rssPeakMb.toFixed(0)} MB at most while streaming (target < 300 MB).`);
    out(`Indexes the plans use: newest-first pages \`${r.indexes[0]}\`, open incidents \`${r.indexes[1]}\`, someone's action items \`${r.indexes[2]}\`.`);
    out();
  } finally {
    await server.stop();
  }
}

export async function alertsSection(): Promise<void> {
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

export async function webhooksSection(): Promise<void> {
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

export async function metricsSection(): Promise<void> {
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

export async function backupSection(): Promise<void> {
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

export async function playgroundSection(): Promise<void> {
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

export async function startSection(fake: FakeSlack): Promise<void> {
  out("## Start (npm start's bot on the embedded database, the build excluded; 3 rounds, median)");
  out();
  const { first, restart } = await measureStart(fake, 3);
  const median = (xs: number[]) => percentile(xs, 50);
  out("The embedded server is started before the bot's modules load and while they do (src/main.ts), so its start, as its log line counts it, includes waiting for them.");
  out();
  out("| start | to /healthz 200 | target | the embedded server's start (its log's startMs) | its log line → \"Warroom is up\" (migrations, auth.test, HTTP) |");
  out("| --- | --- | --- | --- | --- |");
  for (const [what, xs, target] of [["first, on an empty DATA_DIR (cluster created)", first, "< 4 s"], ["again, on the same DATA_DIR", restart, "< 1 s"]] as const) {
    out(`| ${what} | ${fmt(median(xs.map((x) => x.totalMs)))} ms | ${target} | ${fmt(median(xs.map((x) => x.postgresMs)))} ms | ${fmt(median(xs.map((x) => x.afterPostgresMs)))} ms |`);
  }
  out();
}

export async function assistantSection(): Promise<void> {
  const server = await startExternalServer();
  try {
    out(`## The assistant (\`/incident catchup\` in a channel of ${ASSISTANT_LOAD.messages.toLocaleString("en")} messages from ${ASSISTANT_LOAD.people} people, ${ASSISTANT_LOAD.catchups} times; the fake model answering in ${ASSISTANT_LOAD.modelMs} ms; ${server.name})`);
    out();
    out("| fake Slack latency per call | command → ephemeral answer (p50 / p99) | the model's own answer time (p50 / p99) | overhead Warroom adds (p50 / p99) | target | conversations.history calls (each a latency: the floor) | prompt sent |");
    out("| --- | --- | --- | --- | --- | --- | --- |");
    for (const latency of [LATENCY, 0]) {
      const a = await measureAssistant(await server.database(), latency);
      const [t, m, o] = [summary(a.totalMs), summary(a.modelMs), summary(a.overheadMs)];
      out(`| ${latency} ms | ${fmt(t.p50)} / ${fmt(t.p99)} ms | ${fmt(m.p50)} / ${fmt(m.p99)} ms | ${fmt(o.p50)} / ${fmt(o.p99)} ms | < 200 ms | ${a.historyCalls} (${a.historyCalls * latency} ms) | ${a.promptChars.toLocaleString("en")} characters |`);
    }
    out();
  } finally {
    await server.stop();
  }
}

export async function statusPageSection(): Promise<void> {
  const server = await startEmbeddedServer();
  try {
    out(`## The public status page (GET /status at ${STATUS_LOAD.rate} requests a second over ${STATUS_LOAD.connections} keep-alive connections for ${STATUS_LOAD.seconds} s, open loop; the bot as npm start runs it; ${server.name})`);
    out();
    out("| public incidents in the history | requests (errors) | latency p50 | p99 | max | target p99 | bot RSS before → peak | page size |");
    out("| --- | --- | --- | --- | --- | --- | --- | --- |");
    for (const incidents of [0, 1_000]) {
      const s = await measureStatusPage(await server.database(), incidents);
      out(`| ${incidents.toLocaleString("en")} | ${s.requests.toLocaleString("en")} (${s.errors}) | ${s.p50.toFixed(2)} ms | ${s.p99.toFixed(2)} ms | ${s.max.toFixed(1)} ms | < 10 ms | ${s.rssMb.before.toFixed(0)} → ${s.rssMb.peak.toFixed(0)} MB | ${(s.bytes / 1024).toFixed(1)} KB (< 60 KB) |`);
    }
    out();
  } finally {
    await server.stop();
  }
}

export async function followupsSection(): Promise<void> {
  const server = await startEmbeddedServer();
  try {
    out(`## Follow-ups (${EXPORT_BURST} action items exported in one burst to each tracker's fake, its rate limits enforced; the bot as npm start runs it; ${server.name})`);
    out();
    out("| tracker | items with exactly one issue | duplicates | refused for rate | requests | time | the limit's lower bound |");
    out("| --- | --- | --- | --- | --- | --- | --- |");
    for (const kind of (process.env.BENCH_TRACKERS ?? "linear,jira,github").split(",") as ("github" | "jira" | "linear")[]) {
      const f = await measureExport(await server.database(), kind);
      out(`| ${f.tracker} | ${f.issues - f.duplicates} of ${f.items} | ${f.duplicates} | ${f.refusedForRate} | ${f.requests.toLocaleString("en")} | ${f.seconds.toFixed(1)} s | ${f.boundSeconds.toFixed(0)} s (${f.bound}) |`);
    }
    out();
  } finally {
    await server.stop();
  }
}
