// The digest: what happened since the last one (by severity), what is still open, the period's median
// time to resolve and punctuality, and overdue action items with their owners. Posted in a channel:
// private incidents are counted, never named.

import { type Incident, incidentRef } from "../../../domain/incident.ts";
import { shortDuration } from "../../../domain/record.ts";
import { requireSeverity, type SeverityLadder } from "../../../domain/severity.ts";
import { escapeMrkdwn, truncate } from "../../../domain/text.ts";
import type { PeriodStats } from "../../../store/stats.ts";
import { channelLink, mention, slackDate } from "../format.ts";
import { punctualityLine, severityCounts } from "./stats.ts";

export interface OverdueItem {
  number: number;
  text: string;
  ownerId: string | null;
  due: string;
  incident: Pick<Incident, "number" | "isPrivate" | "channelId">;
}

export function digestMessage(facts: { since: Date; until: Date; stats: PeriodStats; open: readonly Incident[]; overdue: readonly OverdueItem[]; overdueTotal: number }, ladder: SeverityLadder): { text: string; blocks: unknown[] } {
  const { stats } = facts;
  const named = facts.open.filter((i) => !i.isPrivate);
  const hidden = facts.open.length - named.length;
  const openLines = named.slice(0, 20).map((i) => `• *${incidentRef(i)}* ${escapeMrkdwn(requireSeverity(ladder, i.severity).id)} · ${escapeMrkdwn(truncate(i.title, 120))}${i.channelId ? ` · ${channelLink(i.channelId)}` : ""} · IC ${mention(i.roles.ic)}`);
  if (named.length > 20) openLines.push(`…and ${named.length - 20} more`);
  if (hidden > 0) openLines.push(`…and ${hidden} private incident${hidden === 1 ? "" : "s"}`);
  const itemLines = facts.overdue.map((a) =>
    a.incident.isPrivate
      ? `• an action item of a private incident · ${mention(a.ownerId, "no owner")} · due ${a.due}`
      : `• INC-${a.incident.number} #${a.number} ${truncate(a.text, 200)} · ${mention(a.ownerId, "no owner")} · due ${a.due}`,
  );
  if (facts.overdueTotal > facts.overdue.length) itemLines.push(`…and ${facts.overdueTotal - facts.overdue.length} more`);
  const ttr = stats.durations.time_to_resolve;
  const title = `Incident digest: ${stats.total} declared since ${slackDate(facts.since, "{date_short_pretty} {time}")}`;
  return {
    text: `Incident digest: ${stats.total} declared since the last digest, ${facts.open.length} still open, ${facts.overdueTotal} action items overdue`,
    blocks: [
      { type: "header", text: { type: "plain_text", text: "Incident digest" } },
      { type: "section", text: { type: "mrkdwn", text: `*${title}*${stats.total > 0 ? `\n${severityCounts(stats, ladder)}` : ""}` } },
      { type: "section", text: { type: "mrkdwn", text: `*Median time to resolve:* ${ttr.n ? `${shortDuration(ttr.p50)} (n = ${ttr.n})` : "nothing resolved"}\n*Update punctuality:* ${punctualityLine(stats)}` } },
      { type: "section", text: { type: "mrkdwn", text: truncate(`*Still open (${facts.open.length}):*\n${openLines.join("\n") || "_none_"}`, 3000) } },
      { type: "section", text: { type: "mrkdwn", text: truncate(`*Overdue action items (${facts.overdueTotal}):*\n${itemLines.join("\n") || "_none_"}`, 3000) } },
      { type: "context", elements: [{ type: "mrkdwn", text: "Drills are not counted. `/incident stats` for more." }] },
    ],
  };
}
