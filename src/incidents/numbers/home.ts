// The App Home tab, published when someone opens it: what they may see that is open, where they hold
// a role, their open action items, the last 30 days in a line.

import { buttonTracker } from "../followups/items.ts";
import { z } from "zod";
import { statsLine } from "../../slack/blocks/numbers/stats.ts";
import { HOME_LIMITS, homeView } from "../../slack/blocks/numbers/home.ts";
import { homeFacts } from "../../store/home.ts";
import { enqueue } from "../../store/jobs.ts";
import type { Ctx } from "../context.ts";
import { draft, jobType } from "../job-type.ts";

export const HOME_JOB = jobType({
  kind: "home.publish",
  payload: z.object({ userId: z.string() }),
  failure: "publish the App Home of",
  async run(ctx, p) {
    const now = ctx.clock.now();
    const [facts, last30] = await Promise.all([homeFacts(ctx.db, ctx.bot.teamId, p.userId, HOME_LIMITS), ctx.recentStats.get(ctx)]);
    const view = homeView({ ...facts, statsLine: statsLine(last30.stats) }, p.userId, ctx.config.incident.severities, now, buttonTracker(ctx));
    await ctx.slack.callUnless("views.publish", { user_id: p.userId, view }, "not_enabled");
  },
});

/** One pending publish per person: opening the tab twice quickly publishes once. */
export function homeJob(userId: string) {
  return draft(HOME_JOB, { userId }, { dedupeKey: `home:${userId}` });
}

/** Publishes someone's App Home again (after they changed something from it). */
export async function refreshHome(ctx: Ctx, userId: string): Promise<void> {
  await enqueue(ctx.db, [homeJob(userId)], ctx.clock.now());
  ctx.kick();
}
