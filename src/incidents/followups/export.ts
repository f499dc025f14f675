// Action items to the team's tracker and back (product.md §18). An export is a job: it looks for an
// issue carrying the item's marker first (a crash between the tracker's answer and our save left one),
// creates one otherwise, and keeps its link on the item, with a timeline entry, in one transaction.
// Done here closes it there (close_upstream); closed or reopened there (the trackers' webhooks) is
// done or open here, said once to the owner and on the timeline.

import { z } from "zod";
import { TRACKER_NAMES } from "../../config/sections/followups.ts";
import { issueBodyLines, issueLabels, issueTitle } from "../../domain/followups.ts";
import { type Incident, incidentRef } from "../../domain/incident.ts";
import { safeToPlain } from "../../domain/text.ts";
import { PermanentJobError, RetryJobError } from "../../scheduler/worker.ts";
import { channelLink } from "../../slack/blocks/format.ts";
import { issueLink, issueOf } from "../../slack/blocks/resolution/followups.ts";
import { enqueue, type JobDraft } from "../../store/jobs.ts";
import { addTimeline, loadIncident } from "../../store/incidents.ts";
import { TrackerError, type TrackerIssue } from "../../trackers/tracker.ts";
import type { Ctx } from "../context.ts";
import { dmJob, postJob } from "../effects.ts";
import { draft, jobType } from "../job-type.ts";
import { homeJob } from "../numbers/home.ts";
import { recordWebhooks } from "../out/webhooks.ts";
import { tellAsker } from "../requests.ts";
import { itemData } from "./items.ts";

/** A tracker's transient failure as the worker retries it: after the tracker's Retry-After, or with backoff; its words kept as the cause (what people are told if it fails for good). */
export function retryOf(err: TrackerError): Error {
  if (err.retryAfterMs === undefined) return err;
  const retry = new RetryJobError(err.message, err.retryAfterMs);
  retry.cause = err;
  return retry;
}

/** The channel's address in Slack, for the issue's body. */
function channelUrl(ctx: Ctx, channelId: string | null): string | null {
  return channelId ? `${ctx.bot.teamUrl.replace(/\/?$/, "/")}archives/${channelId}` : null;
}

/** Tells the person who asked, where they asked (or by DM); never throws. */
async function tell(ctx: Ctx, p: { userId?: string | undefined; responseUrl?: string | undefined }, key: string, text: string, incident?: Incident): Promise<void> {
  try {
    if (await tellAsker(ctx, p.responseUrl, text)) return;
    if (p.userId) {
      await ctx.once.post(key, { channel: p.userId, text });
      return;
    }
    if (incident?.channelId) await ctx.once.post(key, { channel: incident.channelId, text });
  } catch (err) {
    ctx.log.warn({ err }, "could not tell anyone about an action item's export");
  }
}

/** The export job, drafted for an item (one pending per item: a second press adds nothing). */
export function exportJob(incidentId: string, itemId: number, asker: { userId?: string; responseUrl?: string } = {}): JobDraft {
  return draft(EXPORT_JOB, { itemId, ...asker }, { incidentId, dedupeKey: `export:${itemId}` });
}

