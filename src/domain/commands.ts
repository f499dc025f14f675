// The `/incident` grammar: slash-command text → a typed command, or a refusal saying what was wrong
// and the right form (a misspelt sub-command gets the nearest one suggested). Pure; the severity
// ladder comes from configuration.

import { noArgs, optionalText, parseAction, parseDeclare, parseHandoff, parseRoleCommand, parseSev, parseStats, parseStatus, requireText, splitFirst } from "./command-args.ts";
import { type CommandKind, ok, type ParseResult, USAGE } from "./command-usage.ts";
import type { SeverityLadder } from "./severity.ts";
import { slackTextToPlain } from "./text.ts";

export type { Command, CommandKind, ParseResult, Priority } from "./command-usage.ts";
export { TEXT_MAX, TITLE_MAX, USAGE } from "./command-usage.ts";

const ALIASES: Readonly<Record<string, CommandKind>> = {
  help: "help",
  "?": "help",
  declare: "declare",
  new: "declare",
  open: "declare",
  start: "declare",
  update: "update",
  status: "status",
  sev: "sev",
  severity: "sev",
  role: "role",
  assign: "role",
  handoff: "handoff",
  "hand-off": "handoff",
  note: "note",
  action: "action",
  "action-item": "action",
  resolve: "resolve",
  reopen: "reopen",
  postmortem: "postmortem",
  "post-mortem": "postmortem",
  pm: "postmortem",
  close: "close",
  info: "info",
  checklist: "checklist",
  timestamps: "timestamps",
  times: "timestamps",
  statuspage: "statuspage",
  "status-page": "statuspage",
  stats: "stats",
  statistics: "stats",
  drill: "drill",
  practice: "drill",
  "check-list": "checklist",
  list: "list",
  ls: "list",
  catchup: "catchup",
  "catch-up": "catchup",
};

function closest(word: string): string | undefined {
  const candidates = Object.keys(USAGE);
  let best: string | undefined;
  let bestDistance = 3;
  for (const c of candidates) {
    const d = distance(word, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j] as number;
      row[j] = Math.min((row[j] as number) + 1, (row[j - 1] as number) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length] as number;
}

export function parseCommand(text: string, ladder: SeverityLadder): ParseResult {
  const [word, args] = splitFirst(text);
  if (word === "") return ok({ kind: "help" });
  const kind = ALIASES[word.toLowerCase()];
  if (!kind) {
    const plain = slackTextToPlain(word);
    const guess = closest(plain.toLowerCase());
    return {
      ok: false,
      error: `"${plain}" is not an /incident sub-command.${guess ? ` Did you mean \`/incident ${guess}\`?` : ""}`,
      usage: "`/incident help` lists them all.",
    };
  }
  switch (kind) {
    case "help":
      return ok({ kind: "help" });
    case "declare":
      return parseDeclare(args, ladder);
    case "drill":
      return parseDeclare(args, ladder, "drill");
    case "stats":
      return parseStats(args);
    case "update":
      return optionalText("update", args);
    case "status":
      return parseStatus(args);
    case "sev":
      return parseSev(args, ladder);
    case "role":
      return parseRoleCommand(args);
    case "handoff":
      return parseHandoff(args);
    case "note":
      return requireText("note", args, "the note's text");
    case "action":
      return parseAction(args);
    case "resolve":
      return optionalText("resolve", args);
    case "reopen":
      return requireText("reopen", args, "a reason (it goes on the timeline)");
    case "postmortem":
    case "close":
    case "info":
    case "checklist":
    case "timestamps":
    case "statuspage":
    case "list":
    case "catchup":
      return noArgs(kind, args);
    default:
      return kind satisfies never;
  }
}
