// Alerts in. A notification (Alertmanager, Grafana, PagerDuty) is recorded as a job before
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
import { ALERT_SOURCES, allCleared, alertNameOf, episodeContinues, foldAlerts, mapSeverity, type Notification, proposedTitle, type StoredAlert } from "../../domain/alerts.ts";
import { findSeverity } from "../../domain/severity.ts";
import type { TimelineDraft } from "../../domain/timeline.ts";
import { clearedNotice, firedNotice } from "../../slack/blocks/alerts/triage.ts";
import { type AlertGroupRow, createGroup, groupAlerts, latestGroup, lockGroupKey, saveAlerts } from "../../store/alerts.ts";
import type { Prisma } from "../../store/generated/client.ts";
import { addTimeline } from "../../store/incidents.ts";
import { enqueue, type JobDraft } from "../../store/jobs.ts";
import type { Ctx } from "../context.ts";
import { postJob } from "../effects.ts";
import { draft, jobType } from "../job-type.ts";
import { recordRequest } from "../requests.ts";
import { AUTO_DECLARE_JOB } from "./decisions.ts";
import { triagePostDraft, triageRefreshDraft } from "./triage.ts";

// ---------- the notification, as a job's payload ----------

const labelSet = z.record(z.string(), z.string());
export const when = z.string().nullable().transform((s) => (s ? new Date(s) : null));
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
export async function foldNotification(ctx: Ctx, n: Notification): Promise<void> {
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
