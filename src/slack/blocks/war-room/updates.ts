// Status updates, severity changes and notes as posted in the channel (and the announce channel),
// and the update form.

import { type Incident, incidentRef } from "../../../domain/incident.ts";
import { ACTIVE_STATUSES, type Status, STATUS_LABEL } from "../../../domain/lifecycle.ts";
import type { Severity } from "../../../domain/severity.ts";
import { escapeMrkdwn } from "../../../domain/text.ts";
import { ACTION, BLOCK, CALLBACK, draftBlock, draftedBlock, draftNoteBlock, INPUT } from "../../ids.ts";
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

export interface UpdateFormOptions {
  /** Show "Draft with AI" (the assistant is on and may be sent this incident). */
  readonly canDraft?: boolean;
  /** The form is being drafted: the button gives way to a line saying so. */
  readonly drafting?: boolean;
  /** A draft to show: its text (plain), the status it suggests, and which draft it is (1, 2, …). */
  readonly draft?: { readonly text: string; readonly status?: (typeof ACTIVE_STATUSES)[number]; readonly number: number; readonly model: string };
  /** Why the last draft did not come (shown under the button); the form keeps what it had. */
  readonly failed?: string;
  /** Which draft the form showed before (keeps its block ids when a draft fails). */
  readonly draftNumber?: number;
}

export function updateModal(incident: Incident, severity: Severity, opts: UpdateFormOptions = {}): Record<string, unknown> {
  const option = (s: (typeof ACTIVE_STATUSES)[number]) => ({ text: { type: "plain_text", text: STATUS_LABEL[s] }, value: s });
  const current = (ACTIVE_STATUSES as readonly string[]).includes(incident.status) ? (incident.status as (typeof ACTIVE_STATUSES)[number]) : "investigating";
  const n = opts.draft?.number ?? opts.draftNumber ?? 0;
  const assist: unknown[] = [];
  if (opts.canDraft) {
    if (opts.drafting) {
      assist.push({ type: "context", block_id: draftNoteBlock, elements: [{ type: "mrkdwn", text: ":hourglass_flowing_sand: Drafting with AI from the channel since the last update… (up to 20 s)" }] });
    } else {
      assist.push({
        type: "actions",
        block_id: draftBlock,
        elements: [{ type: "button", action_id: ACTION.draftUpdate, value: incident.id, text: { type: "plain_text", text: opts.draft ? "Draft again" : "Draft with AI" } }],
      });
      const note = opts.failed
        ? `:warning: ${escapeMrkdwn(opts.failed)}`
        : opts.draft
          ? `:robot_face: AI draft — check it, edit it, then post it. Written by ${escapeMrkdwn(opts.draft.model)}; nothing is posted until you press Post update.`
          : "Let the assistant draft it from the channel since the last update; you check and edit it before anything is posted.";
      assist.push({ type: "context", block_id: draftNoteBlock, elements: [{ type: "mrkdwn", text: note }] });
    }
  }
  const status = opts.draft?.status ?? current;
  return {
    type: "modal",
    callback_id: CALLBACK.updateModal,
    title: { type: "plain_text", text: `Update ${incidentRef(incident)}` },
    submit: { type: "plain_text", text: "Post update" },
    close: { type: "plain_text", text: "Cancel" },
    private_metadata: JSON.stringify({ incidentId: incident.id } satisfies UpdateModalMetadata),
    blocks: [
      { type: "context", elements: [{ type: "mrkdwn", text: `*${escapeMrkdwn(incident.title)}* · ${escapeMrkdwn(severity.id)}${severity.cadence ? ` · updates every ${humanDuration(severity.cadence)}` : ""}` }] },
      ...assist,
      {
        type: "input",
        block_id: draftedBlock(BLOCK.status, n),
        label: { type: "plain_text", text: "Status" },
        element: { type: "static_select", action_id: INPUT, options: ACTIVE_STATUSES.map(option), initial_option: option(status) },
      },
      {
        type: "input",
        block_id: draftedBlock(BLOCK.summary, n),
        label: { type: "plain_text", text: "Summary" },
        hint: { type: "plain_text", text: "What changed, what you are doing, what is next. \"Still investigating\" is a fine update." },
        element: { type: "plain_text_input", action_id: INPUT, multiline: true, max_length: 3000, ...(opts.draft ? { initial_value: opts.draft.text.slice(0, 3000) } : {}) },
      },
    ],
  };
}
