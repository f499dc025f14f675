// The incident and the decisions about it. Every decision is a pure function of the incident, the
// request and the time: it returns the new incident and what happened (events), or a typed refusal.
// Nothing here reads a clock, the database or Slack.

import type { AlertSource } from "./alerts.ts";
import { isOpen, type Status, transition, type TransitionRefusal } from "./lifecycle.ts";
import { checkTimestamps, effectiveTimestamps, type TimestampKey, type TimestampProblem, timestampsOf } from "./record.ts";
import { isSingleRole, type Role, type SingleRole } from "./roles.ts";

export interface Incident {
  readonly id: string;
  readonly teamId: string;
  readonly number: number;
  readonly title: string;
  readonly severity: string;
  readonly status: Status;
  readonly isPrivate: boolean;
  /** A practice incident: never announced, not counted. */
  readonly isDrill: boolean;
  readonly impact: string | null;
  readonly detection: string | null;
  readonly declaredBy: string;
  readonly declaredAt: Date;
  /** Who holds each single role; `ic` is the Incident Commander. */
  readonly roles: Readonly<Record<SingleRole, string | null>>;
  readonly responders: readonly string[];
  readonly channelId: string | null;
  readonly channelName: string | null;
  readonly openingTs: string | null;
  /** The latest status summary, from the last update, handoff, resolve or reopen (mrkdwn-safe). */
  readonly statusSummary: string | null;
  readonly lastUpdateAt: Date | null;
  readonly nextUpdateDueAt: Date | null;
  readonly resolvedAt: Date | null;
  readonly closedAt: Date | null;
  /** The record's other timestamps, null for their defaults (record.ts). */
  readonly impactStartedAt: Date | null;
  readonly detectedAt: Date | null;
  readonly acknowledgedAt: Date | null;
  readonly mitigatedAt: Date | null;
  /** Who corrected a timestamp, by key (absent: set by the bot). */
  readonly timestampSources: Readonly<Partial<Record<TimestampKey, string>>>;
  readonly cadenceEpoch: number;
  readonly severityChangedAt: Date | null;
  readonly snoozedUntil: Date | null;
  readonly version: number;
}

export function incidentRef(incident: Pick<Incident, "number">): string {
  return `INC-${incident.number}`;
}

/** How a role changed hands. */
export type RoleChangeHow = "declared" | "take" | "assign" | "handoff" | "takeover" | "join";

export type IncidentEvent =
  | { kind: "role_changed"; role: Role; userId: string; previous: string | null; by: string; how: RoleChangeHow; summary?: string }
  | { kind: "status_changed"; from: Status; to: Status; by: string }
  | { kind: "update"; text: string; status: Status; by: string }
  | { kind: "severity_changed"; from: string; to: string; reason: string; by: string; direction: "escalate" | "deescalate" }
  | { kind: "snoozed"; until: Date; by: string }
  | { kind: "resolved"; summary: string; rootCause: string | null; by: string }
  | { kind: "reopened"; reason: string; from: Status; by: string }
  | { kind: "closed"; by: string }
  | { kind: "timestamp_changed"; key: TimestampKey; from: Date | null; to: Date; by: string }
  /** Alerts of a group were linked (merged into it); `detected` when that moved the detection earlier. */
  | { kind: "alerts_linked"; source: AlertSource; name: string; firing: number; total: number; by: string; detected?: { from: Date; to: Date } }
  /** Someone acknowledged it in the paging tool (PagerDuty). */
  | { kind: "acknowledged_elsewhere"; where: string; agent: string | null; by: string; at: Date };

export type Refusal =
  | { code: "already_holder"; role: Role }
  | { code: "role_held"; role: SingleRole; holder: string }
  | { code: "holder_changed"; role: SingleRole; holder: string | null }
  | { code: "only_ic_hands_off"; ic: string }
  | { code: "handoff_to_self" }
  | { code: "no_ic_to_take_over" }
  | { code: "not_open"; status: Status }
  | { code: "same_severity"; severity: string }
  | { code: "not_in_charge"; action: "resolve" | "reopen" | "close"; ic: string }
  | { code: "no_cadence"; severity: string }
  | { code: "stale_reminder" }
  | { code: "timestamps"; problems: readonly TimestampProblem[] }
  | { code: "transition"; refusal: TransitionRefusal };

export type Decision = { ok: true; incident: Incident; events: IncidentEvent[] } | { ok: false; refusal: Refusal };

function refuse(refusal: Refusal): Decision {
  return { ok: false, refusal };
}

