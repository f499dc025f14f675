// Hostile and broken input (issue 6): requests not signed by Slack, oversized and malformed bodies,
// unknown action ids and forms, text built to break things, unknown people and channels, and people
// doing what only the Incident Commander may. Each gets a clear refusal and changes nothing.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../../support/harness.ts";
import { declareFast, flat, openingOf } from "../../support/incidents.ts";
import { sign, type SignOptions } from "../../../src/local-slack/deliver.ts";
import { sleep, until } from "../../support/wait.ts";
import { changesNothing } from "../../support/footprint.ts";


let h: Harness;
beforeAll(async () => {
  h = await startHarness({ configYaml: "announce_channel: incidents\n" });
  h.fake.ws.addChannel("incidents", {});
});
afterAll(async () => {
  await h?.stop();
});


describe("requests not signed by Slack", () => {
  const bodies = {
    "a slash command": () => ({
      type: "application/x-www-form-urlencoded",
      body: new URLSearchParams({ command: "/incident", text: "declare sev1 Forged", user_id: h.users.alice.id, channel_id: h.general.id, team_id: h.fake.ws.teamId, trigger_id: h.fake.ws.newTrigger(h.users.alice.id), response_url: h.fake.responseUrl() }).toString(),
    }),
    "a button click": () => ({
      type: "application/x-www-form-urlencoded",
      body: new URLSearchParams({ payload: JSON.stringify({ type: "block_actions", user: { id: h.users.alice.id }, team: { id: h.fake.ws.teamId }, trigger_id: "1.2.3", actions: [{ action_id: "warroom.home.declare", type: "button" }] }) }).toString(),
    }),
    "an event": () => ({
      type: "application/json",
      body: JSON.stringify({ type: "event_callback", team_id: h.fake.ws.teamId, event_id: `EvForged${Date.now()}`, event: { type: "app_home_opened", user: h.users.alice.id, tab: "home" } }),
    }),
  };
  const tampering: [string, SignOptions][] = [
    ["no signature", { signature: "" }],
    ["a wrong signature", { signature: `v0=${"0".repeat(64)}` }],
    ["a signature that is not v0", { signature: "v1=abc" }],
    ["another secret", { secret: "not-the-signing-secret" }],
    ["a timestamp 6 minutes old", { skewSeconds: -360 }],
    ["a timestamp 6 minutes ahead", { skewSeconds: 360 }],
    ["a timestamp that is not a number", { headers: { "x-slack-request-timestamp": "yesterday" } }],
  ];
  for (const [what, make] of Object.entries(bodies)) {
    it.each(tampering)(`refuse ${what} with %s: 401, nothing changes`, async (_t, opts) => {
      await changesNothing(h, async () => {
        const { type, body } = make();
        const res = await h.slack.post(body, type, opts);
        expect(res.status).toBe(401);
      });
    });

    it(`refuse ${what} whose signature covers other bytes`, async () => {
      await changesNothing(h, async () => {
        const { type, body } = make();
        const ts = Math.floor(Date.now() / 1000);
        const res = await h.slack.post(`${body} `, type, { signature: sign(h.slack.signingSecret, ts, body) });
        expect(res.status).toBe(401);
      });
    });
  }
});

describe("oversized and malformed bodies", () => {
  it.each([
    ["a form", "application/x-www-form-urlencoded", () => `command=%2Fincident&text=${"a".repeat(1_100_000)}`],
    ["JSON", "application/json", () => JSON.stringify({ type: "event_callback", event_id: "EvHuge", event: { type: "reaction_added", padding: "x".repeat(1_100_000) } })],
  ])("refuse a signed body over 1 MB (%s) with 413", async (_what, type, body) => {
    await changesNothing(h, async () => {
      const res = await h.slack.post(body(), type);
      expect(res.status).toBe(413);
    });
  });

  it("refuse a signed interaction whose payload is not JSON, without a crash", async () => {
    await changesNothing(h, async () => {
      const res = await h.slack.post(new URLSearchParams({ payload: "{not json" }).toString(), "application/x-www-form-urlencoded");
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    });
    expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
  });

  it("refuse a signed event body that is not JSON", async () => {
    await changesNothing(h, async () => {
      const res = await h.slack.post("{not json", "application/json");
      expect(res.status).toBe(400);
    });
  });

  it.each([
    ["an event with no event", { type: "event_callback", event_id: "EvEmpty", team_id: "T1" }],
    ["an event with no id", { type: "event_callback", event: { type: "reaction_added", user: "U1", reaction: "pushpin", item: { type: "message", channel: "C1", ts: "1.1" } } }],
    ["a reaction with no item", { type: "event_callback", event_id: "EvNoItem", event: { type: "reaction_added", user: "U1", reaction: "pushpin" } }],
    ["an array", [1, 2, 3]],
  ])("acknowledge %s and ignore it", async (_what, payload) => {
    await changesNothing(h, async () => {
      const res = await h.slack.post(JSON.stringify(payload), "application/json");
      expect(res.status).toBe(200);
    });
  });

  it.each([
    ["an unknown action id", { type: "block_actions", user: { id: "U1" }, team: { id: "T1" }, trigger_id: "1.2.3", actions: [{ action_id: "evil.action", block_id: "b", type: "button", value: "x" }] }],
    ["an action id that only starts like ours", { type: "block_actions", user: { id: "U1" }, team: { id: "T1" }, trigger_id: "1.2.3", actions: [{ action_id: "warroom.take:tech", block_id: "b", type: "button", value: "DROP TABLE incidents" }] }],
    ["a button with no actions", { type: "block_actions", user: { id: "U1" }, team: { id: "T1" }, trigger_id: "1.2.3", actions: [] }],
    ["a form no one opened", { type: "view_submission", user: { id: "U1" }, team: { id: "T1" }, view: { id: "V1", callback_id: "evil.form", private_metadata: "", state: { values: {} } } }],
    ["a shortcut we do not have", { type: "message_action", callback_id: "evil.shortcut", user: { id: "U1" }, team: { id: "T1" }, channel: { id: "C1" }, message: { ts: "1.1", text: "x" }, trigger_id: "1.2.3", response_url: "" }],
  ])("acknowledge %s at once and change nothing", async (_what, payload) => {
    await changesNothing(h, async () => {
      const res = await h.slack.interaction(payload);
      expect(res.status).toBe(200);
      expect(res.ms).toBeLessThan(1500);
    });
  });

  it("refuse an interaction of a type Slack's framework cannot route, and change nothing", async () => {
    // Bolt drops what it cannot classify; its receiver answers 404 when nothing acknowledges
    await changesNothing(h, async () => {
      const res = await h.slack.interaction({ type: "block_suggestion_from_mars", user: { id: "U1" } });
      expect(res.status).toBe(404);
    });
  });
});

