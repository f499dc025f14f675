// Reminder messages: what is due and since when, whom it concerns, and two buttons: "Post update"
// (opens the update form) and "Snooze 15 min".

import type { ReminderKind } from "../../../domain/cadence.ts";
import { type Incident, incidentRef } from "../../../domain/incident.ts";
import type { Severity } from "../../../domain/severity.ts";
import { escapeMrkdwn } from "../../../domain/text.ts";
import { ACTION, encodeReminderButton, reminderBlock } from "../../ids.ts";
import { channelLink, humanDuration, sections, slackDate } from "../format.ts";

function who(incident: Incident): string {
  const people = [incident.roles.ic, incident.roles.comms].filter((u): u is string => Boolean(u));
  return people.length > 0 ? [...new Set(people)].map((u) => `<@${u}>`).join(" ") : "Incident Commander";
}

function buttons(incident: Incident, epoch: number) {
  return {
    type: "actions",
    block_id: reminderBlock(incident.id, epoch),
    elements: [
      { type: "button", action_id: ACTION.postUpdate, style: "primary", text: { type: "plain_text", text: "Post update" }, value: incident.id },
      { type: "button", action_id: ACTION.snooze, text: { type: "plain_text", text: "Snooze 15 min" }, value: encodeReminderButton(incident.id, epoch) },
    ],
  };
}

export interface ReminderFacts {
  kind: Exclude<ReminderKind, "comms_nudge">;
  /** 1 for the first escalation, 2 for the next… */
  n: number;
  /** The last update (or the declaration). */
  since: Date;
  /** When this reminder was due. */
  due: Date;
  now: Date;
  epoch: number;
}

export function reminderMessage(incident: Incident, severity: Severity, f: ReminderFacts): { text: string; blocks: unknown[] } {
  const ref = incidentRef(incident);
  const cadence = severity.cadence ? humanDuration(severity.cadence) : "";
  const last = incident.lastUpdateAt ? `The last update was ${slackDate(f.since)}` : `No update since the declaration ${slackDate(f.since)}`;
  const text =
    f.kind === "update_due"
      ? `:alarm_clock: *A status update is due for ${ref}* (${escapeMrkdwn(severity.id)} expects one every ${cadence}). ${who(incident)}: ${last}. Post one now, even if the status is unchanged.`
      : `:rotating_light: *${ref} is overdue for a status update${f.n > 1 ? ` (reminder ${f.n + 1})` : ""}.* ${escapeMrkdwn(severity.id)} expects one every ${cadence}. ${who(incident)}: ${last}. Stakeholders are waiting: post an update now, even "still investigating".`;
  return {
    text: text.replace(/\*/g, ""),
    blocks: [...sections(text), buttons(incident, f.epoch)],
  };
}

export function announceEscalation(incident: Incident, severity: Severity, since: Date, channelId: string): { text: string; blocks: unknown[] } {
  const ref = incidentRef(incident);
  const text = `:warning: *${ref}* (${escapeMrkdwn(severity.id)} · ${escapeMrkdwn(severity.label)}) has had no status update since ${slackDate(since)}: ${escapeMrkdwn(incident.title)}. Follow in ${channelLink(channelId)}.`;
  return { text: text.replace(/\*/g, ""), blocks: sections(text) };
}

export function commsNudgeMessage(incident: Incident, severity: Severity): { text: string; blocks: unknown[] } {
  const ic = incident.roles.ic ? `<@${incident.roles.ic}>` : "Incident Commander";
  const text = `:loudspeaker: *${incidentRef(incident)} is ${escapeMrkdwn(severity.id)} and has no Comms Lead.* ${ic}, assign one with \`/incident role comms @someone\` or the picker in the pinned message, so stakeholder updates don't fall to the IC while coordinating.`;
  return { text: text.replace(/\*/g, ""), blocks: sections(text) };
}
