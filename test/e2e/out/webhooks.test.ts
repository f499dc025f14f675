// Webhooks out, end to end, against real receivers on loopback: every event type of an incident's
// life, in order, each delivery verified with the Standard Webhooks reference library's own verifier;
// an endpoint's events filter; private incidents only where include_private; drills marked; a receiver
// answering 500, cutting the connection or answering 410; one webhook-id per event across retries; a
// receiver down for an hour getting everything, in order, when it comes back.

import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WEBHOOK_EVENT_TYPES } from "../../../src/domain/webhooks.ts";
import { startReceiver, type WebhookReceiver } from "../../fake-webhooks/receiver.ts";
import { ShiftedClock } from "../../support/clock.ts";
import { createTestDatabase, type TestDatabase } from "../../support/databases.ts";
import { type Harness, startHarness } from "../../support/harness.ts";
import { declareFast, type DeclaredIncident, submitDeclareForm } from "../../support/incidents.ts";
import { sleep, until } from "../../support/wait.ts";

const SECRET_A = `whsec_${Buffer.from("a".repeat(32)).toString("base64")}`;
const SECRET_B = `whsec_${Buffer.from("b".repeat(32)).toString("base64")}`;
const SECRET_C = `whsec_${Buffer.from("c".repeat(32)).toString("base64")}`;

let h: Harness;
let all: WebhookReceiver;
let some: WebhookReceiver;
let flaky: WebhookReceiver;
const clock = new ShiftedClock();

function config() {
  return `announce_channel: incidents
postmortem_due: PT1H
webhooks:
  - url: ${all.url}
    secret_env: HOOK_A
  - url: ${some.url}
    secret_env: HOOK_B
    events: [incident.declared, incident.resolved]
    include_private: true
  - url: ${flaky.url}
    secret_env: HOOK_C
    events: [incident.declared, incident.updated]
`;
}
const ENV = { HOOK_A: SECRET_A, HOOK_B: SECRET_B, HOOK_C: SECRET_C };

beforeAll(async () => {
  [all, some, flaky] = await Promise.all([startReceiver("/all"), startReceiver("/some"), startReceiver("/flaky")]);
  h = await startHarness({ env: ENV, configYaml: config(), start: { clock } });
  h.fake.ws.addChannel("incidents", {});
});
afterAll(async () => {
  await h?.stop();
  await Promise.all([all, some, flaky].map((r) => r?.stop()));
});

const run = (inc: DeclaredIncident, text: string, user = h.users.alice) => h.slack.command(text, { user: user.id, channel: inc.channel.id });

/** What `receiver` got about incident `id`, verified with the reference verifier. */
function eventsAbout(receiver: WebhookReceiver, secret: string, id: string) {
  const verifier = new Webhook(secret);
  return receiver.delivered().filter((d) => {
    verifier.verify(d.raw, d.headers);
    return d.body.data?.incident?.id === id;
  });
}

