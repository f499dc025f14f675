// /incident status <investigating|identified|monitoring>: moves the lifecycle and says so.

import { setStatus } from "../../domain/incident.ts";
import type { ActiveStatus } from "../../domain/lifecycle.ts";
import { describeEvent } from "../../domain/timeline.ts";
import type { Ctx } from "../context.ts";
import { type Applied, decideAndSave } from "../decide.ts";
import { postJob, refreshJob } from "../effects.ts";

export function setStatusJourney(ctx: Ctx, input: { incidentId: string; status: ActiveStatus; actor: string; requestKey?: string }): Promise<Applied> {
  return decideAndSave(
    ctx,
    input.incidentId,
    (incident) => setStatus(incident, input.status, input.actor),
    (_before, after, events) => {
      const timeline = events.map(describeEvent);
      const line = timeline.map((t) => `${t.text} (set by <@${input.actor}>)`).join("\n");
      return {
        timeline,
        jobs: [refreshJob(after.id, { topic: true }), postJob(after.id, `status:${after.id}:${after.version}`, `:arrows_counterclockwise: ${line}`)],
      };
    },
    { requestKey: input.requestKey },
  );
}
