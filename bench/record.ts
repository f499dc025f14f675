// The record's numbers at scale (issue 12): with 100,000 closed incidents and 1,000,000 timeline
// entries stored, how long `/incident stats all` takes to answer, the App Home to be published, a page
// of the API's incidents to be served, and the whole CSV export to stream (and how much memory the
// bot holds meanwhile). The bot runs as `npm start` runs it, on an external PostgreSQL.

import pg from "pg";
import type { FakeSlack } from "../src/local-slack/server.ts";
import type { FakeUser } from "../src/local-slack/workspace.ts";
import type { BotProcess } from "../test/support/bot-process.ts";
import { spawnBenchBot } from "./bot.ts";
import { SIGNING_SECRET } from "../test/support/harness.ts";
import { SlackRequests } from "../src/local-slack/deliver.ts";
import { until } from "../test/support/wait.ts";
import { percentile, rssMb } from "./stats.ts";

export const API_TOKEN = "bench-api-token-0123456789abcdef";

export interface RecordFigures {
  incidents: number;
  timeline: number;
  seedS: number;
  statsMs: { p50: number; p99: number };
  homeMs: { p50: number; p99: number };
  listMs: { p50: number; p99: number };
  insightsMs: { p50: number; p99: number };
  /** Each filter's first request (the report worked out), before it is kept a minute. */
  insightsColdMs: number[];
  insightsBytes: number;
  csv: { ms: number; rows: number; bytes: number; rssBeforeMb: number; rssPeakMb: number };
  indexes: string[];
}

/** 100,000 closed incidents over the last ~70 days, 10 timeline entries each, an action item in ten (owned by `owners` in turn). */
export async function seedRecord(url: string, teamId: string, owners: readonly string[], incidents = 100_000, perIncident = 10): Promise<number> {
  const t0 = Date.now();
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(
      `INSERT INTO incidents (id, team_id, number, title, severity, status, is_private, declared_by, declared_at, declare_key, ic_id,
                              channel_id, channel_name, acknowledged_at, mitigated_at, resolved_at, closed_at, punct_kept, punct_missed, updated_at)
       SELECT gen_random_uuid(), $1, n, 'Bench incident ' || n, (ARRAY['SEV1','SEV2','SEV3','SEV4'])[1 + n % 4], 'closed', n % 20 = 0,
              'UBENCH' || (n % 50), now() - make_interval(mins => n), 'bench:' || n, 'UBENCH' || (n % 50),
              'CB' || n, 'inc-bench-' || n, now() - make_interval(mins => n) + interval '2 minutes',
              now() - make_interval(mins => n) + make_interval(mins => 10 + n % 50), now() - make_interval(mins => n) + make_interval(mins => 30 + n % 90),
              now() - make_interval(mins => n) + interval '3 hours', n % 4, n % 3, now()
         FROM generate_series(1, $2::int) n`,
      [teamId, incidents],
    );
    await c.query(`INSERT INTO workspace_counters (team_id, last_number) VALUES ($1, $2) ON CONFLICT (team_id) DO UPDATE SET last_number = $2`, [teamId, incidents]);
    await c.query(
      `INSERT INTO timeline_entries (incident_id, at, kind, actor_id, text)
       SELECT i.id, i.declared_at + make_interval(mins => k), CASE WHEN k = 1 THEN 'declared' ELSE 'note' END, i.declared_by, 'Bench entry ' || k || ' of ' || i.title
         FROM incidents i CROSS JOIN generate_series(1, $2::int) k WHERE i.team_id = $1`,
      [teamId, perIncident],
    );
    await c.query(
      `INSERT INTO action_items (incident_id, number, text, owner_id, due_date, priority, status, created_by, created_at)
       SELECT id, 1, 'Follow up on ' || title, ($2::text[])[1 + (number / 10) % array_length($2::text[], 1)], (declared_at + interval '7 days')::date, 'P2',
              CASE WHEN number % 3 = 0 THEN 'done'::"ActionItemStatus" ELSE 'open'::"ActionItemStatus" END, declared_by, declared_at
         FROM incidents WHERE team_id = $1 AND number % 10 = 0`,
      [teamId, [...owners]],
    );
    await c.query("ANALYZE");
  } finally {
    await c.end();
  }
  return (Date.now() - t0) / 1000;
}


const dist = (xs: number[]) => ({ p50: percentile(xs, 50), p99: percentile(xs, 99) });

async function explainUses(url: string, sql: string, params: unknown[]): Promise<string> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query(`EXPLAIN ${sql}`, params);
    return r.rows.map((x: Record<string, string>) => Object.values(x)[0]).join(" ");
  } finally {
    await c.end();
  }
}

