// The status page Warroom serves itself, end to end: `/incident statuspage` publishes to it (the form's
// own components, no "which page" question with one page; with both pages configured the question,
// both by default, and each one alone), the page, its incident pages, history, feed and JSON as a
// visitor reads them (a client written from Statuspage's public API documentation), ETag → 304,
// Cache-Control and CSP, only GET; nothing internal ever reaches it (a secret word planted in every
// internal field), never a drill, and resolving offers to resolve the public incident too.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import type { FakeUser } from "../../../src/local-slack/workspace.ts";
import { type FakeStatuspage, startFakeStatuspage } from "../../fake-statuspage/server.ts";
import { type Harness, startHarness } from "../../support/harness.ts";
import { clickButton, clickTake, type DeclaredIncident, declareFast, flat, says, submitDeclareForm } from "../../support/incidents.ts";
import { openStatuspageForm, type StatuspageFill, type StatuspageView, submitStatuspageForm } from "../../support/statuspage.ts";
import { sleep, until } from "../../support/wait.ts";

const CONFIG = `status_page:
  title: Acme status
  public_url: https://status.acme.test
  history_days: 30
  components:
    - { id: api, name: API }
    - { id: web, name: Website }
    - { id: eu-checkout, name: Checkout, group: Europe }
`;

// ---------- a client of Statuspage's public API (v2), from its documentation ----------

const spPage = z.object({ id: z.string(), name: z.string(), url: z.string(), time_zone: z.string(), updated_at: z.iso.datetime({ offset: true }) });
const spStatus = z.object({ indicator: z.enum(["none", "minor", "major", "critical"]), description: z.string() });
const spComponent = z.object({
  id: z.string(),
  name: z.string(),
  status: z.enum(["operational", "degraded_performance", "partial_outage", "major_outage", "under_maintenance"]),
  position: z.number().int(),
  description: z.string().nullable(),
  group_id: z.string().nullable(),
  group: z.boolean(),
  only_show_if_degraded: z.boolean(),
  page_id: z.string(),
  components: z.array(z.string()).optional(),
});
const spUpdate = z.object({
  id: z.string(),
  status: z.enum(["investigating", "identified", "monitoring", "resolved", "postmortem"]),
  body: z.string(),
  incident_id: z.string(),
  created_at: z.iso.datetime({ offset: true }),
  display_at: z.iso.datetime({ offset: true }),
  affected_components: z.array(z.object({ code: z.string(), name: z.string(), new_status: z.string() })).optional(),
});
const spIncident = z.object({
  id: z.string(),
  name: z.string(),
  status: z.enum(["investigating", "identified", "monitoring", "resolved", "postmortem"]),
  impact: z.enum(["none", "minor", "major", "critical"]),
  created_at: z.iso.datetime({ offset: true }),
  updated_at: z.iso.datetime({ offset: true }),
  resolved_at: z.iso.datetime({ offset: true }).nullable(),
  monitoring_at: z.iso.datetime({ offset: true }).nullable(),
  shortlink: z.string(),
  page_id: z.string(),
  incident_updates: z.array(spUpdate),
  components: z.array(spComponent),
});
const spSchemas = {
  "status.json": z.object({ page: spPage, status: spStatus }),
  "summary.json": z.object({ page: spPage, status: spStatus, components: z.array(spComponent), incidents: z.array(spIncident), scheduled_maintenances: z.array(z.unknown()) }),
  "components.json": z.object({ page: spPage, components: z.array(spComponent) }),
  "incidents.json": z.object({ page: spPage, incidents: z.array(spIncident) }),
  "incidents/unresolved.json": z.object({ page: spPage, incidents: z.array(spIncident) }),
};

