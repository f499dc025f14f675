// The assistant end to end, against a real HTTP fake of the Chat Completions API on loopback: the
// catch-up (acknowledged at once, answered privately with the record's facts and the model's
// summary), Draft with AI in the update form (the form filled by views.update, nothing posted until
// it is submitted), the postmortem's summary and narrative (and the draft on time without them when
// the model fails), what the model is sent (the channel since the last update, never a planted
// secret, never a private incident unless allowed), every failure one line with a reference, the
// bot working on, and /metrics. And with the assistant off: no AI anywhere, and catchup says so.

import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, embeddedServer } from "../../support/databases.ts";
import type { FakeUser } from "../../../src/local-slack/workspace.ts";
import { type FakeOpenAI, startFakeOpenAI } from "../../fake-openai/server.ts";
import { type Harness, startHarness } from "../../support/harness.ts";
import { canvasOf, type DeclaredIncident, declareFast, flat, says, settled, submitDeclareForm, waitUntilReady } from "../../support/incidents.ts";
import { until } from "../../support/wait.ts";

const KEY = "sk-test-assistant-0123456789abcdef";
// planted in the channel: none of them may reach the model
const SLACK_TOKEN = ["xo", "xb-9876543210-9876543210987-ZyXwVuTsRqPoNmLkJiHgFeDc"].join("");
const AWS_ID = ["AKIA", "Z7Y6X5W4V3U2T1S0"].join("");
const DB_PASSWORD = "correct-horse-battery";

let h: Harness;
let ai: FakeOpenAI;

beforeAll(async () => {
  ai = await startFakeOpenAI({ apiKey: KEY });
  h = await startHarness({
    env: { AI_BASE_URL: ai.baseUrl, AI_MODEL: "gpt-4o-mini", AI_API_KEY: KEY },
    // budgets of seconds, so a model that never answers is seen giving up within a test
    start: { assistantBudgetsMs: { catchup: 3000, update: 3000, postmortem: 3000 } },
  });
});
afterAll(async () => {
  await h?.stop();
  await ai?.stop();
});

type View = { id: string; blocks: { type: string; block_id?: string; element?: Record<string, unknown>; elements?: Record<string, unknown>[] }[] } & Record<string, unknown>;

async function catchup(inc: DeclaredIncident, user: FakeUser = h.users.alice) {
  const res = await h.slack.command("catchup", { user: user.id, channel: inc.channel.id });
  expect(res.status).toBe(200);
  const answer = await until(() => h.fake.responsesTo(res.responseUrl)[0], 10_000, "the catch-up");
  return { ack: String(res.json?.text), answer: answer.body as { text?: string; blocks?: unknown[]; replace_original?: boolean; response_type?: string } };
}

const requestsSince = (n: number) => ai.requests.slice(n);
const answerText = (a: { text?: string; blocks?: unknown[] }) => `${a.text ?? ""}\n${JSON.stringify(a.blocks ?? [])}`;

async function openUpdateForm(inc: DeclaredIncident, user: FakeUser = h.users.alice): Promise<View> {
  const cmd = await h.slack.command("update", { user: user.id, channel: inc.channel.id });
  const opened = await until(() => h.fake.okCallsTo("views.open").find((c) => c.args.trigger_id === cmd.triggerId), 5000, "the update form");
  return opened.response.view as View;
}

function draftButton(view: View) {
  return view.blocks.find((b) => b.type === "actions")?.elements?.find((e) => e.action_id === "warroom.draft_update");
}

