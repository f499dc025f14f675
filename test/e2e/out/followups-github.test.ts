// Follow-ups in GitHub end to end, against a fake of GitHub's REST API on loopback: an action item's
// *Create in GitHub* button makes exactly one issue (title, body with the incident and the marker,
// labels, the owner assigned by e-mail), also when GitHub's answer is lost after it created it; the
// link shows wherever the item does; GitHub's refusal reaches the person in GitHub's words; the
// repository's signed `issues` webhooks close and reopen the item here, once per delivery; done here
// closes it there; and the postmortem is committed to git when drafted and again when closed.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeGithub, startFakeGithub } from "../../fake-github/server.ts";
import { type Harness, startHarness } from "../../support/harness.ts";
import { clickButton, type DeclaredIncident, declareFast, flat, pressExport, replies, says, submitDeclareForm } from "../../support/incidents.ts";
import { sleep, until } from "../../support/wait.ts";
import { startReceiver, type WebhookReceiver } from "../../fake-webhooks/receiver.ts";

const SECRET = "gh-webhook-secret-0123456789abcdef";

let h: Harness;
let gh: FakeGithub;
let inc: DeclaredIncident;
let receiver: WebhookReceiver;
const HOOK = `whsec_${Buffer.from("f".repeat(32)).toString("base64")}`;
/** The action_item.* events the receiver got, parsed. */
const itemEvents = () => receiver.received.map((r) => JSON.parse(r.body) as { type: string; data: { action_item?: { id: number; issue: unknown; status: string } } }).filter((e) => e.type.startsWith("action_item."));

const run = (text: string, user = h.users.alice) => h.slack.command(text, { user: user.id, channel: inc.channel.id });
const creates = () => gh.requests.filter((r) => r.method === "POST" && r.path.endsWith("/issues") && r.status === 201);

async function addItem(text: string): Promise<{ id: number; number: number }> {
  const before = await h.db.actionItem.count({ where: { incidentId: inc.id } });
  await run(`action ${text} <@${h.users.bob.id}> due 2026-12-20`);
  await until(async () => (await h.db.actionItem.count({ where: { incidentId: inc.id } })) > before, 5000, "the action item");
  return h.db.actionItem.findFirstOrThrow({ where: { incidentId: inc.id }, orderBy: { number: "desc" } });
}

/** Presses the item's *Create in GitHub* button in its channel echo, as `user`. */
function pressCreate(item: { number: number }, user = h.users.alice) {
  return pressExport(h, inc, item.number, user);
}

beforeAll(async () => {
  gh = await startFakeGithub({ owner: "acme", repo: "platform" });
  receiver = await startReceiver("/events");
  h = await startHarness({
    env: { GITHUB_TOKEN: gh.token, GITHUB_WEBHOOK_SECRET: SECRET, HOOK, WARROOM_API_TOKEN: "api-token-0123456789abcdef" },
    configYaml: `webhooks:\n  - url: ${receiver.url}\n    secret_env: HOOK\nfollowups:\n  github: { repo: acme/platform, api_url: "${gh.url}" }\n  labels: [incident, follow-up]\npostmortem_repo:\n  github: acme/platform\n  api_url: "${gh.url}"\n  path: docs/postmortems/\n`,
  });
  gh.users.set(`${h.users.bob.name}@example.com`.toLowerCase(), "bob-gh");
  inc = (await declareFast(h, "sev2 Checkout & card payments failing", h.users.alice)).incident;
});
afterAll(async () => {
  await h?.stop();
  await gh?.stop();
  await receiver?.stop();
});

