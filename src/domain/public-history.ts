// The public status page's history, the pure part: from the updates a public incident was published
// with, the spans of time each component was affected and how badly; per component, one bar a day
// over the last `days` days coloured by the worst impact that day, and the share of time without an
// incident. No clock (now is given), no I/O.
//
// The definition, as the page states it:
// - A public incident affects the components its latest update names, with that update's impact, from
//   that update until the next one (or until it is resolved; an open one, until now). An update with
//   impact "none" affects nothing (a notice, not an incident).
// - The window is the last `days` calendar days in the page's time zone: from midnight `days − 1` days
//   before today to now. A day is a calendar day in that zone (23 or 25 hours on a daylight-saving day).
// - A day's colour is the worst impact of any span that overlaps it (an incident across midnight colours
//   both days); no span: operational.
// - The % of time without an incident is the part of the window covered by no span of that component
//   (overlapping incidents are counted once: the union, not the sum), over the window's length, rounded
//   down to two decimals so that 99.999% is never shown as 100%.

import { DateTime } from "luxon";
import type { PublicImpact, PublicStatus } from "./statuspage.ts";

const RANK: Readonly<Record<PublicImpact, number>> = { none: 0, minor: 1, major: 2, critical: 3 };

/** One published update of a public incident, as the history needs it. */
export interface PublishedUpdate {
  readonly at: Date;
  readonly status: PublicStatus;
  readonly impact: PublicImpact;
  readonly componentIds: readonly string[];
}

/** A stretch of time some components were affected with one impact. `to` null: still going. */
export interface Span {
  readonly from: Date;
  readonly to: Date | null;
  readonly impact: Exclude<PublicImpact, "none">;
  readonly componentIds: readonly string[];
}

/** The spans of one public incident, from its updates (any order); a resolved update ends them. */
export function spansOf(updates: readonly PublishedUpdate[]): Span[] {
  const sorted = [...updates].sort((a, b) => a.at.getTime() - b.at.getTime());
  const spans: Span[] = [];
  for (const [i, u] of sorted.entries()) {
    if (u.status === "resolved") break;
    if (u.impact === "none" || u.componentIds.length === 0) continue;
    const next = sorted[i + 1];
    spans.push({ from: u.at, to: next ? next.at : null, impact: u.impact, componentIds: u.componentIds });
  }
  return spans;
}

export interface Window {
  readonly days: number;
  /** An IANA zone, e.g. "Europe/Paris". */
  readonly zone: string;
  readonly now: Date;
}

export interface DayBar {
  /** The calendar day in the page's zone, "2026-01-31". */
  readonly date: string;
  /** The worst impact that day; null: no incident (operational). */
  readonly worst: Exclude<PublicImpact, "none"> | null;
  /** Seconds of that day (up to now) covered by an incident. */
  readonly affectedSeconds: number;
}

export interface ComponentHistory {
  readonly bars: readonly DayBar[];
  /** 0–100, rounded down to two decimals. */
  readonly percentWithoutIncident: number;
  readonly windowSeconds: number;
  readonly affectedSeconds: number;
}

/** The first instant of the window: midnight, `days − 1` days before today, in the zone. */
export function windowStart(w: Window): Date {
  return DateTime.fromJSDate(w.now, { zone: w.zone })
    .startOf("day")
    .minus({ days: w.days - 1 })
    .toJSDate();
}

/** The union of intervals, clipped to [lo, hi), in milliseconds (overlaps counted once). */
function coveredMs(intervals: readonly [number, number][], lo: number, hi: number): number {
  const clipped = intervals
    .map(([a, b]) => [Math.max(a, lo), Math.min(b, hi)] as [number, number])
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  let total = 0;
  let end = Number.NEGATIVE_INFINITY;
  let start = 0;
  for (const [a, b] of clipped) {
    if (a > end) {
      if (end > Number.NEGATIVE_INFINITY) total += end - start;
      start = a;
      end = b;
    } else if (b > end) end = b;
  }
  if (end > Number.NEGATIVE_INFINITY) total += end - start;
  return total;
}

/** One component's bars and share of time without an incident, over the window. */
export function componentHistory(spans: readonly Span[], componentId: string, w: Window): ComponentHistory {
  const now = w.now.getTime();
  const mine = spans.filter((s) => s.componentIds.includes(componentId));
  const intervals = mine.map((s) => [s.from.getTime(), Math.min(s.to?.getTime() ?? now, now)] as [number, number]);
  const first = DateTime.fromJSDate(windowStart(w), { zone: w.zone });
  const bars: DayBar[] = [];
  for (let d = 0; d < w.days; d++) {
    const day = first.plus({ days: d });
    const lo = day.toMillis();
    const hi = Math.min(day.plus({ days: 1 }).toMillis(), now);
    let worst: DayBar["worst"] = null;
    for (const [i, s] of mine.entries()) {
      const [a, b] = intervals[i] as [number, number];
      // a span overlaps the day; an instant one (from = to) counts on the day it happened
      const touches = a < hi && (b > lo || (a === b && a >= lo));
      if (touches && (worst === null || RANK[s.impact] > RANK[worst])) worst = s.impact;
    }
    bars.push({ date: day.toFormat("yyyy-MM-dd"), worst, affectedSeconds: Math.round(coveredMs(intervals, lo, Math.max(lo, hi)) / 1000) });
  }
  const windowMs = Math.max(1, now - first.toMillis());
  const affected = coveredMs(intervals, first.toMillis(), now);
  return {
    bars,
    percentWithoutIncident: Math.floor(((windowMs - affected) / windowMs) * 10_000) / 100,
    windowSeconds: Math.round(windowMs / 1000),
    affectedSeconds: Math.round(affected / 1000),
  };
}

/** The worst impact among the open spans that name `componentId` at `now` (null: operational). */
export function currentImpact(spans: readonly Span[], componentId: string, now: Date): Span["impact"] | null {
  let worst: Span["impact"] | null = null;
  for (const s of spans) {
    if (!s.componentIds.includes(componentId)) continue;
    if (s.from.getTime() > now.getTime() || (s.to !== null && s.to.getTime() <= now.getTime())) continue;
    if (worst === null || RANK[s.impact] > RANK[worst]) worst = s.impact;
  }
  return worst;
}
