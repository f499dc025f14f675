// Scheduler figures: the database cost of one tick of the job worker with N open incidents (each
// with its pending reminders), its query plan, and reminder lateness measured through the real bot
// (due time → the reminder reaching Slack).

import { randomUUID } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { loadConfig } from "../src/config/index.ts";
import { createLogger } from "../src/log.ts";
import { claimDue } from "../src/store/jobs.ts";
import { createPrisma, type Db } from "../src/store/database.ts";
import { startWarroom } from "../src/warroom.ts";
import { startFakeSlack } from "../src/local-slack/server.ts";
import { SIGNING_SECRET } from "../test/support/harness.ts";
import { percentile } from "./stats.ts";

/** Open incidents, each with an update-due and an escalation reminder pending in the future. */
export async function seedOpenIncidents(db: Db, count: number, teamId = "TBENCH"): Promise<void> {
  const now = Date.now();
  const batch = 1000;
  for (let start = 0; start < count; start += batch) {
    const rows = Array.from({ length: Math.min(batch, count - start) }, (_, i) => {
      const n = start + i + 1;
      return { id: randomUUID(), n };
    });
    await db.incident.createMany({
      data: rows.map((r) => ({
        id: r.id,
        teamId,
        number: r.n,
        title: `Seeded incident ${r.n}`,
        severity: "SEV2",
        declaredBy: "UBENCH",
        declaredAt: new Date(now),
        declareKey: `bench:${r.id}`,
        icId: "UBENCH",
        nextUpdateDueAt: new Date(now + 3_600_000),
      })),
    });
    await db.job.createMany({
      data: rows.flatMap((r) => [
        { kind: "reminder.update_due", incidentId: r.id, payload: { epoch: 0, n: 1 }, dueAt: new Date(now + 3_600_000 + (r.n % 600) * 1000) },
        { kind: "reminder.escalate", incidentId: r.id, payload: { epoch: 0, n: 1 }, dueAt: new Date(now + 7_200_000 + (r.n % 600) * 1000) },
      ]),
    });
  }
  await db.$executeRawUnsafe("ANALYZE jobs");
  await db.$executeRawUnsafe("ANALYZE incidents");
}

export interface TickFigures {
  openIncidents: number;
  pendingJobs: number;
  tickMs: { p50: number; p99: number; max: number };
  usesIndex: boolean;
  plan: string;
}

/** The cost of one worker tick (claiming due jobs) when nothing is due, which is almost every tick. */
export async function measureTick(url: string, openIncidents: number): Promise<TickFigures> {
  const db = createPrisma({ connectionString: url }, 2);
  try {
    await seedOpenIncidents(db, openIncidents);
    const pendingJobs = await db.job.count({ where: { status: "pending" } });
    const times: number[] = [];
    for (let i = 0; i < 300; i++) {
      const t = performance.now();
      await claimDue(db, "bench-worker", new Date(), 16, 15_000);
      times.push(performance.now() - t);
    }
    const plan = await db.$queryRawUnsafe<{ "QUERY PLAN": string }[]>(
      `EXPLAIN ANALYZE SELECT id FROM jobs WHERE status = 'pending' AND due_at <= now() AND (locked_until IS NULL OR locked_until < now()) ORDER BY due_at LIMIT 16 FOR UPDATE SKIP LOCKED`,
    );
    const text = plan.map((r) => r["QUERY PLAN"]).join("\n");
    const steady = times.slice(20);
    return {
      openIncidents,
      pendingJobs,
      tickMs: { p50: percentile(steady, 50), p99: percentile(steady, 99), max: Math.max(...steady) },
      usesIndex: /Index (Only )?Scan using jobs_status_due_at_idx/.test(text),
      plan: text,
    };
  } finally {
    await db.$disconnect();
  }
}

export interface LatenessFigures {
  reminders: number;
  openIncidents: number;
  lateMs: { p50: number; p99: number; max: number };
}

/**
 * Reminder lateness through the real bot: `count` incidents get a reminder falling due over the next
 * seconds, among `openIncidents` idle ones; lateness is Slack's receipt of the reminder minus its due time.
 */
export async function measureLateness(url: string, count: number, openIncidents: number, latencyMs: number): Promise<LatenessFigures> {
  const fake = await startFakeSlack();
  fake.latencyMs = latencyMs;
  const db = createPrisma({ connectionString: url }, 2);
  await seedOpenIncidents(db, openIncidents, "TIDLE");
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "warroom-bench-config-"));
  await fs.writeFile(path.join(dir, "incident.config.yml"), "{}\n");
  const config = loadConfig({ SLACK_BOT_TOKEN: fake.botToken, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: fake.apiUrl, PORT: "0", DATABASE_URL: url, INCIDENT_CONFIG: path.join(dir, "incident.config.yml") });
  const bot = await startWarroom(config, createLogger("error"));
  try {
    const start = Date.now() + 2000;
    const due = new Map<string, number>();
    for (let i = 0; i < count; i++) {
      const channel = fake.ws.addChannel(`late-${i}-${Date.now()}`, { members: [fake.ws.botUserId] });
      const id = randomUUID();
      const dueAt = start + i * 150;
      await db.incident.create({
        data: { id, teamId: fake.ws.teamId, number: 100_000 + i, title: `Lateness ${i}`, severity: "SEV2", declaredBy: "UBENCH", declaredAt: new Date(dueAt - 3_600_000), declareKey: `late:${id}`, icId: "UBENCH", channelId: channel.id, openingTs: "1.1" },
      });
      await db.job.create({ data: { kind: "reminder.update_due", incidentId: id, payload: { epoch: 0, n: 1, dueAt: new Date(dueAt).toISOString() }, dueAt: new Date(dueAt) } });
      due.set(`reminder:${id}:0:update_due:1`, dueAt);
    }
    const late: number[] = [];
    const deadline = start + count * 150 + 20_000;
    while (late.length < count && Date.now() < deadline) {
      late.length = 0;
      for (const call of fake.okCallsTo("chat.postMessage")) {
        const key = (call.args.metadata as { event_payload?: { key?: string } } | undefined)?.event_payload?.key;
        const d = key ? due.get(key) : undefined;
        if (d !== undefined) late.push(call.startedAt - d);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    return { reminders: late.length, openIncidents, lateMs: { p50: percentile(late, 50), p99: percentile(late, 99), max: Math.max(...late) } };
  } finally {
    await bot.stop();
    await db.$disconnect();
    await fake.stop();
    await fs.rm(dir, { recursive: true, force: true });
  }
}