describe("an action item to GitHub", () => {
  it("creates exactly one issue from the button: title, body with the incident and the marker, labels, the owner assigned", async () => {
    const item = await addItem("Add a canary for card payments");
    const echo = await says(inc, `Action item #${item.number} for the`);
    expect(flat(echo)).toContain("Create in GitHub");
    const { responseUrl } = await pressCreate(item);
    await until(async () => (await h.db.actionItem.findUniqueOrThrow({ where: { id: item.id } })).trackerUrl, 10_000, "the link");
    expect(creates()).toHaveLength(1);
    const [issue] = gh.issues;
    expect(issue?.title).toBe("Add a canary for card payments");
    expect(issue?.body).toContain(`INC-${inc.number} — Checkout & card payments failing (SEV2)`);
    expect(issue?.body).toContain(`/archives/${inc.channel.id}`);
    expect(issue?.body).toContain("Due: 2026-12-20");
    expect(issue?.body).toContain(`warroom-action-item: ${item.id}`);
    expect(issue?.labels.map((l) => l.name)).toEqual(["incident", "follow-up", "sev2"]);
    expect(issue?.assignees).toEqual([{ login: "bob-gh" }]);
    expect(gh.requests.every((r) => r.authorization === `token ${gh.token}`)).toBe(true);
    const row = await h.db.actionItem.findUniqueOrThrow({ where: { id: item.id } });
    expect(row).toMatchObject({ trackerKind: "github", trackerId: "1", trackerKey: "#1", trackerUrl: issue?.html_url });
    const said = await replies(h, responseUrl);
    expect(said.join("\n")).toContain("Creating the GitHub issue for action item");
    expect(said.join("\n")).toContain(`<${issue?.html_url}|#1>`);
    // the timeline and /incident info say it; the API has it
    expect((await h.db.timelineEntry.findMany({ where: { incidentId: inc.id } })).map((e) => e.text).join("\n")).toContain(`is now GitHub issue <${issue?.html_url}|#1>`);
    const info = await run("info");
    expect(JSON.stringify(info.json)).toContain(`<${issue?.html_url}|GitHub #1>`);
    // the webhooks: an action_item.exported event with the issue
    const exported = await until(() => itemEvents().find((e) => e.type === "action_item.exported" && e.data.action_item?.id === item.id), 10_000, "action_item.exported");
    expect(exported.data.action_item?.issue).toEqual({ tracker: "github", key: "#1", url: issue?.html_url });
    // the App Home shows the link, and the Create button only on items without an issue
    await h.slack.event({ type: "app_home_opened", user: h.users.bob.id, channel: "D0HOME", tab: "home" }, { eventId: "EvHomeFollowups1" });
    const home = await until(() => h.fake.ws.homeViews.get(h.users.bob.id)?.view as { blocks: { block_id?: string; text?: { text: string } }[] } | undefined, 5000, "the App Home");
    expect(JSON.stringify(home.blocks)).toContain(`<${issue?.html_url}|GitHub #1>`);
    expect(home.blocks.some((b) => b.block_id === `action_export:${item.id}`)).toBe(false);
  });

  it("a second press creates nothing and says where the issue is", async () => {
    const item = await h.db.actionItem.findFirstOrThrow({ where: { incidentId: inc.id, number: 1 } });
    const echo = await says(inc, `Action item #1 for the`);
    const { responseUrl } = await clickButton(h, inc.channel, echo, "warroom.action_item_export", h.users.bob);
    expect((await replies(h, responseUrl)).join("\n")).toContain("already");
    await sleep(500);
    expect(creates()).toHaveLength(1);
    // the item keeps the issue it had (read again after the press)
    expect((await h.db.actionItem.findUniqueOrThrow({ where: { id: item.id } })).trackerKey).toBe("#1");
  });

  it("creates no second issue when GitHub's answer was lost after it made the issue: the marker finds it", async () => {
    const item = await addItem("Alert on card decline rate");
    gh.dropAfterNext("POST", "/issues");
    await pressCreate(item);
    await until(async () => (await h.db.actionItem.findUniqueOrThrow({ where: { id: item.id } })).trackerUrl, 30_000, "the link after the lost answer");
    const made = gh.issues.filter((i) => i.body?.includes(`warroom-action-item: ${item.id}`));
    expect(made).toHaveLength(1);
    expect((await h.db.actionItem.findUniqueOrThrow({ where: { id: item.id } })).trackerKey).toBe(`#${made[0]?.number}`);
  });

  it("tells the person who pressed it, in GitHub's words, when GitHub refuses", async () => {
    const item = await addItem("Write the runbook");
    gh.failNext("POST", "/issues", 422, { message: "Validation Failed", errors: [{ resource: "Label", code: "invalid", message: "Labels are disabled in this repository" }] });
    const { responseUrl } = await pressCreate(item);
    await until(async () => (await replies(h, responseUrl)).some((t) => t.includes("could not create")), 10_000, "the refusal");
    const text = (await replies(h, responseUrl)).join("\n");
    expect(text).toContain("GitHub: Validation Failed: Labels are disabled in this repository");
    expect((await h.db.actionItem.findUniqueOrThrow({ where: { id: item.id } })).trackerUrl).toBeNull();
  });
});

