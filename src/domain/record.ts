// The incident record's numbers, pure: the seven timestamps (what was set, and the defaults for what
// was not), the four durations between them, and update punctuality.

import { DateTime, type Duration } from "luxon";
import { addDuration } from "./cadence.ts";

export const TIMESTAMP_KEYS = ["impact_started_at", "detected_at", "declared_at", "acknowledged_at", "mitigated_at", "resolved_at", "closed_at"] as const;
export type TimestampKey = (typeof TIMESTAMP_KEYS)[number];

export const TIMESTAMP_LABEL: Readonly<Record<TimestampKey, string>> = {
  impact_started_at: "Impact started",
  detected_at: "Detected",
  declared_at: "Declared",
  acknowledged_at: "Acknowledged",
  mitigated_at: "Mitigated",
  resolved_at: "Resolved",
  closed_at: "Closed",
};

/** Who set a timestamp: the bot from what happened ("auto"), or a person (their user id). */
export type TimestampSource = string;

/** What is recorded: each timestamp as set (by an event or a person), or null for its default. */
export interface RecordedTimestamps {
  readonly impactStartedAt: Date | null;
  readonly detectedAt: Date | null;
  readonly declaredAt: Date;
  readonly acknowledgedAt: Date | null;
  readonly mitigatedAt: Date | null;
  readonly resolvedAt: Date | null;
  readonly closedAt: Date | null;
  /** Set by a person, by key (absent: auto). */
  readonly sources: Readonly<Partial<Record<TimestampKey, string>>>;
  /** A person declared it (else the bot, from an alert or the API): then the declaration acknowledges it. */
  readonly declaredByPerson: boolean;
}

export type Timestamps = Readonly<Record<TimestampKey, Date | null>>;

type TimestampFields = { impactStartedAt: Date | null; detectedAt: Date | null; declaredAt: Date; acknowledgedAt: Date | null; mitigatedAt: Date | null; resolvedAt: Date | null; closedAt: Date | null; timestampSources: Readonly<Partial<Record<TimestampKey, string>>> };

/** The recorded timestamps of an incident (its fields); `declaredByPerson` when a person, not the bot, declared it. */
export function timestampsOf(i: TimestampFields, declaredByPerson: boolean): RecordedTimestamps {
  return {
    impactStartedAt: i.impactStartedAt,
    detectedAt: i.detectedAt,
    declaredAt: i.declaredAt,
    acknowledgedAt: i.acknowledgedAt,
    mitigatedAt: i.mitigatedAt,
    resolvedAt: i.resolvedAt,
    closedAt: i.closedAt,
    sources: i.timestampSources,
    declaredByPerson,
  };
}

/** The recorded timestamps of an incident, the declarer telling a person from the bot. */
export function recordedTimestamps(i: TimestampFields & { declaredBy: string }, botUserId: string): RecordedTimestamps {
  return timestampsOf(i, i.declaredBy !== botUserId);
}

/**
 * The timestamps with their defaults: detected is the declaration unless an alert or a person said
 * otherwise; impact started is detected unless said; acknowledged is the declaration when a person
 * declared; mitigated is the resolve when the incident never reached monitoring.
 */
export function effectiveTimestamps(r: RecordedTimestamps): Timestamps {
  const detected = r.detectedAt ?? r.declaredAt;
  return {
    impact_started_at: r.impactStartedAt ?? detected,
    detected_at: detected,
    declared_at: r.declaredAt,
    acknowledged_at: r.acknowledgedAt ?? (r.declaredByPerson ? r.declaredAt : null),
    mitigated_at: r.mitigatedAt ?? r.resolvedAt,
    resolved_at: r.resolvedAt,
    closed_at: r.closedAt,
  };
}

export function sourceOf(r: RecordedTimestamps, key: TimestampKey): TimestampSource {
  return r.sources[key] ?? "auto";
}

