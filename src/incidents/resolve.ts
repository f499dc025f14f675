// Resolving and learning (product.md §7, §8): resolve (only the IC, or the declarer while there is
// none) stops the reminders, posts the seed's resolution message, tells the announce channel and
// drafts the postmortem; reopen undoes it and restarts the cadence; close marks the postmortem done and,
// with archive_after, schedules the channel's archiving. The postmortem job runs after the resolve has
// been committed, so drafting can never block or undo it.

import { close, type Incident, incidentRef, reopen, resolve } from "../domain/incident.ts";
import { addDuration } from "../domain/cadence.ts";
import { requireSeverity } from "../domain/severity.ts";
import { describeEvent } from "../domain/timeline.ts";
import { durationBetween } from "../postmortem/data.ts";
import { type ClaimedJob, enqueue, type JobDraft, payloadString } from "../scheduler/queue.ts";
import { isSlackError } from "../slack/api.ts";
import { announceReopened, announceResolution, closedMessage, closureNudge, postmortemReminder, reopenedMessage, resolutionMessage } from "../slack/blocks/resolution.ts";
import { claimRequest, DuplicateRequestError, loadIncident } from "../store/incidents.ts";
import type { Ctx } from "./context.ts";
import { type Applied, decideAndSave } from "./decide.ts";
import { JOB, postJob, refreshJob } from "./jobs.ts";
import { REMINDER_KINDS, replan } from "./reminders.ts";
import { Duration } from "luxon";

const AFTER_RESOLVE_KINDS = [JOB.pmReminder, JOB.closureNudge, JOB.archive];
const ONE_DAY = Duration.fromISO("P1D");

function announce(ctx: Ctx, incident: Incident, key: string, message: { text: string; blocks: unknown[] }): JobDraft[] {
  if (!ctx.config.incident.announceChannel || incident.isPrivate) return [];
  return [{ kind: JOB.announce, incidentId: incident.id, payload: { key, text: message.text, blocks: message.blocks } }];
}

export function draftJob(incidentId: string, requestedBy?: string): JobDraft {
  return { kind: JOB.postmortem, incidentId, payload: requestedBy ? { requestedBy } : {}, dedupeKey: `postmortem:${incidentId}` };
}

