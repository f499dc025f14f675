// Durations in words, for messages and documents.

import { Duration } from "luxon";

/** "30 minutes", "1 hour", "4 hours", "1 day 2 hours", "2 seconds". */
export function humanDuration(d: Duration): string {
  const parts = d
    .shiftTo("days", "hours", "minutes", "seconds")
    .toObject() as Partial<Record<"days" | "hours" | "minutes" | "seconds", number>>;
  const out: string[] = [];
  for (const unit of ["days", "hours", "minutes", "seconds"] as const) {
    const n = Math.round(parts[unit] ?? 0);
    if (n > 0) out.push(`${n} ${n === 1 ? unit.slice(0, -1) : unit}`);
  }
  return out.join(" ") || "0 seconds";
}

/** The time between two instants in words, to the minute ("less than a minute" under one). */
export function durationBetween(from: Date, to: Date): string {
  const minutes = Math.max(0, Math.round((to.getTime() - from.getTime()) / 60_000));
  return minutes === 0 ? "less than a minute" : humanDuration(Duration.fromObject({ minutes }));
}
