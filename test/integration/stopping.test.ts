// SIGTERM in the middle of an incident: the bot stops taking work, lets the jobs running finish (up
// to 10 s), gives back what is left, and exits 0; started again on the same data it carries on, with
// nothing lost and nothing repeated.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../src/store/database.ts";
import type { FakeConversation } from "../../src/local-slack/workspace.ts";
import { duplicatesIn, effectKeys } from "../support/effects.ts";
import { type ProcessBed, type ProcessSuite, startProcessSuite } from "../support/process-bed.ts";
import { sleep, until } from "../support/wait.ts";

let suite: ProcessSuite;
let bed: ProcessBed;
let db: Db;

beforeAll(async () => {
  suite = await startProcessSuite({ name: "stopping", configYaml: "announce_channel: incidents\n", env: { LOG_LEVEL: "info" } });
  ({ bed, db } = suite);
}, 120_000);

afterAll(async () => {
  await suite?.stop();
});

const spawn = () => suite.spawn();

describe("SIGTERM mid-incident", () => {
  it("drains the running jobs within 10 s, exits 0, and the next start finishes the rest once", async () => {
    const alice = bed.users.alice as NonNullable<(typeof bed.users)["alice"]>;
    const bob = bed.users.bob as NonNullable<(typeof bed.users)["bob"]>;
    let bot = await spawn();
    const slack = () => bed.requests(bot.url);
    expect((await slack().command("declare sev2 Stopping politely", { user: alice.id, channel: bed.general.id })).status).toBe(200);
    const row = await until(() => db.incident.findFirst({ where: { title: "Stopping politely", openingTs: { not: null } } }), 30_000, "the incident channel");
    const channel = bed.fake.ws.conversations.get(row.channelId as string) as FakeConversation;
    // Slack turns slow: every message takes 3 s, so jobs are running when the signal comes
    bed.fake.fail("chat.postMessage", { delayMs: 3000, times: 50 });
    expect((await slack().command(`role tech <@${bob.id}>`, { user: alice.id, channel: channel.id })).status).toBe(200);
    expect((await slack().command("update Rolling back the deploy", { user: alice.id, channel: channel.id })).status).toBe(200);
    expect((await slack().command("note Rollback started at 14:02", { user: bob.id, channel: channel.id })).status).toBe(200);
    await sleep(500);
    const t0 = Date.now();
    bot.kill("SIGTERM");
    expect(await bot.exited).toBe(0);
    const stopS = (Date.now() - t0) / 1000;
    console.log(`stopping: SIGTERM to exit ${stopS.toFixed(1)} s; ${bot.stdout.join("").includes("drain time ran out") ? "leases given back" : "drained"}`);
    expect(stopS).toBeLessThan(15);
    expect(bot.stdout.join("")).toContain('"msg":"stopped"');
    bed.fake.clearFaults();

    bot = await spawn();
    await until(() => channel.messages.find((m) => m.text.includes("Rolling back the deploy")), 30_000, "the update after the restart");
    await until(async () => (await db.job.count({ where: { status: "pending", dueAt: { lte: new Date() }, incidentId: row.id } })) === 0, 30_000, "every due job done");
    await sleep(1000);
    const incident = await db.incident.findUniqueOrThrow({ where: { id: row.id } });
    expect(incident.techLeadId).toBe(bob.id);
    expect(await db.timelineEntry.count({ where: { incidentId: row.id, kind: "note" } })).toBe(1);
    expect(await db.timelineEntry.count({ where: { incidentId: row.id, kind: "update" } })).toBe(1);
    expect(duplicatesIn(effectKeys(channel))).toEqual([]);
    expect(duplicatesIn(effectKeys(bed.announce))).toEqual([]);
    expect(channel.messages.filter((m) => m.text.includes("Rolling back the deploy") && !m.text.includes("Reminder"))).toHaveLength(1);
    expect(await db.job.count({ where: { status: "dead" } })).toBe(0);
    bot.kill("SIGTERM");
    await bot.exited;
  }, 120_000);
});
