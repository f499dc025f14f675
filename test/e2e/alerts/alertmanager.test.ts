// Alerts in, end to end: POST /hooks/alertmanager with real-shaped Alertmanager and Grafana bodies
// (test/fixtures/alerts), the door's answers (401/404/405/413/400, recorded before the 200), the
// triage message and its Declare, Decline and Merge, later notifications said in the incident
// channel, repeats changing nothing, edits at most every 5 s, escaping of what monitoring sends, and
// the record and API listing the linked alerts.

import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FakeConversation } from "../../../src/local-slack/workspace.ts";
import { ALERTS_TOKEN, alertmanagerBody, clickTriage, declareValues, fixture, sendAlertmanager, submitView, textOf, triageMessageFor, triageMessages } from "../../support/alerts.ts";
import { type Harness, startHarness } from "../../support/harness.ts";
import { declareFast, replies, waitUntilReady } from "../../support/incidents.ts";
import { sleep, until } from "../../support/wait.ts";

const API_TOKEN = "test-api-token-0123456789abcdef";
const CONFIG = `announce_channel: incidents
alerts:
  triage_channel: alerts
  severity_map: { critical: SEV1, warning: SEV3 }
`;

let h: Harness;
let triage: FakeConversation;

beforeAll(async () => {
  h = await startHarness({ env: { SLACK_PACING: "on", WARROOM_ALERTS_TOKEN: ALERTS_TOKEN, WARROOM_API_TOKEN: API_TOKEN }, configYaml: CONFIG });
  h.fake.ws.addChannel("incidents", {});
  triage = h.fake.ws.addChannel("alerts", {});
});
afterAll(async () => {
  await h?.stop();
});

const api = async (path: string) => (await (await fetch(`${h.url}${path}`, { headers: { authorization: `Bearer ${API_TOKEN}` } })).json()) as Record<string, any>;
let n = 0;
const uniqueKey = (what: string) => `{}/{severity="critical"}:{alertname="${what}-${++n}"}`;

async function groupOf(groupKey: string) {
  return until(() => h.db.alertGroup.findFirst({ where: { groupKey }, orderBy: { createdAt: "desc" } }), 10_000, `the group ${groupKey}`);
}

/** Waits until every recorded notification has been folded in. */
async function folded() {
  await until(async () => (await h.db.job.count({ where: { kind: { startsWith: "alerts." }, status: "pending", dueAt: { lte: new Date() } } })) === 0, 15_000, "the alert jobs", 20);
}

