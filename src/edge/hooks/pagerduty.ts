// PagerDuty's V3 webhooks: the signature (X-PagerDuty-Signature: one or more comma-separated
// `v1=<hex HMAC-SHA256 of the raw body>`, several while a secret is rotated; any match passes) and
// the event envelope ({ event: { id, event_type, resource_type, occurred_at, agent, data } }), read
// with zod. Unknown fields are ignored.

import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { stripControls } from "../../domain/text.ts";

/** Whether one of the header's v1 signatures is the body's HMAC under `secret` (compared in constant time). */
export function pagerDutySignatureValid(header: string | string[] | undefined, raw: Buffer, secret: string): boolean {
  if (typeof header !== "string" || header.length > 4000) return false;
  const expected = createHmac("sha256", secret).update(raw).digest();
  let ok = false;
  for (const part of header.split(",")) {
    const m = /^\s*v1=([0-9a-fA-F]{64})\s*$/.exec(part);
    if (!m) continue;
    // every candidate is compared, so the time taken does not tell which one matched
    if (timingSafeEqual(Buffer.from(m[1] as string, "hex"), expected)) ok = true;
  }
  return ok;
}

const text = (max: number) =>
  z
    .string({ error: "expected text" })
    .transform((s) => stripControls(s).slice(0, max))
    .nullish();

const reference = z.object({ id: z.string().max(100).nullish(), summary: text(500), html_url: text(2000) }).nullish();

export const PAGERDUTY_EVENT_TYPES = ["incident.triggered", "incident.acknowledged", "incident.resolved"] as const;

const envelope = z.object(
  {
    event: z.object(
      {
        id: z.string({ error: "expected the event's id" }).min(1, "must not be empty").max(200),
        event_type: z.string({ error: "expected the event's type, such as incident.triggered" }).min(1).max(100),
        resource_type: z.string().max(100).nullish(),
        occurred_at: z.string({ error: "expected an ISO 8601 time" }).refine((s) => !Number.isNaN(Date.parse(s)), { error: "expected an ISO 8601 time" }).nullish(),
        agent: reference,
        // the incident, for incident.* events (a ping carries something else)
        data: z
          .looseObject({
            id: z.string({ error: "expected the incident's id" }).min(1).max(100).nullish(),
            type: z.string().max(100).nullish(),
            html_url: text(2000),
            number: z.number().int().nullish(),
            status: text(50),
            title: text(1000),
            urgency: text(50),
            created_at: z.string().refine((s) => !Number.isNaN(Date.parse(s)), { error: "expected an ISO 8601 time" }).nullish(),
            service: reference,
            priority: reference,
          })
          .nullish(),
      },
      { error: "expected an object" },
    ),
  },
  { error: 'expected a JSON object with an "event" (a PagerDuty V3 webhook)' },
);

export interface PagerDutyEvent {
  readonly id: string;
  readonly type: string;
  readonly occurredAt: Date | null;
  readonly agent: string | null;
  readonly incident: {
    readonly id: string;
    readonly number: number | null;
    readonly title: string;
    readonly status: string | null;
    readonly urgency: string | null;
    readonly htmlUrl: string | null;
    readonly createdAt: Date | null;
    readonly service: string | null;
    readonly priority: string | null;
  } | null;
}

export type ParsedEvent = { ok: true; event: PagerDutyEvent } | { ok: false; message: string };

export function parsePagerDuty(raw: unknown): ParsedEvent {
  const parsed = envelope.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = (issue?.path ?? []).map(String).join(".");
    return { ok: false, message: `${path ? `${path}: ` : ""}${issue?.message ?? "invalid"}` };
  }
  const e = parsed.data.event;
  const d = e.data;
  return {
    ok: true,
    event: {
      id: e.id,
      type: e.event_type,
      occurredAt: e.occurred_at ? new Date(e.occurred_at) : null,
      agent: e.agent?.summary ?? null,
      incident:
        d?.id && (e.resource_type ?? d.type ?? "incident") === "incident"
          ? {
              id: d.id,
              number: d.number ?? null,
              title: d.title?.trim() || `PagerDuty incident ${d.number ?? d.id}`,
              status: d.status ?? null,
              urgency: d.urgency ?? null,
              htmlUrl: d.html_url ?? null,
              createdAt: d.created_at ? new Date(d.created_at) : null,
              service: d.service?.summary ?? null,
              priority: d.priority?.summary ?? null,
            }
          : null,
    },
  };
}
