// The `/incident` grammar: slash-command text → a typed command, or a refusal saying what was wrong
// and the right form. Pure; the severity ladder comes from configuration.

import { DateTime } from "luxon";
import { z } from "zod";
import { ACTIVE_STATUSES, type ActiveStatus } from "./lifecycle.ts";
import { parseRole, type Role } from "./roles.ts";
import { findSeverity, type SeverityLadder } from "./severity.ts";
import { oneLine, safeToPlain, slackTextToPlain, slackTextToSafe } from "./text.ts";

export const TITLE_MAX = 200;
export const TEXT_MAX = 3000;

export type Priority = "P1" | "P2" | "P3";

export type Command =
  | { kind: "help" }
  | { kind: "declare"; severity?: string; title?: string; severityDefaulted?: boolean }
  | { kind: "update"; text?: string }
  | { kind: "status"; status: ActiveStatus }
  | { kind: "sev"; severity: string; reason: string }
  | { kind: "role"; role: Role; userId: string }
  | { kind: "handoff"; userId: string; summary?: string }
  | { kind: "note"; text: string }
  | { kind: "action"; text: string; ownerId?: string; due?: string; priority: Priority }
  | { kind: "resolve"; summary?: string }
  | { kind: "reopen"; reason: string }
  | { kind: "postmortem" }
  | { kind: "close" }
  | { kind: "info" }
  | { kind: "list" };

export type CommandKind = Command["kind"];

export type ParseResult = { ok: true; command: Command } | { ok: false; error: string; usage: string };

/** Usage lines, also the body of `/incident help`. */
export const USAGE: Readonly<Record<CommandKind, string>> = {
  help: "`/incident help` — this list",
  declare:
    "`/incident declare` — open the declare form · `/incident declare sev2 Checkout errors spiking` — declare at once",
  update: "`/incident update <text>` — post a status update (no text opens the update form)",
  status: "`/incident status <investigating|identified|monitoring>` — move the incident along",
  sev: "`/incident sev <n> <reason>` — escalate or de-escalate; the reason is required",
  role: "`/incident role <ic|tech|comms|scribe|responder> @user` — assign a role",
  handoff: "`/incident handoff @user [summary]` — hand Incident Commander to someone, with the current status",
  note: "`/incident note <text>` — add a note to the timeline",
  action: "`/incident action <text> [@owner] [due YYYY-MM-DD] [P1|P2|P3]` — add a postmortem action item",
  resolve: "`/incident resolve [summary]` — resolve (no summary opens the resolve form)",
  reopen: "`/incident reopen <reason>` — reopen a resolved incident",
  postmortem: "`/incident postmortem` — re-draft and re-post the postmortem",
  close: "`/incident close` — mark the postmortem done and close the incident",
  info: "`/incident info` — severity, status, roles, age and next update",
  list: "`/incident list` — open incidents with links to their channels",
};

/** Sub-commands that only make sense inside an incident channel. */
export const NEEDS_INCIDENT_CHANNEL: ReadonlySet<CommandKind> = new Set([
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
]);

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
  list: "list",
  ls: "list",
};

// ---------- token rules (zod) ----------

const mention = z
  .string()
  .regex(/^<@([UW][A-Z0-9]{2,})(?:\|[^>]*)?>$/)
  .transform((t) => (/^<@([UW][A-Z0-9]{2,})/.exec(t) as RegExpExecArray)[1] as string);

const isoDate = z.iso.date().refine((d) => DateTime.fromISO(d).isValid);

const activeStatus = z.enum(ACTIVE_STATUSES);

const STATUS_ALIASES: Readonly<Record<string, ActiveStatus>> = {
  mitigated: "monitoring",
  monitor: "monitoring",
  investigate: "investigating",
  identify: "identified",
};

// ---------- helpers ----------

function fail(kind: CommandKind, error: string): ParseResult {
  return { ok: false, error, usage: USAGE[kind] };
}

function ok(command: Command): ParseResult {
  return { ok: true, command };
}

function splitFirst(text: string): [string, string] {
  const m = /^(\S+)\s*([\s\S]*)$/.exec(text.trim());
  return m ? [m[1] as string, (m[2] as string).trim()] : ["", ""];
}

function looksLikeSeverity(token: string): boolean {
  return /^(sev|p|s)[-_ ]?\d+$/i.test(token);
}

