// Declaring: step 1 of the sequence, recording the incident, happens here, in one transaction with
// its first timeline entries and the jobs that do the rest (channel, invites, topic, opening message,
// broadcast, confirmation), so the incident exists, and its remaining steps are guaranteed, from the
// moment Slack is acknowledged. A repeated submission finds the incident it already made.

import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { Incident } from "../../domain/incident.ts";
import { requireSeverity } from "../../domain/severity.ts";
import { declaredEntry, describeEvent } from "../../domain/timeline.ts";
import type { Prisma } from "../../store/generated/client.ts";
import { enqueue, type JobDraft } from "../../store/jobs.ts";
import { addTimeline, findByDeclareKey, findRecentDuplicate, nextNumber, recordRoleChanges } from "../../store/incidents.ts";
import { autoTick, checklistTemplate, seedChecklist } from "./checklist.ts";
import type { Ctx } from "../context.ts";
import { jobType } from "../job-type.ts";
import { tellAsker } from "../requests.ts";
import { duplicateDeclaration } from "../../slack/blocks/war-room/announcements.ts";
import { notificationJobs } from "./notifications.ts";
import { provisionJob } from "./provision.ts";
import { punctuality } from "../../domain/record.ts";
import { initialPlan } from "./reminders.ts";
import { recordWebhooks } from "../out/webhooks.ts";

/** A second identical declaration by the same person within this window is the same incident. */
const DUPLICATE_WINDOW_MS = 2 * 60 * 1000;

export interface DeclareInput {
  readonly teamId: string;
  readonly userId: string;
  /** Plain text, already validated. */
  readonly title: string;
  /** A configured severity id. */
  readonly severity: string;
  readonly impact?: string;
  readonly detection?: string;
  /** Defaults to the declarer ("first responder becomes IC until someone explicitly takes over"). */
  readonly icId?: string | null;
  readonly isPrivate: boolean;
  /** A practice incident (drill). */
  readonly isDrill?: boolean;
  /** When the problem was first seen, if before the declaration (the earliest alert's start). */
  readonly detectedAt?: Date;
  /** What is known so far (mrkdwn-safe), the incident's first status summary. */
  readonly statusSummary?: string;
  readonly originChannelId?: string;
  readonly responseUrl?: string;
  /** Idempotency key of the request: a modal's view id, or derived from the command. */
  readonly declareKey: string;
  /**
   * Its own incident, never "the same as" a recent one with the same title by the same declarer
   * (a declaration from an alert group: two groups may share a title).
   */
  readonly distinct?: boolean;
  /** More to record in the declaration's transaction (linking the alert group it came from). */
  readonly also?: (tx: Prisma.TransactionClient, incidentId: string, now: Date) => Promise<JobDraft[] | void>;
}

export type DeclareResult = { kind: "declared"; incident: Incident } | { kind: "duplicate"; incident: Incident };

