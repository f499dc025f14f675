// Who is told, by severity: a severity's `notify` list (people, user groups, channels) is told when an
// incident is declared at it or escalated into it: people (a group's members, resolved through Slack)
// are invited to the incident channel and sent a DM, channels get the notice (never for a private
// incident). If `respond_within` passes and no person holds Incident Commander (an incident the bot
// declared from an alert), the notice is repeated, louder, with the announce channel, once. Drills
// notify only when the severity says `notify_drills`. The jobs are written with the change that asks
// for them; each post is once per key (the effect log), so replicas and restarts tell people once.

import { z } from "zod";
import { addDuration } from "../../domain/cadence.ts";
import { type Incident, incidentRef } from "../../domain/incident.ts";
import { isOpen } from "../../domain/lifecycle.ts";
import { requireSeverity, type Severity } from "../../domain/severity.ts";
import { isSlackError } from "../../slack/api.ts";
import { nobodyRespondedNotice, notInvitedNotice, severityNotice } from "../../slack/blocks/war-room/notifications.ts";
import { explainSlackError } from "../../slack/explain.ts";
import { addTimeline, loadIncident } from "../../store/incidents.ts";
import type { JobDraft } from "../../store/jobs.ts";
import type { Config } from "../../config/index.ts";
import type { Ctx } from "../context.ts";
import { sendDm } from "../effects.ts";
import { draft, jobType } from "../job-type.ts";
import { channelOf, postInIncident } from "../notify.ts";

const INVITE_BATCH = 100;

/** Does this severity tell anyone about this incident? */
function tells(severity: Severity, incident: Pick<Incident, "isDrill">): boolean {
  return severity.notify.length > 0 && (!incident.isDrill || severity.notifyDrills);
}

/**
 * The jobs that tell a severity's notify list about an incident declared at it or escalated into it
 * (`event` names the change, so each is told once), and the repeat when no one takes IC in time.
 */
export function notificationJobs(config: Config, incident: Pick<Incident, "id" | "isDrill">, severityId: string, event: string, facts: { why: "declared" | "escalated"; by: string; reason?: string }, at: Date): JobDraft[] {
  const severity = requireSeverity(config.incident.severities, severityId);
  if (!tells(severity, incident)) return [];
  const key = `notify:${incident.id}:${event}`;
  const jobs = [draft(NOTIFY_JOB, { key, severity: severity.id, ...facts }, { incidentId: incident.id, dedupeKey: key })];
  if (severity.respondWithin) {
    jobs.push(draft(NOTIFY_REPEAT_JOB, { key, severity: severity.id, since: at.toISOString() }, { incidentId: incident.id, dueAt: addDuration(at, severity.respondWithin, config.incident.timezone), dedupeKey: `${key}:repeat` }));
  }
  return jobs;
}

/** The people of the list: its users and its groups' members, once each, not the bot. */
async function peopleOf(ctx: Ctx, severity: Severity): Promise<string[]> {
  const people = new Set<string>();
  for (const t of severity.notify) {
    if (t.kind === "user") people.add(t.id);
    if (t.kind === "group") {
      try {
        const r = await ctx.slack.call<{ ok: boolean; users?: string[] }>("usergroups.users.list", { usergroup: t.id, include_disabled: false });
        for (const u of r.users ?? []) people.add(u);
      } catch (err) {
        if (!isSlackError(err) || err.transient || err.code.startsWith("http_") || err.code === "network" || err.code === "timeout") throw err;
        ctx.log.error({ group: t.id, method: err.method, code: err.code }, "could not read a notify list's user group");
      }
    }
  }
  people.delete(ctx.bot.userId);
  return [...people];
}

/** Invites people into the incident channel; those Slack refuses are named once in the channel. */
async function invite(ctx: Ctx, incident: Incident, channel: string, people: readonly string[]): Promise<void> {
  for (let i = 0; i < people.length; i += INVITE_BATCH) {
    const batch = people.slice(i, i + INVITE_BATCH);
    let refused: { user: string; error: string }[] = [];
    try {
      const r = await ctx.slack.call<{ ok: boolean; errors?: { user?: string; ok?: boolean; error?: string }[] }>("conversations.invite", { channel, users: batch.join(","), force: true });
      refused = (r.errors ?? []).filter((e) => e.user && e.error && e.error !== "already_in_channel").map((e) => ({ user: e.user as string, error: e.error as string }));
    } catch (err) {
      if (isSlackError(err, "already_in_channel")) continue;
      if (!isSlackError(err) || err.transient || err.code.startsWith("http_") || err.code === "network" || err.code === "timeout") throw err;
      const listed = ((err.data as { errors?: { user?: string; error?: string }[] } | undefined)?.errors ?? []).filter((e) => e.user && e.error !== "already_in_channel");
      refused = listed.length > 0 ? listed.map((e) => ({ user: e.user as string, error: e.error ?? err.code })) : batch.map((user) => ({ user, error: err.code }));
    }
    for (const r of refused) {
      ctx.log.warn({ incident: incident.id, userId: r.user, code: r.error }, "could not invite a person on the notify list");
      await postInIncident(ctx, incident, `notice:invite:${incident.id}:${r.user}`, { text: notInvitedNotice(r.user, r.error) });
    }
  }
}