describe("the door", () => {
  it("answers 404 when WARROOM_ALERTS_TOKEN is not set", async () => {
    const off = await startHarness({ database: h.database, fake: h.fake, configYaml: "announce_channel: incidents\n" });
    try {
      const r = await sendAlertmanager(off, fixture("alertmanager-firing.json"));
      expect(r.status).toBe(404);
      expect(await r.json()).toMatchObject({ error: "not_found" });
    } finally {
      await off.stop();
    }
  });

  it.each([
    ["missing", null],
    ["wrong", "not-the-alerts-token-0123456789"],
  ])("refuses a %s token with 401 and records nothing", async (_what, token) => {
    const before = await h.db.job.count({ where: { kind: "alerts.notification" } });
    const r = await sendAlertmanager(h, alertmanagerBody({ groupKey: uniqueKey("unauthorized") }), token);
    expect(r.status).toBe(401);
    expect(await r.json()).toEqual({ error: "unauthorized" });
    expect(await h.db.job.count({ where: { kind: "alerts.notification" } })).toBe(before);
  });

  it("answers POST only", async () => {
    const r = await fetch(`${h.url}/hooks/alertmanager`, { headers: { authorization: `Bearer ${ALERTS_TOKEN}` } });
    expect(r.status).toBe(405);
  });

  it("refuses a body over 1 MB with 413 before parsing it", async () => {
    const r = await sendAlertmanager(h, `{"x":"${"a".repeat(1024 * 1024 + 10)}`);
    expect(r.status).toBe(413);
    expect(((await r.json()) as { error: string }).error).toBe("payload_too_large");
  });

  it.each([
    ["with its length declared", true],
    ["chunked", false],
  ])("answers a 2 MB body %s with a 413 that Node's own HTTP client reads (no EPIPE, no reset)", async (_what, declared) => {
    const body = Buffer.alloc(2 * 1024 * 1024, "a");
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(`${h.url}/hooks/alertmanager`, {
        method: "POST",
        headers: { authorization: `Bearer ${ALERTS_TOKEN}`, "content-type": "application/json", ...(declared ? { "content-length": String(body.length) } : {}) },
      });
      req.on("error", reject);
      req.on("response", (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => (text += d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      // written as a client on a real network writes a big body: in pieces, a moment apart, so the
      // answer comes while it is still writing
      let at = 0;
      const more = (): void => {
        if (at >= body.length) {
          req.end();
          return;
        }
        const piece = body.subarray(at, at + 128 * 1024);
        at += piece.length;
        if (req.write(piece)) setTimeout(more, 5);
        else req.once("drain", () => setTimeout(more, 5));
      };
      more();
    });
    expect(answer.status).toBe(413);
    expect((JSON.parse(answer.body) as { error: string }).error).toBe("payload_too_large");
  });

  it.each([
    ["not JSON", "{not json", /JSON/],
    ["no groupKey", (() => { const b: Record<string, unknown> = alertmanagerBody(); delete b.groupKey; return b; })(), /groupKey/],
    ["no alerts", { ...alertmanagerBody(), alerts: [] }, /alerts: expected at least one alert/],
    ["a bad time", (() => { const b = alertmanagerBody(); b.alerts[1].startsAt = "yesterday"; return b; })(), /alerts\[1\]\.startsAt: expected an RFC 3339 time/],
    ["a bad status", { ...alertmanagerBody(), status: "burning" }, /status: expected "firing" or "resolved"/],
    ["a label that is not text", (() => { const b = alertmanagerBody(); b.alerts[0].labels.replicas = 3; return b; })(), /alerts\[0\]\.labels\.replicas: expected text/],
  ])("answers 400 naming what is wrong (%s), and changes nothing", async (_what, body, message) => {
    const groups = await h.db.alertGroup.count();
    const r = await sendAlertmanager(h, body);
    expect(r.status).toBe(400);
    const answer = (await r.json()) as { error: string; message: string };
    expect(answer.error).toMatch(/bad_request|invalid_json/);
    expect(answer.message).toMatch(message);
    await sleep(100);
    expect(await h.db.alertGroup.count()).toBe(groups);
  });

  it("records the notification before answering 200, and ignores fields it does not know", async () => {
    const body: Record<string, any> = { ...alertmanagerBody({ groupKey: uniqueKey("recorded") }), somethingNew: { nested: true } };
    const r = await sendAlertmanager(h, body);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ status: "accepted" });
    // the job exists the moment the 200 is read
    const jobs = await h.db.job.findMany({ where: { kind: "alerts.notification" } });
    expect(jobs.some((j) => (j.payload as { groupKey?: string }).groupKey === body.groupKey)).toBe(true);
  });
});

