// The insights page's numbers: the range's summary from the same function as /incident stats, the
// digest and the API (statsBetween → store/stats.ts), and its series from the same definitions
// (store/insights.ts), with every week and month of the range present (a quiet week is a zero, not a
// gap). Filters: the range (30, 90 or 365 days), one severity, and the drills on their own. A report
// is kept a minute per filter (the App Home's line is kept as long).

import { DateTime } from "luxon";
import { type InsightFilter, insightSeries, type InsightsReport, WEEKS } from "../../store/insights.ts";
import type { StatsScope } from "../../store/stats.ts";
import type { Ctx } from "../context.ts";
import { statsBetween } from "./stats.ts";

export { INSIGHT_RANGES, WEEKS, type InsightFilter, type InsightRange, type InsightsReport } from "../../store/insights.ts";

/** How long a report is kept: a team lead's page a minute old is as true, and a reload costs nothing. */
export const INSIGHTS_TTL_MS = 60_000;
const keptBy = new WeakMap<Ctx, Map<string, { at: number; report: Promise<InsightsReport> }>>();

/** The report for a filter, worked out at most once a minute (per filter; the newest 50 filters kept). */
export function insightsFor(ctx: Ctx, filter: InsightFilter): Promise<InsightsReport> {
  let kept = keptBy.get(ctx);
  if (!kept) keptBy.set(ctx, (kept = new Map()));
  const key = `${filter.range}|${filter.severity ?? ""}|${filter.drills}`;
  const now = ctx.clock.now().getTime();
  const hit = kept.get(key);
  if (hit && now - hit.at < INSIGHTS_TTL_MS) return hit.report;
  const report = workOut(ctx, filter);
  kept.delete(key);
  kept.set(key, { at: now, report });
  report.catch(() => kept.delete(key));
  if (kept.size > 50) kept.delete(kept.keys().next().value as string);
  return report;
}

async function workOut(ctx: Ctx, filter: InsightFilter): Promise<InsightsReport> {
  const zone = ctx.config.incident.timezone;
  const until = ctx.clock.now();
  const local = DateTime.fromJSDate(until, { zone });
  const since = local.minus({ days: filter.range }).toJSDate();
  const firstWeek = local.startOf("week").minus({ weeks: WEEKS - 1 });
  const today = local.toFormat("yyyy-MM-dd");
  const base = { teamId: ctx.bot.teamId, until, severity: filter.severity, drills: filter.drills } satisfies Omit<StatsScope, "since">;
  const [summary, series] = await Promise.all([
    statsBetween(ctx, since, until, { severity: filter.severity, drills: filter.drills }),
    insightSeries(ctx.db, { ...base, since }, { ...base, since: firstWeek.toJSDate() }, zone, ctx.bot.userId, today),
  ]);
  const weeks: { week: string; counts: Record<string, number> }[] = [];
  for (let w = 0; w < WEEKS; w++) weeks.push({ week: firstWeek.plus({ weeks: w }).toFormat("yyyy-MM-dd"), counts: {} });
  for (const r of series.weekly) {
    const week = weeks.find((x) => x.week === r.week);
    if (week) week.counts[r.severity] = (week.counts[r.severity] ?? 0) + r.n;
  }
  const monthKeys: string[] = [];
  for (let m = DateTime.fromJSDate(since, { zone }).startOf("month"); m <= local; m = m.plus({ months: 1 })) monthKeys.push(m.toFormat("yyyy-MM"));
  const empty = { n: 0, p50: null, p90: null };
  const months = monthKeys.map((month) => series.monthly.find((m) => m.month === month) ?? { month, incidents: 0, timeToAcknowledge: empty, timeToMitigate: empty, timeToResolve: empty, kept: 0, missed: 0 });
  const dueByMonth = monthKeys.map((month) => series.dueByMonth.find((m) => m.month === month) ?? { month, due: 0, onTime: 0 });
  return {
    filter,
    since,
    until,
    zone,
    severities: ctx.config.incident.severities.map((s) => ({ id: s.id, label: s.label })),
    summary,
    weeks,
    months,
    dueByMonth,
    sources: series.sources,
    services: series.services,
  };
}
