// Job handlers for an incident's Slack side effects after a decision: re-render the opening message
// and topic, post in the channel, DM someone, welcome a new role holder. They wait for the channel
// when it does not exist yet (a change made while the declaration is still being provisioned).

import { incidentRef } from "../domain/incident.ts";
import type { Role } from "../domain/roles.ts";
import { requireSeverity } from "../domain/severity.ts";
import type { ClaimedJob } from "../scheduler/queue.ts";
import { RetryJobError } from "../scheduler/worker.ts";
import { isSlackError } from "../slack/api.ts";
import { channelTopic, openingMessage } from "../slack/blocks/opening-message.ts";
import { roleBrief } from "../slack/blocks/role-brief.ts";
import { escapeMrkdwn } from "../domain/text.ts";
import { loadIncident } from "../store/incidents.ts";
import { explainSlackError } from "./explain.ts";
import type { Ctx } from "./context.ts";
import { postInIncident } from "./notify.ts";

const NOT_READY_MS = 2000;
/** The channel is gone for good: nothing posted there can ever arrive. */
const CHANNEL_GONE = ["channel_not_found", "is_archived"];

function text(job: ClaimedJob, key: string): string {
  const v = job.payload[key];
  if (typeof v !== "string") throw new Error(`job ${job.id} (${job.kind}) has no ${key}`);
  return v;
}

export async function refresh(ctx: Ctx, job: ClaimedJob): Promise<void> {
  const incident = job.incidentId ? await loadIncident(ctx.db, job.incidentId) : undefined;
  if (!incident) return;
  if (!incident.channelId || !incident.openingTs) throw new RetryJobError("the opening message is not posted yet", NOT_READY_MS);
  const severity = requireSeverity(ctx.config.incident.severities, incident.severity);
  const message = openingMessage(incident, severity);
  try {
    await ctx.slack.call("chat.update", { channel: incident.channelId, ts: incident.openingTs, text: message.text, blocks: message.blocks });
    if (job.payload.topic === true) {
      const icName = incident.roles.ic ? await ctx.users.name(incident.roles.ic) : undefined;
      await ctx.slack.call("conversations.setTopic", { channel: incident.channelId, topic: channelTopic(incident, severity, icName) });
    }
  } catch (err) {
    if (isSlackError(err, ...CHANNEL_GONE, "message_not_found", "cant_update_message")) {
      ctx.log.warn({ incident: incident.id, code: err.code }, "the opening message can no longer be updated");
      return;
    }
    throw err;
  }
}

export async function post(ctx: Ctx, job: ClaimedJob): Promise<void> {
  const incident = job.incidentId ? await loadIncident(ctx.db, job.incidentId) : undefined;
  if (!incident) return;
  if (!incident.channelId) throw new RetryJobError("the incident channel does not exist yet", NOT_READY_MS);
  await postInIncident(ctx, incident, text(job, "key"), {
    text: text(job, "text"),
    ...(Array.isArray(job.payload.blocks) ? { blocks: job.payload.blocks } : {}),
  });
}

export async function dm(ctx: Ctx, job: ClaimedJob): Promise<void> {
  const userId = text(job, "userId");
  try {
    await ctx.once.post(text(job, "key"), { channel: userId, text: text(job, "text"), ...(Array.isArray(job.payload.blocks) ? { blocks: job.payload.blocks } : {}) });
  } catch (err) {
    // a deactivated person cannot be messaged; nothing will change that
    if (isSlackError(err, "user_not_found", "channel_not_found", "cannot_dm_bot", "user_disabled")) {
      ctx.log.warn({ userId, code: err.code }, "could not DM a person");
      return;
    }
    throw err;
  }
}

/** A message in the announce channel; a misconfigured channel is reported in the incident channel. */
export async function announce(ctx: Ctx, job: ClaimedJob): Promise<void> {
  const configured = ctx.config.incident.announceChannel;
  const incident = job.incidentId ? await loadIncident(ctx.db, job.incidentId) : undefined;
  if (!configured || !incident || incident.isPrivate) return;
  try {
    await ctx.once.post(text(job, "key"), {
      channel: await ctx.channels.resolve(configured),
      text: text(job, "text"),
      unfurl_links: false,
      ...(Array.isArray(job.payload.blocks) ? { blocks: job.payload.blocks } : {}),
    });
  } catch (err) {
    if (!isSlackError(err) || err.transient) throw err;
    ctx.log.error({ incident: incident.id, method: err.method, code: err.code, channel: configured }, "could not post in the announce channel");
    if (incident.channelId) {
      await ctx.once.post(`notice:announce:${incident.id}:${err.code}`, {
        channel: incident.channelId,
        text: `:warning: I could not post in ${escapeMrkdwn(configured)}: ${explainSlackError(err)}`,
      });
    }
  }
}

export async function welcome(ctx: Ctx, job: ClaimedJob): Promise<void> {
  const incident = job.incidentId ? await loadIncident(ctx.db, job.incidentId) : undefined;
  if (!incident) return;
  if (!incident.channelId) throw new RetryJobError("the incident channel does not exist yet", NOT_READY_MS);
  const userId = text(job, "userId");
  const role = text(job, "role") as Role;
  if (userId !== ctx.bot.userId) {
    try {
      await ctx.slack.callUnless("conversations.invite", { channel: incident.channelId, users: userId, force: true }, "already_in_channel");
    } catch (err) {
      if (!isSlackError(err, "user_not_found", "cant_invite", "user_is_restricted", ...CHANNEL_GONE)) throw err;
      ctx.log.warn({ incident: incident.id, userId, code: err.code }, `could not invite a role holder into ${incidentRef(incident)}`);
    }
  }
  const brief = roleBrief(incident, requireSeverity(ctx.config.incident.severities, incident.severity), role);
  await dm(ctx, { ...job, payload: { key: `${text(job, "key")}:brief`, userId, text: brief.text, blocks: brief.blocks } });
}
