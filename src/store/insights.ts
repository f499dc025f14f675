// The insights page's series, aggregated by PostgreSQL from the same definitions as every other number
// (stats.ts: the scope, the durations, punctuality): incidents per week by severity, the durations'
// p50 and p90 and punctuality per month, action items done by their due date per month, and the alert
// sources and services that opened most incidents. Weeks (Monday first) and months are the configured
// zone's.

import type { Db } from "./database.ts";
import { Prisma } from "./generated/client.ts";
import { DURATION_AGGREGATES, durationStat, type DurationStats, durationsOf, type PeriodStats, type Row, type StatsScope, scopeWhere } from "./stats.ts";

export interface MonthNumbers {
  /** "2026-11" */
  readonly month: string;
  readonly incidents: number;
  readonly timeToAcknowledge: DurationStats;
  readonly timeToMitigate: DurationStats;
  readonly timeToResolve: DurationStats;
  readonly kept: number;
  readonly missed: number;
}

export interface DueMonth {
  readonly month: string;
  /** Action items whose due date fell in the month and has passed (or is today). */
  readonly due: number;
  /** …of which done by the end of their due date. */
  readonly onTime: number;
}

export interface InsightSeries {
  /** Per week (its Monday, "2026-11-30") and severity. */
  readonly weekly: readonly { week: string; severity: string; n: number }[];
  readonly monthly: readonly MonthNumbers[];
  readonly dueByMonth: readonly DueMonth[];
  readonly sources: readonly { name: string; n: number }[];
  readonly services: readonly { name: string; n: number }[];
}

/** How many alert sources and services are listed. */
export const TOP = 10;

export async function insightSeries(db: Db, scope: StatsScope, weeksScope: StatsScope, zone: string, botUserId: string, today: string): Promise<InsightSeries> {
  const month = Prisma.sql`, to_char(date_trunc('month', declared_at AT TIME ZONE ${zone}), 'YYYY-MM') AS month`;
  const [weekly, monthly, due, sources, services] = await Promise.all([
    db.$queryRaw<{ week: string; severity: string; n: number }[]>`
      SELECT to_char(date_trunc('week', declared_at AT TIME ZONE ${zone}), 'YYYY-MM-DD') AS week, severity, count(*)::int AS n
        FROM incidents WHERE ${scopeWhere(weeksScope)} GROUP BY 1, 2 ORDER BY 1, 2`,
    db.$queryRaw<(Row & { month: string })[]>`
      WITH ${durationsOf(scope, botUserId, { select: month, names: ["month"] })}
      SELECT month, count(*)::int AS total, ${DURATION_AGGREGATES}
        FROM d GROUP BY month ORDER BY month`,
    db.$queryRaw<{ month: string; due: number; on_time: number }[]>`
      SELECT to_char(a.due_date, 'YYYY-MM') AS month, count(*)::int AS due,
             count(*) FILTER (WHERE a.status = 'done' AND (a.done_at AT TIME ZONE ${zone})::date <= a.due_date)::int AS on_time
        FROM action_items a JOIN incidents i ON i.id = a.incident_id
       WHERE ${scopeWhere(scope, "i")} AND a.due_date IS NOT NULL AND a.due_date <= ${today}::date
       GROUP BY 1 ORDER BY 1`,
    db.$queryRaw<{ name: string; n: number }[]>`
      SELECT g.source AS name, count(DISTINCT g.incident_id)::int AS n
        FROM alert_groups g JOIN incidents i ON i.id = g.incident_id
       WHERE ${scopeWhere(scope, "i")} AND g.status = 'declared'
       GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ${TOP}`,
    db.$queryRaw<{ name: string; n: number }[]>`
      SELECT COALESCE(g.common_labels->>'service', g.group_labels->>'service', g.common_labels->>'job', g.alert_name) AS name, count(DISTINCT g.incident_id)::int AS n
        FROM alert_groups g JOIN incidents i ON i.id = g.incident_id
       WHERE ${scopeWhere(scope, "i")} AND g.status = 'declared'
       GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ${TOP}`,
  ]);
  return {
    weekly,
    monthly: monthly.map((r) => ({
      month: r.month,
      incidents: r.total,
      timeToAcknowledge: durationStat(r.tta_n, r.tta_p),
      timeToMitigate: durationStat(r.ttm_n, r.ttm_p),
      timeToResolve: durationStat(r.ttr_n, r.ttr_p),
      kept: r.kept,
      missed: r.missed,
    })),
    dueByMonth: due.map((r) => ({ month: r.month, due: r.due, onTime: r.on_time })),
    sources,
    services,
  };
}

// ---------- the report the page is drawn from (incidents/numbers/insights.ts fills it) ----------

export const INSIGHT_RANGES = [30, 90, 365] as const;
export type InsightRange = (typeof INSIGHT_RANGES)[number];
/** The weekly chart's length, whatever the range. */
export const WEEKS = 26;

export interface InsightFilter {
  readonly range: InsightRange;
  readonly severity?: string | undefined;
  readonly drills: "exclude" | "only";
}

export interface InsightsReport {
  readonly filter: InsightFilter;
  readonly since: Date;
  readonly until: Date;
  readonly zone: string;
  /** The severities of the ladder, most severe first (the weekly chart's stack order). */
  readonly severities: readonly { id: string; label: string }[];
  readonly summary: PeriodStats;
  /** Every one of the last 26 weeks (its Monday), each severity's count. */
  readonly weeks: readonly { week: string; counts: Readonly<Record<string, number>> }[];
  /** Every month of the range, oldest first. */
  readonly months: readonly MonthNumbers[];
  readonly dueByMonth: readonly { month: string; due: number; onTime: number }[];
  readonly sources: InsightSeries["sources"];
  readonly services: InsightSeries["services"];
}

