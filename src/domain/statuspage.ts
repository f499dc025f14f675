// The public status page (Atlassian Statuspage), the pure part: what a publication is (title,
// status, message, impact, components), what the form proposes for an incident, what the affected
// components are set to, the marker that lets the bot find its own public incident again after a
// crash, and when a publication would say nothing new. No clock, no I/O.

import { z } from "zod";
import type { Status } from "./lifecycle.ts";

export const PUBLIC_STATUSES = ["investigating", "identified", "monitoring", "resolved"] as const;
export type PublicStatus = (typeof PUBLIC_STATUSES)[number];

export const PUBLIC_STATUS_LABEL: Readonly<Record<PublicStatus, string>> = {
  investigating: "Investigating",
  identified: "Identified",
  monitoring: "Monitoring",
  resolved: "Resolved",
};

export const PUBLIC_IMPACTS = ["none", "minor", "major", "critical"] as const;
export type PublicImpact = (typeof PUBLIC_IMPACTS)[number];

export const PUBLIC_IMPACT_LABEL: Readonly<Record<PublicImpact, string>> = {
  none: "None",
  minor: "Minor",
  major: "Major",
  critical: "Critical",
};

/** Why an incident cannot be published: no status page configured, or a drill (never published). */
export type StatuspageRefusal = "not_configured" | "drill";

/** Statuspage's component statuses that a publication sets. */
export type ComponentStatus = "operational" | "degraded_performance" | "partial_outage" | "major_outage";

/** The public title's and message's limits (the form's inputs enforce them too). */
export const PUBLIC_NAME_MAX = 200;
export const PUBLIC_BODY_MAX = 3000;
/** Slack's multi_static_select shows at most 100 options. */
export const MAX_COMPONENTS = 100;

/** A submission of the form as read from Slack and from a job's payload (to either page). */
export const publicationSchema = z.object({
  name: z.string().trim().min(1).max(PUBLIC_NAME_MAX),
  status: z.enum(PUBLIC_STATUSES),
  body: z.string().trim().min(1).max(PUBLIC_BODY_MAX),
  impact: z.enum(PUBLIC_IMPACTS),
  componentIds: z.array(z.string().min(1).max(64)).max(MAX_COMPONENTS),
});

/** What one submission of the form publishes. */
export interface Publication {
  readonly name: string;
  readonly status: PublicStatus;
  readonly body: string;
  readonly impact: PublicImpact;
  readonly componentIds: readonly string[];
}

/** The form's starting status for an incident in `status`. */
export function proposedStatus(status: Status): PublicStatus {
  switch (status) {
    case "investigating":
    case "identified":
    case "monitoring":
      return status;
    case "resolved":
    case "closed":
      return "resolved";
    default:
      return status satisfies never;
  }
}

/** The form's starting impact for a severity at `rank` (0 = the most severe) of the ladder. */
export function proposedImpact(rank: number): PublicImpact {
  if (rank <= 0) return "critical";
  if (rank === 1) return "major";
  if (rank === 2) return "minor";
  return "none";
}

/** What the affected components show: worse with the impact, operational again once resolved. */
export function componentStatus(impact: PublicImpact, status: PublicStatus): ComponentStatus {
  if (status === "resolved") return "operational";
  switch (impact) {
    case "critical":
      return "major_outage";
    case "major":
      return "partial_outage";
    case "minor":
    case "none":
      return "degraded_performance";
    default:
      return impact satisfies never;
  }
}

/** The metadata a public incident carries so the bot can find it again (before creating, after a crash). */
export function marker(incidentId: string): { warroom: { incident_id: string } } {
  return { warroom: { incident_id: incidentId } };
}

/** Whether a public incident's metadata carries the marker of `incidentId`. */
export function isMarked(metadata: unknown, incidentId: string): boolean {
  if (!metadata || typeof metadata !== "object") return false;
  const w = (metadata as Record<string, unknown>).warroom;
  return Boolean(w && typeof w === "object" && (w as Record<string, unknown>).incident_id === incidentId);
}

/** What a public incident says now: its title, status and latest message, impact and components. */
export interface PublicState {
  readonly name: string;
  readonly status: string;
  /** The latest update's message, if any. */
  readonly body: string | null;
  readonly impact: string | null;
  readonly componentIds: readonly string[];
}

const norm = (s: string) => s.trim().replace(/\s+/g, " ");

/** True when publishing `p` over `current` would tell readers nothing new (nothing is published twice). */
export function saysTheSame(current: PublicState, p: Publication): boolean {
  return (
    norm(current.name) === norm(p.name) &&
    current.status === p.status &&
    norm(current.body ?? "") === norm(p.body) &&
    (current.impact ?? "none") === p.impact &&
    [...current.componentIds].sort().join(",") === [...p.componentIds].sort().join(",")
  );
}
