// Telling people when Slack will not let the bot do its job. Posts in the incident channel go through
// `postInIncident`: if the bot was removed from a public channel it joins again; if the channel is
// archived, gone, or private and the bot was removed, the Incident Commander is told by DM, once per
// incident and cause, and the message (already in the timeline) is not retried forever.

import { type Incident, incidentRef, inCharge } from "../domain/incident.ts";
import { RetryJobError } from "../scheduler/worker.ts";
import { isSlackError, PacedError, SlackCallError } from "../slack/api.ts";
import { wakeWaiting } from "../store/jobs.ts";
import type { PostArgs, Posted } from "../slack/once.ts";
import type { Ctx } from "./context.ts";
import { explainSlackError } from "../slack/explain.ts";
import { TrackerError } from "../trackers/tracker.ts";

/** A job that needs the incident channel (or its opening message) waits for the declaration's provisioning. */
export const WAITING_FOR_CHANNEL = "the incident channel does not exist yet";
export const WAITING_FOR_OPENING = "the opening message is not posted yet";

/** The incident's channel, or a retry shortly (woken at once when the channel is created). */
export function channelOf(incident: Incident): string {
  if (!incident.channelId) throw new RetryJobError(WAITING_FOR_CHANNEL, 2000, true);
  return incident.channelId;
}

/** Jobs that were waiting for the channel, or the opening message, run now. */
export async function wakeWaitingJobs(ctx: Ctx, incidentId: string): Promise<void> {
  if ((await wakeWaiting(ctx.db, incidentId, [WAITING_FOR_CHANNEL, WAITING_FOR_OPENING], ctx.clock.now())) > 0) ctx.kick();
}

/** The incident channel cannot take messages until someone fixes it. */
export const CHANNEL_UNAVAILABLE = ["channel_not_found", "is_archived", "not_in_channel"];

function channelProblem(incident: Incident, channel: string, err: SlackCallError): string {
  const where = `<#${channel}>`;
  switch (err.code) {
    case "is_archived":
      return `${where}, the channel of ${incidentRef(incident)}, is archived, so its updates and reminders cannot be posted there. Unarchive it, or resolve the incident; everything is still recorded in its timeline.`;
    case "not_in_channel":
      return `I was removed from ${where}, the channel of ${incidentRef(incident)}, so its updates and reminders cannot be posted there. Invite me back with \`/invite @Warroom\`; everything is still recorded in its timeline.`;
    default:
      return `I cannot find ${where}, the channel of ${incidentRef(incident)} (it was deleted, or it is private and I was removed), so its updates and reminders cannot be posted there. Everything is still recorded in its timeline.`;
  }
}

/**
 * Posts in the incident channel once per key. Returns where it went, or undefined when the channel
 * cannot take it (the person in charge has been told). Other failures are thrown for the job to retry.
 */
export async function postInIncident(ctx: Ctx, incident: Incident, key: string, args: Omit<PostArgs, "channel">): Promise<Posted | undefined> {
  const channel = incident.channelId;
  if (!channel) throw new Error(`${incidentRef(incident)} has no channel yet`);
  try {
    return await ctx.once.post(key, { ...args, channel });
  } catch (err) {
    if (!isSlackError(err, ...CHANNEL_UNAVAILABLE)) throw err;
    if (err.code === "not_in_channel" && channel.startsWith("C")) {
      // removed from a public channel: join it again, and post
      try {
        await ctx.slack.call("conversations.join", { channel });
        ctx.log.warn({ incident: incident.id, channel }, `rejoined the channel of ${incidentRef(incident)}, which I had been removed from`);
        return await ctx.once.post(key, { ...args, channel });
      } catch (again) {
        if (!isSlackError(again)) throw again;
        if (again.transient) throw again;
        return await channelUnavailable(ctx, incident, channel, key, again);
      }
    }
    return await channelUnavailable(ctx, incident, channel, key, err);
  }
}

async function channelUnavailable(ctx: Ctx, incident: Incident, channel: string, key: string, err: SlackCallError): Promise<undefined> {
  ctx.log.error({ incident: incident.id, channel, method: err.method, code: err.code, key }, "the incident channel cannot take messages; told the person in charge");
  await tellInCharge(ctx, incident, `notice:channel:${incident.id}:${err.code}`, `:warning: ${channelProblem(incident, channel, err)}`);
  return undefined;
}

/**
 * A DM to the person in charge (the IC, else the declarer), once per key; a failure is logged, never
 * thrown (it is itself a report), except being held back by pacing: then the job tries again.
 */
export async function tellInCharge(ctx: Ctx, incident: Incident, key: string, text: string): Promise<void> {
  try {
    await ctx.once.post(key, { channel: inCharge(incident), text });
  } catch (err) {
    if (err instanceof PacedError) throw err;
    ctx.log.error({ incident: incident.id, err }, "could not tell the person in charge either");
  }
}

/**
 * Says something where the incident's people will see it: its channel, or else (no channel yet, or
 * the channel refuses) a DM to the person in charge. Never throws (but a job held back by pacing tries again).
 */
export async function tellPeople(ctx: Ctx, incident: Incident, text: string): Promise<void> {
  if (incident.channelId) {
    try {
      await ctx.slack.call("chat.postMessage", { channel: incident.channelId, text });
      return;
    } catch (err) {
      if (err instanceof PacedError) throw err;
      ctx.log.warn({ incident: incident.id, err }, "could not report in the incident channel; trying a DM");
    }
  }
  try {
    await ctx.slack.call("chat.postMessage", { channel: inCharge(incident), text });
  } catch (err) {
    if (err instanceof PacedError) throw err;
    ctx.log.error({ incident: incident.id, err }, "could not report to anyone; see the log");
  }
}

export function why(err: unknown): string {
  // a tracker's own words (GitHub, Jira, Linear)
  const tracker = err instanceof TrackerError ? err : err instanceof RetryJobError && err.cause instanceof TrackerError ? err.cause : undefined;
  if (tracker) return tracker.message.endsWith(".") ? tracker.message : `${tracker.message}.`;
  return err instanceof SlackCallError ? explainSlackError(err) : "an unexpected error (see the bot's log)";
}
