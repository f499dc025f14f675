// Publishing to the status page Warroom serves itself (/status). The same form as Atlassian
// Statuspage's records a job before Slack hears "ok"; the job writes the public incident and its
// update in one transaction with the timeline entry, keyed by the job, so a retry after a crash
// adds nothing; then it says so in the channel with the public link and tells the page it changed.
// Only what the form said is written: the public title, status, message, impact and components.
// Drills never reach the page.

import { z } from "zod";
import { type Incident } from "../../domain/incident.ts";
import { type Publication, publicationSchema, saysTheSame } from "../../domain/statuspage.ts";
import { RetryJobError } from "../../scheduler/worker.ts";
import { publicationTimelineText, publishedMessage } from "../../slack/blocks/out/statuspage.ts";
import { addTimeline, loadIncident } from "../../store/incidents.ts";
import { earlierPublicationWaits, pageIncidentOf, writePublication } from "../../store/status-page.ts";
import type { Ctx } from "../context.ts";
import { jobType } from "../job-type.ts";
import { recordOnce } from "../requests.ts";
import { autoTick } from "../war-room/checklist.ts";


/** The public link of a page incident: under status_page.public_url, or none (a relative path means nothing in Slack). */
export function pageIncidentLink(ctx: Ctx, publicId: string): string | null {
  const base = ctx.ownPage?.settings.publicUrl;
  return base ? `${base}/status/incidents/${publicId}` : null;
}

/** Records a submission of the form for the built-in page (its job, before the acknowledgement). */
export async function requestPagePublication(ctx: Ctx, incident: Incident, p: Publication, actor: string, requestKey: string): Promise<boolean> {
  // remembered for good, not only while its job waits: a redelivery of a submission whose job has
  // started already records nothing (it would otherwise say "already says this" a second time)
  return recordOnce(ctx, `publication:${requestKey}`, PAGE_PUBLISH_JOB, { publication: { ...p, componentIds: [...p.componentIds] }, actor }, incident.id);
}

/** Only the components the page has (one removed from the config since the form opened is left out). */
function knownComponents(ctx: Ctx, ids: readonly string[]): string[] {
  const known = new Set(ctx.ownPage?.settings.components.map((c) => c.id));
  return [...new Set(ids)].filter((id) => known.has(id));
}

export const PAGE_PUBLISH_JOB = jobType({
  kind: "status_page.publish",
  payload: z.object({ publication: publicationSchema, actor: z.string() }),
  failure: "publish to the status page for",
  async run(ctx, { publication: asked, actor }, job) {
    const incident = job.incidentId ? await loadIncident(ctx.db, job.incidentId) : undefined;
    if (!incident || !ctx.ownPage) {
      if (!ctx.ownPage) ctx.log.warn({ job: job.id }, "a status page publication was asked for, but status_page is no longer configured; dropped");
      return;
    }
    if (incident.isDrill) return;
    if (await earlierPublicationWaits(ctx.db, incident.id, PAGE_PUBLISH_JOB.kind, job.id)) {
      throw new RetryJobError("an earlier publication of this incident comes first", 500, true);
    }
    const p = { ...asked, componentIds: knownComponents(ctx, asked.componentIds) };
    const at = ctx.clock.now();
    const result = await ctx.db.$transaction(async (tx) => {
      const written = await writePublication(tx, incident.id, p, `job:${job.id}`, at, (current, body) =>
        saysTheSame({ name: current.name, status: current.status, body, impact: current.impact, componentIds: current.componentIds }, p),
      );
      if (written.how === "created" || written.how === "updated") {
        const text = publicationTimelineText(actor, written.how, p, pageIncidentLink(ctx, written.row.id));
        await addTimeline(tx, incident.id, at, [{ kind: "status_page", actorId: actor, text, data: { page: "warroom", publicId: written.row.id, status: p.status, impact: p.impact, components: p.componentIds } }], {
          sourceKey: `status_page:${job.id}`,
        });
        if (p.status === "resolved") await autoTick(tx, incident.id, ["status_page"], at);
      }
      return written;
    });
    if (result.how !== "unchanged") {
      ctx.ownPage.changed();
      ctx.kick();
    }
    const how = result.how === "again" ? (result.first ? "created" : "updated") : result.how;
    if (incident.channelId) {
      const m = publishedMessage(incident, { status: p.status, impact: p.impact, body: p.body }, how, pageIncidentLink(ctx, result.row.id), actor, ctx.ownPage.settings.title);
      await ctx.once.post(`status_page:done:${job.id}`, { channel: incident.channelId, text: m.text, blocks: m.blocks });
    }
  },
});

/** Whether the incident's public incident on the built-in page is still open (the resolve question). */
export async function pageIncidentOpen(ctx: Ctx, incidentId: string): Promise<{ open: boolean; link: string | null }> {
  if (!ctx.ownPage) return { open: false, link: null };
  const row = await pageIncidentOf(ctx.db, incidentId);
  return { open: Boolean(row && row.status !== "resolved"), link: row ? pageIncidentLink(ctx, row.id) : null };
}
