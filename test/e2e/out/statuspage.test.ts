// The status page end to end, against a fake of Statuspage's API on loopback: the form (components
// read from the page, groups left out; what it proposes; the warning for a private incident; refused
// for drills), create then update, confirmations with the public link and timeline entries, nothing
// published twice, the "resolve the public one too?" button, a failing call said and retried, a 429
// with Retry-After, a refused key, and a public incident found again by its marker.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeStatuspage, startFakeStatuspage } from "../../fake-statuspage/server.ts";
import type { FakeUser } from "../../../src/local-slack/workspace.ts";
import { type Harness, startHarness } from "../../support/harness.ts";
import { clickButton, type DeclaredIncident, declareFast, flat, says, submitDeclareForm } from "../../support/incidents.ts";
import { openStatuspageForm, type StatuspageFill, type StatuspageView, submitStatuspageForm } from "../../support/statuspage.ts";
import { sleep, until } from "../../support/wait.ts";

let h: Harness;
let sp: FakeStatuspage;
let api: string;

beforeAll(async () => {
  sp = await startFakeStatuspage();
  sp.addComponent("Checkout");
  sp.addComponent("Search");
  sp.addComponent("EU region", { group: true });
  h = await startHarness({ env: { STATUSPAGE_API_KEY: sp.key }, configYaml: `statuspage:\n  page_id: ${sp.pageId}\n  api_url: ${sp.url}\n` });
  api = sp.url;
});
afterAll(async () => {
  await h?.stop();
  await sp?.stop();
});

type View = StatuspageView;

const openForm = (inc: DeclaredIncident, user: FakeUser = h.users.alice) => openStatuspageForm(h.fake, h.slack, inc.channel.id, user);
const submit = (view: View, fill: StatuspageFill, user: FakeUser = h.users.alice) => submitStatuspageForm(h.fake, h.slack, view, fill, user);

const ours = () => [...sp.incidents.values()];
const creates = () => sp.writes().filter((r) => r.method === "POST");
const patches = () => sp.writes().filter((r) => r.method === "PATCH");

