// Keeping the incident moving, end to end with second-scale cadences: reminders on time, updates
// restarting the clock, escalation to the announce channel, the Comms Lead nudge, severity changes
// re-planning, snoozing, and the timeline that writes itself.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FakeMessage } from "../fake-slack/workspace.ts";
import { type Harness, startHarness } from "../support/harness.ts";
import { type DeclaredIncident, declareFast, openingOf, replies } from "../support/incidents.ts";
import { until } from "../support/wait.ts";

const CONFIG = `
announce_channel: incidents
severities:
  - { id: SEV1, label: Critical, description: Everything is down, cadence: PT2S, requires_ic: true, expects_comms_lead: true, postmortem_required: true }
  - { id: SEV2, label: High, description: Major degradation, cadence: PT4S, requires_ic: true, expects_comms_lead: true, postmortem_required: true }
  - { id: SEV3, label: Medium, description: Partial degradation, cadence: PT3S }
  - { id: SEV4, label: Low, description: Cosmetic, cadence: null }
`;

let h: Harness;
let announce: { messages: FakeMessage[] };
beforeAll(async () => {
  h = await startHarness({ configYaml: CONFIG });
  announce = h.fake.ws.addChannel("incidents", {});
});
afterAll(async () => {
  await h?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const flat = (m: FakeMessage) => `${m.text}${JSON.stringify(m.blocks ?? [])}`;
const reminders = (inc: DeclaredIncident) => inc.channel.messages.filter((m) => m.text.includes("status update is due") || m.text.includes("overdue for a status update"));

async function declaredAt(inc: DeclaredIncident): Promise<number> {
  return (await h.db.incident.findUniqueOrThrow({ where: { id: inc.id } })).declaredAt.getTime();
}

describe("reminders", () => {
  it("remind on time, mentioning the IC, with Post update and Snooze buttons, and go on the timeline", async () => {
    const { incident } = await declareFast(h, "sev3 Reminder on time", h.users.alice);
    const reminder = await h.fake.waitFor(() => reminders(incident)[0], 8000, "the reminder");
    const lateness = Number(reminder.ts) * 1000 - ((await declaredAt(incident)) + 3000);
    expect(lateness).toBeGreaterThanOrEqual(0);
    expect(lateness).toBeLessThan(2000);
    const text = flat(reminder);
    expect(text).toContain(`A status update is due for INC-${incident.number}`);
    expect(text).toContain(`<@${h.users.alice.id}>`);
    expect(text).toContain("even if the status is unchanged");
    expect(text).toContain("No update since the declaration <!date^");
    expect(text).toContain('"text":"Post update"');
    expect(text).toContain('"text":"Snooze 15 min"');
    // recorded just after Slack took the message
    await until(async () => (await h.db.timelineEntry.count({ where: { incidentId: incident.id, kind: "reminder" } })) >= 1, 5000, "the reminder on the timeline");
  });

  it("restart their clock when an update is posted", async () => {
    const { incident } = await declareFast(h, "sev3 Update restarts the clock", h.users.bob);
    await sleep(2000);
    const res = await h.slack.command("update Rolled back the deploy; error rate falling", { user: h.users.bob.id, channel: incident.channel.id });
    expect(res.json?.text).toBe(`Update posted on INC-${incident.number}; the update clock restarted.`);
    const updatedAt = Date.now();
    await sleep(1500);
    expect(reminders(incident)).toHaveLength(0);
    const reminder = await h.fake.waitFor(() => reminders(incident)[0], 8000, "the reminder");
    expect(Number(reminder.ts) * 1000).toBeGreaterThanOrEqual(updatedAt + 2900);
    expect(flat(reminder)).toContain("The last update was <!date^");
    const row = await h.db.incident.findUniqueOrThrow({ where: { id: incident.id } });
    expect(row.statusSummary).toBe("Rolled back the deploy; error rate falling");
    expect(row.lastUpdateAt?.getTime()).toBeGreaterThan((await declaredAt(incident)) + 1500);
  });

  it("escalate after a further cadence, louder, and to the announce channel", async () => {
    const { incident } = await declareFast(h, "sev3 Nobody updates", h.users.carol);
    const escalation = await h.fake.waitFor(() => incident.channel.messages.find((m) => m.text.includes("overdue for a status update")), 10_000, "the escalation");
    expect(Number(escalation.ts) * 1000 - (await declaredAt(incident))).toBeGreaterThanOrEqual(6000);
    expect(flat(escalation)).toContain("Stakeholders are waiting");
    const announced = await h.fake.waitFor(() => announce.messages.find((m) => m.text.includes(`INC-${incident.number} (SEV3 · Medium) has had no status update since`)), 5000, "the announcement");
    expect(announced.text).toContain(`Follow in <#${incident.channel.id}>`);
  });

  it("nudge a SEV1 with no Comms Lead after one cadence, and not one that has one", async () => {
    const { incident: lonely } = await declareFast(h, "sev1 No comms lead", h.users.dave);
    await h.fake.waitFor(() => lonely.channel.messages.find((m) => m.text.includes("has no Comms Lead")), 6000, "the nudge");
    const { incident: staffed } = await declareFast(h, "sev1 Has a comms lead", h.users.alice);
    await h.slack.command(`role comms <@${h.users.bob.id}>`, { user: h.users.alice.id, channel: staffed.channel.id });
    await sleep(3000);
    expect(staffed.channel.messages.some((m) => m.text.includes("has no Comms Lead"))).toBe(false);
  });

  it("send nothing for a severity without a cadence", async () => {
    const { incident } = await declareFast(h, "sev4 Typo", h.users.alice);
    await sleep(4000);
    expect(reminders(incident)).toHaveLength(0);
    expect(flat(openingOf(h, incident))).toContain("SEV4 has no update cadence");
    expect(await h.db.job.count({ where: { incidentId: incident.id, kind: { startsWith: "reminder." } } })).toBe(0);
  });

  it("snooze for 15 minutes from the button, on the timeline; a stale button changes nothing", async () => {
    const { incident } = await declareFast(h, "sev3 Snooze me", h.users.bob);
    const reminder = await h.fake.waitFor(() => reminders(incident)[0], 8000, "the reminder");
    const actions = (reminder.blocks as { type: string; block_id?: string; elements?: Record<string, unknown>[] }[]).find((b) => b.type === "actions");
    const snooze = actions?.elements?.find((e) => e.action_id === "warroom.snooze");
    const click = async () => {
      const responseUrl = h.fake.responseUrl();
      await h.slack.interaction({
        type: "block_actions",
        user: { id: h.users.bob.id, name: "bob", team_id: h.fake.ws.teamId },
        team: { id: h.fake.ws.teamId },
        trigger_id: h.fake.ws.newTrigger(h.users.bob.id),
        channel: { id: incident.channel.id },
        container: { type: "message", channel_id: incident.channel.id, message_ts: reminder.ts },
        message: { ts: reminder.ts, text: reminder.text },
        response_url: responseUrl,
        actions: [{ action_id: "warroom.snooze", block_id: actions?.block_id, value: snooze?.value, type: "button", action_ts: "1.2" }],
      });
      return responseUrl;
    };
    await click();
    const row = await h.db.incident.findUniqueOrThrow({ where: { id: incident.id } });
    expect(row.snoozedUntil?.getTime()).toBeGreaterThan(Date.now() + 14 * 60 * 1000);
    expect(row.nextUpdateDueAt?.getTime()).toBe(row.snoozedUntil?.getTime());
    await h.fake.waitFor(() => incident.channel.messages.find((m) => m.text.includes("snoozed the update reminder")), 5000, "the snooze echo");
    expect(await h.db.timelineEntry.count({ where: { incidentId: incident.id, kind: "snoozed" } })).toBe(1);
    const before = reminders(incident).length;
    await sleep(3500);
    expect(reminders(incident)).toHaveLength(before);
    // the same button again: the plan it belongs to is gone
    expect((await replies(h, await click()))[0]).toContain("This reminder is out of date");
  });

  it("open the update form from the reminder's button, and post the update it is submitted with", async () => {
    const { incident } = await declareFast(h, "sev3 Update from the form", h.users.carol);
    const reminder = await h.fake.waitFor(() => reminders(incident)[0], 8000, "the reminder");
    const trigger = h.fake.ws.newTrigger(h.users.carol.id);
    await h.slack.interaction({
      type: "block_actions",
      user: { id: h.users.carol.id, team_id: h.fake.ws.teamId },
      team: { id: h.fake.ws.teamId },
      trigger_id: trigger,
      channel: { id: incident.channel.id },
      response_url: h.fake.responseUrl(),
      actions: [{ action_id: "warroom.post_update", value: incident.id, type: "button" }],
    });
    const opened = await h.fake.waitFor(() => h.fake.okCallsTo("views.open").find((c) => c.args.trigger_id === trigger), 5000, "the update form");
    const view = opened.response.view as Record<string, unknown>;
    expect((view.title as { text: string }).text).toBe(`Update INC-${incident.number}`);
    const res = await h.slack.interaction({
      type: "view_submission",
      user: { id: h.users.carol.id, team_id: h.fake.ws.teamId },
      team: { id: h.fake.ws.teamId },
      view: { ...view, state: { values: { status: { value: { type: "static_select", selected_option: { value: "identified" } } }, summary: { value: { type: "plain_text_input", value: "Found it: <!channel> bad config push" } } } } },
    });
    expect(res.status).toBe(200);
    const posted = await h.fake.waitFor(() => incident.channel.messages.find((m) => m.text.startsWith(`Update on INC-${incident.number}`)), 5000, "the update");
    expect(flat(posted)).toContain("*Identified*");
    expect(flat(posted)).toContain("Found it: &lt;!channel&gt; bad config push");
    expect(flat(posted)).not.toContain("<!channel>");
    expect((await h.db.incident.findUniqueOrThrow({ where: { id: incident.id } })).status).toBe("identified");
    expect(reminder).toBeDefined();
  });
});

describe("status updates and severity changes", () => {
  it("post a formatted update in the channel, and in the announce channel for severities that expect a Comms Lead", async () => {
    const { incident } = await declareFast(h, "sev2 Updates announced", h.users.alice);
    await h.slack.command("update Payments recovering in EU", { user: h.users.alice.id, channel: incident.channel.id });
    const posted = await h.fake.waitFor(() => incident.channel.messages.find((m) => m.text.startsWith(`Update on INC-${incident.number}`)), 5000, "the update");
    expect(flat(posted)).toContain("Payments recovering in EU");
    expect(flat(posted)).toContain(`Posted by <@${h.users.alice.id}>`);
    expect(flat(posted)).toContain("Next update due <!date^");
    await h.fake.waitFor(() => announce.messages.find((m) => m.text.includes(`INC-${incident.number} update (Investigating): Payments recovering in EU`)), 5000, "the announcement");
    expect(await h.db.statusUpdate.count({ where: { incidentId: incident.id } })).toBe(1);
  });

  it("do not announce updates for severities that do not expect a Comms Lead", async () => {
    const { incident } = await declareFast(h, "sev3 Quiet updates", h.users.alice);
    await h.slack.command("update Still digging", { user: h.users.alice.id, channel: incident.channel.id });
    await h.fake.waitFor(() => incident.channel.messages.find((m) => m.text.startsWith(`Update on INC-${incident.number}`)), 5000, "the update");
    await sleep(300);
    expect(announce.messages.some((m) => m.text.includes(`INC-${incident.number} update`))).toBe(false);
  });

  it("escalate with a reason: posted, announced, topic and opening message updated, reminders re-planned", async () => {
    const { incident } = await declareFast(h, "sev4 Grows into an outage", h.users.bob);
    await sleep(500);
    expect((await h.slack.command("sev 3", { user: h.users.bob.id, channel: incident.channel.id })).json?.text).toContain("Say why the severity changes");
    const res = await h.slack.command("sev 3 Error rate above 5% now", { user: h.users.bob.id, channel: incident.channel.id });
    expect(res.json?.text).toBe(`INC-${incident.number} is now SEV3 (was SEV4).`);
    await h.fake.waitFor(() => incident.channel.messages.find((m) => m.text.includes(`escalated INC-${incident.number} from SEV4 to SEV3 (Medium): Error rate above 5% now`)), 5000, "the post");
    await h.fake.waitFor(() => announce.messages.find((m) => m.text.includes(`INC-${incident.number} escalated from SEV4 to SEV3`)), 5000, "the announcement");
    await h.fake.waitFor(() => incident.channel.topic.startsWith(`INC-${incident.number} SEV3 Medium`), 5000, "the topic");
    await h.fake.waitFor(() => flat(openingOf(h, incident)).includes("*Severity:* SEV3 · Medium"), 5000, "the opening message");
    const entry = await h.db.timelineEntry.findFirstOrThrow({ where: { incidentId: incident.id, kind: "severity_changed" } });
    expect(entry.text).toBe(`<@${h.users.bob.id}> escalated SEV4 → SEV3: Error rate above 5% now`);
    // SEV3's 3-second cadence now applies, from the declaration
    await h.fake.waitFor(() => reminders(incident)[0], 8000, "the first reminder under SEV3");
  });

  it("de-escalating to a severity without a cadence stops the reminders", async () => {
    const { incident } = await declareFast(h, "sev3 Turns out minor", h.users.carol);
    await h.slack.command("sev 4 Only affects an internal dashboard", { user: h.users.carol.id, channel: incident.channel.id });
    await sleep(4000);
    expect(reminders(incident)).toHaveLength(0);
    expect(await h.db.job.count({ where: { incidentId: incident.id, kind: { startsWith: "reminder." }, status: "pending" } })).toBe(0);
  });

  it("refuses changing to the same severity", async () => {
    const { incident } = await declareFast(h, "sev3 Same severity", h.users.carol);
    expect((await h.slack.command("sev 3 no change", { user: h.users.carol.id, channel: incident.channel.id })).json?.text).toContain(`INC-${incident.number} is already SEV3.`);
  });
});

describe("the timeline", () => {
  let incident: DeclaredIncident;
  beforeAll(async () => {
    incident = (await declareFast(h, "sev4 Timeline", h.users.alice)).incident;
  });

  it("takes notes by command and echoes them in the channel", async () => {
    const res = await h.slack.command("note Suspect the 14:05 deploy of <@U0123ABC|bob>'s service &amp; the CDN", { user: h.users.alice.id, channel: incident.channel.id });
    expect(res.json?.text).toBe(`Added to the timeline of INC-${incident.number}.`);
    const echo = await h.fake.waitFor(() => incident.channel.messages.find((m) => m.text.startsWith(`Note from <@${h.users.alice.id}>`)), 5000, "the echo");
    expect(echo.text).toContain("Suspect the 14:05 deploy of <@U0123ABC>'s service &amp; the CDN");
    expect(await h.db.timelineEntry.count({ where: { incidentId: incident.id, kind: "note" } })).toBe(1);
  });

  it("adds a message with the shortcut once, at its own time, with its author and permalink", async () => {
    const msg = h.fake.ws.addMessage(incident.channel.id, h.users.bob.id, "Latency graph shows the spike started at 14:02 <!channel>");
    const shortcut = (responseUrl = h.fake.responseUrl()) =>
      h.slack.interaction({
        type: "message_action",
        callback_id: "warroom.add_to_timeline",
        trigger_id: h.fake.ws.newTrigger(h.users.carol.id),
        user: { id: h.users.carol.id, team_id: h.fake.ws.teamId },
        team: { id: h.fake.ws.teamId },
        channel: { id: incident.channel.id, name: incident.channel.name },
        message_ts: msg.ts,
        response_url: responseUrl,
        message: { type: "message", ts: msg.ts, user: h.users.bob.id, text: msg.text },
      });
    const first = h.fake.responseUrl();
    expect((await shortcut(first)).status).toBe(200);
    expect((await replies(h, first)).join(" ")).toContain(`Added to the timeline of INC-${incident.number}`);
    const again = h.fake.responseUrl();
    await shortcut(again);
    expect((await replies(h, again)).join(" ")).toContain(`That message is already on the timeline of INC-${incident.number}.`);
    const entries = await h.db.timelineEntry.findMany({ where: { incidentId: incident.id, kind: "message" } });
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ actorId: h.users.bob.id, text: "Latency graph shows the spike started at 14:02 @channel", permalink: `https://warroom-test.slack.com/archives/${incident.channel.id}/p${msg.ts.replace(".", "")}` });
    expect(entries[0]?.at.getTime()).toBe(Math.round(Number(msg.ts) * 1000));
  });

  it("says so when the shortcut is used outside an incident channel", async () => {
    const msg = h.fake.ws.addMessage(h.general.id, h.users.bob.id, "just chatting");
    const responseUrl = h.fake.responseUrl();
    await h.slack.interaction({
      type: "message_action",
      callback_id: "warroom.add_to_timeline",
      trigger_id: h.fake.ws.newTrigger(h.users.bob.id),
      user: { id: h.users.bob.id },
      channel: { id: h.general.id },
      message_ts: msg.ts,
      response_url: responseUrl,
      message: { ts: msg.ts, user: h.users.bob.id, text: msg.text },
    });
    expect((await replies(h, responseUrl))[0]).toContain("not in an incident channel");
  });

  it("adds a pinned message once, however often Slack delivers the event", async () => {
    const msg = h.fake.ws.addMessage(incident.channel.id, h.users.dave.id, "Rollback started");
    const event = { type: "pin_added", user: h.users.carol.id, channel_id: incident.channel.id, item: { type: "message", channel: incident.channel.id, created: 1, created_by: h.users.carol.id, message: { type: "message", ts: msg.ts, user: h.users.dave.id, text: msg.text } }, event_ts: "1.2" };
    const first = await h.slack.event(event, { eventId: "EvPIN1" });
    expect(first.status).toBe(200);
    const retry = await h.slack.event(event, { eventId: "EvPIN1", retryNum: 1 });
    expect(retry.status).toBe(200);
    const entry = await (async () => {
      for (let i = 0; i < 100; i++) {
        const e = await h.db.timelineEntry.findFirst({ where: { incidentId: incident.id, text: "Rollback started" } });
        if (e) return e;
        await sleep(50);
      }
      throw new Error("the pinned message never reached the timeline");
    })();
    expect(entry).toMatchObject({ actorId: h.users.dave.id, kind: "message" });
    expect(entry.at.getTime()).toBe(Math.round(Number(msg.ts) * 1000));
    expect(await h.db.processedRequest.count({ where: { key: "event:EvPIN1" } })).toBe(1);
    expect(await h.db.job.count({ where: { kind: "timeline.capture", payload: { path: ["ts"], equals: msg.ts } } })).toBe(1);
  });

  it("adds a message given a :pushpin: reaction once, fetching it from the channel", async () => {
    const msg = h.fake.ws.addMessage(incident.channel.id, h.users.bob.id, "DB CPU back to 30%");
    const event = (user: string) => ({ type: "reaction_added", user, reaction: "pushpin", item_user: h.users.bob.id, item: { type: "message", channel: incident.channel.id, ts: msg.ts }, event_ts: "1.3" });
    await h.slack.event(event(h.users.alice.id), { eventId: "EvREACT1" });
    await h.slack.event(event(h.users.carol.id), { eventId: "EvREACT2" });
    await h.slack.event({ ...event(h.users.dave.id), reaction: "thumbsup" }, { eventId: "EvREACT3" });
    for (let i = 0; i < 100 && (await h.db.timelineEntry.count({ where: { incidentId: incident.id, text: "DB CPU back to 30%" } })) === 0; i++) await sleep(50);
    await sleep(300);
    const entries = await h.db.timelineEntry.findMany({ where: { incidentId: incident.id, text: "DB CPU back to 30%" } });
    expect(entries).toHaveLength(1);
    expect(entries[0]?.actorId).toBe(h.users.bob.id);
  });

  it("ignores pins outside incident channels, and event types it does not handle", async () => {
    const msg = h.fake.ws.addMessage(h.general.id, h.users.dave.id, "Lunch?");
    await h.slack.event({ type: "pin_added", user: h.users.dave.id, channel_id: h.general.id, item: { type: "message", message: { ts: msg.ts, user: h.users.dave.id, text: msg.text } } }, { eventId: "EvPIN2" });
    expect((await h.slack.event({ type: "team_join", user: {} }, { eventId: "EvOTHER" })).status).toBe(200);
    await sleep(500);
    expect(await h.db.timelineEntry.count({ where: { text: "Lunch?" } })).toBe(0);
  });

  it("refuses events that are not signed by Slack", async () => {
    expect((await h.slack.event({ type: "pin_added" }, { signature: "v0=bad" })).status).toBe(401);
    expect((await h.slack.event({ type: "pin_added" }, { skewSeconds: -600 })).status).toBe(401);
  });

  it("answers Slack's URL verification challenge", async () => {
    const body = JSON.stringify({ token: "x", challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", type: "url_verification" });
    const res = await h.slack.post(body, "application/json");
    expect(res.json).toEqual({ challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" });
  });

  it("shows the recent timeline with dates in /incident info", async () => {
    const res = await h.slack.command("info", { user: h.users.alice.id, channel: incident.channel.id });
    const body = JSON.stringify(res.json);
    expect(body).toContain("*Recent timeline*");
    expect(body).toMatch(/<!date\^\d+\^\{date_short\} \{time\}\|\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC> — Rollback started/);
  });
});

describe("the App Home", () => {
  it("publishes open incidents when opened", async () => {
    await h.slack.event({ type: "app_home_opened", user: h.users.dave.id, channel: "D123", tab: "home" }, { eventId: "EvHOME1" });
    const view = await h.fake.waitFor(() => h.fake.ws.homeViews.get(h.users.dave.id), 5000, "the home view");
    expect(JSON.stringify(view.view)).toContain("Open incidents");
    expect(JSON.stringify(view.view)).toContain("Declare an incident");
  });
});
