// The job kinds this bot runs, and what happens when one fails for good: the people concerned are told.

import { incidentRef } from "../domain/incident.ts";
import type { ClaimedJob } from "../scheduler/queue.ts";
import type { JobHandler } from "../scheduler/worker.ts";
import { loadIncident } from "../store/incidents.ts";
import type { Ctx } from "./context.ts";
import { announce, dm, post, refresh, welcome } from "./effects.ts";
import { publishHome } from "./home.ts";
import { REMINDER_JOB, remind } from "./reminders.ts";
import { captureJob } from "./timeline.ts";
import { assignRoleRequestJob, declareRequestJob, takeRoleRequestJob } from "./request-jobs.ts";
import { REQUEST_JOB } from "./requests.ts";
import { draftPostmortem } from "../postmortem/publish.ts";
import { actionDueJob } from "./action-items.ts";
import { archiveJob, closureNudgeJob, postmortemReminderJob } from "./resolve.ts";
import { tellPeople, why } from "./notify.ts";
import { JOB } from "./jobs.ts";
import { provision } from "./provision.ts";

export function jobHandlers(ctx: Ctx): Record<string, JobHandler> {
  return {
    [JOB.provision]: (job) => provision(ctx, job.incidentId as string),
    [JOB.refresh]: (job) => refresh(ctx, job),
    [JOB.post]: (job) => post(ctx, job),
    [JOB.dm]: (job) => dm(ctx, job),
    [JOB.welcome]: (job) => welcome(ctx, job),
    [JOB.announce]: (job) => announce(ctx, job),
    [JOB.capture]: (job) => captureJob(ctx, job),
    [JOB.home]: (job) => publishHome(ctx, job),
    [REMINDER_JOB.update_due]: (job) => remind(ctx, job),
    [REMINDER_JOB.escalate]: (job) => remind(ctx, job),
    [REMINDER_JOB.comms_nudge]: (job) => remind(ctx, job),
    [JOB.postmortem]: (job) => draftPostmortem(ctx, job),
    [JOB.pmReminder]: (job) => postmortemReminderJob(ctx, job),
    [JOB.closureNudge]: (job) => closureNudgeJob(ctx, job),
    [JOB.archive]: (job) => archiveJob(ctx, job),
    [JOB.actionDue]: (job) => actionDueJob(ctx, job),
    [REQUEST_JOB.declare]: (job) => declareRequestJob(ctx, job),
    [REQUEST_JOB.takeRole]: (job) => takeRoleRequestJob(ctx, job),
    [REQUEST_JOB.assignRole]: (job) => assignRoleRequestJob(ctx, job),
  };
}

const WHAT: Record<string, string> = {
  [JOB.provision]: "finish setting up",
  [JOB.refresh]: "update the opening message of",
  [JOB.post]: "post a message in",
  [JOB.dm]: "send a direct message about",
  [JOB.welcome]: "welcome a role holder to",
  [JOB.announce]: "post in the announce channel about",
  [JOB.capture]: "add a message to the timeline of",
  [REMINDER_JOB.update_due]: "send the update reminder of",
  [REMINDER_JOB.escalate]: "send the escalated reminder of",
  [REMINDER_JOB.comms_nudge]: "send the Comms Lead nudge of",
  [JOB.postmortem]: "publish the postmortem draft of",
  [JOB.pmReminder]: "send the postmortem reminder of",
  [JOB.closureNudge]: "send the closing reminder of",
  [JOB.archive]: "archive the channel of",
  [JOB.actionDue]: "remind the owner of an action item of",
  [REQUEST_JOB.takeRole]: "record a role taken in",
  [REQUEST_JOB.assignRole]: "record a role assigned in",
};

/** A job gave up: say so where the incident's people will see it (never silently). */
export async function reportDeadJob(ctx: Ctx, job: ClaimedJob, error: unknown): Promise<void> {
  if (!job.incidentId) return;
  const incident = await loadIncident(ctx.db, job.incidentId);
  if (!incident) return;
  await tellPeople(ctx, incident, `:warning: I could not ${WHAT[job.kind] ?? "complete a step for"} ${incidentRef(incident)} after ${job.attempts} attempts: ${why(error)}`);
}

/** A job waits for an admin's fix: say what is wrong and that the work is kept. */
export async function reportBlockedJob(ctx: Ctx, job: ClaimedJob, error: unknown): Promise<void> {
  if (!job.incidentId) return;
  const incident = await loadIncident(ctx.db, job.incidentId);
  if (!incident) return;
  await tellPeople(ctx, incident, `:warning: I could not ${WHAT[job.kind] ?? "complete a step for"} ${incidentRef(incident)}: ${why(error)} I will keep trying every few minutes.`);
}
