// Alerts in, and triage. A notification (Alertmanager, Grafana, PagerDuty) is recorded as a job before
// its sender hears 200; the job folds it into its group, one notification of a group at a time:
// - a firing group with no pending triage item or open incident linked opens a triage item (its
//   message in the triage channel with Declare, Decline and Merge), or, when its mapped severity is
//   in alerts.auto_declare, is declared at once with the bot as declarer and no IC;
// - for a group linked to an incident, newly firing alerts go on the timeline and are said in its
//   channel, and when all of them have cleared the channel is told (an alert never resolves it);
// - a pending item's message is kept current, edited at most once every 5 seconds;
// - a repeated notification changes nothing, so nothing is posted twice.
// A declaration or merge takes the group's earliest alert start as the incident's detection time.

import { randomUUID } from "node:crypto";
import { z } from "zod";
import {
  ALERT_SOURCES,
  allCleared,
  alertNameOf,
  earliestStart,
  episodeContinues,
  firingCount,
  foldAlerts,
  mapSeverity,
  type Notification,
  proposedTitle,
  type StoredAlert,
} from "../domain/alerts.ts";
import { acknowledgeElsewhere, type Incident, incidentRef, linkAlerts } from "../domain/incident.ts";
import { findSeverity } from "../domain/severity.ts";
import { describeEvent, type TimelineDraft } from "../domain/timeline.ts";
import { RetryJobError } from "../scheduler/worker.ts";
import { isSlackError } from "../slack/api.ts";
import { clearedNotice, firedNotice, linkedNotice, triageMessage, type TriageView } from "../slack/blocks/triage.ts";
import { type AlertGroupRow, bumpGroup, claimEdit, createGroup, decideGroup, editDone, groupAlerts, latestGroup, loadGroup, lockGroupKey, recordTriageMessage, saveAlerts } from "../store/alerts.ts";
import type { Prisma } from "../store/generated/client.ts";
import { addTimeline, loadIncident } from "../store/incidents.ts";
import { enqueue, type JobDraft } from "../store/jobs.ts";
import type { Ctx } from "./context.ts";
import { decideAndSave } from "./decide.ts";
import { declare, type DeclareResult } from "./declare.ts";
import { postJob } from "./effects.ts";
import { draft, jobType } from "./job-type.ts";
import { WAITING_FOR_CHANNEL } from "./notify.ts";
import { recordOnce, recordRequest } from "./requests.ts";

/** A pending triage message is edited at most this often. */
export const TRIAGE_EDIT_GAP_MS = 5_000;

/** Someone decided the triage item first (declared, merged or declined it). */
export class AlreadyTriagedError extends Error {
  constructor(readonly group: AlertGroupRow) {
    super(`alert group ${group.id} is already ${group.status}`);
    this.name = "AlreadyTriagedError";
  }
}

// ---------- the notification, as a job's payload ----------

const labelSet = z.record(z.string(), z.string());
const when = z.string().nullable().transform((s) => (s ? new Date(s) : null));
const notificationPayload = z.object({
  source: z.enum(ALERT_SOURCES),
  groupKey: z.string(),
  status: z.enum(["firing", "resolved"]),
  groupLabels: labelSet,
  commonLabels: labelSet,
  commonAnnotations: labelSet,
  externalUrl: z.string().nullable(),
  severityValue: z.string().nullable(),
  alerts: z.array(
    z.object({
      fingerprint: z.string(),
      status: z.enum(["firing", "resolved"]),
      labels: labelSet,
      annotations: labelSet,
      startsAt: when,
      endsAt: when,
      generatorUrl: z.string().nullable(),
    }),
  ),
});

function toPayload(n: Notification): z.input<typeof notificationPayload> {
  return { ...n, alerts: n.alerts.map((a) => ({ ...a, startsAt: a.startsAt?.toISOString() ?? null, endsAt: a.endsAt?.toISOString() ?? null })) };
}

export const NOTIFICATION_JOB = jobType({
  kind: "alerts.notification",
  payload: notificationPayload,
  failure: "take in an alert notification for",
  run: (ctx, n) => foldNotification(ctx, n),
});

/**
 * Records a notification before it is acknowledged (one INSERT). A repeat of the same body while the
 * first waits is the same job; a repeat later folds in as "nothing changed".
 */
