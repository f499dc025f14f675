// Crash safety (issue 6): the bot is killed with SIGKILL right after each Slack call of a whole
// incident (declare → take a role → update → resolve), in turn, and restarted on the same data; the
// incident must end up complete and nothing duplicated. On the embedded PostgreSQL with the bot alone
// killed, and with the bot and its server killed together; and on an external PostgreSQL.

import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FakeSlack } from "../../src/local-slack/server.ts";
import type { FakeConversation, FakeUser } from "../../src/local-slack/workspace.ts";
import { type BotProcess, embeddedConnection, postmasterPid, postmasterPidSync, waitForDeath } from "../support/bot-process.ts";
import { duplicatesIn, effectKeys } from "../support/effects.ts";
import { createTestDatabase, debianServer, type TestDatabase } from "../support/databases.ts";
import { type ProcessBed, startProcessBed } from "../support/process-bed.ts";
import type { SlackRequests } from "../../src/local-slack/deliver.ts";
import { sleep, until } from "../support/wait.ts";


let bed: ProcessBed;
let fake: FakeSlack;
let dataDir: string;
let alice: FakeUser;
let bob: FakeUser;
let carol: FakeUser;
let leadership: FakeConversation;
let general: FakeConversation;
let announce: FakeConversation;
let bot: BotProcess | undefined;
/** Where the bot keeps its data: the embedded server in DATA_DIR, or an external one. */
let external: TestDatabase | undefined;
export const figures = { runs: 0, crashPoints: new Set<string>(), duplicates: 0 };

beforeAll(async () => {
  // SEV2 tells Carol and #leadership: the notifications are in the flow, and must happen once too
  bed = await startProcessBed({
    name: "crash",
    people: ["alice", "bob", "carol"],
    channels: ["leadership"],
    configYaml: ({ users, channels }) => `announce_channel: incidents
severities:
  - { id: SEV1, label: Critical, description: Down, cadence: PT30M, requires_ic: true, expects_comms_lead: true, postmortem_required: true }
  - { id: SEV2, label: High, description: Degraded, cadence: PT1H, requires_ic: true, expects_comms_lead: true, postmortem_required: true, notify: [${users.carol?.id}, ${channels.leadership?.id}] }
`,
  });
  ({ fake, general, announce } = bed);
  alice = bed.users.alice as FakeUser;
  bob = bed.users.bob as FakeUser;
  carol = bed.users.carol as FakeUser;
  leadership = bed.channels.leadership as FakeConversation;
  dataDir = path.join(bed.dir, "data");
}, 120_000);
async function stopBot(): Promise<void> {
  if (bot && bot.proc.exitCode === null && bot.proc.signalCode === null) {
    bot.kill("SIGTERM");
    await bot.exited;
  }
  bot = undefined;
}

afterAll(async () => {
  await pool?.end().catch(() => undefined);
  await stopBot();
  await external?.drop();
  await bed?.stop();
});

/** The test's own few connections to the bot's database, made again after the server is killed. */
let pool: pg.Pool | undefined;

async function query<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
  for (let attempt = 0; ; attempt++) {
    try {
      if (!pool) {
        pool = new pg.Pool({ ...(external ? { connectionString: external.url } : await embeddedConnection(dataDir)), max: 2 });
        // the server can be killed under a connected client; the query then fails and is retried
        pool.on("error", () => undefined);
      }
      return (await pool.query<T>(sql, params)).rows;
    } catch (err) {
      // the server may be between a kill and the next start (which starting the bot does)
      if (attempt > 100) throw err;
      void pool?.end().catch(() => undefined);
      pool = undefined;
      await sleep(100);
      await ensureAlive();
    }
  }
}

async function ensureAlive(): Promise<BotProcess> {
  if (bot && bot.proc.exitCode === null && bot.proc.signalCode === null) return bot;
  bot = await bed.spawn(external ? { DATABASE_URL: external.url } : { DATA_DIR: dataDir });
  return bot;
}

