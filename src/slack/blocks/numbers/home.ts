// The App Home tab: the incidents the viewer may see that are open (severity, title, channel, age,
// IC, next update due), those where they hold a role, their open action items with a button to mark
// each done, the last 30 days in one line, and the declare button. Kept under Slack's 100 blocks: a
// long list ends with "and N more".

import { type Incident, incidentRef } from "../../../domain/incident.ts";
import { STATUS_LABEL } from "../../../domain/lifecycle.ts";
import { ROLE_INFO, SINGLE_ROLES } from "../../../domain/roles.ts";
import { requireSeverity, type SeverityLadder } from "../../../domain/severity.ts";
import { escapeMrkdwn, truncate } from "../../../domain/text.ts";
import { ACTION } from "../../ids.ts";
import { channelLink, mention, slackDate } from "../format.ts";
import { age } from "../info.ts";
import { exportButton, type ItemIssue, issueSuffix } from "../resolution/followups.ts";

export const HOME_LIMITS = { open: 30, roles: 15, items: 30 } as const;

export interface HomeItem {
  id: number;
  number: number;
  text: string;
  due: string | null;
  incident: Pick<Incident, "number" | "channelId">;
  issue: ItemIssue | null;
}

export interface HomeFacts {
  open: readonly Incident[];
  openTotal: number;
  mine: readonly Incident[];
  mineTotal: number;
  items: readonly HomeItem[];
  itemsTotal: number;
  /** The last 30 days in a line. */
  statsLine: string;
}

function rolesOf(i: Incident, userId: string): string[] {
  const held = SINGLE_ROLES.filter((r) => i.roles[r] === userId).map((r) => ROLE_INFO[r].label);
  if (i.responders.includes(userId)) held.push("Responder");
  return held;
}

function more(shown: number, total: number, what: string): unknown[] {
  return total > shown ? [{ type: "context", elements: [{ type: "mrkdwn", text: `…and ${total - shown} more ${what}.` }] }] : [];
}

/** With a *Create in …* button each item takes two blocks: half as many fit under Slack's 100. */
export const HOME_ITEMS_WITH_EXPORT = 15;

export function homeView(facts: HomeFacts, viewer: string, ladder: SeverityLadder, now: Date, exportTo?: string): Record<string, unknown> {
  const itemsShown = Math.min(facts.items.length, exportTo ? HOME_ITEMS_WITH_EXPORT : HOME_LIMITS.items);
  const incidentLine = (i: Incident) => {
    const s = requireSeverity(ladder, i.severity);
    const next = i.nextUpdateDueAt ? ` · next update ${slackDate(i.nextUpdateDueAt)}${i.nextUpdateDueAt < now ? " (overdue)" : ""}` : "";
    return `*${incidentRef(i)}* · ${i.isDrill ? "DRILL · " : ""}${escapeMrkdwn(s.id)} · ${STATUS_LABEL[i.status]} · ${escapeMrkdwn(truncate(i.title, 150))}\n${i.channelId ? channelLink(i.channelId) : "_channel opening…_"} · IC ${mention(i.roles.ic)} · ${age(i.declaredAt, now)} old${next}`;
  };
  const blocks: unknown[] = [
    { type: "header", text: { type: "plain_text", text: "Warroom" } },
    {
      type: "section",
      text: { type: "mrkdwn", text: "Declare early: it is easier to downgrade than to catch up. `/incident help` lists every command." },
      accessory: { type: "button", action_id: ACTION.declareFromHome, style: "danger", text: { type: "plain_text", text: "Declare an incident" }, value: "declare" },
    },
    { type: "context", elements: [{ type: "mrkdwn", text: facts.statsLine }] },
    { type: "divider" },
    { type: "header", text: { type: "plain_text", text: facts.openTotal === 0 ? "No open incidents" : `Open incidents (${facts.openTotal})` } },
    ...facts.open.slice(0, HOME_LIMITS.open).map((i) => ({ type: "section", text: { type: "mrkdwn", text: incidentLine(i) } })),
    ...more(Math.min(facts.open.length, HOME_LIMITS.open), facts.openTotal, "open incidents: `/incident list` shows them all"),
    { type: "divider" },
    { type: "header", text: { type: "plain_text", text: facts.mineTotal === 0 ? "You hold no role" : `Your roles (${facts.mineTotal})` } },
    ...facts.mine.slice(0, HOME_LIMITS.roles).map((i) => ({ type: "section", text: { type: "mrkdwn", text: `*${rolesOf(i, viewer).join(", ")}* of ${incidentLine(i)}` } })),
    ...more(Math.min(facts.mine.length, HOME_LIMITS.roles), facts.mineTotal, "incidents where you hold a role"),
    { type: "divider" },
    { type: "header", text: { type: "plain_text", text: facts.itemsTotal === 0 ? "No open action items" : `Your action items (${facts.itemsTotal})` } },
    ...facts.items.slice(0, itemsShown).flatMap((a) => [
      {
        type: "section",
        text: { type: "mrkdwn", text: `*#${a.number}* ${truncate(a.text, 500)}\nINC-${a.incident.number}${a.incident.channelId ? ` · ${channelLink(a.incident.channelId)}` : ""}${a.due ? ` · due ${a.due}` : " · no due date"}${issueSuffix(a.issue)}` },
        accessory: { type: "button", action_id: ACTION.actionItemDone, text: { type: "plain_text", text: "Mark done" }, value: String(a.id) },
      },
      ...(exportTo && !a.issue ? [{ type: "actions", block_id: `action_export:${a.id}`, elements: [exportButton(a.id, exportTo)] }] : []),
    ]),
    ...more(itemsShown, facts.itemsTotal, "action items"),
  ];
  return { type: "home", blocks };
}