function ladderList(ladder: SeverityLadder): string {
  return ladder.map((s) => s.id).join(", ");
}

function looksLikeMention(token: string): boolean {
  return /^@\S+$/.test(token) || token.startsWith("<@");
}

function parseMention(token: string, kind: CommandKind): { ok: true; userId: string } | { ok: false; result: ParseResult } {
  const m = mention.safeParse(token);
  if (m.success) return { ok: true, userId: m.data };
  if (/^@\S+/.test(token)) {
    return {
      ok: false,
      result: fail(kind, `"${token}" is not a Slack mention: pick the person from the @ list so Slack turns the name into a link.`),
    };
  }
  return { ok: false, result: fail(kind, `"${slackTextToPlain(token)}" is not a person: mention them with @.`) };
}

function freeText(raw: string): string {
  return slackTextToSafe(raw).trim();
}

/**
 * `text` is mrkdwn-safe (&, < and > written as entities), which is what must fit Slack's limits;
 * the message counts what the person typed, and says so when the entities made the difference.
 */
function checkLength(kind: CommandKind, what: string, text: string, max = TEXT_MAX): ParseResult | undefined {
  if (text.length <= max) return undefined;
  const typed = safeToPlain(text).length;
  const detail = typed <= max ? ` (${text.length} once &, < and > are written out for Slack)` : "";
  return fail(kind, `The ${what} is ${typed} characters long${detail}; the limit is ${max}.`);
}

// ---------- sub-commands ----------

function parseDeclare(args: string, ladder: SeverityLadder): ParseResult {
  if (args === "") return ok({ kind: "declare" });
  const [first, rest] = splitFirst(args);
  const severity = findSeverity(ladder, first);
  let title: string;
  let severityId: string | undefined;
  if (severity) {
    severityId = severity.id;
    title = rest;
  } else if (looksLikeSeverity(first)) {
    return fail("declare", `Unknown severity "${first}": use one of ${ladderList(ladder)}.`);
  } else {
    title = args;
  }
  const plain = oneLine(slackTextToPlain(title));
  if (plain === "") {
    return fail(
      "declare",
      `The incident needs a title: \`/incident declare ${severityId?.toLowerCase() ?? "sev2"} <title>\`, or \`/incident declare\` alone to open the form.`,
    );
  }
  if (plain.length > TITLE_MAX) {
    return fail(
      "declare",
      `The title is ${plain.length} characters long; keep it under ${TITLE_MAX} and put the detail in \`/incident note\` once the channel is open.`,
    );
  }
  return ok(
    severityId
      ? { kind: "declare", severity: severityId, title: plain }
      : { kind: "declare", title: plain, severityDefaulted: true },
  );
}

function parseStatus(args: string): ParseResult {
  const token = args.toLowerCase();
  if (token === "") return fail("status", "Which status? One of investigating, identified or monitoring.");
  if (token === "resolved" || token === "resolve") return fail("status", "To resolve, use `/incident resolve [summary]`.");
  if (token === "closed" || token === "close") return fail("status", "To close, use `/incident close` once the postmortem is done.");
  const parsed = activeStatus.safeParse(STATUS_ALIASES[token] ?? token);
  if (!parsed.success) return fail("status", `"${slackTextToPlain(args)}" is not a status: use investigating, identified or monitoring.`);
  return ok({ kind: "status", status: parsed.data });
}

function parseSev(args: string, ladder: SeverityLadder): ParseResult {
  const [first, rest] = splitFirst(args);
  if (first === "") return fail("sev", `Which severity? One of ${ladderList(ladder)}, then the reason.`);
  const severity = findSeverity(ladder, first);
  if (!severity) return fail("sev", `Unknown severity "${slackTextToPlain(first)}": use one of ${ladderList(ladder)}.`);
  const reason = freeText(rest);
  if (reason === "") {
    return fail("sev", `Say why the severity changes: \`/incident sev ${severity.id.toLowerCase()} <reason>\` (it goes on the timeline).`);
  }
  return checkLength("sev", "reason", reason) ?? ok({ kind: "sev", severity: severity.id, reason });
}