describe("an incident's life", () => {
  it("sends every event type, in the order it happened, signed so the reference library verifies it", async () => {
    const { incident: inc } = await declareFast(h, "sev2 Webhooks all the way");
    await run(inc, "update Looking at the load balancer");
    await run(inc, "sev 1 Customers cannot pay");
    await run(inc, "status identified");
    await run(inc, `role tech <@${h.users.bob.id}>`);
    await run(inc, `action Add a canary for the load balancer <@${h.users.bob.id}>`);
    await run(inc, "resolve Rolled back the config");
    await run(inc, "reopen It came back");
    await run(inc, "resolve Rolled back for good");
    await until(() => h.db.postmortem.findFirst({ where: { incidentId: inc.id, publishedAt: { not: null } } }), 20_000, "the postmortem");
    const item = await h.db.actionItem.findFirstOrThrow({ where: { incidentId: inc.id } });
    await h.slack.interaction({ type: "block_actions", user: { id: h.users.bob.id, team_id: h.fake.ws.teamId }, team: { id: h.fake.ws.teamId }, trigger_id: h.fake.ws.newTrigger(h.users.bob.id), response_url: h.fake.responseUrl(), actions: [{ action_id: "warroom.action_item_done", value: String(item.id), type: "button" }] });
    await run(inc, "close");
    const types = () => eventsAbout(all, SECRET_A, inc.id).map((d) => d.body.type as string);
    await until(() => types().includes("incident.closed") && types().includes("action_item.completed") && types().includes("postmortem.drafted"), 20_000, "every event");
    const got = eventsAbout(all, SECRET_A, inc.id);
    // all but the follow-ups' own two, which need a tracker (followups:) and are tested with one
    expect(new Set(got.map((d) => d.body.type))).toEqual(new Set(WEBHOOK_EVENT_TYPES.filter((t) => t !== "action_item.exported" && t !== "action_item.reopened")));
    // in the order they happened (the declaration names its IC in data.incident.roles; role events are later changes)
    const order = got.map((d) => d.body.type as string);
    const pos = (t: string) => order.indexOf(t);
    expect(pos("incident.declared")).toBe(0);
    expect(pos("incident.role_assigned")).toBeGreaterThan(pos("incident.status_changed"));
    expect(pos("incident.updated")).toBeLessThan(pos("incident.severity_changed"));
    expect(pos("incident.severity_changed")).toBeLessThan(pos("incident.status_changed"));
    expect(pos("incident.resolved")).toBeLessThan(pos("incident.reopened"));
    expect(order.lastIndexOf("incident.resolved")).toBeGreaterThan(pos("incident.reopened"));
    expect(order.at(-1)).toBe("incident.closed");
    // the body: type, timestamp, data.incident (the record's summary) and what the event adds
    const declared = got[0]?.body as Record<string, any>;
    expect(declared).toMatchObject({ type: "incident.declared", data: { incident: { id: inc.id, number: inc.number, ref: `INC-${inc.number}`, title: "Webhooks all the way", severity: "SEV2", status: "investigating", private: false, drill: false } } });
    expect(Date.parse(declared.timestamp)).not.toBeNaN();
    expect(Object.keys(declared.data.incident)).toEqual(expect.arrayContaining(["channel", "roles", "timestamps"]));
    const sev = got.find((d) => d.body.type === "incident.severity_changed")?.body as Record<string, any>;
    expect(sev.data).toMatchObject({ from: "SEV2", to: "SEV1", reason: "Customers cannot pay", incident: { severity: "SEV1" } });
    expect(got.find((d) => d.body.type === "incident.updated")?.body.data.update).toMatchObject({ text: "Looking at the load balancer", status: "investigating", by: h.users.alice.id });
    expect(got.find((d) => d.body.type === "action_item.created")?.body.data.action_item).toMatchObject({ text: "Add a canary for the load balancer", owner: h.users.bob.id, status: "open" });
    // one webhook-id per event; the headers Standard Webhooks names
    const ids = got.map((d) => d.headers["webhook-id"]);
    expect(new Set(ids).size).toBe(ids.length);
    for (const d of got) {
      expect(d.headers["webhook-id"]).toMatch(/^msg_[0-9a-f]{32}$/);
      expect(Math.abs(Number(d.headers["webhook-timestamp"]) - clock.now().getTime() / 1000)).toBeLessThan(120);
      expect(d.headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/=]+$/);
    }
    // a signature made with another secret does not verify
    expect(() => new Webhook(SECRET_B).verify(got[0]?.raw as string, got[0]?.headers as Record<string, string>)).toThrow();
    // the filtered endpoint got only what it asked for
    const filtered = eventsAbout(some, SECRET_B, inc.id).map((d) => d.body.type);
    expect(filtered).toEqual(["incident.declared", "incident.resolved", "incident.resolved"]);
  });

  it("sends a private incident only where include_private, and marks drills", async () => {
    const form = await submitDeclareForm(h, { title: "Payroll export leaking", severity: "SEV2", private: true }, h.users.carol);
    expect(form.res.status).toBe(200);
    const secret = await until(() => h.db.incident.findFirst({ where: { title: "Payroll export leaking", isPrivate: true } }), 10_000, "the private incident");
    const drillRes = await h.slack.command("drill sev3 Fire drill", { user: h.users.carol.id, channel: h.general.id });
    expect(drillRes.status).toBe(200);
    const drill = await until(() => h.db.incident.findFirst({ where: { title: "Fire drill", isDrill: true } }), 10_000, "the drill");
    // the drill is declared after the private incident, so once its event arrived the private one's had its chance
    await until(() => eventsAbout(all, SECRET_A, drill.id).length > 0, 10_000, "the drill's event");
    await until(() => eventsAbout(some, SECRET_B, secret.id).length > 0, 10_000, "the private incident's event where include_private");
    expect(eventsAbout(all, SECRET_A, drill.id)[0]?.body.data.incident).toMatchObject({ drill: true, private: false, title: "Fire drill" });
    expect(eventsAbout(some, SECRET_B, secret.id)[0]?.body.data.incident).toMatchObject({ private: true, drill: false });
    await sleep(500);
    expect(all.received.filter((r) => r.body.includes(secret.id))).toEqual([]);
    expect(flaky.received.filter((r) => r.body.includes(secret.id))).toEqual([]);
    expect(await h.db.webhookDelivery.count({ where: { incidentId: secret.id, endpoint: { not: h.bot.deps.config.incident.webhooks[1]?.key as string } } })).toBe(0);
  });
});

