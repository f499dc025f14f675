// Timeline entries: what happened, by whom, in words. Texts are mrkdwn-safe (user text escaped,
// people as <@U…> mentions) so the same words serve the channel echo, /incident info and, read back
// as plain text, the postmortem.

import { SOURCE_LABEL } from "./alerts.ts";
import type { IncidentEvent } from "./incident.ts";
import { STATUS_LABEL } from "./lifecycle.ts";
import { TIMESTAMP_LABEL } from "./record.ts";
import { ROLE_INFO } from "./roles.ts";
import { escapeMrkdwn } from "./text.ts";

export const TIMELINE_KINDS = [
  "declared",
  "role_changed",
  "severity_changed",
  "status_changed",
  "update",
  "note",
  "message",
  "reminder",
  "snoozed",
  "resolved",
  "reopened",
  "closed",
  "postmortem",
  "action_item",
  "checklist",
  "notified",
  "timestamp",
  "alert",
  "status_page",
] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

export interface TimelineDraft {
  readonly kind: TimelineKind;
  readonly actorId: string | null;
  /** mrkdwn-safe. */
  readonly text: string;
  readonly data?: Record<string, unknown>;
}

const who = (userId: string) => `<@${userId}>`;
const fmtUtc = (d: Date) => `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;

export function describeEvent(event: IncidentEvent): TimelineDraft {
  switch (event.kind) {
    case "role_changed": {
      const label = ROLE_INFO[event.role].label;
      const data = { role: event.role, userId: event.userId, previous: event.previous, how: event.how };
      let text: string;
      switch (event.how) {
        case "declared":
          text = `${who(event.userId)} is ${label}`;
          break;
        case "take":
          text = `${who(event.userId)} took ${label}`;
          break;
        case "join":
          text = `${who(event.userId)} joined as a responder`;
          break;
        case "takeover":
          text = `${who(event.userId)} took over as ${label} from ${who(event.previous as string)}`;
          break;
        case "handoff":
          text = `${who(event.by)} handed ${label} to ${who(event.userId)}${event.summary ? `: ${event.summary}` : ""}`;
          break;
        case "assign":
          text =
            event.role === "responder"
              ? `${who(event.by)} added ${who(event.userId)} as a responder`
              : `${who(event.by)} made ${who(event.userId)} ${label}${event.previous ? ` (was ${who(event.previous)})` : ""}`;
          break;
      }
      return { kind: "role_changed", actorId: event.by, text, data };
    }
    case "status_changed":
      return {
        kind: "status_changed",
        actorId: event.by,
        text: `Status: ${STATUS_LABEL[event.from]} → ${STATUS_LABEL[event.to]}`,
        data: { from: event.from, to: event.to },
      };
    case "update":
      return { kind: "update", actorId: event.by, text: `${who(event.by)} posted an update (${STATUS_LABEL[event.status]}): ${event.text}`, data: { status: event.status } };
    case "severity_changed":
      return {
        kind: "severity_changed",
        actorId: event.by,
        text: `${who(event.by)} ${event.direction === "escalate" ? "escalated" : "de-escalated"} ${escapeMrkdwn(event.from)} → ${escapeMrkdwn(event.to)}: ${event.reason}`,
        data: { from: event.from, to: event.to, reason: event.reason, direction: event.direction },
      };
    case "resolved":
      return { kind: "resolved", actorId: event.by, text: `${who(event.by)} resolved the incident: ${event.summary}`, data: { rootCause: event.rootCause } };
    case "reopened":
      return { kind: "reopened", actorId: event.by, text: `${who(event.by)} reopened the incident: ${event.reason}`, data: { from: event.from } };
    case "closed":
      return { kind: "closed", actorId: event.by, text: `${who(event.by)} closed the incident: the postmortem is done` };
    case "timestamp_changed": {
      const fmt = fmtUtc;
      return {
        kind: "timestamp",
        actorId: event.by,
        text: `${who(event.by)} corrected ${TIMESTAMP_LABEL[event.key].toLowerCase()}: ${event.from ? fmt(event.from) : "not set"} → ${fmt(event.to)}`,
        data: { key: event.key, from: event.from?.toISOString() ?? null, to: event.to.toISOString() },
      };
    }
    case "alerts_linked": {
      const moved = event.detected ? `; detected moved back to ${fmtUtc(event.detected.to)} (the earliest alert's start)` : "";
      return {
        kind: "alert",
        actorId: event.by,
        text: `${who(event.by)} merged ${SOURCE_LABEL[event.source]} alert *${escapeMrkdwn(event.name)}* (${event.firing} of ${event.total} firing)${moved}`,
        data: { source: event.source, name: event.name, firing: event.firing, total: event.total, ...(event.detected ? { detectedFrom: event.detected.from.toISOString(), detectedTo: event.detected.to.toISOString() } : {}) },
      };
    }
    case "acknowledged_elsewhere":
      return {
        kind: "alert",
        actorId: event.by,
        text: `Acknowledged in ${escapeMrkdwn(event.where)}${event.agent ? ` by ${escapeMrkdwn(event.agent)}` : ""}`,
        data: { where: event.where, agent: event.agent, at: event.at.toISOString() },
      };
    case "snoozed":
      return { kind: "snoozed", actorId: event.by, text: `${who(event.by)} snoozed the update reminder until <!date^${Math.floor(event.until.getTime() / 1000)}^{time}|${event.until.toISOString().slice(11, 16)} UTC>`, data: { until: event.until.toISOString() } };
  }
}

export function declaredEntry(args: { by: string; severity: string; label: string; title: string; isPrivate: boolean; isDrill?: boolean }): TimelineDraft {
  return {
    kind: "declared",
    actorId: args.by,
    text: `${who(args.by)} declared a ${args.isDrill ? "DRILL " : ""}${args.isPrivate ? "private " : ""}${escapeMrkdwn(args.severity)} (${escapeMrkdwn(args.label)}) incident: ${escapeMrkdwn(args.title)}`,
    data: { severity: args.severity, private: args.isPrivate, ...(args.isDrill ? { drill: true } : {}) },
  };
}