export async function recordNotification(ctx: Ctx, n: Notification, bodyDigest: string): Promise<void> {
  await recordRequest(ctx, NOTIFICATION_JOB, `alerts:${n.source}:${bodyDigest}`, toPayload(n));
}

// ---------- folding a notification into its group ----------

function severityOf(ctx: Ctx, value: string | null): { id: string; label: string } | undefined {
  const id = mapSeverity(value, ctx.config.incident.alerts.severityMap);
  const severity = id ? findSeverity(ctx.config.incident.severities, id) : undefined;
  return severity ? { id: severity.id, label: severity.label } : undefined;
}

function triagePostDraft(group: { id: string; incidentId: string | null }): JobDraft {
  return draft(TRIAGE_POST_JOB, { groupId: group.id }, { dedupeKey: `triage-post:${group.id}`, ...(group.incidentId ? { incidentId: group.incidentId } : {}) });
}

/** Keeps the triage message current: due when the last edit is 5 s old. */
export function triageRefreshDraft(group: Pick<AlertGroupRow, "id" | "lastEditAt" | "incidentId">, now: Date, incidentId?: string | null): JobDraft {
  const due = group.lastEditAt ? new Date(Math.max(now.getTime(), group.lastEditAt.getTime() + TRIAGE_EDIT_GAP_MS)) : now;
  return refreshAt(group.id, due, incidentId ?? group.incidentId);
}

/** One refresh of a group's triage message waits at a time (its key); linked, it wakes with the channel. */
function refreshAt(groupId: string, dueAt: Date, incidentId: string | null): JobDraft {
  return { kind: TRIAGE_REFRESH_KIND, payload: { groupId }, dedupeKey: `triage-refresh:${groupId}`, dueAt, ...(incidentId ? { incidentId } : {}) };
}

const TRIAGE_REFRESH_KIND = "alerts.triage_refresh";

async function foldNotification(ctx: Ctx, n: Notification): Promise<void> {
  const teamId = ctx.bot.teamId;
  const now = ctx.clock.now();
  const outcome = await ctx.db.$transaction(
    async (tx) => {
      await lockGroupKey(tx, teamId, n.source, n.groupKey);
      const latest = await latestGroup(tx, teamId, n.source, n.groupKey);
      const known = latest ? await groupAlerts(tx, latest.id) : [];
      const continues = latest !== undefined && episodeContinues({ status: latest.status, incidentOpen: latest.incidentOpen, cleared: allCleared(known) });
      if (!latest || !continues) return openGroup(ctx, tx, n, now);
      return foldIntoGroup(tx, latest, known, n, now);
    },
    { timeout: 20_000 },
  );
  if (outcome) {
    ctx.kick();
    ctx.log.info({ source: n.source, group: outcome.groupId, what: outcome.what }, "alert notification taken in");
  }
}

type Folded = { groupId: string; what: string } | undefined;

async function openGroup(ctx: Ctx, tx: Prisma.TransactionClient, n: Notification, now: Date): Promise<Folded> {
  // a group that only resolves (or was never seen firing) opens nothing
  if (!n.alerts.some((a) => a.status === "firing")) return undefined;
  const { alerts } = foldAlerts([], n.alerts);
  const severity = severityOf(ctx, n.severityValue);
  const id = randomUUID();
  await createGroup(
    tx,
    {
      id,
      teamId: ctx.bot.teamId,
      source: n.source,
      groupKey: n.groupKey,
      title: proposedTitle(n),
      alertName: alertNameOf(n),
      severityValue: n.severityValue,
      severity: severity?.id ?? null,
      groupLabels: { ...n.groupLabels },
      commonLabels: { ...n.commonLabels },
      commonAnnotations: { ...n.commonAnnotations },
      externalUrl: n.externalUrl,
    },
    alerts,
    now,
  );
  const auto = severity !== undefined && ctx.config.incident.alerts.autoDeclare.includes(severity.id);
  await enqueue(tx, [auto ? draft(AUTO_DECLARE_JOB, { groupId: id }, { dedupeKey: `auto-declare:${id}` }) : triagePostDraft({ id, incidentId: null })], now);
  return { groupId: id, what: auto ? "declaring at once" : "triage item opened" };
}

