// Status updates, severity changes and notes as posted in the channel (and the announce channel),
// and the update form.

import { type Incident, incidentRef } from "../../../domain/incident.ts";
import { ACTIVE_STATUSES, type Status, STATUS_LABEL } from "../../../domain/lifecycle.ts";
import type { Severity } from "../../../domain/severity.ts";
import { escapeMrkdwn } from "../../../domain/text.ts";
import { BLOCK, CALLBACK, INPUT } from "../../ids.ts";
import { channelLink, humanDuration, sections, slackDate } from "../format.ts";

type Msg = { text: string; blocks: unknown[] };

function nextLine(severity: Severity, nextDue: Date | null): string {
  if (!severity.cadence || !nextDue) return "Next update when there is significant news.";
  return `Next update due ${slackDate(nextDue)}.`;
}

/** `text` is mrkdwn-safe. */
export function statusUpdateMessage(incident: Incident, severity: Severity, text: string, status: Status, author: string, nextDue: Date | null): Msg {
  const head = `:mega: *Update on ${incidentRef(incident)}* · ${escapeMrkdwn(severity.id)} · *${STATUS_LABEL[status]}*`;
  return {
    text: `Update on ${incidentRef(incident)} (${STATUS_LABEL[status]}): ${text}`,
    blocks: [
      ...sections(`${head}\n${text}`),
      { type: "context", elements: [{ type: "mrkdwn", text: `Posted by <@${author}> · ${nextLine(severity, nextDue)}` }] },
    ],
  };
}

export function announceUpdateMessage(incident: Incident, severity: Severity, text: string, status: Status, channelId: string | null): Msg {
  const head = `:mega: *${incidentRef(incident)}* · ${escapeMrkdwn(severity.id)} · ${escapeMrkdwn(incident.title)} · *${STATUS_LABEL[status]}*`;
  return {
    text: `${incidentRef(incident)} update (${STATUS_LABEL[status]}): ${text}`,
    blocks: [
      ...sections(`${head}\n${text}`),
      { type: "context", elements: [{ type: "mrkdwn", text: channelId ? `Follow in ${channelLink(channelId)}` : "The incident channel is opening." }] },
    ],
  };
}

export function severityChangedMessage(incident: Incident, from: string, to: Severity, reason: string, by: string, direction: "escalate" | "deescalate"): Msg {
  const verb = direction === "escalate" ? ":arrow_double_up: escalated" : ":arrow_double_down: de-escalated";
  const cadence = to.cadence ? `Status updates are now due every ${humanDuration(to.cadence)}.` : `${escapeMrkdwn(to.id)} has no update cadence: reminders stop.`;
  const text = `<@${by}> ${verb} ${incidentRef(incident)} from ${escapeMrkdwn(from)} to *${escapeMrkdwn(to.id)} (${escapeMrkdwn(to.label)})*: ${reason}\n${cadence}`;
  return { text: text.replace(/\*/g, ""), blocks: sections(text) };
}

export function announceSeverityMessage(incident: Incident, from: string, to: Severity, reason: string, direction: "escalate" | "deescalate", channelId: string | null): Msg {
  const verb = direction === "escalate" ? "escalated" : "de-escalated";
  const text = `:warning: *${incidentRef(incident)}* ${verb} from ${escapeMrkdwn(from)} to *${escapeMrkdwn(to.id)} (${escapeMrkdwn(to.label)})*: ${escapeMrkdwn(incident.title)}. Reason: ${reason}.${channelId ? ` Follow in ${channelLink(channelId)}.` : ""}`;
  return { text: text.replace(/\*/g, ""), blocks: sections(text) };
}

export function noteEcho(text: string, author: string): Msg {
  return { text: `Note from <@${author}>: ${text}`, blocks: sections(`:memo: *Note* from <@${author}> (on the timeline)\n${text}`) };
}

export interface UpdateModalMetadata {
  incidentId: string;
}

export function updateModal(incident: Incident, severity: Severity): Record<string, unknown> {
  const option = (s: (typeof ACTIVE_STATUSES)[number]) => ({ text: { type: "plain_text", text: STATUS_LABEL[s] }, value: s });
  const current = (ACTIVE_STATUSES as readonly string[]).includes(incident.status) ? (incident.status as (typeof ACTIVE_STATUSES)[number]) : "investigating";
  return {
    type: "modal",
    callback_id: CALLBACK.updateModal,
    title: { type: "plain_text", text: `Update ${incidentRef(incident)}` },
    submit: { type: "plain_text", text: "Post update" },
    close: { type: "plain_text", text: "Cancel" },
    private_metadata: JSON.stringify({ incidentId: incident.id } satisfies UpdateModalMetadata),
    blocks: [
      { type: "context", elements: [{ type: "mrkdwn", text: `*${escapeMrkdwn(incident.title)}* · ${escapeMrkdwn(severity.id)}${severity.cadence ? ` · updates every ${humanDuration(severity.cadence)}` : ""}` }] },
      {
        type: "input",
        block_id: BLOCK.status,
        label: { type: "plain_text", text: "Status" },
        element: { type: "static_select", action_id: INPUT, options: ACTIVE_STATUSES.map(option), initial_option: option(current) },
      },
      {
        type: "input",
        block_id: BLOCK.summary,
        label: { type: "plain_text", text: "Summary" },
        hint: { type: "plain_text", text: "What changed, what you are doing, what is next. \"Still investigating\" is a fine update." },
        element: { type: "plain_text_input", action_id: INPUT, multiline: true, max_length: 3000 },
      },
    ],
  };
}
