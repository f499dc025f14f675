// Roles and the incident-channel commands end to end: buttons, pickers, /incident role, handoff,
// takeover, double clicks, simultaneous claims on both PostgreSQL servers, status, info and list.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FakeUser } from "../../../src/local-slack/workspace.ts";
import { debianServer, embeddedServer } from "../../support/databases.ts";
import { type Harness, startHarness } from "../../support/harness.ts";
import { clickTake, type DeclaredIncident, declareFast, flat, openingOf, pickUser, replies } from "../../support/incidents.ts";
import { until } from "../../support/wait.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});


/** Waits until the opening message shows `needle` (the refresh job re-rendered it). */
async function openingShows(inc: DeclaredIncident, needle: string, harness = h): Promise<void> {
  await until(() => flat(openingOf(harness, inc)).includes(needle), 5000, `the opening message to show ${needle}`);
}

async function channelSays(inc: DeclaredIncident, needle: string): Promise<string> {
  const m = await until(() => inc.channel.messages.find((x) => x.text.includes(needle)), 5000, `the channel to say ${needle}`);
  return m.text;
}

async function dmSays(user: FakeUser, needle: string, harness = h): Promise<void> {
  await until(() => harness.fake.ws.imWith(user.id).messages.some((m) => flat(m).includes(needle)), 5000, `a DM to ${user.name} saying ${needle}`);
}

describe("taking roles with the opening message's buttons", () => {
  let inc: DeclaredIncident;
  beforeAll(async () => {
    inc = (await declareFast(h, "sev2 Role buttons", h.users.alice)).incident;
  });

  it.each([
    ["tech", "Tech Lead", "techLeadId"],
    ["comms", "Comms Lead", "commsLeadId"],
    ["scribe", "Scribe", "scribeId"],
  ] as const)("takes %s: recorded, re-rendered, echoed, invited, briefed, on the timeline", async (role, label, column) => {
    const taker = { tech: h.users.bob, comms: h.users.carol, scribe: h.users.dave }[role];
    const { res, responseUrl } = await clickTake(h, inc, role, taker);
    expect(res.status).toBe(200);
    const row = await h.db.incident.findUniqueOrThrow({ where: { id: inc.id } });
    expect(row[column]).toBe(taker.id);
    await openingShows(inc, `*${label}:* <@${taker.id}>`);
    expect(await channelSays(inc, `<@${taker.id}> took ${label}`)).toBe(`<@${taker.id}> took ${label}`);
    await until(() => inc.channel.members.has(taker.id), 5000, "the invitation");
    await dmSays(taker, `You are the ${label} of INC-${inc.number}`);
    const assignments = await h.db.roleAssignment.findMany({ where: { incidentId: inc.id, role } });
    expect(assignments).toEqual([expect.objectContaining({ userId: taker.id, endedAt: null })]);
    expect(await h.db.timelineEntry.count({ where: { incidentId: inc.id, text: `<@${taker.id}> took ${label}` } })).toBe(1);
    expect(await replies(h, responseUrl)).toEqual([]);
  });

  it("joins as a responder, once however often clicked", async () => {
    await clickTake(h, inc, "responder", h.users.carol);
    await openingShows(inc, `*Responders:* <@${h.users.carol.id}>`);
    const again = await clickTake(h, inc, "responder", h.users.carol);
    expect(await replies(h, again.responseUrl)).toEqual([`:warning: <@${h.users.carol.id}> is already a responder on INC-${inc.number}.`]);
    expect(await h.db.responder.count({ where: { incidentId: inc.id } })).toBe(1);
    expect(await channelSays(inc, "joined as a responder")).toBe(`<@${h.users.carol.id}> joined as a responder`);
  });

  it("refuses a held role and says who holds it", async () => {
    const { responseUrl } = await clickTake(h, inc, "tech", h.users.dave);
    expect((await replies(h, responseUrl))[0]).toBe(`:warning: <@${h.users.bob.id}> is already the Tech Lead of INC-${inc.number}. Ask them, or the Incident Commander, to reassign it (\`/incident role tech @someone\`).`);
    expect((await h.db.incident.findUniqueOrThrow({ where: { id: inc.id } })).techLeadId).toBe(h.users.bob.id);
  });

  it("changes nothing twice for a double click or a retried request", async () => {
    const fresh = (await declareFast(h, "sev3 Double click", h.users.alice)).incident;
    const [a, b] = await Promise.all([clickTake(h, fresh, "scribe", h.users.bob), clickTake(h, fresh, "scribe", h.users.bob)]);
    expect([a.res.status, b.res.status]).toEqual([200, 200]);
    expect(await h.db.roleAssignment.count({ where: { incidentId: fresh.id, role: "scribe" } })).toBe(1);
    expect([...(await replies(h, a.responseUrl)), ...(await replies(h, b.responseUrl))]).toEqual([`:warning: <@${h.users.bob.id}> is already the Scribe of INC-${fresh.number}.`]);
    await channelSays(fresh, "took Scribe");
    await new Promise((r) => setTimeout(r, 300));
    expect(fresh.channel.messages.filter((m) => m.text.includes("took Scribe"))).toHaveLength(1);
  });
});