describe("back from GitHub", () => {
  const hook = () => `${h.url}/hooks/github`;

  it("closed there is done here, said once to the owner and on the timeline; a redelivery changes nothing", async () => {
    const item = await h.db.actionItem.findFirstOrThrow({ where: { incidentId: inc.id, number: 1 } });
    const issue = gh.issues.find((i) => i.number === 1)!;
    issue.state = "closed";
    const first = await gh.sendIssueEvent(hook(), SECRET, "closed", issue);
    expect(first).toMatchObject({ status: 200, body: { status: "accepted" } });
    await until(async () => (await h.db.actionItem.findUniqueOrThrow({ where: { id: item.id } })).status === "done", 10_000, "done here");
    const again = await gh.sendIssueEvent(hook(), SECRET, "closed", issue, { delivery: first.delivery });
    expect(again).toMatchObject({ status: 200, body: { status: "duplicate" } });
    const dm = h.fake.ws.imWith(h.users.bob.id);
    await until(() => dm.messages.find((m) => flat(m).includes("was closed by octocat")), 5000, "the owner's DM");
    await sleep(500);
    expect(dm.messages.filter((m) => flat(m).includes("was closed by octocat"))).toHaveLength(1);
    const entries = (await h.db.timelineEntry.findMany({ where: { incidentId: inc.id } })).filter((e) => e.text.includes("was closed by octocat"));
    expect(entries).toHaveLength(1);
    await until(() => itemEvents().find((e) => e.type === "action_item.completed" && e.data.action_item?.id === item.id), 10_000, "action_item.completed");
    // done there already: nothing is sent back to close it
    expect(gh.requests.filter((r) => r.method === "PATCH")).toHaveLength(0);
  });

  it("reopened there is open here", async () => {
    const item = await h.db.actionItem.findFirstOrThrow({ where: { incidentId: inc.id, number: 1 } });
    const issue = gh.issues.find((i) => i.number === 1)!;
    issue.state = "open";
    expect((await gh.sendIssueEvent(hook(), SECRET, "reopened", issue)).status).toBe(200);
    await until(async () => (await h.db.actionItem.findUniqueOrThrow({ where: { id: item.id } })).status === "open", 10_000, "open here");
    await until(() => itemEvents().find((e) => e.type === "action_item.reopened" && e.data.action_item?.id === item.id), 10_000, "action_item.reopened");
    // the HTTP API's record carries the link
    const api = await fetch(`${h.url}/api/v1/incidents/${inc.number}`, { headers: { authorization: "Bearer api-token-0123456789abcdef" } });
    const record = (await api.json()) as { action_items: { number: number; issue: unknown }[] };
    expect(record.action_items.find((a) => a.number === 1)?.issue).toEqual({ tracker: "github", key: "#1", url: gh.issues[0]?.html_url });
  });

  it("refuses a wrong signature and another repository's events change nothing", async () => {
    const issue = gh.issues.find((i) => i.number === 1)!;
    expect((await gh.sendIssueEvent(hook(), "not-the-secret-at-all-0000", "closed", issue)).status).toBe(401);
    expect((await gh.sendIssueEvent(hook(), SECRET, "closed", issue, { repo: "acme/other" })).body).toEqual({ status: "ignored" });
    const bad = await fetch(hook(), { method: "POST", body: "{}", headers: { "x-hub-signature-256": "sha256=00" } });
    expect(bad.status).toBe(401);
    await sleep(300);
    expect((await h.db.actionItem.findFirstOrThrow({ where: { incidentId: inc.id, number: 1 } })).status).toBe("open");
  });

  it("cuts a body over 1 MB before anything is read", async () => {
    const res = await fetch(hook(), { method: "POST", body: "x".repeat(2 * 1024 * 1024), headers: { "x-hub-signature-256": "sha256=00", "content-type": "application/json" } }).catch((err: unknown) => err as Error);
    expect(res instanceof Error ? res.message : res.status).toBe(413);
  });

  it("the other trackers' doors are closed without their secrets", async () => {
    for (const door of ["jira", "linear"]) {
      const res = await fetch(`${h.url}/hooks/${door}`, { method: "POST", body: "{}" });
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ error: "not_found" });
    }
  });

  it("done here closes the issue there (close_upstream)", async () => {
    const item = await h.db.actionItem.findFirstOrThrow({ where: { incidentId: inc.id, number: 1 } });
    await h.slack.interaction({ type: "block_actions", user: { id: h.users.bob.id, team_id: h.fake.ws.teamId }, team: { id: h.fake.ws.teamId }, trigger_id: h.fake.ws.newTrigger(h.users.bob.id), response_url: h.fake.responseUrl(), actions: [{ action_id: "warroom.action_item_done", value: String(item.id), type: "button" }] });
    await until(() => gh.issues.find((i) => i.number === 1)?.state === "closed", 10_000, "the issue closed there");
    expect(gh.issues.find((i) => i.number === 1)?.state_reason).toBe("completed");
  });
});

