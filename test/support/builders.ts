// Deterministic builders with overrides for unit tests: anIncident({ status: "monitoring" }).

import type { Incident } from "../../src/domain/incident.ts";

export function anIncident(overrides: Partial<Incident> = {}): Incident {
  return {
    id: "0b8f3c4e-9b7a-4f57-9a35-1d2c3b4a5e6f",
    teamId: "T1",
    number: 12,
    title: "Checkout errors",
    severity: "SEV2",
    status: "investigating",
    isPrivate: false,
    isDrill: false,
    impact: "EU customers",
    detection: "Pager",
    declaredBy: "UDECL",
    declaredAt: new Date("2026-01-31T14:23:00Z"),
    roles: { ic: "UIC", tech: null, comms: null, scribe: null },
    responders: [],
    channelId: "C1",
    channelName: "inc-2026-01-31-checkout-errors",
    openingTs: "1769869380.000100",
    statusSummary: null,
    impactStartedAt: null,
    detectedAt: null,
    acknowledgedAt: null,
    mitigatedAt: null,
    timestampSources: {},
    lastUpdateAt: null,
    nextUpdateDueAt: new Date("2026-01-31T15:23:00Z"),
    resolvedAt: null,
    closedAt: null,
    cadenceEpoch: 0,
    severityChangedAt: null,
    snoozedUntil: null,
    version: 3,
    ...overrides,
  };
}