async function foldIntoGroup(tx: Prisma.TransactionClient, group: AlertGroupRow, known: readonly StoredAlert[], n: Notification, now: Date): Promise<Folded> {
  const changes = foldAlerts(known, n.alerts);
  if (!changes.changed) return undefined;
  // what changed is what the fold replaced
  const knownSet = new Set(known);
  const changed = changes.alerts.filter((a) => !knownSet.has(a));
  const wasCleared = allCleared(known);
  const nowCleared = allCleared(changes.alerts);
  await saveAlerts(tx, group.id, changed, changes.alerts, now, {
    commonLabels: { ...n.commonLabels },
    commonAnnotations: Object.keys(n.commonAnnotations).length > 0 ? { ...n.commonAnnotations } : group.commonAnnotations,
    ...(n.externalUrl ? { externalUrl: n.externalUrl } : {}),
  });
  const jobs: JobDraft[] = [];
  if (group.incidentId && (group.status === "declared" || group.status === "merged")) {
    const timeline: TimelineDraft[] = [];
    const version = group.version + 1;
    if (changes.fired.length > 0) {
      const text = firedNotice(group.source, group.alertName, changes.fired);
      timeline.push({ kind: "alert", actorId: null, text, data: { source: group.source, group: group.id, fired: changes.fired.map((a) => a.fingerprint) } });
      jobs.push(postJob(group.incidentId, `alerts:fired:${group.id}:${version}`, text));
    }
    if (nowCleared && !wasCleared) {
      const text = clearedNotice(group.source, group.alertName, changes.alerts.length);
      timeline.push({ kind: "alert", actorId: null, text, data: { source: group.source, group: group.id, cleared: changes.alerts.length } });
      jobs.push(postJob(group.incidentId, `alerts:cleared:${group.id}:${version}`, text));
    }
    await addTimeline(tx, group.incidentId, now, timeline);
  }
  // the triage message shows the count and what cleared, whatever was decided
  jobs.push(triageRefreshDraft(group, now));
  await enqueue(tx, jobs, now);
  return { groupId: group.id, what: `${changes.fired.length} fired, ${changes.cleared.length} cleared` };
}

// ---------- the triage message ----------

async function viewOf(ctx: Ctx, group: AlertGroupRow, alerts?: readonly StoredAlert[]): Promise<{ view: TriageView; incident: Incident | undefined }> {
  const incident = group.incidentId ? await loadIncident(ctx.db, group.incidentId) : undefined;
  const severity = group.severity ? findSeverity(ctx.config.incident.severities, group.severity) : undefined;
  return {
    incident,
    view: {
      id: group.id,
      source: group.source,
      status: group.status,
      title: group.title,
      alertName: group.alertName,
      severity: group.severity,
      severityLabel: severity?.label ?? null,
      severityValue: group.severityValue,
      commonLabels: group.commonLabels,
      commonAnnotations: group.commonAnnotations,
      externalUrl: group.externalUrl,
      alerts: alerts ?? (await groupAlerts(ctx.db, group.id)),
      acknowledgedBy: group.acknowledgedBy,
      decidedBy: group.decidedBy,
      decidedAt: group.decidedAt,
      declineReason: group.declineReason,
      incident: incident ? { ref: incidentRef(incident), channelId: incident.channelId } : null,
    },
  };
}

function triageChannel(ctx: Ctx): string {
  const channel = ctx.config.incident.alerts.triageChannel;
  if (!channel) throw new Error("alerts need a triage channel (alerts.triage_channel or announce_channel)");
  return channel;
}

export const TRIAGE_POST_JOB = jobType({
  kind: "alerts.triage_post",
  payload: z.object({ groupId: z.uuid() }),
  failure: "post the triage message of an alert for",
  async run(ctx, p) {
    const group = await loadGroup(ctx.db, p.groupId);
    if (!group || group.messageTs) return;
    // a declared item's channel may not exist yet: the message says where it went, and is edited with
    // the channel's link once it exists
    const { view } = await viewOf(ctx, group);
    const m = triageMessage(view);
    const posted = await ctx.once.post(`triage:${group.id}`, { channel: await ctx.channels.resolve(triageChannel(ctx)), text: m.text, blocks: m.blocks, unfurl_links: false });
    await recordTriageMessage(ctx.db, group.id, posted.channel, posted.ts, group.version);
    const after = await loadGroup(ctx.db, group.id);
    // changed while it was being posted, or its channel is still to come: show it
    if (after && (after.version > group.version || (view.incident && !view.incident.channelId))) {
      if (after.version <= group.version) await bumpGroup(ctx.db, group.id);
      await enqueue(ctx.db, [triageRefreshDraft(after, ctx.clock.now())], ctx.clock.now());
    }
  },
});

