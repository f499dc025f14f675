// Keeping the incident moving, end to end with second-scale cadences: reminders on time, updates
// restarting the clock, escalation to the announce channel, the Comms Lead nudge, severity changes
// re-planning, snoozing, and the timeline that writes itself.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FakeMessage } from "../../../src/local-slack/workspace.ts";
import { type Harness, startHarness } from "../../support/harness.ts";
import { clickButton, type DeclaredIncident, declareFast, flat, openingOf, replies } from "../../support/incidents.ts";
import { sleep, until } from "../../support/wait.ts";

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

const reminders = (inc: DeclaredIncident) => inc.channel.messages.filter((m) => m.text.includes("status update is due") || m.text.includes("overdue for a status update"));

async function declaredAt(inc: DeclaredIncident): Promise<number> {
  return (await h.db.incident.findUniqueOrThrow({ where: { id: inc.id } })).declaredAt.getTime();
}

describe("reminders", () => {
  it("remind on time, mentioning the IC, with Post update and Snooze buttons, and go on the timeline", async () => {
    const { incident } = await declareFast(h, "sev3 Reminder on time", h.users.alice);
    const reminder = await until(() => reminders(incident)[0], 8000, "the reminder");
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
    const reminder = await until(() => reminders(incident)[0], 8000, "the reminder");
    expect(Number(reminder.ts) * 1000).toBeGreaterThanOrEqual(updatedAt + 2900);
    expect(flat(reminder)).toContain("The last update was <!date^");
    const row = await h.db.incident.findUniqueOrThrow({ where: { id: incident.id } });
    expect(row.statusSummary).toBe("Rolled back the deploy; error rate falling");
    expect(row.lastUpdateAt?.getTime()).toBeGreaterThan((await declaredAt(incident)) + 1500);
  });

  it("escalate after a further cadence, louder, and to the announce channel", async () => {
    const { incident } = await declareFast(h, "sev3 Nobody updates", h.users.carol);
    const escalation = await until(() => incident.channel.messages.find((m) => m.text.includes("overdue for a status update")), 10_000, "the escalation");
    expect(Number(escalation.ts) * 1000 - (await declaredAt(incident))).toBeGreaterThanOrEqual(6000);
    expect(flat(escalation)).toContain("Stakeholders are waiting");
    const announced = await until(() => announce.messages.find((m) => m.text.includes(`INC-${incident.number} (SEV3 · Medium) has had no status update since`)), 5000, "the announcement");
    expect(announced.text).toContain(`Follow in <#${incident.channel.id}>`);
  });

  it("nudge a SEV1 with no Comms Lead after one cadence, and not one that has one", async () => {
    const { incident: lonely } = await declareFast(h, "sev1 No comms lead", h.users.dave);
    await until(() => lonely.channel.messages.find((m) => m.text.includes("has no Comms Lead")), 6000, "the nudge");
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
    const reminder = await until(() => reminders(incident)[0], 8000, "the reminder");
    // the reminder's own Snooze button, as posted
    const click = async () => (await clickButton(h, incident.channel, reminder, "warroom.snooze", h.users.bob)).responseUrl;
    await click();
    const row = await h.db.incident.findUniqueOrThrow({ where: { id: incident.id } });
    expect(row.snoozedUntil?.getTime()).toBeGreaterThan(Date.now() + 14 * 60 * 1000);
    expect(row.nextUpdateDueAt?.getTime()).toBe(row.snoozedUntil?.getTime());
    await until(() => incident.channel.messages.find((m) => m.text.includes("snoozed the update reminder")), 5000, "the snooze echo");
    expect(await h.db.timelineEntry.count({ where: { incidentId: incident.id, kind: "snoozed" } })).toBe(1);
    const before = reminders(incident).length;
    await sleep(3500);
    expect(reminders(incident)).toHaveLength(before);
    // the same button again: the plan it belongs to is gone
    expect((await replies(h, await click()))[0]).toContain("This reminder is out of date");
  });

  it("open the update form from the reminder's button, and post the update it is submitted with", async () => {
    const { incident } = await declareFast(h, "sev3 Update from the form", h.users.carol);
    const reminder = await until(() => reminders(incident)[0], 8000, "the reminder");
    // the reminder's own Post update button, as posted
    const { triggerId: trigger } = await clickButton(h, incident.channel, reminder, "warroom.post_update", h.users.carol);
    const opened = await until(() => h.fake.okCallsTo("views.open").find((c) => c.args.trigger_id === trigger), 5000, "the update form");
    const view = opened.response.view as Record<string, unknown>;
    expect((view.title as { text: string }).text).toBe(`Update INC-${incident.number}`);
    const res = await h.slack.interaction({
      type: "view_submission",
      user: { id: h.users.carol.id, team_id: h.fake.ws.teamId },
      team: { id: h.fake.ws.teamId },
      view: { ...view, state: { values: { status: { value: { type: "static_select", selected_option: { value: "identified" } } }, summary: { value: { type: "plain_text_input", value: "Found it: <!channel> bad config push" } } } } },
    });
    expect(res.status).toBe(200);
    const posted = await until(() => incident.channel.messages.find((m) => m.text.startsWith(`Update on INC-${incident.number}`)), 5000, "the update");
    expect(flat(posted)).toContain("*Identified*");
    expect(flat(posted)).toContain("Found it: &lt;!channel&gt; bad config push");
    expect(flat(posted)).not.toContain("<!channel>");
    expect((await h.db.incident.findUniqueOrThrow({ where: { id: incident.id } })).status).toBe("identified");
  });
});

