// Messages about an incident outside its channel: the broadcast to announce_channel and the
// declarer's confirmation.

import { type Incident, incidentRef } from "../../../domain/incident.ts";
import type { Severity } from "../../../domain/severity.ts";
import { escapeMrkdwn } from "../../../domain/text.ts";
import { channelLink, sections } from "../format.ts";

export function announceDeclared(incident: Incident, severity: Severity, channelId: string): { text: string; blocks: unknown[] } {
  const ref = incidentRef(incident);
  const title = escapeMrkdwn(incident.title);
  const ic = incident.roles.ic ? `<@${incident.roles.ic}>` : "_unassigned_";
  return {
    text: `🚨 ${ref} declared: ${severity.id} (${severity.label}) ${title}. Follow in ${channelLink(channelId)}.`,
    blocks: [
      ...sections(`:rotating_light: *${ref} declared* · *${escapeMrkdwn(severity.id)}* (${escapeMrkdwn(severity.label)})\n*${title}*`),
      { type: "context", elements: [{ type: "mrkdwn", text: `Incident Commander: ${ic} · Follow and help in ${channelLink(channelId)}` }] },
    ],
  };
}

export function declaredConfirmation(incident: Incident, channelId: string): { text: string; blocks: unknown[] } {
  const ref = incidentRef(incident);
  const text = `${ref} is declared: ${escapeMrkdwn(incident.title)}. The incident channel is ${channelLink(channelId)}.`;
  return { text, blocks: sections(`:white_check_mark: ${text}`) };
}

export function declaringAck(title: string, severity: Severity, defaulted: boolean, drill = false): { text: string; blocks: unknown[] } {
  const note = defaulted ? ` (severity defaulted to ${severity.id}: change it with \`/incident sev <n> <reason>\`)` : "";
  const what = drill ? `a DRILL at ${escapeMrkdwn(severity.id)} (${escapeMrkdwn(severity.label)})` : `${escapeMrkdwn(severity.id)} (${escapeMrkdwn(severity.label)})`;
  const text = `Declaring ${what}: ${escapeMrkdwn(title)}${note}. Opening the incident channel; its link follows in a moment…${drill ? " It is not announced and not counted." : ""}`;
  return { text, blocks: sections(`:rotating_light: ${text}`) };
}

export function duplicateDeclaration(incident: Incident): { text: string; blocks: unknown[] } {
  const ref = incidentRef(incident);
  const where = incident.channelId ? channelLink(incident.channelId) : "its channel (opening now)";
  const text = `You just declared ${ref} (${escapeMrkdwn(incident.title)}); it is in ${where}. Nothing new was declared.`;
  return { text, blocks: sections(text) };
}