export const DURATION_KEYS = ["time_to_detect", "time_to_acknowledge", "time_to_mitigate", "time_to_resolve"] as const;
export type DurationKey = (typeof DURATION_KEYS)[number];

export const DURATION_LABEL: Readonly<Record<DurationKey, string>> = {
  time_to_detect: "Time to detect",
  time_to_acknowledge: "Time to acknowledge",
  time_to_mitigate: "Time to mitigate",
  time_to_resolve: "Time to resolve",
};

/** Seconds, or null when one end is not known (yet). Never negative. */
export type Durations = Readonly<Record<DurationKey, number | null>>;

function seconds(from: Date | null, to: Date | null): number | null {
  if (!from || !to) return null;
  return Math.max(0, Math.round((to.getTime() - from.getTime()) / 1000));
}

export function durations(t: Timestamps): Durations {
  return {
    time_to_detect: seconds(t.impact_started_at, t.detected_at),
    time_to_acknowledge: seconds(t.detected_at, t.acknowledged_at),
    time_to_mitigate: seconds(t.impact_started_at, t.mitigated_at),
    time_to_resolve: seconds(t.impact_started_at, t.resolved_at),
  };
}

export type TimestampProblem = { key: TimestampKey; message: string };

/**
 * A correction of the timestamps is refused when it is in the future, or out of order (impact
 * started ≤ detected ≤ declared ≤ acknowledged, mitigated ≤ resolved ≤ closed, and mitigated after
 * impact started). Each problem names the field to mark.
 */
export function checkTimestamps(t: Timestamps, now: Date): TimestampProblem[] {
  const problems: TimestampProblem[] = [];
  for (const key of TIMESTAMP_KEYS) {
    const v = t[key];
    if (v && v.getTime() > now.getTime() + 1000) problems.push({ key, message: `${TIMESTAMP_LABEL[key]} cannot be in the future.` });
  }
  const order: [TimestampKey, TimestampKey][] = [
    ["impact_started_at", "detected_at"],
    ["detected_at", "declared_at"],
    ["declared_at", "acknowledged_at"],
    ["impact_started_at", "mitigated_at"],
    ["mitigated_at", "resolved_at"],
    ["declared_at", "resolved_at"],
    ["resolved_at", "closed_at"],
  ];
  for (const [a, b] of order) {
    const x = t[a];
    const y = t[b];
    if (x && y && x.getTime() > y.getTime() && !problems.some((p) => p.key === b)) {
      problems.push({ key: b, message: `${TIMESTAMP_LABEL[b]} cannot be before ${TIMESTAMP_LABEL[a].toLowerCase()}.` });
    }
  }
  return problems;
}

// ---------- update punctuality ----------

/** What happened to an incident, for punctuality: in time order. */
export type CadenceEvent =
  | { kind: "declared"; at: Date; cadence: Duration | null }
  | { kind: "update"; at: Date }
  | { kind: "severity"; at: Date; cadence: Duration | null }
  | { kind: "resolved"; at: Date }
  | { kind: "reopened"; at: Date };

export interface Punctuality {
  readonly kept: number;
  readonly missed: number;
  /** The due time not decided yet (the incident is open and it has not passed), if any. */
  readonly pending: Date | null;
  /** kept ÷ (kept + missed), or null with nothing due yet. */
  readonly ratio: number | null;
}

/**
 * Update punctuality. Each due time the cadence sets (one cadence after the declaration, an update or
 * a reopen) is kept if an update was posted, or the incident resolved, by then; missed otherwise. A
 * severity change re-plans the pending due time with its cadence (from the same start); a severity
 * without a cadence has no due time; while resolved nothing is due. Due times after `now` are not
 * decided yet.
 */