/** Waits for `check`, starting the bot again whenever it is found dead (a kill may come at any time). */
async function untilAlive(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 60_000): Promise<void> {
  await until(async () => (await check()) || (await ensureAlive(), false), timeoutMs, what, 40);
}

/** Sends a request unless `done` says it already took effect (a kill may have hit it in flight). */
async function send(done: () => Promise<boolean>, request: (r: SlackRequests) => Promise<unknown>): Promise<void> {
  for (let attempt = 0; attempt < 20; attempt++) {
    if (await done()) return;
    const b = await ensureAlive();
    try {
      await request(bed.requests(b.url));
      await untilAlive(done, "the request to take effect", 20_000);
      return;
    } catch {
      await sleep(100);
    }
  }
  throw new Error("a request never took effect");
}

/** One whole incident, with the bot killed right after its `killAt`-th Slack call (0: never). */
async function runFlow(label: string, killAt: number, withServer: boolean): Promise<number> {
  const title = `Crash ${label}`;
  const slug = title.toLowerCase().replace(/[^a-z0-9]+/g, "-");
  let calls = 0;
  let killed = false;
  const off = fake.onCall(() => {
    calls += 1;
    if (calls === killAt && !killed && bot) {
      killed = true;
      const server = withServer ? postmasterPidSync(dataDir) : undefined;
      bot.kill("SIGKILL");
      if (server) process.kill(server, "SIGKILL");
    }
  });
  try {
    const incident = async () => (await query<{ id: string; channel_id: string | null; tech_lead_id: string | null; status: string; opening_ts: string | null }>("SELECT id, channel_id, tech_lead_id, status, opening_ts FROM incidents WHERE title = $1", [title]))[0];
    const channel = async () => {
      const i = await incident();
      return i?.channel_id ? fake.ws.conversations.get(i.channel_id) : undefined;
    };

    // 1. declare, and the incident channel opens
    await send(async () => (await incident()) !== undefined, (r) => r.command(`declare sev2 ${title}`, { user: alice.id, channel: general.id }));
    await untilAlive(async () => {
      const c = await channel();
      const i = await incident();
      return Boolean(c && i?.opening_ts && c.pins.has(i.opening_ts) && c.topic.includes("IC: alice") && c.members.has(alice.id) && announce.messages.some((m) => m.text.includes(title)));
    }, "the incident channel");

    // 2. Bob takes Tech Lead with the button
    const opening = async () => {
      const c = await channel();
      const i = await incident();
      return c?.messages.find((m) => m.ts === i?.opening_ts);
    };
    await send(
      async () => (await incident())?.tech_lead_id === bob.id,
      async (r) => {
        const m = await opening();
        const actions = ((m?.blocks ?? []) as { type: string; block_id?: string; elements?: Record<string, unknown>[] }[]).find((b) => b.type === "actions");
        const button = actions?.elements?.find((e) => String(e.action_id).endsWith(":tech"));
        return r.interaction({ type: "block_actions", user: { id: bob.id }, team: { id: fake.ws.teamId }, trigger_id: fake.ws.newTrigger(bob.id), channel: { id: (await channel())?.id }, response_url: fake.responseUrl(), actions: [{ action_id: button?.action_id, block_id: actions?.block_id, value: button?.value, type: "button" }] });
      },
    );
    await untilAlive(async () => {
      const c = await channel();
      const m = await opening();
      return Boolean(c?.members.has(bob.id) && c.messages.some((x) => x.text === `<@${bob.id}> took Tech Lead`) && JSON.stringify(m?.blocks).includes(`*Tech Lead:* <@${bob.id}>`));
    }, "Bob's role to show");

    // 3. an update
    await send(
      async () => (await query("SELECT 1 FROM status_updates s JOIN incidents i ON i.id = s.incident_id WHERE i.title = $1", [title])).length > 0,
      async (r) => r.command("update Rolling back the deploy", { user: alice.id, channel: (await channel())?.id as string }),
    );
    await untilAlive(async () => Boolean((await channel())?.messages.some((m) => m.text.startsWith("Update on INC-"))), "the update");

    // 4. resolve: the resolution message and the postmortem
    await send(async () => (await incident())?.status === "resolved", async (r) => r.command("resolve Rolled back", { user: alice.id, channel: (await channel())?.id as string }));
    await untilAlive(async () => {
      const c = await channel();
      return Boolean(c?.canvasId && c.messages.some((m) => m.text.includes("resolved: Crash")) && c.messages.some((m) => m.text.includes("The postmortem draft")));
    }, "the resolution and the postmortem");
    await ensureAlive();
    await sleep(300);

    // ---- complete, and nothing twice ----
    const c = (await channel()) as FakeConversation;
    expect([...fake.ws.conversations.values()].filter((x) => x.name.includes(slug))).toHaveLength(1);
    expect(c.messages.filter((m) => m.text.includes("INCIDENT DECLARED"))).toHaveLength(1);
    // the opening message and the checklist
    expect(c.pins.size).toBe(2);
    expect(c.messages.filter((m) => m.text.startsWith("Incident Response Checklist for"))).toHaveLength(1);
    const incidentId = (await incident())?.id ?? "?";
    const keys = [...effectKeys(c), ...effectKeys(announce).filter((k) => k.includes(incidentId))];
    const twice = duplicatesIn(keys);
    figures.duplicates += twice.length;
    expect(twice, `${label}: effects done twice`).toEqual([]);

    expect(c.messages.filter((m) => m.text === `<@${bob.id}> took Tech Lead`)).toHaveLength(1);
    expect(c.messages.filter((m) => m.text.startsWith("Update on INC-"))).toHaveLength(1);
    expect(c.messages.filter((m) => m.text.includes("resolved: Crash"))).toHaveLength(1);
    expect(announce.messages.filter((m) => m.text.includes(`declared`) && m.text.includes(title))).toHaveLength(1);
    expect([...fake.ws.canvases.values()].filter((x) => x.channelId === c.id)).toHaveLength(1);
    const id = (await incident())?.id;
    expect(await query("SELECT 1 FROM incidents WHERE title = $1", [title])).toHaveLength(1);
    const roles = await query<{ role: string; n: number }>("SELECT role, count(*)::int AS n FROM role_assignments WHERE incident_id = $1 GROUP BY role ORDER BY role", [id]);
    expect(roles).toEqual([
      { role: "ic", n: 1 },
      { role: "tech", n: 1 },
    ]);
    // the checklist's auto ticks, each once: declared (two items), the IC, the channel, the first update,
    // the update announced, the resolve, the postmortem drafted (two items)
    await untilAlive(async () => (await query("SELECT 1 FROM timeline_entries WHERE incident_id = $1 AND kind = 'checklist'", [id])).length >= 9, "the checklist's ticks");
    const ticks = await query<{ auto: string; n: number }>("SELECT data->>'auto' AS auto, count(*)::int AS n FROM timeline_entries WHERE incident_id = $1 AND kind = 'checklist' GROUP BY 1 ORDER BY 1", [id]);
    expect(ticks).toEqual([
      { auto: "announced_update", n: 1 },
      { auto: "channel_created", n: 1 },
      { auto: "declared", n: 2 },
      { auto: "first_update", n: 1 },
      { auto: "ic_assigned", n: 1 },
      { auto: "postmortem_drafted", n: 2 },
      { auto: "resolved", n: 1 },
    ]);
    await untilAlive(async () => (await query("SELECT 1 FROM timeline_entries WHERE incident_id = $1 AND kind = 'notified'", [id])).length > 0, "the notify list's entry");
    const kinds = await query<{ kind: string; n: number }>("SELECT kind, count(*)::int AS n FROM timeline_entries WHERE incident_id = $1 GROUP BY kind ORDER BY kind", [id]);
    expect(kinds).toEqual([
      { kind: "checklist", n: 9 },
      { kind: "declared", n: 1 },
      { kind: "notified", n: 1 },
      { kind: "resolved", n: 1 },
      { kind: "role_changed", n: 2 },
      { kind: "update", n: 1 },
    ]);
    // who is told, once: Carol by DM (and invited), #leadership; the IC's brief, once
    // (incident numbers start again on the external database: the title names this run's incident)
    const notice = (m: { text: string }) => m.text.includes(`): ${title}, declared by`);
    await untilAlive(() => fake.ws.imWith(carol.id).messages.some(notice), "Carol's notice");
    expect(fake.ws.imWith(carol.id).messages.filter(notice), `${label}: Carol told once`).toHaveLength(1);
    expect(leadership.messages.filter(notice), `${label}: #leadership told once`).toHaveLength(1);
    expect(c.members.has(carol.id)).toBe(true);
    expect(fake.ws.imWith(alice.id).messages.filter((m) => m.text.includes(`): ${title}`) && m.text.includes("Incident Commander")), `${label}: one IC brief`).toHaveLength(1);
    // reminders stopped with the resolve; nothing left dead
    expect(await query("SELECT 1 FROM jobs WHERE incident_id = $1 AND kind LIKE 'reminder.%' AND status = 'pending'", [id])).toHaveLength(0);
    expect(await query("SELECT kind, last_error FROM jobs WHERE incident_id = $1 AND status = 'dead'", [id])).toEqual([]);
    figures.runs += 1;
    return calls;
  } finally {
    off();
  }
}

