// The Slack side effects of a decision, as jobs: re-render the opening message and topic, post in the
// incident channel, DM someone, post in the announce channel, welcome a new role holder. Payloads are
// small; handlers re-read the incident. They wait for the channel when it does not exist yet (a
// change made while the declaration is still being provisioned).

import { z } from "zod";
import { AUTO_KEYS, type AutoKey } from "../domain/checklist.ts";
import { type Incident, incidentRef } from "../domain/incident.ts";
import { ROLES } from "../domain/roles.ts";
import { requireSeverity } from "../domain/severity.ts";
import { escapeMrkdwn } from "../domain/text.ts";
import { RetryJobError } from "../scheduler/worker.ts";
import { isSlackError } from "../slack/api.ts";
import { channelTopic, openingMessage } from "../slack/blocks/war-room/opening-message.ts";
import { roleBrief } from "../slack/blocks/war-room/role-brief.ts";
import { explainSlackError } from "../slack/explain.ts";
import type { JobDraft } from "../store/jobs.ts";
import { loadIncident } from "../store/incidents.ts";
import { autoTickNow } from "./war-room/checklist.ts";
import type { Ctx } from "./context.ts";
import { draft, jobType } from "./job-type.ts";
import { channelOf, postInIncident, WAITING_FOR_OPENING } from "./notify.ts";

/** The channel is gone for good: nothing posted there can ever arrive. */
const CHANNEL_GONE = ["channel_not_found", "is_archived"];

const blockList = z.array(z.unknown()).optional();
const message = z.object({ key: z.string(), text: z.string(), blocks: blockList });

export const REFRESH_JOB = jobType({
  kind: "incident.refresh",
  payload: z.object({ topic: z.boolean().default(false) }),
  failure: "update the opening message of",
  async run(ctx, p, job) {
    const incident = job.incidentId ? await loadIncident(ctx.db, job.incidentId) : undefined;
    if (!incident) return;
    if (!incident.channelId || !incident.openingTs) throw new RetryJobError(WAITING_FOR_OPENING, 2000, true);
    const severity = requireSeverity(ctx.config.incident.severities, incident.severity);
    const m = openingMessage(incident, severity);
    try {
      await ctx.slack.call("chat.update", { channel: incident.channelId, ts: incident.openingTs, text: m.text, blocks: m.blocks });
      if (p.topic) {
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
  },
});

export const POST_JOB = jobType({
  kind: "incident.post",
  payload: message,
  failure: "post a message in",
  async run(ctx, p, job) {
    const incident = job.incidentId ? await loadIncident(ctx.db, job.incidentId) : undefined;
    if (!incident) return;
    channelOf(incident);
    await postInIncident(ctx, incident, p.key, { text: p.text, ...(p.blocks ? { blocks: p.blocks } : {}) });
  },
});

/** A direct message, once per key; a person Slack cannot message (deactivated) is logged and skipped. */
export async function sendDm(ctx: Ctx, key: string, userId: string, text: string, blocks?: unknown[]): Promise<void> {
  try {
    await ctx.once.post(key, { channel: userId, text, ...(blocks ? { blocks } : {}) });
  } catch (err) {
    if (isSlackError(err, "user_not_found", "channel_not_found", "cannot_dm_bot", "user_disabled")) {
      ctx.log.warn({ userId, code: err.code }, "could not DM a person");
      return;
    }
    throw err;
  }
}

export const DM_JOB = jobType({
  kind: "incident.dm",
  payload: message.extend({ userId: z.string() }),
  failure: "send a direct message about",
  run: (ctx, p) => sendDm(ctx, p.key, p.userId, p.text, p.blocks),
});

export const ANNOUNCE_JOB = jobType({
  kind: "incident.announce",
  payload: message.extend({ autoTick: z.enum(AUTO_KEYS).optional() }),
  failure: "post in the announce channel about",
  async run(ctx, p, job) {
    const configured = ctx.config.incident.announceChannel;
    const incident = job.incidentId ? await loadIncident(ctx.db, job.incidentId) : undefined;
    if (!configured || !incident || incident.isPrivate || incident.isDrill) return;
    try {
      await ctx.once.post(p.key, { channel: await ctx.channels.resolve(configured), text: p.text, unfurl_links: false, ...(p.blocks ? { blocks: p.blocks } : {}) });
      if (p.autoTick) await autoTickNow(ctx, incident.id, [p.autoTick]);
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
  },
});

export const WELCOME_JOB = jobType({
  kind: "incident.welcome",
  payload: z.object({ key: z.string(), userId: z.string(), role: z.enum(ROLES) }),
  failure: "welcome a role holder to",
  async run(ctx, p, job) {
    const incident = job.incidentId ? await loadIncident(ctx.db, job.incidentId) : undefined;
    if (!incident) return;
    channelOf(incident);
    if (p.userId !== ctx.bot.userId) {
      try {
        await ctx.slack.callUnless("conversations.invite", { channel: incident.channelId, users: p.userId, force: true }, "already_in_channel");
      } catch (err) {
        if (!isSlackError(err, "user_not_found", "cant_invite", "user_is_restricted", ...CHANNEL_GONE)) throw err;
        ctx.log.warn({ incident: incident.id, userId: p.userId, code: err.code }, `could not invite a role holder into ${incidentRef(incident)}`);
      }
    }
    const brief = roleBrief(incident, requireSeverity(ctx.config.incident.severities, incident.severity), p.role);
    await sendDm(ctx, `${p.key}:brief`, p.userId, brief.text, brief.blocks);
  },
});

export function refreshJob(incidentId: string, opts: { topic?: boolean } = {}): JobDraft {
  return draft(REFRESH_JOB, { topic: opts.topic ?? false }, { incidentId, dedupeKey: `refresh:${incidentId}:${opts.topic ? "topic" : "message"}` });
}

export function postJob(incidentId: string, key: string, text: string, blocks?: unknown[]): JobDraft {
  return draft(POST_JOB, { key, text, ...(blocks ? { blocks } : {}) }, { incidentId });
}

export function dmJob(incidentId: string, key: string, userId: string, text: string, blocks?: unknown[]): JobDraft {
  return draft(DM_JOB, { key, userId, text, ...(blocks ? { blocks } : {}) }, { incidentId });
}

export function welcomeJob(incidentId: string, key: string, userId: string, role: (typeof ROLES)[number]): JobDraft {
  return draft(WELCOME_JOB, { key, userId, role }, { incidentId });
}

/** A message for the announce channel, when there is one and the incident may be announced. */
export function announceJobs(ctx: Ctx, incident: Incident, key: string, m: { text: string; blocks: unknown[] }, autoTick?: AutoKey): JobDraft[] {
  if (!ctx.config.incident.announceChannel || incident.isPrivate || incident.isDrill) return [];
  return [draft(ANNOUNCE_JOB, { key, text: m.text, blocks: m.blocks, ...(autoTick ? { autoTick } : {}) }, { incidentId: incident.id })];
}
