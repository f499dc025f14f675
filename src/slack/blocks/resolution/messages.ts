// Resolving and learning: the framework's "Issue resolved" message, its broadcast, the postmortem draft's
// arrival, reopening and closing, the postmortem and closure reminders, action items, the resolve form.

import { exportButton, type ItemIssue, issueSuffix } from "./followups.ts";
import { type Incident, incidentRef } from "../../../domain/incident.ts";
import { escapeMrkdwn } from "../../../domain/text.ts";
import { ACTION, BLOCK, CALLBACK, closureNudgeBlock, INPUT, postmortemBlock, postmortemReminderBlock } from "../../ids.ts";
import { channelLink, sections, slackDate } from "../format.ts";

type Msg = { text: string; blocks: unknown[] };

const plainOf = (mrkdwn: string) => mrkdwn.replace(/\*/g, "");

function doneButton(incidentId: string) {
  return { type: "button", action_id: ACTION.postmortemDone, style: "primary", text: { type: "plain_text", text: "Mark postmortem done" }, value: incidentId };
}

/** The framework's resolution notification: what happened, duration, impact. `summary` is mrkdwn-safe. */
export function resolutionMessage(incident: Incident, summary: string, duration: string, resolvedAt: Date, by: string): Msg {
  const ref = incidentRef(incident);
  const lines = [
    `:white_check_mark: *${ref} resolved: ${escapeMrkdwn(incident.title)}*`,
    `The issue has been resolved ${slackDate(resolvedAt)} by <@${by}>.`,
    `*What happened:* ${summary}`,
    `*Duration:* ${duration}`,
    `*Impact:* ${incident.impact ? escapeMrkdwn(incident.impact) : "_not recorded: add it to the postmortem_"}`,
    "Reminders have stopped. A blameless postmortem draft is on its way to this channel; we are conducting a thorough review to prevent recurrence.",
  ];
  return { text: plainOf(lines.slice(0, 3).join(" ")), blocks: sections(lines.join("\n")) };
}

export function announceResolution(incident: Incident, summary: string, duration: string, channelId: string | null): Msg {
  const text = `:white_check_mark: *${incidentRef(incident)} resolved* after ${duration}: ${escapeMrkdwn(incident.title)}\n*What happened:* ${summary}${channelId ? `\nDetails in ${channelLink(channelId)}.` : ""}`;
  return { text: plainOf(text), blocks: sections(text) };
}

/**
 * `assistant`: "ai" when the model wrote the summary and narrative, or the line saying why it did not
 * (mrkdwn), or nothing when the assistant is off.
 */
export function postmortemReady(incident: Incident, link: string, kind: "canvas" | "file", redraft: boolean, assistant?: string): Msg {
  const what = kind === "canvas" ? "canvas" : "Markdown file";
  const ai = assistant === "ai" ? " (its summary and narrative are an AI draft: check them against it)" : "";
  const text = `:memo: ${redraft ? "The postmortem draft was redrafted from the current record" : "The postmortem draft"} for ${incidentRef(incident)} is ready: <${link}|open the ${what}>. It is filled in from the timeline${ai}; add what went well and poorly, walk the five whys, give every action item an owner and a due date. Hold the review, then mark it done.`;
  return {
    text: plainOf(text),
    blocks: [
      ...sections(text),
      ...(assistant && assistant !== "ai" ? [{ type: "context", elements: [{ type: "mrkdwn", text: assistant }] }] : []),
      { type: "actions", block_id: postmortemBlock(incident.id), elements: [doneButton(incident.id)] },
    ],
  };
}

export function reopenedMessage(incident: Incident, reason: string, by: string): Msg {
  const text = `:leftwards_arrow_with_hook: <@${by}> reopened ${incidentRef(incident)}: ${reason}\nBack to *Investigating*; the update reminders resume.`;
  return { text: plainOf(text), blocks: sections(text) };
}

export function announceReopened(incident: Incident, reason: string, channelId: string | null): Msg {
  const text = `:leftwards_arrow_with_hook: *${incidentRef(incident)} reopened*: ${escapeMrkdwn(incident.title)}. Reason: ${reason}${channelId ? ` Follow in ${channelLink(channelId)}.` : ""}`;
  return { text: plainOf(text), blocks: sections(text) };
}

export function closedMessage(incident: Incident, by: string, archiveAt: Date | null): Msg {
  const archive = archiveAt ? ` This channel will be archived ${slackDate(archiveAt)}.` : "";
  const text = `:checkered_flag: <@${by}> closed ${incidentRef(incident)}: the postmortem is done.${archive} Thank you, everyone.`;
  return { text: plainOf(text), blocks: sections(text) };
}

