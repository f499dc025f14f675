// The status page journey. The form proposes what to publish (the last publication, or the
// incident's title, status and a severity's impact) with the page's components; a submission is
// recorded as a job before Slack hears "ok". The job publishes: the first time it creates the page's
// incident, marked with ours, after looking for one already marked (a crash after the page answered
// but before we recorded it leaves one there); later it updates it, unless the page already says
// the same (a retry after a crash publishes nothing twice). Each outcome is said in the channel with
// the public link and goes on the timeline; a failing call is said there too and tried again (or,
// refused for good, said with why). Drills never reach the page.

import { z } from "zod";
import { type Incident, inCharge } from "../../domain/incident.ts";
import { PUBLIC_IMPACTS, PUBLIC_STATUSES, type Publication, publicationSchema, proposedImpact, proposedStatus, saysTheSame, isMarked, type PublicState, type StatuspageRefusal } from "../../domain/statuspage.ts";
import { RetryJobError } from "../../scheduler/worker.ts";
import { askResolvePublic, type PageComponent, publicationTimelineText, publishedMessage, publishFailedMessage, statuspageModal } from "../../slack/blocks/out/statuspage.ts";
import { StatuspageError, type StatuspageIncident, stateOf } from "../../statuspage/client.ts";
import { addTimeline, loadIncident } from "../../store/incidents.ts";
import { pageIncidentOf } from "../../store/status-page.ts";
import { pageIncidentLink, pageIncidentOpen } from "./status-page.ts";
import { ensurePublicIncident, leasePublication, publicIncidentOf, type PublicIncidentRow, recordFound, recordPublished, releasePublication } from "../../store/statuspage.ts";
import type { Ctx } from "../context.ts";
import { draft, jobType } from "../job-type.ts";
import { recordOnce } from "../requests.ts";
import { autoTick } from "../war-room/checklist.ts";
import type { JobDraft } from "../../store/jobs.ts";

/** How long the form waits for the page's components before opening without them (the trigger lasts 3 s). */
const COMPONENTS_WAIT_MS = 1_200;
const LEASE_MS = 60_000;

export function whyNotStatuspage(ctx: Ctx, incident: Incident): StatuspageRefusal | undefined {
  if (!ctx.statuspage && !ctx.ownPage) return "not_configured";
  if (incident.isDrill) return "drill";
  return undefined;
}


/** The page's components for the form, at most COMPONENTS_WAIT_MS late, groups left out. */
async function componentsForForm(ctx: Ctx): Promise<readonly PageComponent[] | { error: string }> {
  const sp = ctx.statuspage;
  if (!sp) return { error: "the status page is not configured" };
  let timer: NodeJS.Timeout | undefined;
  try {
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new StatuspageError("Statuspage did not answer in time", null, true)), COMPONENTS_WAIT_MS);
    });
    const all = await Promise.race([sp.cachedComponents(), late]);
    return all
      .filter((c) => !c.group)
      .sort((a, b) => (a.position ?? 0) - (b.position ?? 0))
      .map((c) => ({ id: c.id, name: c.name }));
  } catch (err) {
    ctx.log.warn({ err: err instanceof StatuspageError ? err.message : err }, "could not read the status page's components for the form");
    return { error: err instanceof StatuspageError ? err.message : "an unexpected answer" };
  } finally {
    clearTimeout(timer);
  }
}

