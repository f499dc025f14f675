// The App Home tab, published when someone opens it.

import { type ClaimedJob, payloadString } from "../scheduler/queue.ts";
import { homeView } from "../slack/blocks/home.ts";
import { listOpen } from "../store/incidents.ts";
import type { Ctx } from "./context.ts";

export async function publishHome(ctx: Ctx, job: ClaimedJob): Promise<void> {
  const userId = payloadString(job, "userId");
  if (!userId) return;
  const open = await listOpen(ctx.db, ctx.bot.teamId);
  const visible = open.filter((i) => !i.isPrivate || [i.declaredBy, ...Object.values(i.roles), ...i.responders].includes(userId));
  await ctx.slack.callUnless("views.publish", { user_id: userId, view: homeView(visible, ctx.config.incident.severities) }, "not_enabled");
}
