// The digest on its schedule (`digest.cron`, in the configured zone): one job per scheduled time,
// keyed by it, so several replicas and restarts post it once (the post is once per time too, by its
// effect key); each run plans the next. A time missed while no bot ran is posted when one starts.

import { Cron } from "croner";
import { DateTime } from "luxon";
import { z } from "zod";
import { digestMessage } from "../../slack/blocks/numbers/digest.ts";
import { toIncident, withResponders } from "../../store/incidents.ts";
import { enqueue, type JobDraft } from "../../store/jobs.ts";
import type { Ctx } from "../context.ts";
import { draft, jobType } from "../job-type.ts";
import { statsBetween } from "./stats.ts";

const OPEN = ["investigating", "identified", "monitoring"] as const;

function schedule(ctx: Ctx): Cron | undefined {
  const d = ctx.config.incident.digest;
  return d ? new Cron(d.cron, { timezone: ctx.config.incident.timezone, paused: true }) : undefined;
}

function digestJob(at: Date): JobDraft {
  return draft(DIGEST_JOB, { at: at.toISOString() }, { dueAt: at, dedupeKey: `digest:${at.toISOString()}` });
}

/** At start: the next scheduled digest is planned (once, however many replicas start). */
export async function planDigest(ctx: Ctx): Promise<void> {
  const next = schedule(ctx)?.nextRun(ctx.clock.now());
  if (!next) return;
  await enqueue(ctx.db, [digestJob(next)], ctx.clock.now());
}

export const DIGEST_JOB = jobType({
  kind: "digest.post",
  payload: z.object({ at: z.iso.datetime() }),
  failure: "post the digest",
  async run(ctx, p) {
    const cron = schedule(ctx);
    const digest = ctx.config.incident.digest;
    if (!cron || !digest) return;
    const at = new Date(p.at);
    const since = cron.previousRuns(1, at)[0] ?? new Date(at.getTime() - 7 * 86_400_000);
    const today = DateTime.fromJSDate(ctx.clock.now(), { zone: ctx.config.incident.timezone }).toFormat("yyyy-MM-dd");
    const overdueWhere = { status: "open" as const, dueDate: { lt: new Date(`${today}T00:00:00Z`) }, incident: { teamId: ctx.bot.teamId, isDrill: false } };
    const [stats, open, overdue, overdueTotal] = await Promise.all([
      statsBetween(ctx, since, at),
      ctx.db.incident.findMany({ where: { teamId: ctx.bot.teamId, isDrill: false, status: { in: [...OPEN] } }, orderBy: { declaredAt: "desc" }, take: 200, include: withResponders }),
      ctx.db.actionItem.findMany({ where: overdueWhere, orderBy: [{ dueDate: "asc" }, { id: "asc" }], take: 20, include: { incident: { select: { number: true, isPrivate: true, channelId: true } } } }),
      ctx.db.actionItem.count({ where: overdueWhere }),
    ]);
    const m = digestMessage(
      {
        since,
        until: at,
        stats,
        open: open.map(toIncident),
        overdue: overdue.map((a) => ({ number: a.number, text: a.text, ownerId: a.ownerId, due: a.dueDate ? a.dueDate.toISOString().slice(0, 10) : "", incident: a.incident })),
        overdueTotal,
      },
      ctx.config.incident.severities,
    );
    await ctx.once.post(`digest:${p.at}`, { channel: await ctx.channels.resolve(digest.channel), text: m.text, blocks: m.blocks, unfurl_links: false });
    ctx.log.info({ at: p.at }, "digest posted");
    const next = cron.nextRun(at);
    if (next) await enqueue(ctx.db, [digestJob(next)], ctx.clock.now());
  },
});