function withRole(incident: Incident, role: SingleRole, userId: string | null): Incident {
  return { ...incident, roles: { ...incident.roles, [role]: userId } };
}

/** Who may hand IC on, resolve, reopen: the IC, or the declarer while there is no IC. */
export function isInCharge(incident: Incident, userId: string): boolean {
  return incident.roles.ic ? incident.roles.ic === userId : incident.declaredBy === userId;
}

export function inCharge(incident: Incident): string {
  return incident.roles.ic ?? incident.declaredBy;
}

/**
 * Someone takes a role for themselves (a button). A free role is theirs; a held one is refused with
 * its holder, except IC, which may be taken over explicitly (`takeover`, after a confirmation).
 * `expected` is the holder the clicker saw; if it changed meanwhile, the click is refused.
 */
export function takeRole(incident: Incident, role: Role, actor: string, opts: { expected?: string | null; takeover?: boolean } = {}): Decision {
  if (incident.status === "closed") return refuse({ code: "not_open", status: incident.status });
  if (!isSingleRole(role)) {
    if (incident.responders.includes(actor)) return refuse({ code: "already_holder", role });
    return {
      ok: true,
      incident: { ...incident, responders: [...incident.responders, actor] },
      events: [{ kind: "role_changed", role, userId: actor, previous: null, by: actor, how: "join" }],
    };
  }
  const holder = incident.roles[role];
  if (holder === actor) return refuse({ code: "already_holder", role });
  // someone else got there first: a free role they saw is now held ("held by"), or the holder they
  // saw is not the holder any more ("changed since")
  if (opts.expected !== undefined && opts.expected !== holder) {
    return refuse(opts.expected === null && holder !== null ? { code: "role_held", role, holder } : { code: "holder_changed", role, holder });
  }
  if (holder !== null) {
    if (role === "ic" && opts.takeover) {
      return {
        ok: true,
        incident: withRole(incident, role, actor),
        events: [{ kind: "role_changed", role, userId: actor, previous: holder, by: actor, how: "takeover" }],
      };
    }
    return refuse({ code: "role_held", role, holder });
  }
  return {
    ok: true,
    incident: withRole(incident, role, actor),
    events: [{ kind: "role_changed", role, userId: actor, previous: null, by: actor, how: "take" }],
  };
}

/**
 * Someone assigns a role to a person (command or user picker). Any participant may fill or change a
 * role, except IC: a held IC changes hands only by the IC's own handoff (or an explicit takeover).
 */
export function assignRole(incident: Incident, role: Role, userId: string, actor: string): Decision {
  if (incident.status === "closed") return refuse({ code: "not_open", status: incident.status });
  if (!isSingleRole(role)) {
    if (incident.responders.includes(userId)) return refuse({ code: "already_holder", role });
    return {
      ok: true,
      incident: { ...incident, responders: [...incident.responders, userId] },
      events: [{ kind: "role_changed", role, userId, previous: null, by: actor, how: "assign" }],
    };
  }
  const holder = incident.roles[role];
  if (holder === userId) return refuse({ code: "already_holder", role });
  if (role === "ic" && holder !== null) {
    if (holder !== actor) return refuse({ code: "only_ic_hands_off", ic: holder });
    return handoff(incident, userId, actor);
  }
  return {
    ok: true,
    incident: withRole(incident, role, userId),
    events: [{ kind: "role_changed", role, userId, previous: holder, by: actor, how: "assign" }],
  };
}

/** `/incident handoff @user [summary]`: only the IC (or the declarer while there is none). */
export function handoff(incident: Incident, to: string, actor: string, summary?: string): Decision {
  if (incident.status === "closed") return refuse({ code: "not_open", status: incident.status });
  if (!isInCharge(incident, actor)) return refuse({ code: "only_ic_hands_off", ic: inCharge(incident) });
  const previous = incident.roles.ic;
  if (previous === to) return refuse(to === actor ? { code: "handoff_to_self" } : { code: "already_holder", role: "ic" });
  return {
    ok: true,
    incident: { ...withRole(incident, "ic", to), ...(summary ? { statusSummary: summary } : {}) },
    events: [{ kind: "role_changed", role: "ic", userId: to, previous, by: actor, how: "handoff", ...(summary ? { summary } : {}) }],
  };
}

/** `/incident status <state>`: moves the lifecycle forward among the active states. */
export function setStatus(incident: Incident, to: Status, actor: string): Decision {
  const t = transition(incident.status, to);
  if (!t.ok) return refuse({ code: "transition", refusal: t.refusal });
  if (t.kind !== "progress") return refuse({ code: "transition", refusal: { code: "not_allowed", current: incident.status, requested: to } });
  return {
    ok: true,
    incident: { ...incident, status: to },
    events: [{ kind: "status_changed", from: incident.status, to, by: actor }],
  };
}

