// The jobs behind requests recorded before their acknowledgement (requests.ts): declaring from the
// fast path, taking a role with a button, assigning one with a picker. Their outcome reaches the
// person through the interaction's response_url.

import { z } from "zod";
import { incidentRef } from "../domain/incident.ts";
import { ROLES } from "../domain/roles.ts";
import type { ClaimedJob } from "../scheduler/queue.ts";
import { duplicateDeclaration } from "../slack/blocks/announcements.ts";
import { refusalText } from "../slack/blocks/refusals.ts";
import { postToResponseUrl } from "../slack/respond.ts";
import type { Ctx } from "./context.ts";
import type { Applied } from "./decide.ts";
import { declare } from "./declare.ts";
import { assignRoleJourney, checkPerson, takeRoleJourney } from "./roles.ts";

async function tell(ctx: Ctx, responseUrl: string | undefined, text: string, replace = false): Promise<void> {
  if (!responseUrl) return;
  try {
    await postToResponseUrl(responseUrl, { response_type: "ephemeral", replace_original: replace, text });
  } catch (err) {
    ctx.log.warn({ err }, "could not answer through response_url");
  }
}

async function tellOutcome(ctx: Ctx, responseUrl: string | undefined, r: Applied, subject: string): Promise<void> {
  if ("refusal" in r) await tell(ctx, responseUrl, `:warning: ${refusalText(r.refusal, r.incident, subject)}`);
  else if ("missing" in r) await tell(ctx, responseUrl, ":warning: That incident no longer exists.");
}

const declareRequest = z.object({
  teamId: z.string(),
  userId: z.string(),
  title: z.string(),
  severity: z.string(),
  originChannelId: z.string().optional(),
  responseUrl: z.string().optional(),
  declareKey: z.string(),
});

export async function declareRequestJob(ctx: Ctx, job: ClaimedJob): Promise<void> {
  const req = declareRequest.parse(job.payload);
  const result = await declare(ctx, {
    teamId: req.teamId,
    userId: req.userId,
    title: req.title,
    severity: req.severity,
    isPrivate: false,
    declareKey: req.declareKey,
    ...(req.originChannelId ? { originChannelId: req.originChannelId } : {}),
    ...(req.responseUrl ? { responseUrl: req.responseUrl } : {}),
  });
  if (result.kind === "duplicate") {
    const m = duplicateDeclaration(result.incident);
    await tell(ctx, req.responseUrl, m.text, true);
  }
}

const takeRequest = z.object({
  incidentId: z.uuid(),
  role: z.enum(ROLES as unknown as [string, ...string[]]),
  actor: z.string(),
  expected: z.string().nullable(),
  responseUrl: z.string().optional(),
});

export async function takeRoleRequestJob(ctx: Ctx, job: ClaimedJob): Promise<void> {
  const req = takeRequest.parse(job.payload);
  const role = req.role as (typeof ROLES)[number];
  const r = await takeRoleJourney(ctx, { incidentId: req.incidentId, role, actor: req.actor, expected: req.expected, takeover: role === "ic" && req.expected !== null });
  await tellOutcome(ctx, req.responseUrl, r, req.actor);
  if (r.ok && r.events.some((e) => e.kind === "role_changed" && e.how === "takeover")) {
    await tell(ctx, req.responseUrl, `You are now the Incident Commander of ${incidentRef(r.after)}; the previous IC has been told.`);
  }
}

const assignRequest = z.object({
  incidentId: z.uuid(),
  role: z.enum(ROLES as unknown as [string, ...string[]]),
  userId: z.string(),
  actor: z.string(),
  responseUrl: z.string().optional(),
});

export async function assignRoleRequestJob(ctx: Ctx, job: ClaimedJob): Promise<void> {
  const req = assignRequest.parse(job.payload);
  const check = await checkPerson(ctx, req.userId);
  if (!check.ok) {
    await tell(ctx, req.responseUrl, `:warning: ${check.reason}`);
    return;
  }
  const r = await assignRoleJourney(ctx, { incidentId: req.incidentId, role: req.role as (typeof ROLES)[number], userId: req.userId, actor: req.actor });
  await tellOutcome(ctx, req.responseUrl, r, req.userId);
}