export function resolveJourney(ctx: Ctx, input: { incidentId: string; summary: string; rootCause?: string; actor: string; requestKey?: string }): Promise<Applied> {
  const zone = ctx.config.incident.timezone;
  return decideAndSave(
    ctx,
    input.incidentId,
    (incident) => resolve(incident, { summary: input.summary, ...(input.rootCause ? { rootCause: input.rootCause } : {}) }, input.actor, ctx.clock.now()),
    (before, after, events, at) => {
      const r = replan(ctx, before, after, at);
      const severity = requireSeverity(ctx.config.incident.severities, after.severity);
      const duration = durationBetween(after.declaredAt, at);
      const key = `resolved:${after.id}:${after.version}`;
      const message = resolutionMessage(after, input.summary, duration, at, input.actor);
      const jobs: JobDraft[] = [
        refreshJob(after.id, { topic: true }),
        postJob(after.id, key, message.text, message.blocks),
        ...announce(ctx, after, `announce:${key}`, announceResolution(after, input.summary, duration, after.channelId)),
        draftJob(after.id),
        { kind: JOB.closureNudge, incidentId: after.id, dueAt: addDuration(at, ONE_DAY, zone), payload: { resolvedAt: at.toISOString() } },
      ];
      if (severity.postmortemRequired) {
        const due = addDuration(at, ctx.config.incident.postmortemDue, zone);
        const halfway = new Date(at.getTime() + (due.getTime() - at.getTime()) / 2);
        jobs.push(
          { kind: JOB.pmReminder, incidentId: after.id, dueAt: halfway, payload: { resolvedAt: at.toISOString(), due: due.toISOString(), overdue: false } },
          { kind: JOB.pmReminder, incidentId: after.id, dueAt: due, payload: { resolvedAt: at.toISOString(), due: due.toISOString(), overdue: true } },
        );
      }
      return {
        timeline: events.map(describeEvent),
        jobs: [...r.jobs, ...jobs],
        cancelKinds: [...REMINDER_KINDS, ...AFTER_RESOLVE_KINDS],
        after: r.after,
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
    (incident) => reopen(incident, input.reason, input.actor, ctx.clock.now()),
    (before, after, events, at) => {
      const r = replan(ctx, before, after, at);
      const key = `reopened:${after.id}:${after.version}`;
      const message = reopenedMessage(after, input.reason, input.actor);
      return {
        timeline: events.map(describeEvent),
        jobs: [...r.jobs, refreshJob(after.id, { topic: true }), postJob(after.id, key, message.text, message.blocks), ...announce(ctx, after, `announce:${key}`, announceReopened(after, input.reason, after.channelId))],
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
    (incident) => close(incident, input.actor, ctx.clock.now()),
    (_before, after, events, at) => {
      const archiveAfter = ctx.config.incident.archiveAfter;
      const archiveAt = archiveAfter ? addDuration(at, archiveAfter, ctx.config.incident.timezone) : null;
      const message = closedMessage(after, input.actor, archiveAt);
      const jobs: JobDraft[] = [refreshJob(after.id, { topic: true }), postJob(after.id, `closed:${after.id}:${after.version}`, message.text, message.blocks)];
      if (archiveAt) jobs.push({ kind: JOB.archive, incidentId: after.id, dueAt: archiveAt, payload: { closedAt: at.toISOString() } });
      return {
        timeline: events.map(describeEvent),
        jobs,
        cancelKinds: AFTER_RESOLVE_KINDS,
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
      await enqueue(tx, [draftJob(incident.id, actor)], ctx.clock.now());
    });
  } catch (err) {
    if (err instanceof DuplicateRequestError) return;
    throw err;
  }
  ctx.kick();
}

/** The current resolution matches the one a job was planned for (else it is stale). */
function sameResolution(incident: Incident, job: ClaimedJob): boolean {
  const resolvedAt = payloadString(job, "resolvedAt");
  return incident.status === "resolved" && incident.resolvedAt !== null && resolvedAt === incident.resolvedAt.toISOString();
}

export async function postmortemReminderJob(ctx: Ctx, job: ClaimedJob): Promise<void> {
  const incident = job.incidentId ? await loadIncident(ctx.db, job.incidentId) : undefined;
  if (!incident?.channelId || !sameResolution(incident, job)) return;
  const done = await ctx.db.postmortem.count({ where: { incidentId: incident.id, status: "done" } });
  if (done > 0) return;
  const due = new Date(payloadString(job, "due") ?? job.dueAt.toISOString());
  const m = postmortemReminder(incident, due, job.payload.overdue === true);
  await ctx.once.post(`pm:reminder:${job.id}`, { channel: incident.channelId, text: m.text, blocks: m.blocks });
}

/** A resolved incident left open: a daily nudge to its IC, until it is closed or reopened. */
export async function closureNudgeJob(ctx: Ctx, job: ClaimedJob): Promise<void> {
  const incident = job.incidentId ? await loadIncident(ctx.db, job.incidentId) : undefined;
  if (!incident?.resolvedAt || !sameResolution(incident, job)) return;
  const m = closureNudge(incident, incident.resolvedAt, incident.channelId);
  const ic = incident.roles.ic ?? incident.declaredBy;
  await ctx.once.post(`nudge:close:${job.id}`, { channel: ic, text: m.text, blocks: m.blocks });
  const next = addDuration(job.dueAt, ONE_DAY, ctx.config.incident.timezone);
  await enqueue(ctx.db, [{ kind: JOB.closureNudge, incidentId: incident.id, dueAt: next, payload: job.payload }], ctx.clock.now());
}

export async function archiveJob(ctx: Ctx, job: ClaimedJob): Promise<void> {
  const incident = job.incidentId ? await loadIncident(ctx.db, job.incidentId) : undefined;
  if (!incident?.channelId || incident.status !== "closed" || incident.closedAt?.toISOString() !== payloadString(job, "closedAt")) return;
  try {
    await ctx.slack.callUnless("conversations.archive", { channel: incident.channelId }, "already_archived");
    ctx.log.info({ incident: incident.id, channel: incident.channelId }, `archived the channel of ${incidentRef(incident)}`);
  } catch (err) {
    if (!isSlackError(err, "channel_not_found", "not_in_channel", "cant_archive_general", "cant_archive_required")) throw err;
    ctx.log.warn({ incident: incident.id, code: err.code }, "could not archive the incident channel");
  }
}
