// Requests saved before they are acknowledged, whose work is done a moment later by this process's
// worker: the fast declaration and the role buttons (their job types live in war-room/), and
// Events API deliveries (an inbox). The request is written as a job in one statement (which notifies the listening workers at its
// commit), so it is
// durable before Slack hears "ok"; the outcome reaches the person through the interaction's
// response_url. A request is named by one key: a second delivery of it records nothing new.

import { z } from "zod";
import { refusalText } from "../slack/blocks/refusals.ts";
import { postToResponseUrl } from "../slack/respond.ts";
import { enqueue, JOBS_CHANNEL, type JobDraft } from "../store/jobs.ts";
import type { Ctx } from "./context.ts";
import type { Applied } from "./decide.ts";
import type { JobType } from "./job-type.ts";

/** Records the request; false when the same request (same key) was already recorded. */
export async function recordRequest<S extends z.ZodType>(ctx: Ctx, type: JobType<S>, key: string, payload: z.input<S>, incidentId?: string): Promise<boolean> {
  const r = await ctx.requests.query(
    `WITH j AS (INSERT INTO jobs (kind, incident_id, payload, due_at, dedupe_key) VALUES ($1, $2::uuid, $3::jsonb, $4, $5) ON CONFLICT (dedupe_key) DO NOTHING RETURNING id)
     SELECT pg_notify('${JOBS_CHANNEL}', '') FROM j`,
    [type.kind, incidentId ?? null, JSON.stringify(payload), ctx.clock.now(), key],
  );
  ctx.kick();
  return r.rowCount === 1;
}

/**
 * Records a request that must be acted on once (a webhook event by its id) and its job, in one
 * statement; false when that id was already recorded (a redelivery).
 */
export async function recordOnce<S extends z.ZodType>(ctx: Ctx, onceKey: string, type: JobType<S>, payload: z.input<S>, incidentId?: string): Promise<boolean> {
  const now = ctx.clock.now();
  const r = await ctx.requests.query(
    `WITH seen AS (INSERT INTO processed_requests (key, received_at) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING RETURNING key)
     , j AS (INSERT INTO jobs (kind, incident_id, payload, due_at) SELECT $3, $5::uuid, $4::jsonb, $2 FROM seen RETURNING id)
     SELECT pg_notify('${JOBS_CHANNEL}', '') FROM j`,
    [onceKey, now, type.kind, JSON.stringify(payload), incidentId ?? null],
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

export async function tellOutcome(ctx: Ctx, responseUrl: string | undefined, r: Applied, subject: string): Promise<void> {
  if ("refusal" in r) await tellAsker(ctx, responseUrl, `:warning: ${refusalText(r.refusal, r.incident, subject)}`);
  else if ("missing" in r) await tellAsker(ctx, responseUrl, ":warning: That incident no longer exists.");
}
