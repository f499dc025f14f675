// `/incident help`: every sub-command, and the severity ladder with its update cadence.

import type { KnownBlock } from "@slack/types";
import { type CommandKind, USAGE } from "../../domain/commands.ts";
import type { SeverityLadder } from "../../domain/severity.ts";
import { escapeMrkdwn } from "../../domain/text.ts";
import { humanDuration } from "./format.ts";

const ORDER: CommandKind[] = [
  "declare",
  "drill",
  "update",
  "status",
  "sev",
  "role",
  "handoff",
  "note",
  "action",
  "resolve",
  "reopen",
  "postmortem",
  "close",
  "info",
  "checklist",
  "timestamps",
  "statuspage",
  "list",
  "stats",
  "help",
];

/** Every sub-command, in ORDER, then any not placed there. */
const LISTED: CommandKind[] = [...ORDER, ...(Object.keys(USAGE) as CommandKind[]).filter((k) => !ORDER.includes(k))];

export function helpMessage(ladder: SeverityLadder): { text: string; blocks: KnownBlock[] } {
  const severities = ladder
    .map((s) => `*${escapeMrkdwn(s.id)}* ${escapeMrkdwn(s.label)}: ${s.cadence ? `updates every ${humanDuration(s.cadence)}` : "no update reminders"}`)
    .join("\n");
  return {
    text: "Warroom: /incident sub-commands",
    blocks: [
      { type: "header", text: { type: "plain_text", text: "Warroom — /incident" } },
      { type: "section", text: { type: "mrkdwn", text: LISTED.map((k) => `• ${USAGE[k]}`).join("\n") } },
      { type: "section", text: { type: "mrkdwn", text: `*Severities* (when in doubt, round up):\n${severities}` } },
      {
        type: "context",
        elements: [
          {
            type: "mrkdwn",
            text: "Inside an incident channel, pin a message or react with :pushpin: to add it to the timeline.",
          },
        ],
      },
    ],
  };
}