describe("the postmortem in git", () => {
  it("is committed when drafted and again when the incident is closed, to one file", async () => {
    await run("resolve Rolled back the gateway");
    await until(() => gh.commits.length >= 1, 20_000, "the first commit");
    const [first] = gh.commits;
    expect(first?.path).toMatch(new RegExp(`^docs/postmortems/\\d{4}-\\d{2}-\\d{2}-inc-${inc.number}-checkout-card-payments-failing\\.md$`));
    expect(first?.branch).toBe("main");
    const file = gh.files.get(`main:${first?.path}`);
    expect(file?.text).toMatch(/^---\nincident: INC-\d+\n/);
    expect(file?.text).toContain("status: resolved");
    expect(file?.text).toContain("Add a canary for card payments");
    // the postmortem's table links the item's issue
    expect(file?.text).toContain(`[GitHub #1](${gh.issues[0]?.html_url})`);
    await says(inc, "is in git");
    await run("close");
    await until(() => gh.commits.length >= 2, 20_000, "the second commit");
    expect(gh.commits.map((c) => c.path)).toEqual([first?.path, first?.path]);
    expect(gh.files.get(`main:${first?.path}`)?.text).toContain("status: closed");
    expect(gh.files.size).toBe(1);
    expect((await h.db.postmortem.findUniqueOrThrow({ where: { incidentId: inc.id } })).repoPath).toBe(first?.path);
  });

  it("is never committed for a private incident without include_private", async () => {
    const before = gh.commits.length;
    await submitDeclareForm(h, { title: "Leaked deploy key", severity: "SEV2", private: true }, h.users.carol);
    const row = await until(() => h.db.incident.findFirst({ where: { title: "Leaked deploy key", channelId: { not: null } } }), 10_000, "the private incident");
    await h.slack.command("resolve Rotated the key", { user: h.users.carol.id, channel: row.channelId as string });
    await until(() => h.db.postmortem.findFirst({ where: { incidentId: row.id, publishedAt: { not: null } } }), 20_000, "the private postmortem");
    await sleep(1500);
    expect(gh.commits.length).toBe(before);
  });

  it("is never committed for a drill", async () => {
    const before = gh.commits.length;
    await h.slack.command("drill sev2 Practice failover", { user: h.users.alice.id, channel: h.general.id });
    const row = await until(() => h.db.incident.findFirst({ where: { title: "Practice failover", channelId: { not: null } } }), 10_000, "the drill");
    await h.slack.command("resolve Practised", { user: h.users.alice.id, channel: row.channelId as string });
    await until(() => h.db.postmortem.findFirst({ where: { incidentId: row.id, publishedAt: { not: null } } }), 20_000, "the drill's postmortem");
    await sleep(1500);
    expect(gh.commits.length).toBe(before);
  });
});
