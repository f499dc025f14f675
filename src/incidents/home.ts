// The App Home tab, published when someone opens it.

import { z } from "zod";
import { visibleTo } from "../domain/incident.ts";
import { homeView } from "../slack/blocks/home.ts";
import { listOpen } from "../store/incidents.ts";
import { draft, jobType } from "./job-type.ts";

export const HOME_JOB = jobType({
  kind: "home.publish",
  payload: z.object({ userId: z.string() }),
  failure: "publish the App Home of",
  async run(ctx, p) {
    const open = await listOpen(ctx.db, ctx.bot.teamId);
    const visible = open.filter((i) => visibleTo(i, p.userId));
    await ctx.slack.callUnless("views.publish", { user_id: p.userId, view: homeView(visible, ctx.config.incident.severities) }, "not_enabled");
  },
});

/** One pending publish per person: opening the tab twice quickly publishes once. */
export function homeJob(userId: string) {
  return draft(HOME_JOB, { userId }, { dedupeKey: `home:${userId}` });
}
