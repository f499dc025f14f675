// The alert rules, pure: folding notifications into a group (new, firing again, cleared, late retries),
// whether an episode continues, the severity map, the proposed title, and which links are shown.

import { describe, expect, it } from "vitest";
import { type AlertInput, allCleared, alertNameOf, earliestStart, episodeContinues, firingCount, foldAlerts, mapSeverity, proposedTitle, safeLink, severityValueOf } from "../../../src/domain/alerts.ts";

const T0 = new Date("2026-11-30T20:00:00Z");
const at = (min: number) => new Date(T0.getTime() + min * 60_000);

function alert(fingerprint: string, status: "firing" | "resolved", startsMin = 0, o: Partial<AlertInput> = {}): AlertInput {
  return { fingerprint, status, labels: { alertname: "A", instance: fingerprint }, annotations: {}, startsAt: at(startsMin), endsAt: status === "resolved" ? at(startsMin + 30) : null, generatorUrl: null, ...o };
}

describe("foldAlerts", () => {
  it("adds new alerts; the firing ones are 'fired'", () => {
    const r = foldAlerts([], [alert("a", "firing"), alert("b", "resolved")]);
    expect(r.alerts.map((a) => a.fingerprint)).toEqual(["a", "b"]);
    expect(r.fired.map((a) => a.fingerprint)).toEqual(["a"]);
    expect(r.cleared).toEqual([]);
    expect(r.changed).toBe(true);
  });

  it("changes nothing for the same notification again", () => {
    const known = foldAlerts([], [alert("a", "firing"), alert("b", "firing")]).alerts;
    const r = foldAlerts(known, [alert("a", "firing"), alert("b", "firing")]);
    expect(r).toMatchObject({ fired: [], cleared: [], changed: false });
  });

  it("clears a firing alert that resolves", () => {
    const known = foldAlerts([], [alert("a", "firing")]).alerts;
    const r = foldAlerts(known, [alert("a", "resolved")]);
    expect(r.cleared.map((a) => a.fingerprint)).toEqual(["a"]);
    expect(allCleared(r.alerts)).toBe(true);
  });

  it("does not bring back a resolved alert for a late retry of an older notification (same start)", () => {
    const known = foldAlerts(foldAlerts([], [alert("a", "firing")]).alerts, [alert("a", "resolved")]).alerts;
    const r = foldAlerts(known, [alert("a", "firing")]);
    expect(r).toMatchObject({ fired: [], changed: false });
    expect(allCleared(r.alerts)).toBe(true);
  });

  it("fires an alert again when it is a new instance (a later start)", () => {
    const known = foldAlerts(foldAlerts([], [alert("a", "firing")]).alerts, [alert("a", "resolved")]).alerts;
    const r = foldAlerts(known, [alert("a", "firing", 45)]);
    expect(r.fired.map((a) => a.fingerprint)).toEqual(["a"]);
    expect(firingCount(r.alerts)).toBe(1);
  });

  it("ignores an older instance reported after a newer one", () => {
    const known = foldAlerts([], [alert("a", "firing", 45)]).alerts;
    expect(foldAlerts(known, [alert("a", "resolved", 0)]).changed).toBe(false);
  });

  it("keeps the alerts a notification does not mention (a truncated group)", () => {
    const known = foldAlerts([], [alert("a", "firing"), alert("b", "firing")]).alerts;
    const r = foldAlerts(known, [alert("a", "resolved")]);
    expect(r.alerts).toHaveLength(2);
    expect(allCleared(r.alerts)).toBe(false);
  });

  it("counts an edited description as a change, but not as fired or cleared", () => {
    const known = foldAlerts([], [alert("a", "firing")]).alerts;
    const r = foldAlerts(known, [alert("a", "firing", 0, { annotations: { description: "now worse" } })]);
    expect(r).toMatchObject({ fired: [], cleared: [], changed: true });
  });
});

describe("earliestStart, allCleared", () => {
  it("takes the earliest known start", () => {
    expect(earliestStart([{ startsAt: at(5) }, { startsAt: null }, { startsAt: at(-3) }])).toEqual(at(-3));
    expect(earliestStart([{ startsAt: null }])).toBeNull();
  });
  it("is never 'all cleared' without alerts", () => {
    expect(allCleared([])).toBe(false);
  });
});

describe("episodeContinues", () => {
  it.each([
    ["pending", false, false, true],
    ["pending", false, true, true],
    ["declined", false, false, true],
    ["declined", false, true, false],
    ["declared", true, false, true],
    ["declared", true, true, true],
    ["declared", false, false, false],
    ["merged", true, true, true],
    ["merged", false, true, false],
  ] as const)("%s (incident open %s, cleared %s) → %s", (status, incidentOpen, cleared, expected) => {
    expect(episodeContinues({ status, incidentOpen, cleared })).toBe(expected);
  });
});

describe("severities and titles", () => {
  it("maps a label value without regard to case or spaces around it", () => {
    const map = { critical: "SEV1", warning: "SEV3" };
    expect(mapSeverity("Critical ", map)).toBe("SEV1");
    expect(mapSeverity("info", map)).toBeUndefined();
    expect(mapSeverity(null, map)).toBeUndefined();
  });

  it("reads the severity label from the common labels, else the first alert that has it", () => {
    expect(severityValueOf("severity", { severity: "critical" }, [])).toBe("critical");
    expect(severityValueOf("severity", {}, [{ labels: {} }, { labels: { severity: "warning" } }])).toBe("warning");
    expect(severityValueOf("severity", { severity: " " }, [])).toBeNull();
  });

  it("proposes the summary as the title, else the alert's name, on one line and cut", () => {
    const base = { groupLabels: {}, commonLabels: {}, alerts: [] };
    expect(proposedTitle({ ...base, commonAnnotations: { summary: "Checkout\nis down" } })).toBe("Checkout is down");
    expect(proposedTitle({ ...base, groupLabels: { alertname: "HighLatency" }, commonAnnotations: {} })).toBe("HighLatency");
    expect(proposedTitle({ ...base, commonAnnotations: {} })).toBe("Alert");
    expect(proposedTitle({ ...base, commonAnnotations: { summary: "x".repeat(300) } }, 150)).toHaveLength(150);
    expect(alertNameOf({ groupLabels: {}, commonLabels: {}, alerts: [{ ...alert("a", "firing"), labels: { alertname: "FromAlert" } }] })).toBe("FromAlert");
  });
});

describe("safeLink", () => {
  it.each([
    ["https://grafana.example.com/d/x?a=1&b=2", "https://grafana.example.com/d/x?a=1&b=2"],
    ["http://prometheus:9090/graph?g0.expr=up", "http://prometheus:9090/graph?g0.expr=up"],
    ["https://x.example/a|b>c<d", "https://x.example/a%7Cb%3Ec%3Cd"],
    ["javascript:alert(1)", null],
    ["file:///etc/passwd", null],
    ["/graph?g0.expr=up", null],
    ["https://x.example/ spaced", null],
    ["", null],
    [null, null],
  ])("%j → %j", (url, expected) => {
    expect(safeLink(url)).toBe(expected);
  });
});
