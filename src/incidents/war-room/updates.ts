// Keeping the incident moving: status updates (which restart the cadence clock), severity changes
// (which re-plan reminders for the new cadence), and snoozing a reminder. Each re-plans the reminders
// in the same transaction as the change, so no reminder of an old plan can fire after it.

import { changeSeverity, postUpdate, snooze } from "../../domain/incident.ts";
import type { Status } from "../../domain/lifecycle.ts";
import { compareSeverity, requireSeverity } from "../../domain/severity.ts";
import { describeEvent } from "../../domain/timeline.ts";
import type { JobDraft } from "../../store/jobs.ts";
import { announceSeverityMessage, announceUpdateMessage, severityChangedMessage, statusUpdateMessage } from "../../slack/blocks/war-room/updates.ts";
import type { Ctx } from "../context.ts";
import { type Applied, decideAndSave } from "../decide.ts";
import { announceJobs, postJob, refreshJob } from "../effects.ts";
import { notificationJobs } from "./notifications.ts";
import { replan } from "./reminders.ts";

export const SNOOZE_MS = 15 * 60 * 1000;

export function postUpdateJourney(ctx: Ctx, input: { incidentId: string; text: string; status?: Status; actor: string; requestKey?: string }): Promise<Applied> {
  return decideAndSave(
    ctx,
    input.incidentId,
    (incident, at) => postUpdate(incident, { text: input.text, ...(input.status ? { status: input.status } : {}) }, input.actor, at),
    (before, after, events, at) => {
      const r = replan(ctx, before, after, at);
      const severity = requireSeverity(ctx.config.incident.severities, after.severity);
      const key = `update:${after.id}:${after.version}`;
      const message = statusUpdateMessage(after, severity, input.text, after.status, input.actor, r.after.nextUpdateDueAt);
      const jobs: JobDraft[] = [...r.jobs, refreshJob(after.id, { topic: before.status !== after.status }), postJob(after.id, key, message.text, message.blocks)];
      // severities that expect a Comms Lead keep stakeholders informed in the announce channel
      if (severity.expectsCommsLead) jobs.push(...announceJobs(ctx, after, `announce:${key}`, announceUpdateMessage(after, severity, input.text, after.status, after.channelId), "announced_update"));
      return {
        timeline: events.map(describeEvent),
        jobs,
        cancelKinds: r.cancelKinds,
        after: r.after,
        autoTicks: ["first_update"],
        also: async (tx) => {
          await tx.statusUpdate.create({ data: { incidentId: after.id, status: after.status, text: input.text, authorId: input.actor, postedAt: at } });
        },
      };
    },
    { requestKey: input.requestKey },
  );
}

export function changeSeverityJourney(ctx: Ctx, input: { incidentId: string; severity: string; reason: string; actor: string; requestKey?: string }): Promise<Applied> {
  const ladder = ctx.config.incident.severities;
  return decideAndSave(
    ctx,
    input.incidentId,
    (incident, at) => changeSeverity(incident, input.severity, input.reason, input.actor, compareSeverity(ladder, incident.severity, input.severity), at),
    (before, after, events, at) => {
      const r = replan(ctx, before, after, at);
      const to = requireSeverity(ladder, after.severity);
      const direction = compareSeverity(ladder, before.severity, after.severity) === "escalate" ? "escalate" : "deescalate";
      const key = `severity:${after.id}:${after.version}`;
      const message = severityChangedMessage(after, before.severity, to, input.reason, input.actor, direction);
      const jobs: JobDraft[] = [...r.jobs, refreshJob(after.id, { topic: true }), postJob(after.id, key, message.text, message.blocks)];
      jobs.push(...announceJobs(ctx, after, `announce:${key}`, announceSeverityMessage(after, before.severity, to, input.reason, direction, after.channelId)));
      // escalating into a severity tells its notify list, as declaring at it would
      if (direction === "escalate") jobs.push(...notificationJobs(ctx.config, after, to.id, `escalated:${after.version}`, { why: "escalated", by: input.actor, reason: input.reason }, at));
      return { timeline: events.map(describeEvent), jobs, cancelKinds: r.cancelKinds, after: r.after };
    },
    { requestKey: input.requestKey },
  );
}

export function snoozeJourney(ctx: Ctx, input: { incidentId: string; actor: string; planEpoch?: number; requestKey?: string }): Promise<Applied> {
  const until = new Date(ctx.clock.now().getTime() + SNOOZE_MS);
  return decideAndSave(
    ctx,
    input.incidentId,
    (incident) => snooze(incident, until, input.actor, requireSeverity(ctx.config.incident.severities, incident.severity).cadence !== null, input.planEpoch),
    (before, after, events, at) => {
      const r = replan(ctx, before, after, at);
      const timeline = events.map(describeEvent);
      const echo = `:zzz: ${timeline.map((t) => t.text).join(" ")}`;
      return { timeline, jobs: [...r.jobs, refreshJob(after.id), postJob(after.id, `snooze:${after.id}:${after.version}`, echo)], cancelKinds: r.cancelKinds, after: r.after };
    },
    { requestKey: input.requestKey },
  );
}
