// The timeline that writes itself (notes, pins, :pushpin: reactions, the message shortcut) and the
// App Home, end to end against the fake Slack.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../../support/harness.ts";
import { type DeclaredIncident, declareFast, replies } from "../../support/incidents.ts";
import { sleep, until } from "../../support/wait.ts";


let h: Harness;
beforeAll(async () => {
  h = await startHarness({ configYaml: "announce_channel: incidents\n" });
  h.fake.ws.addChannel("incidents", {});
});
afterAll(async () => {
  await h?.stop();
});

describe("the timeline", () => {
  let incident: DeclaredIncident;
  beforeAll(async () => {
    incident = (await declareFast(h, "sev4 Timeline", h.users.alice)).incident;
  });

  it("takes notes by command and echoes them in the channel", async () => {
    const res = await h.slack.command("note Suspect the 14:05 deploy of <@U0123ABC|bob>'s service &amp; the CDN", { user: h.users.alice.id, channel: incident.channel.id });
    expect(res.json?.text).toBe(`Added to the timeline of INC-${incident.number}.`);
    const echo = await until(() => incident.channel.messages.find((m) => m.text.startsWith(`Note from <@${h.users.alice.id}>`)), 5000, "the echo");
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
    await until(async () => (await h.db.timelineEntry.count({ where: { incidentId: incident.id, text: "DB CPU back to 30%" } })) > 0, 5000, "the reaction's timeline entry");
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
    const view = await until(() => h.fake.ws.homeViews.get(h.users.dave.id), 5000, "the home view");
    expect(JSON.stringify(view.view)).toContain("Open incidents");
    expect(JSON.stringify(view.view)).toContain("Declare an incident");
  });
});
