// The arguments of each /incident sub-command: tokens (mentions, dates, statuses) checked with zod,
// free text made mrkdwn-safe and held to Slack's limits. Pure; the severity ladder is passed in.

import { DateTime } from "luxon";
import { z } from "zod";
import { ACTIVE_STATUSES, type ActiveStatus } from "./lifecycle.ts";
import { STATS_PERIODS } from "./record.ts";
import { parseRole } from "./roles.ts";
import { findSeverity, type SeverityLadder } from "./severity.ts";
import { oneLine, safeToPlain, slackTextToPlain, slackTextToSafe } from "./text.ts";
import { type CommandKind, fail, ok, type ParseResult, type Priority, TEXT_MAX, TITLE_MAX } from "./command-usage.ts";

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


export function splitFirst(text: string): [string, string] {
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


export function parseDeclare(args: string, ladder: SeverityLadder, as: "declare" | "drill" = "declare"): ParseResult {
  const drill = as === "drill" ? { drill: true } : {};
  const kind = as;
  if (args === "") return ok({ kind: "declare", ...drill });
  const [first, rest] = splitFirst(args);
  const severity = findSeverity(ladder, first);
  let title: string;
  let severityId: string | undefined;
  if (severity) {
    severityId = severity.id;
    title = rest;
  } else if (looksLikeSeverity(first)) {
    return fail(kind, `Unknown severity "${first}": use one of ${ladderList(ladder)}.`);
  } else {
    title = args;
  }
  const plain = oneLine(slackTextToPlain(title));
  if (plain === "") {
    return fail(kind, `The incident needs a title: \`/incident ${as} ${severityId?.toLowerCase() ?? "sev2"} <title>\`, or \`/incident ${as}\` alone to open the form.`);
  }
  if (plain.length > TITLE_MAX) {
    return fail(
      kind,
      `The title is ${plain.length} characters long; keep it under ${TITLE_MAX} and put the detail in \`/incident note\` once the channel is open.`,
    );
  }
  return ok(
    severityId
      ? { kind: "declare", severity: severityId, title: plain, ...drill }
      : { kind: "declare", title: plain, severityDefaulted: true, ...drill },
  );
}

export function parseStatus(args: string): ParseResult {
  const token = args.toLowerCase();
  if (token === "") return fail("status", "Which status? One of investigating, identified or monitoring.");
  if (token === "resolved" || token === "resolve") return fail("status", "To resolve, use `/incident resolve [summary]`.");
  if (token === "closed" || token === "close") return fail("status", "To close, use `/incident close` once the postmortem is done.");
  const parsed = activeStatus.safeParse(STATUS_ALIASES[token] ?? token);
  if (!parsed.success) return fail("status", `"${slackTextToPlain(args)}" is not a status: use investigating, identified or monitoring.`);
  return ok({ kind: "status", status: parsed.data });
}

export function parseSev(args: string, ladder: SeverityLadder): ParseResult {
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

export function parseRoleCommand(args: string): ParseResult {
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

export function parseHandoff(args: string): ParseResult {
  const [first, rest] = splitFirst(args);
  if (first === "") return fail("handoff", "Hand Incident Commander to whom? Mention them with @.");
  const m = parseMention(first, "handoff");
  if (!m.ok) return m.result;
  const summary = freeText(rest);
  return checkLength("handoff", "summary", summary) ?? ok(summary ? { kind: "handoff", userId: m.userId, summary } : { kind: "handoff", userId: m.userId });
}

export function parseAction(args: string): ParseResult {
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

export function requireText(kind: "note" | "reopen", args: string, what: string): ParseResult {
  const text = freeText(args);
  if (text === "") return fail(kind, `Add ${what}.`);
  const tooLong = checkLength(kind, what.replace(/^(a|the) /, ""), text);
  if (tooLong) return tooLong;
  return ok(kind === "note" ? { kind: "note", text } : { kind: "reopen", reason: text });
}

export function optionalText(kind: "update" | "resolve", args: string): ParseResult {
  const text = freeText(args);
  const tooLong = checkLength(kind, kind === "update" ? "update" : "summary", text);
  if (tooLong) return tooLong;
  if (kind === "update") return ok(text ? { kind: "update", text } : { kind: "update" });
  return ok(text ? { kind: "resolve", summary: text } : { kind: "resolve" });
}

export function noArgs(kind: "postmortem" | "close" | "info" | "list" | "checklist" | "timestamps" | "statuspage" | "catchup", args: string): ParseResult {
  if (args !== "") return fail(kind, `\`/incident ${kind}\` takes nothing after it.`);
  return ok({ kind });
}


export function parseStats(args: string): ParseResult {
  const token = args.trim().toLowerCase();
  if (token === "") return ok({ kind: "stats", period: "30d" });
  const period = STATS_PERIODS.find((p) => p === token || p === token.replace(/\s+/g, "") || (p === "all" && token === "all-time"));
  if (!period) return fail("stats", `"${slackTextToPlain(args)}" is not a period: use 7d, 30d, 90d or all.`);
  return ok({ kind: "stats", period });
}
