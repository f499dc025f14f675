// Resolving and learning end to end: resolve (the IC only), the resolution message, reminders stopping,
// the postmortem as a canvas or a file, re-drafting, reopen, the postmortem reminder, action items,
// closing and archiving, and templates that misbehave.

import { DateTime } from "luxon";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FakeMessage } from "../../../src/local-slack/workspace.ts";
import { type Harness, startHarness } from "../../support/harness.ts";
import { canvasOf, type DeclaredIncident, declareFast, FAST_SEVERITIES, flat, openingOf, replies, says } from "../../support/incidents.ts";
import { sleep, until } from "../../support/wait.ts";



let h: Harness;
let announce: { messages: FakeMessage[] };
beforeAll(async () => {
  h = await startHarness({ configYaml: `announce_channel: incidents\npostmortem_due: PT4S\narchive_after: PT2S\n${FAST_SEVERITIES}` });
  announce = h.fake.ws.addChannel("incidents", {});
});
afterAll(async () => {
  await h?.stop();
});

const run = (inc: DeclaredIncident, text: string, user = h.users.alice) => h.slack.command(text, { user: user.id, channel: inc.channel.id });



describe("resolving", () => {
  let inc: DeclaredIncident;
  beforeAll(async () => {
    inc = (await declareFast(h, "sev2 Checkout errors spiking", h.users.alice)).incident;
    await run(inc, `role tech <@${h.users.bob.id}>`);
    await run(inc, "note Rolled back deploy 4812", h.users.bob);
    await run(inc, "update Error rate falling after the rollback");
    await run(inc, `action Add an error-budget alert on checkout <@${h.users.bob.id}> due 2026-12-01 P1`);
  });

  it("is refused for anyone but the IC, who is named", async () => {
    const res = await run(inc, "resolve It works now", h.users.carol);
    expect(res.json?.text).toContain(`Only the Incident Commander (<@${h.users.alice.id}>) can resolve INC-${inc.number}`);
    expect((await h.db.incident.findUniqueOrThrow({ where: { id: inc.id } })).status).toBe("investigating");
  });

  it("posts the resolution message, updates topic, opening message and announce channel, and stops the reminders", async () => {
    const res = await run(inc, "resolve Rolled back the bad deploy; error rate at baseline for 30 minutes");
    expect(res.json?.text).toBe(`INC-${inc.number} is resolved. Reminders stopped; the postmortem draft is on its way.`);
    const row = await h.db.incident.findUniqueOrThrow({ where: { id: inc.id } });
    expect(row).toMatchObject({ status: "resolved", nextUpdateDueAt: null, statusSummary: "Rolled back the bad deploy; error rate at baseline for 30 minutes" });
    const message = await says(inc, `INC-${inc.number} resolved: Checkout errors spiking`);
    expect(flat(message)).toContain("*What happened:* Rolled back the bad deploy; error rate at baseline for 30 minutes");
    expect(flat(message)).toMatch(/\*Duration:\* (less than a minute|\d+ (second|minute)s?)/);
    expect(flat(message)).toContain("*Impact:*");
    await until(() => inc.channel.topic.includes("· Resolved ·"), 5000, "the topic");
    await until(() => flat(openingOf(h, inc)).includes("*Current status:* Resolved"), 5000, "the opening message");
    await until(() => announce.messages.find((m) => m.text.includes(`INC-${inc.number} resolved`)), 5000, "the announcement");
    expect(await h.db.job.count({ where: { incidentId: inc.id, kind: { startsWith: "reminder." }, status: "pending" } })).toBe(0);
    const reminders = () => inc.channel.messages.filter((m) => m.text.includes("status update is due") || m.text.includes("overdue for a status update")).length;
    const before = reminders();
    await sleep(2500);
    expect(reminders()).toBe(before);
  });

  it("publishes a canvas with the title, every timeline entry and the action items", async () => {
    const canvas = await canvasOf(h, inc);
    expect(canvas.title).toBe(`Postmortem: INC-${inc.number} Checkout errors spiking`);
    const md = canvas.markdown;
    expect(md).toContain("# Postmortem: Checkout errors spiking");
    expect(md).toContain("**Severity:** SEV2 (High)");
    // checklist ticks are in the postmortem's checklist section, not its timeline
    for (const entry of await h.db.timelineEntry.findMany({ where: { incidentId: inc.id, kind: { not: "checklist" } } })) {
      expect(md).toContain(entry.text.replace(/<@([A-Z0-9]+)>/g, (_m, id: string) => `@${h.fake.ws.users.get(id)?.name ?? id}`).replace(/&amp;/g, "&"));
    }
    expect(md).toContain("| 1 | Add an error-budget alert on checkout | @bob | 2026-12-01 | P1 | open |");
    expect(md).toContain("- **Tech Lead:** @bob");
    expect(md).toContain("## Five whys");
    const stored = await h.db.postmortem.findUniqueOrThrow({ where: { incidentId: inc.id } });
    expect(stored).toMatchObject({ markdown: md, canvasId: canvas.id, status: "draft" });
    const ready = await says(inc, "The postmortem draft for");
    expect(flat(ready)).toContain("Mark postmortem done");
  });

  it("changes nothing on a second resolve", async () => {
    const again = await run(inc, "resolve Again");
    expect(again.json?.text).toContain(`INC-${inc.number} is already *Resolved*`);
    await sleep(300);
    expect(inc.channel.messages.filter((m) => m.text.includes(`INC-${inc.number} resolved:`))).toHaveLength(1);
  });

  it("re-drafts on /incident postmortem, editing the same canvas", async () => {
    await run(inc, "note Follow-up: the canary did not catch it", h.users.bob);
    const canvas = await canvasOf(h, inc);
    const edits = canvas.edits;
    expect((await run(inc, "postmortem")).json?.text).toContain("Re-drafting the postmortem");
    await until(() => canvas.edits > edits && canvas.markdown.includes("the canary did not catch it"), 8000, "the redraft");
    expect(h.fake.ws.canvases.size).toBeGreaterThan(0);
    expect([...h.fake.ws.canvases.values()].filter((c) => c.channelId === inc.channel.id)).toHaveLength(1);
  });

  it("reminds the team to hold the postmortem before it is due", async () => {
    // due 2 s and 4 s after the resolve; a full run on two cores can hold a job back for seconds
    await says(inc, `The postmortem of INC-${inc.number} is due`, 20_000);
    await says(inc, `The postmortem of INC-${inc.number} was due`, 20_000);
  });

  it("reopens (the IC only), resumes the reminders, and resolves again", async () => {
    expect((await run(inc, "reopen Errors are back", h.users.carol)).json?.text).toContain("Only the Incident Commander");
    const res = await run(inc, "reopen Errors are back in the EU");
    expect(res.json?.text).toBe(`INC-${inc.number} is reopened; the update reminders resume.`);
    await says(inc, `reopened INC-${inc.number}: Errors are back in the EU`);
    await until(() => inc.channel.messages.find((m) => m.text.includes(`A status update is due for INC-${inc.number}`) && Number(m.ts) * 1000 > Date.now() - 5000), 6000, "a reminder after the reopen");
    await run(inc, "resolve Second rollback held");
    expect((await h.db.incident.findUniqueOrThrow({ where: { id: inc.id } })).status).toBe("resolved");
    await until(() => inc.channel.messages.filter((m) => m.text.includes(`INC-${inc.number} resolved:`)).length === 2, 5000, "the second resolution message");
    expect(await h.db.timelineEntry.count({ where: { incidentId: inc.id, kind: "reopened" } })).toBe(1);
  });

  it("closes when the postmortem is marked done, then archives the channel", async () => {
    expect((await run(inc, "close", h.users.bob)).json?.text).toContain("Only the Incident Commander");
    const message = await says(inc, "The postmortem draft for");
    const button = (message.blocks as { type: string; elements?: Record<string, unknown>[] }[]).find((b) => b.type === "actions")?.elements?.[0];
    const responseUrl = h.fake.responseUrl();
    await h.slack.interaction({
      type: "block_actions",
      user: { id: h.users.alice.id, team_id: h.fake.ws.teamId },
      team: { id: h.fake.ws.teamId },
      trigger_id: h.fake.ws.newTrigger(h.users.alice.id),
      channel: { id: inc.channel.id },
      response_url: responseUrl,
      actions: [{ action_id: button?.action_id, value: button?.value, type: "button" }],
    });
    expect(await replies(h, responseUrl)).toEqual([`INC-${inc.number} is closed. Thank you.`]);
    const row = await h.db.incident.findUniqueOrThrow({ where: { id: inc.id }, include: { postmortem: true } });
    expect(row.status).toBe("closed");
    expect(row.postmortem).toMatchObject({ status: "done", doneBy: h.users.alice.id });
    await says(inc, "closed INC-");
    await until(() => inc.channel.isArchived, 20_000, "the archive");
    expect((await run(inc, "resolve again")).json?.text).toMatch(/is \*Closed\*/);
  });
});

