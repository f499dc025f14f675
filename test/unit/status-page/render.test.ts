// The status page's documents from its view, without a server: what the page says (overall state,
// components, open incidents newest update first, the bars and shares), every published field
// escaped wherever it lands (HTML, JSON, Atom) with the usual XSS payloads, every page under 60 KB
// however much was published, and the JSON in Statuspage's public shape.

import { describe, expect, it } from "vitest";
import type { StatusPageSettings } from "../../../src/config/sections/status-page.ts";
import { escapedLength, PAGE_CSP, renderFeed, renderHistory, renderHome, renderIncident, renderJson, historyPages } from "../../../src/pages/status/render.ts";
import { buildView, type PageIncidentData } from "../../../src/pages/status/view.ts";

const NOW = new Date("2026-12-07T12:00:00Z");
const H = 3_600_000;

const settings: StatusPageSettings = {
  title: "Acme status",
  publicUrl: "https://status.acme.test",
  historyDays: 90,
  components: [
    { id: "api", name: "API" },
    { id: "web", name: "Website" },
    { id: "eu-checkout", name: "Checkout", group: "Europe" },
    { id: "eu-search", name: "Search", group: "Europe" },
  ],
};

let n = 0;
function incident(opts: { name?: string; updates: { at: Date; status: string; body?: string; impact?: string; components?: string[] }[] }): PageIncidentData {
  n++;
  const id = `inc${String(n).padStart(9, "0")}`;
  const updates = opts.updates.map((u, i) => ({ id: `upd${String(n).padStart(5, "0")}${String(i).padStart(4, "0")}`, status: u.status, body: u.body ?? `update ${i}`, impact: u.impact ?? "major", componentIds: u.components ?? ["api"], createdAt: u.at }));
  const last = updates.at(-1);
  if (!last) throw new Error("an incident has an update");
  const resolved = updates.find((u) => u.status === "resolved");
  return { id, name: opts.name ?? `Incident ${n}`, status: last.status, impact: last.impact, componentIds: last.componentIds, createdAt: updates[0]?.createdAt ?? NOW, updatedAt: last.createdAt, resolvedAt: resolved?.createdAt ?? null, updates };
}