/** The form for `incident`: what it proposes, the pages it publishes to with their components, and the public links if any. */
export async function statuspageForm(ctx: Ctx, incident: Incident, opts: { status?: (typeof PUBLIC_STATUSES)[number]; body?: string } = {}): Promise<Record<string, unknown>> {
  const [row, components, pageRow] = await Promise.all([
    ctx.statuspage ? publicIncidentOf(ctx.db, incident.id) : Promise.resolve(null),
    ctx.statuspage ? componentsForForm(ctx) : Promise.resolve(undefined),
    ctx.ownPage ? pageIncidentOf(ctx.db, incident.id) : Promise.resolve(null),
  ]);
  const ladder = ctx.config.incident.severities;
  const impactOf = (i: string | null | undefined): Publication["impact"] => ((PUBLIC_IMPACTS as readonly string[]).includes(i ?? "") ? (i as Publication["impact"]) : "minor");
  const known = row?.statuspageId && row.name && row.status;
  const start: Publication = known
    ? { name: row.name as string, status: opts.status ?? (row.status as Publication["status"]), body: opts.body ?? "", impact: impactOf(row.impact), componentIds: row.componentIds }
    : pageRow
      ? { name: pageRow.name, status: opts.status ?? (pageRow.status as Publication["status"]), body: opts.body ?? "", impact: impactOf(pageRow.impact), componentIds: [] }
      : {
          name: incident.title,
          status: opts.status ?? proposedStatus(incident.status),
          body: opts.body ?? "",
          impact: proposedImpact(ladder.findIndex((s) => s.id === incident.severity)),
          componentIds: [],
        };
  const own = ctx.ownPage;
  return statuspageModal(incident, {
    start,
    ...(ctx.statuspage && components ? { statuspage: { components, shortlink: row?.shortlink ?? null } } : {}),
    ...(own
      ? {
          ownPage: {
            title: own.settings.title,
            components: own.settings.components.map((c) => ({ id: c.id, name: c.group ? `${c.group}: ${c.name}` : c.name })),
            componentIds: pageRow?.componentIds ?? [],
            link: pageRow ? pageIncidentLink(ctx, pageRow.id) : null,
            exists: Boolean(pageRow),
          },
        }
      : {}),
  });
}

const PUBLISH_PAYLOAD = z.object({ publication: publicationSchema, actor: z.string() });

/**
 * Records a submission of the form (its job, before the acknowledgement); false when the same
 * submission was already recorded.
 */
export async function requestPublication(ctx: Ctx, incident: Incident, p: Publication, actor: string, requestKey: string): Promise<boolean> {
  // remembered for good, not only while its job waits: a redelivery of a submission whose job has
  // started already records nothing (it would otherwise say "already says this" a second time)
  return recordOnce(ctx, `publication:${requestKey}`, PUBLISH_JOB, { publication: { ...p, componentIds: [...p.componentIds] }, actor }, incident.id);
}

function publishedState(row: PublicIncidentRow): PublicState {
  return { name: row.name ?? "", status: row.status ?? "", body: row.lastBody, impact: row.impact, componentIds: row.componentIds };
}

async function say(ctx: Ctx, incident: Incident, key: string, m: { text: string; blocks: unknown[] }): Promise<void> {
  if (!incident.channelId) return;
  await ctx.once.post(key, { channel: incident.channelId, text: m.text, blocks: m.blocks });
}

async function publish(ctx: Ctx, incident: Incident, p: Publication, actor: string, jobId: number): Promise<void> {
  const sp = ctx.statuspage;
  if (!sp) return;
  const row = (await publicIncidentOf(ctx.db, incident.id)) as PublicIncidentRow;
  let remote: StatuspageIncident | undefined;
  let how: "created" | "updated" | "unchanged";
  if (!row.statuspageId) {
    // asked before and perhaps created, but not recorded: look for our marker before creating
    remote = (await sp.unresolved()).find((i) => isMarked(i.metadata, incident.id));
    if (remote) {
      ctx.log.info({ incident: incident.id, statuspage: remote.id }, "found the status page incident an earlier attempt created; not creating another");
      await recordFound(ctx.db, incident.id, remote.id, remote.shortlink ?? null);
    }
  }
  const hadId = Boolean(row.statuspageId);
  if (!row.statuspageId && !remote) {
    remote = await sp.create(p, incident.id);
    how = "created";
  } else {
    const id = row.statuspageId ?? (remote as StatuspageIncident).id;
    const current = remote ?? (await sp.get(id));
    if (saysTheSame(stateOf(current), p)) {
      // the page says it: either it was said before (unchanged), or an attempt of this job said it and crashed
      const recordedSame = hadId && saysTheSame(publishedState(row), p);
      how = recordedSame ? "unchanged" : hadId ? "updated" : "created";
      remote = current;
    } else {
      remote = await sp.update(id, p);
      how = "updated";
    }
  }
  const published = { statuspageId: remote.id, shortlink: remote.shortlink ?? row.shortlink ?? null, name: p.name, status: p.status, body: p.body, impact: p.impact, componentIds: p.componentIds };
  const at = ctx.clock.now();
  await ctx.db.$transaction(async (tx) => {
    await recordPublished(tx, incident.id, published);
    if (how !== "unchanged") {
      const text = publicationTimelineText(actor, how, p, published.shortlink);
      await addTimeline(tx, incident.id, at, [{ kind: "status_page", actorId: actor, text, data: { statuspageId: published.statuspageId, status: p.status, impact: p.impact, components: p.componentIds } }], { sourceKey: `statuspage:${jobId}` });
      if (p.status === "resolved") await autoTick(tx, incident.id, ["status_page"], at);
    }
  });
  if (how !== "unchanged" && p.status === "resolved") ctx.kick();
  await say(ctx, incident, `statuspage:done:${jobId}`, publishedMessage(incident, p, how, published.shortlink, actor, ctx.ownPage ? "Statuspage" : undefined));
}

