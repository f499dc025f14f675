// Follow-ups in Linear end to end, against a fake of Linear's GraphQL API on loopback: the button
// makes one issue in the team (title, the Markdown body with the marker, labels found or made, the
// owner assigned by e-mail), Linear's refusal reaches the person in Linear's words, moving the issue
// to a completed state there (a signed Issue webhook) is done here once and back to started is open
// again, a stale delivery is refused, and done here moves it to the team's completed state.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeLinear, startFakeLinear } from "../../fake-linear/server.ts";
import { type Harness, startHarness } from "../../support/harness.ts";
import { type DeclaredIncident, declareFast, pressExport, replies } from "../../support/incidents.ts";
import { sleep, until } from "../../support/wait.ts";

const SECRET = "lin_wh_0123456789abcdef0123456789";

let h: Harness;
let lin: FakeLinear;
let inc: DeclaredIncident;

const run = (text: string, user = h.users.alice) => h.slack.command(text, { user: user.id, channel: inc.channel.id });

async function addAndPress(text: string) {
  await run(`action ${text} <@${h.users.bob.id}>`);
  const item = await until(() => h.db.actionItem.findFirst({ where: { incidentId: inc.id, text } }), 5000, "the action item");
  const { responseUrl } = await pressExport(h, inc, item.number);
  return { item, responseUrl };
}

beforeAll(async () => {
  lin = await startFakeLinear({ teamKey: "ENG" });
  h = await startHarness({
    env: { LINEAR_API_KEY: lin.key, LINEAR_WEBHOOK_SECRET: SECRET },
    configYaml: `followups:\n  linear: { team_key: eng, api_url: "${lin.url}/graphql" }\n  labels: [incident, postmortem]\n`,
  });
  lin.users.set(`${h.users.bob.name}@example.com`, "user-bob");
  inc = (await declareFast(h, "sev2 Search results are stale", h.users.alice)).incident;
});
afterAll(async () => {
  await h?.stop();
  await lin?.stop();
});

describe("an action item to Linear", () => {
  it("creates one issue in the team: title, body with the marker, labels found or made, the owner assigned", async () => {
    const { item, responseUrl } = await addAndPress("Alert on index lag");
    await until(async () => (await h.db.actionItem.findUniqueOrThrow({ where: { id: item.id } })).trackerUrl, 10_000, "the link");
    expect(lin.issues).toHaveLength(1);
    const [issue] = lin.issues;
    expect(issue?.title).toBe("Alert on index lag");
    expect(issue?.description).toContain(`INC-${inc.number} — Search results are stale (SEV2)`);
    expect(issue?.description).toContain(`warroom-action-item: ${item.id}`);
    expect(issue?.labelIds.map((id) => lin.labels.find((l) => l.id === id)?.name)).toEqual(["incident", "postmortem", "sev2"]);
    expect(issue?.assigneeId).toBe("user-bob");
    expect(await h.db.actionItem.findUniqueOrThrow({ where: { id: item.id } })).toMatchObject({ trackerKind: "linear", trackerId: issue?.id, trackerKey: "ENG-1", trackerUrl: issue?.url });
    expect((await replies(h, responseUrl)).join("\n")).toContain("|ENG-1>");
    expect(lin.requests.every((r) => r.authorization === lin.key)).toBe(true);
  });

  it("says Linear's refusal in Linear's words", async () => {
    lin.failNext("issueCreate", [{ message: "Argument Validation Error", extensions: { type: "invalid input", code: "INVALID_INPUT", userPresentableMessage: "The team has been archived." } }]);
    const { item, responseUrl } = await addAndPress("Document the reindex");
    await until(async () => (await replies(h, responseUrl)).some((t) => t.includes("could not create")), 10_000, "the refusal");
    expect((await replies(h, responseUrl)).join("\n")).toContain("Linear: The team has been archived.");
    expect((await h.db.actionItem.findUniqueOrThrow({ where: { id: item.id } })).trackerUrl).toBeNull();
  });
});

describe("back from Linear", () => {
  it("completed there is done here once, started again is open; a stale delivery is refused", async () => {
    const issue = lin.issues[0]!;
    const item = await h.db.actionItem.findFirstOrThrow({ where: { trackerId: issue.id } });
    const todo = issue.stateId;
    issue.stateId = lin.states.find((s) => s.type === "completed")!.id;
    const sent = await lin.sendIssueUpdate(`${h.url}/hooks/linear`, SECRET, issue, todo);
    expect(sent).toMatchObject({ status: 200, body: { status: "accepted" } });
    await until(async () => (await h.db.actionItem.findUniqueOrThrow({ where: { id: item.id } })).status === "done", 10_000, "done here");
    expect((await lin.sendIssueUpdate(`${h.url}/hooks/linear`, SECRET, issue, todo, { delivery: sent.delivery })).body).toEqual({ status: "duplicate" });
    const stale = await lin.sendIssueUpdate(`${h.url}/hooks/linear`, SECRET, issue, todo, { timestamp: Date.now() - 5 * 60_000 });
    expect(stale.status).toBe(400);
    expect(JSON.stringify(stale.body)).toContain("webhookTimestamp");
    const done = issue.stateId;
    issue.stateId = lin.states.find((s) => s.type === "started")!.id;
    expect((await lin.sendIssueUpdate(`${h.url}/hooks/linear`, SECRET, issue, done)).status).toBe(200);
    await until(async () => (await h.db.actionItem.findUniqueOrThrow({ where: { id: item.id } })).status === "open", 10_000, "open again");
    await sleep(300);
    const texts = (await h.db.timelineEntry.findMany({ where: { incidentId: inc.id } })).map((e) => e.text);
    expect(texts.filter((t) => t.includes("was closed by Lin Ear"))).toHaveLength(1);
    expect(texts.filter((t) => t.includes("was reopened by Lin Ear"))).toHaveLength(1);
  });

  it("done here moves the issue to the team's completed state", async () => {
    const issue = lin.issues[0]!;
    const item = await h.db.actionItem.findFirstOrThrow({ where: { trackerId: issue.id } });
    await h.slack.interaction({ type: "block_actions", user: { id: h.users.bob.id, team_id: h.fake.ws.teamId }, team: { id: h.fake.ws.teamId }, trigger_id: h.fake.ws.newTrigger(h.users.bob.id), response_url: h.fake.responseUrl(), actions: [{ action_id: "warroom.action_item_done", value: String(item.id), type: "button" }] });
    await until(() => lin.states.find((s) => s.id === lin.issues[0]?.stateId)?.type === "completed", 10_000, "completed in Linear");
  });
});
