// The bot answers over HTTP the way Slack expects: health, help, unknown sub-commands, and refusal
// of anything not signed by Slack.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../support/harness.ts";
import { sign } from "../../src/local-slack/deliver.ts";

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

async function rowCounts(): Promise<number> {
  const [incidents, jobs, processed] = await Promise.all([h.db.incident.count(), h.db.job.count(), h.db.processedRequest.count()]);
  return incidents + jobs + processed;
}

describe("GET /healthz", () => {
  it("answers 200 when the database answers", async () => {
    const res = await fetch(`${h.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
  });

  it("answers 404 for paths it does not serve", async () => {
    expect((await fetch(`${h.url}/nope`)).status).toBe(404);
  });
});

describe("/incident help", () => {
  it("lists every sub-command and the severities, ephemerally, in the acknowledgement", async () => {
    const res = await h.slack.command("help", { user: h.users.alice.id, channel: h.general.id });
    expect(res.status).toBe(200);
    expect(res.json?.response_type).toBe("ephemeral");
    const body = JSON.stringify(res.json);
    for (const sub of ["declare", "update", "status", "sev", "role", "handoff", "note", "action", "resolve", "reopen", "postmortem", "info", "list"]) {
      expect(body).toContain(`/incident ${sub}`);
    }
    expect(body).toContain("SEV1");
    expect(body).toContain("updates every 30 minutes");
    expect(body).toContain("no update reminders");
    // answered in the ack: no message was posted anywhere
    expect(h.fake.callsTo("chat.postMessage")).toHaveLength(0);
  });

  it("is what a bare /incident shows", async () => {
    const res = await h.slack.command("", { user: h.users.alice.id, channel: h.general.id });
    expect(JSON.stringify(res.json)).toContain("/incident declare");
  });

  it("answers well within Slack's 3 seconds", async () => {
    const res = await h.slack.command("help", { user: h.users.alice.id, channel: h.general.id });
    expect(res.ms).toBeLessThan(3000);
  });
});

describe("unknown or malformed sub-commands", () => {
  it("get a specific ephemeral reply with the right form, and change nothing", async () => {
    const before = await rowCounts();
    const res = await h.slack.command("decalre sev2 Checkout down", { user: h.users.alice.id, channel: h.general.id });
    expect(res.status).toBe(200);
    expect(res.json?.response_type).toBe("ephemeral");
    expect(res.json?.text).toContain('"decalre" is not an /incident sub-command');
    expect(res.json?.text).toContain("Did you mean `/incident declare`?");
    expect(await rowCounts()).toBe(before);
    expect(h.fake.callsTo("chat.postMessage")).toHaveLength(0);
  });

  it("name the problem for a known sub-command used wrongly", async () => {
    const res = await h.slack.command("declare sev9 Checkout down", { user: h.users.alice.id, channel: h.general.id });
    expect(res.json?.text).toContain('Unknown severity "sev9": use one of SEV1, SEV2, SEV3, SEV4.');
    expect(res.json?.response_type).toBe("ephemeral");
  });
});

describe("requests not signed by Slack", () => {
  const form = () =>
    new URLSearchParams({
      command: "/incident",
      text: "declare sev1 Forged",
      user_id: h.users.alice.id,
      channel_id: h.general.id,
      team_id: h.fake.ws.teamId,
      trigger_id: h.fake.ws.newTrigger(h.users.alice.id),
      response_url: h.fake.responseUrl(),
    }).toString();

  it.each([
    ["a missing signature", { signature: "" }],
    ["a wrong signature", { signature: `v0=${"0".repeat(64)}` }],
    ["a signature made with another secret", { secret: "not-the-signing-secret" }],
    ["a stale timestamp (6 minutes old)", { skewSeconds: -360 }],
  ])("get 401 and have no effect: %s", async (_what, opts) => {
    const before = await rowCounts();
    const calls = h.fake.calls.length;
    const res = await h.slack.post(form(), "application/x-www-form-urlencoded", opts);
    expect(res.status).toBe(401);
    expect(await rowCounts()).toBe(before);
    expect(h.fake.calls.length).toBe(calls);
  });

  it("get 401 when the signature covers different bytes than were sent", async () => {
    const body = form();
    const ts = Math.floor(Date.now() / 1000);
    const res = await h.slack.post(`${body}&extra=1`, "application/x-www-form-urlencoded", { signature: sign(h.slack.signingSecret, ts, body) });
    expect(res.status).toBe(401);
  });

  it("get 401 without a timestamp header", async () => {
    const res = await fetch(`${h.url}/slack/events`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "x-slack-signature": "v0=abc" },
      body: form(),
    });
    expect(res.status).toBe(401);
  });
});
