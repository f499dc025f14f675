// Alerts that declare at once (alerts.auto_declare) and PagerDuty's V3 webhooks: the bot as declarer
// with no IC (the opening message asks who takes it; the first person who acts acknowledges it), the
// triage message linking the channel, and PagerDuty's signature (several, during a key rotation),
// triggered / acknowledged / resolved, and each event id acted on once.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FakeConversation } from "../../../src/local-slack/workspace.ts";
import { ALERTS_TOKEN, alertmanagerBody, PAGERDUTY_SECRET, pagerDutyBody, pagerDutySignature, sendAlertmanager, sendPagerDuty, textOf, triageMessageFor } from "../../support/alerts.ts";
import { type Harness, startHarness } from "../../support/harness.ts";
import { clickTake, waitUntilReady } from "../../support/incidents.ts";
import { sleep, until } from "../../support/wait.ts";

const CONFIG = `announce_channel: incidents
alerts:
  triage_channel: alerts
  severity_map: { critical: SEV1, high: SEV1, warning: SEV3, low: SEV3 }
  auto_declare: [SEV1]
`;

let h: Harness;
let triage: FakeConversation;

beforeAll(async () => {
  h = await startHarness({ env: { SLACK_PACING: "on", WARROOM_ALERTS_TOKEN: ALERTS_TOKEN, PAGERDUTY_WEBHOOK_SECRET: PAGERDUTY_SECRET }, configYaml: CONFIG });
  h.fake.ws.addChannel("incidents", {});
  triage = h.fake.ws.addChannel("alerts", {});
});
afterAll(async () => {
  await h?.stop();
});

let n = 0;
const uniqueKey = (what: string) => `{}:{alertname="${what}-${++n}"}`;

async function linkedIncident(groupKey: string) {
  const g = await until(() => h.db.alertGroup.findFirst({ where: { groupKey, incidentId: { not: null } } }), 15_000, `the group ${groupKey} declared`);
  return waitUntilReady(h, g.incidentId as string);
}

describe("alerts.auto_declare", () => {
  it("declares a listed severity at once: the bot declares, nobody is IC, the opening message asks who takes it, and the triage message links the channel", async () => {
    const key = uniqueKey("auto");
    await sendAlertmanager(h, alertmanagerBody({ groupKey: key, summary: "Database primary is down", startsAt: "2026-11-30T18:30:00.000Z" }));
    const inc = await linkedIncident(key);
    const row = await h.db.incident.findUniqueOrThrow({ where: { id: inc.id } });
    expect(row).toMatchObject({ title: "Database primary is down", severity: "SEV1", declaredBy: h.fake.ws.botUserId, icId: null, acknowledgedAt: null });
    expect(row.detectedAt?.toISOString()).toBe("2026-11-30T18:30:00.000Z");
    expect(textOf(inc.opening)).toContain("Who takes Incident Commander?");
    await until(() => inc.channel.messages.some((m) => m.text.includes("Declared at once from Alertmanager alert")), 10_000, "the linked notice");
    const m = await triageMessageFor(h, triage, key);
    await until(() => textOf(triage.messages.find((x) => x.ts === m.ts) ?? m).includes(`<#${inc.channel.id}>`), 15_000, "the channel linked");
    const text = textOf(triage.messages.find((x) => x.ts === m.ts) ?? m);
    expect(text).toContain(`Declared as *INC-${inc.number}* at once`);
    expect(text).not.toContain("warroom.triage_declare");
    // the first person who acts acknowledges it
    await clickTake(h, inc, "ic", h.users.alice);
    const acked = await until(() => h.db.incident.findFirst({ where: { id: inc.id, acknowledgedAt: { not: null } } }), 10_000, "acknowledged");
    expect(acked.icId).toBe(h.users.alice.id);
  });

  it("leaves a severity that is not listed to triage", async () => {
    const key = uniqueKey("not-auto");
    await sendAlertmanager(h, alertmanagerBody({ groupKey: key, severity: "warning" }));
    const m = await triageMessageFor(h, triage, key);
    expect(textOf(m)).toContain("warroom.triage_declare");
    expect((await h.db.alertGroup.findFirstOrThrow({ where: { groupKey: key } })).status).toBe("pending");
  });

  it("declares two groups with the same summary as two incidents", async () => {
    const [a, b] = [uniqueKey("twin"), uniqueKey("twin")];
    await Promise.all([sendAlertmanager(h, alertmanagerBody({ groupKey: a, summary: "Latency is high" })), sendAlertmanager(h, alertmanagerBody({ groupKey: b, summary: "Latency is high" }))]);
    const [ia, ib] = await Promise.all([linkedIncident(a), linkedIncident(b)]);
    expect(ia.id).not.toBe(ib.id);
  });
});

