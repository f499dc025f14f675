// Reminders on the cadence: planned from pure code (domain/cadence.ts), stored as
// jobs, re-planned whenever the clock restarts (an update, a severity change, a snooze, a resolve or
// a reopen). Each plan has an epoch; a reminder job from an older plan does nothing. Each reminder is
// posted once (effect log) and goes on the timeline once.

import { addDuration, type PlannedReminder, planReminders, type ReminderKind } from "../../domain/cadence.ts";
import { type Incident, incidentRef } from "../../domain/incident.ts";
import { isOpen } from "../../domain/lifecycle.ts";
import { requireSeverity } from "../../domain/severity.ts";
import type { TimelineDraft } from "../../domain/timeline.ts";
import { z } from "zod";
import { type ClaimedJob, enqueue, type JobDraft } from "../../store/jobs.ts";
import { isSlackError } from "../../slack/api.ts";
import { announceEscalation, commsNudgeMessage, reminderMessage } from "../../slack/blocks/war-room/reminders.ts";
import { addTimeline, loadIncident } from "../../store/incidents.ts";
import type { Ctx } from "../context.ts";
import { channelOf, postInIncident } from "../notify.ts";
import { explainSlackError } from "../../slack/explain.ts";
import { draft, type JobType, jobType } from "../job-type.ts";

const reminderPayload = z.object({
  /** The plan this reminder belongs to; a later plan makes it stale. */
  epoch: z.number().int(),
  /** The how-manieth of its kind in this plan (escalations repeat). */
  n: z.number().int().positive().default(1),
  dueAt: z.iso.datetime().optional(),
});

function reminderType(kind: ReminderKind, failure: string) {
  return jobType({ kind: `reminder.${kind}`, payload: reminderPayload, failure, run: (ctx, p, job) => remind(ctx, kind, p, job) });
}

export const REMINDER_JOBS: Readonly<Record<ReminderKind, JobType<typeof reminderPayload>>> = {
  update_due: reminderType("update_due", "send the update reminder of"),
  escalate: reminderType("escalate", "send the escalated reminder of"),
  comms_nudge: reminderType("comms_nudge", "send the Comms Lead nudge of"),
};
export const REMINDER_KINDS = Object.values(REMINDER_JOBS).map((t) => t.kind);

function jobFor(incidentId: string, epoch: number, r: PlannedReminder, n = 1): JobDraft {
  const type = REMINDER_JOBS[r.kind];
  return draft(type, { epoch, n, dueAt: r.dueAt.toISOString() }, { incidentId, dueAt: r.dueAt, dedupeKey: `${type.kind}:${incidentId}:${epoch}:${n}` });
}

export interface Replanned {
  after: Incident;
  jobs: JobDraft[];
  cancelKinds: readonly string[];
}

/** A fresh plan for `after` (its clock restarted): pending reminders cancelled, new ones enqueued. */
export function replan(ctx: Ctx, before: Incident, after: Incident, now: Date): Replanned {
  const severity = requireSeverity(ctx.config.incident.severities, after.severity);
  const epoch = before.cadenceEpoch + 1;
  const plan = planReminders({
    open: isOpen(after.status),
    cadence: severity.cadence,
    since: after.lastUpdateAt ?? after.declaredAt,
    snoozedUntil: after.snoozedUntil,
    expectsCommsLead: severity.expectsCommsLead,
    hasCommsLead: after.roles.comms !== null,
    severitySince: after.severityChangedAt ?? after.declaredAt,
    now,
    zone: ctx.config.incident.timezone,
  });
  return {
    after: { ...after, cadenceEpoch: epoch, nextUpdateDueAt: plan.nextUpdateDueAt },
    jobs: plan.reminders.map((r) => jobFor(after.id, epoch, r)),
    cancelKinds: REMINDER_KINDS,
  };
}

/** The first plan, at declaration (epoch 0). */
export function initialPlan(ctx: Ctx, incident: Pick<Incident, "id" | "severity" | "declaredAt">, now: Date): { nextUpdateDueAt: Date | null; jobs: JobDraft[] } {
  const severity = requireSeverity(ctx.config.incident.severities, incident.severity);
  const plan = planReminders({
    open: true,
    cadence: severity.cadence,
    since: incident.declaredAt,
    expectsCommsLead: severity.expectsCommsLead,
    hasCommsLead: false,
    severitySince: incident.declaredAt,
    now,
    zone: ctx.config.incident.timezone,
  });
  return { nextUpdateDueAt: plan.nextUpdateDueAt, jobs: plan.reminders.map((r) => jobFor(incident.id, 0, r)) };
}