export const PUBLISH_JOB = jobType({
  kind: "statuspage.publish",
  payload: PUBLISH_PAYLOAD,
  failure: "publish to the status page for",
  async run(ctx, { publication: p, actor }, job) {
    const incident = job.incidentId ? await loadIncident(ctx.db, job.incidentId) : undefined;
    const sp = ctx.statuspage;
    if (!incident || !sp) {
      if (!sp) ctx.log.warn({ job: job.id }, "a status page publication was asked for, but statuspage is no longer configured; dropped");
      return;
    }
    if (incident.isDrill) return;
    await ensurePublicIncident(ctx.db, incident.id, sp.pageId);
    const holder = `sp-${job.id}`;
    const now = ctx.clock.now();
    if (!(await leasePublication(ctx.db, incident.id, holder, job.id, PUBLISH_JOB.kind, now, new Date(now.getTime() + LEASE_MS)))) {
      throw new RetryJobError("another publication of this incident comes first", 500, true);
    }
    try {
      await publish(ctx, incident, p, actor, job.id);
    } catch (err) {
      if (!(err instanceof StatuspageError)) throw err;
      if (!err.transient) {
        ctx.log.warn({ incident: incident.id, status: err.status, error: err.message }, "the status page refused a publication");
        await say(ctx, incident, `statuspage:refused:${job.id}`, publishFailedMessage(incident, err.message, false));
        return;
      }
      ctx.log.warn({ incident: incident.id, status: err.status, error: err.message, attempt: job.attempts }, "a status page call failed; will retry");
      await say(ctx, incident, `statuspage:failed:${job.id}`, publishFailedMessage(incident, err.message, true));
      throw new RetryJobError(`the status page: ${err.message}`, err.retryAfterMs);
    } finally {
      await releasePublication(ctx.db, incident.id, holder);
    }
  },
});

/** After a resolve: asks the IC, once per resolution, whether to resolve the public incident too. */
export const ASK_RESOLVE_JOB = jobType({
  kind: "statuspage.ask_resolve",
  payload: z.object({ resolvedAt: z.string() }),
  failure: "ask about the status page for",
  async run(ctx, p, job) {
    const incident = job.incidentId ? await loadIncident(ctx.db, job.incidentId) : undefined;
    if (!incident?.channelId || incident.resolvedAt?.toISOString() !== p.resolvedAt) return;
    const row = ctx.statuspage ? await publicIncidentOf(ctx.db, incident.id) : null;
    const remoteOpen = Boolean(row?.statuspageId && row.state !== "resolved");
    const own = await pageIncidentOpen(ctx, incident.id);
    if (!remoteOpen && !own.open) return;
    await say(ctx, incident, `statuspage:ask:${incident.id}:${p.resolvedAt}`, askResolvePublic(incident, inCharge(incident), (remoteOpen ? row?.shortlink : null) ?? (own.open ? own.link : null)));
  },
});

/** The jobs a resolve plans for the status pages (none without one, or for a drill). */
export function statuspageJobsOnResolve(ctx: Ctx, incident: Incident, resolvedAt: Date): JobDraft[] {
  if ((!ctx.statuspage && !ctx.ownPage) || incident.isDrill) return [];
  return [draft(ASK_RESOLVE_JOB, { resolvedAt: resolvedAt.toISOString() }, { incidentId: incident.id })];
}

/** The message the form proposes when the public incident is resolved from the resolve question. */
export const RESOLVED_BODY = "This incident has been resolved. Thank you for your patience.";
