// Severities: an ordered ladder, highest first, configured per team. The defaults are the framework's
// SEV1–SEV4 with the update cadence each demands ("SEV1 every 30 minutes, SEV2 hourly").

import { Duration } from "luxon";

export interface Severity {
  /** Canonical id as configured, e.g. "SEV2". */
  readonly id: string;
  readonly label: string;
  readonly description: string;
  /** Time between status updates; null means no reminders. */
  readonly cadence: Duration | null;
  readonly requiresIc: boolean;
  readonly expectsCommsLead: boolean;
  readonly postmortemRequired: boolean;
  /** Who is told when an incident is declared at this severity, or escalated into it. */
  readonly notify: readonly NotifyTarget[];
  /** How soon someone must take Incident Commander before the notice is repeated, louder. */
  readonly respondWithin: Duration | null;
  /** Drills notify too (by default they do not). */
  readonly notifyDrills: boolean;
}

/** A person (U…/W…), a user group (S…, its members are told) or a channel (C…/G…, never for a private incident). */
export type NotifyTarget = { readonly kind: "user" | "group" | "channel"; readonly id: string };

export function notifyTarget(id: string): NotifyTarget | undefined {
  if (/^[UW][A-Z0-9]{2,}$/.test(id)) return { kind: "user", id };
  if (/^S[A-Z0-9]{2,}$/.test(id)) return { kind: "group", id };
  if (/^[CG][A-Z0-9]{2,}$/.test(id)) return { kind: "channel", id };
  return undefined;
}

/** Highest first. */
export type SeverityLadder = readonly Severity[];

export const DEFAULT_SEVERITIES: SeverityLadder = [
  {
    id: "SEV1",
    label: "Critical",
    description:
      "Complete outage or severe degradation affecting all or most users. Revenue or data loss occurring. Security breach in progress.",
    cadence: Duration.fromISO("PT30M"),
    requiresIc: true,
    expectsCommsLead: true,
    postmortemRequired: true,
    notify: [],
    respondWithin: null,
    notifyDrills: false,
  },
  {
    id: "SEV2",
    label: "High",
    description:
      "Significant degradation affecting a subset of users or critical functionality. Workaround may exist but is inadequate.",
    cadence: Duration.fromISO("PT1H"),
    requiresIc: true,
    expectsCommsLead: true,
    postmortemRequired: true,
    notify: [],
    respondWithin: null,
    notifyDrills: false,
  },
  {
    id: "SEV3",
    label: "Medium",
    description: "Partial degradation or non-critical feature failure. Workaround exists and is acceptable short-term.",
    cadence: Duration.fromISO("PT4H"),
    requiresIc: false,
    expectsCommsLead: false,
    postmortemRequired: false,
    notify: [],
    respondWithin: null,
    notifyDrills: false,
  },
  {
    id: "SEV4",
    label: "Low",
    description: "Minor issue with minimal user impact. Cosmetic problems or edge cases.",
    cadence: null,
    requiresIc: false,
    expectsCommsLead: false,
    postmortemRequired: false,
    notify: [],
    respondWithin: null,
    notifyDrills: false,
  },
];

/** Comparison key for ids and user tokens: "SEV-1", "sev1" and "Sev 1" are the same severity. */
export function severityKey(text: string): string {
  return text.toLowerCase().replace(/[\s_-]+/g, "");
}

export function findSeverity(ladder: SeverityLadder, token: string): Severity | undefined {
  const key = severityKey(token);
  if (key === "") return undefined;
  const exact = ladder.find((s) => severityKey(s.id) === key);
  if (exact) return exact;
  // a bare number ("2") names the severity whose id ends in that number ("SEV2", "P2")
  if (/^\d+$/.test(key)) return ladder.find((s) => severityKey(s.id).replace(/^\D+/, "") === key);
  return undefined;
}

/** Position on the ladder: 0 is the highest. */
export function rank(ladder: SeverityLadder, id: string): number {
  return ladder.findIndex((s) => s.id === id);
}

export function requireSeverity(ladder: SeverityLadder, id: string): Severity {
  const found = ladder.find((s) => s.id === id);
  if (found) return found;
  // an incident declared under an older configuration keeps working with a neutral stand-in
  return {
    id,
    label: id,
    description: "",
    cadence: null,
    requiresIc: false,
    expectsCommsLead: false,
    postmortemRequired: false,
    notify: [],
    respondWithin: null,
    notifyDrills: false,
  };
}

/**
 * "When in doubt, round up": the declare modal preselects the highest severity that is not the
 * all-hands top of the ladder (SEV2 with the defaults).
 */
export function defaultSeverity(ladder: SeverityLadder): Severity {
  const pick = ladder.length > 1 ? ladder[1] : ladder[0];
  if (!pick) throw new Error("the severity ladder is empty");
  return pick;
}

export type SeverityChange = "escalate" | "deescalate" | "same";

export function compareSeverity(ladder: SeverityLadder, from: string, to: string): SeverityChange {
  const a = rank(ladder, from);
  const b = rank(ladder, to);
  if (a === b) return "same";
  // an unknown (retired) id ranks below everything configured
  const ra = a === -1 ? ladder.length : a;
  const rb = b === -1 ? ladder.length : b;
  return rb < ra ? "escalate" : "deescalate";
}
