// Alerts the way monitoring sends them: bodies from test/fixtures/alerts (see its README), varied per
// test; the webhooks POSTed as Alertmanager (bearer token) and PagerDuty (signed) do; the triage
// messages found in the fake, and their forms submitted as people do.

import { createHmac } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { FakeConversation, FakeMessage, FakeUser } from "../../src/local-slack/workspace.ts";
import type { Harness } from "./harness.ts";
import { clickButton } from "./incidents.ts";
import { until } from "./wait.ts";

const FIXTURES = path.join(import.meta.dirname, "..", "fixtures", "alerts");

export const ALERTS_TOKEN = "test-alerts-token-0123456789abcdef";
export const PAGERDUTY_SECRET = "test-pagerduty-secret-0123456789abcdef";

export function fixture(name: string): Record<string, any> {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES, name), "utf8")) as Record<string, any>;
}

export interface AlertOptions {
  groupKey?: string;
  alertname?: string;
  severity?: string;
  summary?: string;
  /** How many alerts, and their status (all the same unless `statuses` is given). */
  count?: number;
  status?: "firing" | "resolved";
  statuses?: ("firing" | "resolved")[];
  startsAt?: string;
  /** Fingerprints, by index (default derived from the group key and index). */
  fingerprints?: string[];
}

/** An Alertmanager body (from the fixture) for one group, with its alerts as asked. */
export function alertmanagerBody(o: AlertOptions = {}): Record<string, any> {
  const base = fixture("alertmanager-firing.json");
  const name = o.alertname ?? "CheckoutErrorRate";
  const key = o.groupKey ?? `{}/{severity="${o.severity ?? "critical"}"}:{alertname="${name}"}`;
  const count = o.count ?? o.statuses?.length ?? 2;
  const template = base.alerts[0];
  const alerts = Array.from({ length: count }, (_, i) => {
    const status = o.statuses?.[i] ?? o.status ?? "firing";
    const startsAt = o.startsAt ? new Date(new Date(o.startsAt).getTime() + i * 60_000).toISOString() : new Date(Date.parse(template.startsAt) + i * 60_000).toISOString();
    return {
      ...template,
      status,
      labels: { ...template.labels, alertname: name, instance: `checkout-${i}:8080`, severity: o.severity ?? "critical" },
      annotations: { ...template.annotations, ...(o.summary ? { summary: o.summary } : {}) },
      startsAt,
      endsAt: status === "resolved" ? new Date(Date.parse(startsAt) + 30 * 60_000).toISOString() : "0001-01-01T00:00:00Z",
      fingerprint: o.fingerprints?.[i] ?? `${Buffer.from(`${key}:${i}`).toString("hex").slice(-14)}${i.toString(16).padStart(2, "0")}`,
    };
  });
  const firing = alerts.some((a) => a.status === "firing");
  return {
    ...base,
    status: firing ? "firing" : "resolved",
    alerts,
    groupKey: key,
    groupLabels: { alertname: name },
    commonLabels: { ...base.commonLabels, alertname: name, severity: o.severity ?? "critical" },
    commonAnnotations: { ...base.commonAnnotations, ...(o.summary ? { summary: o.summary } : {}) },
  };
}

export function sendAlertmanager(h: Pick<Harness, "url">, body: unknown, token: string | null = ALERTS_TOKEN, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set("content-type", "application/json");
  if (token !== null) headers.set("authorization", `Bearer ${token}`);
  return fetch(`${h.url}/hooks/alertmanager`, { method: "POST", ...init, headers, body: typeof body === "string" ? body : JSON.stringify(body) });
}

export function pagerDutySignature(raw: string, secret = PAGERDUTY_SECRET): string {
  return `v1=${createHmac("sha256", secret).update(raw).digest("hex")}`;
}

/** A PagerDuty V3 event (from the fixture) of `type` about PagerDuty incident `incidentId`. */
export function pagerDutyBody(type: string, o: { eventId?: string; incidentId?: string; title?: string; urgency?: string; agent?: string; occurredAt?: string } = {}): Record<string, any> {
  const base = fixture("pagerduty-priority-updated.json");
  return {
    event: {
      ...base.event,
      id: o.eventId ?? `${type}-${Math.random().toString(16).slice(2)}`,
      event_type: type,
      occurred_at: o.occurredAt ?? new Date().toISOString(),
      agent: { ...base.event.agent, summary: o.agent ?? base.event.agent.summary },
      data: {
        ...base.event.data,
        id: o.incidentId ?? base.event.data.id,
        status: type === "incident.resolved" ? "resolved" : type === "incident.acknowledged" ? "acknowledged" : "triggered",
        title: o.title ?? base.event.data.title,
        urgency: o.urgency ?? base.event.data.urgency,
        created_at: new Date(Date.now() - 120_000).toISOString(),
      },
    },
  };
}

