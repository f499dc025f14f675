// Cadence arithmetic and the reminder plan, pure. Durations are added in the configured time zone
// with luxon: hours, minutes and seconds are elapsed time (PT1H is always 60 minutes, across a DST
// change), days and longer keep the local clock time (P1D after 09:00 is 09:00 the next day, 23 or 25
// hours later when the clocks change).
//
// The plan for an open incident with a cadence: an "update due" reminder one cadence after the last
// update (or the declaration, or a snooze), then an escalation one further cadence later, repeated
// every cadence while no update arrives; and for severities that expect a Comms Lead, a nudge one
// cadence in if there is none.

import { DateTime, Duration } from "luxon";

export type ReminderKind = "update_due" | "escalate" | "comms_nudge";

export interface PlannedReminder {
  readonly kind: ReminderKind;
  readonly dueAt: Date;
}

export function addDuration(at: Date, d: Duration, zone: string): Date {
  return DateTime.fromJSDate(at, { zone }).plus(d).toJSDate();
}

/**
 * A duration run `scale` times faster (the playground's --fast: 60 makes PT30M thirty seconds), as
 * elapsed time; scale 1 returns it unchanged, calendar units and all.
 */
export function scaleDuration(d: Duration, scale: number): Duration {
  if (scale === 1) return d;
  return Duration.fromMillis(Math.max(1000, Math.round(d.toMillis() / scale)));
}

export interface PlanInput {
  readonly open: boolean;
  readonly cadence: Duration | null;
  /** When the clock last restarted: the last update, else the declaration (or a snooze's end, see below). */
  readonly since: Date;
  /** A snooze moves the next reminder to this time (the escalation follows one cadence later). */
  readonly snoozedUntil?: Date | null;
  readonly expectsCommsLead: boolean;
  readonly hasCommsLead: boolean;
  /** When the current severity began (declaration or the last severity change). */
  readonly severitySince: Date;
  readonly now: Date;
  readonly zone: string;
}

export interface Plan {
  /** When the next status update is due (shown in the opening message); null without a cadence. */
  readonly nextUpdateDueAt: Date | null;
  readonly reminders: readonly PlannedReminder[];
}

export function planReminders(p: PlanInput): Plan {
  if (!p.open || !p.cadence) return { nextUpdateDueAt: null, reminders: [] };
  const due = p.snoozedUntil && p.snoozedUntil > addDuration(p.since, p.cadence, p.zone) ? p.snoozedUntil : addDuration(p.since, p.cadence, p.zone);
  const reminders: PlannedReminder[] = [
    { kind: "update_due", dueAt: due },
    { kind: "escalate", dueAt: addDuration(due, p.cadence, p.zone) },
  ];
  if (p.expectsCommsLead && !p.hasCommsLead) {
    const nudge = addDuration(p.severitySince, p.cadence, p.zone);
    // a nudge whose time has passed (e.g. after an escalation) goes out now
    reminders.push({ kind: "comms_nudge", dueAt: nudge < p.now ? p.now : nudge });
  }
  return { nextUpdateDueAt: due, reminders };
}