describe("publishing an incident", () => {
  let inc: DeclaredIncident;
  beforeAll(async () => {
    inc = (await declareFast(h, "sev1 Checkout failing for card payments", h.users.alice)).incident;
  });

  it("opens a form with the page's components (not its groups), the incident's title, status and the severity's impact", async () => {
    const view = await openForm(inc);
    expect(view.callback_id).toBe("warroom.statuspage");
    const el = (block: string) => view.blocks.find((b) => b.block_id === block)?.element;
    expect(el("public_name")?.initial_value).toBe("Checkout failing for card payments");
    expect(el("public_status")?.initial_option.value).toBe("investigating");
    expect(el("public_status")?.options.map((o: { value: string }) => o.value)).toEqual(["investigating", "identified", "monitoring", "resolved"]);
    expect(el("public_impact")?.initial_option.value).toBe("critical");
    expect(el("public_components")?.options.map((o: { text: { text: string } }) => o.text.text)).toEqual(["Checkout", "Search"]);
    expect(JSON.stringify(view.blocks)).not.toContain("is private");
    expect(sp.requests.every((r) => r.authorization === `OAuth ${sp.key}`)).toBe(true);
  });

  it("refuses a form without a message, on its field, and publishes nothing", async () => {
    const view = await openForm(inc);
    const res = await submit(view, { body: "   " });
    expect(res.json).toMatchObject({ response_action: "errors", errors: { public_body: expect.stringContaining("Write the message") } });
    await sleep(300);
    expect(creates()).toHaveLength(0);
  });

  it("creates the public incident, marked with ours, then says so in the channel with the public link and on the timeline", async () => {
    const view = await openForm(inc);
    const checkout = sp.components.find((c) => c.name === "Checkout")?.id as string;
    const res = await submit(view, { body: "Some card payments are failing. We are investigating.", components: [checkout] });
    expect(res.status).toBe(200);
    expect(res.text).toBe("");
    const confirmed = await says(inc, "published INC-");
    const [created] = ours();
    expect(creates()).toHaveLength(1);
    expect(created).toMatchObject({ name: "Checkout failing for card payments", status: "investigating", impact: "critical", metadata: { warroom: { incident_id: inc.id } } });
    expect(created?.incident_updates[0]?.body).toBe("Some card payments are failing. We are investigating.");
    expect(sp.components.find((c) => c.id === checkout)?.status).toBe("major_outage");
    expect(flat(confirmed)).toContain(created?.shortlink);
    expect(await h.db.publicIncident.findUniqueOrThrow({ where: { incidentId: inc.id } })).toMatchObject({ state: "open", statuspageId: created?.id, shortlink: created?.shortlink, status: "investigating", componentIds: [checkout] });
    const entry = await h.db.timelineEntry.findFirstOrThrow({ where: { incidentId: inc.id, kind: "status_page" } });
    expect(entry.text).toContain("published the incident on the status page: Investigating, critical impact: Some card payments are failing");
  });

  it("updates it on the next submission, proposing what it published, and publishes nothing twice", async () => {
    const componentReads = () => sp.requests.filter((r) => r.method === "GET" && r.path.endsWith("/components")).length;
    const reads = componentReads();
    const view = await openForm(inc);
    expect(JSON.stringify(view.blocks)).toContain(ours()[0]?.shortlink);
    expect(view.blocks.find((b) => b.block_id === "public_status")?.element?.initial_option.value).toBe("investigating");
    await submit(view, { status: "identified", body: "We found a faulty payment gateway configuration and are rolling it back." });
    await says(inc, "updated INC-");
    expect(creates()).toHaveLength(1);
    expect(patches()).toHaveLength(1);
    expect(ours()[0]).toMatchObject({ status: "identified" });
    expect(ours()[0]?.incident_updates.map((u) => u.status)).toEqual(["identified", "investigating"]);
    // the same again: the page already says it
    const again = await openForm(inc);
    // the page's components were read once for the earlier forms, and kept a minute
    expect(componentReads()).toBe(reads);
    await submit(again, { status: "identified", body: "We found a faulty payment gateway configuration and are rolling it back." });
    await says(inc, "The status page already says this");
    expect(patches()).toHaveLength(1);
    expect(await h.db.timelineEntry.count({ where: { incidentId: inc.id, kind: "status_page" } })).toBe(2);
  });

  it("on resolve asks the IC with a button, whose form resolves the public one too and the components recover", async () => {
    await h.slack.command("resolve Rolled back the gateway configuration", { user: h.users.alice.id, channel: inc.channel.id });
    const ask = await says(inc, "Resolve the public one too?");
    expect(ask.text).toContain(`<@${h.users.alice.id}>`);
    const click = await clickButton(h, inc.channel, ask, "warroom.statuspage_resolve", h.users.alice);
    expect(click.res.status).toBe(200);
    const opened = await until(() => h.fake.okCallsTo("views.open").find((c) => c.args.trigger_id === click.triggerId), 5000, "the form from the button");
    const view = opened.response.view as View;
    expect(view.blocks.find((b) => b.block_id === "public_status")?.element?.initial_option.value).toBe("resolved");
    expect(view.blocks.find((b) => b.block_id === "public_body")?.element?.initial_value).toContain("resolved");
    await submit(view, {});
    await until(() => ours()[0]?.status === "resolved", 8000, "the public incident resolved");
    expect(sp.components.every((c) => c.status === "operational")).toBe(true);
    await until(async () => (await h.db.publicIncident.findUniqueOrThrow({ where: { incidentId: inc.id } })).state === "resolved", 5000, "the resolution recorded");
    // the checklist's "Update status page to resolved" ticked itself
    await until(async () => ((await h.db.checklistItem.count({ where: { incidentId: inc.id, autoKey: "status_page", autoFired: true, doneAt: { not: null } } })) === 1 ? true : undefined), 5000, "the checklist item ticked");
    // reopened and resolved again: the public one is resolved already, so nothing is asked
    await h.slack.command("reopen Errors again", { user: h.users.alice.id, channel: inc.channel.id });
    await h.slack.command("resolve Fixed for good", { user: h.users.alice.id, channel: inc.channel.id });
    await says(inc, "Fixed for good");
    await sleep(800);
    expect(inc.channel.messages.filter((m) => m.text.includes("Resolve the public one too?"))).toHaveLength(1);
  });
});

describe("incidents the page must not hear of, or hear of carefully", () => {
  it("refuses drills, before any form", async () => {
    const res = await h.slack.command("drill sev2 Practice failover", { user: h.users.bob.id, channel: h.general.id });
    expect(res.status).toBe(200);
    const row = await until(() => h.db.incident.findFirst({ where: { title: "Practice failover" } }), 10_000, "the drill");
    const channel = await until(() => (row.channelId ? h.fake.ws.conversations.get(row.channelId) : undefined) ?? h.db.incident.findUnique({ where: { id: row.id } }).then((r) => (r?.channelId ? h.fake.ws.conversations.get(r.channelId) : undefined)), 10_000, "the drill channel");
    const opens = h.fake.okCallsTo("views.open").length;
    const cmd = await h.slack.command("statuspage", { user: h.users.bob.id, channel: channel.id });
    expect(cmd.json?.text).toContain("is a drill: drills never reach the status page");
    await sleep(300);
    expect(h.fake.okCallsTo("views.open")).toHaveLength(opens);
  });

  it("warns first, in a private incident's form, that the page is public", async () => {
    await submitDeclareForm(h, { title: "Customer data export bug", severity: "SEV2", private: true }, h.users.carol);
    const row = await until(() => h.db.incident.findFirst({ where: { title: "Customer data export bug", channelId: { not: null } } }), 10_000, "the private incident");
    const channel = h.fake.ws.conversations.get(row.channelId as string);
    const cmd = await h.slack.command("statuspage", { user: h.users.carol.id, channel: channel?.id as string });
    const opened = await until(() => h.fake.okCallsTo("views.open").find((c) => c.args.trigger_id === cmd.triggerId), 5000, "views.open");
    const first = (opened.response.view as View).blocks[0];
    expect(first?.type).toBe("section");
    expect(first?.text?.text).toContain("is private, but the status page is public");
  });

  it("works only in an incident channel", async () => {
    const cmd = await h.slack.command("statuspage", { user: h.users.alice.id, channel: h.general.id });
    expect(cmd.json?.text).toContain("works inside an incident channel");
  });
});

