// /incident stats: a period's incidents in numbers. No incident is named, so private ones can be
// counted for anyone.

import { DURATION_KEYS, DURATION_LABEL, percent, shortDuration, type StatsPeriod } from "../../../domain/record.ts";
import type { SeverityLadder } from "../../../domain/severity.ts";
import { escapeMrkdwn } from "../../../domain/text.ts";
import type { PeriodStats } from "../../../store/stats.ts";

const PERIOD_LABEL: Readonly<Record<StatsPeriod, string>> = { "7d": "the last 7 days", "30d": "the last 30 days", "90d": "the last 90 days", all: "all time" };

export function severityCounts(stats: PeriodStats, ladder: SeverityLadder): string {
  const known = ladder.map((s) => ({ id: s.id, n: stats.bySeverity.find((b) => b.severity === s.id)?.n ?? 0 }));
  const retired = stats.bySeverity.filter((b) => !ladder.some((s) => s.id === b.severity));
  return [...known, ...retired.map((r) => ({ id: r.severity, n: r.n }))].map((s) => `${escapeMrkdwn(s.id)} ${s.n}`).join(" · ");
}

export function punctualityLine(stats: PeriodStats): string {
  const { kept, missed } = stats.punctuality;
  const due = kept + missed;
  return due === 0 ? "no updates were due" : `${percent(kept / due)} (${kept} of ${due} updates due were on time)`;
}

export function statsMessage(stats: PeriodStats, period: StatsPeriod, ladder: SeverityLadder): { text: string; blocks: unknown[] } {
  const title = `Incidents in ${PERIOD_LABEL[period]}: ${stats.total.toLocaleString("en")}`;
  const lines = DURATION_KEYS.map((k) => {
    const d = stats.durations[k];
    return `*${DURATION_LABEL[k]}:* ${d.n === 0 ? "no incidents to measure" : `median ${shortDuration(d.p50)}, 90th percentile ${shortDuration(d.p90)} (n = ${d.n})`}`;
  });
  const a = stats.actionItems;
  return {
    text: `${title} (${severityCounts(stats, ladder)})`,
    blocks: [
      { type: "section", text: { type: "mrkdwn", text: `*${title}*\n${severityCounts(stats, ladder)}` } },
      { type: "section", text: { type: "mrkdwn", text: lines.join("\n") } },
      { type: "section", text: { type: "mrkdwn", text: `*Update punctuality:* ${punctualityLine(stats)}\n*Action items:* ${a.open} open (${a.overdue} overdue), ${a.done} done` } },
      { type: "context", elements: [{ type: "mrkdwn", text: "Incidents declared in the period; drills and declined alerts are not counted. `/incident stats 7d|30d|90d|all`" }] },
    ],
  };
}

/** The App Home's one line for the last 30 days. */
export function statsLine(stats: PeriodStats): string {
  const ttr = stats.durations.time_to_resolve;
  return `Last 30 days: ${stats.total} incident${stats.total === 1 ? "" : "s"} · median time to resolve ${ttr.n ? shortDuration(ttr.p50) : "—"} · update punctuality ${punctualityLine(stats)} · ${stats.actionItems.open} action items open (${stats.actionItems.overdue} overdue)`;
}
