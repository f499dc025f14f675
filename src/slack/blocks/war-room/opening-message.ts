// The opening message: the framework's "INCIDENT DECLARED" template in Block Kit. Severity and label,
// summary, impact, detection, every role with its holder (and a user picker to assign it), the current
// status and when the next update is due, plus a button per role to take it. Re-rendered in place
// whenever its facts change. A pure function of the incident: no lookups.

import { type Incident, incidentRef } from "../../../domain/incident.ts";
import { STATUS_LABEL } from "../../../domain/lifecycle.ts";
import { ROLE_INFO, type Role, SINGLE_ROLES } from "../../../domain/roles.ts";
import type { Severity } from "../../../domain/severity.ts";
import { escapeMrkdwn, truncate } from "../../../domain/text.ts";
import { ACTION, encodeRoleButton, roleRowBlock, takeButtonsBlock, takeRoleAction } from "../../ids.ts";
import { mention, slackDate } from "../format.ts";

function roleRow(incident: Incident, role: Role, editable: boolean) {
  const info = ROLE_INFO[role];
  const single = role === "responder" ? null : incident.roles[role];
  const holders = role === "responder" ? incident.responders : single ? [single] : [];
  const who = holders.length > 0 ? holders.map((u) => mention(u)).join(", ") : role === "responder" ? "_none yet_" : "_unassigned_";
  const label = role === "responder" ? "Responders" : info.label;
  return {
    type: "section",
    block_id: roleRowBlock(role, incident.id),
    text: { type: "mrkdwn", text: `*${label}:* ${who}` },
    ...(editable
      ? {
          accessory: {
            type: "users_select",
            action_id: ACTION.assignRole,
            placeholder: { type: "plain_text", text: role === "responder" ? "Add a responder…" : `Assign ${ROLE_INFO[role].short}…` },
            ...(role !== "responder" && holders[0] ? { initial_user: holders[0] } : {}),
          },
        }
      : {}),
  };
}

function takeButton(incident: Incident, role: Role) {
  const holder = role === "responder" ? null : incident.roles[role];
  const button: Record<string, unknown> = {
    type: "button",
    action_id: takeRoleAction(role),
    text: { type: "plain_text", text: role === "responder" ? "Join as responder" : `Take ${ROLE_INFO[role].short}` },
    value: encodeRoleButton({ incidentId: incident.id, role, expected: holder }),
  };
  if (role === "ic" && !holder) button.style = "primary";
  if (role === "ic" && holder) {
    button.text = { type: "plain_text", text: "Take over IC" };
    button.confirm = {
      title: { type: "plain_text", text: "Take over as Incident Commander?" },
      text: { type: "mrkdwn", text: `<@${holder}> is the Incident Commander now. Taking over is logged on the timeline and they will be told.` },
      confirm: { type: "plain_text", text: "Take over" },
      deny: { type: "plain_text", text: "Cancel" },
      style: "danger",
    };
  }
  return button;
}

function nextUpdateLine(incident: Incident, severity: Severity): string {
  if (incident.status === "closed") return `*Closed.* The postmortem is done.`;
  if (incident.status === "resolved") return `*Resolved* ${incident.resolvedAt ? slackDate(incident.resolvedAt) : ""}. Reopen with \`/incident reopen <reason>\` if it regresses.`;
  if (!severity.cadence) return `*Next update:* when there is significant news (${escapeMrkdwn(severity.id)} has no update cadence).`;
  if (!incident.nextUpdateDueAt) return "*Next update:* when we have significant news.";
  return `*Next update:* ${slackDate(incident.nextUpdateDueAt)} or when we have significant news.`;
}

export function openingMessage(incident: Incident, severity: Severity): { text: string; blocks: Record<string, unknown>[] } {
  const ref = incidentRef(incident);
  const editable = incident.status !== "closed";
  const title = escapeMrkdwn(truncate(incident.title, 2500));
  const details = [
    `*Summary:* ${title}`,
    `*Impact:* ${incident.impact ? escapeMrkdwn(truncate(incident.impact, 800)) : "_not known yet_"}`,
    `*Detection:* ${incident.detection ? escapeMrkdwn(truncate(incident.detection, 800)) : "_not recorded_"}`,
  ].join("\n");
  const blocks: Record<string, unknown>[] = [
    { type: "header", text: { type: "plain_text", text: `${incident.isDrill ? "DRILL · " : ""}🚨 INCIDENT DECLARED 🚨 ${ref}` } },
    {
      type: "section",
      fields: [
        { type: "mrkdwn", text: `*Severity:* ${escapeMrkdwn(severity.id)} · ${escapeMrkdwn(severity.label)}` },
        { type: "mrkdwn", text: `*Current status:* ${STATUS_LABEL[incident.status]}` },
      ],
    },
    { type: "section", text: { type: "mrkdwn", text: details } },
    { type: "divider" },
    ...[...SINGLE_ROLES, "responder" as const].map((r) => roleRow(incident, r, editable)),
  ];
  if (editable) {
    blocks.push({ type: "actions", block_id: takeButtonsBlock(incident.id), elements: [...SINGLE_ROLES, "responder" as const].map((r) => takeButton(incident, r)) });
  }
  if (editable && !incident.roles.ic) {
    blocks.push({ type: "section", text: { type: "mrkdwn", text: ":raising_hand: *Who takes Incident Commander?* Press *Take IC* below: someone has to own this incident." } });
  }
  blocks.push(
    { type: "section", text: { type: "mrkdwn", text: nextUpdateLine(incident, severity) } },
    { type: "divider" },
    {
      type: "context",
      elements: [
        {
          type: "mrkdwn",
          text: `${incident.isDrill ? "*This is a drill*: practise as if it were real; it is not announced and not counted. " : ""}Please keep this channel focused on incident response. Use threads for extended discussion. Pin a message or react with :pushpin: to add it to the timeline.`,
        },
      ],
    },
  );
  const ic = incident.roles.ic ? ` · IC: <@${incident.roles.ic}>` : "";
  const text = truncate(`${incident.isDrill ? "DRILL · " : ""}🚨 INCIDENT DECLARED ${ref} · ${severity.id} (${severity.label}): ${title}${ic} · ${STATUS_LABEL[incident.status]}`, 3000);
  return { text, blocks };
}

/** The channel topic: plain text (Slack does not format topics), at most 250 characters. */
export function channelTopic(incident: Incident, severity: Severity, icName: string | undefined): string {
  const parts = [`${incident.isDrill ? "DRILL · " : ""}${incidentRef(incident)} ${severity.id} ${severity.label}`, STATUS_LABEL[incident.status], `IC: ${icName ?? "unassigned"}`];
  return truncate(`${parts.join(" · ")} · ${incident.title}`, 250);
}