export function punctuality(events: readonly CadenceEvent[], now: Date, zone: string): Punctuality {
  let kept = 0;
  let missed = 0;
  let open = false;
  let since: Date | null = null;
  let cadence: Duration | null = null;
  let due: Date | null = null;
  /** The due time of the current start (declaration, update, reopen) is decided: no other until the next start. */
  let decided = false;
  const start = (at: Date) => {
    since = at;
    decided = false;
    due = cadence ? addDuration(at, cadence, zone) : null;
  };
  const decide = (keptIt: boolean) => {
    if (!due) return;
    if (keptIt) kept += 1;
    else missed += 1;
    due = null;
    decided = true;
  };
  const sorted = [...events].sort((a, b) => a.at.getTime() - b.at.getTime());
  for (const e of sorted) {
    if (e.at.getTime() > now.getTime()) break;
    // a due time that passed before this event was missed (an update at the due time keeps it)
    if (due && due.getTime() < e.at.getTime()) decide(false);
    switch (e.kind) {
      case "declared":
        open = true;
        cadence = e.cadence;
        start(e.at);
        break;
      case "update":
        if (!open) break;
        decide(true);
        start(e.at);
        break;
      case "severity":
        cadence = e.cadence;
        // the pending due time follows the new cadence from the same start; a decided one stays decided
        if (open && !decided && since) due = cadence ? addDuration(since, cadence, zone) : null;
        break;
      case "resolved":
        if (!open) break;
        decide(true);
        open = false;
        due = null;
        break;
      case "reopened":
        open = true;
        start(e.at);
        break;
    }
  }
  if (due && due.getTime() < now.getTime()) decide(false);
  return { kept, missed, pending: due, ratio: kept + missed === 0 ? null : kept / (kept + missed) };
}

/** A ratio as people read it: "83%" (or "no updates were due"). */
export function percent(ratio: number | null): string {
  return ratio === null ? "no updates were due" : `${Math.round(ratio * 100)}%`;
}

/** Seconds as a short human duration: "45s", "12m", "3h 5m", "2d 4h". */
export function shortDuration(s: number | null): string {
  if (s === null) return "—";
  if (s < 60) return `${s}s`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 ? `${h}h ${m % 60}m` : `${h}h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d}d ${h % 24}h` : `${d}d`;
}

/** The start of a stats period ending now: 7, 30 or 90 days back in the configured zone, or all time. */
export type StatsPeriod = "7d" | "30d" | "90d" | "all";
export const STATS_PERIODS: readonly StatsPeriod[] = ["7d", "30d", "90d", "all"];

export function periodStart(period: StatsPeriod, now: Date, zone: string): Date | null {
  if (period === "all") return null;
  const days = Number(period.slice(0, -1));
  return DateTime.fromJSDate(now, { zone }).minus({ days }).toJSDate();
}

/** The median and 90th percentile (linear interpolation, as PostgreSQL's percentile_cont) of values. */
export function percentiles(values: readonly number[]): { n: number; p50: number | null; p90: number | null } {
  const v = [...values].sort((a, b) => a - b);
  const at = (q: number): number | null => {
    if (v.length === 0) return null;
    const pos = (v.length - 1) * q;
    const lo = Math.floor(pos);
    const hi = Math.ceil(pos);
    return Math.round((v[lo] as number) + ((v[hi] as number) - (v[lo] as number)) * (pos - lo));
  };
  return { n: v.length, p50: at(0.5), p90: at(0.9) };
}

/**
 * The timestamps a decision sets by itself: acknowledged, the first time a person acts in an incident
 * the bot declared; mitigated, the first move to monitoring.
 */
export function stampTimestamps<T extends { status: string; acknowledgedAt: Date | null; mitigatedAt: Date | null }>(before: T, after: T, actorIsPerson: boolean, at: Date): T {
  let out = after;
  if (actorIsPerson && !after.acknowledgedAt) out = { ...out, acknowledgedAt: at };
  if (!after.mitigatedAt && after.status === "monitoring" && before.status !== "monitoring") out = { ...out, mitigatedAt: at };
  return out;
}
