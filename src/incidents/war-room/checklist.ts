// The live checklist: copied from the template into the incident when it is declared, posted and
// pinned in its channel, ticked by people (each tick on the timeline with who and when) and by the
// bot as things happen (each key once: the tick is written in the transaction of what happened, and
// an item whose key already fired is never ticked again), re-rendered after every change.

import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { type AutoKey, type ChecklistItem, type ItemState, parseChecklist, progress } from "../../domain/checklist.ts";
import { type Incident, incidentRef } from "../../domain/incident.ts";
import { escapeMrkdwn } from "../../domain/text.ts";
import { isSlackError } from "../../slack/api.ts";
import { checklistMessage, checklistMoved } from "../../slack/blocks/war-room/checklist.ts";
import type { Prisma } from "../../store/generated/client.ts";
import { addTimeline, claimRequest, DuplicateRequestError, loadIncident } from "../../store/incidents.ts";
import { enqueue, type JobDraft, type Tx } from "../../store/jobs.ts";
import type { Ctx } from "../context.ts";
import { draft, jobType } from "../job-type.ts";
import { channelOf, postInIncident } from "../notify.ts";

export const BUILTIN_CHECKLIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../templates/checklist.md");

export interface ChecklistTemplate {
  readonly items: readonly ChecklistItem[];
  /** The team's template failed; the built-in one is used. */
  readonly fallback?: { file: string; line: number; reason: string };
}

const cache = new Map<string, { mtimeMs: number; template: ChecklistTemplate }>();

function readTemplate(file: string): ChecklistTemplate | { file: string; line: number; reason: string } | undefined {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    return undefined;
  }
  const hit = cache.get(file);
  if (hit && hit.mtimeMs === stat.mtimeMs) return hit.template;
  const parsed = parseChecklist(fs.readFileSync(file, "utf8"));
  if (!parsed.ok) return { file, line: parsed.line, reason: parsed.reason };
  const template = { items: parsed.items };
  cache.set(file, { mtimeMs: stat.mtimeMs, template });
  return template;
}

/** The team's checklist (templates_dir/checklist.md) if there is one and it reads, else the built-in one. */
export function checklistTemplate(templatesDir: string): ChecklistTemplate {
  const custom = path.join(templatesDir, "checklist.md");
  const own = path.resolve(custom) === BUILTIN_CHECKLIST ? undefined : readTemplate(custom);
  if (own && "items" in own) return own;
  const builtin = readTemplate(BUILTIN_CHECKLIST);
  if (!builtin || !("items" in builtin)) throw new Error(`the built-in checklist ${BUILTIN_CHECKLIST} does not read: ${builtin ? `line ${builtin.line}: ${builtin.reason}` : "missing"}`);
  return own ? { items: builtin.items, fallback: own } : builtin;
}

const REASON: Readonly<Record<AutoKey, string>> = {
  declared: "the incident was declared",
  channel_created: "the incident channel was created",
  ic_assigned: "a person took Incident Commander",
  roles_assigned: "Tech Lead and Comms Lead were both assigned",
  first_update: "the first status update was posted",
  announced_update: "an update reached the announce channel",
  status_page: "the status page incident was resolved",
  resolved: "the incident was resolved",
  postmortem_drafted: "the postmortem was drafted",
  action_items: "an action item was added",
  closed: "the postmortem was marked done",
};

function refreshJob(incidentId: string): JobDraft {
  return draft(CHECKLIST_REFRESH_JOB, {}, { incidentId, dedupeKey: `checklist-refresh:${incidentId}` });
}

/** Copies the template's items into a new incident, in its declaration's transaction. */
export async function seedChecklist(tx: Tx, incidentId: string, template: ChecklistTemplate): Promise<void> {
  await tx.checklistItem.createMany({
    data: template.items.map((item, position) => ({ incidentId, position, phase: item.phase, text: item.text, autoKey: item.auto })),
    skipDuplicates: true,
  });
}

/**
 * The bot ticks the items of `keys` (each key once per incident), in the transaction of what
 * happened; the message is re-rendered after. Returns how many items it ticked.
 */