export const TRIAGE_REFRESH_JOB = jobType({
  kind: TRIAGE_REFRESH_KIND,
  payload: z.object({ groupId: z.uuid() }),
  failure: "update the triage message of an alert for",
  async run(ctx, p): Promise<void> {
    const group = await loadGroup(ctx.db, p.groupId);
    // not posted yet: the post shows the latest (and refreshes if it changes meanwhile)
    if (!group?.messageTs || !group.channelId || group.renderedVersion >= group.version) return;
    const now = ctx.clock.now();
    const again = (at: Date) => enqueue(ctx.db, [refreshAt(group.id, at, group.incidentId)], now);
    // edits are the first thing to wait when Slack's limit is near: they only keep a message current
    const paced = ctx.slack.pacer.waitFor("chat.update");
    if (paced > 100) return again(new Date(now.getTime() + paced));
    const { view, incident } = await viewOf(ctx, group);
    if (incident && !incident.channelId && group.status !== "pending") throw new RetryJobError(WAITING_FOR_CHANNEL, 2000, true);
    if (!(await claimEdit(ctx.db, group.id, now, TRIAGE_EDIT_GAP_MS))) {
      const fresh = await loadGroup(ctx.db, group.id);
      return again(new Date((fresh?.lastEditAt ?? now).getTime() + TRIAGE_EDIT_GAP_MS));
    }
    const m = triageMessage(view);
    try {
      await ctx.slack.call("chat.update", { channel: group.channelId, ts: group.messageTs, text: m.text, blocks: m.blocks }, { mode: "skip" });
    } catch (err) {
      if (isSlackError(err, "message_not_found", "cant_update_message", "channel_not_found", "is_archived")) {
        ctx.log.warn({ group: group.id, code: err.code }, "the triage message can no longer be updated");
        return;
      }
      throw err;
    }
    await editDone(ctx.db, group.id, group.version);
  },
});

// ---------- deciding: declare, decline, merge ----------

/** Links a pending group to the incident just declared from it, in the declaration's transaction. */
function linkOnDeclare(group: AlertGroupRow, alerts: readonly StoredAlert[], by: string | null) {
  return async (tx: Prisma.TransactionClient, incidentId: string, now: Date): Promise<JobDraft[]> => {
    const ok = await decideGroup(tx, group.id, "pending", { status: "declared", incidentId, decidedBy: by, decidedAt: now });
    if (!ok) throw new AlreadyTriagedError((await loadGroup(tx, group.id)) ?? group);
    const text = linkedNotice({ source: group.source, alertName: group.alertName, alerts, by, how: "declared" });
    await addTimeline(tx, incidentId, now, [{ kind: "alert", actorId: by, text, data: { source: group.source, group: group.id, firing: firingCount(alerts), total: alerts.length } }]);
    return [postJob(incidentId, `alerts:linked:${group.id}`, text), triageRefreshDraft(group, now, incidentId), ...(group.messageTs ? [] : [triagePostDraft({ id: group.id, incidentId })])];
  };
}

export interface DeclareFromAlert {
  readonly groupId: string;
  readonly userId: string;
  readonly title: string;
  readonly severity: string;
  readonly icId: string | null;
  readonly isPrivate: boolean;
  readonly isDrill: boolean;
  readonly impact?: string;
  readonly detection?: string;
  readonly declareKey: string;
}

/** The triage item's Declare, submitted: declared and linked in one transaction, or refused if decided meanwhile. */
export async function declareFromAlert(ctx: Ctx, input: DeclareFromAlert): Promise<DeclareResult> {
  const group = await loadGroup(ctx.db, input.groupId);
  if (!group) throw new Error(`no alert group ${input.groupId}`);
  if (group.status !== "pending") throw new AlreadyTriagedError(group);
  const alerts = await groupAlerts(ctx.db, group.id);
  const detectedAt = earliestStart(alerts);
  return declare(ctx, {
    teamId: group.teamId,
    userId: input.userId,
    title: input.title,
    severity: input.severity,
    icId: input.icId,
    isPrivate: input.isPrivate,
    isDrill: input.isDrill,
    ...(input.impact ? { impact: input.impact } : {}),
    ...(input.detection ? { detection: input.detection } : {}),
    ...(detectedAt ? { detectedAt } : {}),
    declareKey: input.declareKey,
    distinct: true,
    also: linkOnDeclare(group, alerts, input.userId),
  });
}

