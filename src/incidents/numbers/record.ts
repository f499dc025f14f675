// The incident record's numbers, kept as the incident changes: update punctuality (worked out from
// what happened, domain/record.ts) is saved with each decision, so the stats read it with one query.

import { z } from "zod";
import { safeLink } from "../../domain/alerts.ts";
import { type Incident, incidentRef } from "../../domain/incident.ts";
import { DURATION_KEYS, type DurationKey, durations, effectiveTimestamps, punctuality, recordedTimestamps, sourceOf, TIMESTAMP_KEYS, type TimestampKey } from "../../domain/record.ts";
import type { Config } from "../../config/index.ts";
import type { Tx } from "../../store/jobs.ts";
import { linkedGroups } from "../../store/alerts.ts";
import { cadenceEvents } from "../../store/cadence.ts";
import { loadIncident } from "../../store/incidents.ts";
import type { Ctx } from "../context.ts";
import { jobType } from "../job-type.ts";

/** Works out the incident's punctuality from its history and saves it (inside the caller's transaction). */
export async function refreshPunctuality(tx: Tx, config: Config, incident: Pick<Incident, "id" | "severity" | "declaredAt">, now: Date): Promise<void> {
  const p = punctuality(await cadenceEvents(tx, config.incident.severities, incident), now, config.incident.timezone);
  await tx.incident.update({ where: { id: incident.id }, data: { punctKept: p.kept, punctMissed: p.missed, punctPendingAt: p.pending } });
}

export const recorded = recordedTimestamps;

/** Recomputes an incident's numbers (for incidents recorded before punctuality was kept). */
export const RECORD_REFRESH_JOB = jobType({
  kind: "record.refresh",
  payload: z.object({}),
  failure: "work out the numbers of",
  async run(ctx: Ctx, _p, job) {
    const incident = job.incidentId ? await loadIncident(ctx.db, job.incidentId) : undefined;
    if (incident) await refreshPunctuality(ctx.db, ctx.config, incident, ctx.clock.now());
  },
});

