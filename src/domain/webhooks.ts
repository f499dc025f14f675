// Webhooks out: the event types, which of an incident's changes become which event, who receives it
// (an endpoint's events; private incidents only where include_private), and when a failed delivery is
// tried again (backoff, for 24 hours). Pure: no clock, no I/O.

import type { IncidentEvent } from "./incident.ts";
import { safeToPlain } from "./text.ts";

export const WEBHOOK_EVENT_TYPES = [
  "incident.declared",
  "incident.updated",
  "incident.severity_changed",
  "incident.status_changed",
  "incident.role_assigned",
  "incident.resolved",
  "incident.reopened",
  "incident.closed",
  "postmortem.drafted",
  "action_item.created",
  "action_item.completed",
  "action_item.exported",
  "action_item.reopened",
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export interface WebhookEndpoint {
  /** Stable per URL: the deliveries' key. */
  readonly key: string;
  readonly url: string;
  readonly events: readonly WebhookEventType[];
  /** `whsec_<base64>`, read from the environment. */
  readonly secret: string;
  readonly secretEnv: string;
  readonly includePrivate: boolean;
}

/** One event of an incident, before it is addressed: its type and what it adds to the incident's summary. */
export interface WebhookEventDraft {
  readonly type: WebhookEventType;
  readonly data: Record<string, unknown>;
}

/** The endpoints that receive an event of `type` about an incident (private or not). */
export function recipients(endpoints: readonly WebhookEndpoint[], type: WebhookEventType, isPrivate: boolean): WebhookEndpoint[] {
  return endpoints.filter((e) => e.events.includes(type) && (!isPrivate || e.includePrivate));
}

const plain = (safe: string) => safeToPlain(safe);

/** The webhook events a decision's events make (in the order they happened). */
export function eventsOf(events: readonly IncidentEvent[]): WebhookEventDraft[] {
  const out: WebhookEventDraft[] = [];
  for (const e of events) {
    switch (e.kind) {
      case "role_changed":
        out.push({ type: "incident.role_assigned", data: { role: e.role, user: e.userId, previous: e.previous, by: e.by, how: e.how } });
        break;
      case "status_changed":
        out.push({ type: "incident.status_changed", data: { from: e.from, to: e.to, by: e.by } });
        break;
      case "update":
        out.push({ type: "incident.updated", data: { update: { text: plain(e.text), status: e.status, by: e.by } } });
        break;
      case "severity_changed":
        out.push({ type: "incident.severity_changed", data: { from: e.from, to: e.to, reason: plain(e.reason), by: e.by } });
        break;
      case "resolved":
        out.push({ type: "incident.resolved", data: { summary: plain(e.summary), root_cause: e.rootCause ? plain(e.rootCause) : null, by: e.by } });
        break;
      case "reopened":
        out.push({ type: "incident.reopened", data: { reason: plain(e.reason), from: e.from, by: e.by } });
        break;
      case "closed":
        out.push({ type: "incident.closed", data: { by: e.by } });
        break;
      default:
        // snoozes, timestamp corrections, alerts linked, acknowledgements elsewhere: not events of their own
        break;
    }
  }
  return out;
}

/** How long a delivery waits after its `attempt`-th failure: 1 s, doubling, at most 5 minutes. */
export function retryDelayMs(attempt: number, jitter = 1): number {
  const base = Math.min(5 * 60_000, 1000 * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * jitter);
}

/** A delivery that has failed since `firstAttemptAt` is given up after this long. */
export const DELIVERY_WINDOW_MS = 24 * 60 * 60 * 1000;

export function givenUp(firstAttemptAt: Date, now: Date): boolean {
  return now.getTime() - firstAttemptAt.getTime() >= DELIVERY_WINDOW_MS;
}

/** What a receiver's answer means: delivered, try again later, or stop (410 Gone: it asked us to). */
export function outcomeOf(status: number): "delivered" | "retry" | "gone" {
  if (status >= 200 && status < 300) return "delivered";
  if (status === 410) return "gone";
  return "retry";
}
