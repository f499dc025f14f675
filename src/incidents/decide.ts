// Load → decide → save, retried when someone else changed the incident in between (the save is a
// compare-and-set on its version), so concurrent actions are decided one after the other, on fresh data.

import type { AutoKey } from "../domain/checklist.ts";
import type { Decision, Incident, IncidentEvent, Refusal } from "../domain/incident.ts";
import type { TimelineDraft } from "../domain/timeline.ts";
import type { JobDraft } from "../store/jobs.ts";
import type { Prisma } from "../store/generated/client.ts";
import { ConflictError, DuplicateRequestError, loadIncident, requestDone, saveDecision } from "../store/incidents.ts";
import { stampTimestamps } from "../domain/record.ts";
import { autoTick } from "./war-room/checklist.ts";
import type { Ctx } from "./context.ts";
import { eventsOf } from "../domain/webhooks.ts";
import { refreshPunctuality } from "./numbers/record.ts";
import { recordWebhooks } from "./out/webhooks.ts";

export interface Consequences {
  timeline: TimelineDraft[];
  jobs: JobDraft[];
  cancelKinds?: readonly string[];
  extra?: Prisma.IncidentUncheckedUpdateManyInput;
  also?: (tx: Prisma.TransactionClient) => Promise<void>;
  /** Checklist items the bot ticks because of this change (each key once per incident). */
  autoTicks?: readonly AutoKey[];
  /** The incident as saved, when the consequences change it further (e.g. the reminder plan). */
  after?: Incident;
}

export type Applied =
  | { ok: true; before: Incident; after: Incident; events: IncidentEvent[] }
  | { ok: false; refusal: Refusal; incident: Incident }
  | { ok: false; missing: true }
  /** The same request was already carried out: nothing more was done. */
  | { ok: false; duplicate: true };

export interface DecideOptions {
  /** The Slack request this carries out, so a redelivery or a double submit does nothing more. */
  requestKey?: string | undefined;
}

export async function decideAndSave(
  ctx: Ctx,
  incidentId: string,
  /** `at` is the time the change is saved with: what the decision stamps equals what the consequences plan from. */
  decide: (incident: Incident, at: Date) => Decision,
  consequences: (before: Incident, after: Incident, events: IncidentEvent[], at: Date) => Consequences,
  opts: DecideOptions = {},
): Promise<Applied> {
  // a redelivery gets no refusal either (e.g. "already resolved"): the first delivery was answered
  if (await requestDone(ctx.db, opts.requestKey)) return { ok: false, duplicate: true };
  for (let attempt = 1; ; attempt++) {
    const before = await loadIncident(ctx.db, incidentId);
    if (!before) return { ok: false, missing: true };
    const at = ctx.clock.now();
    const d = decide(before, at);
    if (!d.ok) return { ok: false, refusal: d.refusal, incident: before };
    const actor = d.events.find((e) => "by" in e)?.by;
    const decided = stampTimestamps(before, d.incident, actor !== undefined && actor !== ctx.bot.userId, at);
    const after = { ...decided, version: before.version + 1 };
    const c = consequences(before, after, d.events, at);
    const saved = stampTimestamps(before, c.after ?? decided, actor !== undefined && actor !== ctx.bot.userId, at);
    try {
      await saveDecision(ctx.db, {
        before,
        after: saved,
        events: d.events,
        timeline: c.timeline,
        jobs: c.jobs,
        at,
        ...(c.cancelKinds ? { cancelKinds: c.cancelKinds } : {}),
        ...(c.extra ? { extra: c.extra } : {}),
        also: async (tx: Prisma.TransactionClient) => {
          await c.also?.(tx);
          if (c.autoTicks?.length) await autoTick(tx, before.id, c.autoTicks, at);
          // punctuality follows updates, severity changes, resolves and reopens
          await refreshPunctuality(tx, ctx.config, saved, at);
          await recordWebhooks(ctx, tx, { ...saved, version: before.version + 1 }, eventsOf(d.events), at);
        },
        ...(opts.requestKey ? { requestKey: opts.requestKey } : {}),
      });
      ctx.kick();
      return { ok: true, before, after: { ...saved, version: before.version + 1 }, events: d.events };
    } catch (err) {
      if (err instanceof DuplicateRequestError) return { ok: false, duplicate: true };
      if (!(err instanceof ConflictError) || attempt >= 20) throw err;
    }
  }
}
