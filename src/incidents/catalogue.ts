// Every kind of job this bot runs, in one list: the worker runs a job by its kind, checking its payload
// against the kind's schema first, and when one fails for good (or waits for an admin's fix) the
// person who asked, or else the incident's people, are told what could not be done. Nothing is only
// logged.

import { incidentRef } from "../domain/incident.ts";
import { PermanentJobError, type JobHandler } from "../scheduler/worker.ts";
import type { ClaimedJob } from "../store/jobs.ts";
import { loadIncident } from "../store/incidents.ts";
import { ACTION_DUE_JOB } from "./resolution/action-items.ts";
import { AUTO_DECLARE_JOB } from "./alerts/decisions.ts";
import { NOTIFICATION_JOB } from "./alerts/fold.ts";
import { PAGERDUTY_JOB } from "./alerts/pagerduty.ts";
import { TRIAGE_POST_JOB, TRIAGE_REFRESH_JOB } from "./alerts/triage.ts";
import { CHECKLIST_POST_JOB, CHECKLIST_REFRESH_JOB } from "./war-room/checklist.ts";
import type { Ctx } from "./context.ts";
import { ANNOUNCE_JOB, DM_JOB, POST_JOB, REFRESH_JOB, WELCOME_JOB } from "./effects.ts";
import { DIGEST_JOB } from "./numbers/digest.ts";
import { HOME_JOB } from "./numbers/home.ts";
import type { JobType } from "./job-type.ts";
import { NOTIFY_JOB, NOTIFY_REPEAT_JOB } from "./war-room/notifications.ts";
import { tellPeople, why } from "./notify.ts";
import { POSTMORTEM_JOB } from "./resolution/postmortem.ts";
import { PROVISION_JOB } from "./war-room/provision.ts";
import { RECORD_REFRESH_JOB } from "./numbers/record.ts";
import { REMINDER_JOBS } from "./war-room/reminders.ts";
import { tellAsker } from "./requests.ts";
import { DECLARE_REQUEST } from "./war-room/declare.ts";
import { ASSIGN_ROLE_REQUEST, TAKE_ROLE_REQUEST } from "./war-room/roles.ts";
import { ARCHIVE_JOB, CLOSURE_NUDGE_JOB, PM_REMINDER_JOB } from "./resolution/resolve.ts";
import { CAPTURE_JOB } from "./war-room/timeline.ts";
import { ASK_RESOLVE_JOB, PUBLISH_JOB } from "./out/statuspage.ts";
import { PAGE_PUBLISH_JOB } from "./out/status-page.ts";
import { DELIVER_JOB } from "./out/webhooks.ts";
import { CATCHUP_REQUEST } from "./assistant/catchup.ts";
import { CLOSE_UPSTREAM_JOB, EXPORT_JOB, UPSTREAM_JOB } from "./followups/export.ts";
import { REPO_COMMIT_JOB } from "./followups/postmortem-repo.ts";

export const CATALOGUE: readonly JobType[] = [
  PROVISION_JOB,
  REFRESH_JOB,
  POST_JOB,
  DM_JOB,
  WELCOME_JOB,
  ANNOUNCE_JOB,
  CAPTURE_JOB,
  HOME_JOB,
  ...Object.values(REMINDER_JOBS),
  POSTMORTEM_JOB,
  PM_REMINDER_JOB,
  CLOSURE_NUDGE_JOB,
  ARCHIVE_JOB,
  ACTION_DUE_JOB,
  EXPORT_JOB,
  CLOSE_UPSTREAM_JOB,
  UPSTREAM_JOB,
  REPO_COMMIT_JOB,
  CHECKLIST_POST_JOB,
  CHECKLIST_REFRESH_JOB,
  NOTIFY_JOB,
  NOTIFY_REPEAT_JOB,
  RECORD_REFRESH_JOB,
  DIGEST_JOB,
  NOTIFICATION_JOB,
  PAGERDUTY_JOB,
  TRIAGE_POST_JOB,
  TRIAGE_REFRESH_JOB,
  AUTO_DECLARE_JOB,
  DELIVER_JOB,
  PUBLISH_JOB,
  PAGE_PUBLISH_JOB,
  ASK_RESOLVE_JOB,
  DECLARE_REQUEST,
  TAKE_ROLE_REQUEST,
  ASSIGN_ROLE_REQUEST,
  CATCHUP_REQUEST,
];

const BY_KIND = new Map(CATALOGUE.map((t) => [t.kind, t]));

/** The worker's handlers: each job's payload is checked against its kind's schema, then run. */
export function jobHandlers(ctx: Ctx): Record<string, JobHandler> {
  const handlers: Record<string, JobHandler> = {};
  for (const type of CATALOGUE) {
    handlers[type.kind] = async (job) => {
      const payload = type.payload.safeParse(job.payload);
      if (!payload.success) throw new PermanentJobError(`job ${job.id} (${job.kind}) has a malformed payload: ${payload.error.issues.map((i) => `${i.path.join(".") || "(payload)"}: ${i.message}`).join("; ")}`);
      await type.run(ctx, payload.data, job);
    };
  }
  return handlers;
}

/** Tells the person who asked for the job, or else the incident's people; never throws. */
async function report(ctx: Ctx, job: ClaimedJob, sentence: (subject: string) => string): Promise<void> {
  const type = BY_KIND.get(job.kind);
  const parsed = type?.payload.safeParse(job.payload);
  const asker = parsed?.success && type?.asker ? type.asker(parsed.data) : undefined;
  const incident = job.incidentId ? await loadIncident(ctx.db, job.incidentId) : undefined;
  const what = type?.failure ?? "complete a step for";
  const text = `:warning: ${sentence(incident ? `${what} ${incidentRef(incident)}` : `${what} ${job.kind === DECLARE_REQUEST.kind ? "your incident" : "your request"}`)}`;
  if (asker) {
    if (await tellAsker(ctx, asker.responseUrl, text)) return;
    if (asker.userId) {
      try {
        await ctx.slack.call("chat.postMessage", { channel: asker.userId, text });
        return;
      } catch (err) {
        ctx.log.error({ err, job: job.id }, "could not tell the person who asked either");
      }
    }
  }
  if (incident) await tellPeople(ctx, incident, text);
  else if (!asker) ctx.log.error({ job: job.id, kind: job.kind }, "a job without an incident or a person to tell failed");
}

/** A job gave up: say so where the people concerned will see it (never silently). */
export function reportDeadJob(ctx: Ctx, job: ClaimedJob, error: unknown): Promise<void> {
  ctx.metrics.jobsFailed.inc();
  return report(ctx, job, (subject) => `I could not ${subject} after ${job.attempts} attempts: ${why(error)}`);
}

/** A job waits for an admin's fix: say what is wrong and that the work is kept. */
export function reportBlockedJob(ctx: Ctx, job: ClaimedJob, error: unknown): Promise<void> {
  return report(ctx, job, (subject) => `I could not ${subject}: ${why(error)} I will keep trying every few minutes.`);
}