/** Presses Draft with AI in the form; resolves with the form as it is after the draft (or its failure). */
async function pressDraft(view: View, user: FakeUser = h.users.alice): Promise<View> {
  const button = draftButton(view);
  if (!button) throw new Error("no Draft with AI button");
  const before = h.fake.okCallsTo("views.update").filter((c) => c.args.view_id === view.id).length;
  const res = await h.slack.interaction({
    type: "block_actions",
    user: { id: user.id, team_id: h.fake.ws.teamId },
    team: { id: h.fake.ws.teamId },
    trigger_id: h.fake.ws.newTrigger(user.id),
    container: { type: "view", view_id: view.id },
    view: { ...view, state: { values: {} } },
    actions: [{ type: "button", action_id: button.action_id, block_id: "draft", value: button.value, action_ts: "1.1" }],
  });
  expect(res.status).toBe(200);
  // first "Drafting…", then the draft (or why not)
  const updates = await until(() => {
    const u = h.fake.okCallsTo("views.update").filter((c) => c.args.view_id === view.id);
    return u.length >= before + 2 ? u : undefined;
  }, 10_000, "the drafted form");
  expect(JSON.stringify(updates[before]?.args.view)).toContain("Drafting with AI");
  return { ...(updates[before + 1]?.args.view as View), id: view.id };
}

describe("/incident catchup", () => {
  it("is acknowledged at once and answered privately: the record's facts, the model's summary, marked as a draft", async () => {
    const { incident } = await declareFast(h, "sev2 Checkout errors in the EU", h.users.alice);
    h.fake.ws.addMessage(incident.channel.id, h.users.bob.id, "Error rate is 30% on checkout since the 14:02 deploy");
    const question = h.fake.ws.addMessage(incident.channel.id, h.users.carol.id, "Do we know if the payment provider is involved?");
    h.fake.ws.addMessage(incident.channel.id, h.users.bob.id, "Their status page is green, they see nothing", { threadTs: question.ts });
    await h.slack.command("update Rolling back the 14:02 deploy", { user: h.users.alice.id, channel: incident.channel.id });
    const n = ai.requests.length;
    const { ack, answer } = await catchup(incident, h.users.dave);
    expect(ack).toContain(`Catching you up on INC-${incident.number}`);
    expect(answer).toMatchObject({ response_type: "ephemeral", replace_original: true });
    const text = answerText(answer);
    expect(text).toContain(`Catching you up on INC-${incident.number}`);
    expect(text).toContain("*Status:* Investigating");
    expect(text).toContain("*Severity:* SEV2 (High)");
    expect(text).toContain(`Incident Commander <@${h.users.alice.id}>`);
    expect(text).toMatch(/\*Last update:\* less than a minute ago — Rolling back the 14:02 deploy/);
    expect(text).toContain("What is happening:");
    expect(text).toContain("AI draft — check it");
    expect(text).toContain("gpt-4o-mini");
    // what the model was sent
    const [sent] = requestsSince(n);
    expect(sent?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(sent?.body).toMatchObject({ model: "gpt-4o-mini", stream: false });
    expect(sent?.text).toContain("Checkout errors in the EU");
    expect(sent?.text).toContain("@bob: Error rate is 30% on checkout since the 14:02 deploy");
    expect(sent?.text).toContain("Do we know if the payment provider is involved?");
    // the thread's reply too, after its parent and marked as such
    expect(sent?.text).toMatch(/payment provider is involved\?\n\[[^\]]+\] @bob: \(in a thread\) Their status page is green, they see nothing/);
    expect(sent?.text).toContain("Rolling back the 14:02 deploy");
    expect(sent?.text).toContain("Incident Commander: @alice");
  });

  it("never sends a secret planted in the channel or the record", async () => {
    const { incident } = await declareFast(h, `sev3 Leaky channel ${AWS_ID}`, h.users.alice);
    h.fake.ws.addMessage(incident.channel.id, h.users.bob.id, `try the bot token ${SLACK_TOKEN}`);
    h.fake.ws.addMessage(incident.channel.id, h.users.bob.id, `DATABASE_URL=postgres://app:${DB_PASSWORD}@db.internal/app`);
    h.fake.ws.addMessage(incident.channel.id, h.users.bob.id, "curl -H 'Authorization: Bearer abcdef0123456789abcdef'");
    await h.slack.command(`note the AWS key ${AWS_ID} is in the logs`, { user: h.users.bob.id, channel: incident.channel.id });
    const n = ai.requests.length;
    await catchup(incident);
    const [sent] = requestsSince(n);
    const everything = JSON.stringify(sent?.body);
    for (const secret of [SLACK_TOKEN, AWS_ID, DB_PASSWORD, "abcdef0123456789abcdef"]) expect(everything).not.toContain(secret);
    expect(sent?.text).toContain("[redacted Slack token]");
    expect(sent?.text).toContain("postgres://app:[redacted URL password]@db.internal/app");
    expect(sent?.text).toContain("[redacted AWS key]");
  });

  it("makes the model's answer inert: no broadcast, no ping, links as text", async () => {
    const { incident } = await declareFast(h, "sev3 Hostile answer", h.users.alice);
    ai.script({ kind: "answer", text: "<!channel> <!here> @everyone ask <@U0BOB> and see <https://evil.example/x|the runbook>" });
    const { answer } = await catchup(incident);
    const text = answerText(answer);
    expect(text).not.toMatch(/<!channel>|<!here>|<@U0BOB>|<https:\/\/evil/);
    expect(text).not.toMatch(/@everyone/);
    expect(text).toContain("the runbook (https://evil.example/x)");
  });

  it("refuses a private incident without sending anything", async () => {
    await submitDeclareForm(h, { title: "Private payroll bug", severity: "SEV3", private: true }, h.users.carol);
    const row = await until(() => h.db.incident.findFirst({ where: { title: "Private payroll bug", channelId: { not: null } } }), 10_000, "the private incident");
    const inc = await waitUntilReady(h, row.id);
    const n = ai.requests.length;
    const res = await h.slack.command("catchup", { user: h.users.carol.id, channel: inc.channel.id });
    expect(String(res.json?.text)).toContain("this incident is private");
    expect(String(res.json?.text)).toContain("ai.include_private: true");
    await settled(h);
    expect(ai.requests.length).toBe(n);
  });

  it("works only in an incident channel", async () => {
    const res = await h.slack.command("catchup", { user: h.users.alice.id, channel: h.general.id });
    expect(String(res.json?.text)).toContain("`/incident catchup` works inside an incident channel");
  });
});

