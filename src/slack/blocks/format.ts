// Small formatting helpers shared by the Block Kit builders.

import type { Duration } from "luxon";

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

/** Slack's date token: every reader sees their own time zone; `fallback` is for clients that can't. */
export function slackDate(at: Date, format = "{date_short_pretty} at {time}", fallback?: string): string {
  const unix = Math.floor(at.getTime() / 1000);
  return `<!date^${unix}^${format}|${fallback ?? `${at.toISOString().slice(0, 16).replace("T", " ")} UTC`}>`;
}

export function mention(userId: string | null | undefined, none = "_unassigned_"): string {
  return userId ? `<@${userId}>` : none;
}

export function channelLink(channelId: string): string {
  return `<#${channelId}>`;
}