/**
 * A status update: the latest summary, the clock restarted, and optionally a new status (forward
 * only). Updates are for open incidents; a resolved one is reopened first.
 */
export function postUpdate(incident: Incident, input: { text: string; status?: Status }, actor: string, now: Date): Decision {
  if (!isOpen(incident.status)) return refuse({ code: "not_open", status: incident.status });
  const events: IncidentEvent[] = [];
  let status = incident.status;
  if (input.status && input.status !== incident.status) {
    const moved = setStatus(incident, input.status, actor);
    if (!moved.ok) return moved;
    events.push(...moved.events);
    status = input.status;
  }
  events.push({ kind: "update", text: input.text, status, by: actor });
  return { ok: true, incident: { ...incident, status, statusSummary: input.text, lastUpdateAt: now, snoozedUntil: null }, events };
}

/** `/incident sev <n> <reason>`: escalate or de-escalate an open incident. */
export function changeSeverity(incident: Incident, to: string, reason: string, actor: string, direction: "escalate" | "deescalate" | "same", now: Date): Decision {
  if (!isOpen(incident.status)) return refuse({ code: "not_open", status: incident.status });
  if (direction === "same" || to === incident.severity) return refuse({ code: "same_severity", severity: incident.severity });
  return {
    ok: true,
    incident: { ...incident, severity: to, severityChangedAt: now },
    events: [{ kind: "severity_changed", from: incident.severity, to, reason, by: actor, direction }],
  };
}

/**
 * "Snooze 15 min" on a reminder: the next reminder waits until `until`. `planEpoch` is the reminder
 * plan the button was sent with; an update or another snooze since made it stale.
 */
export function snooze(incident: Incident, until: Date, actor: string, hasCadence: boolean, planEpoch?: number): Decision {
  if (!isOpen(incident.status)) return refuse({ code: "not_open", status: incident.status });
  if (!hasCadence) return refuse({ code: "no_cadence", severity: incident.severity });
  if (planEpoch !== undefined && planEpoch !== incident.cadenceEpoch) return refuse({ code: "stale_reminder" });
  return { ok: true, incident: { ...incident, snoozedUntil: until }, events: [{ kind: "snoozed", until, by: actor }] };
}

/**
 * Resolving: only the IC, or the declarer while there is no IC. The state is checked first, so a
 * second resolve (or a retried request) is told it is already resolved.
 */
export function resolve(incident: Incident, input: { summary: string; rootCause?: string }, actor: string, now: Date): Decision {
  const t = transition(incident.status, "resolved");
  if (!t.ok) return refuse({ code: "transition", refusal: t.refusal });
  if (!isInCharge(incident, actor)) return refuse({ code: "not_in_charge", action: "resolve", ic: inCharge(incident) });
  return {
    ok: true,
    incident: { ...incident, status: "resolved", resolvedAt: now, statusSummary: input.summary, snoozedUntil: null },
    events: [{ kind: "resolved", summary: input.summary, rootCause: input.rootCause ?? null, by: actor }],
  };
}

/** "Reopening is fine if things regress": back to investigating, the cadence clock restarted. */
export function reopen(incident: Incident, reason: string, actor: string, now: Date): Decision {
  const t = transition(incident.status, "investigating");
  if (!t.ok) return refuse({ code: "transition", refusal: t.refusal });
  if (!isInCharge(incident, actor)) return refuse({ code: "not_in_charge", action: "reopen", ic: inCharge(incident) });
  return {
    ok: true,
    incident: { ...incident, status: "investigating", resolvedAt: null, closedAt: null, statusSummary: reason, lastUpdateAt: now, snoozedUntil: null },
    events: [{ kind: "reopened", reason, from: incident.status, by: actor }],
  };
}

/** Closing means the postmortem is done; only a resolved incident closes. */
export function close(incident: Incident, actor: string, now: Date): Decision {
  const t = transition(incident.status, "closed");
  if (!t.ok) return refuse({ code: "transition", refusal: t.refusal });
  if (!isInCharge(incident, actor)) return refuse({ code: "not_in_charge", action: "close", ic: inCharge(incident) });
  return { ok: true, incident: { ...incident, status: "closed", closedAt: now }, events: [{ kind: "closed", by: actor }] };
}

