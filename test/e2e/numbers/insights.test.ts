// The insights page end to end: 404 while WARROOM_API_TOKEN is unset; a browser is sent to the sign-in
// form, signs in (a cookie that is HttpOnly, SameSite=Strict, Secure over HTTPS, and not the token),
// and reads the charts; a forged or stale cookie is refused; a bearer token works; wrong tokens are
// limited per address; filters are checked (400 with the reason); each chart has its CSV; and the
// numbers are the same as /incident stats', /api/v1/stats' and the digest's for the same incidents.

import { randomUUID } from "node:crypto";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sessionValue, SIGNIN_FAILURES, validSession } from "../../../src/edge/insights/index.ts";
import type { FakeConversation } from "../../../src/local-slack/workspace.ts";
import { type Harness, startHarness } from "../../support/harness.ts";
import { flat } from "../../support/incidents.ts";
import { until } from "../../support/wait.ts";

const TOKEN = "test-insights-token-0123456789abcdef";
let h: Harness;
let cookie = "";
let digests: FakeConversation;

const get = (path: string, init: RequestInit = {}) => fetch(`${h.url}${path}`, { redirect: "manual", ...init });
const signedIn = (path: string) => get(path, { headers: { cookie } });

async function seed(): Promise<void> {
  const now = Date.now();
  const teamId = h.fake.ws.teamId;
  const H = 3_600_000;
  const rows = [
    { sev: "SEV1", ageH: 24 * 3, ackMin: 4, mitMin: 30, resMin: 90, drill: false, source: "alertmanager", service: "checkout" },
    { sev: "SEV2", ageH: 24 * 10, ackMin: 10, mitMin: 60, resMin: 200, drill: false, source: "alertmanager", service: "checkout" },
    { sev: "SEV2", ageH: 24 * 40, ackMin: 2, mitMin: 20, resMin: 45, drill: false, source: "pagerduty", service: "search" },
    { sev: "SEV3", ageH: 24 * 70, ackMin: 30, mitMin: 120, resMin: 600, drill: false, source: null, service: null },
    { sev: "SEV1", ageH: 24 * 5, ackMin: 1, mitMin: 5, resMin: 10, drill: true, source: null, service: null },
  ];
  for (const [k, r] of rows.entries()) {
    const declaredAt = new Date(now - r.ageH * H);
    const id = randomUUID();
    await h.db.incident.create({
      data: {
        id,
        teamId,
        number: 900 + k,
        title: `Seeded ${k}`,
        severity: r.sev,
        status: "resolved",
        isDrill: r.drill,
        declaredBy: h.users.alice.id,
        declaredAt,
        declareKey: `seed:${k}`,
        acknowledgedAt: new Date(declaredAt.getTime() + r.ackMin * 60_000),
        mitigatedAt: new Date(declaredAt.getTime() + r.mitMin * 60_000),
        resolvedAt: new Date(declaredAt.getTime() + r.resMin * 60_000),
        punctKept: 2,
        punctMissed: k % 2,
      },
    });
    await h.db.actionItem.create({ data: { incidentId: id, number: 1, text: "Follow up", dueDate: new Date(declaredAt.getTime() + 2 * 86_400_000), status: k % 2 ? "done" : "open", doneAt: k % 2 ? new Date(declaredAt.getTime() + 86_400_000) : null, createdBy: h.users.alice.id, createdAt: declaredAt } });
    if (r.source) {
      await h.db.alertGroup.create({ data: { id: randomUUID(), teamId, source: r.source, groupKey: `g${k}`, status: "declared", incidentId: id, title: "High error rate", alertName: "HighErrorRate", commonLabels: { service: r.service } } });
    }
  }
}

beforeAll(async () => {
  // a digest once a year (1 January): the one posted by hand below covers this year, all the seeded incidents
  h = await startHarness({ env: { WARROOM_API_TOKEN: TOKEN }, configYaml: "announce_channel: incidents\ndigest:\n  cron: '0 0 1 1 *'\n  channel: digests\n" });
  digests = h.fake.ws.addChannel("digests", { members: [h.fake.ws.botUserId] });
  await seed();
});
afterAll(async () => {
  await h?.stop();
});

