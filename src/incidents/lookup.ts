// Reading incidents for the edge: the incident of a channel, by id, the open ones a person may see,
// and what /incident info shows. Listeners ask here rather than querying the database themselves.

import type { ActionItemView } from "../slack/blocks/info.ts";
import { issueOf } from "../slack/blocks/resolution/followups.ts";
import { type Incident, visibleTo } from "../domain/incident.ts";
import { progress } from "../domain/checklist.ts";
import { type Durations, durations, effectiveTimestamps, type Punctuality, punctuality, type Timestamps } from "../domain/record.ts";
import { findByChannel, listOpen, loadIncident } from "../store/incidents.ts";
import { checklistOf } from "./war-room/checklist.ts";
import { cadenceEvents } from "../store/cadence.ts";
import { recorded } from "./numbers/record.ts";
import type { Ctx } from "./context.ts";

export function incidentInChannel(ctx: Ctx, channelId: string): Promise<Incident | undefined> {
  return findByChannel(ctx.db, channelId);
}

export function incidentById(ctx: Ctx, id: string): Promise<Incident | undefined> {
  return loadIncident(ctx.db, id);
}

/** Open incidents of a workspace, newest first, without the private ones `userId` is not part of. */
export async function openIncidentsFor(ctx: Ctx, teamId: string, userId: string): Promise<Incident[]> {
  return (await listOpen(ctx.db, teamId)).filter((i) => visibleTo(i, userId));
}

export interface InfoFacts {
  actionItems: ActionItemView[];
  recent: { at: Date; text: string }[];
  timestamps: Timestamps;
  durations: Durations;
  punctuality: Punctuality;
  checklist: { done: number; total: number };
}

/** The action items and the latest timeline entries, for /incident info. */
export async function infoFacts(ctx: Ctx, incident: Incident, recentCount = 8): Promise<InfoFacts> {
  const [items, recent, events, checklist] = await Promise.all([
    ctx.db.actionItem.findMany({ where: { incidentId: incident.id }, orderBy: { number: "asc" } }),
    // the checklist's ticks have their own line
    ctx.db.timelineEntry.findMany({ where: { incidentId: incident.id, kind: { not: "checklist" } }, orderBy: [{ at: "desc" }, { id: "desc" }], take: recentCount }),
    cadenceEvents(ctx.db, ctx.config.incident.severities, incident),
    checklistOf(ctx.db, incident.id),
  ]);
  const timestamps = effectiveTimestamps(recorded(incident, ctx.bot.userId));
  return {
    timestamps,
    durations: durations(timestamps),
    punctuality: punctuality(events, ctx.clock.now(), ctx.config.incident.timezone),
    checklist: progress(checklist),
    actionItems: items.map((a) => ({ id: a.id, number: a.number, text: a.text, ownerId: a.ownerId, due: a.dueDate?.toISOString().slice(0, 10) ?? null, priority: a.priority, done: a.status === "done", issue: issueOf(a) })),
    recent: recent.reverse().map((e) => ({ at: e.at, text: e.text })),
  };
}
