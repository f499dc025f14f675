// Who is told, by severity, end to end: a severity's notify list (people, a user group resolved
// through Slack, a channel) is invited and DMed when an incident is declared at it or escalated into
// it; channels are never told of a private incident; a person Slack will not invite is named once and
// the rest goes on; the notice is repeated, louder, once, when no person takes Incident Commander
// within respond_within.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { declare } from "../../../src/incidents/war-room/declare.ts";
import { type FakeSlack, startFakeSlack } from "../../../src/local-slack/server.ts";
import type { FakeConversation, FakeUser } from "../../../src/local-slack/workspace.ts";
import { type Harness, startHarness } from "../../support/harness.ts";
import { type DeclaredIncident, declareFast, says, waitUntilReady } from "../../support/incidents.ts";
import { sleep, until } from "../../support/wait.ts";

let fake: FakeSlack;
let h: Harness;
let dan: FakeUser;
let gina: FakeUser;
let hal: FakeUser;
let guest: FakeUser;
let gone: FakeUser;
let erin: FakeUser;
let leadership: FakeConversation;
let announce: FakeConversation;

beforeAll(async () => {
  fake = await startFakeSlack();
  dan = fake.ws.addUser("dan");
  gina = fake.ws.addUser("gina");
  hal = fake.ws.addUser("hal");
  guest = fake.ws.addUser("guest", { restricted: true });
  gone = fake.ws.addUser("gone", { deleted: true });
  erin = fake.ws.addUser("erin");
  const oncall = fake.ws.addUserGroup("oncall", [gina.id, hal.id, guest.id]);
  leadership = fake.ws.addChannel("leadership", { members: [fake.ws.botUserId] });
  announce = fake.ws.addChannel("incidents", {});
  h = await startHarness({
    fake,
    configYaml: `announce_channel: incidents
severities:
  - { id: SEV1, label: Critical, description: Down, cadence: PT30M, requires_ic: true, notify: [${oncall.id}, ${dan.id}, ${gone.id}, ${leadership.id}], respond_within: PT2S }
  - { id: SEV2, label: High, description: Degraded, cadence: PT1H, notify: [${erin.id}] }
  - { id: SEV3, label: Medium, description: Partial, cadence: PT4H }
`,
  });
});
afterAll(async () => {
  await h?.stop();
  await fake?.stop();
});

const dmsTo = (u: FakeUser, needle: string) => fake.ws.imWith(u.id).messages.filter((m) => m.text.includes(needle));

describe("declaring at a severity with a notify list", () => {
  let inc: DeclaredIncident;
  beforeAll(async () => {
    inc = (await declareFast(h, "sev1 Payments down", h.users.alice)).incident;
  });

  it("invites and DMs its people (a group's members included) once, with the title, severity, declarer and link", async () => {
    for (const u of [dan, gina, hal]) {
      await until(() => inc.channel.members.has(u.id), 8000, `${u.name} to be invited`);
      const dm = await until(() => dmsTo(u, `INC-${inc.number}`)[0], 8000, `${u.name}'s DM`);
      expect(dm.text).toBe(`:rotating_light: INC-${inc.number} · SEV1 (Critical): Payments down, declared by <@${h.users.alice.id}>. Join <#${inc.channel.id}>.`);
    }
    await sleep(300);
    for (const u of [dan, gina, hal]) expect(dmsTo(u, `INC-${inc.number}`)).toHaveLength(1);
  });

  it("tells its channels", async () => {
    const notice = await until(() => leadership.messages.find((m) => m.text.includes(`INC-${inc.number}`)), 8000, "the leadership channel");
    expect(notice.text).toContain("SEV1 (Critical): Payments down");
    expect(notice.text).toContain(`<#${inc.channel.id}>`);
  });

  it("names, once, each person Slack would not invite, and tells the rest", async () => {
    const guestNotice = await says(inc, `<@${guest.id}> is on the notify list but could not be invited`);
    expect(guestNotice.text).toContain("a guest or external person");
    const goneNotice = await says(inc, `<@${gone.id}> is on the notify list but could not be invited`);
    expect(goneNotice.text).toContain("deactivated");
    expect(inc.channel.members.has(guest.id)).toBe(false);
    expect(inc.channel.messages.filter((m) => m.text.includes(`<@${guest.id}> is on the notify list`))).toHaveLength(1);
  });

  it("records who was told on the timeline", async () => {
    const entry = await until(() => h.db.timelineEntry.findFirst({ where: { incidentId: inc.id, kind: "notified" } }), 8000, "the timeline entry");
    expect(entry.text).toContain(`<@${dan.id}>`);
    expect(entry.text).toContain(`<@${gina.id}>`);
    expect(entry.text).toContain(`<#${leadership.id}>`);
    expect(entry.text).toContain("the SEV1 notify list");
  });

  it("does not repeat the notice when a person holds Incident Commander after respond_within", async () => {
    await sleep(2500);
    expect(inc.channel.messages.some((m) => m.text.includes("still has no Incident Commander"))).toBe(false);
    expect(dmsTo(dan, "still has no Incident Commander")).toHaveLength(0);
  });
});

