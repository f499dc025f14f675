// The public status page (issue 26): GET /status at a steady 200 requests a second over 20 keep-alive
// connections for 30 s, sent on a schedule (open loop: a slow answer does not delay the next request,
// so its wait is counted), each latency from the moment the request was due to its last byte. The
// bot runs as `npm start` runs it; its RSS is sampled during the run. Once with a few public
// incidents, once with 1,000 in the history (seeded in its database; the page renders them on change).

import fs from "node:fs/promises";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { startFakeSlack } from "../src/local-slack/server.ts";
import { until } from "../test/support/wait.ts";
import { spawnBenchBot } from "./bot.ts";
import { percentile, rssMb } from "./stats.ts";

export const STATUS_LOAD = { rate: 200, connections: 20, seconds: Number(process.env.BENCH_STATUS_SECONDS ?? 30) };

export interface StatusFigures {
  incidents: number;
  requests: number;
  errors: number;
  p50: number;
  p99: number;
  max: number;
  rssMb: { before: number; peak: number };
  bytes: number;
}


const CONFIG = `status_page:
  title: Bench status
  public_url: https://status.bench.test
  components:
${Array.from({ length: 10 }, (_, i) => `    - { id: c${i}, name: Component ${i}${i >= 6 ? ", group: Europe" : ""} }`).join("\n")}
`;

/** `n` public incidents over the last 90 days, each with three updates (the last resolving it, but for the newest five). */
async function seed(url: string, n: number): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query("BEGIN");
    await c.query(
      `INSERT INTO incidents (id, team_id, number, title, severity, declared_by, declared_at, declare_key, updated_at)
       SELECT md5('bench' || g)::uuid, 'T0', 100000 + g, 'internal ' || g, 'sev2', 'U0', now() - (g * interval '2 hours'), 'bench:' || g, now()
         FROM generate_series(1, $1) g`,
      [n],
    );
    await c.query(
      `INSERT INTO status_page_incidents (id, incident_id, name, status, impact, component_ids, created_at, updated_at, resolved_at)
       SELECT lpad(g::text, 12, 'p'), md5('bench' || g)::uuid, 'Public incident ' || g, CASE WHEN g <= 5 THEN 'identified' ELSE 'resolved' END,
              (ARRAY['minor','major','critical'])[1 + g % 3], ARRAY['c' || (g % 10)], now() - (g * interval '2 hours'), now() - (g * interval '2 hours') + interval '40 minutes',
              CASE WHEN g <= 5 THEN NULL ELSE now() - (g * interval '2 hours') + interval '40 minutes' END
         FROM generate_series(1, $1) g`,
      [n],
    );
    await c.query(
      `INSERT INTO status_page_updates (id, public_incident_id, status, body, impact, component_ids, created_at, source_key)
       SELECT lpad(g::text || 'u' || k, 12, 'q'), lpad(g::text, 12, 'p'),
              CASE k WHEN 0 THEN 'investigating' WHEN 1 THEN 'identified' ELSE CASE WHEN g <= 5 THEN 'identified' ELSE 'resolved' END END,
              'Update ' || k || ' of incident ' || g || ': ' || repeat('what customers notice and what we do. ', 6),
              (ARRAY['minor','major','critical'])[1 + g % 3], ARRAY['c' || (g % 10)], now() - (g * interval '2 hours') + (k * interval '20 minutes'), 'bench:' || g || ':' || k
         FROM generate_series(1, $1) g, generate_series(0, 2) k`,
      [n],
    );
    await c.query("COMMIT");
  } finally {
    await c.end();
  }
}

/** Sends GET `path` at `rate` a second over `connections` keep-alive connections for `seconds`. */
async function load(url: string, pathName: string, pid: number): Promise<Omit<StatusFigures, "incidents" | "bytes" | "rssMb"> & { peakRss: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: STATUS_LOAD.connections });
  const target = new URL(pathName, url);
  const total = STATUS_LOAD.rate * STATUS_LOAD.seconds;
  const latencies: number[] = [];
  let errors = 0;
  let peakRss = 0;
  const sampler = setInterval(() => {
    void rssMb(pid).then((mb) => (peakRss = Math.max(peakRss, mb)), () => undefined);
  }, 250);
  const start = performance.now() + 100;
  const one = (due: number) =>
    new Promise<void>((resolve) => {
      const from = due;
      const req = http.get(target, { agent }, (res) => {
        res.on("data", () => undefined);
        res.on("end", () => {
          if (res.statusCode === 200) latencies.push(performance.now() - from);
          else errors++;
          resolve();
        });
      });
      req.on("error", () => {
        errors++;
        resolve();
      });
    });
  const pending: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / STATUS_LOAD.rate;
    // never sent before it is due (a timer fires late, never early)
    while (performance.now() < due) await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())));
    pending.push(one(due));
  }
  await Promise.all(pending);
  clearInterval(sampler);
  agent.destroy();
  return { requests: total, errors, p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: Math.max(...latencies), peakRss };
}

export async function measureStatusPage(databaseUrl: string, incidents: number): Promise<StatusFigures> {
  const fake = await startFakeSlack();
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "warroom-status-bench-"));
  const configFile = path.join(dir, "incident.config.yml");
  await fs.writeFile(configFile, CONFIG);
  const bot = await spawnBenchBot(fake, databaseUrl, configFile, { SLACK_PACING: "off" });
  try {
    await bot.waitUntilUp(60_000);
    if (incidents > 0) {
      await seed(databaseUrl, incidents);
      // another process's publications are looked for every 5 s: the page renders them then
      await until(async () => {
        const body = await (await fetch(`${bot.url}/status/api/v2/incidents.json`)).text();
        return body.includes("Public incident 1\"") ? true : undefined;
      }, 30_000, "the seeded incidents on the page", 100);
    }
    const home = await (await fetch(`${bot.url}/status`)).arrayBuffer();
    const pid = bot.proc.pid as number;
    const before = await rssMb(pid);
    const r = await load(bot.url, "/status", pid);
    return { incidents, requests: r.requests, errors: r.errors, p50: r.p50, p99: r.p99, max: r.max, rssMb: { before, peak: Math.max(before, r.peakRss) }, bytes: home.byteLength };
  } finally {
    bot.kill("SIGTERM");
    await bot.exited;
    await fake.stop();
    await fs.rm(dir, { recursive: true, force: true });
  }
}