async function tellChannel(ctx: Ctx, incident: Incident, key: string, channel: string, m: { text: string; blocks: unknown[] }): Promise<void> {
  try {
    await ctx.once.post(key, { channel, text: m.text, blocks: m.blocks, unfurl_links: false });
  } catch (err) {
    if (!isSlackError(err) || err.transient || err.code.startsWith("http_") || err.code === "network" || err.code === "timeout") throw err;
    ctx.log.error({ incident: incident.id, channel, method: err.method, code: err.code }, "could not tell a channel on the notify list");
    await postInIncident(ctx, incident, `notice:notify:${incident.id}:${channel}:${err.code}`, { text: `:warning: I could not tell <#${channel}> (on the notify list): ${explainSlackError(err)}` });
  }
}

export const NOTIFY_JOB = jobType({
  kind: "notify.severity",
  payload: z.object({ key: z.string(), severity: z.string(), why: z.enum(["declared", "escalated"]), by: z.string(), reason: z.string().optional() }),
  failure: "tell the notify list about",
  async run(ctx, p, job) {
    const incident = job.incidentId ? await loadIncident(ctx.db, job.incidentId) : undefined;
    if (!incident) return;
    const channel = channelOf(incident);
    const severity = requireSeverity(ctx.config.incident.severities, p.severity);
    if (!tells(severity, incident)) return;
    const people = await peopleOf(ctx, severity);
    await invite(ctx, incident, channel, people);
    const m = severityNotice(incident, severity, { why: p.why, by: p.by, reason: p.reason }, channel);
    for (const user of people) await sendDm(ctx, `${p.key}:dm:${user}`, user, m.text, m.blocks);
    // a private incident's existence stays with its own people: channels are not told
    const channels = incident.isPrivate ? [] : severity.notify.filter((t) => t.kind === "channel").map((t) => t.id);
    for (const c of channels) await tellChannel(ctx, incident, `${p.key}:channel:${c}`, c, m);
    const told = [...people.map((u) => `<@${u}>`), ...channels.map((c) => `<#${c}>`)];
    await addTimeline(ctx.db, incident.id, ctx.clock.now(), [{ kind: "notified", actorId: null, text: `Told ${told.join(", ") || "no one (the list is empty)"}: the ${severity.id} notify list`, data: { severity: severity.id, people, channels } }], { sourceKey: `${p.key}:timeline` });
    ctx.log.info({ incident: incident.id, severity: severity.id, people: people.length, channels: channels.length }, `told the notify list of ${incidentRef(incident)}`);
  },
});

export const NOTIFY_REPEAT_JOB = jobType({
  kind: "notify.repeat",
  payload: z.object({ key: z.string(), severity: z.string(), since: z.string() }),
  failure: "repeat the notice of",
  async run(ctx, p, job) {
    const incident = job.incidentId ? await loadIncident(ctx.db, job.incidentId) : undefined;
    if (!incident || !isOpen(incident.status)) return;
    // a person holds IC: someone responded
    if (incident.roles.ic && incident.roles.ic !== ctx.bot.userId) return;
    const channel = channelOf(incident);
    const severity = requireSeverity(ctx.config.incident.severities, p.severity);
    if (!tells(severity, incident) || !severity.respondWithin) return;
    const people = await peopleOf(ctx, severity);
    const quiet = nobodyRespondedNotice(incident, severity, severity.respondWithin, channel, false);
    for (const user of people) await sendDm(ctx, `${p.key}:repeat:dm:${user}`, user, quiet.text, quiet.blocks);
    const loud = nobodyRespondedNotice(incident, severity, severity.respondWithin, channel, true);
    await postInIncident(ctx, incident, `${p.key}:repeat:incident`, { text: loud.text, blocks: loud.blocks });
    if (!incident.isPrivate) {
      const channels = severity.notify.filter((t) => t.kind === "channel").map((t) => t.id);
      for (const c of channels) await tellChannel(ctx, incident, `${p.key}:repeat:channel:${c}`, c, loud);
      const announce = ctx.config.incident.announceChannel;
      if (announce && !incident.isDrill && !channels.includes(announce)) await tellChannel(ctx, incident, `${p.key}:repeat:announce`, await ctx.channels.resolve(announce), loud);
    }
    await addTimeline(ctx.db, incident.id, ctx.clock.now(), [{ kind: "notified", actorId: null, text: `No one took Incident Commander within ${severity.respondWithin.toISO()}: the ${severity.id} notify list was told again, louder`, data: { severity: severity.id, repeat: true } }], { sourceKey: `${p.key}:repeat:timeline` });
  },
});
