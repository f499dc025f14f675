// Small formatting helpers shared by the Block Kit builders.

import { splitMrkdwn } from "../../domain/text.ts";

export { humanDuration } from "../../domain/durations.ts";

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

/** One or more mrkdwn sections for a text of any length (a section holds 3000 characters). */
export function sections(mrkdwn: string): { type: "section"; text: { type: "mrkdwn"; text: string } }[] {
  return splitMrkdwn(mrkdwn, 3000).map((text) => ({ type: "section", text: { type: "mrkdwn", text } }));
}
