// Follow-ups (issue 25): 200 action items exported in one burst to each tracker's fake, with the
// fake's rate limits enforced (GitHub: one request at a time and 80 content-creating requests a
// minute; Jira: 10 requests a second; Linear: 1,500 requests an hour). The bot runs as `npm start`
// runs it; the items and their export jobs are written in one transaction (as 200 presses would be),
// and the time is from that commit to the last link saved. Every item must end with exactly one issue
// (counted by its marker in the fake) and no request refused for rate.

import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { startFakeSlack } from "../src/local-slack/server.ts";
import { adfText } from "../src/trackers/jira.ts";
import { startFakeGithub } from "../test/fake-github/server.ts";
import { startFakeJira } from "../test/fake-jira/server.ts";
import { startFakeLinear } from "../test/fake-linear/server.ts";
import { until } from "../test/support/wait.ts";
import { spawnBenchBot } from "./bot.ts";

export const EXPORT_BURST = Number(process.env.BENCH_EXPORT_ITEMS ?? 200);

export interface ExportFigures {
  tracker: string;
  items: number;
  issues: number;
  duplicates: number;
  refusedForRate: number;
  requests: number;
  seconds: number;
  /** The least time the tracker's published limits allow for these requests. */
  boundSeconds: number;
  bound: string;
}

interface Fake {
  name: string;
  config: string;
  env: Record<string, string>;
  bodies(): string[];
  refused(): number;
  requests(): number;
  bound(requests: { writes: number; all: number }): { seconds: number; text: string };
  stop(): Promise<void>;
}

async function fakeFor(kind: "github" | "jira" | "linear"): Promise<Fake> {
  if (kind === "github") {
    const gh = await startFakeGithub();
    return {
      name: "GitHub",
      config: `followups:\n  github: { repo: acme/platform, api_url: "${gh.url}" }\n`,
      env: { GITHUB_TOKEN: gh.token },
      bodies: () => gh.issues.map((i) => i.body ?? ""),
      refused: () => gh.refusedForRate,
      requests: () => gh.requests.length,
      // 80 content-creating requests in any 60 s: the first 80 at once, then 80 a minute
      bound: ({ writes }) => ({ seconds: Math.max(0, Math.ceil(writes / 80) - 1) * 60, text: "80 writes a minute (its one-a-second guidance: ≥ " + (writes - 1) + " s)" }),
      stop: () => gh.stop(),
    };
  }
  if (kind === "jira") {
    const jira = await startFakeJira();
    return {
      name: "Jira",
      config: `followups:\n  jira: { base_url: "${jira.url}", project_key: OPS }\n`,
      env: { JIRA_EMAIL: jira.email, JIRA_API_TOKEN: jira.token },
      bodies: () => jira.issues.map((i) => adfText(i.description)),
      refused: () => jira.refusedForRate,
      requests: () => jira.requests.length,
      bound: ({ all }) => ({ seconds: all / 10, text: "10 requests a second" }),
      stop: () => jira.stop(),
    };
  }
  const lin = await startFakeLinear();
  return {
    name: "Linear",
    config: `followups:\n  linear: { team_key: ENG, api_url: "${lin.url}/graphql" }\n`,
    env: { LINEAR_API_KEY: lin.key },
    bodies: () => lin.issues.map((i) => i.description),
    refused: () => lin.refusedForRate,
    requests: () => lin.requests.length,
    bound: ({ all }) => ({ seconds: Math.max(0, all - 1500) * 2.4, text: "1,500 requests an hour (not reached)" }),
    stop: () => lin.stop(),
  };
}

export async function measureExport(databaseUrl: string, kind: "github" | "jira" | "linear", n = EXPORT_BURST): Promise<ExportFigures> {
  const tracker = await fakeFor(kind);
  const slack = await startFakeSlack();
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "warroom-followups-bench-"));
  const configFile = path.join(dir, "incident.config.yml");
  await fs.writeFile(configFile, tracker.config);
  const bot = await spawnBenchBot(slack, databaseUrl, configFile, { SLACK_PACING: "off", ...tracker.env });
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    await bot.waitUntilUp(60_000);
    const incident = `00000000-0000-4000-8000-0000000${kind === "github" ? "00001" : kind === "jira" ? "00002" : "00003"}`;
    await c.query("BEGIN");
    await c.query(
      `INSERT INTO incidents (id, team_id, number, title, severity, declared_by, declared_at, declare_key, updated_at)
       VALUES ($1::uuid, $2, 900 + $3::int, 'Checkout failing for card payments', 'SEV2', 'U0', now(), $4, now())`,
      [incident, slack.ws.teamId, kind === "github" ? 1 : kind === "jira" ? 2 : 3, `bench-followups:${kind}`],
    );
    await c.query(
      `INSERT INTO action_items (incident_id, number, text, due_date, priority, status, created_by, created_at, export_asked_at)
       SELECT $1::uuid, g, 'Follow-up number ' || g, current_date + 14, 'P2', 'open', 'U0', now(), now() FROM generate_series(1, $2) g`,
      [incident, n],
    );
    await c.query(
      `INSERT INTO jobs (kind, incident_id, payload, due_at, dedupe_key)
       SELECT 'action_item.export', $1::uuid, jsonb_build_object('itemId', id), now(), 'export:' || id FROM action_items WHERE incident_id = $1::uuid`,
      [incident],
    );
    await c.query("SELECT pg_notify('warroom_jobs', '')");
    await c.query("COMMIT");
    const start = performance.now();
    await until(async () => {
      const r = await c.query<{ n: string }>("SELECT count(*) AS n FROM action_items WHERE incident_id = $1::uuid AND tracker_url IS NOT NULL", [incident]);
      return Number(r.rows[0]?.n) >= n ? true : undefined;
    }, 30 * 60_000, "every item exported", 100);
    const seconds = (performance.now() - start) / 1000;
    const ids = await c.query<{ id: number }>("SELECT id FROM action_items WHERE incident_id = $1::uuid", [incident]);
    const bodies = tracker.bodies();
    const per = ids.rows.map((r) => bodies.filter((b) => new RegExp(`warroom-action-item: ${r.id}(?![0-9])`).test(b)).length);
    const requests = tracker.requests();
    const bound = tracker.bound({ writes: n, all: requests });
    return {
      tracker: tracker.name,
      items: n,
      issues: per.filter((x) => x >= 1).length,
      duplicates: per.filter((x) => x > 1).length,
      refusedForRate: tracker.refused(),
      requests,
      seconds,
      boundSeconds: bound.seconds,
      bound: bound.text,
    };
  } finally {
    await c.end();
    bot.kill("SIGTERM");
    await bot.exited;
    await slack.stop();
    await tracker.stop();
    await fs.rm(dir, { recursive: true, force: true });
  }
}
