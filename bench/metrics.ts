// GET /metrics at scale (issue 15): 10,000 open incidents (and as many pending reminder jobs, as an
// open incident has), scraped 200 times; each scrape counts open incidents by severity and the
// pending jobs when it is asked. The bot runs as `npm start` runs it, on an external PostgreSQL.

import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { startFakeSlack } from "../src/local-slack/server.ts";
import type { BotProcess } from "../test/support/bot-process.ts";
import { spawnBenchBot } from "./bot.ts";
import { percentile } from "./stats.ts";

export const METRICS_LOAD = { open: 10_000, scrapes: 200 };

export async function measureMetrics(url: string): Promise<{ p50: number; p99: number; max: number; bytes: number }> {
  const fake = await startFakeSlack();
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(
      `INSERT INTO incidents (id, team_id, number, title, severity, status, declared_by, declared_at, declare_key, ic_id, channel_id, channel_name, updated_at)
       SELECT gen_random_uuid(), $1, n, 'Open bench incident ' || n, (ARRAY['SEV1','SEV2','SEV3','SEV4'])[1 + n % 4],
              (ARRAY['investigating','identified','monitoring'])[1 + n % 3]::"IncidentStatus", 'UBENCH', now(), 'open:' || n, 'UBENCH', 'CO' || n, 'inc-open-' || n, now()
         FROM generate_series(1, $2::int) n`,
      [fake.ws.teamId, METRICS_LOAD.open],
    );
    await c.query(
      `INSERT INTO jobs (kind, incident_id, payload, due_at) SELECT 'reminder.update_due', id, '{}'::jsonb, now() + interval '1 day' FROM incidents WHERE team_id = $1`,
      [fake.ws.teamId],
    );
    await c.query("ANALYZE");
  } finally {
    await c.end();
  }
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "warroom-metrics-"));
  const configFile = path.join(dir, "incident.config.yml");
  await fs.writeFile(configFile, "{}\n");
  const token = "bench-metrics-token-0123456789";
  const bot: BotProcess = await spawnBenchBot(fake, url, configFile, { METRICS_TOKEN: token });
  try {
    await bot.waitUntilUp(60_000);
    const ms: number[] = [];
    let bytes = 0;
    for (let i = 0; i < METRICS_LOAD.scrapes + 10; i++) {
      const t0 = performance.now();
      const res = await fetch(`${bot.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
      const text = await res.text();
      if (res.status !== 200 || !text.includes(`warroom_incidents_open{severity="SEV1"}`)) throw new Error(`/metrics answered ${res.status}: ${text.slice(0, 200)}`);
      // the first few warm the connections up
      if (i >= 10) ms.push(performance.now() - t0);
      bytes = text.length;
    }
    return { p50: percentile(ms, 50), p99: percentile(ms, 99), max: Math.max(...ms), bytes };
  } finally {
    bot.kill("SIGTERM");
    await bot.exited;
    await fake.stop();
    await fs.rm(dir, { recursive: true, force: true });
  }
}
