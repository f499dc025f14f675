// The data a postmortem template gets (documented in templates/postmortem.md's header), assembled
// from the incident's record: plain Markdown-safe text, people by name, times in UTC (and the
// configured zone where a document wants local time), timeline entries with their dates.

import { TRACKER_NAMES, type TrackerKind } from "../config/sections/followups.ts";
import { DateTime } from "luxon";
import { safeLink, SOURCE_LABEL } from "../domain/alerts.ts";
import { linkedGroups } from "../store/alerts.ts";
import type { Config } from "../config/index.ts";
import { incidentRef } from "../domain/incident.ts";
import { durationBetween } from "../domain/durations.ts";
import { DURATION_KEYS, DURATION_LABEL, durations, effectiveTimestamps, percent, punctuality, recordedTimestamps, sourceOf, TIMESTAMP_KEYS, TIMESTAMP_LABEL } from "../domain/record.ts";
import { STATUS_LABEL } from "../domain/lifecycle.ts";
import { ROLE_INFO, SINGLE_ROLES } from "../domain/roles.ts";
import { requireSeverity } from "../domain/severity.ts";
import { oneLine, safeToPlain } from "../domain/text.ts";
import type { UserDirectory } from "../slack/users.ts";
import type { Db } from "../store/database.ts";
import { cadenceEvents } from "../store/cadence.ts";
import { loadIncident } from "../store/incidents.ts";

export interface PostmortemData {
  incident: {
    number: string;
    title: string;
    severity: { id: string; label: string };
    severity_changes: { at_utc: string; from: string; to: string; reason: string; by: string }[];
    private: boolean;
    channel: string;
    declared_by: string;
    declared_at: string;
    declared_at_local: string;
    resolved_at: string;
    resolved_at_local: string;
    duration: string;
    date: string;
    summary: string;
    impact: string;
    detection: string;
    root_cause: string;
    timestamps: { label: string; key: string; at_utc: string; source: string }[];
    durations: { label: string; key: string; value: string; seconds: number | null }[];
    punctuality: string;
  };
  roles: { label: string; people: string }[];
  timeline: { at_utc: string; actor: string; text: string; link: string }[];
  updates: { at_utc: string; status: string; text: string; by: string }[];
  action_items: { number: number; text: string; owner: string; due: string; priority: string; status: string; issue: string }[];
  checklist: { done: number; total: number; phases: { name: string; items: { text: string; done: boolean; by: string; at_utc: string }[] }[] };
  alerts: { name: string; source: string; status: string; summary: string; starts_at_utc: string; ends_at_utc: string; link: string }[];
  generated_at: string;
  timezone: string;
  /** The summary and narrative the assistant's model wrote (Markdown, neutralised), or null. */
  ai: PostmortemAi | null;
}

export interface PostmortemAi {
  summary: string;
  narrative: string;
  model: string;
}

const utc = (d: Date) => DateTime.fromJSDate(d, { zone: "utc" }).toFormat("yyyy-MM-dd HH:mm");
const local = (d: Date, zone: string) => DateTime.fromJSDate(d, { zone }).toFormat("yyyy-MM-dd HH:mm ZZZZ");

/** Text for a Markdown table cell: one line, pipes escaped. */
export function cell(text: string): string {
  return oneLine(text).replace(/\|/g, "\\|");
}


const humanSeconds = (s: number) => (s < 60 ? "less than a minute" : durationBetween(new Date(0), new Date(s * 1000)));