describe("text built to break things", () => {
  it("declares with a title of mentions, markdown, control characters and right-to-left text, safely", async () => {
    const title = "<!channel> <@U0ADMIN> <#C0SECRET|secret> *bold* _it_ ~x~ `code` \u202Eevil\u202C \u0007bell \u0645\u0634\u0643\u0644\u0629 DB";
    const { incident } = await declareFast(h, `sev2 ${title}`);
    const row = await h.db.incident.findUniqueOrThrow({ where: { id: incident.id } });
    // control and direction-override characters are gone; everything else is kept, as text
    for (const c of ["\u0007", "\u202E", "\u202C"]) expect(row.title).not.toContain(c);
    expect(row.title).toContain("\u0645\u0634\u0643\u0644\u0629 DB");
    expect(incident.channel.name).toMatch(/^inc-\d{4}-\d{2}-\d{2}-[a-z0-9-]+$/);
    const opening = flat(openingOf(h, incident));
    expect(opening).not.toContain("<!channel>");
    expect(opening).not.toContain("<@U0ADMIN>");
    expect(opening).not.toContain("<#C0SECRET");
    // Slack's tokens in a command become their plain text: shown, never acted on
    expect(opening).toContain("@channel");
    expect(opening).toContain("*bold*");
    for (const c of h.fake.ws.conversations.values()) for (const m of c.messages) expect(flat(m)).not.toContain("<!channel>");
  });

  it("refuses a 10 kB title, saying how long it may be, and creates nothing", async () => {
    await changesNothing(h, async () => {
      const res = await h.slack.command(`declare sev2 ${"Disk full ".repeat(1000)}`, { user: h.users.alice.id, channel: h.general.id });
      expect(res.status).toBe(200);
      expect(res.json?.text).toContain("The title is 9999 characters long; keep it under 200");
    });
  });

  it("refuses a 10 kB update or note, saying the limit", async () => {
    const { incident } = await declareFast(h, "sev3 Long texts");
    for (const sub of ["update", "note"]) {
      await changesNothing(h, async () => {
        const res = await h.slack.command(`${sub} ${"x".repeat(10_000)}`, { user: h.users.alice.id, channel: incident.channel.id });
        expect(res.json?.text).toContain("characters long; the limit is 3000");
      });
    }
  });

  it.each([
    ["plain text", "x".repeat(3000)],
    // Slack sends &, < and > in a command's text as entities
    ["characters that need escaping", "&lt;&amp;&gt;".repeat(230)],
  ])("posts an update at the length limit made of %s", async (_what, text) => {
    const { incident } = await declareFast(h, `sev3 At the limit ${_what}`);
    const res = await h.slack.command(`update ${text}`, { user: h.users.alice.id, channel: incident.channel.id });
    expect(res.json?.text).toContain("Update posted");
    const posted = await until(() => incident.channel.messages.find((m) => m.text.startsWith(`Update on INC-${incident.number}`)), 8000, "the update");
    expect(flat(posted)).toContain(text.slice(0, 100));
    await sleep(300);
    expect(await h.db.job.count({ where: { incidentId: incident.id, status: "dead" } })).toBe(0);
  });

  it("counts what was typed when escaping is what makes an update too long", async () => {
    const { incident } = await declareFast(h, "sev3 Escaping past the limit");
    await changesNothing(h, async () => {
      const res = await h.slack.command(`update ${"&lt;".repeat(1000)}`, { user: h.users.alice.id, channel: incident.channel.id });
      expect(res.json?.text).toContain("The update is 1000 characters long (4000 once &, < and > are written out for Slack); the limit is 3000.");
    });
  });
});

/** `user` presses a button with `actionId` and `value` in `channel`; private replies go to `responseUrl`. */
