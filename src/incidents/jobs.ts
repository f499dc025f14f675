// Job kinds, and the drafts journeys enqueue. Payloads are small: handlers re-read the incident.

import type { JobDraft } from "../scheduler/queue.ts";

export const JOB = {
  /** The declaration sequence after the record: channel, invites, topic, opening message, pin, broadcast, confirmation. */
  provision: "incident.provision",
  /** Re-render the opening message (and the topic) from current data. */
  refresh: "incident.refresh",
  /** Post a message in the incident channel, once. */
  post: "incident.post",
  /** Invite someone into the incident channel and DM them their role's brief. */
  welcome: "incident.welcome",
  /** A direct message to one person, once. */
  dm: "incident.dm",
  /** A message in the announce channel, once (never for a private incident). */
  announce: "incident.announce",
  /** A message added to the timeline by a pin or a :pushpin: reaction. */
  capture: "timeline.capture",
  /** Publish someone's App Home tab. */
  home: "home.publish",
  /** Draft (or re-draft) and publish the postmortem. */
  postmortem: "postmortem.draft",
  /** Remind to hold the postmortem before it is due. */
  pmReminder: "postmortem.reminder",
  /** A resolved incident left unclosed: the daily nudge to its IC. */
  closureNudge: "incident.closure_nudge",
  /** Archive a closed incident's channel (archive_after). */
  archive: "channel.archive",
  /** Tell an action item's owner it is due. */
  actionDue: "action_item.due",
} as const;

export function refreshJob(incidentId: string, opts: { topic?: boolean } = {}): JobDraft {
  return { kind: JOB.refresh, incidentId, payload: { topic: opts.topic ?? false }, dedupeKey: `refresh:${incidentId}:${opts.topic ? "topic" : "message"}` };
}

export function postJob(incidentId: string, key: string, text: string, blocks?: unknown[]): JobDraft {
  return { kind: JOB.post, incidentId, payload: { key, text, ...(blocks ? { blocks } : {}) } };
}

export function dmJob(incidentId: string, key: string, userId: string, text: string, blocks?: unknown[]): JobDraft {
  return { kind: JOB.dm, incidentId, payload: { key, userId, text, ...(blocks ? { blocks } : {}) } };
}

export function welcomeJob(incidentId: string, key: string, userId: string, role: string): JobDraft {
  return { kind: JOB.welcome, incidentId, payload: { key, userId, role } };
}
