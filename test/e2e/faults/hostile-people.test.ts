// Hostile and broken input, part two: unknown people, channels and incidents, and people doing what
// only the Incident Commander may (checked by the server, whatever the client shows). Each gets a clear
// refusal and changes nothing. Part one (hostile-input.test.ts): unsigned, oversized, malformed, text.

import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ACTION, CALLBACK } from "../../../src/slack/ids.ts";
import type { FakeUser } from "../../../src/local-slack/workspace.ts";
import { type Harness, startHarness } from "../../support/harness.ts";
import { type DeclaredIncident, declareFast, replies } from "../../support/incidents.ts";
import { sleep } from "../../support/wait.ts";
import { changesNothing, quiet } from "../../support/footprint.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ configYaml: "announce_channel: incidents\n" });
  h.fake.ws.addChannel("incidents", {});
});
afterAll(async () => {
  await h?.stop();
});


async function press(user: FakeUser, channel: string, actionId: string, value: string) {
  const responseUrl = h.fake.responseUrl();
  const res = await h.slack.interaction({
    type: "block_actions",
    user: { id: user.id },
    team: { id: h.fake.ws.teamId },
    trigger_id: h.fake.ws.newTrigger(user.id),
    response_url: responseUrl,
    channel: { id: channel },
    actions: [{ action_id: actionId, type: "button", value }],
  });
  return { res, responseUrl };
}

describe("unknown people, channels and incidents", () => {
  let incident: DeclaredIncident;
  beforeAll(async () => {
    incident = (await declareFast(h, "sev2 Unknowns")).incident;
  });

  it("refuses a role for someone Slack does not know", async () => {
    await changesNothing(h, async () => {
      const res = await h.slack.command("role tech <@U0NOBODY>", { user: h.users.alice.id, channel: incident.channel.id });
      expect(res.json?.text).toContain("Slack doesn't know <@U0NOBODY>");
    });
  });

  it("refuses a role for the bot itself", async () => {
    await changesNothing(h, async () => {
      const res = await h.slack.command(`role tech <@${h.fake.ws.botUserId}>`, { user: h.users.alice.id, channel: incident.channel.id });
      expect(res.json?.text).toContain("I can't hold a role myself");
    });
  });

  it("says an incident command outside an incident channel needs one", async () => {
    await changesNothing(h, async () => {
      const res = await h.slack.command("update All good", { user: h.users.alice.id, channel: h.general.id });
      expect(res.json?.text).toContain("`/incident update` works inside an incident channel");
    });
  });

  it("refuses a button about an incident that does not exist", async () => {
    const before = await h.db.incident.count();
    const { res, responseUrl } = await press(h.users.bob, incident.channel.id, ACTION.postUpdate, randomUUID());
    expect(res.status).toBe(200);
    expect((await replies(h, responseUrl)).join(" ")).toContain("could not be read");
    expect(await h.db.incident.count()).toBe(before);
  });

  it("refuses a form about an incident that does not exist", async () => {
    await changesNothing(h, async () => {
      const res = await h.slack.interaction({
        type: "view_submission",
        user: { id: h.users.alice.id },
        team: { id: h.fake.ws.teamId },
        view: { id: "V0GHOST", callback_id: CALLBACK.updateModal, private_metadata: JSON.stringify({ incidentId: randomUUID() }), state: { values: { status: { value: { type: "static_select", selected_option: { value: "identified" } } }, summary: { value: { type: "plain_text_input", value: "Boo" } } } } },
      });
      expect(res.json).toMatchObject({ response_action: "errors" });
      expect(JSON.stringify(res.json)).toContain("no longer exists");
    });
  });

  it("refuses a form whose hidden data was tampered with", async () => {
    await changesNothing(h, async () => {
      const res = await h.slack.interaction({
        type: "view_submission",
        user: { id: h.users.alice.id },
        team: { id: h.fake.ws.teamId },
        view: { id: "V0TAMPER", callback_id: CALLBACK.updateModal, private_metadata: '{"incidentId":"1; DROP TABLE incidents"}', state: { values: { summary: { value: { type: "plain_text_input", value: "Boo" } } } } },
      });
      expect(res.json).toMatchObject({ response_action: "errors" });
      expect(JSON.stringify(res.json)).toContain("could not be read");
    });
  });
});

describe("only the Incident Commander may resolve, reopen, hand off or close (checked by the server)", () => {
  let incident: DeclaredIncident;
  beforeAll(async () => {
    incident = (await declareFast(h, "sev2 Who may do what", h.users.alice)).incident;
  });
  const run = (text: string, user = h.users.carol) => h.slack.command(text, { user: user.id, channel: incident.channel.id });
  const state = async () => {
    const row = await h.db.incident.findUniqueOrThrow({ where: { id: incident.id } });
    return JSON.stringify({ status: row.status, ic: row.icId, version: row.version, timeline: await h.db.timelineEntry.count({ where: { incidentId: incident.id } }) });
  };
  const refusedFor = async (attempt: () => Promise<string>, action: string) => {
    await quiet(h);
    const before = await state();
    const said = await attempt();
    expect(said).toContain(`Only the Incident Commander (<@${h.users.alice.id}>) can ${action} INC-${incident.number}`);
    await sleep(200);
    expect(await state()).toBe(before);
  };

  it("refuses a hand-off by anyone else, naming the IC", async () => {
    const before = await state();
    const res = await run(`handoff <@${h.users.carol.id}>`);
    expect(res.json?.text).toContain(`<@${h.users.alice.id}>`);
    expect(await state()).toBe(before);
  });

  it("refuses resolving by command or by form to anyone else", async () => {
    await refusedFor(async () => String((await run("resolve Not mine to resolve")).json?.text), "resolve");
    await refusedFor(async () => {
      const res = await h.slack.interaction({
        type: "view_submission",
        user: { id: h.users.carol.id },
        team: { id: h.fake.ws.teamId },
        view: { id: "V0NOTIC", callback_id: CALLBACK.resolveModal, private_metadata: JSON.stringify({ incidentId: incident.id }), state: { values: { summary: { value: { type: "plain_text_input", value: "Sneaky" } } } } },
      });
      expect(res.json).toMatchObject({ response_action: "errors" });
      return JSON.stringify(res.json).replace(/\\"/g, '"');
    }, "resolve");
  });

  it("refuses reopening and closing to anyone else, by command and by button", async () => {
    const resolved = await run("resolve Fixed by the IC", h.users.alice);
    expect(resolved.json?.text).toContain("is resolved");
    await refusedFor(async () => String((await run("reopen Not mine")).json?.text), "reopen");
    await refusedFor(async () => String((await run("close")).json?.text), "close");
    await refusedFor(async () => {
      const { responseUrl } = await press(h.users.carol, incident.channel.id, ACTION.postmortemDone, incident.id);
      return (await replies(h, responseUrl)).join(" ");
    }, "close");
    // and the IC may
    expect((await run("reopen One more thing", h.users.alice)).json?.text).toContain("is reopened");
  });
});
