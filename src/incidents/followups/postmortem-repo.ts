// The postmortem in git (product.md §18, `postmortem_repo:`): when it is drafted and again when the
// incident is closed, its Markdown is committed to <path>/<YYYY-MM-DD>-inc-<n>-<slug>.md through
// GitHub's contents API — one file per incident (its path fixed at the first commit, so a renamed
// incident keeps its file), updated in place with its sha. Never a drill's; a private incident's only
// with include_private. A re-run finding the file already as it would write it commits nothing.

import { DateTime } from "luxon";
import { z } from "zod";
import { postmortemDocument, postmortemFilePath } from "../../domain/followups.ts";
import { incidentRef } from "../../domain/incident.ts";
import { safeToPlain } from "../../domain/text.ts";
import { loadIncident } from "../../store/incidents.ts";
import { TrackerError } from "../../trackers/tracker.ts";
import { retryOf } from "./export.ts";
import type { Ctx } from "../context.ts";
import { draft, jobType } from "../job-type.ts";

export const REPO_COMMIT_JOB = jobType({
  kind: "postmortem.commit",
  payload: z.object({ stage: z.enum(["drafted", "closed"]) }),
  failure: "commit the postmortem to git for",
  async run(ctx, p, job) {
    const settings = ctx.config.incident.postmortemRepo;
    const contents = ctx.postmortemRepo;
    if (!settings || !contents || !job.incidentId) return;
    const incident = await loadIncident(ctx.db, job.incidentId);
    if (!incident || incident.isDrill || (incident.isPrivate && !settings.includePrivate)) return;
    const pm = await ctx.db.postmortem.findUnique({ where: { incidentId: incident.id } });
    if (!pm?.markdown) return;
    const declaredOn = DateTime.fromJSDate(incident.declaredAt, { zone: ctx.config.incident.timezone }).toISODate() ?? incident.declaredAt.toISOString().slice(0, 10);
    const path = pm.repoPath ?? postmortemFilePath(settings.path, declaredOn, incident.number, safeToPlain(incident.title));
    const text = postmortemDocument(pm.markdown, {
      ref: incidentRef(incident),
      title: safeToPlain(incident.title),
      severity: incident.severity,
      status: incident.status,
      declaredAt: incident.declaredAt,
      resolvedAt: incident.resolvedAt,
      closedAt: incident.closedAt,
      channelUrl: incident.channelId ? `${ctx.bot.teamUrl.replace(/\/?$/, "/")}archives/${incident.channelId}` : null,
    });
    const repo = `${settings.owner}/${settings.repo}`;
    let url: string;
    try {
      const branch = await contents.branch(settings.branch);
      const existing = await contents.file(path, branch);
      if (existing?.text === text) {
        url = existing.url;
      } else {
        const message = p.stage === "drafted" ? `${incidentRef(incident)}: postmortem ${existing ? "redrafted" : "drafted"}` : `${incidentRef(incident)}: closed`;
        url = (await contents.put(path, branch, text, message, existing?.sha)).url;
      }
    } catch (err) {
      if (!(err instanceof TrackerError)) throw err;
      if (err.transient) throw retryOf(err);
      ctx.log.warn({ incident: incident.id, error: err.message }, "could not commit the postmortem");
      if (incident.channelId) await ctx.once.post(`pm:git:refused:${job.id}`, { channel: incident.channelId, text: `:warning: I could not commit the postmortem of ${incidentRef(incident)} to ${repo}: ${err.message}` });
      return;
    }
    await ctx.db.postmortem.update({ where: { incidentId: incident.id }, data: { repoPath: path, repoUrl: url || null } });
    ctx.log.info({ incident: incident.id, path, stage: p.stage }, `postmortem of ${incidentRef(incident)} committed to ${repo}`);
    if (incident.channelId && !pm.repoPath) {
      await ctx.once.post(`pm:git:${incident.id}`, { channel: incident.channelId, text: `:card_index_dividers: The postmortem of ${incidentRef(incident)} is in git: ${url ? `<${url}|${repo}/${path}>` : `${repo}/${path}`}. It is committed again when the incident is closed.` });
    }
  },
});

/** The commit job for an incident at a stage, when `postmortem_repo:` is configured. */
export function commitJobs(ctx: Ctx, incidentId: string, stage: "drafted" | "closed") {
  return ctx.config.incident.postmortemRepo ? [draft(REPO_COMMIT_JOB, { stage }, { incidentId, dedupeKey: `pm-git:${incidentId}` })] : [];
}