describe("when the model does not answer", () => {
  const failures: [string, Parameters<FakeOpenAI["script"]>[0], RegExp][] = [
    ["a 500", { kind: "status", status: 500 }, /its API answered HTTP 500: The server had an error/],
    ["a 429 with a long Retry-After", { kind: "status", status: 429, type: "requests", code: "rate_limit_exceeded", message: "Rate limit reached for requests", retryAfter: "120" }, /rate-limiting requests \(try again in 120 s\)/],
    ["a body that is not JSON", { kind: "not_json" }, /its answer could not be read/],
    ["an empty answer", { kind: "empty" }, /it answered with nothing/],
    ["a hang past the budget", { kind: "hang" }, /it took longer than \d+ s/],
    ["a cut connection", { kind: "cut" }, /could not be reached/],
  ];
  it.each(failures)("%s: one private line with the reason and a reference, and nothing else changes", async (name, behaviour, why) => {
    const { incident } = await declareFast(h, `sev3 Model trouble: ${name}`, h.users.alice);
    ai.script(behaviour);
    const { answer } = await catchup(incident);
    expect(answer.text).toMatch(/^:warning: The assistant did not answer: /);
    expect(answer.text).toMatch(why);
    const ref = /\(reference ([0-9a-f]{8})\)/.exec(answer.text ?? "")?.[1];
    expect(ref).toBeDefined();
    expect(h.logs.some((l) => l.ref === ref && l.msg === "the assistant's model did not answer")).toBe(true);
    // said to the person who asked only, never in the channel
    expect(incident.channel.messages.some((m) => flat(m).includes("did not answer"))).toBe(false);
    // the bot works on: the record, and the assistant itself the next time
    const info = await h.slack.command("info", { user: h.users.alice.id, channel: incident.channel.id });
    expect(JSON.stringify(info.json)).toContain(`INC-${incident.number}`);
    const again = await catchup(incident);
    expect(answerText(again.answer)).toContain("AI draft — check it");
  });

  it("a refused connection: said the same way", async () => {
    const gone = await startFakeOpenAI();
    const url = gone.baseUrl;
    await gone.stop();
    const t = await startHarness({ env: { AI_BASE_URL: url, AI_MODEL: "llama3.1" }, fake: h.fake });
    try {
      const { incident } = await declareFast(t, "sev3 Nobody home", t.users.alice);
      const res = await t.slack.command("catchup", { user: t.users.alice.id, channel: incident.channel.id });
      const answer = await until(() => t.fake.responsesTo(res.responseUrl)[0], 10_000, "the catch-up");
      expect(String(answer.body.text)).toMatch(/The assistant did not answer: .*could not be reached \(reference [0-9a-f]{8}\)/);
    } finally {
      await t.stop();
    }
  });
});

