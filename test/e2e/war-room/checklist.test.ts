// The live checklist end to end: posted and pinned at declaration, ticked by people (on the timeline,
// with who and when) and by the bot as things happen (each key once), "n of m done", re-posted on
// /incident checklist, a team's template (a long phase split, a broken one falling back with its
// line named), and its state in the postmortem.

import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../../support/harness.ts";
import { canvasOf, checklistOf, clickChecklist, type DeclaredIncident, declareFast, flat, replies, says } from "../../support/incidents.ts";
import { sleep, until } from "../../support/wait.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ configYaml: "announce_channel: incidents\n" });
  h.fake.ws.addChannel("incidents", {});
});
afterAll(async () => {
  await h?.stop();
});

const progressOf = (inc: DeclaredIncident) => /\*(\d+) of (\d+) done\*/.exec(flat(checklistOf(inc) ?? { text: "" }))?.slice(1).map(Number);
const untilDone = (inc: DeclaredIncident, n: number) => until(() => progressOf(inc)?.[0] === n, 8000, `the checklist to show ${n} done`);
const autoTicks = async (inc: DeclaredIncident) =>
  (await h.db.timelineEntry.findMany({ where: { incidentId: inc.id, kind: "checklist", actorId: null }, orderBy: { id: "asc" } })).map((e) => (e.data as { auto: string }).auto);

describe("the checklist of an incident", () => {
  let inc: DeclaredIncident;
  beforeAll(async () => {
    inc = (await declareFast(h, "sev2 Checkout errors", h.users.alice)).incident;
    await until(() => checklistOf(inc), 8000, "the checklist message");
  });

  it("is posted and pinned at declaration, with what already happened ticked by the bot", async () => {
    const message = checklistOf(inc);
    await until(() => message && inc.channel.pins.has(message.ts), 5000, "the checklist to be pinned");
    // declared (two items), the channel, the Incident Commander
    await untilDone(inc, 4);
    expect(progressOf(inc)).toEqual([4, 24]);
    const text = flat(checklistOf(inc) ?? { text: "" });
    for (const phase of ["Detection", "Mobilization", "Investigation", "Mitigation", "Resolution", "Postmortem"]) expect(text).toContain(`*${phase}*`);
    expect(text).toContain("Warroom · <!date^");
    expect(await autoTicks(inc)).toEqual(["declared", "declared", "ic_assigned", "channel_created"]);
  });

  it("is ticked and unticked by anyone, each on the timeline with who and when", async () => {
    await clickChecklist(h, inc, "Assess initial impact", h.users.bob);
    await untilDone(inc, 5);
    expect(flat(checklistOf(inc) ?? { text: "" })).toContain(`<@${h.users.bob.id}> · <!date^`);
    const ticked = await h.db.timelineEntry.findFirst({ where: { incidentId: inc.id, kind: "checklist", actorId: h.users.bob.id } });
    expect(ticked?.text).toBe(`<@${h.users.bob.id}> ticked “Assess initial impact (users affected, systems involved)” on the checklist`);
    await clickChecklist(h, inc, "Assess initial impact", h.users.carol);
    await untilDone(inc, 4);
    expect(await h.db.timelineEntry.count({ where: { incidentId: inc.id, kind: "checklist", actorId: h.users.carol.id, text: { contains: "unticked" } } })).toBe(1);
  });

  it("counts both when two people tick different items of a phase at the same instant", async () => {
    const seen = checklistOf(inc);
    await Promise.all([clickChecklist(h, inc, "Tech Lead coordinates", h.users.bob, seen), clickChecklist(h, inc, "Responders investigate", h.users.carol, seen)]);
    await untilDone(inc, 6);
    const rows = await h.db.checklistItem.findMany({ where: { incidentId: inc.id, phase: "Investigation", doneAt: { not: null } } });
    expect(new Set(rows.map((r) => r.doneBy))).toEqual(new Set([h.users.bob.id, h.users.carol.id]));
  });

  it("changes nothing when Slack delivers the same click twice", async () => {
    const before = await h.db.timelineEntry.count({ where: { incidentId: inc.id, kind: "checklist" } });
    const seen = checklistOf(inc);
    const click = await clickChecklist(h, inc, "Scribe/IC maintains", h.users.dave, seen);
    expect(click.res.status).toBe(200);
    // the same delivery again (a retry): same trigger, same click
    expect((await h.slack.interaction(click.payload, { headers: { "x-slack-retry-num": "1" } })).status).toBe(200);
    await untilDone(inc, 7);
    await sleep(300);
    expect(await h.db.timelineEntry.count({ where: { incidentId: inc.id, kind: "checklist" } })).toBe(before + 1);
  });

  it("ticks items by itself as their events happen, each once", async () => {
    const run = (text: string, user = h.users.alice) => h.slack.command(text, { user: user.id, channel: inc.channel.id });
    await run(`role tech <@${h.users.bob.id}>`);
    await run(`role comms <@${h.users.carol.id}>`);
    await run("update Rolled back the deploy");
    await run("update Error rate falling");
    await run("action Add a canary for checkout <@U0NOBODY>");
    await run(`action Add a canary for checkout <@${h.users.bob.id}> due 2026-12-31`);
    await until(async () => (await autoTicks(inc)).includes("announced_update"), 8000, "the announced update's tick");
    await run("resolve Rolled back");
    await until(async () => (await autoTicks(inc)).includes("postmortem_drafted"), 15_000, "the postmortem's tick");
    await run("close");
    await until(async () => (await autoTicks(inc)).includes("closed"), 8000, "the close's tick");
    await sleep(300);
    const keys = await autoTicks(inc);
    expect(keys.filter((k) => k === "first_update")).toHaveLength(1);
    expect(new Set(keys)).toEqual(new Set(["declared", "ic_assigned", "channel_created", "roles_assigned", "first_update", "announced_update", "action_items", "resolved", "postmortem_drafted", "closed"]));
    // every key's items, each ticked once (two items share "declared", two "postmortem_drafted")
    expect(keys).toHaveLength(12);
    const done = await h.db.checklistItem.findMany({ where: { incidentId: inc.id, autoKey: { not: null }, doneAt: null } });
    expect(done.map((d) => d.autoKey)).toEqual(["status_page"]);
  });

  it("shows in the postmortem, with who ticked each item", async () => {
    const canvas = await canvasOf(h, inc);
    await until(() => canvas.markdown.includes("## Checklist"), 8000, "the checklist in the postmortem");
    expect(canvas.markdown).toMatch(/- \[x\] Acknowledge alert or report \(Warroom, \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC\)/);
    expect(canvas.markdown).toContain("- [x] Tech Lead coordinates debugging (@bob,");
    expect(canvas.markdown).toContain("- [ ] Hold blameless postmortem meeting");
    expect(canvas.markdown).toMatch(/\d+ of 24 done\./);
  });
});