describe("taking over as Incident Commander", () => {
  it("asks for confirmation in the button, then hands IC over, tells the previous IC and updates the topic", async () => {
    const inc = (await declareFast(h, "sev1 Takeover", h.users.alice)).incident;
    const button = (openingOf(h, inc).blocks as { type: string; elements?: Record<string, unknown>[] }[])
      .find((b) => b.type === "actions")
      ?.elements?.find((e) => String(e.action_id).endsWith(":ic"));
    expect(button?.text).toEqual({ type: "plain_text", text: "Take over IC" });
    expect(button?.confirm).toMatchObject({ title: { text: "Take over as Incident Commander?" } });

    const { responseUrl } = await clickTake(h, inc, "ic", h.users.bob);
    expect((await h.db.incident.findUniqueOrThrow({ where: { id: inc.id } })).icId).toBe(h.users.bob.id);
    expect(await replies(h, responseUrl)).toEqual([`You are now the Incident Commander of INC-${inc.number}; the previous IC has been told.`]);
    await dmSays(h.users.alice, `<@${h.users.bob.id}> took over as Incident Commander of INC-${inc.number} from you`);
    await dmSays(h.users.bob, `You are the Incident Commander of INC-${inc.number}`);
    await until(() => inc.channel.topic.includes("IC: bob"), 5000, "the topic");
    await channelSays(inc, `<@${h.users.bob.id}> took over as Incident Commander from <@${h.users.alice.id}>`);
    const ics = await h.db.roleAssignment.findMany({ where: { incidentId: inc.id, role: "ic" }, orderBy: { id: "asc" } });
    expect(ics.map((a) => [a.userId, a.endedAt === null])).toEqual([
      [h.users.alice.id, false],
      [h.users.bob.id, true],
    ]);
  });
});

describe.each([
  ["embedded PostgreSQL 18", embeddedServer],
  ["Debian PostgreSQL 15", debianServer],
])("simultaneous claims on %s", (_name, server) => {
  let hh: Harness;
  beforeAll(async () => {
    hh = await startHarness({ server: server() });
  });
  afterAll(async () => {
    await hh?.stop();
  });

  it("gives a free role to exactly one of many people clicking at the same instant; the others are told who holds it", async () => {
    const inc = (await declareFast(hh, "sev2 Race for Tech Lead", hh.users.alice)).incident;
    const people = [hh.users.bob, hh.users.carol, hh.users.dave, ...Array.from({ length: 5 }, (_, i) => hh.fake.ws.addUser(`racer${i}`))];
    const clicks = await Promise.all(people.map((p) => clickTake(hh, inc, "tech", p)));
    const row = await hh.db.incident.findUniqueOrThrow({ where: { id: inc.id } });
    const winner = row.techLeadId as string;
    expect(people.map((p) => p.id)).toContain(winner);
    expect(await hh.db.roleAssignment.count({ where: { incidentId: inc.id, role: "tech" } })).toBe(1);
    const told = (await Promise.all(clicks.map((c) => replies(hh, c.responseUrl)))).flat();
    expect(told).toHaveLength(people.length - 1);
    for (const t of told) expect(t).toContain(`<@${winner}> is already the Tech Lead of INC-${inc.number}`);
  });

  it("lets exactly one of several simultaneous IC takeovers win; the others are told who holds IC now", async () => {
    const inc = (await declareFast(hh, "sev1 Race for IC", hh.users.alice)).incident;
    const people = [hh.users.bob, hh.users.carol, hh.users.dave];
    const clicks = await Promise.all(people.map((p) => clickTake(hh, inc, "ic", p)));
    const row = await hh.db.incident.findUniqueOrThrow({ where: { id: inc.id } });
    const winner = row.icId as string;
    expect(people.map((p) => p.id)).toContain(winner);
    const ics = await hh.db.roleAssignment.findMany({ where: { incidentId: inc.id, role: "ic" } });
    expect(ics).toHaveLength(2);
    const refusals = (await Promise.all(clicks.map((c) => replies(hh, c.responseUrl)))).flat().filter((t) => t.startsWith(":warning:"));
    expect(refusals).toHaveLength(2);
    for (const t of refusals) expect(t).toContain(`changed since that message was shown: it is now <@${winner}>`);
  });
});

