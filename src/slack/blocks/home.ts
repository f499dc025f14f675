// The App Home tab: open incidents the viewer may see, and a button to declare one.

import { type Incident, incidentRef } from "../../domain/incident.ts";
import { STATUS_LABEL } from "../../domain/lifecycle.ts";
import { requireSeverity, type SeverityLadder } from "../../domain/severity.ts";
import { escapeMrkdwn } from "../../domain/text.ts";
import { ACTION } from "../ids.ts";
import { channelLink, mention, slackDate } from "./format.ts";

export function homeView(incidents: readonly Incident[], ladder: SeverityLadder): Record<string, unknown> {
  const blocks: unknown[] = [
    { type: "header", text: { type: "plain_text", text: "Warroom" } },
    {
      type: "section",
      text: { type: "mrkdwn", text: "Declare early: it is easier to downgrade than to catch up. `/incident help` lists every command." },
      accessory: { type: "button", action_id: ACTION.declareFromHome, style: "danger", text: { type: "plain_text", text: "Declare an incident" }, value: "declare" },
    },
    { type: "divider" },
    { type: "header", text: { type: "plain_text", text: incidents.length === 0 ? "No open incidents" : `Open incidents (${incidents.length})` } },
  ];
  for (const i of incidents.slice(0, 40)) {
    const s = requireSeverity(ladder, i.severity);
    blocks.push({
      type: "section",
      text: {
        type: "mrkdwn",
        text: `*${incidentRef(i)}* · ${escapeMrkdwn(s.id)} · ${STATUS_LABEL[i.status]} · ${escapeMrkdwn(i.title)}\n${i.channelId ? channelLink(i.channelId) : "_channel opening…_"} · IC ${mention(i.roles.ic)} · declared ${slackDate(i.declaredAt)}`,
      },
    });
  }
  return { type: "home", blocks };
}