export const EXPORT_JOB = jobType({
  kind: "action_item.export",
  payload: z.object({ itemId: z.number().int(), userId: z.string().optional(), responseUrl: z.string().optional() }),
  failure: "create the tracker's issue for an action item of",
  asker: (p) => ({ userId: p.userId, responseUrl: p.responseUrl }),
  async run(ctx, p, job) {
    const tracker = ctx.tracker;
    const followups = ctx.config.incident.followups;
    if (!tracker || !followups) throw new PermanentJobError("followups: is not configured any more, so there is no tracker to create the issue in");
    const row = await ctx.db.actionItem.findUnique({ where: { id: p.itemId } });
    if (!row) return;
    const incident = await loadIncident(ctx.db, row.incidentId);
    if (!incident) return;
    const name = TRACKER_NAMES[followups.tracker.kind];
    if (row.trackerUrl) {
      await tell(ctx, p, `export:${row.id}:exists:${job.id}`, `:link: Action item #${row.number} is already ${name} ${row.trackerKey}: ${row.trackerUrl}`);
      return;
    }
    let issue: TrackerIssue | undefined;
    try {
      issue = await tracker.findByMarker(row.id, row.exportAskedAt ?? row.createdAt);
      if (!issue) {
        const owner = row.ownerId ? await ctx.users.lookup(row.ownerId) : undefined;
        let assignee: string | undefined;
        if (owner?.email) {
          try {
            assignee = await tracker.assigneeFor(owner.email);
          } catch (err) {
            // no assignee is no reason to hold the issue back: the body names the owner
            if (!(err instanceof TrackerError) || err.transient) throw err;
            ctx.log.warn({ item: row.id, error: err.message }, "could not look up the owner in the tracker; the issue names them instead");
          }
        }
        const postmortem = await ctx.db.postmortem.findUnique({ where: { incidentId: incident.id }, select: { permalink: true } });
        issue = await tracker.create({
          itemId: row.id,
          title: issueTitle(safeToPlain(row.text)),
          bodyLines: issueBodyLines({
            itemId: row.id,
            itemNumber: row.number,
            text: safeToPlain(row.text),
            incidentRef: incidentRef(incident),
            incidentTitle: safeToPlain(incident.title),
            severity: incident.severity,
            channelUrl: channelUrl(ctx, incident.channelId),
            postmortemUrl: postmortem?.permalink ?? null,
            ownerName: owner?.name ?? (row.ownerId ? row.ownerId : null),
            ownerUnmatched: assignee === undefined,
            due: row.dueDate ? row.dueDate.toISOString().slice(0, 10) : null,
            priority: row.priority,
          }),
          labels: issueLabels(followups.labels, incident.severity),
          ...(assignee ? { assignee } : {}),
        });
      }
    } catch (err) {
      if (!(err instanceof TrackerError)) throw err;
      if (err.transient) throw retryOf(err);
      ctx.log.warn({ item: row.id, error: err.message }, "the tracker refused an action item's export");
      await tell(ctx, p, `export:${row.id}:refused:${job.id}`, `:warning: I could not create the ${name} issue for action item #${row.number} of ${incidentRef(incident)}: ${err.message}`, incident);
      return;
    }
    const found = issue;
    const now = ctx.clock.now();
    const saved = await ctx.db.$transaction(async (tx) => {
      const r = await tx.actionItem.updateMany({
        where: { id: row.id, trackerUrl: null },
        data: { trackerKind: followups.tracker.kind, trackerId: found.id, trackerKey: found.key, trackerUrl: found.url },
      });
      if (r.count === 0) return false;
      await addTimeline(tx, incident.id, now, [{ kind: "action_item", actorId: p.userId ?? null, text: `Action item #${row.number} is now ${name} issue <${found.url}|${found.key}>: ${row.text}`, data: { item: row.id, tracker: followups.tracker.kind, issue: found.key } }]);
      const jobs: JobDraft[] = [];
      if (row.ownerId) jobs.push(homeJob(row.ownerId));
      if (p.userId && p.userId !== row.ownerId) jobs.push(homeJob(p.userId));
      await enqueue(tx, jobs, now);
      const updated = await tx.actionItem.findUniqueOrThrow({ where: { id: row.id } });
      await recordWebhooks(ctx, tx, incident, [{ type: "action_item.exported", data: { ...itemData(updated), by: p.userId ?? null } }], now);
      return true;
    });
    if (saved) ctx.kick();
    ctx.log.info({ incident: incident.id, item: row.id, issue: found.key }, `action item of ${incidentRef(incident)} exported to ${name}`);
    // the person who pressed the button; with export: always, the incident's channel
    await tell(ctx, p, `export:${row.id}:done`, `:link: Action item #${row.number} is now ${name} issue <${found.url}|${found.key}>`, incident);
  },
});

/** Closes an item's issue upstream after it was marked done here. */
export const CLOSE_UPSTREAM_JOB = jobType({
  kind: "action_item.close_upstream",
  payload: z.object({ itemId: z.number().int(), userId: z.string().optional() }),
  failure: "close the tracker's issue of an action item of",
  asker: (p) => ({ userId: p.userId }),
  async run(ctx, p, job) {
    const tracker = ctx.tracker;
    const row = await ctx.db.actionItem.findUnique({ where: { id: p.itemId } });
    if (!tracker || !row?.trackerId || !row.trackerKey || row.trackerKind !== tracker.kind || row.status !== "done") return;
    try {
      await tracker.close({ id: row.trackerId, key: row.trackerKey });
    } catch (err) {
      if (!(err instanceof TrackerError)) throw err;
      if (err.transient) throw retryOf(err);
      await tell(ctx, p, `close:${row.id}:refused:${job.id}`, `:warning: Action item #${row.number} is done here, but I could not close ${tracker.name} ${row.trackerKey}: ${err.message}`);
    }
  },
});

