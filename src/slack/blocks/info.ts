// /incident info and /incident list: ephemeral summaries.

import { Duration } from "luxon";
import { type Incident, incidentRef } from "../../domain/incident.ts";
import { STATUS_LABEL } from "../../domain/lifecycle.ts";
import { ROLE_INFO, SINGLE_ROLES } from "../../domain/roles.ts";
import type { Severity, SeverityLadder } from "../../domain/severity.ts";
import { requireSeverity } from "../../domain/severity.ts";
import { DURATION_KEYS, DURATION_LABEL, type Durations, percent, type Punctuality, shortDuration, TIMESTAMP_KEYS, TIMESTAMP_LABEL, type Timestamps } from "../../domain/record.ts";
import { escapeMrkdwn, truncate } from "../../domain/text.ts";
import { channelLink, humanDuration, mention, slackDate } from "./format.ts";
import { exportButton, type ItemIssue, issueSuffix } from "./resolution/followups.ts";

export interface ActionItemView {
  id: number;
  number: number;
  text: string;
  ownerId: string | null;
  due: string | null;
  priority: string;
  done: boolean;
  issue: ItemIssue | null;
}

/** At most this many *Create in …* buttons under the action items (an actions block takes 25). */
const EXPORT_BUTTONS = 10;

export function age(from: Date, to: Date): string {
  const d = Duration.fromMillis(Math.max(0, to.getTime() - from.getTime()));
  // a readable age: minutes under a day, whole hours beyond
  const minutes = Math.floor(d.as("minutes"));
  if (minutes < 1) return "less than a minute";
  const rounded = minutes < 24 * 60 ? Duration.fromObject({ minutes }) : Duration.fromObject({ hours: Math.floor(d.as("hours")) });
  return humanDuration(rounded);
}

export interface TimelineView {
  at: Date;
  text: string;
}

export interface RecordView {
  timestamps: Timestamps;
  durations: Durations;
  punctuality: Punctuality;
  checklist: { done: number; total: number };
}

/** The record's times, durations and punctuality, for /incident info. */
export function recordLines(r: RecordView): string {
  const times = TIMESTAMP_KEYS.filter((k) => r.timestamps[k]).map((k) => `${TIMESTAMP_LABEL[k]} ${slackDate(r.timestamps[k] as Date, "{date_short} {time}", `${(r.timestamps[k] as Date).toISOString().slice(0, 16).replace("T", " ")} UTC`)}`);
  const ds = DURATION_KEYS.filter((k) => r.durations[k] !== null).map((k) => `${DURATION_LABEL[k]} ${shortDuration(r.durations[k])}`);
  const p = r.punctuality;
  const punct = p.kept + p.missed === 0 ? "no updates due yet" : `${percent(p.ratio)} (${p.kept} of ${p.kept + p.missed} on time)`;
  return [`*Times:* ${times.join(" · ")}`, `*Durations:* ${ds.length > 0 ? ds.join(" · ") : "_none yet_"}`, `*Update punctuality:* ${punct}`, `*Checklist:* ${r.checklist.done} of ${r.checklist.total} done`].join("\n");
}