export async function postmortemData(db: Db, users: UserDirectory, config: Config, incidentId: string, now: Date, botUserId: string, ai: PostmortemAi | null = null): Promise<PostmortemData> {
  const incident = await loadIncident(db, incidentId);
  if (!incident) throw new Error(`incident ${incidentId} not found`);
  const row = await db.incident.findUniqueOrThrow({ where: { id: incidentId }, select: { rootCause: true } });
  const [timeline, assignments, updates, items, checklist, alertGroups] = await Promise.all([
    // checklist ticks have their own section
    db.timelineEntry.findMany({ where: { incidentId, kind: { not: "checklist" } }, orderBy: [{ at: "asc" }, { id: "asc" }] }),
    db.roleAssignment.findMany({ where: { incidentId }, orderBy: [{ startedAt: "asc" }, { id: "asc" }] }),
    db.statusUpdate.findMany({ where: { incidentId }, orderBy: { postedAt: "asc" } }),
    db.actionItem.findMany({ where: { incidentId }, orderBy: { number: "asc" } }),
    db.checklistItem.findMany({ where: { incidentId }, orderBy: { position: "asc" } }),
    linkedGroups(db, incidentId),
  ]);

  // everyone mentioned anywhere, by name
  const ids = new Set<string>([incident.declaredBy]);
  for (const a of assignments) ids.add(a.userId);
  for (const e of timeline) {
    if (e.actorId) ids.add(e.actorId);
    for (const m of e.text.matchAll(/<@([UW][A-Z0-9]+)>/g)) ids.add(m[1] as string);
  }
  for (const u of updates) ids.add(u.authorId);
  for (const a of items) if (a.ownerId) ids.add(a.ownerId);
  for (const c of checklist) if (c.doneBy) ids.add(c.doneBy);
  for (const s of Object.values(incident.timestampSources)) if (s) ids.add(s);
  const names = await users.names([...ids].filter((id) => /^[UW]/.test(id)));
  const at = (id: string | null) => (id ? `@${names.get(id) ?? id}` : "");
  const plain = (safe: string) => safeToPlain(safe, (id) => names.get(id));

  const severity = requireSeverity(config.incident.severities, incident.severity);
  const rec = recordedTimestamps(incident, botUserId);
  const times = effectiveTimestamps(rec);
  const lasted = durations(times);
  const punct = punctuality(await cadenceEvents(db, config.incident.severities, incident), now, config.incident.timezone);
  const zone = config.incident.timezone;
  const roles = SINGLE_ROLES.map((r) => {
    const holders = assignments.filter((a) => a.role === r).map((a) => at(a.userId));
    return { label: ROLE_INFO[r].label, people: holders.length > 0 ? holders.join(", then ") : "unassigned" };
  });
  const responders = [...new Set(assignments.filter((a) => a.role === "responder").map((a) => at(a.userId)))];
  roles.push({ label: "Responders", people: responders.length > 0 ? responders.join(", ") : "none" });

  return {
    incident: {
      number: incidentRef(incident),
      title: incident.title,
      severity: { id: severity.id, label: severity.label },
      severity_changes: timeline
        .filter((e) => e.kind === "severity_changed")
        .map((e) => {
          const d = (e.data ?? {}) as { from?: string; to?: string; reason?: string };
          return { at_utc: utc(e.at), from: d.from ?? "", to: d.to ?? "", reason: plain(d.reason ?? ""), by: at(e.actorId) };
        }),
      private: incident.isPrivate,
      channel: incident.channelName ? `#${incident.channelName}` : "",
      declared_by: at(incident.declaredBy),
      declared_at: `${utc(incident.declaredAt)} UTC`,
      declared_at_local: local(incident.declaredAt, zone),
      resolved_at: incident.resolvedAt ? `${utc(incident.resolvedAt)} UTC` : "",
      resolved_at_local: incident.resolvedAt ? local(incident.resolvedAt, zone) : "",
      duration: incident.resolvedAt ? durationBetween(incident.declaredAt, incident.resolvedAt) : `ongoing (${durationBetween(incident.declaredAt, now)} so far)`,
      date: DateTime.fromJSDate(incident.declaredAt, { zone }).toFormat("yyyy-MM-dd"),
      summary: incident.statusSummary ? plain(incident.statusSummary) : "",
      impact: incident.impact ?? "",
      detection: incident.detection ?? "",
      root_cause: row.rootCause ? plain(row.rootCause) : "",
      timestamps: TIMESTAMP_KEYS.map((k) => {
        const when = times[k];
        const source = sourceOf(rec, k);
        return { label: TIMESTAMP_LABEL[k], key: k, at_utc: when ? `${utc(when)} UTC` : "", source: source === "auto" ? "auto" : `@${names.get(source) ?? source}` };
      }),
      durations: DURATION_KEYS.map((k) => ({ label: DURATION_LABEL[k], key: k, value: lasted[k] === null ? "" : humanSeconds(lasted[k] ?? 0), seconds: lasted[k] })),
      punctuality: punct.kept + punct.missed === 0 ? "no updates were due" : `${percent(punct.ratio)} (${punct.kept} of ${punct.kept + punct.missed} updates due were on time)`,
    },
    roles,
    timeline: timeline.map((e) => ({ at_utc: utc(e.at), actor: e.kind === "message" || e.kind === "note" ? at(e.actorId) : "", text: oneLine(plain(e.text)), link: e.permalink ?? "" })),
    updates: updates.map((u) => ({ at_utc: utc(u.postedAt), status: STATUS_LABEL[u.status], text: plain(u.text), by: at(u.authorId) })),
    action_items: items.map((a) => ({
      number: a.number,
      text: cell(plain(a.text)),
      owner: a.ownerId ? at(a.ownerId) : "unassigned",
      due: a.dueDate ? a.dueDate.toISOString().slice(0, 10) : "",
      priority: a.priority,
      status: a.status === "done" ? "done" : "open",
      issue: a.trackerUrl ? `[${TRACKER_NAMES[a.trackerKind as TrackerKind] ?? "issue"} ${cell(a.trackerKey ?? "")}](${a.trackerUrl.replace(/[()\s|]/g, encodeURIComponent)})` : "",
    })),
    checklist: {
      done: checklist.filter((c) => c.doneAt).length,
      total: checklist.length,
      phases: [...new Set(checklist.map((c) => c.phase))].map((name) => ({
        name,
        items: checklist.filter((c) => c.phase === name).map((c) => ({ text: c.text, done: c.doneAt !== null, by: c.doneAt ? (c.doneBy ? at(c.doneBy) : "Warroom") : "", at_utc: c.doneAt ? utc(c.doneAt) : "" })),
      })),
    },
    alerts: alertGroups.flatMap(({ group, alerts }) =>
      alerts.map((a) => ({
        name: cell(a.labels.alertname ?? group.alertName),
        source: SOURCE_LABEL[group.source],
        status: a.status,
        summary: cell(a.annotations.summary ?? ""),
        starts_at_utc: a.startsAt ? utc(a.startsAt) : "",
        ends_at_utc: a.endsAt ? utc(a.endsAt) : "",
        link: safeLink(a.generatorUrl)?.replace(/[()]/g, (c) => (c === "(" ? "%28" : "%29")) ?? "",
      })),
    ),
    generated_at: utc(now),
    timezone: zone,
    ai,
  };
}
