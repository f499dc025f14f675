// The numbers people learn from: /incident stats, the API's /api/v1/stats, the App Home's line and
// the digest all read a period's incidents here (drills left out; private incidents counted, never
// named).

import { DateTime } from "luxon";
import { periodStart, type StatsPeriod } from "../domain/record.ts";
import { type PeriodStats, periodStats } from "../store/stats.ts";
import type { Ctx } from "./context.ts";

export interface StatsReport {
  readonly period: StatsPeriod | "since";
  /** From (null: ever) to. */
  readonly since: Date | null;
  readonly until: Date;
  readonly stats: PeriodStats;
}

export async function statsFor(ctx: Ctx, period: StatsPeriod): Promise<StatsReport> {
  const now = ctx.clock.now();
  const since = periodStart(period, now, ctx.config.incident.timezone);
  return { period, since, until: now, stats: await statsBetween(ctx, since, now) };
}

export function statsBetween(ctx: Ctx, since: Date | null, until: Date): Promise<PeriodStats> {
  const today = DateTime.fromJSDate(until, { zone: ctx.config.incident.timezone }).toFormat("yyyy-MM-dd");
  return periodStats(ctx.db, ctx.bot.teamId, since, until, ctx.bot.userId, today);
}
