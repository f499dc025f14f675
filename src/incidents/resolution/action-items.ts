// Action items: added with /incident action, each with text, owner, due date and
// priority; the owner is DMed when one falls due, with a button to mark it done; every change is on
// the timeline. "Every action item has an owner and a due date" is what keeps postmortems alive.

import { DateTime } from "luxon";
import { type Incident, incidentRef } from "../../domain/incident.ts";
import type { Priority } from "../../domain/commands.ts";
import { z } from "zod";
import { enqueue, type JobDraft } from "../../store/jobs.ts";
import { actionItemDue, actionItemEcho, type ActionItemFacts } from "../../slack/blocks/resolution/messages.ts";
import { addTimeline, claimRequest, DuplicateRequestError, loadIncident } from "../../store/incidents.ts";
import { autoTick } from "../war-room/checklist.ts";
import type { Ctx } from "../context.ts";
import { postJob } from "../effects.ts";
import { draft, jobType } from "../job-type.ts";
import { recordWebhooks } from "../out/webhooks.ts";
import { CLOSE_UPSTREAM_JOB, exportJob } from "../followups/export.ts";
import { buttonTracker, itemData } from "../followups/items.ts";
import { issueOf } from "../../slack/blocks/resolution/followups.ts";

/** Owners hear about a due item at 09:00 on its day, in the configured time zone. */
export function dueReminderAt(due: string, zone: string, now: Date): Date {
  const at = DateTime.fromISO(due, { zone }).set({ hour: 9, minute: 0, second: 0, millisecond: 0 }).toJSDate();
  return at < now ? now : at;
}

function facts(row: { id: number; number: number; text: string; ownerId: string | null; dueDate: Date | null; priority: string; trackerKind: string | null; trackerKey: string | null; trackerUrl: string | null }): ActionItemFacts {
  return { id: row.id, number: row.number, text: row.text, ownerId: row.ownerId, due: row.dueDate ? row.dueDate.toISOString().slice(0, 10) : null, priority: row.priority, issue: issueOf(row) };
}


export interface NewActionItem {
  incident: Incident;
  /** mrkdwn-safe. */
  text: string;
  ownerId?: string;
  due?: string;
  priority: Priority;
  actor: string;
  /** The request this carries out (a redelivery adds nothing). */
  requestKey?: string;
}

/** Adds an action item; undefined when its request was already carried out (a redelivery). */
export async function addActionItem(ctx: Ctx, input: NewActionItem): Promise<ActionItemFacts | undefined> {
  const now = ctx.clock.now();
  for (let attempt = 1; ; attempt++) {
    try {
      const item = await ctx.db.$transaction(async (tx) => {
        await claimRequest(tx, input.requestKey);
        const last = await tx.actionItem.findFirst({ where: { incidentId: input.incident.id }, orderBy: { number: "desc" }, select: { number: true } });
        const row = await tx.actionItem.create({
          data: {
            incidentId: input.incident.id,
            number: (last?.number ?? 0) + 1,
            text: input.text,
            ownerId: input.ownerId ?? null,
            dueDate: input.due ? new Date(`${input.due}T00:00:00Z`) : null,
            priority: input.priority,
            createdBy: input.actor,
            createdAt: now,
          },
        });
        const f = facts(row);
        const echo = actionItemEcho(input.incident, f, input.actor, buttonTracker(ctx));
        await addTimeline(tx, input.incident.id, now, [{ kind: "action_item", actorId: input.actor, text: `<@${input.actor}> added action item #${f.number}: ${input.text}`, data: { item: row.id } }]);
        const jobs: JobDraft[] = [postJob(input.incident.id, `action:${row.id}:added`, echo.text, echo.blocks)];
        if (input.due && input.ownerId) jobs.push(draft(ACTION_DUE_JOB, { itemId: row.id }, { incidentId: input.incident.id, dueAt: dueReminderAt(input.due, ctx.config.incident.timezone, now) }));
        // export: always sends every item to the tracker, but never a drill's or a private incident's
        // (their titles are not for a shared tracker; the button still offers it)
        if (ctx.config.incident.followups?.export === "always" && !input.incident.isDrill && !input.incident.isPrivate) {
          await tx.actionItem.update({ where: { id: row.id }, data: { exportAskedAt: now } });
          jobs.push(exportJob(input.incident.id, row.id));
        }
        await enqueue(tx, jobs, now);
        await autoTick(tx, input.incident.id, ["action_items"], now);
        await recordWebhooks(ctx, tx, input.incident, [{ type: "action_item.created", data: { ...itemData(row), by: input.actor } }], now);
        return f;
      });
      ctx.kick();
      return item;
    } catch (err) {
      if (err instanceof DuplicateRequestError) return undefined;
      // two items added at the same instant took the same number: take the next
      if ((err as { code?: string }).code !== "P2002" || attempt >= 10) throw err;
    }
  }
}

export type DoneOutcome = { kind: "done"; item: ActionItemFacts; incident: Incident } | { kind: "already"; item: ActionItemFacts } | { kind: "missing" };

export async function markActionItemDone(ctx: Ctx, itemId: number, actor: string): Promise<DoneOutcome> {
  const row = await ctx.db.actionItem.findUnique({ where: { id: itemId } });
  if (!row) return { kind: "missing" };
  const now = ctx.clock.now();
  const changed = await ctx.db.$transaction(async (tx) => {
    const r = await tx.actionItem.updateMany({ where: { id: itemId, status: "open" }, data: { status: "done", doneAt: now, doneBy: actor } });
    if (r.count === 0) return false;
    await addTimeline(tx, row.incidentId, now, [{ kind: "action_item", actorId: actor, text: `<@${actor}> marked action item #${row.number} done: ${row.text}`, data: { item: row.id, done: true } }]);
    const jobs: JobDraft[] = [postJob(row.incidentId, `action:${row.id}:done`, `:white_check_mark: <@${actor}> marked action item #${row.number} done: ${row.text}`)];
    if (row.trackerId && ctx.config.incident.followups?.closeUpstream && row.trackerKind === ctx.config.incident.followups.tracker.kind) jobs.push(draft(CLOSE_UPSTREAM_JOB, { itemId: row.id, userId: actor }, { incidentId: row.incidentId }));
    await enqueue(tx, jobs, now);
    const incident = await loadIncident(tx, row.incidentId);
    if (incident) await recordWebhooks(ctx, tx, incident, [{ type: "action_item.completed", data: { ...itemData({ ...row, status: "done", doneAt: now, doneBy: actor }), by: actor } }], now);
    return true;
  });
  if (!changed) return { kind: "already", item: facts(row) };
  ctx.kick();
  const incident = await loadIncident(ctx.db, row.incidentId);
  return incident ? { kind: "done", item: facts(row), incident } : { kind: "missing" };
}

/** Tells an action item's owner it is due, with a button to mark it done. */
export const ACTION_DUE_JOB = jobType({
  kind: "action_item.due",
  payload: z.object({ itemId: z.number().int() }),
  failure: "remind the owner of an action item of",
  async run(ctx, p) {
    const row = await ctx.db.actionItem.findUnique({ where: { id: p.itemId } });
    if (!row || row.status === "done" || !row.ownerId) return;
    const incident = await loadIncident(ctx.db, row.incidentId);
    if (!incident) return;
    const m = actionItemDue(incident, facts(row), buttonTracker(ctx));
    await ctx.once.post(`action:${row.id}:due`, { channel: row.ownerId, text: m.text, blocks: m.blocks });
    ctx.log.info({ incident: incident.id, item: row.id }, `action item of ${incidentRef(incident)} due: owner told`);
  },
});