describe("signing in", () => {
  it("sends a browser to the sign-in form, and anything else gets a 401", async () => {
    const page = await get("/insights", { headers: { accept: "text/html" } });
    expect(page.status).toBe(303);
    expect(page.headers.get("location")).toBe("/insights/signin");
    const api = await get("/insights");
    expect(api.status).toBe(401);
    expect(await api.json()).toEqual({ error: "unauthorized" });
    const form = await get("/insights/signin");
    expect(form.status).toBe(200);
    const html = await form.text();
    expect(html).toContain('<form method="post" action="/insights/signin">');
    expect(html).toContain('type="password" name="token"');
    expect(form.headers.get("content-security-policy")).toMatch(/^default-src 'none'; style-src 'sha256-[^']+'; img-src 'self'; form-action 'self'/);
  });

  it("signs in with the token: a cookie holding a signed, expiring value, HttpOnly and SameSite=Strict; Secure over HTTPS", async () => {
    const res = await get("/insights/signin", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ token: TOKEN }) });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/insights");
    const set = res.headers.get("set-cookie") ?? "";
    expect(set).toMatch(/^warroom_insights=\d+\.[A-Za-z0-9_-]{43}; Path=\/insights; Max-Age=43200; HttpOnly; SameSite=Strict$/);
    expect(set).not.toContain(TOKEN);
    cookie = set.split(";")[0] as string;
    const secure = await get("/insights/signin", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", "x-forwarded-proto": "https" }, body: new URLSearchParams({ token: TOKEN }) });
    expect(secure.headers.get("set-cookie")).toMatch(/; Secure$/);
    expect((await signedIn("/insights")).status).toBe(200);
  });

  it("refuses a forged, altered or expired session, and one made with another token", async () => {
    const exp = Math.floor(Date.now() / 1000) + 3600;
    const [, sig] = sessionValue(TOKEN, exp).split(".");
    for (const value of [`${exp + 1}.${sig}`, sessionValue("another-token", exp), sessionValue(TOKEN, Math.floor(Date.now() / 1000) - 1), "1.x", TOKEN]) {
      const res = await get("/insights", { headers: { cookie: `warroom_insights=${value}` } });
      expect(res.status, value).toBe(401);
    }
    expect(validSession(sessionValue(TOKEN, exp), TOKEN, Date.now())).toBe(true);
  });

  it("takes a bearer token too", async () => {
    expect((await get("/insights", { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    expect((await get("/insights", { headers: { authorization: "Bearer wrong" } })).status).toBe(401);
  });

  it("signs out", async () => {
    const res = await get("/insights/signout", { method: "POST", headers: { cookie } });
    expect(res.status).toBe(303);
    expect(res.headers.get("set-cookie")).toMatch(/^warroom_insights=; Path=\/insights; Max-Age=0; HttpOnly; SameSite=Strict/);
  });
});

describe("the page", () => {
  it("draws each chart with its table and CSV link, and no script", async () => {
    const res = await signedIn("/insights");
    const html = await res.text();
    expect(html).not.toMatch(/<script|javascript:/i);
    for (const title of ["Incidents per week, by severity", "Time to acknowledge, per month", "Time to mitigate, per month", "Time to resolve, per month", "Update punctuality, per month", "Action items done by their due date", "Alert sources that opened most incidents", "Services that opened most incidents"]) {
      expect(html, title).toContain(title);
    }
    expect(html.match(/<svg class="chart"/g)).toHaveLength(8);
    expect(html.match(/<table>/g)).toHaveLength(8);
    for (const id of ["weekly", "acknowledge", "mitigate", "resolve", "punctuality", "action-items", "sources", "services"]) expect(html).toContain(`href="/insights/${id}.csv?range=90"`);
    // 4 real incidents in the last 90 days (the drill apart)
    expect(html).toContain("<b>4</b><span>incidents declared</span>");
    expect(html).not.toContain("Seeded");
  });

  it("gives each chart's numbers as CSV", async () => {
    const weekly = parse(await (await signedIn("/insights/weekly.csv?range=90")).text());
    expect(weekly[0]).toEqual(["Week of", "SEV1", "SEV2", "SEV3", "SEV4", "Total"]);
    expect(weekly).toHaveLength(27);
    expect(weekly.slice(1).reduce((s, r) => s + Number(r.at(-1)), 0)).toBe(4);
    const sources = parse(await (await signedIn("/insights/sources.csv?range=90")).text());
    expect(sources).toEqual([
      ["Alert source", "Incidents opened"],
      ["alertmanager", "2"],
      ["pagerduty", "1"],
    ]);
    const services = parse(await (await signedIn("/insights/services.csv?range=30")).text());
    expect(services.slice(1)).toEqual([["checkout", "2"]]);
    // punctuality per month: each real incident kept 2 and missed k % 2 (k = 0…3)
    const punctuality = parse(await (await signedIn("/insights/punctuality.csv?range=90")).text());
    expect(punctuality[0]).toEqual(["Month", "Kept", "Missed", "Punctuality (%)"]);
    expect(punctuality.slice(1).reduce((s: number, r: string[]) => s + Number(r[1]), 0)).toBe(8);
    expect(punctuality.slice(1).reduce((s: number, r: string[]) => s + Number(r[2]), 0)).toBe(2);
    // action items: one per real incident, due two days after it; those of k = 1 and 3 done the next day
    const items = parse(await (await signedIn("/insights/action-items.csv?range=90")).text());
    expect(items[0]).toEqual(["Month due", "Due", "Done by then", "Share (%)"]);
    expect(items.slice(1).reduce((s: number, r: string[]) => s + Number(r[1]), 0)).toBe(4);
    expect(items.slice(1).reduce((s: number, r: string[]) => s + Number(r[2]), 0)).toBe(2);
    // time to acknowledge: every real incident has one
    const acknowledge = parse(await (await signedIn("/insights/acknowledge.csv?range=90")).text());
    expect(acknowledge.slice(1).reduce((s: number, r: string[]) => s + Number(r[1]), 0)).toBe(4);
    const resolve = parse(await (await signedIn("/insights/resolve.csv?range=30")).text());
    expect(resolve[0]).toEqual(["Month", "Incidents with it", "p50 (seconds)", "p90 (seconds)"]);
  });

  it("shows the drills on their own, never mixed in, and one severity alone", async () => {
    const drills = parse(await (await signedIn("/insights/summary.csv?range=30&drills=only")).text());
    expect(drills.find((r) => r[0] === "incidents")?.[1]).toBe("1");
    const sev2 = parse(await (await signedIn("/insights/summary.csv?range=90&severity=SEV2")).text());
    expect(sev2.find((r) => r[0] === "incidents")?.[1]).toBe("2");
    expect(await (await signedIn("/insights?drills=only")).text()).toContain("Drills, on their own");
  });

  it.each([
    ["range=45", "range", "must be 30, 90 or 365"],
    ["severity=sev9", "severity", "must be one of SEV1, SEV2, SEV3, SEV4"],
    ["drills=maybe", "drills", "must be exclude"],
    ["colour=red", "colour", "Unknown query parameter"],
  ])("refuses %s with a 400 saying why", async (q, parameter, why) => {
    const res = await signedIn(`/insights?${q}`);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; message: string };
    expect(body.error).toBe("bad_request");
    expect(body.message).toContain(parameter);
    expect(body.message).toContain(why);
  });

  it("has the same numbers as /incident stats, /api/v1/stats and the digest", async () => {
    const summary = Object.fromEntries((parse(await (await signedIn("/insights/summary.csv?range=90")).text())).slice(1).map((r) => [r[0], r.slice(1)]));
    const api = (await (await get("/api/v1/stats?period=90d", { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as Record<string, any>;
    expect(Number(summary.incidents?.[0])).toBe(api.total);
    for (const d of ["time_to_detect", "time_to_acknowledge", "time_to_mitigate", "time_to_resolve"]) {
      expect(summary[d], d).toEqual([String(api.durations[d].n), String(api.durations[d].p50 ?? ""), String(api.durations[d].p90 ?? "")]);
    }
    expect(Number(summary.punctuality_kept?.[0])).toBe(api.punctuality.kept);
    expect(Number(summary.punctuality_missed?.[0])).toBe(api.punctuality.missed);
    expect([summary.action_items_open?.[0], summary.action_items_overdue?.[0], summary.action_items_done?.[0]].map(Number)).toEqual([api.actionItems.open, api.actionItems.overdue, api.actionItems.done]);
    const slack = JSON.stringify((await h.slack.command("stats 90d", { user: h.users.bob.id, channel: h.general.id })).json);
    expect(slack).toContain(`Incidents in the last 90 days: ${api.total}`);
    expect(slack).toContain(`(n = ${api.durations.time_to_resolve.n})`);
    // and the digest, over this year (every seeded incident is in it, as in the year's insights)
    const year = Object.fromEntries(parse(await (await signedIn("/insights/summary.csv?range=365")).text()).slice(1).map((r: string[]) => [r[0], r.slice(1)]));
    await h.db.job.create({ data: { kind: "digest.post", payload: { at: new Date().toISOString() }, dueAt: new Date() } });
    h.bot.worker.kick();
    const digest = flat(await until(() => digests.messages.find((m) => m.text.startsWith("Incident digest")), 10_000, "the digest"));
    expect(digest).toContain(`Incident digest: ${year.incidents?.[0]} declared since`);
    expect(digest).toContain(`(n = ${year.time_to_resolve?.[0]})`);
  });

  it("limits wrong tokens per address", async () => {
    for (let k = 0; k < SIGNIN_FAILURES; k++) {
      const res = await get("/insights/signin", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "token=wrong" });
      expect(res.status).toBe(401);
      expect(await res.text()).toContain("That is not the API token.");
    }
    const limited = await get("/insights/signin", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ token: TOKEN }) });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
  });
});

describe("without WARROOM_API_TOKEN", () => {
  let bare: Harness;
  beforeAll(async () => {
    bare = await startHarness({});
  });
  afterAll(async () => {
    await bare?.stop();
  });
  it("serves no /insights path", async () => {
    for (const path of ["/insights", "/insights/signin", "/insights/weekly.csv"]) expect((await fetch(`${bare.url}${path}`)).status, path).toBe(404);
  });
});
