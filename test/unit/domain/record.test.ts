// The record's numbers, as tables: the timestamps' defaults, their order and future checks, the four
// durations, update punctuality (reopened incidents, incidents that never reached monitoring, cadence
// changes mid-incident, severities without a cadence), percentiles and periods.

import { Duration } from "luxon";
import { describe, expect, it } from "vitest";
import { type CadenceEvent, checkTimestamps, durations, effectiveTimestamps, percentiles, periodStart, punctuality, type RecordedTimestamps, shortDuration, stampTimestamps } from "../../../src/domain/record.ts";

const T = (hhmm: string, day = "2026-01-31") => new Date(`${day}T${hhmm}:00Z`);
const base: RecordedTimestamps = { impactStartedAt: null, detectedAt: null, declaredAt: T("14:00"), acknowledgedAt: null, mitigatedAt: null, resolvedAt: null, closedAt: null, sources: {}, declaredByPerson: true };

describe("the timestamps' defaults", () => {
  it.each([
    ["a person declared it: detected, impact started and acknowledged at the declaration", base, { impact_started_at: T("14:00"), detected_at: T("14:00"), acknowledged_at: T("14:00"), mitigated_at: null }],
    ["an alert saw it first: impact started follows detected", { ...base, detectedAt: T("13:40") }, { impact_started_at: T("13:40"), detected_at: T("13:40") }],
    ["a person said when impact started", { ...base, detectedAt: T("13:40"), impactStartedAt: T("13:10") }, { impact_started_at: T("13:10"), detected_at: T("13:40") }],
    ["the bot declared it and no one acted yet: not acknowledged", { ...base, declaredByPerson: false }, { acknowledged_at: null }],
    ["the bot declared it and someone took a role", { ...base, declaredByPerson: false, acknowledgedAt: T("14:07") }, { acknowledged_at: T("14:07") }],
    ["never reached monitoring: mitigated at the resolve", { ...base, resolvedAt: T("15:00") }, { mitigated_at: T("15:00"), resolved_at: T("15:00") }],
    ["reached monitoring: mitigated then", { ...base, mitigatedAt: T("14:30"), resolvedAt: T("15:00"), closedAt: T("16:00") }, { mitigated_at: T("14:30"), closed_at: T("16:00") }],
  ])("%s", (_what, recorded, expected) => {
    expect(effectiveTimestamps(recorded)).toMatchObject(expected);
  });
});

describe("the durations", () => {
  it.each([
    ["detected before declaring, mitigated, resolved", { ...base, impactStartedAt: T("13:30"), detectedAt: T("13:45"), acknowledgedAt: T("14:05"), mitigatedAt: T("14:30"), resolvedAt: T("15:30") }, { time_to_detect: 900, time_to_acknowledge: 1200, time_to_mitigate: 3600, time_to_resolve: 7200 }],
    ["still open", base, { time_to_detect: 0, time_to_acknowledge: 0, time_to_mitigate: null, time_to_resolve: null }],
    ["unacknowledged", { ...base, declaredByPerson: false }, { time_to_acknowledge: null }],
    ["never reached monitoring", { ...base, resolvedAt: T("14:45") }, { time_to_mitigate: 2700, time_to_resolve: 2700 }],
  ])("%s", (_what, recorded, expected) => {
    expect(durations(effectiveTimestamps(recorded))).toMatchObject(expected);
  });

  it("reads as people say them", () => {
    expect([null, 0, 59, 60, 3599, 3600, 3660, 7200, 172_800, 180_000].map(shortDuration)).toEqual(["—", "0s", "59s", "1m", "1h", "1h", "1h 1m", "2h", "2d", "2d 2h"]);
  });
});

