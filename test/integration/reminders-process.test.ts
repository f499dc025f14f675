// Reminders across real processes on one PostgreSQL database: a bot killed with SIGKILL and
// restarted still sends the due reminder exactly once, and two live bots send each reminder exactly
// once over many cycles.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPrisma, type Db } from "../../src/store/database.ts";
import type { FakeSlack } from "../../src/local-slack/server.ts";
import type { FakeConversation, FakeUser } from "../../src/local-slack/workspace.ts";
import type { BotProcess } from "../support/bot-process.ts";
import { duplicatesIn, effectKeys } from "../support/effects.ts";
import { declaredBy } from "../support/incidents.ts";
import { createTestDatabase, debianServer, type TestDatabase } from "../support/databases.ts";
import { type ProcessBed, startProcessBed } from "../support/process-bed.ts";
import { sleep, until } from "../support/wait.ts";

const CONFIG = `
severities:
  - { id: SEV1, label: Critical, description: Down, cadence: PT2S, requires_ic: true, expects_comms_lead: true, postmortem_required: true }
  - { id: SEV3, label: Medium, description: Degraded, cadence: PT3S }
`;

let bed: ProcessBed;
let fake: FakeSlack;
let database: TestDatabase;
let db: Db;
let alice: FakeUser;
let general: FakeConversation;
const bots: BotProcess[] = [];

beforeAll(async () => {
  bed = await startProcessBed({ name: "reminders", configYaml: CONFIG, people: ["alice"] });
  ({ fake, general } = bed);
  alice = bed.users.alice as FakeUser;
  database = await createTestDatabase(debianServer());
  db = createPrisma({ connectionString: database.url }, 2);
});
afterAll(async () => {
  for (const b of bots) b.kill("SIGKILL");
  await db?.$disconnect();
  await database?.drop();
  await bed?.stop();
});

async function bot(): Promise<BotProcess> {
  const b = await bed.spawn({ DATABASE_URL: database.url, LOG_LEVEL: "info" });
  bots.push(b);
  return b;
}

async function declare(b: BotProcess, title: string, severity = "sev3"): Promise<{ id: string; channel: FakeConversation; declaredAt: Date }> {
  const res = await bed.requests(b.url).command(`declare ${severity} ${title}`, { user: alice.id, channel: general.id });
  expect(res.status).toBe(200);
  const row = await declaredBy(db, fake.ws.teamId, res.triggerId);
  if (!row) throw new Error(`${title} was not declared`);
  return until(
    async () => {
      const r = await db.incident.findUniqueOrThrow({ where: { id: row.id } });
      const c = r.channelId ? fake.ws.conversations.get(r.channelId) : undefined;
      return c && r.openingTs ? { id: row.id, channel: c, declaredAt: r.declaredAt } : undefined;
    },
    5000,
    `${title} to be provisioned`,
  );
}

/** Effect keys of the reminders posted in a channel (each key is one reminder). */
function reminderKeys(channel: FakeConversation): string[] {
  return effectKeys(channel).filter((k) => k.startsWith("reminder:") || k.startsWith("nudge:"));
}

describe("a bot killed with SIGKILL", () => {
  it("still sends the due reminder, once, after a restart on the same data", async () => {
    const a = await bot();
    const inc = await declare(a, "Killed before the reminder");
    a.kill("SIGKILL");
    await a.exited;
    // the reminder falls due while no bot is running
    await sleep(Math.max(0, inc.declaredAt.getTime() + 3500 - Date.now()));
    expect(reminderKeys(inc.channel)).toEqual([]);
    const b = await bot();
    await until(() => reminderKeys(inc.channel).length > 0, 10_000, "the reminder after the restart");
    await sleep(500);
    const keys = reminderKeys(inc.channel);
    expect(keys.filter((k) => k.endsWith(":update_due:1"))).toHaveLength(1);
    expect(duplicatesIn(keys)).toEqual([]);
    b.kill("SIGTERM");
    expect(await b.exited).toBe(0);
  });

  it("does not send a reminder twice when it was killed right after Slack took the message", async () => {
    const a = await bot();
    const inc = await declare(a, "Killed mid-reminder");
    // the moment Slack has answered the reminder's chat.postMessage, the bot dies before recording it
    const off = fake.onCall((call) => {
      const key = (call.args.metadata as { event_payload?: { key?: string } } | undefined)?.event_payload?.key ?? "";
      if (call.method === "chat.postMessage" && key.startsWith(`reminder:${inc.id}`)) {
        off();
        a.kill("SIGKILL");
      }
    });
    await a.exited;
    expect(reminderKeys(inc.channel)).toHaveLength(1);
    // a new bot takes the job over once the dead one's lease expires, finds the message, posts nothing
    const b = await bot();
    const effectKey = reminderKeys(inc.channel)[0] as string;
    for (let i = 0; i < 600; i++) {
      const effect = await db.slackEffect.findUnique({ where: { key: effectKey } });
      if (effect?.completedAt) break;
      await sleep(50);
    }
    expect((await db.slackEffect.findUniqueOrThrow({ where: { key: effectKey } })).completedAt).not.toBeNull();
    expect(reminderKeys(inc.channel).filter((k) => k === effectKey)).toHaveLength(1);
    b.kill("SIGTERM");
    await b.exited;
  }, 60_000);
});

describe("two bots on one database", () => {
  it("send each reminder exactly once over many cycles", async () => {
    const [a, b] = await Promise.all([bot(), bot()]);
    const incidents = await Promise.all(Array.from({ length: 6 }, (_, i) => declare(i % 2 ? a : b, `Shared reminders ${i}`, "sev1")));
    // SEV1 every 2 s: the due reminder at 2 s, escalations at 4, 6, 8, 10 s, and the Comms Lead nudge
    await sleep(11_000);
    a.kill("SIGTERM");
    b.kill("SIGTERM");
    await Promise.all([a.exited, b.exited]);
    let total = 0;
    for (const inc of incidents) {
      const keys = reminderKeys(inc.channel);
      expect(duplicatesIn(keys)).toEqual([]);
      expect(keys.filter((k) => k.includes(":escalate:")).length).toBeGreaterThanOrEqual(3);
      expect(keys.filter((k) => k.startsWith("nudge:comms:"))).toHaveLength(1);
      total += keys.length;
    }
    // Slack was asked to post each of them once
    const posts = fake.callsTo("chat.postMessage").map((c) => (c.args.metadata as { event_payload?: { key?: string } } | undefined)?.event_payload?.key ?? "");
    const reminderPosts = posts.filter((k) => incidents.some((i) => k.startsWith(`reminder:${i.id}`) || k.startsWith(`nudge:comms:${i.id}`)));
    expect(reminderPosts).toHaveLength(total);
    expect(total).toBeGreaterThanOrEqual(6 * 5);
  }, 60_000);
});
