// Follow-ups in Jira Cloud end to end, against a fake of Jira's REST API v3 on loopback: the button
// makes one issue (summary, an ADF description with the marker, labels, the owner assigned by
// e-mail), Jira's refusal reaches the person in Jira's words, a status change into Done there (a
// signed jira:issue_updated webhook) is done here once, and done here moves the issue to Done there.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adfText } from "../../../src/trackers/jira.ts";
import { type FakeJira, startFakeJira } from "../../fake-jira/server.ts";
import { type Harness, startHarness } from "../../support/harness.ts";
import { type DeclaredIncident, declareFast, pressExport, replies } from "../../support/incidents.ts";
import { sleep, until } from "../../support/wait.ts";

const SECRET = "jira-webhook-secret-0123456789abcdef";

let h: Harness;
let jira: FakeJira;
let inc: DeclaredIncident;

const run = (text: string, user = h.users.alice) => h.slack.command(text, { user: user.id, channel: inc.channel.id });

async function addAndPress(text: string) {
  await run(`action ${text} <@${h.users.bob.id}> due 2026-12-21 P1`);
  const item = await until(() => h.db.actionItem.findFirst({ where: { incidentId: inc.id, text } }), 5000, "the action item");
  const { responseUrl } = await pressExport(h, inc, item.number);
  return { item, responseUrl };
}

beforeAll(async () => {
  jira = await startFakeJira({ projectKey: "OPS" });
  h = await startHarness({
    env: { JIRA_EMAIL: jira.email, JIRA_API_TOKEN: jira.token, JIRA_WEBHOOK_SECRET: SECRET },
    configYaml: `followups:\n  jira: { base_url: "${jira.url}", project_key: OPS }\n`,
  });
  jira.users.set(`${h.users.bob.name}@example.com`, "557058:bob");
  inc = (await declareFast(h, "sev1 Payments API returning 500s", h.users.alice)).incident;
});
afterAll(async () => {
  await h?.stop();
  await jira?.stop();
});

describe("an action item to Jira", () => {
  it("creates one issue: summary, an ADF description with the incident and the marker, labels, the owner assigned", async () => {
    const { item, responseUrl } = await addAndPress("Add retries to the payment client");
    const row = await until(async () => (await h.db.actionItem.findUniqueOrThrow({ where: { id: item.id } })).trackerUrl ? h.db.actionItem.findUniqueOrThrow({ where: { id: item.id } }) : undefined, 10_000, "the link");
    expect(jira.issues).toHaveLength(1);
    const [issue] = jira.issues;
    expect(issue?.summary).toBe("Add retries to the payment client");
    const text = adfText(issue?.description);
    expect(text).toContain(`INC-${inc.number} — Payments API returning 500s (SEV1)`);
    expect(text).toContain("Priority: P1");
    expect(text).toContain(`warroom-action-item: ${item.id}`);
    expect(issue?.labels).toEqual(["incident", "sev1"]);
    expect(issue?.assignee).toBe("557058:bob");
    expect(row).toMatchObject({ trackerKind: "jira", trackerId: issue?.id, trackerKey: "OPS-1", trackerUrl: `${jira.url}/browse/OPS-1` });
    expect((await replies(h, responseUrl)).join("\n")).toContain(`<${jira.url}/browse/OPS-1|OPS-1>`);
    expect(jira.requests.every((r) => r.authorization === `Basic ${Buffer.from(`${jira.email}:${jira.token}`).toString("base64")}`)).toBe(true);
    expect(jira.refusedForRate).toBe(0);
  });

  it("says Jira's refusal in Jira's words, naming the project key", async () => {
    jira.failNext("POST", "/rest/api/3/issue", 400, { errorMessages: [], errors: { project: "valid project is required" } });
    const { item, responseUrl } = await addAndPress("Page the payments team on 5xx");
    await until(async () => (await replies(h, responseUrl)).some((t) => t.includes("could not create")), 10_000, "the refusal");
    expect((await replies(h, responseUrl)).join("\n")).toContain("Jira: the project key OPS does not exist, or the account cannot create issues in it (valid project is required)");
    expect((await h.db.actionItem.findUniqueOrThrow({ where: { id: item.id } })).trackerUrl).toBeNull();
  });

  it("waits out a 429's Retry-After and creates the issue once", async () => {
    jira.failNext("POST", "/rest/api/3/issue", 429, { errorMessages: ["Rate limit exceeded."] }, { "retry-after": "1" });
    const { item } = await addAndPress("Load-test the payment client");
    await until(async () => (await h.db.actionItem.findUniqueOrThrow({ where: { id: item.id } })).trackerUrl, 15_000, "the link after the 429");
    expect(jira.issues.filter((i) => adfText(i.description).includes(`warroom-action-item: ${item.id}`))).toHaveLength(1);
  });
});

describe("back from Jira", () => {
  it("moved to Done there is done here, once; done here moves the next one to Done there", async () => {
    const first = jira.issues[0]!;
    const item = await h.db.actionItem.findFirstOrThrow({ where: { trackerId: first.id } });
    first.status = { name: "Done", category: "done" };
    const sent = await jira.sendIssueUpdated(`${h.url}/hooks/jira`, SECRET, first);
    expect(sent).toMatchObject({ status: 200, body: { status: "accepted" } });
    await until(async () => (await h.db.actionItem.findUniqueOrThrow({ where: { id: item.id } })).status === "done", 10_000, "done here");
    expect((await jira.sendIssueUpdated(`${h.url}/hooks/jira`, SECRET, first, { delivery: sent.delivery })).body).toEqual({ status: "duplicate" });
    expect((await jira.sendIssueUpdated(`${h.url}/hooks/jira`, "another-secret-entirely-00000000", first)).status).toBe(401);
    await sleep(300);
    expect((await h.db.timelineEntry.findMany({ where: { incidentId: inc.id } })).filter((e) => e.text.includes("was closed by Jane Jira"))).toHaveLength(1);

    const other = await h.db.actionItem.findFirstOrThrow({ where: { incidentId: inc.id, text: "Load-test the payment client" } });
    await h.slack.interaction({ type: "block_actions", user: { id: h.users.bob.id, team_id: h.fake.ws.teamId }, team: { id: h.fake.ws.teamId }, trigger_id: h.fake.ws.newTrigger(h.users.bob.id), response_url: h.fake.responseUrl(), actions: [{ action_id: "warroom.action_item_done", value: String(other.id), type: "button" }] });
    await until(() => jira.issues.find((i) => i.id === other.trackerId)?.status.category === "done", 10_000, "Done in Jira");
  });
});
