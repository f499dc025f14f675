// Alertmanager's webhook body (notify/webhook: version 4, a template.Data plus groupKey and
// truncatedAlerts) and Grafana's, a superset (orgId, title, state, message, and per alert values,
// silenceURL, dashboardURL, panelURL), read with zod. Unknown fields are ignored; what we use is
// checked, and a problem is named by its path ("alerts[0].startsAt: …"). Go's zero time
// (0001-01-01T00:00:00Z) means "not set".

import { createHash } from "node:crypto";
import { z } from "zod";
import { type AlertInput, type Notification, severityValueOf } from "../../domain/alerts.ts";
import { stripControls } from "../../domain/text.ts";

/** Longest label or annotation value kept (the rest is cut with an ellipsis). */
const VALUE_MAX = 2000;
/** Labels or annotations kept per alert. */
const KEYS_MAX = 100;

function keep(record: Record<string, string> | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  let n = 0;
  for (const [k, v] of Object.entries(record ?? {})) {
    if (n++ >= KEYS_MAX) break;
    const clean = stripControls(v);
    out[stripControls(k).slice(0, 200)] = clean.length > VALUE_MAX ? `${clean.slice(0, VALUE_MAX - 1)}…` : clean;
  }
  return out;
}

const labelSet = z
  .record(z.string(), z.string({ error: "expected text" }), { error: "expected an object of text values" })
  .nullish()
  .transform(keep);

const time = z
  .string({ error: "expected an RFC 3339 time such as 2026-01-31T14:00:00Z" })
  .nullish()
  .transform((s, ctx) => {
    if (!s || s.startsWith("0001-01-01")) return null;
    const ms = Date.parse(s);
    if (Number.isNaN(ms) || !/^\d{4}-\d{2}-\d{2}T/.test(s)) {
      ctx.addIssue({ code: "custom", message: `expected an RFC 3339 time such as 2026-01-31T14:00:00Z (got "${s.slice(0, 40)}")` });
      return z.NEVER;
    }
    return new Date(ms);
  });

const status = z.enum(["firing", "resolved"], { error: 'expected "firing" or "resolved"' });

const alert = z.object({
  status,
  labels: labelSet,
  annotations: labelSet,
  startsAt: time,
  endsAt: time,
  generatorURL: z.string({ error: "expected a URL" }).max(10_000).nullish(),
  fingerprint: z.string({ error: "expected text" }).max(200).nullish(),
});

const body = z.object(
  {
    version: z.string({ error: "expected text" }).max(20).nullish(),
    groupKey: z.string({ error: "expected the group's key (text)" }).min(1, "must not be empty").max(4000, "must be at most 4000 characters"),
    status,
    receiver: z.string().max(500).nullish(),
    groupLabels: labelSet,
    commonLabels: labelSet,
    commonAnnotations: labelSet,
    externalURL: z.string({ error: "expected a URL" }).max(10_000).nullish(),
    alerts: z.array(alert, { error: "expected a list of alerts" }).min(1, "expected at least one alert").max(5000, "at most 5000 alerts"),
    // Grafana's own fields: only their presence is read (to name the source)
    orgId: z.unknown().optional(),
    state: z.unknown().optional(),
  },
  { error: "expected a JSON object (Alertmanager's webhook body)" },
);

/** Alertmanager's fingerprint is a hash of the labels; one is made the same way when it is missing. */
function fingerprintOf(labels: Record<string, string>): string {
  const sorted = Object.keys(labels)
    .sort()
    .map((k) => `${k}\u0000${labels[k]}`)
    .join("\u0001");
  return createHash("sha256").update(sorted).digest("hex").slice(0, 16);
}

export type Parsed = { ok: true; notification: Notification } | { ok: false; message: string };

/** The body, read; or what is wrong with it, as "path: problem". */
export function parseAlertmanager(raw: unknown, severityLabel: string): Parsed {
  const parsed = body.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = (issue?.path ?? []).map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join("");
    return { ok: false, message: `${path ? `${path}: ` : ""}${issue?.message ?? "invalid"}` };
  }
  const b = parsed.data;
  const alerts: AlertInput[] = b.alerts.map((a) => ({
    fingerprint: a.fingerprint?.trim() || fingerprintOf(a.labels),
    status: a.status,
    labels: a.labels,
    annotations: a.annotations,
    startsAt: a.startsAt,
    endsAt: a.status === "resolved" ? a.endsAt : null,
    generatorUrl: a.generatorURL?.trim() || null,
  }));
  const grafana = b.orgId !== undefined || b.state !== undefined;
  return {
    ok: true,
    notification: {
      source: grafana ? "grafana" : "alertmanager",
      groupKey: b.groupKey,
      status: b.status,
      groupLabels: b.groupLabels,
      commonLabels: b.commonLabels,
      commonAnnotations: b.commonAnnotations,
      externalUrl: b.externalURL?.trim() || null,
      alerts,
      severityValue: severityValueOf(severityLabel, b.commonLabels, alerts),
    },
  };
}