export function postmortemReminder(incident: Incident, due: Date, overdue: boolean): Msg {
  const people = [incident.roles.ic, incident.roles.scribe].filter((u): u is string => Boolean(u));
  const who = people.length > 0 ? [...new Set(people)].map((u) => `<@${u}>`).join(" ") : "";
  const text = overdue
    ? `:hourglass: ${who} The postmortem of ${incidentRef(incident)} was due ${slackDate(due)}. Hold the review while memories are fresh, then mark it done.`
    : `:hourglass_flowing_sand: ${who} The postmortem of ${incidentRef(incident)} is due ${slackDate(due)}. Schedule the blameless review now, and invite everyone who responded.`;
  return { text: plainOf(text), blocks: [...sections(text), { type: "actions", block_id: postmortemReminderBlock(incident.id, overdue), elements: [doneButton(incident.id)] }] };
}

export function closureNudge(incident: Incident, resolvedAt: Date, channelId: string | null): Msg {
  const text = `:wave: ${incidentRef(incident)} (${escapeMrkdwn(incident.title)}) was resolved ${slackDate(resolvedAt)} and is still open. When its postmortem is done, close it${channelId ? ` in ${channelLink(channelId)}` : ""}: \`/incident close\`, or the button.`;
  return { text: plainOf(text), blocks: [...sections(text), { type: "actions", block_id: closureNudgeBlock(incident.id), elements: [doneButton(incident.id)] }] };
}

export interface ActionItemFacts {
  id: number;
  number: number;
  /** mrkdwn-safe. */
  text: string;
  ownerId: string | null;
  due: string | null;
  priority: string;
  /** Its issue in the team's tracker, once exported. */
  issue?: ItemIssue | null;
}

/** `exportTo`: the tracker's name when items are exported by a button (followups: export: button). */
export function actionItemEcho(incident: Incident, item: ActionItemFacts, by: string, exportTo?: string): Msg {
  const owner = item.ownerId ? `<@${item.ownerId}>` : "_no owner yet_";
  const text = `:clipboard: Action item #${item.number} for the ${incidentRef(incident)} postmortem, added by <@${by}>: ${item.text}\nOwner: ${owner} · Due: ${item.due ?? "_no date yet_"} · ${item.priority}${issueSuffix(item.issue)}`;
  const button = exportTo && !item.issue ? [{ type: "actions", block_id: `action_export:${item.id}`, elements: [exportButton(item.id, exportTo)] }] : [];
  return { text: plainOf(text), blocks: [...sections(text), ...button] };
}

export function actionItemDue(incident: Incident, item: ActionItemFacts, exportTo?: string): Msg {
  const where = incident.channelId ? ` (${channelLink(incident.channelId)})` : "";
  const text = `:alarm_clock: Your action item #${item.number} from the ${incidentRef(incident)} postmortem${where} is due today (${item.due}): ${item.text}${issueSuffix(item.issue)}`;
  return {
    text: plainOf(text),
    blocks: [
      ...sections(text),
      {
        type: "actions",
        block_id: `action:${item.id}`,
        elements: [
          { type: "button", action_id: ACTION.actionItemDone, style: "primary", text: { type: "plain_text", text: "Mark done" }, value: String(item.id) },
          ...(exportTo && !item.issue ? [exportButton(item.id, exportTo)] : []),
        ],
      },
    ],
  };
}

export function resolveModal(incident: Incident): Record<string, unknown> {
  return {
    type: "modal",
    callback_id: CALLBACK.resolveModal,
    title: { type: "plain_text", text: `Resolve ${incidentRef(incident)}` },
    submit: { type: "plain_text", text: "Resolve" },
    close: { type: "plain_text", text: "Cancel" },
    private_metadata: JSON.stringify({ incidentId: incident.id }),
    blocks: [
      { type: "context", elements: [{ type: "mrkdwn", text: `*${escapeMrkdwn(incident.title)}* · Resolve when service is functioning normally, metrics are back to baseline and there is no ongoing customer impact.` }] },
      {
        type: "input",
        block_id: BLOCK.summary,
        label: { type: "plain_text", text: "What happened (resolution summary)" },
        hint: { type: "plain_text", text: "1–2 sentences: what happened and how it was resolved. It opens the resolution message and the postmortem." },
        element: { type: "plain_text_input", action_id: INPUT, multiline: true, max_length: 3000 },
      },
      {
        type: "input",
        block_id: BLOCK.rootCause,
        optional: true,
        label: { type: "plain_text", text: "Root cause (if known)" },
        element: { type: "plain_text_input", action_id: INPUT, multiline: true, max_length: 3000 },
      },
    ],
  };
}
