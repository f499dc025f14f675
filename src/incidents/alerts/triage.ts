// The triage message: posted once for a group in the triage channel, then kept current (edited at most
// once every 5 seconds, and never while Slack's limit for edits is near).

import { z } from "zod";
import type { StoredAlert } from "../../domain/alerts.ts";
import { type Incident, incidentRef } from "../../domain/incident.ts";
import { findSeverity } from "../../domain/severity.ts";
import { RetryJobError } from "../../scheduler/worker.ts";
import { isSlackError } from "../../slack/api.ts";
import { triageMessage, type TriageView } from "../../slack/blocks/alerts/triage.ts";
import { type AlertGroupRow, bumpGroup, claimEdit, editDone, groupAlerts, loadGroup, recordTriageMessage } from "../../store/alerts.ts";
import { loadIncident } from "../../store/incidents.ts";
import { enqueue, type JobDraft } from "../../store/jobs.ts";
import type { Ctx } from "../context.ts";
import { draft, jobType } from "../job-type.ts";
import { WAITING_FOR_CHANNEL } from "../notify.ts";

/** A pending triage message is edited at most this often. */
export const TRIAGE_EDIT_GAP_MS = 5_000;

export function triagePostDraft(group: { id: string; incidentId: string | null }): JobDraft {
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