/** On the timeline once, however often the job runs again after posting. */
async function recordOnce(ctx: Ctx, incidentId: string, key: string, entry: TimelineDraft): Promise<void> {
  await addTimeline(ctx.db, incidentId, ctx.clock.now(), [entry], { sourceKey: key });
}

async function remind(ctx: Ctx, kind: ReminderKind, p: z.output<typeof reminderPayload>, job: ClaimedJob): Promise<void> {
  const incident = job.incidentId ? await loadIncident(ctx.db, job.incidentId) : undefined;
  if (!incident) return;
  const epoch = p.epoch;
  // stale: an update, a severity change, a snooze or a resolve re-planned since
  if (epoch !== incident.cadenceEpoch || !isOpen(incident.status)) return;
  channelOf(incident);
  const severity = requireSeverity(ctx.config.incident.severities, incident.severity);
  if (!severity.cadence) return;
  const n = p.n;
  const now = ctx.clock.now();
  const due = p.dueAt ? new Date(p.dueAt) : job.dueAt;
  const since = incident.lastUpdateAt ?? incident.declaredAt;

  if (kind === "comms_nudge") {
    if (incident.roles.comms) return;
    const key = `nudge:comms:${incident.id}:${severity.id}`;
    const m = commsNudgeMessage(incident, severity);
    if (!(await postInIncident(ctx, incident, key, { text: m.text, blocks: m.blocks }))) return;
    await recordOnce(ctx, incident.id, key, { kind: "reminder", actorId: null, text: `Nudge: ${severity.id} has no Comms Lead`, data: { reminder: "comms_nudge" } });
    ctx.metrics.remindersSent.inc({ kind });
    return;
  }

  const key = `reminder:${incident.id}:${epoch}:${kind}:${n}`;
  const m = reminderMessage(incident, severity, { kind, n, since, due, now, epoch });
  // a channel that cannot take it (archived, gone): the person in charge was told; reminding stops there
  if (!(await postInIncident(ctx, incident, key, { text: m.text, blocks: m.blocks }))) return;
  await recordOnce(ctx, incident.id, key, {
    kind: "reminder",
    actorId: null,
    text: kind === "update_due" ? "Reminder: a status update is due" : `Escalation ${n}: no status update for ${severity.id}'s cadence`,
    data: { reminder: kind, n, lateMs: Math.max(0, now.getTime() - due.getTime()) },
  });
  ctx.log.info({ incident: incident.id, reminder: kind, n, lateMs: now.getTime() - due.getTime() }, "reminder sent");
  ctx.metrics.remindersSent.inc({ kind });
  ctx.metrics.reminderLateness.observe(Math.max(0, now.getTime() - due.getTime()) / 1000);

  if (kind === "escalate") {
    if (n === 1) await announceEscalated(ctx, incident, severity, since, key);
    // keep reminding, every cadence, while no update arrives
    const next = addDuration(due, severity.cadence, ctx.config.incident.timezone);
    await enqueue(ctx.db, [jobFor(incident.id, epoch, { kind: "escalate", dueAt: next }, n + 1)], now);
  }
}

async function announceEscalated(ctx: Ctx, incident: Incident, severity: ReturnType<typeof requireSeverity>, since: Date, key: string): Promise<void> {
  const configured = ctx.config.incident.announceChannel;
  if (!configured || incident.isPrivate || incident.isDrill || !incident.channelId) return;
  const m = announceEscalation(incident, severity, since, incident.channelId);
  try {
    await ctx.once.post(`announce:${key}`, { channel: await ctx.channels.resolve(configured), text: m.text, blocks: m.blocks });
  } catch (err) {
    if (!isSlackError(err) || err.transient) throw err;
    ctx.log.error({ incident: incident.id, method: err.method, code: err.code }, `could not announce the escalation of ${incidentRef(incident)}: ${explainSlackError(err)}`);
  }
}