describe("the page", () => {
  const open = incident({
    name: "Slow API responses",
    updates: [
      { at: new Date(NOW.getTime() - 2 * H), status: "investigating", body: "We are looking into slow responses.", impact: "minor", components: ["api"] },
      { at: new Date(NOW.getTime() - H), status: "identified", body: "A database is overloaded; we are adding capacity.", impact: "major", components: ["api", "eu-checkout"] },
    ],
  });
  const old = incident({
    name: "Website down",
    updates: [
      { at: new Date(NOW.getTime() - 50 * H), status: "investigating", impact: "critical", components: ["web"] },
      { at: new Date(NOW.getTime() - 48 * H), status: "resolved", body: "Fixed.", impact: "critical", components: ["web"] },
    ],
  });
  const view = buildView(settings, "UTC", [open, old], NOW);

  it("says the worst open impact overall, each component's state, its group's, and the open incident's newest update first", async () => {
    expect(view.indicator).toBe("major");
    expect(view.description).toBe("Partial System Outage");
    const state = Object.fromEntries(view.components.map((c) => [c.id, c.state]));
    expect(state).toEqual({ api: "partial_outage", web: "operational", "eu-checkout": "partial_outage", "eu-search": "operational" });
    expect(view.groups.map((g) => [g.name, g.state])).toEqual([
      [null, "partial_outage"],
      ["Europe", "partial_outage"],
    ]);
    const html = await renderHome(view);
    expect(html).toContain("Partial System Outage");
    expect(html.indexOf("A database is overloaded")).toBeGreaterThan(0);
    // the list shows the latest update; the earlier one is on the incident's page
    expect(html).not.toContain("We are looking into slow responses.");
    expect(html).toContain("1 earlier update");
    expect(html).toContain(`/status/incidents/${open.id}`);
    const page = await renderIncident(view, view.incidents[0] as never);
    expect(page.indexOf("A database is overloaded")).toBeLessThan(page.indexOf("We are looking into slow responses."));
  });

  it("colours the days an incident touched and counts the time without one", () => {
    const api = view.components.find((c) => c.id === "api");
    const web = view.components.find((c) => c.id === "web");
    // the open incident: today, minor then major; the worst of the day is drawn
    expect(api?.bars.map((b) => b.impact)).toEqual(["major"]);
    expect(api?.bars[0]?.d).toBe(`M${89 * 4} 10h4`);
    expect(web?.bars.map((b) => b.impact)).toEqual(["critical"]);
    // 2 h of the window (89 days and 12 hours) affected the api
    const windowH = 89 * 24 + 12;
    expect(api?.percent).toBe((Math.floor(((windowH - 2) / windowH) * 10_000) / 100).toFixed(2));
    expect(web?.daysSaid).toBe("Dec 5: major outage for 2 h");
  });

  it("allows no script and nothing from elsewhere", async () => {
    const html = await renderHome(view);
    expect(html).not.toMatch(/<script|javascript:|https?:\/\/(?!status\.acme\.test)/i);
    expect(PAGE_CSP).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'; /);
    expect(PAGE_CSP).not.toContain("unsafe");
    expect(html).not.toMatch(/ style="/);
  });

  it("gives the JSON Statuspage's public shape", () => {
    const json = renderJson(view);
    const summary = JSON.parse(json.summary);
    expect(summary.page).toEqual({ id: "warroom", name: "Acme status", url: "https://status.acme.test/status", time_zone: "UTC", updated_at: open.updatedAt.toISOString() });
    expect(summary.status).toEqual({ indicator: "major", description: "Partial System Outage" });
    expect(summary.scheduled_maintenances).toEqual([]);
    expect(summary.incidents.map((i: { id: string }) => i.id)).toEqual([open.id]);
    const [i] = summary.incidents;
    expect(i).toMatchObject({ name: "Slow API responses", status: "identified", impact: "major", shortlink: `https://status.acme.test/status/incidents/${open.id}`, resolved_at: null });
    expect(i.incident_updates[0]).toMatchObject({ status: "identified", body: "A database is overloaded; we are adding capacity.", incident_id: open.id });
    expect(i.incident_updates[0].affected_components).toEqual([
      { code: "api", name: "API", old_status: null, new_status: "partial_outage" },
      { code: "eu-checkout", name: "Checkout", old_status: null, new_status: "partial_outage" },
    ]);
    const group = summary.components.find((c: { group: boolean }) => c.group);
    expect(group).toMatchObject({ id: "group-europe", name: "Europe", components: ["eu-checkout", "eu-search"], status: "partial_outage" });
    expect(summary.components.find((c: { id: string }) => c.id === "eu-search")).toMatchObject({ group_id: "group-europe", status: "operational", group: false });
    expect(JSON.parse(json.unresolved).incidents).toHaveLength(1);
    expect(JSON.parse(json.incidents).incidents.map((x: { id: string }) => x.id)).toEqual([open.id, old.id]);
  });

  it("says All Systems Operational when nothing is open", () => {
    const calm = buildView(settings, "UTC", [old], NOW);
    expect(calm.indicator).toBe("none");
    expect(JSON.parse(renderJson(calm).status).status).toEqual({ indicator: "none", description: "All Systems Operational" });
  });

  it("writes an Atom entry per update, newest first", () => {
    const atom = renderFeed(view);
    expect(atom.startsWith("<?xml")).toBe(true);
    expect(atom.match(/<entry>/g)).toHaveLength(4);
    expect(atom.indexOf("Slow API responses: Identified")).toBeLessThan(atom.indexOf("Slow API responses: Investigating"));
    expect(atom).toContain(`<link href="https://status.acme.test/status/incidents/${open.id}"`);
  });
});

describe("text typed into the form", () => {
  const PAYLOADS = [
    `<script>alert(1)</script>`,
    `"><img src=x onerror=alert(1)>`,
    `'><svg onload=alert(1)>`,
    `javascript:alert(1)`,
    `</title><script>alert(1)</script>`,
    `{{ 7 | times: 7 }}{% raw %}`,
    `]]><x>&amp;`,
  ];
  const evil = PAYLOADS.join(" ");
  const i = incident({ name: evil, updates: [{ at: new Date(NOW.getTime() - H), status: "investigating", body: evil, impact: "critical", components: ["api"] }] });
  const view = buildView({ ...settings, title: `Acme ${PAYLOADS[0]}` }, "UTC", [i], NOW);

  it("never becomes markup in any page", async () => {
    const pages = [await renderHome(view), await renderIncident(view, view.incidents[0] as never), await renderHistory(view, 1)];
    for (const html of pages) {
      expect(html).not.toContain("<script>");
      expect(html).not.toContain("<img");
      expect(html).not.toContain("<svg onload");
      expect(html).not.toContain("</title><script>");
      expect(html).toContain("{{ 7 | times: 7 }}{% raw %}");
      expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    }
    // the incident's own page has the message whole
    expect(pages[1]).toContain("&#34;&gt;&lt;img src=x onerror=alert(1)&gt; &#39;&gt;&lt;svg onload=alert(1)&gt; javascript:alert(1) &lt;/title&gt;");
  });

  it("stays text in the JSON and the feed", () => {
    const summary = JSON.parse(renderJson(view).summary);
    expect(summary.incidents[0].name).toBe(evil);
    expect(summary.incidents[0].incident_updates[0].body).toBe(evil);
    const atom = renderFeed(view);
    expect(atom).not.toContain("<script>");
    expect(atom).not.toContain("<img");
    expect(atom).toContain("&lt;script&gt;");
  });
});

describe("sizes", () => {
  const KB = 1024;
  it("keeps every page under 60 KB with 50 components, 1,000 incidents and the longest messages", async () => {
    const many: StatusPageSettings = { ...settings, components: Array.from({ length: 50 }, (_, k) => ({ id: `c${k}`, name: `Component ${k} ${"x".repeat(60)}`, ...(k % 5 ? { group: `Group ${Math.floor(k / 5)}` } : {}) })) };
    const long = "<&>\"'".repeat(600);
    const list: PageIncidentData[] = [];
    for (let k = 0; k < 1000; k++) {
      const at = new Date(NOW.getTime() - (k * 2 + 1) * H);
      const isOpen = k < 20;
      list.push(
        incident({
          name: `${"N".repeat(190)} ${k}`,
          updates: [
            { at, status: "investigating", body: long, impact: "critical", components: [`c${k % 50}`, `c${(k + 7) % 50}`] },
            ...(isOpen ? [] : [{ at: new Date(at.getTime() + H / 2), status: "resolved", body: long, impact: "critical", components: [`c${k % 50}`] }]),
          ],
        }),
      );
    }
    // and one incident with a hundred of the longest updates
    const chatty = incident({ name: "Chatty", updates: Array.from({ length: 100 }, (_, k) => ({ at: new Date(NOW.getTime() - (100 - k) * 60_000), status: "identified", body: long, impact: "major", components: ["c1"] })) });
    list.push(chatty);
    const view = buildView(many, "Europe/Paris", list, NOW);
    const sizes: Record<string, number> = {
      home: Buffer.byteLength(await renderHome(view)),
      chatty: Buffer.byteLength(await renderIncident(view, view.incidents.find((x) => x.name === "Chatty") as never)),
      history1: Buffer.byteLength(await renderHistory(view, 1)),
      historyLast: Buffer.byteLength(await renderHistory(view, historyPages(view))),
    };
    // the feed is not a page, but it is bounded too: the newest updates whole, then cut
    const feed = renderFeed(view);
    expect(Buffer.byteLength(feed)).toBeLessThan(100 * KB);
    expect(feed.match(/<entry>/g)?.length).toBeGreaterThanOrEqual(20);
    for (const [page, size] of Object.entries(sizes)) expect(size, page).toBeLessThan(60 * KB);
    expect(historyPages(view)).toBeGreaterThan(1);
  });

  it("measures a message as escaped", () => {
    expect(escapedLength("a<b")).toBe(6);
    expect(escapedLength('"')).toBe(6);
    expect(escapedLength("é")).toBe(2);
  });
});