describe("a triage item", () => {
  it("posts the alert in the triage channel: name, mapped severity, summary, description, count, labels, links and the three buttons", async () => {
    const body = fixture("alertmanager-firing.json");
    expect((await sendAlertmanager(h, body)).status).toBe(200);
    const m = await triageMessageFor(h, triage, body.groupKey);
    const text = textOf(m);
    expect(text).toContain("CheckoutErrorRate");
    expect(text).toContain("SEV1 (Critical)");
    expect(text).toContain("Checkout is failing for customers");
    expect(text).toContain("2 of 2 alerts firing");
    expect(text).toContain("`namespace` shop");
    expect(text).toContain("<https://runbooks.example.com/checkout-errors|Runbook>");
    expect(text).toContain("|Source>");
    expect(text).toContain("<http://alertmanager.example.com:9093|Alertmanager>");
    for (const action of ["warroom.triage_declare", "warroom.triage_decline", "warroom.triage_merge"]) expect(text).toContain(action);
    // nobody is declared yet
    expect(await h.db.incident.count({ where: { title: "Checkout is failing for customers" } })).toBe(0);
  });

  it("changes nothing when Alertmanager sends the same notification again (retries, repeat_interval)", async () => {
    const body = alertmanagerBody({ groupKey: uniqueKey("repeated") });
    await sendAlertmanager(h, body);
    const m = await triageMessageFor(h, triage, body.groupKey);
    const before = await groupOf(body.groupKey);
    await Promise.all([sendAlertmanager(h, body), sendAlertmanager(h, body), sendAlertmanager(h, JSON.stringify(body, null, 2))]);
    await folded();
    await sleep(300);
    const after = await groupOf(body.groupKey);
    expect(after.version).toBe(before.version);
    expect(after.edits).toBe(0);
    expect(triageMessages(triage).filter((x) => x.ts === m.ts)).toHaveLength(1);
    expect(await h.db.alertGroup.count({ where: { groupKey: body.groupKey } })).toBe(1);
    expect(h.fake.callsTo("chat.update").filter((c) => c.args.ts === m.ts)).toHaveLength(0);
  });

  it("keeps a pending item's message current, edited at most once every 5 seconds", async () => {
    const key = uniqueKey("flapping");
    const started = Date.now();
    await sendAlertmanager(h, alertmanagerBody({ groupKey: key, count: 1 }));
    const m = await triageMessageFor(h, triage, key);
    // ten changes in three seconds: one alert more each time
    for (let i = 2; i <= 11; i++) {
      await sendAlertmanager(h, alertmanagerBody({ groupKey: key, count: i }));
      await sleep(300);
    }
    await until(() => textOf(triage.messages.find((x) => x.ts === m.ts) ?? m).includes("11 of 11 alerts firing"), 20_000, "the final count");
    const edits = h.fake.okCallsTo("chat.update").filter((c) => c.args.ts === m.ts);
    const elapsed = Date.now() - started;
    expect(edits.length).toBeGreaterThan(0);
    expect(edits.length).toBeLessThanOrEqual(Math.ceil(elapsed / 5000) + 1);
    for (let i = 1; i < edits.length; i++) expect((edits[i] as { startedAt: number }).startedAt - (edits[i - 1] as { startedAt: number }).startedAt).toBeGreaterThanOrEqual(4900);
  });

  it("escapes what monitoring sends: no broadcast, no forged link, and only http(s) links", async () => {
    const body = alertmanagerBody({ groupKey: uniqueKey("hostile"), count: 1, summary: "<!channel> look <https://evil.example|your bank> & @here" });
    body.alerts[0].generatorURL = "javascript:alert(1)";
    body.commonAnnotations.runbook_url = "file:///etc/passwd";
    body.commonAnnotations.description = "<@U0SOMEONE> <#C0GENERAL> *bold*";
    await sendAlertmanager(h, body);
    const m = await triageMessageFor(h, triage, body.groupKey);
    const text = textOf(m);
    expect(text).not.toContain("<!channel>");
    expect(text).not.toContain("<https://evil.example");
    expect(text).not.toContain("<@U0SOMEONE>");
    expect(text).toContain("&lt;!channel&gt;");
    expect(text).not.toContain("javascript:");
    expect(text).not.toContain("file:///");
    expect(text).not.toContain("|Source>");
  });

  it("shows an unmapped severity as such, and Declare then preselects the form's default", async () => {
    const body = alertmanagerBody({ groupKey: uniqueKey("unmapped"), severity: "page-me-maybe", count: 1 });
    await sendAlertmanager(h, body);
    const m = await triageMessageFor(h, triage, body.groupKey);
    expect(textOf(m)).toContain("severity not mapped");
    const { view } = await clickTriage(h, triage, m, "declare", h.users.bob);
    const sev = ((view?.blocks ?? []) as Record<string, any>[]).find((b) => String(b.block_id).startsWith("severity"));
    // the ladder's default (SEV2), as /incident declare's form
    expect(sev?.element.initial_option.value).toBe("SEV2");
  });

  it("reads Grafana's webhook (a superset) and names it", async () => {
    const body = fixture("grafana-firing.json");
    expect((await sendAlertmanager(h, body)).status).toBe(200);
    const m = await triageMessageFor(h, triage, body.groupKey);
    const text = textOf(m);
    expect(text).toContain("from Grafana");
    expect(text).toContain("High memory usage");
    expect(text).toContain("SEV3");
    expect(text).toContain("Cache nodes in eu-1 are running out of memory");
  });
});