describe("/incident checklist", () => {
  it("posts the checklist again as it stands, pinned; the old message points to the new one", async () => {
    const { incident: inc } = await declareFast(h, "sev3 Queue backlog", h.users.bob);
    const first = await until(() => checklistOf(inc), 8000, "the checklist");
    await untilDone(inc, 4);
    const res = await h.slack.command("checklist", { user: h.users.carol.id, channel: inc.channel.id });
    expect(res.json?.text).toBe(`Posting the checklist of INC-${inc.number} again: 4 of 24 done.`);
    const second = await until(() => (checklistOf(inc)?.ts !== first.ts ? checklistOf(inc) : undefined), 8000, "the new checklist");
    await until(() => inc.channel.pins.has(second.ts) && !inc.channel.pins.has(first.ts), 8000, "the pins to move");
    await until(() => inc.channel.messages.find((m) => m.ts === first.ts)?.text.includes("moved to"), 8000, "the old checklist to point to the new one");
    // a tick on the new one is shown there
    await clickChecklist(h, inc, "Assess initial impact", h.users.carol);
    await untilDone(inc, 5);
    expect((await replies(h, (await h.slack.command("checklist now", { user: h.users.carol.id, channel: inc.channel.id })).responseUrl)).join("")).toBe("");
  });

  it("works only in an incident channel", async () => {
    const res = await h.slack.command("checklist", { user: h.users.carol.id, channel: h.general.id });
    expect(res.json?.text).toContain("works inside an incident channel");
  });
});

describe("a team's own checklist template", () => {
  let t: Harness;
  let dir: string;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "warroom-checklist-"));
    t = await startHarness({ configYaml: `templates_dir: ${dir}\n` });
  });
  afterAll(async () => {
    await t?.stop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it("is used, a phase of more than 10 items shown in pieces of 10", async () => {
    const long = Array.from({ length: 12 }, (_, i) => `- [ ] Step ${i + 1}`).join("\n");
    await fs.writeFile(path.join(dir, "checklist.md"), `# Ours\n### Triage\n- [ ] Page the owner <!-- auto: declared -->\n### Fix\n${long}\n`);
    const { incident: inc } = await declareFast(t, "sev3 Our checklist", t.users.alice);
    const message = await until(() => checklistOf(inc), 8000, "the checklist");
    const text = flat(message);
    expect(text).toContain("*Triage*");
    expect(text).toContain("*Fix* (1 of 2)");
    expect(text).toContain("*Fix* (2 of 2)");
    await until(() => /\*1 of 13 done\*/.test(flat(checklistOf(inc) ?? { text: "" })), 8000, "1 of 13 done");
  });

  it("falls back to the built-in one when it is broken, and the channel is told the line", async () => {
    await fs.writeFile(path.join(dir, "checklist.md"), "### Triage\n- [ ] Page the owner <!-- auto: coffee -->\n");
    const { incident: inc } = await declareFast(t, "sev3 Broken checklist", t.users.alice);
    const notice = await says(inc, "Your checklist template failed");
    expect(notice.text).toContain(`${path.join(dir, "checklist.md")}, line 2: unknown auto key "coffee"`);
    expect(notice.text).toContain("uses the built-in checklist");
    await until(() => /of 24 done/.test(flat(checklistOf(inc) ?? { text: "" })), 8000, "the built-in checklist");
  });
});
