// Follow-ups with a real bot process, SIGKILLed at the worst instant: right after GitHub answered the
// issue's creation, before the bot saved the link. After a restart the export runs again, finds the
// issue by the marker in its body, and links it: one issue, not two.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../src/store/database.ts";
import { type FakeGithub, startFakeGithub } from "../fake-github/server.ts";
import { type ProcessBed, type ProcessSuite, startProcessSuite } from "../support/process-bed.ts";
import { sleep, until } from "../support/wait.ts";

let suite: ProcessSuite;
let bed: ProcessBed;
let db: Db;
let gh: FakeGithub;

beforeAll(async () => {
  gh = await startFakeGithub();
  suite = await startProcessSuite({
    name: "followups",
    configYaml: `followups:\n  github: { repo: acme/platform, api_url: "${gh.url}" }\n`,
    env: { GITHUB_TOKEN: gh.token },
  });
  ({ bed, db } = suite);
}, 120_000);

afterAll(async () => {
  await suite?.stop();
  await gh?.stop();
});

describe("a bot killed", () => {
  it("right after GitHub created the issue, before the bot saved its link, leaves one issue after a restart", async () => {
    const bot = await suite.spawn();
    const alice = bed.users.alice as NonNullable<(typeof bed.users)["alice"]>;
    const requests = bed.requests(bot.url);
    expect((await requests.command("declare sev2 Card payments failing", { user: alice.id, channel: bed.general.id })).status).toBe(200);
    const incident = await until(() => db.incident.findFirst({ where: { title: "Card payments failing", channelId: { not: null } } }), 30_000, "the incident channel");
    expect((await requests.command("action Add a canary for card payments", { user: alice.id, channel: incident.channelId as string })).status).toBe(200);
    const item = await until(() => db.actionItem.findFirst({ where: { incidentId: incident.id } }), 10_000, "the action item");

    gh.onAnswered = (r) => {
      if (r.method === "POST" && r.status === 201) bot.kill("SIGKILL");
    };
    const press = await requests.interaction({
      type: "block_actions",
      user: { id: alice.id, team_id: bed.fake.ws.teamId },
      team: { id: bed.fake.ws.teamId },
      trigger_id: bed.fake.ws.newTrigger(alice.id),
      response_url: bed.fake.responseUrl(),
      actions: [{ type: "button", action_id: "warroom.action_item_export", value: String(item.id), action_ts: "1.1" }],
    });
    expect(press.status).toBe(200);
    await bot.exited;
    gh.onAnswered = undefined;
    expect(gh.issues).toHaveLength(1);
    expect((await db.actionItem.findUniqueOrThrow({ where: { id: item.id } })).trackerUrl).toBeNull();

    const restarted = await suite.spawn();
    const linked = await until(async () => {
      const row = await db.actionItem.findUniqueOrThrow({ where: { id: item.id } });
      return row.trackerUrl ? row : undefined;
    }, 60_000, "the link after the restart");
    await sleep(1000);
    expect(gh.issues).toHaveLength(1);
    expect(gh.requests.filter((r) => r.method === "POST" && r.status === 201)).toHaveLength(1);
    expect(linked).toMatchObject({ trackerKind: "github", trackerKey: "#1", trackerUrl: gh.issues[0]?.html_url });
    expect(await db.timelineEntry.count({ where: { incidentId: incident.id, text: { contains: "is now GitHub issue" } } })).toBe(1);
    restarted.kill("SIGTERM");
    await restarted.exited;
  }, 180_000);
});
