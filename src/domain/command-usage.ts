// The /incident commands: what each one is, typed, and the usage line `/incident help` shows for it.
// Shared by the parser (commands.ts) and the argument rules (command-args.ts).

import type { ActiveStatus } from "./lifecycle.ts";
import type { StatsPeriod } from "./record.ts";
import type { Role } from "./roles.ts";

/**
 * A title typed on the command line (`/incident declare sev2 …`) may run to 200 characters; the form
 * keeps to 80, as the declare form always has (Slack shows the count as it is typed). The channel
 * name is cut to Slack's 80 characters either way.
 */
export const TITLE_MAX = 200;
export const FORM_TITLE_MAX = 80;
export const TEXT_MAX = 3000;

export type Priority = "P1" | "P2" | "P3";

export type Command =
  | { kind: "help" }
  | { kind: "declare"; severity?: string; title?: string; severityDefaulted?: boolean; drill?: boolean }
  /** Parsed into a declare with drill: true; its own kind for its usage line. */
  | { kind: "drill" }
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
  | { kind: "checklist" }
  | { kind: "timestamps" }
  | { kind: "statuspage" }
  | { kind: "stats"; period: StatsPeriod }
  | { kind: "list" }
  | { kind: "catchup" };

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
  checklist: "`/incident checklist` — post the incident's checklist again, as it stands",
  timestamps: "`/incident timestamps` — see and correct when impact started, was detected, acknowledged, mitigated…",
  statuspage: "`/incident statuspage` — publish or update this incident on the public status page",
  stats: "`/incident stats [7d|30d|90d|all]` — counts, times to detect, acknowledge, mitigate and resolve, punctuality (default 30d)",
  drill: "`/incident drill [sev2] <title>` — declare a practice incident: never announced, not counted (no title opens the form)",
  list: "`/incident list` — open incidents with links to their channels",
  catchup: "`/incident catchup` — a private summary of the incident so far, from the assistant (when one is set up)",
};

export function fail(kind: CommandKind, error: string): ParseResult {
  return { ok: false, error, usage: USAGE[kind] };
}

export function ok(command: Command): ParseResult {
  return { ok: true, command };
}
