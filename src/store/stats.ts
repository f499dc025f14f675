// The numbers of a period's incidents, aggregated by PostgreSQL (one pass each, over the index on
// team and declaration time), so /incident stats answers in well under Slack's 3 s with 100,000
// incidents stored. The timestamps' defaults are the domain's (domain/record.ts effectiveTimestamps),
// written here as COALESCE chains; a test checks the two agree.

import type { StatsPeriod } from "../domain/record.ts";
import type { Db } from "./database.ts";
import { Prisma } from "./generated/client.ts";

export interface DurationStats {
  n: number;
  p50: number | null;
  p90: number | null;
}

export interface PeriodStats {
  total: number;
  bySeverity: { severity: string; n: number }[];
  durations: { time_to_detect: DurationStats; time_to_acknowledge: DurationStats; time_to_mitigate: DurationStats; time_to_resolve: DurationStats };
  punctuality: { kept: number; missed: number };
  actionItems: { open: number; overdue: number; done: number };
}

/** Each duration's count, and its median and 90th percentile from one sort (null with no values). */
export interface Row {
  total: number;
  ttd_n: number;
  ttd_p: [number, number] | null;
  tta_n: number;
  tta_p: [number, number] | null;
  ttm_n: number;
  ttm_p: [number, number] | null;
  ttr_n: number;
  ttr_p: [number, number] | null;
  kept: number;
  missed: number;
}

// percentile_cont answers a double precision
const round = (v: number | null) => (v === null ? null : Math.round(v));

/** A period's numbers with the period they cover. */
export interface StatsReport {
  readonly period: StatsPeriod | "since";
  /** From (null: ever) to. */
  readonly since: Date | null;
  readonly until: Date;
  readonly stats: PeriodStats;
}


/** Which incidents a number counts: a workspace's, declared in [since, until], drills apart (never mixed in), one severity or all. */
export interface StatsScope {
  readonly teamId: string;
  /** null: ever. */
  readonly since: Date | null;
  readonly until: Date;
  readonly severity?: string | undefined;
  /** "exclude" (the team's numbers, the default everywhere) or "only" (the drills, on their own). */
  readonly drills?: "exclude" | "only";
}

/** The WHERE of a scope, over the incidents table as `alias`. */
export function scopeWhere(scope: StatsScope, alias = "incidents"): Prisma.Sql {
  const t = Prisma.raw(alias);
  return Prisma.sql`${t}.team_id = ${scope.teamId}
    AND ${scope.drills === "only" ? Prisma.sql`${t}.is_drill` : Prisma.sql`NOT ${t}.is_drill`}
    AND (${scope.since}::timestamptz IS NULL OR ${t}.declared_at >= ${scope.since}::timestamptz) AND ${t}.declared_at <= ${scope.until}
    ${scope.severity !== undefined ? Prisma.sql`AND ${t}.severity = ${scope.severity}` : Prisma.empty}`;
}

/**
 * The one definition of the durations (product.md §10, the timestamps' defaults as COALESCE chains)
 * and of punctuality, per incident of a scope: every number of /incident stats, the digest, the API
 * and the insights page is an aggregate of these columns. `extra` adds columns of the incident (a
 * month, a week) to group by.
 */