describe("Draft with AI in the update form", () => {
  it("fills the form from the channel since the last update, with the status it suggests; nothing is posted until it is submitted", async () => {
    const { incident } = await declareFast(h, "sev2 Search is slow", h.users.alice);
    h.fake.ws.addMessage(incident.channel.id, h.users.bob.id, "Before the update: looking at the search cluster");
    await h.slack.command("update Looking at the search cluster", { user: h.users.alice.id, channel: incident.channel.id });
    await says(incident, "Looking at the search cluster");
    // a moment, so the messages below are after the update's second
    await new Promise((r) => setTimeout(r, 1100));
    h.fake.ws.addMessage(incident.channel.id, h.users.bob.id, "After the update: node 3 is out of disk");
    const updatesBefore = incident.channel.messages.filter((m) => m.text.startsWith(`Update on INC-${incident.number}`)).length;
    const form = await openUpdateForm(incident);
    expect(draftButton(form)).toBeDefined();
    const n = ai.requests.length;
    const drafted = await pressDraft(form);
    const [sent] = requestsSince(n);
    expect(sent?.text).toContain("You draft status updates");
    expect(sent?.text).toContain("After the update: node 3 is out of disk");
    expect(sent?.text).not.toContain("Before the update");
    expect(sent?.text).toContain("The last update");
    const summary = drafted.blocks.find((b) => b.block_id === "summary:draft1");
    const status = drafted.blocks.find((b) => b.block_id === "status:draft1");
    expect(summary?.element?.initial_value).toBe("Impact: EU customers cannot pay.\nWhat changed: the bad deploy was found.\nWhat we are doing: rolling it back.\nNext update: in 30 minutes.");
    expect((status?.element?.initial_option as { value: string } | undefined)?.value).toBe("identified");
    expect(JSON.stringify(drafted.blocks)).toContain("AI draft — check it, edit it, then post it");
    // nothing posted by drafting
    await settled(h);
    expect(incident.channel.messages.filter((m) => m.text.startsWith(`Update on INC-${incident.number}`)).length).toBe(updatesBefore);
    // the person edits and submits the drafted form
    const res = await h.slack.interaction({
      type: "view_submission",
      user: { id: h.users.alice.id, team_id: h.fake.ws.teamId },
      team: { id: h.fake.ws.teamId },
      view: { ...drafted, state: { values: { "status:draft1": { value: { type: "static_select", selected_option: { value: "identified" } } }, "summary:draft1": { value: { type: "plain_text_input", value: "Node 3 of the search cluster is out of disk; freeing space." } } } } },
    });
    expect(res.status).toBe(200);
    const posted = await says(incident, "Node 3 of the search cluster is out of disk; freeing space.");
    expect(flat(posted)).toContain("*Identified*");
  });

  it("keeps the form as it was and says why when the model fails, privately in the channel too", async () => {
    const { incident } = await declareFast(h, "sev3 Draft trouble", h.users.alice);
    const form = await openUpdateForm(incident);
    ai.script({ kind: "status", status: 503, message: "The engine is currently overloaded" });
    const after = await pressDraft(form);
    const note = JSON.stringify(after.blocks);
    expect(note).toMatch(/The assistant did not answer: its API answered HTTP 503: The engine is currently overloaded \(reference [0-9a-f]{8}\)/);
    expect(after.blocks.some((b) => b.block_id === "summary")).toBe(true);
    const whisper = await until(() => h.fake.ws.ephemerals.find((e) => e.channel === incident.channel.id && e.user === h.users.alice.id && e.text.includes("The assistant did not answer")), 5000, "the ephemeral line");
    expect(whisper.text).toContain("reference");
  });

  it("is in the form the reminder's Post update opens too", async () => {
    const { incident } = await declareFast(h, "sev3 From the reminder", h.users.alice);
    const trigger = h.fake.ws.newTrigger(h.users.alice.id);
    await h.slack.interaction({
      type: "block_actions",
      user: { id: h.users.alice.id, team_id: h.fake.ws.teamId },
      team: { id: h.fake.ws.teamId },
      trigger_id: trigger,
      channel: { id: incident.channel.id },
      container: { type: "message", channel_id: incident.channel.id, message_ts: incident.opening.ts },
      actions: [{ type: "button", action_id: "warroom.post_update", block_id: "reminder", value: incident.id, action_ts: "1.1" }],
    });
    const opened = await until(() => h.fake.okCallsTo("views.open").find((c) => c.args.trigger_id === trigger), 5000, "the update form");
    expect(draftButton(opened.response.view as View)).toBeDefined();
  });
});