export async function autoTick(tx: Tx, incidentId: string, keys: readonly AutoKey[], at: Date): Promise<number> {
  if (keys.length === 0) return 0;
  const rows = await tx.$queryRaw<{ text: string; key: AutoKey; position: number; ticked: boolean }[]>`
    UPDATE checklist_items SET auto_fired = true, done_at = COALESCE(done_at, ${at})
     WHERE incident_id = ${incidentId}::uuid AND auto_key = ANY(${[...keys]}::text[]) AND NOT auto_fired
    RETURNING text, auto_key AS key, position, (done_by IS NULL AND done_at = ${at}) AS ticked`;
  // in the order of the keys, then of the list
  const newly = rows.filter((r) => r.ticked).sort((a, b) => keys.indexOf(a.key) - keys.indexOf(b.key) || a.position - b.position);
  if (newly.length === 0) return 0;
  await addTimeline(tx, incidentId, at, newly.map((r) => ({ kind: "checklist" as const, actorId: null, text: `Checklist: ${escapeMrkdwn(r.text)} (done: ${REASON[r.key]})`, data: { auto: r.key, done: true } })));
  await enqueue(tx, [refreshJob(incidentId)], at);
  return newly.length;
}

/** Outside a decision (a job that just did something): ticks in a transaction of its own. */
export async function autoTickNow(ctx: Ctx, incidentId: string, keys: readonly AutoKey[]): Promise<void> {
  const n = await ctx.db.$transaction((tx) => autoTick(tx, incidentId, keys, ctx.clock.now()));
  if (n > 0) ctx.kick();
}

export async function checklistOf(db: Tx, incidentId: string): Promise<ItemState[]> {
  const rows = await db.checklistItem.findMany({ where: { incidentId }, orderBy: { position: "asc" } });
  return rows.map((r) => ({ position: r.position, phase: r.phase, text: r.text, auto: r.autoKey as AutoKey | null, doneAt: r.doneAt, doneBy: r.doneBy }));
}

export type TickOutcome = { kind: "done"; ticked: number; unticked: number } | { kind: "duplicate" };

/**
 * A person ticks and unticks items (what one click changed). Each item is changed only from the
 * state the click assumed, so two people ticking at the same instant both count.
 */
export async function tickItems(ctx: Ctx, input: { incidentId: string; tick: readonly number[]; untick: readonly number[]; actor: string; requestKey?: string }): Promise<TickOutcome> {
  const now = ctx.clock.now();
  try {
    const counts = await ctx.db.$transaction(async (tx) => {
      await claimRequest(tx, input.requestKey);
      const entries: { kind: "checklist"; actorId: string; text: string; data: Prisma.JsonObject }[] = [];
      for (const position of input.tick) {
        const r = await tx.$queryRaw<{ text: string }[]>`
          UPDATE checklist_items SET done_at = ${now}, done_by = ${input.actor}
           WHERE incident_id = ${input.incidentId}::uuid AND position = ${position} AND done_at IS NULL RETURNING text`;
        for (const row of r) entries.push({ kind: "checklist", actorId: input.actor, text: `<@${input.actor}> ticked “${escapeMrkdwn(row.text)}” on the checklist`, data: { position, done: true } });
      }
      const ticked = entries.length;
      for (const position of input.untick) {
        const r = await tx.$queryRaw<{ text: string }[]>`
          UPDATE checklist_items SET done_at = NULL, done_by = NULL
           WHERE incident_id = ${input.incidentId}::uuid AND position = ${position} AND done_at IS NOT NULL RETURNING text`;
        for (const row of r) entries.push({ kind: "checklist", actorId: input.actor, text: `<@${input.actor}> unticked “${escapeMrkdwn(row.text)}” on the checklist`, data: { position, done: false } });
      }
      await addTimeline(tx, input.incidentId, now, entries);
      await enqueue(tx, [refreshJob(input.incidentId)], now);
      return { ticked, unticked: entries.length - ticked };
    });
    ctx.kick();
    return { kind: "done", ...counts };
  } catch (err) {
    if (err instanceof DuplicateRequestError) return { kind: "duplicate" };
    throw err;
  }
}

function permalinkOf(ctx: Ctx, channel: string, ts: string): string {
  return `${ctx.bot.teamUrl.replace(/\/?$/, "/")}archives/${channel}/p${ts.replace(".", "")}`;
}

export const templateFallback = z.object({ file: z.string(), line: z.number(), reason: z.string() });

/**
 * Posts the checklist as it stands (once per key), pins it, and retires the one posted before; says
 * so when the team's template failed. Part of the declaration (provision.ts), and of
 * /incident checklist (the job below).
 */