function parseRoleCommand(args: string): ParseResult {
  const [first, rest] = splitFirst(args);
  if (first === "") return fail("role", "Which role, and for whom?");
  // accept both orders: `role ic @ann` and `role @ann ic`
  const [roleToken, userToken] = looksLikeMention(first) ? [rest, first] : [first, rest];
  const role = parseRole(roleToken.split(/\s+/)[0] ?? "");
  if (!role) return fail("role", `"${slackTextToPlain(roleToken)}" is not a role: use ic, tech, comms, scribe or responder.`);
  const who = userToken.split(/\s+/).filter(Boolean);
  if (who.length === 0) return fail("role", `Who should be ${role === "ic" ? "Incident Commander" : role}? Mention them with @.`);
  if (who.length > 1) return fail("role", "Mention exactly one person.");
  const m = parseMention(who[0] as string, "role");
  return m.ok ? ok({ kind: "role", role, userId: m.userId }) : m.result;
}

function parseHandoff(args: string): ParseResult {
  const [first, rest] = splitFirst(args);
  if (first === "") return fail("handoff", "Hand Incident Commander to whom? Mention them with @.");
  const m = parseMention(first, "handoff");
  if (!m.ok) return m.result;
  const summary = freeText(rest);
  return checkLength("handoff", "summary", summary) ?? ok(summary ? { kind: "handoff", userId: m.userId, summary } : { kind: "handoff", userId: m.userId });
}

function parseAction(args: string): ParseResult {
  let rest = args.trim();
  let priority: Priority = "P2";
  let due: string | undefined;
  let ownerId: string | undefined;
  // trailing options, in any order: `@owner`, `due YYYY-MM-DD`, `P1`
  for (;;) {
    const p = /\s+\(?(P[1-3])\)?$/i.exec(` ${rest}`);
    if (p) {
      priority = (p[1] as string).toUpperCase() as Priority;
      rest = rest.slice(0, rest.length - p[0].length + 1).trim();
      continue;
    }
    const d = /\s+due[:\s]\s*(\S+)$/i.exec(` ${rest}`);
    if (d) {
      const parsed = isoDate.safeParse(d[1]);
      if (!parsed.success) return fail("action", `"${slackTextToPlain(d[1] as string)}" is not a date: write it as YYYY-MM-DD, e.g. due 2026-12-01.`);
      due = parsed.data;
      rest = rest.slice(0, rest.length - d[0].length + 1).trim();
      continue;
    }
    const o = /\s+(<@[UW][A-Z0-9]{2,}(?:\|[^>]*)?>)$/.exec(` ${rest}`);
    if (o && ownerId === undefined) {
      const m = parseMention(o[1] as string, "action");
      if (!m.ok) return m.result;
      ownerId = m.userId;
      rest = rest.slice(0, rest.length - o[0].length + 1).trim();
      continue;
    }
    break;
  }
  if (/\bdue\b\s*$/i.test(rest)) return fail("action", "A due date must follow `due`, written YYYY-MM-DD.");
  const text = freeText(rest);
  if (text === "") return fail("action", "What needs doing? Describe the action item before the owner and due date.");
  return (
    checkLength("action", "action item", text, 500) ??
    ok({ kind: "action", text, priority, ...(ownerId ? { ownerId } : {}), ...(due ? { due } : {}) })
  );
}

function requireText(kind: "note" | "reopen", args: string, what: string): ParseResult {
  const text = freeText(args);
  if (text === "") return fail(kind, `Add ${what}.`);
  const tooLong = checkLength(kind, what.replace(/^(a|the) /, ""), text);
  if (tooLong) return tooLong;
  return ok(kind === "note" ? { kind: "note", text } : { kind: "reopen", reason: text });
}

function optionalText(kind: "update" | "resolve", args: string): ParseResult {
  const text = freeText(args);
  const tooLong = checkLength(kind, kind === "update" ? "update" : "summary", text);
  if (tooLong) return tooLong;
  if (kind === "update") return ok(text ? { kind: "update", text } : { kind: "update" });
  return ok(text ? { kind: "resolve", summary: text } : { kind: "resolve" });
}

function noArgs(kind: "postmortem" | "close" | "info" | "list", args: string): ParseResult {
  if (args !== "") return fail(kind, `\`/incident ${kind}\` takes nothing after it.`);
  return ok({ kind });
}

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
    case "list":
      return noArgs(kind, args);
    default:
      return kind satisfies never;
  }
}
