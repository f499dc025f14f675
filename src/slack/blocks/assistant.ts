// What the assistant's answers look like in Slack: the catch-up (the record's facts, then the model's
// summary, marked as a draft to check), and the line said when it did not answer. The model's text
// arrives already neutralised (model-text.ts); the facts come from the record, never from the model.

import { type Incident, incidentRef } from "../../domain/incident.ts";
import { STATUS_LABEL } from "../../domain/lifecycle.ts";
import { ROLE_INFO, SINGLE_ROLES } from "../../domain/roles.ts";
import type { Severity } from "../../domain/severity.ts";
import { escapeMrkdwn, truncate } from "../../domain/text.ts";
import { mention, sections } from "./format.ts";
import { age } from "./info.ts";

/** The mark on everything the model wrote. */
export const AI_MARK = "AI draft — check it";

export interface CatchupSeen {
  readonly model: string;
  readonly messages: number;
  readonly omitted: number;
}

export function catchupMessage(incident: Incident, severity: Severity, now: Date, summary: string, seen: CatchupSeen): { text: string; blocks: unknown[] } {
  const ref = incidentRef(incident);
  const roles = SINGLE_ROLES.map((r) => `${ROLE_INFO[r].label} ${mention(incident.roles[r])}`);
  if (incident.responders.length > 0) roles.push(`Responders ${incident.responders.map((u) => mention(u)).join(", ")}`);
  const last = incident.lastUpdateAt
    ? `*Last update:* ${age(incident.lastUpdateAt, now)} ago${incident.statusSummary ? ` — ${truncate(incident.statusSummary, 600)}` : ""}`
    : `*Last update:* none yet (declared ${age(incident.declaredAt, now)} ago)`;
  const facts = [
    `:eyes: *Catching you up on ${ref} · ${escapeMrkdwn(incident.title)}*`,
    `*Status:* ${STATUS_LABEL[incident.status]} · *Severity:* ${escapeMrkdwn(severity.id)} (${escapeMrkdwn(severity.label)}) · *Age:* ${age(incident.declaredAt, now)}`,
    `*Roles:* ${roles.join(" · ")}`,
    last,
  ].join("\n");
  const read = `${seen.messages} channel message${seen.messages === 1 ? "" : "s"}${seen.omitted > 0 ? ` (${seen.omitted} older ones left out)` : ""}`;
  return {
    text: `Catching you up on ${ref}: ${summary}`,
    blocks: [
      ...sections(facts),
      { type: "divider" },
      ...sections(summary),
      { type: "context", elements: [{ type: "mrkdwn", text: `:robot_face: ${AI_MARK}: written by ${escapeMrkdwn(seen.model)} from the record and ${read}. Only you can see this.` }] },
    ],
  };
}

/** One line: the assistant did not answer, why, and the reference its log line carries. */
export function assistantFailedText(why: string, ref: string | undefined, hint = ""): string {
  return `:warning: The assistant did not answer: ${why}${ref ? ` (reference ${ref})` : ""}.${hint ? ` ${hint}` : ""}`;
}
