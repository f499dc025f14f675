// Resolving and learning: resolve (only the IC, or the declarer while there is
// none) stops the reminders, posts the framework's resolution message, tells the announce channel and
// drafts the postmortem; reopen undoes it and restarts the cadence; close marks the postmortem done and,
// with archive_after, schedules the channel's archiving. The postmortem job runs after the resolve has
// been committed, so drafting can never block or undo it.

import { commitJobs } from "../followups/postmortem-repo.ts";
import { close, type Incident, incidentRef, inCharge, type Refusal, reopen, resolve } from "../../domain/incident.ts";
import { Duration } from "luxon";
import { addDuration, scaleDuration } from "../../domain/cadence.ts";
import { requireSeverity } from "../../domain/severity.ts";
import { describeEvent } from "../../domain/timeline.ts";
import { durationBetween } from "../../domain/durations.ts";
import { z } from "zod";
import { type ClaimedJob, enqueue, type JobDraft } from "../../store/jobs.ts";
import { isSlackError } from "../../slack/api.ts";
import { announceReopened, announceResolution, closedMessage, closureNudge, postmortemReminder, reopenedMessage, resolutionMessage } from "../../slack/blocks/resolution/messages.ts";
import { claimRequest, DuplicateRequestError, loadIncident } from "../../store/incidents.ts";
import type { Ctx } from "../context.ts";
import { type Applied, decideAndSave } from "../decide.ts";
import { announceJobs, postJob, refreshJob } from "../effects.ts";
import { statuspageJobsOnResolve } from "../out/statuspage.ts";
import { draft, jobType } from "../job-type.ts";
import { postmortemJob } from "./postmortem.ts";
import { REMINDER_KINDS, replan } from "../war-room/reminders.ts";

const ONE_DAY = Duration.fromISO("P1D");

/** Why `actor` may not resolve the incident now, if not (to refuse before opening the form). */
export function whyNotResolve(ctx: Ctx, incident: Incident, actor: string): Refusal | undefined {
  const d = resolve(incident, { summary: "" }, actor, ctx.clock.now());
  return d.ok ? undefined : d.refusal;
}

export function resolveJourney(ctx: Ctx, input: { incidentId: string; summary: string; rootCause?: string; actor: string; requestKey?: string }): Promise<Applied> {
  const zone = ctx.config.incident.timezone;
  return decideAndSave(
    ctx,
    input.incidentId,
    (incident, at) => resolve(incident, { summary: input.summary, ...(input.rootCause ? { rootCause: input.rootCause } : {}) }, input.actor, at),
    (before, after, events, at) => {
      const r = replan(ctx, before, after, at);
      const severity = requireSeverity(ctx.config.incident.severities, after.severity);
      const duration = durationBetween(after.declaredAt, at);
      const key = `resolved:${after.id}:${after.version}`;
      const message = resolutionMessage(after, input.summary, duration, at, input.actor);
      const jobs: JobDraft[] = [
        refreshJob(after.id, { topic: true }),
        postJob(after.id, key, message.text, message.blocks),
        ...announceJobs(ctx, after, `announce:${key}`, announceResolution(after, input.summary, duration, after.channelId)),
        postmortemJob(after.id),
        draft(CLOSURE_NUDGE_JOB, { resolvedAt: at.toISOString() }, { incidentId: after.id, dueAt: addDuration(at, scaleDuration(ONE_DAY, ctx.config.timeScale), zone) }),
        ...statuspageJobsOnResolve(ctx, after, at),
      ];
      if (severity.postmortemRequired) {
        const due = addDuration(at, ctx.config.incident.postmortemDue, zone);
        const halfway = new Date(at.getTime() + (due.getTime() - at.getTime()) / 2);
        jobs.push(
          draft(PM_REMINDER_JOB, { resolvedAt: at.toISOString(), due: due.toISOString(), overdue: false }, { incidentId: after.id, dueAt: halfway }),
          draft(PM_REMINDER_JOB, { resolvedAt: at.toISOString(), due: due.toISOString(), overdue: true }, { incidentId: after.id, dueAt: due }),
        );
      }
      return {
        timeline: events.map(describeEvent),
        jobs: [...r.jobs, ...jobs],
        cancelKinds: [...REMINDER_KINDS, ...AFTER_RESOLVE_KINDS],
        after: r.after,
        autoTicks: ["resolved"],
        ...(input.rootCause ? { extra: { rootCause: input.rootCause } } : {}),
      };
    },
    { requestKey: input.requestKey },
  );
}

export function reopenJourney(ctx: Ctx, input: { incidentId: string; reason: string; actor: string; requestKey?: string }): Promise<Applied> {
  return decideAndSave(
    ctx,
    input.incidentId,
    (incident, at) => reopen(incident, input.reason, input.actor, at),
    (before, after, events, at) => {
      const r = replan(ctx, before, after, at);
      const key = `reopened:${after.id}:${after.version}`;
      const message = reopenedMessage(after, input.reason, input.actor);
      return {
        timeline: events.map(describeEvent),
        jobs: [...r.jobs, refreshJob(after.id, { topic: true }), postJob(after.id, key, message.text, message.blocks), ...announceJobs(ctx, after, `announce:${key}`, announceReopened(after, input.reason, after.channelId))],
        cancelKinds: [...REMINDER_KINDS, ...AFTER_RESOLVE_KINDS],
        after: r.after,
      };
    },
    { requestKey: input.requestKey },
  );
}

