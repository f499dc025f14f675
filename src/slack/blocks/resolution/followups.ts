// An action item's issue in the team's tracker, as Slack shows it: the link where it has one, and a
// *Create in GitHub/Jira/Linear* button where it has none (with \`followups:\` configured).

import { TRACKER_NAMES, type TrackerKind } from "../../../config/sections/followups.ts";
import { ACTION } from "../../ids.ts";

export interface ItemIssue {
  readonly kind: string | null;
  readonly key: string | null;
  readonly url: string;
}

/** The issue of a row, when it has one. */
export function issueOf(row: { trackerKind: string | null; trackerKey: string | null; trackerUrl: string | null }): ItemIssue | null {
  return row.trackerUrl ? { kind: row.trackerKind, key: row.trackerKey, url: row.trackerUrl } : null;
}

/** "<url|GitHub #12>" */
export function issueLink(issue: ItemIssue): string {
  const name = issue.kind && issue.kind in TRACKER_NAMES ? TRACKER_NAMES[issue.kind as TrackerKind] : "issue";
  return `<${issue.url}|${name} ${(issue.key ?? "").replace(/[<>|]/g, "")}>`;
}

/** " · <url|GitHub #12>", or nothing. */
export function issueSuffix(issue: ItemIssue | null | undefined): string {
  return issue ? ` · ${issueLink(issue)}` : "";
}

export function exportButton(itemId: number, trackerName: string, label = `Create in ${trackerName}`): Record<string, unknown> {
  return { type: "button", action_id: ACTION.actionItemExport, text: { type: "plain_text", text: label.slice(0, 75) }, value: String(itemId) };
}
