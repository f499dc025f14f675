// Deciding a triage item: declared (by a person, or at once when its severity is in
// alerts.auto_declare), declined with a reason, or merged into an open incident. Whoever decides first
// wins; the others are told it was decided.

import { z } from "zod";
import { earliestStart, firingCount, type StoredAlert } from "../../domain/alerts.ts";
import { type Incident, linkAlerts } from "../../domain/incident.ts";
import { describeEvent } from "../../domain/timeline.ts";
import { linkedNotice } from "../../slack/blocks/alerts/triage.ts";
import { type AlertGroupRow, decideGroup, groupAlerts, loadGroup } from "../../store/alerts.ts";
import type { Prisma } from "../../store/generated/client.ts";
import { addTimeline, loadIncident } from "../../store/incidents.ts";
import { enqueue, type JobDraft } from "../../store/jobs.ts";
import type { Ctx } from "../context.ts";
import { decideAndSave } from "../decide.ts";
import { declare, type DeclareResult } from "../war-room/declare.ts";
import { postJob } from "../effects.ts";
import { jobType } from "../job-type.ts";
import { triagePostDraft, triageRefreshDraft } from "./triage.ts";

/** Someone decided the triage item first (declared, merged or declined it). */
export class AlreadyTriagedError extends Error {
  constructor(readonly group: AlertGroupRow) {
    super(`alert group ${group.id} is already ${group.status}`);
    this.name = "AlreadyTriagedError";
  }
}

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