describe("status updates and severity changes", () => {
  it("post a formatted update in the channel, and in the announce channel for severities that expect a Comms Lead", async () => {
    const { incident } = await declareFast(h, "sev2 Updates announced", h.users.alice);
    await h.slack.command("update Payments recovering in EU", { user: h.users.alice.id, channel: incident.channel.id });
    const posted = await until(() => incident.channel.messages.find((m) => m.text.startsWith(`Update on INC-${incident.number}`)), 5000, "the update");
    expect(flat(posted)).toContain("Payments recovering in EU");
    expect(flat(posted)).toContain(`Posted by <@${h.users.alice.id}>`);
    expect(flat(posted)).toContain("Next update due <!date^");
    await until(() => announce.messages.find((m) => m.text.includes(`INC-${incident.number} update (Investigating): Payments recovering in EU`)), 5000, "the announcement");
    expect(await h.db.statusUpdate.count({ where: { incidentId: incident.id } })).toBe(1);
  });

  it("do not announce updates for severities that do not expect a Comms Lead", async () => {
    const { incident } = await declareFast(h, "sev3 Quiet updates", h.users.alice);
    await h.slack.command("update Still digging", { user: h.users.alice.id, channel: incident.channel.id });
    await until(() => incident.channel.messages.find((m) => m.text.startsWith(`Update on INC-${incident.number}`)), 5000, "the update");
    await sleep(300);
    expect(announce.messages.some((m) => m.text.includes(`INC-${incident.number} update`))).toBe(false);
  });

  it("escalate with a reason: posted, announced, topic and opening message updated, reminders re-planned", async () => {
    const { incident } = await declareFast(h, "sev4 Grows into an outage", h.users.bob);
    await sleep(500);
    expect((await h.slack.command("sev 3", { user: h.users.bob.id, channel: incident.channel.id })).json?.text).toContain("Say why the severity changes");
    const res = await h.slack.command("sev 3 Error rate above 5% now", { user: h.users.bob.id, channel: incident.channel.id });
    expect(res.json?.text).toBe(`INC-${incident.number} is now SEV3 (was SEV4).`);
    await until(() => incident.channel.messages.find((m) => m.text.includes(`escalated INC-${incident.number} from SEV4 to SEV3 (Medium): Error rate above 5% now`)), 5000, "the post");
    await until(() => announce.messages.find((m) => m.text.includes(`INC-${incident.number} escalated from SEV4 to SEV3`)), 5000, "the announcement");
    await until(() => incident.channel.topic.startsWith(`INC-${incident.number} SEV3 Medium`), 5000, "the topic");
    await until(() => flat(openingOf(h, incident)).includes("*Severity:* SEV3 · Medium"), 5000, "the opening message");
    const entry = await h.db.timelineEntry.findFirstOrThrow({ where: { incidentId: incident.id, kind: "severity_changed" } });
    expect(entry.text).toBe(`<@${h.users.bob.id}> escalated SEV4 → SEV3: Error rate above 5% now`);
    // SEV3's 3-second cadence now applies, from the declaration
    await until(() => reminders(incident)[0], 8000, "the first reminder under SEV3");
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
