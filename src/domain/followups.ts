// Follow-ups in the team's tracker (product.md §18), as plain data: the marker that lets an export find
// the issue it already made, the issue's title, body and labels, what a tracker's state means here, and
// where a postmortem lives in git. No Slack, no database, no HTTP.

import { slugify } from "./channel-name.ts";
import { stripControls } from "./text.ts";

/** The line every exported issue's body carries; found again after a crash, so no second issue. */
export function itemMarker(itemId: number): string {
  return `warroom-action-item: ${itemId}`;
}

/** Whether `body` carries the marker of exactly this item (not of item 12 when looking for 1). */
export function hasMarker(body: string | null | undefined, itemId: number): boolean {
  if (!body) return false;
  return new RegExp(`(^|[^0-9A-Za-z-])warroom-action-item: ${itemId}(?![0-9])`, "m").test(body);
}

/** The longest title the three trackers all take (Jira's summary: 255). */
export const TITLE_MAX = 250;

export interface ExportFacts {
  readonly itemId: number;
  readonly itemNumber: number;
  /** Plain text. */
  readonly text: string;
  readonly incidentRef: string;
  /** Plain text. */
  readonly incidentTitle: string;
  readonly severity: string;
  readonly channelUrl: string | null;
  readonly postmortemUrl: string | null;
  /** The owner's name as people know it, when there is one. */
  readonly ownerName: string | null;
  /** Set when the tracker has no user with the owner's e-mail: the body names the owner instead. */
  readonly ownerUnmatched: boolean;
  readonly due: string | null;
  readonly priority: string;
}

/** The issue's title: the item's text on one line, cut to what every tracker takes. */
export function issueTitle(text: string): string {
  const line = text.replace(/\s+/g, " ").trim() || "Action item";
  return line.length > TITLE_MAX ? `${line.slice(0, TITLE_MAX - 1)}…` : line;
}

/** The body's lines (Markdown; Jira's client turns them into paragraphs). The marker is the last line. */
export function issueBodyLines(f: ExportFacts): string[] {
  const lines = [
    `Action item #${f.itemNumber} from the ${f.incidentRef} postmortem: ${f.text}`,
    "",
    `- Incident: ${f.incidentRef} — ${f.incidentTitle} (${f.severity})`,
    `- Channel: ${f.channelUrl ?? "none"}`,
    `- Postmortem: ${f.postmortemUrl ?? "not drafted yet"}`,
    `- Owner: ${f.ownerName ?? "no owner yet"}${f.ownerName && f.ownerUnmatched ? " (no account here with their e-mail)" : ""}`,
    `- Due: ${f.due ?? "no date yet"}`,
    `- Priority: ${f.priority}`,
    "",
    // visible, not an HTML comment: every tracker keeps plain text as written (Linear drops comments)
    itemMarker(f.itemId),
  ];
  return lines;
}

export function issueBody(f: ExportFacts): string {
  return issueBodyLines(f).join("\n");
}

/** The configured labels and the severity's id in lower case, each once. */
export function issueLabels(configured: readonly string[], severityId: string): string[] {
  return [...new Set([...configured, severityId.toLowerCase()])];
}

/** What a tracker's issue state means for the item: done, open, or nothing to do. */
export type UpstreamState = "done" | "open";

/** `<path>/<YYYY-MM-DD>-inc-<n>-<slug>.md`, the date the incident was declared (in the team's zone). */
export function postmortemFilePath(folder: string, declaredOn: string, incidentNumber: number, title: string): string {
  const slug = slugify(title).slice(0, 60).replace(/-+$/, "") || "incident";
  const name = `${declaredOn}-inc-${incidentNumber}-${slug}.md`;
  return folder ? `${folder}/${name}` : name;
}

export interface PostmortemMeta {
  readonly ref: string;
  /** Plain text. */
  readonly title: string;
  readonly severity: string;
  readonly status: string;
  readonly declaredAt: Date;
  readonly resolvedAt: Date | null;
  readonly closedAt: Date | null;
  readonly channelUrl: string | null;
}

/** A YAML string that stays one scalar whatever the title holds. */
function yamlString(s: string): string {
  return JSON.stringify(stripControls(s));
}

/**
 * The file committed: the postmortem's Markdown under a front matter that says where the incident
 * stands (so the commit at closing says so, and a repository of postmortems can be listed by it).
 */
export function postmortemDocument(markdown: string, meta: PostmortemMeta): string {
  const lines = [
    "---",
    `incident: ${meta.ref}`,
    `title: ${yamlString(meta.title)}`,
    `severity: ${yamlString(meta.severity)}`,
    `status: ${meta.status}`,
    `declared_at: ${meta.declaredAt.toISOString()}`,
    `resolved_at: ${meta.resolvedAt ? meta.resolvedAt.toISOString() : "null"}`,
    `closed_at: ${meta.closedAt ? meta.closedAt.toISOString() : "null"}`,
    ...(meta.channelUrl ? [`channel: ${meta.channelUrl}`] : []),
    "---",
    "",
  ];
  return `${lines.join("\n")}${markdown.endsWith("\n") ? markdown : `${markdown}\n`}`;
}