export const AUTO_DECLARE_JOB = jobType({
  kind: "alerts.auto_declare",
  payload: z.object({ groupId: z.uuid() }),
  failure: "declare an incident from an alert for",
  async run(ctx, p) {
    const group = await loadGroup(ctx.db, p.groupId);
    if (!group) return;
    if (group.status !== "pending") {
      // decided by a person before the declaration ran: their message shows it
      if (!group.messageTs) await enqueue(ctx.db, [triagePostDraft(group)], ctx.clock.now());
      return;
    }
    const alerts = await groupAlerts(ctx.db, group.id);
    const detectedAt = earliestStart(alerts);
    try {
      await declare(ctx, {
        teamId: group.teamId,
        userId: ctx.bot.userId,
        title: group.title,
        severity: group.severity ?? ctx.config.incident.severities[0]?.id ?? "SEV1",
        // no IC: the opening message asks who takes it
        icId: null,
        isPrivate: false,
        detection: `${group.source === "pagerduty" ? "PagerDuty" : group.source === "grafana" ? "Grafana" : "Alertmanager"} alert ${group.alertName}`.slice(0, 500),
        ...(detectedAt ? { detectedAt } : {}),
        declareKey: `alerts:${group.id}`,
        distinct: true,
        also: linkOnDeclare(group, alerts, null),
      });
    } catch (err) {
      if (err instanceof AlreadyTriagedError) return;
      throw err;
    }
  },
});

/** The triage item's Decline, submitted with a reason (mrkdwn-safe). */
export async function declineAlert(ctx: Ctx, input: { groupId: string; userId: string; reason: string }): Promise<{ ok: true } | { ok: false; group: AlertGroupRow }> {
  const now = ctx.clock.now();
  return ctx.db.$transaction(async (tx) => {
    const ok = await decideGroup(tx, input.groupId, "pending", { status: "declined", decidedBy: input.userId, decidedAt: now, declineReason: input.reason });
    const group = await loadGroup(tx, input.groupId);
    if (!ok || !group) return { ok: false as const, group: group as AlertGroupRow };
    await enqueue(tx, [triageRefreshDraft(group, now)], now);
    ctx.kick();
    return { ok: true as const };
  });
}

export type MergeOutcome = { ok: true; incident: Incident } | { ok: false; why: "triaged"; group: AlertGroupRow } | { ok: false; why: "closed"; incident: Incident } | { ok: false; why: "missing" };

/** The triage item's Merge, submitted: the alerts are linked to the incident and said in its channel. */
export async function mergeAlertInto(ctx: Ctx, input: { groupId: string; incidentId: string; userId: string }): Promise<MergeOutcome> {
  const group = await loadGroup(ctx.db, input.groupId);
  if (!group) return { ok: false, why: "missing" };
  if (group.status !== "pending") return { ok: false, why: "triaged", group };
  const alerts = await groupAlerts(ctx.db, group.id);
  try {
    const r = await decideAndSave(
      ctx,
      input.incidentId,
      (incident, at) => linkAlerts(incident, { source: group.source, name: group.alertName, firing: firingCount(alerts), total: alerts.length, earliestStart: earliestStart(alerts) }, input.userId, at, incident.declaredBy !== ctx.bot.userId),
      (_before, after, events, at) => {
        const notice = linkedNotice({ source: group.source, alertName: group.alertName, alerts, by: input.userId, how: "merged" });
        return {
          timeline: events.map(describeEvent),
          jobs: [postJob(after.id, `alerts:linked:${group.id}`, notice)],
          also: async (tx: Prisma.TransactionClient) => {
            const ok = await decideGroup(tx, group.id, "pending", { status: "merged", incidentId: after.id, decidedBy: input.userId, decidedAt: at });
            if (!ok) throw new AlreadyTriagedError((await loadGroup(tx, group.id)) ?? group);
            await enqueue(tx, [triageRefreshDraft(group, at, after.id)], at);
          },
        };
      },
    );
    if (r.ok) return { ok: true, incident: r.after };
    if ("refusal" in r) return { ok: false, why: "closed", incident: r.incident };
    return { ok: false, why: "missing" };
  } catch (err) {
    if (err instanceof AlreadyTriagedError) return { ok: false, why: "triaged", group: err.group };
    throw err;
  }
}