describe("a receiver that fails", () => {
  let database: TestDatabase;
  let bot: Harness;
  let hook: WebhookReceiver;
  const late = new ShiftedClock();
  const SECRET = `whsec_${Buffer.from("d".repeat(40)).toString("base64")}`;
  const start = () => startHarness({ env: { HOOK_D: SECRET }, configYaml: `webhooks:\n  - url: ${hook.url}\n    secret_env: HOOK_D\n`, start: { clock: late }, database, fake: h.fake });

  beforeAll(async () => {
    hook = await startReceiver("/hook");
    database = await createTestDatabase();
    bot = await start();
  });
  afterAll(async () => {
    await bot?.stop();
    await database?.drop();
    await hook?.stop();
  });

  /** Everything `hook` got about incident `id` (delivered or not), each verified. */
  const attemptsAbout = (id: string) =>
    hook.received.filter((r) => {
      const ts = Number(r.headers["webhook-timestamp"]);
      // the reference verifier checks the timestamp against the real time: a shifted clock's are checked by signing again
      if (late.offset === 0) new Webhook(SECRET).verify(r.body, r.headers);
      else expect(r.headers["webhook-signature"]).toBe(new Webhook(SECRET).sign(r.headers["webhook-id"] as string, new Date(ts * 1000), r.body));
      return (JSON.parse(r.body) as { data: { incident: { id: string } } }).data.incident.id === id;
    });
  const failuresLogged = (eventId: string) => bot.logs.filter((l) => l.event === eventId && l.msg === "a webhook delivery failed; will retry");
  const declare = async (title: string) => (await declareFast(bot, `sev3 ${title}`, bot.users.alice)).incident;

  it("answering 500, then cutting the connection, is tried again under the same webhook-id, each failure logged once", async () => {
    hook.next({ kind: "status", status: 500 }, { kind: "cut" });
    const inc = await declare("Retries keep the id");
    await until(() => attemptsAbout(inc.id).some((r) => r.status === 200), 15_000, "the delivery after two failures");
    const tries = attemptsAbout(inc.id).filter((r) => JSON.parse(r.body).type === "incident.declared");
    expect(tries.map((r) => r.status)).toEqual([500, 0, 200]);
    expect(new Set(tries.map((r) => r.headers["webhook-id"])).size).toBe(1);
    const eventId = tries[0]?.headers["webhook-id"] as string;
    expect(failuresLogged(eventId).map((l) => [l.status, l.attempt])).toEqual([
      [500, 1],
      [null, 2],
    ]);
    expect(failuresLogged(eventId)[1]?.error).toMatch(/\S/);
    // the secret is never logged
    expect(JSON.stringify(bot.logs)).not.toContain(SECRET.slice(6));
    // recorded a moment after the receiver answered
    await until(async () => (await bot.db.webhookDelivery.findFirstOrThrow({ where: { eventId } })).status === "delivered", 5000, "the delivery recorded").catch(() => undefined);
    expect(await bot.db.webhookDelivery.findFirstOrThrow({ where: { eventId } })).toMatchObject({ status: "delivered", attempts: 3, lastStatus: 200 });
  });

  it("not answering within 10 s is a failure, tried again", async () => {
    hook.next({ kind: "hang" });
    const inc = await declare("A receiver that hangs");
    await until(() => attemptsAbout(inc.id).some((r) => r.status === 200), 25_000, "the delivery after a timeout");
    const eventId = attemptsAbout(inc.id)[0]?.headers["webhook-id"] as string;
    expect(failuresLogged(eventId).map((l) => l.error)).toEqual(["no answer within 10 s"]);
  }, 40_000);

  it("one incident's events go out in order even when the first needs retries", async () => {
    hook.next({ kind: "status", status: 503 }, { kind: "status", status: 503 });
    const inc = await declare("Order under retries");
    await bot.slack.command("update First look", { user: bot.users.alice.id, channel: inc.channel.id });
    await bot.slack.command("status identified", { user: bot.users.alice.id, channel: inc.channel.id });
    await until(() => attemptsAbout(inc.id).filter((r) => r.status === 200).length >= 3, 20_000, "every event");
    const delivered = attemptsAbout(inc.id).filter((r) => r.status === 200).map((r) => JSON.parse(r.body).type);
    expect(delivered).toEqual(["incident.declared", "incident.updated", "incident.status_changed"]);
    // nothing after the failing head was sent before it got through
    const firstOk = attemptsAbout(inc.id).findIndex((r) => r.status === 200);
    expect(attemptsAbout(inc.id).slice(0, firstOk).every((r) => JSON.parse(r.body).type === "incident.declared")).toBe(true);
  });

  it("answering 410 Gone pauses the endpoint until the bot starts again, which then sends what waited, under the same ids", async () => {
    hook.next({ kind: "status", status: 410 });
    const inc = await declare("Gone for now");
    await until(() => bot.logs.find((l) => String(l.msg).includes("410 Gone")), 10_000, "the 410 said in the log");
    await bot.slack.command("update Still looking", { user: bot.users.alice.id, channel: inc.channel.id });
    await sleep(1500);
    expect(attemptsAbout(inc.id).map((r) => r.status)).toEqual([410]);
    expect(bot.logs.filter((l) => String(l.msg).includes("410 Gone"))).toHaveLength(1);
    const goneId = attemptsAbout(inc.id)[0]?.headers["webhook-id"];
    await bot.stop();
    bot = await start();
    await until(() => attemptsAbout(inc.id).filter((r) => r.status === 200).length >= 2, 15_000, "what waited");
    const after = attemptsAbout(inc.id).filter((r) => r.status === 200);
    expect(after[0]?.headers["webhook-id"]).toBe(goneId);
    expect(after.map((r) => JSON.parse(r.body).type)).toEqual(["incident.declared", "incident.updated"]);
    expect(bot.logs.find((l) => String(l.msg).includes("enabled again"))).toBeDefined();
  });

  it("down for an hour gets everything, in order, when it comes back", async () => {
    hook.behave({ kind: "status", status: 503 });
    const a = await declare("Down for an hour A");
    const b = await declare("Down for an hour B");
    for (const inc of [a, b]) {
      await bot.slack.command("update Looking", { user: bot.users.alice.id, channel: inc.channel.id });
      await bot.slack.command("status identified", { user: bot.users.alice.id, channel: inc.channel.id });
    }
    // an hour in five-minute steps (the backoff's ceiling), each step's retries let happen
    for (let minutes = 5; minutes <= 60; minutes += 5) {
      late.forward(5 * 60_000);
      await sleep(400);
    }
    const failedTries = hook.received.length;
    hook.behave({ kind: "ok" });
    // past the longest wait (5 minutes, +20% jitter)
    late.forward(7 * 60_000);
    for (const inc of [a, b]) {
      await until(() => attemptsAbout(inc.id).filter((r) => r.status === 200).length >= 3, 20_000, "everything after the hour");
      const delivered = attemptsAbout(inc.id).filter((r) => r.status === 200);
      expect(delivered.map((r) => JSON.parse(r.body).type)).toEqual(["incident.declared", "incident.updated", "incident.status_changed"]);
      expect(new Set(delivered.map((r) => r.headers["webhook-id"])).size).toBe(3);
    }
    // backoff, not hammering: the heads were tried a handful of times each in the hour
    expect(failedTries).toBeLessThan(200);
    // the receiver has the last answer a moment before the bot records it
    const undelivered = () => bot.db.webhookDelivery.count({ where: { incidentId: { in: [a.id, b.id] }, status: { not: "delivered" } } });
    await until(async () => (await undelivered()) === 0, 5000, "every delivery recorded").catch(() => undefined);
    expect(await undelivered()).toBe(0);
  });

  it("gives an event up after 24 hours of failures, says so in the log, and sends the incident's next one", async () => {
    hook.behave({ kind: "status", status: 503 });
    const inc = await declare("Given up after a day");
    await until(() => attemptsAbout(inc.id).length > 0, 10_000, "the first attempt");
    const eventId = attemptsAbout(inc.id)[0]?.headers["webhook-id"] as string;
    await bot.slack.command("update Still down", { user: bot.users.alice.id, channel: inc.channel.id });
    // a day and a minute later, the next retry finds the first attempt 24 hours old
    late.forward(24 * 60 * 60_000 + 60_000);
    await until(() => bot.logs.find((l) => l.event === eventId && l.msg === "gave up delivering a webhook after 24 hours of failures"), 15_000, "the give-up in the log");
    expect(await bot.db.webhookDelivery.findFirstOrThrow({ where: { eventId } })).toMatchObject({ status: "failed", lastStatus: 503 });
    // the incident's queue goes on with its next event
    hook.behave({ kind: "ok" });
    late.forward(7 * 60_000);
    await until(() => attemptsAbout(inc.id).some((r) => r.status === 200 && JSON.parse(r.body).type === "incident.updated"), 15_000, "the next event");
    expect(attemptsAbout(inc.id).filter((r) => r.status === 200 && r.headers["webhook-id"] === eventId)).toEqual([]);
  });
});
