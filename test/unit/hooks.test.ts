// The webhook bodies as monitoring sends them (test/fixtures/alerts), read at the door: Alertmanager
// and Grafana with their quirks (Go's zero time, a missing fingerprint, values too long), and
// PagerDuty's envelope and signatures (several during a key rotation).

import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { parseAlertmanager } from "../../src/edge/hooks/alertmanager.ts";
import { pagerDutySignatureValid, parsePagerDuty } from "../../src/edge/hooks/pagerduty.ts";
import { fixture } from "../support/alerts.ts";

describe("Alertmanager's body", () => {
  it("reads the fixture: the group, its alerts, Go's zero time as 'not ended', the severity label", () => {
    const r = parseAlertmanager(fixture("alertmanager-firing.json"), "severity");
    if (!r.ok) throw new Error(r.message);
    const n = r.notification;
    expect(n).toMatchObject({ source: "alertmanager", status: "firing", groupKey: '{}/{severity="critical"}:{alertname="CheckoutErrorRate"}', severityValue: "critical", externalUrl: "http://alertmanager.example.com:9093" });
    expect(n.alerts).toHaveLength(2);
    expect(n.alerts[0]).toMatchObject({ fingerprint: "3a1f0c9e7b2d4e51", status: "firing", endsAt: null, startsAt: new Date("2026-11-30T21:04:15.123Z") });
    expect(n.alerts[0]?.generatorUrl).toContain("&g0.tab=1");
  });

  it("reads the resolved fixture with its end times", () => {
    const r = parseAlertmanager(fixture("alertmanager-resolved.json"), "severity");
    if (!r.ok) throw new Error(r.message);
    expect(r.notification.alerts.map((a) => a.endsAt?.toISOString())).toEqual(["2026-11-30T21:31:00.789Z", "2026-11-30T21:32:30.012Z"]);
  });

  it("reads Grafana's superset and names it, offsets in times included", () => {
    const r = parseAlertmanager(fixture("grafana-firing.json"), "severity");
    if (!r.ok) throw new Error(r.message);
    expect(r.notification.source).toBe("grafana");
    expect(r.notification.alerts[0]?.startsAt?.toISOString()).toBe("2026-11-30T21:10:00.000Z");
    expect(r.notification.severityValue).toBe("warning");
  });

  it("makes a fingerprint from the labels when there is none, the same for the same labels", () => {
    const body = fixture("alertmanager-firing.json");
    for (const a of body.alerts) delete a.fingerprint;
    const one = parseAlertmanager(body, "severity");
    const two = parseAlertmanager(structuredClone(body), "severity");
    if (!one.ok || !two.ok) throw new Error("not parsed");
    expect(one.notification.alerts[0]?.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(one.notification.alerts[0]?.fingerprint).toBe(two.notification.alerts[0]?.fingerprint);
    expect(one.notification.alerts[0]?.fingerprint).not.toBe(one.notification.alerts[1]?.fingerprint);
  });

  it("accepts null maps (some senders write them) and cuts values too long to show", () => {
    const body: Record<string, any> = { ...fixture("alertmanager-firing.json"), commonAnnotations: null, groupLabels: null };
    body.alerts[0].annotations.description = "x".repeat(10_000);
    const r = parseAlertmanager(body, "severity");
    if (!r.ok) throw new Error(r.message);
    expect(r.notification.commonAnnotations).toEqual({});
    expect(r.notification.alerts[0]?.annotations.description).toHaveLength(2000);
  });

  it.each([
    [[], /expected a JSON object/],
    [{ groupKey: "k", status: "firing" }, /^alerts: expected a list of alerts/],
    [{ groupKey: "", status: "firing", alerts: [] }, /^groupKey: must not be empty/],
    [{ groupKey: "k", status: "firing", alerts: [{ status: "firing", labels: {}, startsAt: "2026-13-45" }] }, /^alerts\[0\]\.startsAt: expected an RFC 3339 time/],
  ])("names the problem: %j", (body, message) => {
    const r = parseAlertmanager(body, "severity");
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(message);
  });
});

describe("PagerDuty", () => {
  const secret = "whsec-like-secret-0123456789";
  const raw = Buffer.from(JSON.stringify(fixture("pagerduty-priority-updated.json")));
  const sign = (key: string) => `v1=${createHmac("sha256", key).update(raw).digest("hex")}`;

  it("passes any one matching v1 signature (a rotation sends two), in any case of hex", () => {
    expect(pagerDutySignatureValid(sign(secret), raw, secret)).toBe(true);
    expect(pagerDutySignatureValid(`${sign("old-secret-0123456789")},${sign(secret)}`, raw, secret)).toBe(true);
    expect(pagerDutySignatureValid(`${sign("old-secret-0123456789")}, ${sign(secret).toUpperCase().replace("V1=", "v1=")}`, raw, secret)).toBe(true);
  });

  it.each([undefined, "", "v1=", "v0=abc", sign("another-secret-0123456789"), `v2=${sign(secret).slice(3)}`, ["a", "b"]])("refuses %j", (header) => {
    expect(pagerDutySignatureValid(header, raw, secret)).toBe(false);
  });

  it("reads the V3 envelope of PagerDuty's documented example", () => {
    const r = parsePagerDuty(JSON.parse(raw.toString("utf8")));
    if (!r.ok) throw new Error(r.message);
    expect(r.event).toMatchObject({ id: "5ac64822-4adc-4fda-ade0-410becf0de4f", type: "incident.priority_updated", agent: "Tenex Engineer" });
    expect(r.event.incident).toMatchObject({ id: "PGR0VU2", number: 2, title: "A little bump in the road", urgency: "high", htmlUrl: "https://acme.pagerduty.com/incidents/PGR0VU2", service: "API Service", priority: "P1" });
  });
});
