// /incident timestamps: correcting when impact started, the problem was detected, the incident was
// acknowledged, mitigated, resolved or closed. Decided in the domain (order, not in the future), saved
// with a timeline entry per change (who, the old and the new value), said in the channel.

import { correctTimestamps } from "../../domain/incident.ts";
import type { TimestampKey } from "../../domain/record.ts";
import { describeEvent } from "../../domain/timeline.ts";
import type { Ctx } from "../context.ts";
import { type Applied, decideAndSave } from "../decide.ts";
import { postJob } from "../effects.ts";

export function correctTimestampsJourney(ctx: Ctx, input: { incidentId: string; changes: Partial<Record<TimestampKey, Date>>; actor: string; requestKey?: string }): Promise<Applied> {
  return decideAndSave(
    ctx,
    input.incidentId,
    (incident, at) => correctTimestamps(incident, input.changes, input.actor, at, incident.declaredBy !== ctx.bot.userId),
    (_before, after, events) => {
      const timeline = events.map(describeEvent);
      const jobs = timeline.length > 0 ? [postJob(after.id, `timestamps:${after.id}:${after.version}`, `:clock3: ${timeline.map((t) => t.text).join("\n")}`)] : [];
      return { timeline, jobs };
    },
    { requestKey: input.requestKey },
  );
}