describe("assigning with the user pickers", () => {
  let inc: DeclaredIncident;
  beforeAll(async () => {
    inc = (await declareFast(h, "sev2 Pickers", h.users.alice)).incident;
  });

  it("assigns a role to the person picked, and replaces a holder", async () => {
    await pickUser(h, inc, "comms", h.users.alice, h.users.dave.id);
    await openingShows(inc, `*Comms Lead:* <@${h.users.dave.id}>`);
    await pickUser(h, inc, "comms", h.users.alice, h.users.carol.id);
    await openingShows(inc, `*Comms Lead:* <@${h.users.carol.id}>`);
    await channelSays(inc, `<@${h.users.alice.id}> made <@${h.users.carol.id}> Comms Lead (was <@${h.users.dave.id}>)`);
    await dmSays(h.users.carol, `You are the Comms Lead of INC-${inc.number}`);
  });

  it("adds responders", async () => {
    await pickUser(h, inc, "responder", h.users.bob, h.users.dave.id);
    await openingShows(inc, `*Responders:* <@${h.users.dave.id}>`);
  });

  it("refuses a bot, and IC for anyone but the IC", async () => {
    const bot = await pickUser(h, inc, "tech", h.users.bob, h.fake.ws.botUserId);
    expect(await replies(h, bot.responseUrl)).toEqual([":warning: I can't hold a role myself: pick a person."]);
    const ic = await pickUser(h, inc, "ic", h.users.bob, h.users.bob.id);
    expect((await replies(h, ic.responseUrl))[0]).toContain(`Only the Incident Commander (<@${h.users.alice.id}>) can hand IC to someone else`);
    expect((await h.db.incident.findUniqueOrThrow({ where: { id: inc.id } })).icId).toBe(h.users.alice.id);
  });
});

