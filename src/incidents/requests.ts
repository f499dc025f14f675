// Requests whose work is done just after the acknowledgement: the request itself is written as a job
// in one statement (so it is durable before Slack hears "ok"), the acknowledgement goes out, and this
// process's worker runs the job at once. Used on the hottest paths (the fast declaration and the role
// buttons), where people notice every millisecond; the result reaches them through response_url.

import type { Ctx } from "./context.ts";

export const REQUEST_JOB = {
  declare: "request.declare",
  takeRole: "request.take_role",
  assignRole: "request.assign_role",
} as const;

/** Records the request; false when the same request (same key) was already recorded. */
export async function recordRequest(ctx: Ctx, kind: string, key: string, payload: Record<string, unknown>, incidentId?: string): Promise<boolean> {
  const r = await ctx.requests.query(
    "INSERT INTO jobs (kind, incident_id, payload, due_at, dedupe_key) VALUES ($1, $2::uuid, $3::jsonb, $4, $5) ON CONFLICT (dedupe_key) DO NOTHING",
    [kind, incidentId ?? null, JSON.stringify(payload), ctx.clock.now(), key],
  );
  ctx.kick();
  return r.rowCount === 1;
}