describe("correcting the timestamps", () => {
  const now = T("18:00");
  const ok = effectiveTimestamps({ ...base, impactStartedAt: T("13:30"), resolvedAt: T("15:00") });
  it.each([
    ["in order", {}, []],
    ["impact after detection", { impact_started_at: T("14:10") }, ["detected_at"]],
    ["detected after the declaration", { detected_at: T("14:10"), impact_started_at: T("13:00") }, ["declared_at"]],
    ["acknowledged before the declaration", { acknowledged_at: T("13:50") }, ["acknowledged_at"]],
    ["mitigated before impact started", { mitigated_at: T("13:00") }, ["mitigated_at"]],
    ["resolved before mitigated", { mitigated_at: T("15:30") }, ["resolved_at"]],
    ["closed before resolved", { closed_at: T("14:30") }, ["closed_at"]],
    ["in the future", { closed_at: T("19:00") }, ["closed_at"]],
  ])("%s", (_what, change, fields) => {
    expect(checkTimestamps({ ...ok, ...change }, now).map((p) => p.key)).toEqual(fields);
  });

  it("says what is wrong in words", () => {
    expect(checkTimestamps({ ...ok, closed_at: T("14:30") }, now)).toEqual([{ key: "closed_at", message: "Closed cannot be before resolved." }]);
    expect(checkTimestamps({ ...ok, detected_at: T("19:00") }, now)[0]).toEqual({ key: "detected_at", message: "Detected cannot be in the future." });
  });
});

describe("the timestamps a decision sets by itself", () => {
  const i = { status: "investigating", acknowledgedAt: null as Date | null, mitigatedAt: null as Date | null };
  it.each([
    ["a person acts in an unacknowledged incident", i, i, true, { acknowledgedAt: T("14:10"), mitigatedAt: null }],
    ["the bot acts", i, i, false, { acknowledgedAt: null }],
    ["already acknowledged", { ...i, acknowledgedAt: T("14:00") }, { ...i, acknowledgedAt: T("14:00") }, true, { acknowledgedAt: T("14:00") }],
    ["first move to monitoring", i, { ...i, status: "monitoring" }, false, { mitigatedAt: T("14:10") }],
    ["monitoring again after a reopen keeps the first", i, { ...i, status: "monitoring", mitigatedAt: T("13:00") }, false, { mitigatedAt: T("13:00") }],
  ])("%s", (_what, before, after, person, expected) => {
    expect(stampTimestamps(before, after, person, T("14:10"))).toMatchObject(expected);
  });
});

const H = Duration.fromISO("PT1H");
const M30 = Duration.fromISO("PT30M");
const at = (hhmm: string) => T(hhmm);