describe("the resolve form", () => {
  it("opens for the IC, and resolves with a root cause", async () => {
    const inc = (await declareFast(h, "sev3 Form resolve", h.users.carol)).incident;
    expect((await run(inc, "resolve", h.users.dave)).json?.text).toContain("Only the Incident Commander");
    const cmd = await run(inc, "resolve", h.users.carol);
    const opened = await until(() => h.fake.okCallsTo("views.open").find((c) => c.args.trigger_id === cmd.triggerId), 5000, "the form");
    const view = opened.response.view as Record<string, unknown>;
    const empty = await h.slack.interaction({ type: "view_submission", user: { id: h.users.carol.id }, view: { ...view, state: { values: { summary: { value: { type: "plain_text_input", value: "  " } }, root_cause: { value: { type: "plain_text_input", value: null } } } } } });
    expect(empty.json?.response_action).toBe("errors");
    await h.slack.interaction({
      type: "view_submission",
      user: { id: h.users.carol.id },
      view: { ...view, state: { values: { summary: { value: { type: "plain_text_input", value: "Restarted the queue workers" } }, root_cause: { value: { type: "plain_text_input", value: "A deadlock in the retry handler under <load>" } } } } },
    });
    const canvas = await canvasOf(h, inc);
    expect(canvas.markdown).toContain("## Root cause\n\nA deadlock in the retry handler under <load>");
    expect((await h.db.incident.findUniqueOrThrow({ where: { id: inc.id } })).rootCause).toBe("A deadlock in the retry handler under &lt;load&gt;");
  });
});