/** A group, for the edge: what the Declare, Decline and Merge forms need. */
export async function triageItem(ctx: Ctx, groupId: string): Promise<{ group: AlertGroupRow; alerts: StoredAlert[]; incident: Incident | undefined } | undefined> {
  const group = await loadGroup(ctx.db, groupId);
  if (!group) return undefined;
  return { group, alerts: await groupAlerts(ctx.db, group.id), incident: group.incidentId ? await loadIncident(ctx.db, group.incidentId) : undefined };
}

// ---------- PagerDuty ----------

const pagerDutyPayload = z.object({
  id: z.string(),
  type: z.string(),
  occurredAt: when,
  agent: z.string().nullable(),
  incident: z.object({
    id: z.string(),
    number: z.number().nullable(),
    title: z.string(),
    status: z.string().nullable(),
    urgency: z.string().nullable(),
    htmlUrl: z.string().nullable(),
    createdAt: when,
    service: z.string().nullable(),
    priority: z.string().nullable(),
  }),
});

type PagerDutyPayload = z.output<typeof pagerDutyPayload>;

export const PAGERDUTY_JOB = jobType({
  kind: "alerts.pagerduty",
  payload: pagerDutyPayload,
  failure: "take in a PagerDuty event for",
  run: (ctx, e) => pagerDutyEvent(ctx, e),
});

/** Records a PagerDuty event before it is acknowledged, once per event id (a redelivery records nothing). */
export async function recordPagerDuty(ctx: Ctx, e: z.input<typeof pagerDutyPayload>): Promise<boolean> {
  return recordOnce(ctx, `pagerduty:${e.id}`, PAGERDUTY_JOB, e);
}

function pagerDutyNotification(e: PagerDutyPayload, status: "firing" | "resolved"): Notification {
  const i = e.incident;
  const labels: Record<string, string> = { alertname: i.title };
  if (i.service) labels.service = i.service;
  if (i.urgency) labels.urgency = i.urgency;
  if (i.priority) labels.priority = i.priority;
  if (i.number !== null) labels.pagerduty_incident = String(i.number);
  const alert = {
    fingerprint: i.id,
    status,
    labels,
    annotations: { summary: i.title },
    startsAt: i.createdAt ?? e.occurredAt,
    endsAt: status === "resolved" ? e.occurredAt : null,
    generatorUrl: i.htmlUrl,
  };
  return { source: "pagerduty", groupKey: `pagerduty:${i.id}`, status, groupLabels: { alertname: i.title }, commonLabels: labels, commonAnnotations: { summary: i.title }, externalUrl: null, alerts: [alert], severityValue: i.urgency };
}

async function pagerDutyEvent(ctx: Ctx, e: PagerDutyPayload): Promise<void> {
  switch (e.type) {
    case "incident.triggered":
      return foldNotification(ctx, pagerDutyNotification(e, "firing"));
    case "incident.resolved":
      return foldNotification(ctx, pagerDutyNotification(e, "resolved"));
    case "incident.acknowledged":
      return pagerDutyAcknowledged(ctx, e);
    default:
      ctx.log.debug({ type: e.type }, "a PagerDuty event this bot does not act on");
  }
}

async function pagerDutyAcknowledged(ctx: Ctx, e: PagerDutyPayload): Promise<void> {
  const now = ctx.clock.now();
  const group = await latestGroup(ctx.db, ctx.bot.teamId, "pagerduty", `pagerduty:${e.incident.id}`);
  if (!group) return;
  const agent = e.agent ?? null;
  await ctx.db.$transaction(async (tx) => {
    await bumpGroup(tx, group.id, { acknowledgedBy: agent ?? "someone" });
    await enqueue(tx, [triageRefreshDraft(group, now)], now);
  });
  ctx.kick();
  if (!group.incidentId || (group.status !== "declared" && group.status !== "merged")) return;
  await decideAndSave(
    ctx,
    group.incidentId,
    (incident) => acknowledgeElsewhere(incident, { where: "PagerDuty", agent, at: e.occurredAt ?? now }, ctx.bot.userId),
    (_before, after, events) => {
      const timeline = events.map(describeEvent);
      return { timeline, jobs: [postJob(after.id, `alerts:ack:${e.id}`, `:eyes: ${timeline.map((t) => t.text).join("\n")}`)] };
    },
    { requestKey: `pagerduty-ack:${e.id}` },
  );
}

