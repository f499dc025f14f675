// Webhooks and the status page with real bot processes, SIGKILLed at the worst instant:
// - right after Statuspage answered the create, before the bot recorded it: after a restart there is
//   one public incident (found again by its marker), not two;
// - while a receiver holds a webhook delivery (it has the request, the bot has no answer yet): after
//   a restart the event is delivered again under the same webhook-id, and everything else once.

import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../src/store/database.ts";
import { type FakeStatuspage, startFakeStatuspage } from "../fake-statuspage/server.ts";
import { startReceiver, type WebhookReceiver } from "../fake-webhooks/receiver.ts";
import type { BotProcess } from "../support/bot-process.ts";
import { type ProcessBed, type ProcessSuite, startProcessSuite } from "../support/process-bed.ts";
import { openStatuspageForm, submitStatuspageForm } from "../support/statuspage.ts";
import { sleep, until } from "../support/wait.ts";

const SECRET = `whsec_${Buffer.from("p".repeat(32)).toString("base64")}`;

let suite: ProcessSuite;
let bed: ProcessBed;
let db: Db;
let sp: FakeStatuspage;
let hook: WebhookReceiver;

beforeAll(async () => {
  sp = await startFakeStatuspage();
  sp.addComponent("API");
  hook = await startReceiver("/hook");
  suite = await startProcessSuite({
    name: "out",
    configYaml: `statuspage:\n  page_id: ${sp.pageId}\n  api_url: ${sp.url}\nwebhooks:\n  - url: ${hook.url}\n    secret_env: HOOK_SECRET\n`,
    env: { STATUSPAGE_API_KEY: sp.key, HOOK_SECRET: SECRET },
  });
  ({ bed, db } = suite);
}, 120_000);

afterAll(async () => {
  await suite?.stop();
  await sp?.stop();
  await hook?.stop();
});

const spawn = () => suite.spawn();

async function declare(bot: BotProcess, title: string) {
  const alice = bed.users.alice as NonNullable<(typeof bed.users)["alice"]>;
  const res = await bed.requests(bot.url).command(`declare sev2 ${title}`, { user: alice.id, channel: bed.general.id });
  expect(res.status).toBe(200);
  const row = await until(() => db.incident.findFirst({ where: { title, channelId: { not: null }, openingTs: { not: null } } }), 30_000, "the incident channel");
  return { row, channelId: row.channelId as string, alice };
}

describe("a bot killed", () => {
  it("right after Statuspage answered the create, before the bot recorded it, leaves one public incident after a restart", async () => {
    const bot = await spawn();
    const { row, channelId, alice } = await declare(bot, "Public API errors");
    const view = await openStatuspageForm(bed.fake, bed.requests(bot.url), channelId, alice);
    sp.onAnswered = (r) => {
      if (r.method === "POST" && r.status === 201) bot.kill("SIGKILL");
    };
    const res = await submitStatuspageForm(bed.fake, bed.requests(bot.url), view, { body: "Some API calls fail." }, alice);
    expect(res.status).toBe(200);
    await bot.exited;
    sp.onAnswered = undefined;
    expect(sp.incidents.size).toBe(1);
    expect((await db.publicIncident.findUniqueOrThrow({ where: { incidentId: row.id } })).statuspageId).toBeNull();

    const restarted = await spawn();
    const channel = bed.fake.ws.conversations.get(channelId);
    await until(() => channel?.messages.find((m) => m.text.includes("on the status page")), 30_000, "the confirmation after the restart");
    await sleep(1000);
    expect(sp.incidents.size).toBe(1);
    expect(sp.writes().filter((w) => w.method === "POST")).toHaveLength(1);
    const [only] = [...sp.incidents.values()];
    expect(await db.publicIncident.findUniqueOrThrow({ where: { incidentId: row.id } })).toMatchObject({ statuspageId: only?.id, state: "open" });
    expect(channel?.messages.filter((m) => m.text.includes("on the status page"))).toHaveLength(1);
    expect(await db.timelineEntry.count({ where: { incidentId: row.id, kind: "status_page" } })).toBe(1);
    restarted.kill("SIGTERM");
    await restarted.exited;
  }, 120_000);

  it("while a receiver held a webhook delivery: after a restart it comes again under the same webhook-id", async () => {
    const bot = await spawn();
    let killed = false;
    hook.onRequest = (r) => {
      if (!killed && r.body.includes('"incident.declared"') && r.body.includes("Held webhook")) {
        killed = true;
        bot.kill("SIGKILL");
        // the bot never hears the answer
        return { kind: "hang" };
      }
      return undefined;
    };
    const alice = bed.users.alice as NonNullable<(typeof bed.users)["alice"]>;
    await bed.requests(bot.url).command("declare sev2 Held webhook", { user: alice.id, channel: bed.general.id });
    await bot.exited;
    hook.onRequest = undefined;
    const held = hook.received.filter((r) => r.body.includes("Held webhook") && r.body.includes('"incident.declared"'));
    expect(held.length).toBeGreaterThanOrEqual(1);
    const id = held[0]?.headers["webhook-id"];

    const restarted = await spawn();
    // well inside the dead process's 30 s lease: taken over because its liveness lock is gone
    await until(() => hook.delivered().some((d) => d.raw.includes("Held webhook") && d.headers["webhook-id"] === id), 20_000, "the redelivery");
    await sleep(1500);
    const about = hook.received.filter((r) => r.body.includes("Held webhook"));
    for (const r of about) new Webhook(SECRET).verify(r.body, r.headers);
    const declared = about.filter((r) => r.body.includes('"incident.declared"'));
    expect(new Set(declared.map((r) => r.headers["webhook-id"]))).toEqual(new Set([id]));
    // delivered once after the restart: each webhook-id answered 2xx once
    const delivered = hook.delivered().filter((d) => d.raw.includes("Held webhook")).map((d) => d.headers["webhook-id"]);
    expect(new Set(delivered).size).toBe(delivered.length);
    restarted.kill("SIGTERM");
    await restarted.exited;
  }, 120_000);
});
