// Webhooks out, the pure part: which change becomes which event, who receives it, when a failed
// delivery is tried again and when it is given up, and what a receiver's answer means.

import { describe, expect, it } from "vitest";
import type { IncidentEvent } from "../../../src/domain/incident.ts";
import { DELIVERY_WINDOW_MS, eventsOf, givenUp, outcomeOf, recipients, retryDelayMs, WEBHOOK_EVENT_TYPES, type WebhookEndpoint } from "../../../src/domain/webhooks.ts";

const endpoint = (key: string, events: readonly string[] = WEBHOOK_EVENT_TYPES, includePrivate = false): WebhookEndpoint =>
  ({ key, url: `https://example.test/${key}`, events, secret: "whsec_x", secretEnv: "X", includePrivate }) as WebhookEndpoint;

describe("eventsOf", () => {
  const U = "U0ALICE";
  it.each<[IncidentEvent, string, Record<string, unknown>]>([
    [{ kind: "role_changed", role: "tech", userId: "U0BOB", previous: null, by: U, how: "assign" }, "incident.role_assigned", { role: "tech", user: "U0BOB", previous: null, by: U, how: "assign" }],
    [{ kind: "status_changed", from: "investigating", to: "identified", by: U }, "incident.status_changed", { from: "investigating", to: "identified", by: U }],
    [{ kind: "update", text: "Rolled back &lt;the&gt; deploy &amp; waiting", status: "monitoring", by: U }, "incident.updated", { update: { text: "Rolled back <the> deploy & waiting", status: "monitoring", by: U } }],
    [{ kind: "severity_changed", from: "SEV2", to: "SEV1", reason: "All regions", by: U, direction: "escalate" }, "incident.severity_changed", { from: "SEV2", to: "SEV1", reason: "All regions", by: U }],
    [{ kind: "resolved", summary: "Fixed", rootCause: null, by: U }, "incident.resolved", { summary: "Fixed", root_cause: null, by: U }],
    [{ kind: "resolved", summary: "Fixed", rootCause: "A bad flag", by: U }, "incident.resolved", { summary: "Fixed", root_cause: "A bad flag", by: U }],
    [{ kind: "reopened", reason: "Back again", from: "resolved", by: U }, "incident.reopened", { reason: "Back again", from: "resolved", by: U }],
    [{ kind: "closed", by: U }, "incident.closed", { by: U }],
  ])("makes %j into its event", (event, type, data) => {
    expect(eventsOf([event])).toEqual([{ type, data }]);
  });

  it("makes no event of snoozes, timestamp corrections, linked alerts and acknowledgements elsewhere", () => {
    const at = new Date("2026-12-01T10:00:00Z");
    expect(
      eventsOf([
        { kind: "snoozed", until: at, by: U },
        { kind: "timestamp_changed", key: "detected_at", from: null, to: at, by: U },
        { kind: "alerts_linked", source: "alertmanager", name: "HighLatency", firing: 1, total: 1, by: U },
        { kind: "acknowledged_elsewhere", where: "PagerDuty", agent: null, by: U, at },
      ]),
    ).toEqual([]);
  });

  it("keeps the order the changes happened in (an update that changes the status)", () => {
    const types = eventsOf([
      { kind: "status_changed", from: "investigating", to: "monitoring", by: U },
      { kind: "update", text: "Watching", status: "monitoring", by: U },
      { kind: "role_changed", role: "ic", userId: "U0BOB", previous: U, by: U, how: "handoff" },
    ]).map((e) => e.type);
    expect(types).toEqual(["incident.status_changed", "incident.updated", "incident.role_assigned"]);
  });
});

describe("recipients", () => {
  const all = endpoint("all");
  const resolvedOnly = endpoint("resolved", ["incident.resolved"]);
  const privateToo = endpoint("private", WEBHOOK_EVENT_TYPES, true);
  const keys = (type: (typeof WEBHOOK_EVENT_TYPES)[number], isPrivate: boolean) => recipients([all, resolvedOnly, privateToo], type, isPrivate).map((e) => e.key);

  it.each(WEBHOOK_EVENT_TYPES.map((t) => [t]))("sends %s to the endpoints that list it; a private incident's only where include_private", (type) => {
    expect(keys(type, false)).toEqual(type === "incident.resolved" ? ["all", "resolved", "private"] : ["all", "private"]);
    expect(keys(type, true)).toEqual(["private"]);
  });
});

describe("retries", () => {
  it.each([
    [1, 1_000],
    [2, 2_000],
    [3, 4_000],
    [5, 16_000],
    [9, 256_000],
    [10, 300_000],
    [50, 300_000],
    [2_000, 300_000],
  ])("waits after failure %i: %i ms (doubling from 1 s, at most 5 minutes)", (attempt, ms) => {
    expect(retryDelayMs(attempt)).toBe(ms);
  });

  it("applies the jitter it is given", () => {
    expect(retryDelayMs(3, 0.8)).toBe(3_200);
    expect(retryDelayMs(3, 1.2)).toBe(4_800);
  });

  it("gives up 24 hours after the first attempt, not before", () => {
    const first = new Date("2026-12-01T00:00:00Z");
    expect(DELIVERY_WINDOW_MS).toBe(86_400_000);
    expect(givenUp(first, new Date(first.getTime() + DELIVERY_WINDOW_MS - 1))).toBe(false);
    expect(givenUp(first, new Date(first.getTime() + DELIVERY_WINDOW_MS))).toBe(true);
    expect(givenUp(first, first)).toBe(false);
  });

  it.each([
    [200, "delivered"],
    [202, "delivered"],
    [204, "delivered"],
    [299, "delivered"],
    [301, "retry"],
    [400, "retry"],
    [401, "retry"],
    [404, "retry"],
    [410, "gone"],
    [429, "retry"],
    [500, "retry"],
    [503, "retry"],
  ])("reads HTTP %i as %s", (status, outcome) => {
    expect(outcomeOf(status)).toBe(outcome);
  });
});