async function readApi<K extends keyof typeof spSchemas>(h: Harness, name: K): Promise<z.output<(typeof spSchemas)[K]>> {
  const res = await fetch(`${h.url}/status/api/v2/${name}`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
  expect(res.headers.get("access-control-allow-origin")).toBe("*");
  return spSchemas[name].parse(await res.json()) as z.output<(typeof spSchemas)[K]>;
}

const get = (h: Harness, path: string, init?: RequestInit) => fetch(`${h.url}${path}`, init);
const text = async (h: Harness, path: string) => {
  const res = await get(h, path);
  expect(res.status, path).toBe(200);
  return res.text();
};

/** Everything the page serves a visitor: its pages, every incident's page, the history, the feed, the JSON. */
async function everything(h: Harness): Promise<string> {
  const parts = [await text(h, "/status"), await text(h, "/status/history"), await text(h, "/status/feed.atom")];
  for (const name of Object.keys(spSchemas)) parts.push(await text(h, `/status/api/v2/${name}`));
  const { incidents } = await readApi(h, "incidents.json");
  for (const i of incidents) parts.push(await text(h, `/status/incidents/${i.id}`));
  return parts.join("\n");
}

/** Waits until the page shows `needle` (it is rendered again right after the publication). */
const shows = (h: Harness, needle: string) => until(async () => ((await text(h, "/status")).includes(needle) ? true : undefined), 8000, `the page to show ${needle}`);

describe("the status page, alone", () => {
  let h: Harness;
  let inc: DeclaredIncident;
  const openForm = (i: DeclaredIncident, user: FakeUser = h.users.alice) => openStatuspageForm(h.fake, h.slack, i.channel.id, user);
  const submit = (view: StatuspageView, fill: StatuspageFill, user: FakeUser = h.users.alice) => submitStatuspageForm(h.fake, h.slack, view, fill, user);

  beforeAll(async () => {
    h = await startHarness({ configYaml: CONFIG });
    inc = (await declareFast(h, "sev1 Checkout failing for card payments", h.users.alice)).incident;
  });
  afterAll(async () => {
    await h?.stop();
  });

  it("says all is well before anything is published, as HTML and as JSON", async () => {
    const html = await text(h, "/status");
    expect(html).toContain("All Systems Operational");
    expect(html).toContain("Acme status");
    expect((await readApi(h, "status.json")).status).toEqual({ indicator: "none", description: "All Systems Operational" });
    const { components } = await readApi(h, "components.json");
    expect(components.map((c) => [c.id, c.status, c.group])).toEqual([
      ["api", "operational", false],
      ["web", "operational", false],
      ["eu-checkout", "operational", false],
      ["group-europe", "operational", true],
    ]);
  });

  it("opens the form with the page's own components and no question of which page", async () => {
    const view = await openForm(inc);
    const ids = view.blocks.map((b) => b.block_id);
    expect(ids).not.toContain("public_targets");
    expect(ids).not.toContain("public_components");
    const el = view.blocks.find((b) => b.block_id === "public_page_components")?.element;
    expect(el?.options.map((o: { value: string; text: { text: string } }) => [o.value, o.text.text])).toEqual([
      ["api", "API"],
      ["web", "Website"],
      ["eu-checkout", "Europe: Checkout"],
    ]);
    expect(JSON.stringify(view.blocks)).toContain("This creates an incident on Acme status");
  });

  it("publishes what the form said, says so with the public link, and the page shows it at once", async () => {
    const view = await openForm(inc);
    const res = await submit(view, { name: "Card payments failing", body: "Some card payments fail. We are investigating.", impact: "major", pageComponents: ["api", "eu-checkout"] });
    expect(res.status).toBe(200);
    const confirmed = await says(inc, "published INC-");
    const row = await h.db.statusPageIncident.findUniqueOrThrow({ where: { incidentId: inc.id } });
    expect(row.id).toMatch(/^[a-z0-9]{12}$/);
    expect(flat(confirmed)).toContain("on Acme status");
    expect(flat(confirmed)).toContain(`https://status.acme.test/status/incidents/${row.id}`);
    await shows(h, "Card payments failing");
    const summary = await readApi(h, "summary.json");
    expect(summary.status).toEqual({ indicator: "major", description: "Partial System Outage" });
    expect(Object.fromEntries(summary.components.map((c) => [c.id, c.status]))).toEqual({ api: "partial_outage", web: "operational", "eu-checkout": "partial_outage", "group-europe": "partial_outage" });
    expect(summary.incidents).toHaveLength(1);
    expect(summary.incidents[0]).toMatchObject({ id: row.id, name: "Card payments failing", status: "investigating", impact: "major", shortlink: `https://status.acme.test/status/incidents/${row.id}` });
    expect(summary.incidents[0]?.incident_updates.map((u) => u.body)).toEqual(["Some card payments fail. We are investigating."]);
    const entry = await h.db.timelineEntry.findFirstOrThrow({ where: { incidentId: inc.id, kind: "status_page" } });
    expect(entry.text).toContain("published the incident on the status page: Investigating, major impact");
  });

  it("updates it, newest first, proposing what it said, and publishes nothing twice", async () => {
    const view = await openForm(inc);
    const el = (b: string) => view.blocks.find((x) => x.block_id === b)?.element;
    expect(el("public_name")?.initial_value).toBe("Card payments failing");
    expect(el("public_impact")?.initial_option.value).toBe("major");
    expect(el("public_page_components")?.initial_options.map((o: { value: string }) => o.value)).toEqual(["api", "eu-checkout"]);
    await submit(view, { status: "identified", body: "A faulty gateway configuration; we are rolling it back." });
    await says(inc, "updated INC-");
    await shows(h, "A faulty gateway configuration");
    const [i] = (await readApi(h, "incidents/unresolved.json")).incidents;
    expect(i?.incident_updates.map((u) => u.status)).toEqual(["identified", "investigating"]);
    const page = await text(h, `/status/incidents/${i?.id}`);
    expect(page.indexOf("A faulty gateway configuration")).toBeLessThan(page.indexOf("Some card payments fail."));
    // the same again
    await submit(await openForm(inc), { status: "identified", body: "A faulty gateway configuration; we are rolling it back." });
    await says(inc, "Acme status already says this");
    expect(await h.db.statusPageUpdate.count()).toBe(2);
    // and the same submission delivered twice by Slack is one publication
    const v2 = await openForm(inc);
    await submit(v2, { status: "monitoring", body: "Rolled back; watching." });
    await submit(v2, { status: "monitoring", body: "Rolled back; watching." });
    await says(inc, "Monitoring");
    await sleep(500);
    expect(await h.db.statusPageUpdate.count()).toBe(3);
    // delivered again after its job ran: nothing is recorded, nothing said (not even "already says this")
    const [jobs, already] = [await h.db.job.count({ where: { kind: "status_page.publish" } }), inc.channel.messages.filter((m) => m.text.includes("already says this")).length];
    await submit(v2, { status: "monitoring", body: "Rolled back; watching." }).then(() => sleep(800));
    expect([await h.db.job.count({ where: { kind: "status_page.publish" } }), inc.channel.messages.filter((m) => m.text.includes("already says this")).length]).toEqual([jobs, already]);
    expect((await readApi(h, "incidents.json")).incidents[0]?.monitoring_at).not.toBeNull();
  });

  it("adds nothing when a publication's job runs again (a crash after it wrote, before it was marked done)", async () => {
    const job = await h.db.job.findFirstOrThrow({ where: { kind: "status_page.publish", incidentId: inc.id }, orderBy: { id: "desc" } });
    const confirmations = () => inc.channel.messages.filter((m) => m.text.includes("Acme status")).length;
    const [updates, entries, said] = [await h.db.statusPageUpdate.count(), await h.db.timelineEntry.count({ where: { incidentId: inc.id, kind: "status_page" } }), confirmations()];
    await h.db.job.update({ where: { id: job.id }, data: { status: "pending", dueAt: new Date(), finishedAt: null } });
    h.bot.worker.kick();
    await until(async () => ((await h.db.job.findUniqueOrThrow({ where: { id: job.id } })).status === "done" ? true : undefined), 8000, "the job run again");
    expect(await h.db.statusPageUpdate.count()).toBe(updates);
    expect(await h.db.timelineEntry.count({ where: { incidentId: inc.id, kind: "status_page" } })).toBe(entries);
    await sleep(300);
    expect(confirmations()).toBe(said);
  });

  it("writes an Atom entry per update", async () => {
    const res = await get(h, "/status/feed.atom");
    expect(res.headers.get("content-type")).toBe("application/atom+xml; charset=utf-8");
    const atom = await res.text();
    expect(atom.match(/<entry>/g)).toHaveLength(3);
    expect(atom).toContain("Card payments failing: Monitoring");
  });

  it("answers 304 to a visitor who has the page, with Cache-Control and a CSP that allows nothing from elsewhere", async () => {
    for (const path of ["/status", "/status/history", "/status/feed.atom", "/status/api/v2/summary.json"]) {
      const first = await get(h, path);
      const etag = first.headers.get("etag");
      expect(etag, path).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
      expect(first.headers.get("cache-control")).toBe("public, max-age=10, must-revalidate");
      expect(first.headers.get("content-security-policy")).toMatch(/^default-src 'none'; style-src 'sha256-/);
      expect(first.headers.get("x-content-type-options")).toBe("nosniff");
      expect(Buffer.byteLength(await first.text())).toBeLessThan(60 * 1024);
      const again = await get(h, path, { headers: { "if-none-match": `W/${etag}, "other"` } });
      expect(again.status, path).toBe(304);
      expect(await again.text()).toBe("");
      expect(again.headers.get("etag")).toBe(etag);
    }
    // a HEAD is the headers alone
    const head = await get(h, "/status", { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(Number(head.headers.get("content-length"))).toBeGreaterThan(1000);
  });

  it("is read with GET only, and says what it does not have", async () => {
    const post = await get(h, "/status", { method: "POST", body: "x".repeat(10_000) });
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET, HEAD");
    expect(await post.json()).toEqual({ error: "method_not_allowed", message: "The status page is read with GET." });
    expect((await get(h, "/status/incidents/zzzzzzzzzzzz")).status).toBe(404);
    expect((await get(h, "/status/incidents/<script>")).status).toBe(404);
    expect((await get(h, "/status/nothing-here")).status).toBe(404);
    const bad = await get(h, "/status/history?page=two");
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: "bad_request", parameter: "page" });
    expect((await get(h, "/status/history?page=9")).status).toBe(404);
    // what a link may carry along is no reason to refuse the page
    expect((await get(h, "/status?utm_source=mail")).status).toBe(200);
  });

  it("never shows a drill", async () => {
    await h.slack.command("drill sev2 Practice failover", { user: h.users.bob.id, channel: h.general.id });
    const row = await until(() => h.db.incident.findFirst({ where: { title: "Practice failover", channelId: { not: null } } }), 10_000, "the drill");
    const cmd = await h.slack.command("statuspage", { user: h.users.bob.id, channel: row.channelId as string });
    expect(cmd.json?.text).toContain("is a drill: drills never reach the status page");
    expect(await everything(h)).not.toContain("Practice failover");
  });

  it("on resolve asks whether to resolve the public incident too, and its form does", async () => {
    await h.slack.command("resolve Rolled back the gateway configuration", { user: h.users.alice.id, channel: inc.channel.id });
    const ask = await says(inc, "Resolve the public one too?");
    const click = await clickButton(h, inc.channel, ask, "warroom.statuspage_resolve", h.users.alice);
    const opened = await until(() => h.fake.okCallsTo("views.open").find((c) => c.args.trigger_id === click.triggerId), 5000, "the form from the button");
    const view = opened.response.view as StatuspageView;
    expect(view.blocks.find((b) => b.block_id === "public_status")?.element?.initial_option.value).toBe("resolved");
    await submit(view, {});
    await shows(h, "All Systems Operational");
    const summary = await readApi(h, "summary.json");
    expect(summary.incidents).toHaveLength(0);
    expect(summary.components.every((c) => c.status === "operational")).toBe(true);
    const [resolved] = (await readApi(h, "incidents.json")).incidents;
    expect(resolved).toMatchObject({ status: "resolved" });
    expect(resolved?.resolved_at).not.toBeNull();
    // the day it happened is coloured, and the time counted
    const html = await text(h, "/status");
    expect(html).toMatch(/<path class="major" d="M116 10h4"\/>/);
    expect(html).toContain("Recently resolved");
    // the checklist's "Update status page to resolved" ticked itself
    await until(async () => ((await h.db.checklistItem.count({ where: { incidentId: inc.id, autoKey: "status_page", autoFired: true, doneAt: { not: null } } })) === 1 ? true : undefined), 5000, "the checklist item ticked");
  });

  it("warns first, in a private incident's form, that the page is public", async () => {
    await submitDeclareForm(h, { title: "Customer data export bug", severity: "SEV2", private: true }, h.users.carol);
    const row = await until(() => h.db.incident.findFirst({ where: { title: "Customer data export bug", channelId: { not: null } } }), 10_000, "the private incident");
    const view = await openStatuspageForm(h.fake, h.slack, row.channelId as string, h.users.carol);
    expect(view.blocks[0]?.type).toBe("section");
    expect(view.blocks[0]?.text?.text).toContain("is private, but the status page is public");
  });

  it("shows what another bot process published, within its next look (every 5 s), without a request asking for it", async () => {
    // another replica's job wrote these rows; this process heard nothing of it
    const other = (await declareFast(h, "sev3 Exports delayed", h.users.alice)).incident;
    const at = new Date();
    await h.db.statusPageIncident.create({
      data: {
        id: "otherprocess",
        incidentId: other.id,
        name: "Exports delayed",
        status: "investigating",
        impact: "minor",
        componentIds: ["web"],
        createdAt: at,
        updatedAt: at,
        updates: { create: [{ id: "otherupdate1", status: "investigating", body: "Exports take longer than usual.", impact: "minor", componentIds: ["web"], createdAt: at, sourceKey: "other-process:1" }] },
      },
    });
    await until(async () => ((await text(h, "/status")).includes("Exports take longer than usual.") ? true : undefined), 8000, "the other process's publication on the page");
    expect(Object.fromEntries((await readApi(h, "components.json")).components.map((c) => [c.id, c.status])).web).toBe("degraded_performance");
  });

  it("never shows anything internal: a secret word planted in every internal field reaches no page, feed or JSON", async () => {
    const SECRET = "quokkasecret";
    const person = h.fake.ws.addUser(`${SECRET}-person`, { realName: `Ann ${SECRET}` });
    h.fake.ws.conversations.get(h.general.id)?.members.add(person.id);
    const secret = (await declareFast(h, `sev2 ${SECRET} internal title with the database host db-${SECRET}`, person)).incident;
    await clickTake(h, secret, "tech", person);
    await h.slack.command(`update ${SECRET} internal status summary`, { user: person.id, channel: secret.channel.id });
    await h.slack.command(`note ${SECRET} private note: the root cause is a leaked ${SECRET} key`, { user: person.id, channel: secret.channel.id });
    await h.slack.command(`action Rotate the ${SECRET} credentials`, { user: person.id, channel: secret.channel.id });
    // the form proposes the internal title: the person writes the public one
    const view = await openStatuspageForm(h.fake, h.slack, secret.channel.id, person);
    await submitStatuspageForm(h.fake, h.slack, view, { name: "Search is slow", body: "Search results take longer than usual.", impact: "minor", pageComponents: ["web"] }, person);
    await says(secret, "published INC-");
    await shows(h, "Search is slow");
    // the word is in the record: its title, channel, people, summary, note and action item
    await until(async () => ((await h.db.timelineEntry.count({ where: { incidentId: secret.id, text: { contains: SECRET } } })) >= 2 ? true : undefined), 8000, "the note and update on the timeline");
    expect(await h.db.actionItem.count({ where: { incidentId: secret.id, text: { contains: SECRET } } })).toBe(1);
    expect(secret.channel.name).toContain(SECRET);
    const all = await everything(h);
    expect(all).toContain("Search results take longer than usual.");
    for (const internal of [SECRET, secret.channel.name, person.id, h.users.alice.id, "INC-", "sev2", "SEV2", secret.id]) {
      expect(all, internal).not.toContain(internal);
    }
  });
});

describe("both status pages", () => {
  let h: Harness;
  let sp: FakeStatuspage;
  beforeAll(async () => {
    sp = await startFakeStatuspage();
    sp.addComponent("Checkout");
    h = await startHarness({ env: { STATUSPAGE_API_KEY: sp.key }, configYaml: `${CONFIG}statuspage:\n  page_id: ${sp.pageId}\n  api_url: ${sp.url}\n` });
  });
  afterAll(async () => {
    await h?.stop();
    await sp?.stop();
  });
  const creates = () => sp.writes().filter((r) => r.method === "POST");

  it("asks which page, both by default, each with its own components", async () => {
    const inc = (await declareFast(h, "sev2 Search is slow", h.users.alice)).incident;
    const view = await openStatuspageForm(h.fake, h.slack, inc.channel.id, h.users.alice);
    const targets = view.blocks.find((b) => b.block_id === "public_targets")?.element;
    expect(targets?.options.map((o: { value: string }) => o.value)).toEqual(["statuspage", "own_page"]);
    expect(targets?.initial_options.map((o: { value: string }) => o.value)).toEqual(["statuspage", "own_page"]);
    expect(view.blocks.find((b) => b.block_id === "public_components")?.label).toEqual({ type: "plain_text", text: "Affected components on Statuspage" });
    expect(view.blocks.find((b) => b.block_id === "public_page_components")?.label).toEqual({ type: "plain_text", text: "Affected components on Acme status" });
    await submitStatuspageForm(h.fake, h.slack, view, { body: "Searches are slow.", pageComponents: ["web"] }, h.users.alice);
    await says(inc, "on Acme status");
    await says(inc, "on Statuspage");
    expect(creates()).toHaveLength(1);
    await shows(h, "Searches are slow.");
  });

  it("publishes to one page alone when told, and refuses none", async () => {
    const inc = (await declareFast(h, "sev3 Exports delayed", h.users.alice)).incident;
    const view = await openStatuspageForm(h.fake, h.slack, inc.channel.id, h.users.alice);
    const none = await submitStatuspageForm(h.fake, h.slack, view, { body: "Exports are delayed.", targets: [] }, h.users.alice);
    expect(none.json).toMatchObject({ response_action: "errors", errors: { public_targets: "Pick at least one page to publish to." } });
    const before = creates().length;
    await submitStatuspageForm(h.fake, h.slack, view, { body: "Exports are delayed.", targets: ["own_page"] }, h.users.alice);
    await says(inc, "on Acme status");
    await shows(h, "Exports are delayed.");
    await sleep(500);
    expect(creates()).toHaveLength(before);
  });
});

describe("without status_page", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({});
  });
  afterAll(async () => {
    await h?.stop();
  });

  it("serves no /status path", async () => {
    for (const path of ["/status", "/status/", "/status/history", "/status/feed.atom", "/status/api/v2/summary.json"]) {
      expect((await get(h, path)).status, path).toBe(404);
    }
  });

  it("says how to set one up", async () => {
    const inc = (await declareFast(h, "sev3 Slow dashboards", h.users.alice)).incident;
    const cmd = await h.slack.command("statuspage", { user: h.users.alice.id, channel: inc.channel.id });
    expect(cmd.json?.text).toContain("status_page:");
  });
});
