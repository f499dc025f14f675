// `npm run soak`: hours of incident life compressed into minutes (issue 6). The bot runs as `npm start`
// runs it (compiled, bounded heap, embedded PostgreSQL) against the fake Slack, with second-scale
// cadences so reminders fall due all the time, while a driver keeps about 15 incidents open: declaring,
// taking roles, posting updates and notes, pinning messages, changing severity, resolving, closing
// (and archiving). Every 5 seconds it samples the bot's memory (RSS), its open file descriptors, and
// the database connections; at the end it prints the figures, writes bench/soak-results.md, and exits
// 1 if anything grew without bound or the bot logged an error.
//
// SOAK_MINUTES (default 10) sets the length; SOAK_OPEN (default 15) the incidents kept open.

import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { startFakeSlack } from "../src/local-slack/server.ts";
import type { FakeConversation, FakeUser } from "../src/local-slack/workspace.ts";
import { embeddedConnection, spawnBot } from "../test/support/bot-process.ts";
import { SIGNING_SECRET } from "../test/support/harness.ts";
import { SlackRequests } from "../src/local-slack/deliver.ts";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const MINUTES = Number(process.env.SOAK_MINUTES ?? 10);
const OPEN = Number(process.env.SOAK_OPEN ?? 15);
const SAMPLE_MS = 5000;
/** Connections the bot may hold: its Prisma pool (20), the request pool (4), its liveness lock (1). */
const MAX_CONNECTIONS = 25;

const CONFIG = `
announce_channel: incidents
postmortem_due: PT20S
archive_after: PT5S
severities:
  - { id: SEV1, label: Critical, description: Everything is down, cadence: PT2S, requires_ic: true, expects_comms_lead: true, postmortem_required: true }
  - { id: SEV2, label: High, description: Major degradation, cadence: PT4S, requires_ic: true, expects_comms_lead: false, postmortem_required: true }
  - { id: SEV3, label: Medium, description: Partial degradation, cadence: PT6S }
`;

interface Sample {
  at: number;
  rssMb: number;
  fds: number;
  connections: number;
  open: number;
  closed: number;
  pendingJobs: number;
  slackCalls: number;
}

interface Tracked {
  id: string;
  number: number;
  channel: string;
  ic: FakeUser;
  declaredAt: number;
  resolvedAt?: number;
  closing?: boolean;
}

const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)] as T;

async function rssMb(pid: number): Promise<number> {
  const status = await fs.readFile(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN) / 1024;
}