export async function postChecklist(ctx: Ctx, incident: Incident, key: string, fallback?: z.infer<typeof templateFallback>): Promise<void> {
  const channel = channelOf(incident);
  const items = await checklistOf(ctx.db, incident.id);
  if (items.length === 0) return;
  const m = checklistMessage(incident, items);
  const posted = await postInIncident(ctx, incident, key, { text: m.text, blocks: m.blocks });
  if (!posted) return;
  const previous = (await ctx.db.incident.findUnique({ where: { id: incident.id }, select: { checklistTs: true } }))?.checklistTs;
  if (previous !== posted.ts) {
    // bookkeeping, not a decision: no version bump
    await ctx.db.incident.update({ where: { id: incident.id }, data: { checklistTs: posted.ts } });
  }
  await ctx.once.run(`pin:${key}`, "pins.add", async () => {
    await ctx.slack.callUnless("pins.add", { channel, timestamp: posted.ts }, "already_pinned");
    return { ts: posted.ts };
  });
  if (previous && previous !== posted.ts) {
    const moved = checklistMoved(incident, permalinkOf(ctx, channel, posted.ts));
    await ctx.slack.callUnless("chat.update", { channel, ts: previous, text: moved.text, blocks: moved.blocks }, "message_not_found", "cant_update_message");
    await ctx.slack.callUnless("pins.remove", { channel, timestamp: previous }, "no_pin", "not_pinned", "message_not_found");
  }
  if (fallback) {
    const f = fallback;
    await ctx.once.post(`notice:checklist:${incident.id}`, {
      channel,
      text: `:warning: Your checklist template failed (${escapeMrkdwn(f.file)}, line ${f.line}: ${escapeMrkdwn(f.reason)}), so ${incidentRef(incident)} uses the built-in checklist. Fix the template for the next incident.`,
    });
  }
  // ticks recorded while the message was on its way are rendered now
  await enqueue(ctx.db, [refreshJob(incident.id)], ctx.clock.now());
  ctx.kick();
}

/** /incident checklist: the checklist posted again. */
export const CHECKLIST_POST_JOB = jobType({
  kind: "checklist.post",
  payload: z.object({ key: z.string(), fallback: templateFallback.optional() }),
  failure: "post the checklist of",
  async run(ctx, p, job) {
    const incident = job.incidentId ? await loadIncident(ctx.db, job.incidentId) : undefined;
    if (incident) await postChecklist(ctx, incident, p.key, p.fallback);
  },
});

export const CHECKLIST_REFRESH_JOB = jobType({
  kind: "checklist.refresh",
  payload: z.object({}),
  failure: "update the checklist of",
  async run(ctx, _p, job) {
    const incident = job.incidentId ? await loadIncident(ctx.db, job.incidentId) : undefined;
    if (!incident?.channelId) return;
    const row = await ctx.db.incident.findUnique({ where: { id: incident.id }, select: { checklistTs: true } });
    // the post job renders the current state when it posts
    if (!row?.checklistTs) return;
    const m = checklistMessage(incident, await checklistOf(ctx.db, incident.id));
    try {
      await ctx.slack.call("chat.update", { channel: incident.channelId, ts: row.checklistTs, text: m.text, blocks: m.blocks });
    } catch (err) {
      if (isSlackError(err, "channel_not_found", "is_archived", "message_not_found", "cant_update_message")) {
        ctx.log.warn({ incident: incident.id, code: err.code }, "the checklist message can no longer be updated");
        return;
      }
      throw err;
    }
  },
});

export function postChecklistJob(incidentId: string, key: string, fallback?: ChecklistTemplate["fallback"]): JobDraft {
  return draft(CHECKLIST_POST_JOB, { key, ...(fallback ? { fallback } : {}) }, { incidentId });
}

/** `/incident checklist`: posts the checklist again, as it stands (once per request); how far it is. */
export async function repostChecklist(ctx: Ctx, incident: Incident, requestKey: string): Promise<{ done: number; total: number } | undefined> {
  try {
    await ctx.db.$transaction(async (tx) => {
      await claimRequest(tx, requestKey);
      await enqueue(tx, [postChecklistJob(incident.id, `checklist:${incident.id}:${requestKey}`)], ctx.clock.now());
    });
  } catch (err) {
    if (err instanceof DuplicateRequestError) return undefined;
    throw err;
  }
  ctx.kick();
  return progress(await checklistOf(ctx.db, incident.id));
}
