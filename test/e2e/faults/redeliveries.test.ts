// Slack delivering twice, and people double-submitting: a retried event, a double click, a form
// submitted twice, a slash command delivered twice, a resolve form sent twice. Each changes things once.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../../support/harness.ts";
import { clickTake, type DeclaredIncident, flat, submitDeclareForm, waitUntilReady } from "../../support/incidents.ts";
import { sleep, until } from "../../support/wait.ts";


describe("Slack retrying deliveries, and people double-submitting", () => {
  let h: Harness;
  let inc: DeclaredIncident;
  beforeAll(async () => {
    h = await startHarness({ configYaml: "announce_channel: incidents\n" });
    h.fake.ws.addChannel("incidents", {});
    const { res } = await submitDeclareForm(h, { title: "Double trouble", severity: "SEV2" });
    expect(res.status).toBe(200);
    const row = await until(async () => h.db.incident.findFirst({ where: { title: "Double trouble" } }), 10_000, "the incident");
    inc = await waitUntilReady(h, row.id);
  });
  afterAll(async () => {
    await h?.stop();
  });

  it("records an event once however often Slack redelivers it", async () => {
    const msg = h.fake.ws.addMessage(inc.channel.id, h.users.bob.id, "Redelivered finding");
    const event = { type: "reaction_added", user: h.users.alice.id, reaction: "pushpin", item_user: h.users.bob.id, item: { type: "message", channel: inc.channel.id, ts: msg.ts }, event_ts: msg.ts };
    const answers = await Promise.all([0, 1, 2, 3].map((n) => h.slack.event(event, { eventId: "EvRETRIED", ...(n > 0 ? { retryNum: n } : {}) })));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    await until(async () => (await h.db.timelineEntry.count({ where: { incidentId: inc.id, text: "Redelivered finding" } })) || undefined, 10_000, "the entry");
    await sleep(500);
    expect(await h.db.timelineEntry.count({ where: { incidentId: inc.id, text: "Redelivered finding" } })).toBe(1);
  });

  it("takes a role once when its button is clicked twice at the same instant", async () => {
    await Promise.all([clickTake(h, inc, "comms", h.users.carol), clickTake(h, inc, "comms", h.users.carol)]);
    await until(() => inc.channel.messages.some((m) => m.text === `<@${h.users.carol.id}> took Comms Lead`), 10_000, "the role");
    await sleep(500);
    expect(inc.channel.messages.filter((m) => m.text === `<@${h.users.carol.id}> took Comms Lead`)).toHaveLength(1);
    expect(await h.db.roleAssignment.count({ where: { incidentId: inc.id, role: "comms" } })).toBe(1);
  });

  it("posts one update when the same update form is submitted twice", async () => {
    const cmd = await h.slack.command("update", { user: h.users.alice.id, channel: inc.channel.id });
    const opened = await until(() => h.fake.okCallsTo("views.open").find((c) => c.args.trigger_id === cmd.triggerId), 10_000, "the update form");
    const view = opened.response.view as Record<string, unknown>;
    const values = { status: { value: { type: "static_select", selected_option: { value: "identified" } } }, summary: { value: { type: "plain_text_input", value: "Submitted twice" } } };
    const submission = { type: "view_submission", user: { id: h.users.alice.id, team_id: h.fake.ws.teamId }, team: { id: h.fake.ws.teamId }, view: { ...view, state: { values } } };
    const answers = await Promise.all([h.slack.interaction(submission), h.slack.interaction(submission)]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    await until(() => inc.channel.messages.some((m) => flat(m).includes("Submitted twice")), 10_000, "the update");
    await sleep(500);
    expect(inc.channel.messages.filter((m) => flat(m).includes("Submitted twice"))).toHaveLength(1);
    expect(await h.db.statusUpdate.count({ where: { incidentId: inc.id, text: "Submitted twice" } })).toBe(1);
  });

  it("acts once on a slash command delivered twice", async () => {
    const triggerId = h.fake.ws.newTrigger(h.users.alice.id);
    const send = () => h.slack.command("note Delivered twice", { user: h.users.alice.id, channel: inc.channel.id, triggerId });
    const answers = await Promise.all([send(), send()]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    await sleep(500);
    expect(await h.db.timelineEntry.count({ where: { incidentId: inc.id, text: { contains: "Delivered twice" } } })).toBe(1);
  });

  it("resolves once when the resolve form is submitted twice", async () => {
    const cmd = await h.slack.command("resolve", { user: h.users.alice.id, channel: inc.channel.id });
    const opened = await until(() => h.fake.okCallsTo("views.open").find((c) => c.args.trigger_id === cmd.triggerId), 10_000, "the resolve form");
    const view = opened.response.view as Record<string, unknown>;
    const values = { summary: { value: { type: "plain_text_input", value: "Fixed, twice over" } }, root_cause: { value: { type: "plain_text_input", value: null } } };
    const submission = { type: "view_submission", user: { id: h.users.alice.id, team_id: h.fake.ws.teamId }, team: { id: h.fake.ws.teamId }, view: { ...view, state: { values } } };
    const answers = await Promise.all([h.slack.interaction(submission), h.slack.interaction(submission)]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    await until(() => inc.channel.messages.some((m) => m.text.includes(`INC-${inc.number} resolved`)), 10_000, "the resolution");
    await sleep(800);
    expect(inc.channel.messages.filter((m) => m.text.includes(`INC-${inc.number} resolved`))).toHaveLength(1);
    expect(await h.db.timelineEntry.count({ where: { incidentId: inc.id, kind: "resolved" } })).toBe(1);
    expect([...h.fake.ws.canvases.values()].filter((c) => c.channelId === inc.channel.id)).toHaveLength(1);
  });
});
