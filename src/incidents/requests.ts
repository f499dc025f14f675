// Requests saved before they are acknowledged, whose work is done a moment later by this process's
// worker: the fast declaration and the role buttons (people notice every millisecond there), and
// Events API deliveries (an inbox). The request is written as a job in one statement, so it is
// durable before Slack hears "ok"; the outcome reaches the person through the interaction's
// response_url. A request is named by one key: a second delivery of it records nothing new.

import { z } from "zod";
import { incidentRef } from "../domain/incident.ts";
import { ROLES } from "../domain/roles.ts";
import { duplicateDeclaration } from "../slack/blocks/announcements.ts";
import { refusalText } from "../slack/blocks/refusals.ts";
import { postToResponseUrl } from "../slack/respond.ts";
import { enqueue, type JobDraft } from "../store/jobs.ts";
import type { Ctx } from "./context.ts";
import type { Applied } from "./decide.ts";
import { declare } from "./declare.ts";
import { type JobType, jobType } from "./job-type.ts";
import { assignRoleJourney, checkPerson, takeRoleJourney } from "./roles.ts";

/** Records the request; false when the same request (same key) was already recorded. */
export async function recordRequest<S extends z.ZodType>(ctx: Ctx, type: JobType<S>, key: string, payload: z.input<S>, incidentId?: string): Promise<boolean> {
  const r = await ctx.requests.query(
    "INSERT INTO jobs (kind, incident_id, payload, due_at, dedupe_key) VALUES ($1, $2::uuid, $3::jsonb, $4, $5) ON CONFLICT (dedupe_key) DO NOTHING",
    [type.kind, incidentId ?? null, JSON.stringify(payload), ctx.clock.now(), key],
  );
  ctx.kick();
  return r.rowCount === 1;
}

/**
 * Records a request that must be acted on once (a webhook event by its id) and its job, in one
 * statement; false when that id was already recorded (a redelivery).
 */
export async function recordOnce<S extends z.ZodType>(ctx: Ctx, onceKey: string, type: JobType<S>, payload: z.input<S>): Promise<boolean> {
  const now = ctx.clock.now();
  const r = await ctx.requests.query(
    `WITH seen AS (INSERT INTO processed_requests (key, received_at) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING RETURNING key)
     INSERT INTO jobs (kind, payload, due_at) SELECT $3, $4::jsonb, $2 FROM seen`,
    [onceKey, now, type.kind, JSON.stringify(payload)],
  );
  ctx.kick();
  return r.rowCount === 1;
}

/**
 * Records an Events API delivery and the job that acts on it in one transaction; false when the
 * event was already recorded (Slack redelivered it).
 */
export async function recordEvent(ctx: Ctx, eventId: string, job: JobDraft): Promise<boolean> {
  try {
    await ctx.db.$transaction(async (tx) => {
      await tx.processedRequest.create({ data: { key: `event:${eventId}` } });
      await enqueue(tx, [job], ctx.clock.now());
    });
  } catch (err) {
    if ((err as { code?: string }).code === "P2002") return false;
    throw err;
  }
  ctx.kick();
  return true;
}

/** An ephemeral answer to the person who asked, through their interaction's response_url. */
export async function tellAsker(ctx: Ctx, responseUrl: string | undefined, text: string, replace = false): Promise<boolean> {
  if (!responseUrl) return false;
  try {
    await postToResponseUrl(responseUrl, { response_type: "ephemeral", replace_original: replace, text });
    return true;
  } catch (err) {
    ctx.log.warn({ err }, "could not answer through response_url");
    return false;
  }
}

async function tellOutcome(ctx: Ctx, responseUrl: string | undefined, r: Applied, subject: string): Promise<void> {
  if ("refusal" in r) await tellAsker(ctx, responseUrl, `:warning: ${refusalText(r.refusal, r.incident, subject)}`);
  else if ("missing" in r) await tellAsker(ctx, responseUrl, ":warning: That incident no longer exists.");
}

const role = z.enum(ROLES);

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

export const TAKE_ROLE_REQUEST = jobType({
  kind: "request.take_role",
  payload: z.object({ incidentId: z.uuid(), role, actor: z.string(), expected: z.string().nullable(), responseUrl: z.string().optional() }),
  failure: "record a role taken in",
  asker: (p) => ({ userId: p.actor, responseUrl: p.responseUrl }),
  async run(ctx, req) {
    const r = await takeRoleJourney(ctx, { incidentId: req.incidentId, role: req.role, actor: req.actor, expected: req.expected, takeover: req.role === "ic" && req.expected !== null });
    await tellOutcome(ctx, req.responseUrl, r, req.actor);
    if (r.ok && r.events.some((e) => e.kind === "role_changed" && e.how === "takeover")) {
      await tellAsker(ctx, req.responseUrl, `You are now the Incident Commander of ${incidentRef(r.after)}; the previous IC has been told.`);
    }
  },
});

export const ASSIGN_ROLE_REQUEST = jobType({
  kind: "request.assign_role",
  payload: z.object({ incidentId: z.uuid(), role, userId: z.string(), actor: z.string(), responseUrl: z.string().optional() }),
  failure: "record a role assigned in",
  asker: (p) => ({ userId: p.actor, responseUrl: p.responseUrl }),
  async run(ctx, req) {
    const check = await checkPerson(ctx, req.userId);
    if (!check.ok) {
      await tellAsker(ctx, req.responseUrl, `:warning: ${check.reason}`);
      return;
    }
    const r = await assignRoleJourney(ctx, { incidentId: req.incidentId, role: req.role, userId: req.userId, actor: req.actor });
    await tellOutcome(ctx, req.responseUrl, r, req.userId);
  },
});