describe("Declare", () => {
  it("opens the declare form prefilled from the alert; the incident is linked, detected at the earliest start, and said in its channel", async () => {
    const key = uniqueKey("declared");
    const body = alertmanagerBody({ groupKey: key, summary: "Payments are timing out", startsAt: "2026-11-30T20:00:00.000Z" });
    await sendAlertmanager(h, body);
    const m = await triageMessageFor(h, triage, key);
    // as a second person's client still shows it later
    const shown = structuredClone(m);
    const { view } = await clickTriage(h, triage, m, "declare", h.users.alice);
    expect(view?.callback_id).toBe("warroom.declare");
    const values = declareValues(view as Record<string, any>);
    expect(values.title?.value).toMatchObject({ value: "Payments are timing out" });
    expect(JSON.stringify(values)).toContain("SEV1");
    expect(JSON.stringify(values)).toContain("Alertmanager alert");
    const r = await submitView(h, view as Record<string, any>, values, h.users.alice);
    expect(r.status).toBe(200);
    const group = await until(async () => {
      const g = await groupOf(key);
      return g.status === "declared" && g.incidentId ? g : undefined;
    }, 10_000, "the group linked");
    const inc = await waitUntilReady(h, group.incidentId as string);
    const row = await h.db.incident.findUniqueOrThrow({ where: { id: inc.id } });
    expect(row.title).toBe("Payments are timing out");
    expect(row.severity).toBe("SEV1");
    expect(row.detectedAt?.toISOString()).toBe("2026-11-30T20:00:00.000Z");
    await until(() => inc.channel.messages.some((x) => x.text.includes("declared this from Alertmanager alert") && x.text.includes("2 of 2 firing")), 10_000, "the linked notice");
    // the triage message says who declared it, and where
    await until(() => textOf(triage.messages.find((x) => x.ts === m.ts) ?? m).includes(`Declared as *INC-${inc.number}* by <@${h.users.alice.id}>`), 15_000, "the triage message updated");
    const updated = triage.messages.find((x) => x.ts === m.ts);
    expect(textOf(updated ?? m)).toContain(`<#${inc.channel.id}>`);
    expect(textOf(updated ?? m)).not.toContain("warroom.triage_declare");
    // the record lists the alerts
    const record = await api(`/api/v1/incidents/${inc.number}`);
    expect(record.alerts).toHaveLength(2);
    expect(record.alerts[0]).toMatchObject({ source: "alertmanager", name: "CheckoutErrorRate", status: "firing", starts_at: "2026-11-30T20:00:00.000Z", ends_at: null, labels: { job: "checkout", severity: "critical" }, linked: "declared" });
    expect(record.alerts[0].links.source).toMatch(/^http:\/\/prometheus\.example\.com/);
    expect(record.timestamps.detected_at).toBe("2026-11-30T20:00:00.000Z");

    // later notifications: a new alert is said in the channel; when all clear, the channel is told and nothing is resolved
    await sendAlertmanager(h, alertmanagerBody({ groupKey: key, count: 3, startsAt: "2026-11-30T20:00:00.000Z" }));
    await until(() => inc.channel.messages.some((x) => x.text.includes("1 new Alertmanager alert firing")), 10_000, "the fired notice");
    await sendAlertmanager(h, alertmanagerBody({ groupKey: key, count: 3, status: "resolved", startsAt: "2026-11-30T20:00:00.000Z" }));
    await until(() => inc.channel.messages.some((x) => x.text.includes("all 3 alerts cleared; resolve when you are satisfied")), 10_000, "the cleared notice");
    expect((await h.db.incident.findUniqueOrThrow({ where: { id: inc.id } })).status).toBe("investigating");
    const timeline = await h.db.timelineEntry.findMany({ where: { incidentId: inc.id, kind: "alert" } });
    expect(timeline.map((t) => t.text).join("\n")).toMatch(/new Alertmanager alert firing[\s\S]*all 3 alerts cleared/);
    // a repeat of the resolved notification says nothing again
    await sendAlertmanager(h, alertmanagerBody({ groupKey: key, count: 3, status: "resolved", startsAt: "2026-11-30T20:00:00.000Z" }));
    await folded();
    expect(inc.channel.messages.filter((x) => x.text.includes("alerts cleared"))).toHaveLength(1);

    // someone else clicking Declare afterwards is told who declared it
    const late = await clickTriage(h, triage, shown, "declare", h.users.bob, { asShown: true });
    expect(late.view).toBeUndefined();
    expect((await replies(h, late.responseUrl)).join("\n")).toContain(`already declared as INC-${inc.number}`);
  });

  it("refuses a second declaration from the same alert (two forms open at once): the form says who got there first", async () => {
    const key = uniqueKey("raced");
    await sendAlertmanager(h, alertmanagerBody({ groupKey: key, count: 1 }));
    const m = await triageMessageFor(h, triage, key);
    const first = await clickTriage(h, triage, m, "declare", h.users.alice);
    const second = await clickTriage(h, triage, m, "declare", h.users.bob);
    expect((await submitView(h, first.view as Record<string, any>, declareValues(first.view as Record<string, any>), h.users.alice)).status).toBe(200);
    const r = await submitView(h, second.view as Record<string, any>, declareValues(second.view as Record<string, any>), h.users.bob);
    const answer = JSON.parse(r.text) as { response_action?: string; errors?: Record<string, string> };
    expect(answer.response_action).toBe("errors");
    expect(answer.errors?.title).toMatch(/already declared as INC-\d+/);
    expect(await h.db.incident.count({ where: { declaredBy: h.users.bob.id, title: "Checkout is failing for customers" } })).toBe(0);
  });
});

