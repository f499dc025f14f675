// The DM a new role holder receives: what their role does and does not do (from the response framework).

import { type Incident, incidentRef } from "../../../domain/incident.ts";
import { ROLE_INFO, type Role } from "../../../domain/roles.ts";
import type { Severity } from "../../../domain/severity.ts";
import { escapeMrkdwn } from "../../../domain/text.ts";
import { channelLink } from "../format.ts";

export function roleBrief(incident: Incident, severity: Severity, role: Role): { text: string; blocks: unknown[] } {
  const info = ROLE_INFO[role];
  const ref = incidentRef(incident);
  const where = incident.channelId ? channelLink(incident.channelId) : "the incident channel";
  const headline = `You are ${role === "responder" ? "a Responder" : `the ${info.label}`} of ${ref} (${escapeMrkdwn(severity.id)} ${escapeMrkdwn(severity.label)}): ${escapeMrkdwn(incident.title)}`;
  return {
    text: `${headline}. ${info.responsibility} Join in ${where}.`,
    blocks: [
      { type: "section", text: { type: "mrkdwn", text: `*${headline}*\n${info.responsibility}` } },
      { type: "section", text: { type: "mrkdwn", text: `*What you do*\n${info.does.map((d) => `• ${d}`).join("\n")}` } },
      { type: "section", text: { type: "mrkdwn", text: `*What you don't do*\n${info.doesNot.map((d) => `• ${d}`).join("\n")}` } },
      { type: "context", elements: [{ type: "mrkdwn", text: `The incident channel is ${where}. \`/incident info\` there shows the state of play.` }] },
    ],
  };
}
