// Cadence arithmetic and the reminder plan, across DST changes in the configured time zone.

import { DateTime, Duration } from "luxon";
import { describe, expect, it } from "vitest";
import { addDuration, planReminders } from "../../../src/domain/cadence.ts";

const d = (iso: string) => Duration.fromISO(iso);
const utc = (iso: string) => new Date(iso);
const hours = (a: Date, b: Date) => (b.getTime() - a.getTime()) / 3_600_000;

describe("addDuration across DST", () => {
  it.each([
    // Europe/Paris springs forward 2026-03-29 02:00 → 03:00
    ["Europe/Paris", "2026-03-29T00:30:00Z", "PT1H", 1],
    ["Europe/Paris", "2026-03-29T00:45:00Z", "PT30M", 0.5],
    // and falls back 2026-10-25 03:00 → 02:00
    ["Europe/Paris", "2026-10-25T00:30:00Z", "PT1H", 1],
    ["Europe/Paris", "2026-10-25T00:30:00Z", "PT4H", 4],
    // New York springs forward 2026-03-08 02:00 → 03:00, falls back 2026-11-01
    ["America/New_York", "2026-03-08T06:30:00Z", "PT1H", 1],
    ["America/New_York", "2026-11-01T05:30:00Z", "PT1H", 1],
  ])("in %s, %s + %s is exactly %s hour(s) of elapsed time", (zone, start, cadence, elapsed) => {
    const from = utc(start);
    expect(hours(from, addDuration(from, d(cadence), zone))).toBe(elapsed);
  });

  it("keeps the local clock time for a daily cadence: 23 hours across spring-forward, 25 across fall-back", () => {
    const spring = utc("2026-03-28T08:00:00Z"); // 09:00 in Paris
    const nextSpring = addDuration(spring, d("P1D"), "Europe/Paris");
    expect(hours(spring, nextSpring)).toBe(23);
    expect(DateTime.fromJSDate(nextSpring, { zone: "Europe/Paris" }).toFormat("HH:mm")).toBe("09:00");
    const fall = utc("2026-10-24T07:00:00Z"); // 09:00 in Paris
    expect(hours(fall, addDuration(fall, d("P1D"), "Europe/Paris"))).toBe(25);
  });

  it("is plain arithmetic in UTC", () => {
    expect(addDuration(utc("2026-03-29T00:30:00Z"), d("P1D"), "UTC")).toEqual(utc("2026-03-30T00:30:00Z"));
  });

  it("lands on the hour that exists when the clock skips one", () => {
    // 01:30 Paris + 1 h: 02:30 does not exist that night; the result is 03:30 local, one hour later
    const at = addDuration(utc("2026-03-29T00:30:00Z"), d("PT1H"), "Europe/Paris");
    expect(DateTime.fromJSDate(at, { zone: "Europe/Paris" }).toFormat("HH:mm")).toBe("03:30");
  });
});

describe("planReminders", () => {
  const base = {
    open: true,
    cadence: d("PT30M"),
    since: utc("2026-01-31T14:00:00Z"),
    expectsCommsLead: false,
    hasCommsLead: false,
    severitySince: utc("2026-01-31T14:00:00Z"),
    now: utc("2026-01-31T14:05:00Z"),
    zone: "UTC",
  };

  it("plans the due reminder one cadence after the last update, and the escalation one cadence later", () => {
    expect(planReminders(base)).toEqual({
      nextUpdateDueAt: utc("2026-01-31T14:30:00Z"),
      reminders: [
        { kind: "update_due", dueAt: utc("2026-01-31T14:30:00Z") },
        { kind: "escalate", dueAt: utc("2026-01-31T15:00:00Z") },
      ],
    });
  });

  it("adds the Comms Lead nudge for severities that expect one, while there is none", () => {
    expect(planReminders({ ...base, expectsCommsLead: true }).reminders).toContainEqual({ kind: "comms_nudge", dueAt: utc("2026-01-31T14:30:00Z") });
    expect(planReminders({ ...base, expectsCommsLead: true, hasCommsLead: true }).reminders.map((r) => r.kind)).not.toContain("comms_nudge");
  });

  it("sends an overdue nudge at once", () => {
    const late = planReminders({ ...base, expectsCommsLead: true, severitySince: utc("2026-01-31T13:00:00Z") });
    expect(late.reminders).toContainEqual({ kind: "comms_nudge", dueAt: base.now });
  });

  it("moves the due reminder to the end of a snooze, with the escalation one cadence after", () => {
    const p = planReminders({ ...base, snoozedUntil: utc("2026-01-31T14:45:00Z") });
    expect(p.nextUpdateDueAt).toEqual(utc("2026-01-31T14:45:00Z"));
    expect(p.reminders.slice(0, 2)).toEqual([
      { kind: "update_due", dueAt: utc("2026-01-31T14:45:00Z") },
      { kind: "escalate", dueAt: utc("2026-01-31T15:15:00Z") },
    ]);
  });

  it("ignores a snooze that ends before the update is due anyway", () => {
    expect(planReminders({ ...base, snoozedUntil: utc("2026-01-31T14:10:00Z") }).nextUpdateDueAt).toEqual(utc("2026-01-31T14:30:00Z"));
  });

  it("plans nothing without a cadence or for a resolved incident", () => {
    expect(planReminders({ ...base, cadence: null })).toEqual({ nextUpdateDueAt: null, reminders: [] });
    expect(planReminders({ ...base, open: false })).toEqual({ nextUpdateDueAt: null, reminders: [] });
  });

  it("keeps an hourly cadence at 60 minutes through a DST change in the configured zone", () => {
    const p = planReminders({ ...base, cadence: d("PT1H"), since: utc("2026-10-25T00:30:00Z"), now: utc("2026-10-25T00:31:00Z"), zone: "Europe/Paris" });
    expect(p.reminders.map((r) => r.dueAt)).toEqual([utc("2026-10-25T01:30:00Z"), utc("2026-10-25T02:30:00Z")]);
  });
});
