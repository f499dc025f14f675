// The numbers people learn from: /incident stats, the API's /api/v1/stats, the App Home's line and
// the digest and the insights page (insights.ts) all read a period's incidents here (drills left out; private incidents counted, never
// named).

import { DateTime } from "luxon";
import { periodStart, type StatsPeriod } from "../../domain/record.ts";
import { type PeriodStats, periodStats, type StatsReport, type StatsScope } from "../../store/stats.ts";
import type { Ctx, RecentNumbers } from "../context.ts";

export async function statsFor(ctx: Ctx, period: StatsPeriod): Promise<StatsReport> {
  const now = ctx.clock.now();
  const since = periodStart(period, now, ctx.config.incident.timezone);
  return { period, since, until: now, stats: await statsBetween(ctx, since, now) };
}

export function statsBetween(ctx: Ctx, since: Date | null, until: Date, filter: Pick<StatsScope, "severity" | "drills"> = {}): Promise<PeriodStats> {
  const today = DateTime.fromJSDate(until, { zone: ctx.config.incident.timezone }).toFormat("yyyy-MM-dd");
  return periodStats(ctx.db, ctx.bot.teamId, since, until, ctx.bot.userId, today, filter);
}

/**
 * The last 30 days, as the App Home shows it in a line: opening the tab should not aggregate tens of
 * thousands of incidents each time, and a line a minute old is as true. Worked out once at start;
 * after a minute the line kept is still given while a fresh one is worked out behind it.
 */
export class RecentStats implements RecentNumbers {
  private kept: { at: number; report: StatsReport } | undefined;
  private pending: Promise<StatsReport> | undefined;

  constructor(private readonly ttlMs = 60_000) {}

  get(ctx: Ctx): Promise<StatsReport> {
    const now = ctx.clock.now().getTime();
    if (this.kept && now - this.kept.at <= this.ttlMs) return Promise.resolve(this.kept.report);
    const fresh = (this.pending ??= statsFor(ctx, "30d").then(
      (report) => {
        this.kept = { at: ctx.clock.now().getTime(), report };
        this.pending = undefined;
        return report;
      },
      (err: unknown) => {
        this.pending = undefined;
        throw err;
      },
    ));
    if (this.kept) {
      fresh.catch((err: unknown) => ctx.log.warn({ err }, "could not work out the last 30 days' numbers"));
      return Promise.resolve(this.kept.report);
    }
    return fresh;
  }
}