async function fdCount(pid: number): Promise<number> {
  return (await fs.readdir(`/proc/${pid}/fd`)).length;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

async function main(): Promise<void> {
  const fake = await startFakeSlack();
  const parent = await fs.mkdtemp(path.join(os.tmpdir(), "warroom-soak-"));
  await fs.chmod(parent, 0o755);
  const dataDir = path.join(parent, "data");
  const configFile = path.join(parent, "incident.config.yml");
  await fs.writeFile(configFile, CONFIG);
  const users = ["alice", "bob", "carol", "dave", "erin", "frank"].map((n) => fake.ws.addUser(n));
  const general = fake.ws.addChannel("general", { members: users.map((u) => u.id) });
  fake.ws.addChannel("incidents", {});

  const bot = await spawnBot({ SLACK_BOT_TOKEN: fake.botToken, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: fake.apiUrl, DATA_DIR: dataDir, INCIDENT_CONFIG: configFile, LOG_LEVEL: "warn", SLACK_PACING: "off" });
  await bot.waitUntilUp(120_000);
  const pid = bot.proc.pid as number;
  const slack = new SlackRequests(bot.url, SIGNING_SECRET, fake);
  const db = new pg.Pool({ ...(await embeddedConnection(dataDir)), max: 2, application_name: "warroom-soak" });
  db.on("error", (err) => process.stderr.write(`soak's database connection: ${err.message}\n`));
  const q = async <T extends pg.QueryResultRow>(sql: string, params: unknown[] = []) => (await db.query<T>(sql, params)).rows;

  /** The incident's commander now: role buttons include taking over as IC. */
  const commander = async (inc: Tracked): Promise<FakeUser> => {
    const [row] = await q<{ user_id: string }>("SELECT user_id FROM role_assignments WHERE incident_id = $1 AND role = 'ic' AND ended_at IS NULL", [inc.id]);
    return users.find((u) => u.id === row?.user_id) ?? inc.ic;
  };

  const open: Tracked[] = [];
  const counts = { declared: 0, roles: 0, updates: 0, notes: 0, pins: 0, severity: 0, resolved: 0, closed: 0, refused: 0, failed: 0 };
  let serial = 0;

  const send = async (label: string, request: () => Promise<{ status: number; json?: Record<string, unknown> | undefined }>): Promise<boolean> => {
    try {
      const r = await request();
      if (r.status !== 200) counts.failed++;
      return !(typeof r.json?.text === "string" && r.json.text.startsWith("Only the Incident Commander"));
    } catch (err) {
      counts.failed++;
      process.stderr.write(`${label} failed: ${String(err)}\n`);
      return true;
    }
  };

  /**
   * An IC-only command, sent as the incident's current commander. A take-over clicked just before is
   * carried out by the worker a moment later, so a refusal is retried once the worker has had time; a
   * second refusal is a defect.
   */
  const asCommander = async (label: string, inc: Tracked, text: string) => {
    for (let attempt = 0; attempt < 2; attempt++) {
      const ic = await commander(inc);
      if (await send(label, () => slack.command(text, { user: ic.id, channel: inc.channel }))) return;
      await sleep(1000);
    }
    counts.refused++;
    process.stderr.write(`${label} refused to the commander of INC-${inc.number}\n`);
  };

  const actions: Record<string, () => Promise<void>> = {
    async declare() {
      const ic = pick(users);
      const title = `Soak ${++serial}: ${pick(["checkout errors", "login latency", "queue backlog", "disk pressure", "DNS flaps"])}`;
      await send("declare", () => slack.command(`declare ${pick(["sev1", "sev2", "sev3"])} ${title}`, { user: ic.id, channel: general.id }));
      for (let i = 0; i < 100; i++) {
        const row = (await q<{ id: string; number: number; channel_id: string | null; opening_ts: string | null }>("SELECT id, number, channel_id, opening_ts FROM incidents WHERE title = $1", [title]))[0];
        if (row?.channel_id && row.opening_ts) {
          open.push({ id: row.id, number: row.number, channel: row.channel_id, ic, declaredAt: Date.now() });
          counts.declared++;
          return;
        }
        await sleep(100);
      }
    },
    async role() {
      const inc = pick(open);
      const channel = fake.ws.conversations.get(inc.channel) as FakeConversation;
      const opening = channel.messages.find((m) => (m.blocks as { type: string }[] | undefined)?.some((b) => b.type === "actions") && m.text.includes("INCIDENT DECLARED"));
      const bar = (opening?.blocks as { type: string; block_id?: string; elements?: Record<string, unknown>[] }[] | undefined)?.find((b) => b.type === "actions");
      const button = bar?.elements ? pick(bar.elements) : undefined;
      if (!button) return;
      const user = pick(users);
      await send("role", () =>
        slack.interaction({ type: "block_actions", user: { id: user.id }, team: { id: fake.ws.teamId }, trigger_id: fake.ws.newTrigger(user.id), channel: { id: inc.channel }, response_url: fake.responseUrl(), actions: [{ action_id: button.action_id, block_id: bar?.block_id, value: button.value, type: "button" }] }),
      );
      counts.roles++;
    },
    async update() {
      const inc = pick(open);
      await asCommander("update", inc, `update ${pick(["Rolled back", "Scaling out", "Found the bad config", "Watching error rates"])} (${Date.now()})`);
      counts.updates++;
    },
    async note() {
      const inc = pick(open);
      await send("note", () => slack.command(`note ${pick(["Paged the DB team", "Customer ticket #4411", "Graph attached"])}`, { user: pick(users).id, channel: inc.channel }));
      counts.notes++;
    },
    async pin() {
      const inc = pick(open);
      const author = pick(users);
      const msg = fake.ws.addMessage(inc.channel, author.id, `Observation ${Date.now()}`);
      await send("pin", () => slack.event({ type: "reaction_added", user: pick(users).id, reaction: "pushpin", item_user: author.id, item: { type: "message", channel: inc.channel, ts: msg.ts }, event_ts: msg.ts }));
      counts.pins++;
    },
    async severity() {
      const inc = pick(open);
      await asCommander("sev", inc, `sev ${pick(["sev1", "sev2", "sev3"])} ${pick(["Blast radius grew", "Contained to one region"])}`);
      counts.severity++;
    },
    async resolve() {
      const inc = open.find((i) => !i.resolvedAt && Date.now() - i.declaredAt > 20_000);
      if (!inc) return;
      await asCommander("resolve", inc, "resolve Back to normal after the rollback");
      inc.resolvedAt = Date.now();
      counts.resolved++;
    },
    async close() {
      const inc = open.find((i) => i.resolvedAt && !i.closing && Date.now() - i.resolvedAt > 5_000);
      if (!inc) return;
      inc.closing = true;
      await asCommander("close", inc, "close");
      open.splice(open.indexOf(inc), 1);
      counts.closed++;
    },
    async look() {
      const user = pick(users);
      await send("look", () => (Math.random() < 0.5 ? slack.command("list", { user: user.id, channel: general.id }) : slack.event({ type: "app_home_opened", user: user.id, tab: "home", channel: "D0HOME" })));
    },
  };

  const samples: Sample[] = [];
  const sample = async () => {
    const [conn] = await q<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name <> 'warroom-soak'");
    const [states] = await q<{ open: number; closed: number; jobs: number }>(
      "SELECT (SELECT count(*)::int FROM incidents WHERE status NOT IN ('resolved', 'closed')) AS open, (SELECT count(*)::int FROM incidents WHERE status = 'closed') AS closed, (SELECT count(*)::int FROM jobs WHERE status = 'pending') AS jobs",
    );
    samples.push({ at: Date.now(), rssMb: await rssMb(pid), fds: await fdCount(pid), connections: conn?.n ?? 0, open: states?.open ?? 0, closed: states?.closed ?? 0, pendingJobs: states?.jobs ?? 0, slackCalls: fake.calls.length });
  };

  const started = Date.now();
  const end = started + MINUTES * 60_000;
  await sample();
  let nextSample = Date.now() + SAMPLE_MS;
  let lastReport = Date.now();
  while (Date.now() < end) {
    const action = open.length < OPEN ? "declare" : pick(["role", "role", "update", "update", "note", "pin", "severity", "resolve", "resolve", "close", "close", "look"]);
    await (actions[action] as () => Promise<void>)();
    await sleep(150);
    if (Date.now() >= nextSample) {
      await sample();
      nextSample += SAMPLE_MS;
      if (Date.now() - lastReport >= 60_000) {
        lastReport = Date.now();
        const s = samples.at(-1) as Sample;
        process.stdout.write(`${((s.at - started) / 60_000).toFixed(1)} min: RSS ${s.rssMb.toFixed(0)} MB, ${s.fds} fds, ${s.connections} connections, ${s.open} open / ${s.closed} closed, ${s.pendingJobs} jobs pending\n`);
      }
    }
  }
  if (Date.now() - ((samples.at(-1) as Sample).at) > 1000) await sample();

  const errors = bot.stdout.filter((l) => /"level":(50|60)/.test(l));
  await db.end();
  bot.kill("SIGTERM");
  const exit = await bot.exited;
  await fake.stop();
  await fs.rm(parent, { recursive: true, force: true });

  // ---- figures and verdict ----
  const fifth = Math.max(1, Math.floor(samples.length / 5));
  const warm = samples.slice(fifth, 2 * fifth);
  const last = samples.slice(-fifth);
  const rssWarm = mean(warm.map((s) => s.rssMb));
  const rssLast = mean(last.map((s) => s.rssMb));
  const fdsWarm = Math.max(...warm.map((s) => s.fds));
  const fdsLast = Math.max(...last.map((s) => s.fds));
  const maxConnections = Math.max(...samples.map((s) => s.connections));
  const first = samples[0] as Sample;
  const final = samples.at(-1) as Sample;
  const problems: string[] = [];
  if (rssLast > rssWarm * 1.3) problems.push(`memory grew from ${rssWarm.toFixed(0)} MB to ${rssLast.toFixed(0)} MB`);
  if (fdsLast > fdsWarm + 20) problems.push(`open file descriptors grew from ${fdsWarm} to ${fdsLast}`);
  if (maxConnections > MAX_CONNECTIONS) problems.push(`${maxConnections} database connections (the bot may hold ${MAX_CONNECTIONS})`);
  if (errors.length > 0) problems.push(`the bot logged ${errors.length} errors, the first: ${errors[0]}`);
  if (exit !== 0) problems.push(`the bot exited with ${exit} on SIGTERM`);
  if (counts.failed > 0) problems.push(`${counts.failed} requests failed`);
  if (counts.refused > 0) problems.push(`${counts.refused} requests were refused (the driver asked for something it may not do)`);

  const activity: [number, string][] = [
    [counts.declared, "declared"],
    [counts.roles, "role clicks"],
    [counts.updates, "updates"],
    [counts.notes, "notes"],
    [counts.pins, "pins"],
    [counts.severity, "severity changes"],
    [counts.resolved, "resolved"],
    [counts.closed, "closed"],
  ];
  const lines = [
    "# Warroom soak",
    "",
    `${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC · ${os.cpus().length} × ${os.cpus()[0]?.model.split(" ").slice(0, 2).join(" ")} · ${Math.round(os.totalmem() / 2 ** 30)} GiB · Node ${process.version} · ${MINUTES} minutes, about ${OPEN} incidents open, cadences of 2 to 6 seconds`,
    "",
    "| minute | RSS (MB) | open fds | DB connections | open incidents | closed | pending jobs | Slack calls |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ...samples
      .filter((s, i) => i === 0 || i === samples.length - 1 || Math.floor((s.at - started) / 60_000) !== Math.floor(((samples[i - 1] as Sample).at - started) / 60_000))
      .map((s) => `| ${((s.at - started) / 60_000).toFixed(1)} | ${s.rssMb.toFixed(0)} | ${s.fds} | ${s.connections} | ${s.open} | ${s.closed} | ${s.pendingJobs} | ${s.slackCalls.toLocaleString("en")} |`),
    "",
    `Activity: ${activity.map(([n, what]) => `${n.toLocaleString("en")} ${what}`).join(", ")}; ${final.slackCalls.toLocaleString("en")} Slack calls.`,
    "",
    `Memory: ${first.rssMb.toFixed(0)} MB at start, ${rssWarm.toFixed(0)} MB after warm-up (second fifth), ${rssLast.toFixed(0)} MB at the end (last fifth), ${Math.max(...samples.map((s) => s.rssMb)).toFixed(0)} MB at most. Open file descriptors: ${first.fds} at start, ${fdsLast} at the end. Database connections: at most ${maxConnections}.`,
    "",
    problems.length === 0 ? "Verdict: nothing grew without bound; no errors logged." : `Verdict: FAILED: ${problems.join("; ")}.`,
  ];
  const report = `${lines.join("\n")}\n`;
  process.stdout.write(`\n${report}`);
  await fs.writeFile(path.join(HERE, "soak-results.md"), report);
  process.exitCode = problems.length === 0 ? 0 : 1;
}

main().catch((err: unknown) => {
  process.stderr.write(`soak failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
