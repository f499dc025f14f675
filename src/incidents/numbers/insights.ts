// The insights page's numbers: the range's summary from the same function as /incident stats, the
// digest and the API (statsBetween → store/stats.ts), and its series from the same definitions
// (store/insights.ts), with every week and month of the range present (a quiet week is a zero, not a
// gap). Filters: the range (30, 90 or 365 days), one severity, and the drills on their own.

import { DateTime } from "luxon";
import { type InsightFilter, insightSeries, type InsightsReport, WEEKS } from "../../store/insights.ts";
import type { StatsScope } from "../../store/stats.ts";
import type { Ctx } from "../context.ts";
import { statsBetween } from "./stats.ts";

export { INSIGHT_RANGES, WEEKS, type InsightFilter, type InsightRange, type InsightsReport } from "../../store/insights.ts";

export async function insightsFor(ctx: Ctx, filter: InsightFilter): Promise<InsightsReport> {
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
