// The live checklist message: one section per phase (a phase longer than 10 items in pieces, Slack's
// limit per checkboxes element), each item a checkbox showing who ticked it and when, and "n of m
// done". A pure function of the items' state.

import type { ItemState } from "../../../domain/checklist.ts";
import { progress, sectionsOf } from "../../../domain/checklist.ts";
import { type Incident, incidentRef } from "../../../domain/incident.ts";
import { escapeMrkdwn } from "../../../domain/text.ts";
import { checklistAction, checklistBlock } from "../../ids.ts";

function when(at: Date): string {
  const unix = Math.floor(at.getTime() / 1000);
  return `<!date^${unix}^{time}|${at.toISOString().slice(11, 16)} UTC>`;
}

function option(item: ItemState) {
  return {
    text: { type: "mrkdwn", text: escapeMrkdwn(item.text) },
    value: String(item.position),
    ...(item.doneAt ? { description: { type: "mrkdwn", text: `${item.doneBy ? `<@${item.doneBy}>` : "Warroom"} · ${when(item.doneAt)}` } } : {}),
  };
}

export function checklistMessage(incident: Incident, items: readonly ItemState[]): { text: string; blocks: Record<string, unknown>[] } {
  const { done, total } = progress(items);
  const ref = incidentRef(incident);
  const blocks: Record<string, unknown>[] = [
    { type: "header", text: { type: "plain_text", text: `Incident Response Checklist · ${ref}` } },
    { type: "context", elements: [{ type: "mrkdwn", text: `*${done} of ${total} done* · anyone can tick or untick an item; each tick goes on the timeline.` }] },
  ];
  const sections = sectionsOf(items);
  sections.forEach((s, k) => {
    const pieces = sections.filter((x) => x.phase === s.phase).length;
    const options = s.items.map(option);
    const selected = options.filter((_o, i) => (s.items[i] as ItemState).doneAt !== null);
    const allDone = selected.length === options.length;
    blocks.push({
      type: "section",
      block_id: checklistBlock(incident.id, k),
      text: { type: "mrkdwn", text: `${allDone ? ":white_check_mark: " : ""}*${escapeMrkdwn(s.phase)}*${pieces > 1 ? ` (${s.part} of ${pieces})` : ""}` },
      accessory: { type: "checkboxes", action_id: checklistAction(k), options, ...(selected.length > 0 ? { initial_options: selected } : {}) },
    });
  });
  return { text: `Incident Response Checklist for ${ref}: ${done} of ${total} done`, blocks };
}

/** What an earlier checklist message becomes once the checklist is posted again. */
export function checklistMoved(incident: Incident, permalink: string): { text: string; blocks: Record<string, unknown>[] } {
  const text = `The checklist of ${incidentRef(incident)} moved to <${permalink}|a newer message>.`;
  return { text, blocks: [{ type: "section", text: { type: "mrkdwn", text: `:arrow_down: ${text}` } }] };
}