describe("/incident role, handoff, status, info and list", () => {
  let inc: DeclaredIncident;
  beforeAll(async () => {
    inc = (await declareFast(h, "sev2 Commands", h.users.alice)).incident;
  });
  const run = (text: string, user: FakeUser = h.users.alice, channel = () => inc.channel.id) => h.slack.command(text, { user: user.id, channel: channel() });

  it("assigns with /incident role", async () => {
    const res = await run(`role tech <@${h.users.carol.id}|carol>`, h.users.bob);
    expect(res.json?.text).toBe(`<@${h.users.carol.id}> is now the Tech Lead of INC-${inc.number}.`);
    expect((await h.db.incident.findUniqueOrThrow({ where: { id: inc.id } })).techLeadId).toBe(h.users.carol.id);
    await openingShows(inc, `*Tech Lead:* <@${h.users.carol.id}>`);
  });

  it("refuses unknown people and roles clearly", async () => {
    expect((await run("role tech <@U0NOSUCH>")).json?.text).toContain("Slack doesn't know <@U0NOSUCH>");
    expect((await run("role boss <@U0NOSUCH>")).json?.text).toContain('"boss" is not a role');
  });

  it("hands IC on only from the IC, with the status summary", async () => {
    const refused = await run(`handoff <@${h.users.dave.id}>`, h.users.bob);
    expect(refused.json?.text).toContain(`Only the Incident Commander (<@${h.users.alice.id}>) can hand IC to someone else`);
    const ok = await run(`handoff <@${h.users.bob.id}> DB failover done, watching replication lag`);
    expect(ok.json?.text).toBe(`You handed Incident Commander of INC-${inc.number} to <@${h.users.bob.id}>.`);
    await channelSays(inc, `<@${h.users.alice.id}> handed Incident Commander to <@${h.users.bob.id}>: DB failover done, watching replication lag`);
    await dmSays(h.users.bob, `You are the Incident Commander of INC-${inc.number}`);
    await until(() => inc.channel.topic.includes("IC: bob"), 5000, "the topic");
    const row = await h.db.incident.findUniqueOrThrow({ where: { id: inc.id } });
    expect(row).toMatchObject({ icId: h.users.bob.id, statusSummary: "DB failover done, watching replication lag" });
    // /incident role ic by the (new) IC is a handoff too
    const back = await run(`role ic <@${h.users.alice.id}>`, h.users.bob);
    expect(back.json?.text).toBe(`<@${h.users.alice.id}> is now the Incident Commander of INC-${inc.number}.`);
  });

  it("moves the status forward, refuses going back, and names the current state", async () => {
    const ok = await run("status identified", h.users.dave);
    expect(ok.json?.text).toBe(`INC-${inc.number} is now *identified*.`);
    await openingShows(inc, "*Current status:* Identified");
    await channelSays(inc, "Status: Investigating → Identified");
    await until(() => inc.channel.topic.includes("· Identified ·"), 5000, "the topic");
    expect((await run("status identified")).json?.text).toContain(`INC-${inc.number} is already *Identified*.`);
    expect((await run("status investigating")).json?.text).toContain(`INC-${inc.number} is *Identified*; it can't go back to *Investigating*`);
    await run("status monitoring");
    expect((await h.db.incident.findUniqueOrThrow({ where: { id: inc.id } })).status).toBe("monitoring");
    expect(await h.db.timelineEntry.count({ where: { incidentId: inc.id, kind: "status_changed" } })).toBe(2);
  });

  it("summarises the incident with /incident info, ephemerally", async () => {
    const res = await run("info", h.users.carol);
    expect(res.json?.response_type).toBe("ephemeral");
    const body = JSON.stringify(res.json);
    expect(body).toContain(`INC-${inc.number} · Commands`);
    expect(body).toContain("SEV2 · High");
    expect(body).toContain("*Status:* Monitoring (mitigated)");
    expect(body).toContain("*Age:*");
    expect(body).toContain("*Next update due:* <!date^");
    expect(body).toContain(`*Tech Lead:* <@${h.users.carol.id}>`);
  });

  it("lists open incidents with their channels, hiding private ones from outsiders", async () => {
    const res = await h.slack.command("list", { user: h.users.dave.id, channel: h.general.id });
    const body = JSON.stringify(res.json);
    expect(body).toContain(`*INC-${inc.number}* SEV2 · Monitoring (mitigated) · Commands · <#${inc.channel.id}>`);
    const secret = (await declareFast(h, "sev1 Secret", h.users.alice)).incident;
    await h.db.incident.update({ where: { id: secret.id }, data: { isPrivate: true } });
    expect(JSON.stringify((await h.slack.command("list", { user: h.users.dave.id, channel: h.general.id })).json)).not.toContain("Secret");
    expect(JSON.stringify((await h.slack.command("list", { user: h.users.alice.id, channel: h.general.id })).json)).toContain("Secret");
  });

  it.each(["status identified", "role tech <@U0ANYONE>", "handoff <@U0ANYONE>", "info"])("refuses %j outside an incident channel, saying where it works", async (cmd) => {
    const res = await h.slack.command(cmd, { user: h.users.alice.id, channel: h.general.id });
    expect(res.json?.response_type).toBe("ephemeral");
    expect(res.json?.text).toMatch(/^`\/incident \w+` works inside an incident channel, and this channel is not one\./);
    expect(res.json?.text).toContain("`/incident list` shows the open incidents");
  });
});