export function durationsOf(scope: StatsScope, botUserId: string, extra: { readonly select: Prisma.Sql; readonly names: readonly string[] } = { select: Prisma.empty, names: [] }): Prisma.Sql {
  const passed = extra.names.length > 0 ? Prisma.raw(`, ${extra.names.join(", ")}`) : Prisma.empty;
  return Prisma.sql`
      i AS (
        SELECT COALESCE(impact_started_at, detected_at, declared_at) AS impact,
               COALESCE(detected_at, declared_at) AS detected,
               COALESCE(acknowledged_at, CASE WHEN declared_by <> ${botUserId} THEN declared_at END) AS acked,
               COALESCE(mitigated_at, resolved_at) AS mitigated,
               resolved_at, punct_kept,
               punct_missed + CASE WHEN punct_pending_at < ${scope.until} THEN 1 ELSE 0 END AS punct_missed
               ${extra.select}
          FROM incidents
         WHERE ${scopeWhere(scope)}
      ), d AS (
        -- (GREATEST ignores NULLs, so an end not known yet is kept NULL by hand: it is not a zero)
        SELECT CASE WHEN detected IS NULL THEN NULL ELSE GREATEST(0, EXTRACT(EPOCH FROM detected - impact)) END AS ttd,
               CASE WHEN acked IS NULL THEN NULL ELSE GREATEST(0, EXTRACT(EPOCH FROM acked - detected)) END AS tta,
               CASE WHEN mitigated IS NULL THEN NULL ELSE GREATEST(0, EXTRACT(EPOCH FROM mitigated - impact)) END AS ttm,
               CASE WHEN resolved_at IS NULL THEN NULL ELSE GREATEST(0, EXTRACT(EPOCH FROM resolved_at - impact)) END AS ttr,
               punct_kept, punct_missed ${passed}
          FROM i
      )`;
}

/** Each duration's count and its p50 and p90 (percentile_cont, one sort each), from `d`. */
export const DURATION_AGGREGATES = Prisma.sql`
             count(ttd)::int AS ttd_n, percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY ttd) AS ttd_p,
             count(tta)::int AS tta_n, percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY tta) AS tta_p,
             count(ttm)::int AS ttm_n, percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY ttm) AS ttm_p,
             count(ttr)::int AS ttr_n, percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY ttr) AS ttr_p,
             COALESCE(sum(punct_kept), 0)::int AS kept, COALESCE(sum(punct_missed), 0)::int AS missed`;

export const durationStat = (n: number, p: [number, number] | null): DurationStats => ({ n, p50: round(p?.[0] ?? null), p90: round(p?.[1] ?? null) });

/**
 * Incidents declared from `since` (null: ever) to now in a workspace, drills excluded. `botUserId`
 * tells the bot's declarations (acknowledged only when a person acts) from people's; `today` is the
 * configured zone's date, for overdue action items. `filter` narrows it (the insights page's severity,
 * or the drills on their own).
 */
export async function periodStats(db: Db, teamId: string, since: Date | null, now: Date, botUserId: string, today: string, filter: Pick<StatsScope, "severity" | "drills"> = {}): Promise<PeriodStats> {
  const scope: StatsScope = { teamId, since, until: now, ...filter };
  const [rows, bySeverity, items] = await Promise.all([
    db.$queryRaw<Row[]>`
      WITH ${durationsOf(scope, botUserId)}
      SELECT count(*)::int AS total, ${DURATION_AGGREGATES}
        FROM d`,
    db.$queryRaw<{ severity: string; n: number }[]>`
      SELECT severity, count(*)::int AS n FROM incidents WHERE ${scopeWhere(scope)} GROUP BY severity`,
    db.$queryRaw<{ open: number; overdue: number; done: number }[]>`
      SELECT count(*) FILTER (WHERE a.status = 'open')::int AS open,
             count(*) FILTER (WHERE a.status = 'open' AND a.due_date < ${today}::date)::int AS overdue,
             count(*) FILTER (WHERE a.status = 'done')::int AS done
        FROM action_items a JOIN incidents i ON i.id = a.incident_id
       WHERE ${scopeWhere(scope, "i")}`,
  ]);
  const r = rows[0] as Row;
  return {
    total: r.total,
    bySeverity,
    durations: {
      time_to_detect: durationStat(r.ttd_n, r.ttd_p),
      time_to_acknowledge: durationStat(r.tta_n, r.tta_p),
      time_to_mitigate: durationStat(r.ttm_n, r.ttm_p),
      time_to_resolve: durationStat(r.ttr_n, r.ttr_p),
    },
    punctuality: { kept: r.kept, missed: r.missed },
    actionItems: items[0] ?? { open: 0, overdue: 0, done: 0 },
  };
}