export interface IncidentSummary {
  id: string;
  number: number;
  ref: string;
  title: string;
  severity: string;
  status: string;
  private: boolean;
  drill: boolean;
  channel: { id: string | null; name: string | null };
  roles: { ic: string | null; tech_lead: string | null; comms_lead: string | null; scribe: string | null };
  responders: string[];
  declared_by: string;
  timestamps: Record<TimestampKey, string | null>;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** The record's summary: what lists, webhooks and exports show of an incident. */
export function incidentSummary(incident: Incident, botUserId: string): IncidentSummary {
  const t = effectiveTimestamps(recorded(incident, botUserId));
  return {
    id: incident.id,
    number: incident.number,
    ref: incidentRef(incident),
    title: incident.title,
    severity: incident.severity,
    status: incident.status,
    private: incident.isPrivate,
    drill: incident.isDrill,
    channel: { id: incident.channelId, name: incident.channelName },
    roles: { ic: incident.roles.ic, tech_lead: incident.roles.tech, comms_lead: incident.roles.comms, scribe: incident.roles.scribe },
    responders: [...incident.responders],
    declared_by: incident.declaredBy,
    timestamps: Object.fromEntries(TIMESTAMP_KEYS.map((k) => [k, iso(t[k])])) as Record<TimestampKey, string | null>,
  };
}

export interface IncidentRecord extends IncidentSummary {
  timestamp_sources: Record<TimestampKey, string>;
  durations: Record<`${DurationKey}_s`, number | null>;
  punctuality: { kept: number; missed: number; ratio: number | null };
  impact: string | null;
  detection: string | null;
  status_summary: string | null;
  updates: { at: string; status: string; text: string; by: string }[];
  timeline: { at: string; kind: string; actor: string | null; text: string; permalink: string | null }[];
  action_items: { number: number; text: string; owner: string | null; due: string | null; priority: string; status: string; created_at: string; done_at: string | null; issue: { tracker: string | null; key: string | null; url: string } | null }[];
  checklist: { done: number; total: number; items: { phase: string; text: string; done: boolean; done_by: string | null; done_at: string | null; auto: string | null }[] };
  postmortem: { markdown: string | null; canvas_id: string | null; file_id: string | null };
  alerts: AlertRecord[];
}

/** One linked alert, as the record and the API show it. */
export interface AlertRecord {
  source: string;
  group_key: string;
  name: string;
  status: string;
  fingerprint: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  starts_at: string | null;
  ends_at: string | null;
  links: { source: string | null; external: string | null };
  /** How the group came to the incident: declared from it, or merged into it. */
  linked: string;
}

/** The alerts of every group linked to an incident, in the order they started. */
export async function linkedAlerts(db: Tx, incidentId: string): Promise<AlertRecord[]> {
  const groups = await linkedGroups(db, incidentId);
  return groups.flatMap(({ group, alerts }) =>
    alerts.map((a) => ({
      source: group.source,
      group_key: group.groupKey,
      name: a.labels.alertname ?? group.alertName,
      status: a.status,
      fingerprint: a.fingerprint,
      labels: { ...a.labels },
      annotations: { ...a.annotations },
      starts_at: iso(a.startsAt),
      ends_at: iso(a.endsAt),
      links: { source: safeLink(a.generatorUrl), external: safeLink(group.externalUrl) },
      linked: group.status,
    })),
  );
}

/** The whole record of an incident (the API's GET /api/v1/incidents/<number>). */
export async function incidentRecord(ctx: Ctx, incident: Incident): Promise<IncidentRecord> {
  const now = ctx.clock.now();
  const [events, updates, timeline, items, checklist, postmortem, alerts] = await Promise.all([
    cadenceEvents(ctx.db, ctx.config.incident.severities, incident),
    ctx.db.statusUpdate.findMany({ where: { incidentId: incident.id }, orderBy: { postedAt: "asc" } }),
    ctx.db.timelineEntry.findMany({ where: { incidentId: incident.id }, orderBy: [{ at: "asc" }, { id: "asc" }] }),
    ctx.db.actionItem.findMany({ where: { incidentId: incident.id }, orderBy: { number: "asc" } }),
    ctx.db.checklistItem.findMany({ where: { incidentId: incident.id }, orderBy: { position: "asc" } }),
    ctx.db.postmortem.findUnique({ where: { incidentId: incident.id } }),
    linkedAlerts(ctx.db, incident.id),
  ]);
  const r = recorded(incident, ctx.bot.userId);
  const d = durations(effectiveTimestamps(r));
  const p = punctuality(events, now, ctx.config.incident.timezone);
  return {
    ...incidentSummary(incident, ctx.bot.userId),
    timestamp_sources: Object.fromEntries(TIMESTAMP_KEYS.map((k) => [k, sourceOf(r, k)])) as Record<TimestampKey, string>,
    durations: Object.fromEntries(DURATION_KEYS.map((k) => [`${k}_s`, d[k]])) as Record<`${DurationKey}_s`, number | null>,
    punctuality: { kept: p.kept, missed: p.missed, ratio: p.ratio },
    impact: incident.impact,
    detection: incident.detection,
    status_summary: incident.statusSummary,
    updates: updates.map((u) => ({ at: u.postedAt.toISOString(), status: u.status, text: u.text, by: u.authorId })),
    timeline: timeline.map((e) => ({ at: e.at.toISOString(), kind: e.kind, actor: e.actorId, text: e.text, permalink: e.permalink })),
    action_items: items.map((a) => ({
      number: a.number,
      text: a.text,
      owner: a.ownerId,
      due: a.dueDate ? a.dueDate.toISOString().slice(0, 10) : null,
      priority: a.priority,
      status: a.status,
      created_at: a.createdAt.toISOString(),
      done_at: iso(a.doneAt),
      issue: a.trackerUrl ? { tracker: a.trackerKind, key: a.trackerKey, url: a.trackerUrl } : null,
    })),
    checklist: {
      done: checklist.filter((c) => c.doneAt).length,
      total: checklist.length,
      items: checklist.map((c) => ({ phase: c.phase, text: c.text, done: c.doneAt !== null, done_by: c.doneAt ? c.doneBy : null, done_at: iso(c.doneAt), auto: c.autoKey })),
    },
    postmortem: { markdown: postmortem?.markdown || null, canvas_id: postmortem?.canvasId ?? null, file_id: postmortem?.fileId ?? null },
    alerts,
  };
}
