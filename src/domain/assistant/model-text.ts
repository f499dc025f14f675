// What a model answers is untrusted text. Before anyone sees it: control characters out, an outer
// code fence unwrapped, every Slack token made inert (no @channel, @here, @everyone, <!…>, no user or
// group pings, no channel links), links kept only as text (a label never hides where it points),
// images dropped (a canvas would fetch them), and the length capped. Two flavours: mrkdwn for Slack
// messages and form fields, Markdown for the postmortem document. Pure.

import { ACTIVE_STATUSES, type ActiveStatus } from "../lifecycle.ts";
import { stripControls } from "../text.ts";

/** A zero-width word joiner: "@\u2060here" reads as @here and pings nobody. */
const JOINER = "\u2060";

export type ModelTextFlavour = "mrkdwn" | "markdown" | "plain";

function unwrapFence(text: string): string {
  const m = /^```[a-z]*\n([\s\S]*?)\n```$/i.exec(text.trim());
  return m ? (m[1] as string) : text;
}

function cap(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.lastIndexOf(" ", max - 1);
  return `${text.slice(0, cut > max * 0.8 ? cut : max - 1).trimEnd()}…`;
}

/**
 * The model's answer made safe to show, at most `max` characters; empty when nothing is left
 * (which the caller treats as a failure, never as a message).
 */
export function neutraliseModelText(raw: string, flavour: ModelTextFlavour, max: number): string {
  let t = unwrapFence(stripControls(raw).replace(/\r\n?/g, "\n")).trim();
  // Slack's own tokens, written out by the model: <!here>, <@U123>, <#C123|x>, <https://x|label>
  t = t.replace(/<([^<>\n]{1,500})>/g, (_m, body: string) => {
    const [target = "", label] = body.split("|", 2);
    if (target.startsWith("!")) return label ?? target.slice(1).replace(/^subteam\^\w+/, "group");
    if (target.startsWith("@")) return label ? label.replace(/^@/, "") : "someone";
    if (target.startsWith("#")) return label ? `#${label}` : "a channel";
    if (/^(https?|mailto):/i.test(target)) return label && label !== target ? `${label} (${target})` : target;
    // not a token: the brackets are text (escaped below where they would be markup)
    return `<${body}>`;
  });
  // images (a canvas or a Markdown viewer would fetch them) and canvas mentions ![](@U123)
  t = t.replace(/!\[([^\]\n]*)\]\(([^)\n]*)\)/g, (_m, alt: string) => alt);
  // Markdown links: the address written out beside its label
  t = t.replace(/\[([^\]\n]+)\]\(([^)\s\n]+)(?:\s+"[^"\n]*")?\)/g, (_m, label: string, url: string) => (label === url ? url : `${label} (${url})`));
  // broadcasts and plain mentions by name
  t = t.replace(/@(channel|here|everyone)\b/gi, `@${JOINER}$1`);
  t = t.replace(/(^|[\s(])@(?=[A-Za-z0-9])/g, `$1@${JOINER}`);
  if (flavour !== "plain") t = t.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  if (flavour === "markdown") t = t.replace(/&amp;/g, "&");
  t = t.replace(/\n{3,}/g, "\n\n").trim();
  return cap(t, max);
}

/**
 * A drafted update's "Status: Identified" line, taken out of its text: the form has a field for the
 * status. Only the first line counts, and only a status an open incident can have.
 */
export function draftedStatus(text: string): { status?: ActiveStatus; text: string } {
  const [first = "", ...rest] = text.split("\n");
  const m = /^\s*\**\s*status\s*\**\s*:\s*\**\s*([a-z]+)\**\.?\s*$/i.exec(first);
  const status = ACTIVE_STATUSES.find((s) => s === m?.[1]?.toLowerCase());
  if (!status) return { text };
  return { status, text: rest.join("\n").trim() };
}

/** A heading line of any level, e.g. "## Narrative". */
const HEADING = /^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$/;

/**
 * The postmortem's two sections from the model's (neutralised, Markdown) answer: the text under its
 * "Summary" heading and under its "Narrative" heading. Undefined when either is missing or empty.
 * Headings inside a section become bold lines, so the model cannot add sections to the document.
 */
export function postmortemSections(text: string): { summary: string; narrative: string } | undefined {
  const parts: Record<string, string[]> = {};
  let current: string | undefined;
  for (const line of text.split("\n")) {
    const h = HEADING.exec(line);
    const name = h?.[1]?.replace(/[*_:]/g, "").trim().toLowerCase();
    if (name === "summary" || name === "narrative") {
      current = name;
      parts[current] ??= [];
      continue;
    }
    if (current) (parts[current] as string[]).push(h ? `**${(h[1] as string).replace(/\*/g, "")}**` : line);
  }
  const summary = (parts.summary ?? []).join("\n").trim();
  const narrative = (parts.narrative ?? []).join("\n").trim();
  return summary && narrative ? { summary, narrative } : undefined;
}