describe("when the page fails", () => {
  it("says a failing call in the channel, retries it, and creates one public incident", async () => {
    const inc = (await declareFast(h, "sev2 Search is slow", h.users.alice)).incident;
    const view = await openForm(inc);
    const before = creates().length;
    sp.failNext({ status: 500 }, { status: 503 });
    await submit(view, { body: "Search is slower than usual." });
    const failed = await says(inc, "The status page did not take the update");
    expect(failed.text).toContain("HTTP 500");
    await says(inc, "published INC-", 15_000);
    expect(creates().length - before).toBe(1);
    expect(inc.channel.messages.filter((m) => m.text.includes("did not take the update"))).toHaveLength(1);
    expect(ours().filter((i) => (i.metadata.warroom as { incident_id: string } | undefined)?.incident_id === inc.id)).toHaveLength(1);
  });

  it("waits as long as a 429's Retry-After says", async () => {
    const inc = (await declareFast(h, "sev3 Login emails delayed", h.users.alice)).incident;
    const view = await openForm(inc);
    sp.failNext({ status: 429, retryAfter: 2 });
    const at = Date.now();
    await submit(view, { body: "Login emails are delayed." });
    await says(inc, "published INC-", 15_000);
    const limited = sp.requests.find((r) => r.status === 429 && r.at >= at) as { at: number };
    const next = sp.requests.find((r) => r.at > limited.at && r.status !== 429) as { at: number };
    expect(next.at - limited.at).toBeGreaterThanOrEqual(1900);
  });

  it("finds its own public incident again (by the marker) instead of creating a second", async () => {
    const inc = (await declareFast(h, "sev2 Invoices not sent", h.users.alice)).incident;
    // an earlier attempt was answered by the page but not recorded (the bot died in between)
    await h.db.publicIncident.create({ data: { incidentId: inc.id, pageId: sp.pageId, state: "creating" } });
    const orphan = await fetch(`${api}pages/${sp.pageId}/incidents`, {
      method: "POST",
      headers: { authorization: `OAuth ${sp.key}`, "content-type": "application/json" },
      body: JSON.stringify({ incident: { name: "Invoices not sent", status: "investigating", body: "Invoices are delayed.", impact_override: "major", component_ids: [], components: {}, metadata: { warroom: { incident_id: inc.id } } } }),
    }).then((r) => r.json() as Promise<{ id: string }>);
    const before = creates().length;
    const view = await openForm(inc);
    await submit(view, { name: "Invoices not sent", status: "investigating", body: "Invoices are delayed.", impact: "major", components: [] });
    const said = await until(() => inc.channel.messages.find((m) => m.text.includes("on the status page")), 10_000, "the confirmation");
    expect(creates().length).toBe(before);
    expect(said.text).toContain("published");
    expect(await h.db.publicIncident.findUniqueOrThrow({ where: { incidentId: inc.id } })).toMatchObject({ statuspageId: orphan.id, state: "open" });
    expect(patches().filter((r) => r.path.endsWith(orphan.id))).toHaveLength(0);
  });

  it("says a refused key in the channel, and does not retry it", async () => {
    const inc = (await declareFast(h, "sev3 Webhook queue backlog", h.users.alice)).incident;
    const view = await openForm(inc);
    const key = sp.key;
    sp.key = "a-rotated-key";
    try {
      const before = sp.requests.length;
      await submit(view, { body: "Webhooks are delayed." });
      const refused = await says(inc, "The status page refused the update");
      expect(refused.text).toContain("the API key was refused");
      expect(refused.text).toContain("STATUSPAGE_API_KEY");
      await sleep(1500);
      expect(sp.requests.slice(before).filter((r) => r.status === 401)).toHaveLength(1);
      expect(JSON.stringify(h.logs)).not.toContain(key);
    } finally {
      sp.key = key;
    }
  });
});