describe("SIGKILL at every Slack call of an incident, on the embedded PostgreSQL", () => {
  let baseline: number | undefined;
  /** How many Slack calls a whole incident makes, from one run without a kill (each test can run alone). */
  async function callsOfAWholeIncident(): Promise<number> {
    baseline ??= await runFlow("baseline", 0, false);
    return baseline;
  }
  beforeAll(async () => {
    await ensureAlive();
  }, 120_000);

  it("runs the whole incident without a kill, counting its Slack calls", async () => {
    const total = await callsOfAWholeIncident();
    process.stdout.write(`crash suite: a whole incident makes ${total} Slack calls\n`);
    expect(total).toBeGreaterThan(10);
  }, 120_000);

  it("ends complete and unduplicated whichever Slack call the bot is killed after", async () => {
    const total = await callsOfAWholeIncident();
    let killed = 0;
    for (let k = 1; k <= total; k++) {
      await runFlow(`bot-${k}`, k, false);
      figures.crashPoints.add(`bot:${k}`);
      killed++;
    }
    expect(killed).toBe(total);
  }, 900_000);

  it("ends complete and unduplicated when the bot and its PostgreSQL server are killed together", async () => {
    const total = await callsOfAWholeIncident();
    expect(total).toBeGreaterThan(10);
    for (let k = 1; k <= total; k += 3) {
      await runFlow(`both-${k}`, k, true);
      figures.crashPoints.add(`both:${k}`);
      // let a killed server's lock file clear before the next run
      const pm = await postmasterPid(dataDir);
      if (pm) await waitForDeath(pm, 100);
    }
  }, 900_000);
});

describe("SIGKILL at Slack calls of an incident, on an external PostgreSQL", () => {
  beforeAll(async () => {
    await stopBot();
    await pool?.end().catch(() => undefined);
    pool = undefined;
    external = await createTestDatabase(debianServer());
    await ensureAlive();
  }, 120_000);

  it("ends complete and unduplicated whichever Slack call the bot is killed after", async () => {
    const total = await runFlow("external-baseline", 0, false);
    // every other call: with the embedded runs above, every point is covered on one server or both
    for (let k = 1; k <= total; k += 2) {
      await runFlow(`external-${k}`, k, false);
      figures.crashPoints.add(`external:${k}`);
    }
    process.stdout.write(`crash suite: ${figures.runs} incidents, ${figures.crashPoints.size} crash points, ${figures.duplicates} duplicates\n`);
  }, 900_000);
});