/**
 * Who may see a private incident exist (in lists, the App Home, stats): its declarer, role holders and
 * responders. Everyone may see a public one.
 */
export function visibleTo(incident: Incident, userId: string): boolean {
  return !incident.isPrivate || participants(incident).includes(userId);
}

const COLUMN: Readonly<Record<TimestampKey, "impactStartedAt" | "detectedAt" | "declaredAt" | "acknowledgedAt" | "mitigatedAt" | "resolvedAt" | "closedAt">> = {
  impact_started_at: "impactStartedAt",
  detected_at: "detectedAt",
  declared_at: "declaredAt",
  acknowledged_at: "acknowledgedAt",
  mitigated_at: "mitigatedAt",
  resolved_at: "resolvedAt",
  closed_at: "closedAt",
};

/**
 * `/incident timestamps`: a person corrects some of the record's timestamps. They must stay in order
 * and not be in the future; resolved and closed can only be corrected once they happened. Each
 * change becomes an event (who, the old and the new value) and the person its source.
 */
export function correctTimestamps(incident: Incident, changes: Readonly<Partial<Record<TimestampKey, Date>>>, actor: string, now: Date, declaredByPerson: boolean): Decision {
  const before = effectiveTimestamps(timestampsOf(incident, declaredByPerson));
  const problems: TimestampProblem[] = [];
  let next: Incident = incident;
  const events: IncidentEvent[] = [];
  for (const [key, to] of Object.entries(changes) as [TimestampKey, Date][]) {
    if ((key === "resolved_at" && !incident.resolvedAt) || (key === "closed_at" && !incident.closedAt)) {
      problems.push({ key, message: `${incidentRef(incident)} is not ${key === "resolved_at" ? "resolved" : "closed"}, so there is no such time to correct.` });
      continue;
    }
    const from = before[key];
    if (from && Math.floor(from.getTime() / 60_000) === Math.floor(to.getTime() / 60_000)) continue;
    next = { ...next, [COLUMN[key]]: to, timestampSources: { ...next.timestampSources, [key]: actor } };
    events.push({ kind: "timestamp_changed", key, from, to, by: actor });
  }
  problems.push(...checkTimestamps(effectiveTimestamps(timestampsOf(next, declaredByPerson)), now).filter((p) => !problems.some((q) => q.key === p.key)));
  if (problems.length > 0) return refuse({ code: "timestamps", problems });
  return { ok: true, incident: next, events };
}

/**
 * Alerts merged into an open incident. When they started before it was detected, the detection moves
 * back to their earliest start, unless a person set it, or that would put the record out of order.
 */
export function linkAlerts(
  incident: Incident,
  input: { source: AlertSource; name: string; firing: number; total: number; earliestStart: Date | null },
  actor: string,
  now: Date,
  declaredByPerson: boolean,
): Decision {
  if (!isOpen(incident.status)) return refuse({ code: "not_open", status: incident.status });
  let next = incident;
  let detected: { from: Date; to: Date } | undefined;
  const current = effectiveTimestamps(timestampsOf(incident, declaredByPerson)).detected_at;
  if (input.earliestStart && current && input.earliestStart < current && input.earliestStart <= now && !incident.timestampSources.detected_at) {
    const candidate = { ...incident, detectedAt: input.earliestStart };
    if (checkTimestamps(effectiveTimestamps(timestampsOf(candidate, declaredByPerson)), now).length === 0) {
      next = candidate;
      detected = { from: current, to: input.earliestStart };
    }
  }
  return {
    ok: true,
    incident: next,
    events: [{ kind: "alerts_linked", source: input.source, name: input.name, firing: input.firing, total: input.total, by: actor, ...(detected ? { detected } : {}) }],
  };
}

/**
 * Acknowledged in the paging tool: the record's acknowledged time, if it has none yet (an incident
 * the bot declared, before a person acted in it), never before the declaration.
 */
export function acknowledgeElsewhere(incident: Incident, input: { where: string; agent: string | null; at: Date }, actor: string): Decision {
  const at = input.at < incident.declaredAt ? incident.declaredAt : input.at;
  return {
    ok: true,
    incident: incident.acknowledgedAt ? incident : { ...incident, acknowledgedAt: at },
    events: [{ kind: "acknowledged_elsewhere", where: input.where, agent: input.agent, by: actor, at }],
  };
}

/** Everyone who should be in the incident channel. */
export function participants(incident: Incident): string[] {
  const people = [incident.declaredBy, ...Object.values(incident.roles), ...incident.responders].filter((u): u is string => Boolean(u));
  return [...new Set(people)];
}