export async function declare(ctx: Ctx, input: DeclareInput): Promise<DeclareResult> {
  const now = ctx.clock.now();
  const severity = requireSeverity(ctx.config.incident.severities, input.severity);
  const id = randomUUID();
  // no IC (null) for an incident the bot declares from an alert: the opening message asks who takes it
  const ic = input.icId === undefined ? input.userId : input.icId;
  const isDrill = input.isDrill ?? false;
  // a person declaring acknowledges the incident; one the bot declared is acknowledged by the first person who acts in it
  const acknowledgedAt = input.userId === ctx.bot.userId ? null : now;
  const detectedAt = input.detectedAt && input.detectedAt < now ? input.detectedAt : null;
  const plan = initialPlan(ctx, { id, severity: severity.id, declaredAt: now }, now);
  const checklist = checklistTemplate(ctx.config.incident.templatesDir);
  const punct = punctuality([{ kind: "declared", at: now, cadence: severity.cadence }], now, ctx.config.incident.timezone);
  let number = 0;
  const built = (n: number): Incident => ({
    id,
    teamId: input.teamId,
    number: n,
    title: input.title,
    severity: severity.id,
    status: "investigating",
    isPrivate: input.isPrivate,
    isDrill,
    impact: input.impact ?? null,
    detection: input.detection ?? null,
    declaredBy: input.userId,
    declaredAt: now,
    roles: { ic, tech: null, comms: null, scribe: null },
    responders: [],
    channelId: null,
    channelName: null,
    openingTs: null,
    statusSummary: input.statusSummary ?? null,
    lastUpdateAt: null,
    nextUpdateDueAt: plan.nextUpdateDueAt,
    resolvedAt: null,
    closedAt: null,
    impactStartedAt: null,
    detectedAt,
    acknowledgedAt,
    mitigatedAt: null,
    timestampSources: {},
    cadenceEpoch: 0,
    severityChangedAt: null,
    snoozedUntil: null,
    version: 0,
  });
  try {
    const duplicate = await ctx.db.$transaction(async (tx) => {
      // one person's declarations of one title are decided one at a time, so two identical commands
      // sent at the same instant cannot both pass the duplicate check
      if (!input.distinct) {
        await tx.$queryRaw`SELECT 1 FROM pg_advisory_xact_lock(hashtext(${`declare:${input.teamId}:${input.userId}:${input.title}`}))`;
        const recent = await findRecentDuplicate(tx, input.teamId, input.userId, input.title, new Date(now.getTime() - DUPLICATE_WINDOW_MS));
        if (recent) return recent;
      }
      number = await nextNumber(tx, input.teamId);
      await tx.incident.create({
        data: {
          id,
          teamId: input.teamId,
          number,
          title: input.title,
          severity: severity.id,
          isPrivate: input.isPrivate,
          isDrill,
          impact: input.impact ?? null,
          detection: input.detection ?? null,
          declaredBy: input.userId,
          declaredAt: now,
          declareKey: input.declareKey,
          originChannelId: input.originChannelId ?? null,
          responseUrl: input.responseUrl ?? null,
          icId: ic,
          nextUpdateDueAt: plan.nextUpdateDueAt,
          acknowledgedAt,
          detectedAt,
          statusSummary: input.statusSummary ?? null,
          // nothing has happened yet that punctuality counts: worked out here, not read back
          punctKept: punct.kept,
          punctMissed: punct.missed,
          punctPendingAt: punct.pending,
        },
      });
      const roleEvents = ic ? [{ kind: "role_changed" as const, role: "ic" as const, userId: ic, previous: null, by: input.userId, how: ic === input.userId ? ("declared" as const) : ("assign" as const) }] : [];
      await recordRoleChanges(tx, id, roleEvents, now, { declaring: true });
      await addTimeline(tx, id, now, [declaredEntry({ by: input.userId, severity: severity.id, label: severity.label, title: input.title, isPrivate: input.isPrivate, isDrill }), ...roleEvents.map(describeEvent)]);
      await seedChecklist(tx, id, checklist);
      await autoTick(tx, id, ic && ic !== ctx.bot.userId ? ["declared", "ic_assigned"] : ["declared"], now);
      const more = (await input.also?.(tx, id, now)) ?? [];
      await recordWebhooks(ctx, tx, built(number), [{ type: "incident.declared", data: { by: input.userId } }], now);
      // step 6, scheduling the first reminders, is durable from the start too
      await enqueue(
        tx,
        [
          provisionJob(id, checklist.fallback),
          ...plan.jobs,
          ...notificationJobs(ctx.config, { id, isDrill }, severity.id, "declared", { why: "declared", by: input.userId }, now),
          ...more,
        ],
        now,
      );
      return undefined;
    });
    if (duplicate) return { kind: "duplicate", incident: duplicate };
  } catch (err) {
    // the same request raced itself (a double click): the other one made the incident
    if ((err as { code?: string }).code === "P2002") {
      const raced = await findByDeclareKey(ctx.db, input.declareKey);
      if (raced) return { kind: "duplicate", incident: raced };
    }
    throw err;
  }
  ctx.kick();
  ctx.metrics.incidentsDeclared.inc({ severity: severity.id });
  ctx.log.info({ incident: id, number, severity: severity.id, private: input.isPrivate }, "incident declared");
  const incident = built(number);
  return { kind: "declared", incident };
}

/** The fast declaration (the modal and `/incident declare` with a title), recorded before the ack. */
export const DECLARE_REQUEST = jobType({
  kind: "request.declare",
  payload: z.object({
    teamId: z.string(),
    userId: z.string(),
    title: z.string(),
    severity: z.string(),
    isDrill: z.boolean().default(false),
    originChannelId: z.string().optional(),
    responseUrl: z.string().optional(),
    /** The request's key: the declaration it makes carries it, so a second delivery finds it. */
    declareKey: z.string(),
  }),
  failure: "declare",
  asker: (p) => ({ userId: p.userId, responseUrl: p.responseUrl }),
  async run(ctx, req) {
    const result = await declare(ctx, {
      teamId: req.teamId,
      userId: req.userId,
      title: req.title,
      severity: req.severity,
      isPrivate: false,
      isDrill: req.isDrill,
      declareKey: req.declareKey,
      ...(req.originChannelId ? { originChannelId: req.originChannelId } : {}),
      ...(req.responseUrl ? { responseUrl: req.responseUrl } : {}),
    });
    if (result.kind === "duplicate") await tellAsker(ctx, req.responseUrl, duplicateDeclaration(result.incident).text, true);
  },
});