describe("Decline", () => {
  it("asks why, records it on the item, and keeps the item out of everything else; a repeat changes nothing", async () => {
    const key = uniqueKey("declined");
    await sendAlertmanager(h, alertmanagerBody({ groupKey: key, count: 1 }));
    const m = await triageMessageFor(h, triage, key);
    const { view } = await clickTriage(h, triage, m, "decline", h.users.carol);
    expect(view?.callback_id).toBe("warroom.triage_decline");
    const empty = await submitView(h, view as Record<string, any>, { decline_reason: { value: { type: "plain_text_input", value: "   " } } }, h.users.carol);
    expect(JSON.parse(empty.text).errors.decline_reason).toMatch(/Say why/);
    expect((await groupOf(key)).status).toBe("pending");
    const incidents = await h.db.incident.count();
    await submitView(h, view as Record<string, any>, { decline_reason: { value: { type: "plain_text_input", value: "Known flapping check <!here>" } } }, h.users.carol);
    const g = await until(async () => ((await groupOf(key)).status === "declined" ? groupOf(key) : undefined), 5000, "declined");
    expect(g.decidedBy).toBe(h.users.carol.id);
    expect(g.declineReason).toBe("Known flapping check &lt;!here&gt;");
    await until(() => textOf(triage.messages.find((x) => x.ts === m.ts) ?? m).includes(`Declined by <@${h.users.carol.id}>`), 15_000, "the message updated");
    expect(await h.db.incident.count()).toBe(incidents);
    // still firing: the same episode takes it, nothing new is posted
    await sendAlertmanager(h, alertmanagerBody({ groupKey: key, count: 1 }));
    await folded();
    expect(await h.db.alertGroup.count({ where: { groupKey: key } })).toBe(1);
    // once cleared, a new firing is a new triage item
    await sendAlertmanager(h, alertmanagerBody({ groupKey: key, count: 1, status: "resolved" }));
    await folded();
    await sendAlertmanager(h, alertmanagerBody({ groupKey: key, count: 1, startsAt: "2026-11-30T23:00:00.000Z" }));
    await until(async () => (await h.db.alertGroup.count({ where: { groupKey: key } })) === 2, 10_000, "a new episode");
  });
});

describe("Merge", () => {
  it("lists the open incidents, links the alerts to the one picked, says so in its channel, and moves its detection back", async () => {
    const { incident } = await declareFast(h, "sev2 Search is slow", h.users.dave);
    const key = uniqueKey("merged");
    await sendAlertmanager(h, alertmanagerBody({ groupKey: key, count: 2, startsAt: "2026-11-30T19:00:00.000Z" }));
    const m = await triageMessageFor(h, triage, key);
    const { view } = await clickTriage(h, triage, m, "merge", h.users.dave);
    expect(view?.callback_id).toBe("warroom.triage_merge");
    const options = ((view?.blocks ?? []) as Record<string, any>[]).find((b) => b.block_id === "merge_into")?.element.options as { value: string; text: { text: string } }[];
    expect(options.map((o) => o.value)).toContain(incident.id);
    const none = await submitView(h, view as Record<string, any>, { merge_into: { value: { type: "static_select", selected_option: null } } }, h.users.dave);
    expect(JSON.parse(none.text).errors.merge_into).toMatch(/Pick the incident/);
    await submitView(h, view as Record<string, any>, { merge_into: { value: { type: "static_select", selected_option: { value: incident.id } } } }, h.users.dave);
    const g = await until(async () => ((await groupOf(key)).status === "merged" ? groupOf(key) : undefined), 5000, "merged");
    expect(g.incidentId).toBe(incident.id);
    await until(() => incident.channel.messages.some((x) => x.text.includes(`<@${h.users.dave.id}> merged Alertmanager alert`)), 10_000, "the merge said in the channel");
    const row = await h.db.incident.findUniqueOrThrow({ where: { id: incident.id } });
    expect(row.detectedAt?.toISOString()).toBe("2026-11-30T19:00:00.000Z");
    await until(() => textOf(triage.messages.find((x) => x.ts === m.ts) ?? m).includes(`Merged into *INC-${incident.number}*`), 15_000, "the message updated");
    const record = await api(`/api/v1/incidents/${incident.number}`);
    expect(record.alerts.map((a: { linked: string }) => a.linked)).toEqual(["merged", "merged"]);
  });
});