export function infoMessage(incident: Incident, severity: Severity, now: Date, actionItems: readonly ActionItemView[] = [], recent: readonly TimelineView[] = [], record?: RecordView, exportTo?: string): { text: string; blocks: unknown[] } {
  const ref = incidentRef(incident);
  const roles = SINGLE_ROLES.map((r) => `*${ROLE_INFO[r].label}:* ${mention(incident.roles[r])}`);
  roles.push(`*Responders:* ${incident.responders.length > 0 ? incident.responders.map((u) => mention(u)).join(", ") : "_none yet_"}`);
  const next =
    incident.status === "resolved" || incident.status === "closed"
      ? `${STATUS_LABEL[incident.status]}${incident.resolvedAt ? ` ${slackDate(incident.resolvedAt)}` : ""}`
      : incident.nextUpdateDueAt
        ? `${slackDate(incident.nextUpdateDueAt)}${incident.nextUpdateDueAt < now ? " (overdue)" : ""}`
        : "when there is news (no cadence)";
  const lines = [
    `*${ref} · ${escapeMrkdwn(incident.title)}*`,
    `*Severity:* ${escapeMrkdwn(severity.id)} · ${escapeMrkdwn(severity.label)}   *Status:* ${STATUS_LABEL[incident.status]}   *Age:* ${age(incident.declaredAt, now)}`,
    `*Declared:* ${slackDate(incident.declaredAt)} by ${mention(incident.declaredBy)}${incident.isPrivate ? " · :lock: private" : ""}`,
    `*Next update due:* ${next}`,
  ];
  if (incident.statusSummary) lines.push(`*Latest summary:* ${incident.statusSummary}`);
  const blocks: unknown[] = [
    { type: "section", text: { type: "mrkdwn", text: lines.join("\n") } },
    { type: "section", text: { type: "mrkdwn", text: roles.join("\n") } },
    ...(record ? [{ type: "section", text: { type: "mrkdwn", text: recordLines(record) } }] : []),
  ];
  if (actionItems.length > 0) {
    const items = actionItems.map((a) => `${a.done ? ":white_check_mark:" : ":white_square:"} #${a.number} ${a.text} · ${mention(a.ownerId, "no owner")}${a.due ? ` · due ${a.due}` : ""} · ${a.priority}${issueSuffix(a.issue)}`);
    blocks.push({ type: "section", text: { type: "mrkdwn", text: truncate(`*Action items*\n${items.join("\n")}`, 3000) } });
    const exportable = exportTo ? actionItems.filter((a) => !a.done && !a.issue).slice(0, EXPORT_BUTTONS) : [];
    if (exportTo && exportable.length > 0) {
      blocks.push({ type: "actions", block_id: `action_export:${incident.id}`, elements: exportable.map((a) => exportButton(a.id, exportTo, `Create #${a.number} in ${exportTo}`)) });
    }
  }
  if (recent.length > 0) {
    // dates as well as times: incidents cross midnight
    const entries = recent.map((e) => `${slackDate(e.at, "{date_short} {time}", `${e.at.toISOString().slice(0, 16).replace("T", " ")} UTC`)} — ${truncate(e.text, 300)}`);
    blocks.push({ type: "section", text: { type: "mrkdwn", text: truncate(`*Recent timeline*\n${entries.join("\n")}`, 3000) } });
  }
  return { text: `${ref}: ${severity.id} ${STATUS_LABEL[incident.status]} · ${incident.title}`, blocks };
}

export function listMessage(incidents: readonly Incident[], ladder: SeverityLadder, now: Date): { text: string; blocks: unknown[] } {
  if (incidents.length === 0) {
    return { text: "No open incidents.", blocks: [{ type: "section", text: { type: "mrkdwn", text: ":white_check_mark: No open incidents." } }] };
  }
  const lines = incidents.map((i) => {
    const s = requireSeverity(ladder, i.severity);
    const where = i.channelId ? channelLink(i.channelId) : "_channel opening…_";
    return `• *${incidentRef(i)}* ${escapeMrkdwn(s.id)} · ${STATUS_LABEL[i.status]} · ${escapeMrkdwn(i.title)} · ${where} · IC ${mention(i.roles.ic)} · ${age(i.declaredAt, now)}`;
  });
  const text = `${incidents.length} open incident${incidents.length === 1 ? "" : "s"}`;
  // a message holds 50 blocks; a section's text 3000 characters
  const chunks: string[] = [];
  let current = `*${text}*`;
  for (const line of lines) {
    if (current.length + line.length + 1 > 2900) {
      chunks.push(current);
      current = line;
    } else current += `\n${line}`;
  }
  chunks.push(current);
  return { text, blocks: chunks.slice(0, 45).map((t) => ({ type: "section", text: { type: "mrkdwn", text: t } })) };
}