describe("a private incident", () => {
  it("invites and DMs the people on the list, and tells no channel", async () => {
    const cmd = await h.slack.command("declare", { user: h.users.carol.id, channel: h.general.id });
    const opened = await until(() => fake.okCallsTo("views.open").find((c) => c.args.trigger_id === cmd.triggerId), 5000, "the form");
    const view = opened.response.view as Record<string, unknown>;
    const values = {
      title: { value: { type: "plain_text_input", value: "Secrets in a public bucket" } },
      severity: { value: { type: "static_select", selected_option: { value: "SEV1" } } },
      commander: { value: { type: "users_select", selected_user: h.users.carol.id } },
      private: { value: { type: "checkboxes", selected_options: [{ value: "private" }] } },
    };
    await h.slack.interaction({ type: "view_submission", user: { id: h.users.carol.id, team_id: fake.ws.teamId }, team: { id: fake.ws.teamId }, view: { ...view, state: { values } } });
    const secret = await until(() => h.db.incident.findFirst({ where: { title: "Secrets in a public bucket" } }), 8000, "the private incident");
    const inc = await waitUntilReady(h, secret.id);
    expect(inc.channel.isPrivate).toBe(true);
    await until(() => dmsTo(dan, `INC-${inc.number}`)[0], 8000, "Dan's DM");
    await until(() => inc.channel.members.has(gina.id), 8000, "Gina invited");
    await sleep(500);
    expect(leadership.messages.some((m) => m.text.includes(`INC-${inc.number}`))).toBe(false);
    expect(announce.messages.some((m) => m.text.includes(`INC-${inc.number}`))).toBe(false);
  });
});

describe("escalating into a severity with a notify list", () => {
  it("tells that severity's people, with who escalated and why", async () => {
    const { incident: inc } = await declareFast(h, "sev3 Search slow", h.users.alice);
    await sleep(300);
    expect(dmsTo(erin, `INC-${inc.number}`)).toHaveLength(0);
    await h.slack.command("sev 2 Now timing out for everyone in the EU", { user: h.users.alice.id, channel: inc.channel.id });
    const dm = await until(() => dmsTo(erin, `INC-${inc.number}`)[0], 8000, "Erin's DM");
    expect(dm.text).toBe(`:rotating_light: INC-${inc.number} · SEV2 (High): Search slow, escalated to SEV2 by <@${h.users.alice.id}>: Now timing out for everyone in the EU. Join <#${inc.channel.id}>.`);
    await until(() => inc.channel.members.has(erin.id), 8000, "Erin invited");
  });
});

describe("no one taking Incident Commander within respond_within", () => {
  it("repeats the notice, louder, to the same people, its channels and the announce channel, once", async () => {
    // an incident the bot declared itself, with no IC (as from an alert)
    const r = await declare(h.bot.ctx, { teamId: fake.ws.teamId, userId: fake.ws.botUserId, icId: null, title: "Disk full on db-3", severity: "SEV1", isPrivate: false, declareKey: "test:no-ic" });
    const inc = await waitUntilReady(h, r.incident.id);
    const loud = await says(inc, "still has no Incident Commander after 2 seconds", 10_000);
    expect(loud.text.startsWith("<!here> :rotating_light::rotating_light:")).toBe(true);
    await until(() => dmsTo(dan, "still has no Incident Commander")[0], 8000, "Dan's repeat");
    await until(() => announce.messages.find((m) => m.text.includes(`INC-${inc.number}`) && m.text.includes("still has no Incident Commander")), 8000, "the announce channel");
    await until(() => leadership.messages.find((m) => m.text.includes(`INC-${inc.number}`) && m.text.includes("still has no Incident Commander")), 8000, "the leadership channel");
    await sleep(2500);
    expect(inc.channel.messages.filter((m) => m.text.includes("still has no Incident Commander"))).toHaveLength(1);
    expect(dmsTo(gina, "still has no Incident Commander")).toHaveLength(1);
  });
});