export async function measureRecord(url: string, fake: FakeSlack, configFile: string, general: string, users: FakeUser[]): Promise<RecordFigures> {
  const owner = users[0] as FakeUser;
  // the people who open their App Home own the action items, an equal share each
  const seedS = await seedRecord(url, fake.ws.teamId, [...users.map((u) => u.id), ...Array.from({ length: 470 }, (_, i) => `UOTHER${i}`)]);
  const bot: BotProcess = await spawnBenchBot(fake, url, configFile, { WARROOM_API_TOKEN: API_TOKEN });
  try {
    await bot.waitUntilUp(120_000);
    // the start-up work (the migrations' one-off jobs, none here) settles first
    await new Promise((r) => setTimeout(r, 1000));
    const slack = new SlackRequests(bot.url, SIGNING_SECRET, fake);

    // /incident stats all: the answer is the acknowledgement itself
    const stats: number[] = [];
    for (let i = 0; i < 30; i++) {
      const t0 = performance.now();
      const r = await slack.command("stats all", { user: owner.id, channel: general });
      if (!JSON.stringify(r.json).includes("Incidents in all time: 100,000") && !JSON.stringify(r.json).includes("Incidents in all time: 100000")) throw new Error(`stats answered ${r.text.slice(0, 200)}`);
      stats.push(performance.now() - t0);
    }

    // the App Home: from the event to views.publish answered
    const home: number[] = [];
    for (let i = 0; i < 30; i++) {
      const user = users[i % users.length] as FakeUser;
      const before = fake.okCallsTo("views.publish").length;
      const t0 = Date.now();
      await slack.event({ type: "app_home_opened", user: user.id, channel: "D0BENCH", tab: "home" }, { eventId: `EvBenchHome${i}` });
      const call = await until(() => fake.okCallsTo("views.publish")[before], 30_000, "the App Home");
      home.push(call.at - t0);
    }

    // GET /api/v1/incidents?limit=100
    const list: number[] = [];
    const headers = { authorization: `Bearer ${API_TOKEN}` };
    for (let i = 0; i < 200; i++) {
      const t0 = performance.now();
      const r = await fetch(`${bot.url}/api/v1/incidents?limit=100`, { headers });
      const body = (await r.json()) as { incidents: unknown[] };
      if (r.status !== 200 || body.incidents.length !== 100) throw new Error(`the API answered ${r.status}`);
      list.push(performance.now() - t0);
    }

    // GET /insights (a year: every incident), signed in with the bearer token: each filter's first
    // request works the report out (cold); the next ones within a minute are answered from it
    const insightsColdMs: number[] = [];
    for (const q of ["range=365", "range=90", "range=365&severity=SEV1", "range=30", "range=365&drills=only"]) {
      const t0 = performance.now();
      const r = await fetch(`${bot.url}/insights?${q}`, { headers });
      await r.text();
      if (r.status !== 200) throw new Error(`the insights page answered ${r.status}`);
      insightsColdMs.push(performance.now() - t0);
    }
    const insights: number[] = [];
    let insightsBytes = 0;
    for (let i = 0; i < 30; i++) {
      const t0 = performance.now();
      const r = await fetch(`${bot.url}/insights?range=365`, { headers });
      const html = await r.text();
      if (r.status !== 200 || !html.includes("incidents declared")) throw new Error(`the insights page answered ${r.status}`);
      insights.push(performance.now() - t0);
      insightsBytes = Buffer.byteLength(html);
    }

    // the whole CSV export, streamed; the bot's RSS sampled meanwhile
    const pid = bot.proc.pid as number;
    const rssBeforeMb = await rssMb(pid);
    let rssPeakMb = rssBeforeMb;
    const sampling = { on: true };
    const sampler = (async () => {
      while (sampling.on) {
        rssPeakMb = Math.max(rssPeakMb, await rssMb(pid).catch(() => 0));
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const t0 = performance.now();
    const r = await fetch(`${bot.url}/api/v1/incidents.csv?drills=include`, { headers });
    let bytes = 0;
    let newlines = 0;
    const reader = r.body?.getReader();
    for (;;) {
      const chunk = await reader?.read();
      if (!chunk || chunk.done) break;
      bytes += chunk.value.length;
      for (const b of chunk.value) if (b === 10) newlines += 1;
    }
    const ms = performance.now() - t0;
    sampling.on = false;
    await sampler;

    const indexes = [
      await explainUses(url, `SELECT id FROM incidents WHERE team_id = $1 ORDER BY declared_at DESC, id DESC LIMIT 101`, [fake.ws.teamId]),
      await explainUses(url, `SELECT count(*) FROM incidents WHERE team_id = $1 AND status IN ('investigating','identified','monitoring')`, [fake.ws.teamId]),
      await explainUses(url, `SELECT count(*) FROM action_items WHERE owner_id = $1 AND status = 'open'`, [owner.id]),
    ].map((plan) => /Index (?:Only )?Scan (?:Backward )?(?:using|on) (\S+)/.exec(plan)?.[1] ?? "a sequential scan");

    return { incidents: 100_000, timeline: 1_000_000, seedS, statsMs: dist(stats), homeMs: dist(home), listMs: dist(list), insightsMs: dist(insights), insightsColdMs, insightsBytes, csv: { ms, rows: newlines - 1, bytes, rssBeforeMb, rssPeakMb }, indexes };
  } finally {
    bot.kill("SIGTERM");
    await bot.exited;
  }
}
