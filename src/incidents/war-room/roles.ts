// Roles changing hands: taking one (button), assigning one (picker or /incident role), handing IC on
// (/incident handoff) and taking IC over (button, after a confirmation). The database decides
// simultaneous claims (compare-and-set on the incident's version); the loser is told who holds it.
// Every change goes on the timeline, is echoed in the channel, re-renders the opening message (and
// the topic for IC), and welcomes the new holder with an invitation and their role's brief.

import { assignRole, handoff, type Incident, type IncidentEvent, incidentRef, takeRole } from "../../domain/incident.ts";
import type { AutoKey } from "../../domain/checklist.ts";
import { type Role, ROLES } from "../../domain/roles.ts";
import { z } from "zod";
import { describeEvent } from "../../domain/timeline.ts";
import type { JobDraft } from "../../store/jobs.ts";
import type { Ctx } from "../context.ts";
import { type Applied, type Consequences, decideAndSave } from "../decide.ts";
import { dmJob, postJob, refreshJob, welcomeJob } from "../effects.ts";
import { jobType } from "../job-type.ts";
import { tellAsker, tellOutcome } from "../requests.ts";

export function roleConsequences(before: Incident, after: Incident, events: IncidentEvent[]): Consequences {
  const timeline = events.map(describeEvent);
  const jobs: JobDraft[] = [];
  const icChanged = before.roles.ic !== after.roles.ic;
  jobs.push(refreshJob(after.id, { topic: icChanged }));
  events.forEach((e, i) => {
    if (e.kind !== "role_changed") return;
    const key = `role:${after.id}:${after.version}:${i}`;
    let echo = (timeline[i] as { text: string }).text;
    if (e.how === "handoff" && !e.summary) {
      echo += after.statusSummary ? `. Current status: ${after.statusSummary}` : ". No status update has been posted yet.";
    }
    jobs.push(postJob(after.id, `${key}:echo`, echo));
    jobs.push(welcomeJob(after.id, `${key}:welcome`, e.userId, e.role));
    if (e.how === "takeover" && e.previous) {
      jobs.push(dmJob(after.id, `${key}:previous`, e.previous, `<@${e.userId}> took over as Incident Commander of ${incidentRef(after)} from you. Thank you for holding it; hand over anything they need in the incident channel.`));
    }
    if (e.how === "handoff" && e.previous && e.previous !== e.by) {
      jobs.push(dmJob(after.id, `${key}:previous`, e.previous, `<@${e.by}> handed Incident Commander of ${incidentRef(after)} to <@${e.userId}>.`));
    }
  });
  const autoTicks: AutoKey[] = [];
  if (after.roles.ic) autoTicks.push("ic_assigned");
  if (after.roles.tech && after.roles.comms) autoTicks.push("roles_assigned");
  return { timeline, jobs, autoTicks };
}

export interface TakeInput {
  readonly incidentId: string;
  readonly role: Role;
  readonly actor: string;
  readonly expected?: string | null;
  readonly takeover?: boolean;
  readonly requestKey?: string;
}

export function takeRoleJourney(ctx: Ctx, input: TakeInput): Promise<Applied> {
  return decideAndSave(
    ctx,
    input.incidentId,
    (incident) =>
      takeRole(incident, input.role, input.actor, {
        ...(input.expected !== undefined ? { expected: input.expected } : {}),
        ...(input.takeover ? { takeover: true } : {}),
      }),
    roleConsequences,
    { requestKey: input.requestKey },
  );
}

export type PersonCheck = { ok: true } | { ok: false; reason: string };

/** Only active, human members of the workspace can hold a role. */
export async function checkPerson(ctx: Ctx, userId: string): Promise<PersonCheck> {
  if (userId === ctx.bot.userId) return { ok: false, reason: "I can't hold a role myself: pick a person." };
  const person = await ctx.users.lookup(userId);
  if (person === null) return { ok: false, reason: `Slack doesn't know <@${userId}>: pick someone from the @ list.` };
  if (person?.deleted) return { ok: false, reason: `<@${userId}> is deactivated: pick someone else.` };
  if (person?.isBot) return { ok: false, reason: `<@${userId}> is a bot: roles are for people.` };
  return { ok: true };
}

export interface AssignInput {
  readonly incidentId: string;
  readonly role: Role;
  readonly userId: string;
  readonly actor: string;
  readonly requestKey?: string;
}

export function assignRoleJourney(ctx: Ctx, input: AssignInput): Promise<Applied> {
  return decideAndSave(ctx, input.incidentId, (incident) => assignRole(incident, input.role, input.userId, input.actor), roleConsequences, { requestKey: input.requestKey });
}

export interface HandoffInput {
  readonly incidentId: string;
  readonly to: string;
  readonly actor: string;
  readonly summary?: string;
  readonly requestKey?: string;
}

export function handoffJourney(ctx: Ctx, input: HandoffInput): Promise<Applied> {
  return decideAndSave(ctx, input.incidentId, (incident) => handoff(incident, input.to, input.actor, input.summary), roleConsequences, { requestKey: input.requestKey });
}

const role = z.enum(ROLES);

/** The role buttons, recorded before the ack. */
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
