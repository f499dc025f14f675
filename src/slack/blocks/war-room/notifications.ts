// "Who is told": the notice people and channels on a severity's notify list get when an incident is
// declared at that severity or escalated into it, and the louder repeat when no one has taken
// Incident Commander in time.

import { type Incident, incidentRef } from "../../../domain/incident.ts";
import type { Severity } from "../../../domain/severity.ts";
import { escapeMrkdwn } from "../../../domain/text.ts";
import { humanDuration } from "../../../domain/durations.ts";
import type { Duration } from "luxon";
import { channelLink, sections } from "../format.ts";

export interface NoticeFacts {
  why: "declared" | "escalated";
  /** Who declared, or who escalated. */
  by: string;
  /** Why it was escalated (mrkdwn-safe). */
  reason?: string | undefined;
}

export function severityNotice(incident: Incident, severity: Severity, facts: NoticeFacts, channelId: string): { text: string; blocks: unknown[] } {
  const ref = incidentRef(incident);
  const head = `${incident.isDrill ? "DRILL · " : ""}${ref} · ${escapeMrkdwn(severity.id)} (${escapeMrkdwn(severity.label)})`;
  const what =
    facts.why === "declared"
      ? `declared by <@${facts.by}>`
      : `escalated to ${escapeMrkdwn(severity.id)} by <@${facts.by}>${facts.reason ? `: ${facts.reason}` : ""}`;
  const text = `:rotating_light: ${head}: ${escapeMrkdwn(incident.title)}, ${what}. Join ${channelLink(channelId)}.`;
  return {
    text,
    blocks: [
      ...sections(`:rotating_light: *${head}*\n*${escapeMrkdwn(incident.title)}*\n${what.charAt(0).toUpperCase()}${what.slice(1)}.`),
      { type: "context", elements: [{ type: "mrkdwn", text: `You are on the ${escapeMrkdwn(severity.id)} notify list. Join ${channelLink(channelId)} to help.` }] },
    ],
  };
}

/** The repeat when no one has taken Incident Commander within the severity's respond_within. */
export function nobodyRespondedNotice(incident: Incident, severity: Severity, after: Duration, channelId: string, loud: boolean): { text: string; blocks: unknown[] } {
  const ref = incidentRef(incident);
  const text = `${loud ? "<!here> " : ""}:rotating_light::rotating_light: ${incident.isDrill ? "DRILL · " : ""}${ref} (${escapeMrkdwn(severity.id)}) still has no Incident Commander after ${humanDuration(after)}: ${escapeMrkdwn(incident.title)}. Someone take it now in ${channelLink(channelId)}.`;
  return { text, blocks: [...sections(text), { type: "context", elements: [{ type: "mrkdwn", text: "Press *Take IC* in the pinned opening message." }] }] };
}

/** Said once in the incident channel for a person who could not be invited. */
export function notInvitedNotice(userId: string, code: string): string {
  const why =
    code === "user_is_restricted" || code === "ura_max_channels" || code === "no_external_invite_permission" || code === "org_user_not_in_team"
      ? "a guest or external person who may not join this channel"
      : code === "user_not_found" || code === "user_disabled"
        ? "deactivated"
        : `Slack said ${code}`;
  return `:warning: <@${userId}> is on the notify list but could not be invited (${why}). Everyone else was told.`;
}