describe("the postmortem", () => {
  it("has the model's summary and narrative, marked, and every fact from the record", async () => {
    const { incident } = await declareFast(h, "sev3 Cache stampede", h.users.alice);
    await h.slack.command("note Cache hit rate dropped to 10%", { user: h.users.alice.id, channel: incident.channel.id });
    const n = ai.requests.length;
    await h.slack.command("resolve Warmed the cache", { user: h.users.alice.id, channel: incident.channel.id });
    const canvas = await canvasOf(h, incident);
    const md = canvas.markdown;
    expect(md).toContain("> **AI draft — check it.** Written by gpt-4o-mini");
    expect(md).toContain("Checkout failed for EU customers after a configuration change; a rollback restored it.");
    expect(md).toContain("## Narrative");
    expect(md).toContain("The team rolled back the change and the error rate fell to normal.");
    expect(md).toContain("**Resolution summary, as written when resolving:** Warmed the cache");
    expect(md).toMatch(/## Timeline \(UTC\)\n\n- \d{4}-\d\d-\d\d \d\d:\d\d — /);
    expect(md).toContain("Cache hit rate dropped to 10%");
    expect(md).toContain("## Action items");
    const sent = requestsSince(n).find((r) => r.text.includes("blameless postmortem"));
    expect(sent?.text).toContain("Cache hit rate dropped to 10%");
    const ready = await says(incident, "The postmortem draft");
    expect(flat(ready)).toContain("its summary and narrative are an AI draft");
  });

  it("is drafted on time without them when the model does not answer, and says so", async () => {
    const { incident } = await declareFast(h, "sev3 Slow model", h.users.alice);
    ai.always({ kind: "hang" });
    try {
      const started = Date.now();
      await h.slack.command("resolve Restarted it", { user: h.users.alice.id, channel: incident.channel.id });
      const canvas = await canvasOf(h, incident);
      expect(Date.now() - started).toBeLessThan(8000);
      expect(canvas.markdown).not.toContain("## Narrative");
      expect(canvas.markdown).not.toContain("AI draft");
      expect(canvas.markdown).toContain("Restarted it");
      const ready = await says(incident, "The postmortem draft");
      expect(flat(ready)).toMatch(/The assistant did not answer: it took longer than \d+ s \(reference [0-9a-f]{8}\)\. The draft was written without its summary and narrative\./);
    } finally {
      ai.always(undefined);
    }
  });
});

describe("/metrics", () => {
  it("counts requests by feature and outcome, their durations, and the tokens the API reported", async () => {
    const text = await (await fetch(`${h.url}/metrics`)).text();
    expect(text).toMatch(/warroom_ai_requests_total\{feature="catchup",outcome="ok"\} [1-9]/);
    expect(text).toMatch(/warroom_ai_requests_total\{feature="catchup",outcome="http_error"\} [1-9]/);
    expect(text).toMatch(/warroom_ai_requests_total\{feature="update",outcome="ok"\} [1-9]/);
    expect(text).toMatch(/warroom_ai_requests_total\{feature="postmortem",outcome="timeout"\} [1-9]/);
    expect(text).toMatch(/warroom_ai_request_duration_seconds_count\{feature="postmortem"\} [1-9]/);
    expect(text).toMatch(/warroom_ai_tokens_total\{kind="prompt"\} [1-9]/);
    expect(text).toMatch(/warroom_ai_tokens_total\{kind="completion"\} [1-9]/);
  });
});

describe("private incidents with ai.include_private: true", () => {
  it("are sent", async () => {
    const t = await startHarness({ env: { AI_BASE_URL: ai.baseUrl, AI_MODEL: "gpt-4o-mini", AI_API_KEY: KEY }, configYaml: "ai:\n  include_private: true\n  max_input_chars: 4000\n", fake: h.fake });
    try {
      await submitDeclareForm(t, { title: "Private but allowed", severity: "SEV3", private: true }, t.users.carol);
      const row = await until(() => t.db.incident.findFirst({ where: { title: "Private but allowed", channelId: { not: null } } }), 10_000, "the private incident");
      const inc = await waitUntilReady(t, row.id);
      for (let i = 0; i < 100; i++) t.fake.ws.addMessage(inc.channel.id, t.users.carol.id, `message ${i} ${"z".repeat(60)}`);
      const n = ai.requests.length;
      const res = await t.slack.command("catchup", { user: t.users.carol.id, channel: inc.channel.id });
      const answer = await until(() => t.fake.responsesTo(res.responseUrl)[0], 10_000, "the catch-up");
      expect(String(answer.body.text)).toContain("Catching you up");
      const [sent] = requestsSince(n);
      expect(sent?.text).toContain("Private but allowed");
      // the budget: the newest kept, the oldest cut
      expect((sent?.text.length ?? 0)).toBeLessThanOrEqual(4000);
      expect(sent?.text).toContain("message 99 ");
      expect(sent?.text).not.toContain("message 0 ");
    } finally {
      await t.stop();
    }
  });
});

describe("with the assistant off", () => {
  it("shows no AI button, catchup says which variables turn it on, and /metrics has no AI series", async () => {
    const t = await startHarness({ fake: h.fake });
    try {
      const { incident } = await declareFast(t, "sev3 No model here", t.users.alice);
      const res = await t.slack.command("catchup", { user: t.users.alice.id, channel: incident.channel.id });
      expect(String(res.json?.text)).toContain("the assistant is off: set AI_BASE_URL and AI_MODEL (and AI_API_KEY if your endpoint needs a key)");
      const cmd = await t.slack.command("update", { user: t.users.alice.id, channel: incident.channel.id });
      const opened = await until(() => t.fake.okCallsTo("views.open").find((c) => c.args.trigger_id === cmd.triggerId), 5000, "the update form");
      expect(JSON.stringify(opened.response.view)).not.toContain("warroom.draft_update");
      const text = await (await fetch(`${t.url}/metrics`)).text();
      expect(text).not.toContain("warroom_ai_");
    } finally {
      await t.stop();
    }
  });
});

describe("a team's own prompts", () => {
  it("stop the bot at start, naming the file and the line, when one does not parse", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "warroom-prompts-"));
    await fs.mkdir(path.join(dir, "ai"));
    await fs.writeFile(path.join(dir, "ai", "catchup.md"), "Be brief.\n<!-- user -->\n{% for m in messages %}\n{{ m.text }}\n");
    const database = await createTestDatabase(embeddedServer());
    try {
      await expect(startHarness({ env: { AI_BASE_URL: ai.baseUrl, AI_MODEL: "gpt-4o-mini", AI_API_KEY: KEY }, configYaml: `templates_dir: ${dir}\n`, fake: h.fake, database })).rejects.toThrow(
        new RegExp(`${path.join(dir, "ai", "catchup.md").replace(/[.\\/]/g, "\\$&")}, line \\d: the assistant's prompt does not parse`),
      );
    } finally {
      await database.drop();
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