describe("update punctuality", () => {
  it.each<[string, CadenceEvent[], string, { kept: number; missed: number; pending: Date | null; ratio: number | null }]>([
    ["every update on time, then resolved in time", [{ kind: "declared", at: at("10:00"), cadence: H }, { kind: "update", at: at("10:50") }, { kind: "update", at: at("11:45") }, { kind: "resolved", at: at("12:30") }], "18:00", { kept: 3, missed: 0, pending: null, ratio: 1 }],
    ["an update exactly at the due time keeps it", [{ kind: "declared", at: at("10:00"), cadence: H }, { kind: "update", at: at("11:00") }, { kind: "resolved", at: at("11:10") }], "18:00", { kept: 2, missed: 0, pending: null, ratio: 1 }],
    ["one late update: that due time missed, the update restarts the clock", [{ kind: "declared", at: at("10:00"), cadence: H }, { kind: "update", at: at("11:20") }, { kind: "resolved", at: at("12:00") }], "18:00", { kept: 1, missed: 1, pending: null, ratio: 0.5 }],
    ["no update at all for hours: one due time missed, not one per hour", [{ kind: "declared", at: at("10:00"), cadence: H }, { kind: "resolved", at: at("14:00") }], "18:00", { kept: 0, missed: 1, pending: null, ratio: 0 }],
    ["still open, the due time not reached: pending", [{ kind: "declared", at: at("10:00"), cadence: H }, { kind: "update", at: at("10:30") }], "11:00", { kept: 1, missed: 0, pending: at("11:30"), ratio: 1 }],
    ["still open, the due time passed: missed", [{ kind: "declared", at: at("10:00"), cadence: H }], "11:30", { kept: 0, missed: 1, pending: null, ratio: 0 }],
    ["never reached monitoring and resolved before the first due time", [{ kind: "declared", at: at("10:00"), cadence: H }, { kind: "resolved", at: at("10:40") }], "18:00", { kept: 1, missed: 0, pending: null, ratio: 1 }],
    ["a severity without a cadence has nothing due", [{ kind: "declared", at: at("10:00"), cadence: null }, { kind: "update", at: at("12:00") }, { kind: "resolved", at: at("15:00") }], "18:00", { kept: 0, missed: 0, pending: null, ratio: null }],
    ["escalated to a faster cadence: the pending due time comes sooner", [{ kind: "declared", at: at("10:00"), cadence: H }, { kind: "severity", at: at("10:10"), cadence: M30 }, { kind: "update", at: at("10:45") }, { kind: "resolved", at: at("11:00") }], "18:00", { kept: 1, missed: 1, pending: null, ratio: 0.5 }],
    ["de-escalated to no cadence: nothing more is due", [{ kind: "declared", at: at("10:00"), cadence: M30 }, { kind: "update", at: at("10:20") }, { kind: "severity", at: at("10:40"), cadence: null }, { kind: "resolved", at: at("13:00") }], "18:00", { kept: 1, missed: 0, pending: null, ratio: 1 }],
    ["a cadence change after a missed due time does not count it twice", [{ kind: "declared", at: at("10:00"), cadence: M30 }, { kind: "severity", at: at("11:00"), cadence: H }, { kind: "resolved", at: at("13:00") }], "18:00", { kept: 0, missed: 1, pending: null, ratio: 0 }],
    ["reopened: nothing due while resolved, the clock restarts at the reopen", [{ kind: "declared", at: at("10:00"), cadence: H }, { kind: "resolved", at: at("10:30") }, { kind: "reopened", at: at("13:00") }, { kind: "update", at: at("13:50") }, { kind: "resolved", at: at("14:00") }], "18:00", { kept: 3, missed: 0, pending: null, ratio: 1 }],
    ["reopened and then quiet: the reopen's due time missed", [{ kind: "declared", at: at("10:00"), cadence: H }, { kind: "resolved", at: at("10:30") }, { kind: "reopened", at: at("13:00") }], "15:00", { kept: 1, missed: 1, pending: null, ratio: 0.5 }],
    ["updates while resolved count for nothing", [{ kind: "declared", at: at("10:00"), cadence: H }, { kind: "resolved", at: at("10:30") }, { kind: "update", at: at("12:00") }], "18:00", { kept: 1, missed: 0, pending: null, ratio: 1 }],
    ["events after now are not counted", [{ kind: "declared", at: at("10:00"), cadence: H }, { kind: "update", at: at("10:30") }, { kind: "update", at: at("11:00") }], "10:45", { kept: 1, missed: 0, pending: at("11:30"), ratio: 1 }],
    ["events out of order are put in order", [{ kind: "update", at: at("10:50") }, { kind: "declared", at: at("10:00"), cadence: H }], "11:00", { kept: 1, missed: 0, pending: at("11:50"), ratio: 1 }],
  ])("%s", (_what, events, now, expected) => {
    expect(punctuality(events, at(now), "UTC")).toEqual(expected);
  });
});

describe("stats helpers", () => {
  it.each([
    [[], { n: 0, p50: null, p90: null }],
    [[60], { n: 1, p50: 60, p90: 60 }],
    [[10, 20, 30, 40], { n: 4, p50: 25, p90: 37 }],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], { n: 10, p50: 6, p90: 9 }],
  ])("percentiles of %j", (values, expected) => {
    expect(percentiles(values)).toEqual(expected);
  });

  it("starts a period that many days back, or never", () => {
    expect(periodStart("7d", T("12:00", "2026-03-10"), "UTC")).toEqual(T("12:00", "2026-03-03"));
    expect(periodStart("all", T("12:00"), "UTC")).toBeNull();
  });
});
