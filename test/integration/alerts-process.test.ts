// Alerts with real bot processes on one PostgreSQL: two replicas receiving the same notification (a
// load balancer retry) make one triage item; a bot SIGKILLed right after it acknowledged a
// notification, or right after Slack took the triage message but before the bot recorded it, carries
// the notification out once after a restart.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../src/store/database.ts";
import type { FakeConversation } from "../../src/local-slack/workspace.ts";
import { ALERTS_TOKEN, alertmanagerBody, sendAlertmanager, triageMessages } from "../support/alerts.ts";
import { duplicatesIn, effectKeys } from "../support/effects.ts";
import { type ProcessBed, type ProcessSuite, startProcessSuite } from "../support/process-bed.ts";
import { sleep, until } from "../support/wait.ts";

let suite: ProcessSuite;
let bed: ProcessBed;
let db: Db;
let triage: FakeConversation;

beforeAll(async () => {
  suite = await startProcessSuite({
    name: "alerts",
    channels: ["alerts"],
    configYaml: ({ channels }) => `announce_channel: incidents\nalerts:\n  triage_channel: ${channels.alerts?.id}\n  severity_map: { critical: SEV1 }\n`,
    env: { WARROOM_ALERTS_TOKEN: ALERTS_TOKEN, SLACK_PACING: "on" },
  });
  ({ bed, db } = suite);
  triage = bed.channels.alerts as FakeConversation;
}, 120_000);

afterAll(async () => {
  await suite?.stop();
});

const spawn = () => suite.spawn();

function messagesOf(groupKey: string) {
  return db.alertGroup.findMany({ where: { groupKey } }).then(async (groups) => ({ groups, posted: triageMessages(triage).filter((m) => groups.some((g) => m.metadata?.event_payload.key === `triage:${g.id}`)) }));
}

describe("two replicas", () => {
  it("make one triage item of the same notification received by both", async () => {
    const [a, b] = [await spawn(), await spawn()];
    const body = alertmanagerBody({ groupKey: '{}:{alertname="Replicated"}', alertname: "Replicated" });
    const answers = await Promise.all([a, b, a, b, a, b].map((bot) => sendAlertmanager(bot, body)));
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    await until(async () => (await messagesOf(body.groupKey)).posted.length > 0, 20_000, "the triage message");
    await sleep(1500);
    const { groups, posted } = await messagesOf(body.groupKey);
    expect(groups).toHaveLength(1);
    expect(posted).toHaveLength(1);
    expect(duplicatesIn(effectKeys(triage))).toEqual([]);
    for (const bot of [a, b]) bot.kill("SIGTERM");
    await Promise.all([a.exited, b.exited]);
  }, 120_000);
});

describe("a bot killed", () => {
  it.each([
    ["right after it answered 200", "after-ack"],
    ["right after Slack took the triage message, before the bot recorded it", "after-post"],
  ])("%s carries the notification out once after a restart", async (_what, when) => {
    const bot = await spawn();
    const body = alertmanagerBody({ groupKey: `{}:{alertname="Killed-${when}"}`, alertname: `Killed-${when}` });
    let off = () => {};
    if (when === "after-post") {
      off = bed.fake.onCall((call) => {
        if (call.method === "chat.postMessage" && call.args.channel === triage.id) bot.kill("SIGKILL");
      });
    }
    const r = await sendAlertmanager(bot, body);
    if (when === "after-ack") bot.kill("SIGKILL");
    expect(r.status).toBe(200);
    await bot.exited;
    off();
    const restarted = await spawn();
    await until(async () => (await messagesOf(body.groupKey)).posted.length > 0, 30_000, "the triage message after the restart");
    await until(async () => (await db.alertGroup.findFirst({ where: { groupKey: body.groupKey, messageTs: { not: null } } })) !== null, 30_000, "the message recorded");
    await sleep(1000);
    const { groups, posted } = await messagesOf(body.groupKey);
    expect(groups).toHaveLength(1);
    expect(posted).toHaveLength(1);
    expect(groups[0]?.messageTs).toBe(posted[0]?.ts);
    restarted.kill("SIGTERM");
    await restarted.exited;
  }, 120_000);
});