/** What a tracker's webhook said about one of its issues. */
export const upstreamChange = z.object({
  kind: z.enum(["github", "jira", "linear"]),
  issueId: z.string().min(1).max(200),
  state: z.enum(["done", "open"]),
  /** Who changed it there, as the tracker names them. */
  by: z.string().max(200).nullable(),
});
export type UpstreamChange = z.output<typeof upstreamChange>;

/** Done or open here because it was closed or reopened there; said once (the status change is the guard). */
export const UPSTREAM_JOB = jobType({
  kind: "action_item.upstream",
  payload: upstreamChange,
  failure: "follow a tracker's change to an action item",
  async run(ctx, p) {
    const rows = await ctx.db.actionItem.findMany({ where: { trackerKind: p.kind, trackerId: p.issueId } });
    for (const row of rows) {
      const incident = await loadIncident(ctx.db, row.incidentId);
      if (!incident) continue;
      const name = TRACKER_NAMES[p.kind];
      const by = p.by ? ` by ${p.by.replace(/[<>&*_~`]/g, "")}` : "";
      const issue = row.trackerUrl ? `<${row.trackerUrl}|${row.trackerKey}>` : (row.trackerKey ?? "");
      const now = ctx.clock.now();
      const done = p.state === "done";
      const changed = await ctx.db.$transaction(async (tx) => {
        const r = await tx.actionItem.updateMany({
          where: { id: row.id, status: done ? "open" : "done" },
          data: done ? { status: "done", doneAt: now, doneBy: null } : { status: "open", doneAt: null, doneBy: null },
        });
        if (r.count === 0) return false;
        const text = done ? `${name} ${issue} was closed${by}, so action item #${row.number} is done: ${row.text}` : `${name} ${issue} was reopened${by}, so action item #${row.number} is open again: ${row.text}`;
        await addTimeline(tx, incident.id, now, [{ kind: "action_item", actorId: null, text, data: { item: row.id, done, tracker: p.kind } }]);
        const jobs: JobDraft[] = [postJob(incident.id, `action:${row.id}:upstream:${done ? "done" : "open"}:${now.getTime()}`, `${done ? ":white_check_mark:" : ":arrows_counterclockwise:"} ${text}`)];
        if (row.ownerId) {
          jobs.push(dmJob(incident.id, `action:${row.id}:upstream-dm:${done ? "done" : "open"}:${now.getTime()}`, row.ownerId, `${done ? ":white_check_mark:" : ":arrows_counterclockwise:"} Your action item #${row.number} from the ${incidentRef(incident)} postmortem${incident.channelId ? ` (${channelLink(incident.channelId)})` : ""}: ${text}`));
          jobs.push(homeJob(row.ownerId));
        }
        await enqueue(tx, jobs, now);
        await recordWebhooks(ctx, tx, incident, [{ type: done ? "action_item.completed" : "action_item.reopened", data: { ...itemData({ ...row, status: done ? "done" : "open", doneAt: done ? now : null, doneBy: null }), by: null, via: p.kind } }], now);
        return true;
      });
      if (changed) ctx.kick();
    }
  },
});

export type ExportAsked =
  | { kind: "off" }
  | { kind: "missing" }
  | { kind: "exists"; number: number; link: string }
  | { kind: "asked"; number: number; tracker: string };

/** A person pressed *Create in …*: the export is recorded (once per item while pending) before the ack. */
export async function requestExport(ctx: Ctx, itemId: number, userId: string, responseUrl: string | undefined): Promise<ExportAsked> {
  const followups = ctx.config.incident.followups;
  if (!followups || !ctx.tracker) return { kind: "off" };
  const tracker = TRACKER_NAMES[followups.tracker.kind];
  const now = ctx.clock.now();
  const out = await ctx.db.$transaction(async (tx): Promise<ExportAsked> => {
    const row = await tx.actionItem.findUnique({ where: { id: itemId } });
    if (!row) return { kind: "missing" };
    const issue = issueOf(row);
    if (issue) return { kind: "exists", number: row.number, link: issueLink(issue) };
    if (!row.exportAskedAt) await tx.actionItem.update({ where: { id: row.id }, data: { exportAskedAt: now } });
    await enqueue(tx, [exportJob(row.incidentId, row.id, { userId, ...(responseUrl ? { responseUrl } : {}) })], now);
    return { kind: "asked", number: row.number, tracker };
  });
  if (out.kind === "asked") ctx.kick();
  return out;
}