export function closeJourney(ctx: Ctx, input: { incidentId: string; actor: string; requestKey?: string }): Promise<Applied> {
  return decideAndSave(
    ctx,
    input.incidentId,
    (incident, at) => close(incident, input.actor, at),
    (_before, after, events, at) => {
      const archiveAfter = ctx.config.incident.archiveAfter;
      const archiveAt = archiveAfter ? addDuration(at, archiveAfter, ctx.config.incident.timezone) : null;
      const message = closedMessage(after, input.actor, archiveAt);
      const jobs: JobDraft[] = [refreshJob(after.id, { topic: true }), postJob(after.id, `closed:${after.id}:${after.version}`, message.text, message.blocks)];
      if (archiveAt) jobs.push(draft(ARCHIVE_JOB, { closedAt: at.toISOString() }, { incidentId: after.id, dueAt: archiveAt }));
      jobs.push(...commitJobs(ctx, after.id, "closed"));
      return {
        timeline: events.map(describeEvent),
        jobs,
        cancelKinds: AFTER_RESOLVE_KINDS,
        autoTicks: ["closed"],
        also: async (tx) => {
          await tx.postmortem.updateMany({ where: { incidentId: after.id }, data: { status: "done", doneAt: at, doneBy: input.actor } });
        },
      };
    },
    { requestKey: input.requestKey },
  );
}

/** `/incident postmortem`: re-draft from the current record (resolved or closed incidents). */
export async function requestPostmortem(ctx: Ctx, incident: Incident, actor: string, requestKey?: string): Promise<void> {
  try {
    await ctx.db.$transaction(async (tx) => {
      await claimRequest(tx, requestKey);
      await enqueue(tx, [postmortemJob(incident.id, actor)], ctx.clock.now());
    });
  } catch (err) {
    if (err instanceof DuplicateRequestError) return;
    throw err;
  }
  ctx.kick();
}

/** The current resolution matches the one a job was planned for (else it is stale). */
function sameResolution(incident: Incident, resolvedAt: string): boolean {
  return incident.status === "resolved" && incident.resolvedAt !== null && resolvedAt === incident.resolvedAt.toISOString();
}

export const PM_REMINDER_JOB = jobType({
  kind: "postmortem.reminder",
  payload: z.object({ resolvedAt: z.string(), due: z.string(), overdue: z.boolean().default(false) }),
  failure: "send the postmortem reminder of",
  async run(ctx, p, job) {
    const incident = job.incidentId ? await loadIncident(ctx.db, job.incidentId) : undefined;
    if (!incident?.channelId || !sameResolution(incident, p.resolvedAt)) return;
    const done = await ctx.db.postmortem.count({ where: { incidentId: incident.id, status: "done" } });
    if (done > 0) return;
    const m = postmortemReminder(incident, new Date(p.due), p.overdue);
    await ctx.once.post(`pm:reminder:${job.id}`, { channel: incident.channelId, text: m.text, blocks: m.blocks });
  },
});

/** A resolved incident left open: a daily nudge to its IC, until it is closed or reopened. */
export const CLOSURE_NUDGE_JOB = jobType({
  kind: "incident.closure_nudge",
  payload: z.object({ resolvedAt: z.string() }),
  failure: "send the closing reminder of",
  async run(ctx, p, job: ClaimedJob) {
    const incident = job.incidentId ? await loadIncident(ctx.db, job.incidentId) : undefined;
    if (!incident?.resolvedAt || !sameResolution(incident, p.resolvedAt)) return;
    const m = closureNudge(incident, incident.resolvedAt, incident.channelId);
    await ctx.once.post(`nudge:close:${job.id}`, { channel: inCharge(incident), text: m.text, blocks: m.blocks });
    const next = addDuration(job.dueAt, scaleDuration(ONE_DAY, ctx.config.timeScale), ctx.config.incident.timezone);
    await enqueue(ctx.db, [draft(CLOSURE_NUDGE_JOB, p, { incidentId: incident.id, dueAt: next })], ctx.clock.now());
  },
});

export const ARCHIVE_JOB = jobType({
  kind: "channel.archive",
  payload: z.object({ closedAt: z.string() }),
  failure: "archive the channel of",
  async run(ctx, p, job) {
    const incident = job.incidentId ? await loadIncident(ctx.db, job.incidentId) : undefined;
    if (!incident?.channelId || incident.status !== "closed" || incident.closedAt?.toISOString() !== p.closedAt) return;
    try {
      await ctx.slack.callUnless("conversations.archive", { channel: incident.channelId }, "already_archived");
      ctx.log.info({ incident: incident.id, channel: incident.channelId }, `archived the channel of ${incidentRef(incident)}`);
    } catch (err) {
      if (!isSlackError(err, "channel_not_found", "not_in_channel", "cant_archive_general", "cant_archive_required")) throw err;
      ctx.log.warn({ incident: incident.id, code: err.code }, "could not archive the incident channel");
    }
  },
});

/** Jobs planned by a resolution, cancelled when it is undone (reopen) or done with (close). */
const AFTER_RESOLVE_KINDS = [PM_REMINDER_JOB.kind, CLOSURE_NUDGE_JOB.kind, ARCHIVE_JOB.kind];
