// PagerDuty's webhooks (v3): an incident triggered or resolved there is folded as an alert, and its
// acknowledgement there acknowledges the incident here.

import { z } from "zod";
import type { Notification } from "../../domain/alerts.ts";
import { acknowledgeElsewhere } from "../../domain/incident.ts";
import { describeEvent } from "../../domain/timeline.ts";
import { bumpGroup, latestGroup } from "../../store/alerts.ts";
import { enqueue } from "../../store/jobs.ts";
import type { Ctx } from "../context.ts";
import { decideAndSave } from "../decide.ts";
import { postJob } from "../effects.ts";
import { jobType } from "../job-type.ts";
import { recordOnce } from "../requests.ts";
import { foldNotification, when } from "./fold.ts";
import { triageRefreshDraft } from "./triage.ts";

// ---------- PagerDuty ----------

const pagerDutyPayload = z.object({
  id: z.string(),
  type: z.string(),
  occurredAt: when,
  agent: z.string().nullable(),
  incident: z.object({
    id: z.string(),
    number: z.number().nullable(),
    title: z.string(),
    status: z.string().nullable(),
    urgency: z.string().nullable(),
    htmlUrl: z.string().nullable(),
    createdAt: when,
    service: z.string().nullable(),
    priority: z.string().nullable(),
  }),
});

type PagerDutyPayload = z.output<typeof pagerDutyPayload>;

export const PAGERDUTY_JOB = jobType({
  kind: "alerts.pagerduty",
  payload: pagerDutyPayload,
  failure: "take in a PagerDuty event for",
  run: (ctx, e) => pagerDutyEvent(ctx, e),
});

/** Records a PagerDuty event before it is acknowledged, once per event id (a redelivery records nothing). */
export async function recordPagerDuty(ctx: Ctx, e: z.input<typeof pagerDutyPayload>): Promise<boolean> {
  return recordOnce(ctx, `pagerduty:${e.id}`, PAGERDUTY_JOB, e);
}

function pagerDutyNotification(e: PagerDutyPayload, status: "firing" | "resolved"): Notification {
  const i = e.incident;
  const labels: Record<string, string> = { alertname: i.title };
  if (i.service) labels.service = i.service;
  if (i.urgency) labels.urgency = i.urgency;
  if (i.priority) labels.priority = i.priority;
  if (i.number !== null) labels.pagerduty_incident = String(i.number);
  const alert = {
    fingerprint: i.id,
    status,
    labels,
    annotations: { summary: i.title },
    startsAt: i.createdAt ?? e.occurredAt,
    endsAt: status === "resolved" ? e.occurredAt : null,
    generatorUrl: i.htmlUrl,
  };
  return { source: "pagerduty", groupKey: `pagerduty:${i.id}`, status, groupLabels: { alertname: i.title }, commonLabels: labels, commonAnnotations: { summary: i.title }, externalUrl: null, alerts: [alert], severityValue: i.urgency };
}

async function pagerDutyEvent(ctx: Ctx, e: PagerDutyPayload): Promise<void> {
  switch (e.type) {
    case "incident.triggered":
      return foldNotification(ctx, pagerDutyNotification(e, "firing"));
    case "incident.resolved":
      return foldNotification(ctx, pagerDutyNotification(e, "resolved"));
    case "incident.acknowledged":
      return pagerDutyAcknowledged(ctx, e);
    default:
      ctx.log.debug({ type: e.type }, "a PagerDuty event this bot does not act on");
  }
}

async function pagerDutyAcknowledged(ctx: Ctx, e: PagerDutyPayload): Promise<void> {
  const now = ctx.clock.now();
  const group = await latestGroup(ctx.db, ctx.bot.teamId, "pagerduty", `pagerduty:${e.incident.id}`);
  if (!group) return;
  const agent = e.agent ?? null;
  await ctx.db.$transaction(async (tx) => {
    await bumpGroup(tx, group.id, { acknowledgedBy: agent ?? "someone" });
    await enqueue(tx, [triageRefreshDraft(group, now)], now);
  });
  ctx.kick();
  if (!group.incidentId || (group.status !== "declared" && group.status !== "merged")) return;
  await decideAndSave(
    ctx,
    group.incidentId,
    (incident) => acknowledgeElsewhere(incident, { where: "PagerDuty", agent, at: e.occurredAt ?? now }, ctx.bot.userId),
    (_before, after, events) => {
      const timeline = events.map(describeEvent);
      return { timeline, jobs: [postJob(after.id, `alerts:ack:${e.id}`, `:eyes: ${timeline.map((t) => t.text).join("\n")}`)] };
    },
    { requestKey: `pagerduty-ack:${e.id}` },
  );
}