export function sendPagerDuty(h: Pick<Harness, "url">, body: unknown, signature?: string): Promise<Response> {
  const raw = typeof body === "string" ? body : JSON.stringify(body);
  return fetch(`${h.url}/hooks/pagerduty`, { method: "POST", headers: { "content-type": "application/json", "x-pagerduty-signature": signature ?? pagerDutySignature(raw) }, body: raw });
}

/** The triage messages in `channel`, oldest first. */
export function triageMessages(channel: FakeConversation): FakeMessage[] {
  return channel.messages.filter((m) => (typeof m.metadata?.event_payload.key === "string" ? m.metadata.event_payload.key : "").startsWith("triage:"));
}

/** Waits until the group with `groupKey` has its triage message posted; returns it as it is now. */
export async function triageMessageFor(h: Harness, channel: FakeConversation, groupKey: string, timeoutMs = 15_000): Promise<FakeMessage> {
  const row = await until(() => h.db.alertGroup.findFirst({ where: { groupKey, messageTs: { not: null } }, orderBy: { createdAt: "desc" } }), timeoutMs, `the triage message of ${groupKey}`);
  return until(() => channel.messages.find((m) => m.ts === row.messageTs), timeoutMs, "the triage message in the channel");
}

/** Text of a message, blocks included. */
export function textOf(m: FakeMessage): string {
  return `${m.text ?? ""}\n${JSON.stringify(m.blocks ?? [])}`;
}

/** Clicks a triage button and returns the form it opened (views.open for its trigger), if any. */
export async function clickTriage(h: Harness, channel: FakeConversation, message: FakeMessage, action: "declare" | "decline" | "merge", user: FakeUser, opts: { asShown?: boolean } = {}) {
  const clicked = await clickButton(h, channel, message, `warroom.triage_${action}`, user, opts);
  const opened = await until(() => h.fake.callsTo("views.open").find((c) => c.args.trigger_id === clicked.triggerId) ?? (h.fake.responsesTo(clicked.responseUrl).length > 0 ? "replied" : undefined), 5000, "the form or a reply");
  const view = opened === "replied" ? undefined : ((opened.response.view as Record<string, any> | undefined) ?? (opened.args.view as Record<string, any>));
  return { ...clicked, view };
}

/** Submits a form the bot opened, as `user` filled it in. */
export function submitView(h: Harness, view: Record<string, any>, values: Record<string, Record<string, unknown>>, user: FakeUser, viewId?: string) {
  return h.slack.interaction({
    type: "view_submission",
    team: { id: h.fake.ws.teamId, domain: h.fake.ws.teamDomain },
    user: { id: user.id, username: user.name, name: user.name, team_id: h.fake.ws.teamId },
    api_app_id: h.fake.ws.appId,
    trigger_id: h.fake.ws.newTrigger(user.id),
    view: { ...view, id: viewId ?? view.id ?? `V${Date.now()}`, state: { values } },
  });
}

/** The declare form as the Declare button opened it, submitted with what it was prefilled with. */
export function declareValues(view: Record<string, any>, overrides: { title?: string; severity?: string; commander?: string } = {}): Record<string, Record<string, unknown>> {
  const blocks = view.blocks as Record<string, any>[];
  const title = blocks.find((b) => b.block_id === "title")?.element.initial_value as string | undefined;
  const sevBlock = blocks.find((b) => String(b.block_id).startsWith("severity"));
  const severity = overrides.severity ?? (sevBlock?.element.initial_option?.value as string);
  const detection = blocks.find((b) => b.block_id === "detection")?.element.initial_value as string | undefined;
  const commander = overrides.commander ?? (blocks.find((b) => b.block_id === "commander")?.element.initial_user as string);
  return {
    title: { value: { type: "plain_text_input", value: overrides.title ?? title ?? "" } },
    [sevBlock?.block_id ?? "severity"]: { value: { type: "static_select", selected_option: { value: severity } } },
    impact: { value: { type: "plain_text_input", value: null } },
    detection: { value: { type: "plain_text_input", value: detection ?? null } },
    commander: { value: { type: "users_select", selected_user: commander } },
    private: { value: { type: "checkboxes", selected_options: [] } },
  };
}