describe("PagerDuty", () => {
  it("refuses a missing or wrong signature with 401, and takes one valid signature among several (a key rotation)", async () => {
    const body = JSON.stringify(pagerDutyBody("incident.triggered", { urgency: "low" }));
    expect((await fetch(`${h.url}/hooks/pagerduty`, { method: "POST", headers: { "content-type": "application/json" }, body })).status).toBe(401);
    const wrong = pagerDutySignature(body, "not-the-secret-0123456789abcdef");
    expect((await sendPagerDuty(h, body, wrong)).status).toBe(401);
    const r = await sendPagerDuty(h, body, `${wrong},${pagerDutySignature(body)}`);
    expect(r.status).toBe(200);
    // a signature over another body does not pass
    expect((await sendPagerDuty(h, `${body} `, pagerDutySignature(body))).status).toBe(401);
  });

  it("answers 400 naming what is wrong in a signed body, and 200 to a ping", async () => {
    const bad = JSON.stringify({ event: { event_type: "incident.triggered" } });
    const r = await sendPagerDuty(h, bad);
    expect(r.status).toBe(400);
    expect(((await r.json()) as { message: string }).message).toMatch(/event\.id/);
    const ping = await sendPagerDuty(h, { event: { id: "ping-1", event_type: "pagey.ping", resource_type: "pagey", occurred_at: new Date().toISOString(), data: { message: "Hello from your friend Pagey!", type: "ping" } } });
    expect(ping.status).toBe(200);
  });

  it("opens a triage item for a triggered incident (severity from urgency), and acts on each event id once", async () => {
    const body = pagerDutyBody("incident.triggered", { incidentId: "PLOW001", urgency: "low", title: "Disk filling on batch-3", eventId: "ev-low-1" });
    const first = await sendPagerDuty(h, body);
    expect(await first.json()).toEqual({ status: "accepted" });
    const again = await sendPagerDuty(h, body);
    expect(await again.json()).toEqual({ status: "duplicate" });
    const m = await triageMessageFor(h, triage, "pagerduty:PLOW001");
    const text = textOf(m);
    expect(text).toContain("Disk filling on batch-3");
    expect(text).toContain("SEV3");
    expect(text).toContain("from PagerDuty");
    expect(text).toContain("<https://acme.pagerduty.com/incidents/PGR0VU2|Open in PagerDuty>");
    // another event about the same PagerDuty incident joins the same item
    await sendPagerDuty(h, { ...body, event: { ...body.event, id: "ev-low-2" } });
    await sleep(500);
    expect(await h.db.alertGroup.count({ where: { groupKey: "pagerduty:PLOW001" } })).toBe(1);
    expect(await h.db.job.count({ where: { kind: "alerts.pagerduty" } })).toBeGreaterThanOrEqual(2);
  });

  it("acknowledged: a note in the linked incident and its acknowledged time; resolved: a 'cleared in PagerDuty' note, and the incident stays open", async () => {
    const triggered = pagerDutyBody("incident.triggered", { incidentId: "PHIGH01", urgency: "high", title: "API is down" });
    await sendPagerDuty(h, triggered);
    const inc = await linkedIncident("pagerduty:PHIGH01");
    expect((await h.db.incident.findUniqueOrThrow({ where: { id: inc.id } })).acknowledgedAt).toBeNull();
    // after the declaration (an earlier acknowledgement is recorded at the declaration)
    const ackAt = new Date().toISOString();
    const ack = pagerDutyBody("incident.acknowledged", { incidentId: "PHIGH01", agent: "Tenex Engineer", occurredAt: ackAt, eventId: "ev-ack-1" });
    await sendPagerDuty(h, ack);
    await sendPagerDuty(h, ack);
    await until(() => inc.channel.messages.some((m) => m.text.includes("Acknowledged in PagerDuty by Tenex Engineer")), 10_000, "the acknowledgement");
    const row = await until(() => h.db.incident.findFirst({ where: { id: inc.id, acknowledgedAt: { not: null } } }), 10_000, "acknowledged_at");
    expect(row.acknowledgedAt?.toISOString()).toBe(ackAt);
    await sendPagerDuty(h, pagerDutyBody("incident.resolved", { incidentId: "PHIGH01", eventId: "ev-res-1" }));
    await until(() => inc.channel.messages.some((m) => m.text.includes("cleared in PagerDuty")), 10_000, "the cleared note");
    await sleep(300);
    expect(inc.channel.messages.filter((m) => m.text.includes("Acknowledged in PagerDuty"))).toHaveLength(1);
    expect((await h.db.incident.findUniqueOrThrow({ where: { id: inc.id } })).status).toBe("investigating");
  });
});