describe("action items", () => {
  it("DMs the owner when one falls due, with a button that marks it done, once", async () => {
    const inc = (await declareFast(h, "sev3 Action items", h.users.alice)).incident;
    const yesterday = DateTime.utc().minus({ days: 1 }).toFormat("yyyy-MM-dd");
    const res = await run(inc, `action Fix the retry storm <@${h.users.dave.id}> due ${yesterday}`);
    expect(res.json?.text).toBe(`Action item #1 added to INC-${inc.number}.`);
    await says(inc, "Action item #1 for the");
    const dm = await until(() => h.fake.ws.imWith(h.users.dave.id).messages.find((m) => m.text.includes("Your action item #1")), 8000, "the due DM");
    const button = (dm.blocks as { type: string; elements?: Record<string, unknown>[] }[]).find((b) => b.type === "actions")?.elements?.[0];
    const click = async () => {
      const responseUrl = h.fake.responseUrl();
      await h.slack.interaction({ type: "block_actions", user: { id: h.users.dave.id }, trigger_id: "t", response_url: responseUrl, actions: [{ action_id: button?.action_id, value: button?.value, type: "button" }] });
      return replies(h, responseUrl);
    };
    expect(await click()).toEqual([`:white_check_mark: Action item #1 of INC-${inc.number} is done. Thank you.`]);
    expect(await click()).toEqual(["Action item #1 was already done."]);
    expect((await h.db.actionItem.findFirstOrThrow({ where: { incidentId: inc.id } })).status).toBe("done");
    expect(await h.db.timelineEntry.count({ where: { incidentId: inc.id, kind: "action_item" } })).toBe(2);
    const info = JSON.stringify((await run(inc, "info")).json);
    expect(info).toContain(":white_check_mark: #1 Fix the retry storm");
  });

  it("asks for an owner and a date, and refuses bad dates and unknown people", async () => {
    const inc = (await declareFast(h, "sev3 Action item mistakes", h.users.alice)).incident;
    expect((await run(inc, "action Write the runbook")).json?.text).toBe(`Action item #1 added to INC-${inc.number}. Give it an owner and a due date so it gets done.`);
    expect((await run(inc, "action Write the runbook due 2026-13-01")).json?.text).toContain('"2026-13-01" is not a date');
    expect((await run(inc, "action Write the runbook <@U0NOBODY>")).json?.text).toContain("Slack doesn't know <@U0NOBODY>");
    expect(await h.db.actionItem.count({ where: { incidentId: inc.id } })).toBe(1);
  });
});

describe("closing", () => {
  it("is refused before resolving, and nudges the IC daily while a resolved incident stays open", async () => {
    const inc = (await declareFast(h, "sev3 Left open", h.users.bob)).incident;
    expect((await run(inc, "close", h.users.bob)).json?.text).toContain("resolve it first");
    await run(inc, "resolve Fixed", h.users.bob);
    // a day passes: the nudge falls due
    await h.db.job.updateMany({ where: { incidentId: inc.id, kind: "incident.closure_nudge", status: "pending" }, data: { dueAt: new Date() } });
    h.bot.worker.kick();
    await until(() => h.fake.ws.imWith(h.users.bob.id).messages.find((m) => m.text.includes(`INC-${inc.number}`) && m.text.includes("is still open")), 8000, "the nudge");
    // and the next one is planned for the day after
    const tomorrow = new Date(Date.now() + 23 * 3600 * 1000);
    await until(async () => (await h.db.job.count({ where: { incidentId: inc.id, kind: "incident.closure_nudge", status: "pending", dueAt: { gt: tomorrow } } })) > 0, 5000, "the next nudge to be planned");
    expect(await h.db.job.count({ where: { incidentId: inc.id, kind: "incident.closure_nudge", status: "pending", dueAt: { gt: tomorrow } } })).toBe(1);
  });
});
