// The HTTP API end to end: the token (missing, wrong, differently cased), every route, cursors and
// filters, POST with an Idempotency-Key, 400/401/404/413/422 as documented, and the CSV exports read
// back with a real CSV parser (a title full of commas, quotes, newlines and formulas).

import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../../support/harness.ts";
import { declareFast } from "../../support/incidents.ts";
import { until } from "../../support/wait.ts";

const TOKEN = "test-api-token-0123456789abcdef";
let h: Harness;

beforeAll(async () => {
  h = await startHarness({ env: { WARROOM_API_TOKEN: TOKEN }, configYaml: "announce_channel: incidents\n" });
  h.fake.ws.addChannel("incidents", {});
});
afterAll(async () => {
  await h?.stop();
});

const api = (path: string, init: RequestInit & { token?: string | null } = {}) => {
  const headers = new Headers(init.headers);
  if (init.token !== null) headers.set("authorization", `Bearer ${init.token ?? TOKEN}`);
  return fetch(`${h.url}${path}`, { ...init, headers });
};
const json = async (r: Response) => (await r.json()) as Record<string, any>;

describe("the token", () => {
  it.each([
    ["missing", null],
    ["wrong", "not-the-token-0123456789abcdef"],
    ["differently cased", TOKEN.toUpperCase()],
    ["empty", ""],
  ])("refuses a %s token with 401", async (_what, token) => {
    const r = await api("/api/v1/incidents", { token });
    expect(r.status).toBe(401);
    expect(await r.json()).toEqual({ error: "unauthorized" });
  });

  it("refuses a scheme other than Bearer", async () => {
    const r = await fetch(`${h.url}/api/v1/incidents`, { headers: { authorization: `Basic ${TOKEN}` } });
    expect(r.status).toBe(401);
  });

  it("answers 404 on every /api/ path when WARROOM_API_TOKEN is not set", async () => {
    const off = await startHarness({ database: h.database, fake: h.fake });
    try {
      for (const path of ["/api/v1/incidents", "/api/v1/stats", "/api/anything"]) {
        const r = await fetch(`${off.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
        expect(r.status).toBe(404);
        expect((await json(r)).error).toBe("not_found");
      }
    } finally {
      await off.stop();
    }
  });
});

describe("declaring through the API", () => {
  it("declares as the fast path does, the bot as declarer, and answers 201 with the record", async () => {
    const r = await api("/api/v1/incidents", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ title: "Queue consumers stalled", severity: "sev2", summary: "Lag at 40 minutes", commander: h.users.carol.id }) });
    expect(r.status).toBe(201);
    const record = await json(r);
    expect(record).toMatchObject({ title: "Queue consumers stalled", severity: "SEV2", status: "investigating", private: false, drill: false, declared_by: h.fake.ws.botUserId, roles: { ic: h.users.carol.id }, status_summary: "Lag at 40 minutes" });
    expect(record.ref).toBe(`INC-${record.number}`);
    expect(Object.keys(record.timestamps)).toEqual(["impact_started_at", "detected_at", "declared_at", "acknowledged_at", "mitigated_at", "resolved_at", "closed_at"]);
    // the incident channel follows, as for any declaration
    const row = await until(() => h.db.incident.findFirst({ where: { id: record.id, channelId: { not: null } } }), 10_000, "the channel");
    expect(row.declaredBy).toBe(h.fake.ws.botUserId);
  });

  it("returns the first answer to a retry with the same Idempotency-Key, and declares once", async () => {
    const body = JSON.stringify({ title: "Retried declaration", severity: "SEV3" });
    const send = () => api("/api/v1/incidents", { method: "POST", headers: { "content-type": "application/json", "idempotency-key": "retry-1" }, body });
    const [a, b] = await Promise.all([send(), send()]);
    const c = await send();
    expect([a.status, b.status, c.status]).toEqual([201, 201, 201]);
    const ids = new Set([(await json(a)).id, (await json(b)).id, (await json(c)).id]);
    expect(ids.size).toBe(1);
    expect(await h.db.incident.count({ where: { title: "Retried declaration" } })).toBe(1);
    const other = await api("/api/v1/incidents", { method: "POST", headers: { "content-type": "application/json", "idempotency-key": "retry-1" }, body: JSON.stringify({ title: "Something else", severity: "SEV3" }) });
    expect(other.status).toBe(422);
    expect((await json(other)).error).toBe("idempotency_key_reused");
  });

  it.each([
    [{ severity: "SEV2" }, "title"],
    [{ title: "", severity: "SEV2" }, "title"],
    [{ title: "x".repeat(201), severity: "SEV2" }, "title"],
    [{ title: "T", severity: "SEV9" }, "severity"],
    [{ title: "T", severity: "SEV2", private: "yes" }, "private"],
    [{ title: "T", severity: "SEV2", commander: "alice" }, "commander"],
    [{ title: "T", severity: "SEV2", commander: "U0NOBODY" }, "commander"],
    [{ title: "T", severity: "SEV2", colour: "red" }, "colour"],
  ])("refuses %j with 422 naming %s", async (body, field) => {
    const r = await api("/api/v1/incidents", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    expect(r.status).toBe(422);
    const e = await json(r);
    expect(e.error).toBe("invalid_request");
    expect(e.field).toBe(field);
    expect(e.message).toContain(field);
  });

  it("refuses a body that is not JSON (400) or over 1 MB (413), and changes nothing", async () => {
    const before = await h.db.incident.count();
    const bad = await api("/api/v1/incidents", { method: "POST", headers: { "content-type": "application/json" }, body: "{nope" });
    expect(bad.status).toBe(400);
    expect((await json(bad)).error).toBe("invalid_json");
    const big = await api("/api/v1/incidents", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ title: "x", severity: "SEV2", summary: "y".repeat(1_100_000) }) });
    expect(big.status).toBe(413);
    expect((await json(big)).error).toBe("payload_too_large");
    expect(await h.db.incident.count()).toBe(before);
  });
});

describe("reading incidents", () => {
  beforeAll(async () => {
    for (const t of ["Alpha", "Bravo", "Charlie", "Delta", "Echo"]) await declareFast(h, `sev3 Paging ${t}`, h.users.alice);
  });

  it("lists newest first, a page at a time, with a cursor to the next", async () => {
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const r = await api(`/api/v1/incidents?limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      expect(r.status).toBe(200);
      const page = await json(r);
      expect(page.incidents.length).toBeLessThanOrEqual(2);
      seen.push(...page.incidents.map((i: { number: number }) => i.number));
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen).toEqual([...seen].sort((a, b) => b - a));
    expect(seen.length).toBe(await h.db.incident.count({ where: { isDrill: false } }));
    expect(new Set(seen).size).toBe(seen.length);
  });

  it("filters by status, time and drills", async () => {
    const inc = await declareFast(h, "sev3 Resolved one", h.users.alice);
    await h.slack.command("resolve Fixed", { user: h.users.alice.id, channel: inc.incident.channel.id });
    await h.slack.command("drill sev3 Practice run", { user: h.users.alice.id, channel: h.general.id });
    await until(() => h.db.incident.findFirst({ where: { title: "Practice run" } }), 5000, "the drill");
    const resolved = await json(await api("/api/v1/incidents?status=resolved"));
    expect(resolved.incidents.map((i: { title: string }) => i.title)).toContain("Resolved one");
    expect(resolved.incidents.every((i: { status: string }) => i.status === "resolved")).toBe(true);
    const open = await json(await api("/api/v1/incidents?status=open&limit=500"));
    expect(open.incidents.some((i: { title: string }) => i.title === "Resolved one")).toBe(false);
    expect((await json(await api("/api/v1/incidents?limit=500"))).incidents.some((i: { drill: boolean }) => i.drill)).toBe(false);
    const only = await json(await api("/api/v1/incidents?drills=only"));
    expect(only.incidents.map((i: { title: string }) => i.title)).toEqual(["Practice run"]);
    const future = await json(await api(`/api/v1/incidents?since=${new Date(Date.now() + 3_600_000).toISOString()}`));
    expect(future.incidents).toEqual([]);
    const past = await json(await api("/api/v1/incidents?until=2000-01-01"));
    expect(past).toEqual({ incidents: [], next_cursor: null });
  });

  it.each([
    ["status=pending", "status"],
    ["limit=0", "limit"],
    ["limit=501", "limit"],
    ["limit=ten", "limit"],
    ["since=yesterday", "since"],
    ["drills=maybe", "drills"],
    ["cursor=garbage", "cursor"],
    ["colour=red", "colour"],
  ])("refuses ?%s with 400 naming it", async (query, name) => {
    const r = await api(`/api/v1/incidents?${query}`);
    expect(r.status).toBe(400);
    const e = await json(r);
    expect(e.error).toBe("bad_request");
    expect(e.message).toContain(`"${name}"`);
  });

  it("gives the whole record of one incident, by 12 or INC-12", async () => {
    const { incident } = await declareFast(h, "sev2 Whole record", h.users.bob);
    await h.slack.command("note Found the bad config", { user: h.users.bob.id, channel: incident.channel.id });
    await h.slack.command("update Rolled back", { user: h.users.bob.id, channel: incident.channel.id });
    await h.slack.command(`action Add a canary <@${h.users.bob.id}> due 2026-12-31`, { user: h.users.bob.id, channel: incident.channel.id });
    for (const ref of [String(incident.number), `INC-${incident.number}`, `inc-${incident.number}`]) {
      const r = await api(`/api/v1/incidents/${ref}`);
      expect(r.status).toBe(200);
      const rec = await json(r);
      expect(rec).toMatchObject({ id: incident.id, number: incident.number, ref: `INC-${incident.number}`, title: "Whole record", severity: "SEV2", channel: { id: incident.channel.id, name: incident.channel.name }, roles: { ic: h.users.bob.id, tech_lead: null, comms_lead: null, scribe: null }, responders: [] });
      for (const key of ["timestamps", "timestamp_sources", "durations", "punctuality", "updates", "timeline", "action_items", "postmortem", "alerts", "checklist"]) expect(rec).toHaveProperty(key);
      expect(rec.updates.map((u: { text: string }) => u.text)).toEqual(["Rolled back"]);
      expect(rec.timeline.some((e: { text: string }) => e.text === "Found the bad config")).toBe(true);
      expect(rec.action_items).toEqual([expect.objectContaining({ number: 1, text: "Add a canary", owner: h.users.bob.id, due: "2026-12-31", priority: "P2", status: "open" })]);
      expect(rec.durations).toEqual({ time_to_detect_s: 0, time_to_acknowledge_s: 0, time_to_mitigate_s: null, time_to_resolve_s: null });
      expect(rec.timestamp_sources.detected_at).toBe("auto");
    }
    for (const missing of ["999999", "INC-999999", "nope"]) {
      const r = await api(`/api/v1/incidents/${missing}`);
      expect(r.status).toBe(404);
      expect((await json(r)).error).toBe("not_found");
    }
  });

  it("answers the stats as /incident stats counts them", async () => {
    const r = await api("/api/v1/stats?period=all");
    expect(r.status).toBe(200);
    const s = await json(r);
    expect(s.period).toBe("all");
    expect(s.total).toBe(await h.db.incident.count({ where: { isDrill: false } }));
    expect(s.durations.time_to_resolve.n).toBeGreaterThan(0);
    expect((await api("/api/v1/stats?period=1y")).status).toBe(400);
  });

  it("answers 404 for an unknown route and 405 for a wrong method", async () => {
    expect((await api("/api/v1/nothing")).status).toBe(404);
    const r = await api("/api/v1/stats", { method: "DELETE" });
    expect(r.status).toBe(405);
    expect((await json(r)).error).toBe("method_not_allowed");
  });
});

describe("the CSV exports", () => {
  // a title is one line (a line break becomes a space, as in the form): the break is in an action item below
  const nasty = '=cmd|\' /C calc\'!A0, "quoted", and; more';

  it("streams one row per incident with the documented columns, read back by a CSV parser, formulas defused", async () => {
    await api("/api/v1/incidents", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ title: nasty, severity: "SEV3" }) });
    await api("/api/v1/incidents", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ title: "+1 for formulas", severity: "SEV3" }) });
    await api("/api/v1/incidents", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ title: "@mention and -dash", severity: "SEV3" }) });
    const r = await api("/api/v1/incidents.csv");
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toMatch(/^text\/csv/);
    const text = await r.text();
    const rows = parse<Record<string, string>>(text, { columns: true });
    expect(Object.keys(rows[0] ?? {})).toEqual([
      "number", "title", "severity", "status", "private", "drill", "declared_by", "impact_started_at", "detected_at", "declared_at", "acknowledged_at", "mitigated_at", "resolved_at", "closed_at",
      "time_to_detect_s", "time_to_acknowledge_s", "time_to_mitigate_s", "time_to_resolve_s", "punctuality", "channel_id",
    ]);
    expect(rows).toHaveLength(await h.db.incident.count({ where: { isDrill: false } }));
    const titles = rows.map((x) => x.title);
    // the title survives commas, quotes and newlines, with a ' in front so it is not a formula
    expect(titles).toContain(`'${nasty}`);
    expect(titles).toContain("'+1 for formulas");
    expect(titles).toContain("'@mention and -dash");
    expect(rows.some((x) => x.drill === "true")).toBe(false);
    const resolved = rows.find((x) => x.title === "Resolved one");
    expect(resolved?.status).toBe("resolved");
    expect(Number(resolved?.time_to_resolve_s)).toBeGreaterThanOrEqual(0);
    expect(resolved?.resolved_at).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    const drills = parse<Record<string, string>>(await (await api("/api/v1/incidents.csv?drills=only")).text(), { columns: true });
    expect(drills.map((x) => x.title)).toEqual(["Practice run"]);
  });

  it("streams the action items, a text across lines and with quotes read back whole", async () => {
    const inc = await declareFast(h, "sev3 Action items export", h.users.alice);
    await h.slack.command(`action =HYPERLINK("x"), then\nsecond line, "quoted" <@${h.users.bob.id}>`, { user: h.users.alice.id, channel: inc.incident.channel.id });
    const r = await api("/api/v1/action-items.csv");
    expect(r.status).toBe(200);
    const rows = parse<Record<string, string>>(await r.text(), { columns: true });
    expect(Object.keys(rows[0] ?? {})).toEqual(["incident", "number", "text", "owner", "due", "priority", "status", "created_at", "done_at"]);
    expect(rows.find((x) => x.text === "Add a canary")).toMatchObject({ number: "1", due: "2026-12-31", priority: "P2", status: "open", done_at: "" });
    expect(rows.find((x) => x.incident === `INC-${inc.incident.number}`)).toMatchObject({ text: `'=HYPERLINK("x"), then\nsecond line, "quoted"`, owner: h.users.bob.id });
  });
});
