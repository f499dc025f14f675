// Drafting and publishing the postmortem, as a job, after resolving and on
// `/incident postmortem`. Published as the incident channel's canvas (created once, edited in place
// on re-drafts); where canvases are unavailable, as an uploaded Markdown file. Stored either way.
// It never blocks or undoes resolving: a template or publishing failure is said in the channel, and
// `/incident postmortem` retries.

import { enqueue } from "../../store/jobs.ts";
import { commitJobs } from "../followups/postmortem-repo.ts";
import { incidentRef } from "../../domain/incident.ts";
import { escapeMrkdwn, truncate } from "../../domain/text.ts";
import { autoTickNow } from "../war-room/checklist.ts";
import type { Ctx } from "../context.ts";
import { channelOf } from "../notify.ts";
import { explainSlackError } from "../../slack/explain.ts";
import { z } from "zod";
import type { ClaimedJob } from "../../store/jobs.ts";
import { draft, jobType } from "../job-type.ts";
import { recordWebhooks } from "../out/webhooks.ts";
import { isSlackError, toSlackError } from "../../slack/api.ts";
import { postmortemReady } from "../../slack/blocks/resolution/messages.ts";
import { loadIncident } from "../../store/incidents.ts";
import { type PostmortemAi, postmortemData } from "../../postmortem/data.ts";
import { postmortemSections } from "../../domain/assistant/model-text.ts";
import type { Incident } from "../../domain/incident.ts";
import { askAssistant, whyNotAsk } from "../assistant/ask.ts";
import { assistantFailedText } from "../../slack/blocks/assistant.ts";
import { renderPostmortem, TemplateError } from "../../postmortem/render.ts";

/** Errors that mean "no canvases here": publish a file instead. */
const CANVAS_UNAVAILABLE = new Set([
  "canvas_disabled_user_team",
  "team_tier_cannot_create_channel_canvases",
  "free_teams_cannot_create_standalone_canvases",
  "free_teams_cannot_create_non_tabbed_canvases",
  "free_team_canvas_tab_already_exists",
  "free_teams_cannot_edit_standalone_canvases",
  "canvas_creation_failed",
  "channel_canvas_creation_failed",
  "canvas_tab_creation_failed",
  "canvas_editing_failed",
  "canvas_editing_locked",
  "restricted_action",
  "missing_scope",
  "not_allowed_token_type",
  "unknown_method",
]);

interface Published {
  kind: "canvas" | "file";
  id: string;
  link: string;
}

async function notice(ctx: Ctx, key: string, channel: string, text: string): Promise<void> {
  await ctx.once.post(key, { channel, text });
}

async function publishCanvas(ctx: Ctx, channel: string, title: string, markdown: string, existing: string | null): Promise<Published> {
  const content = { type: "markdown", markdown };
  const link = (id: string) => `${ctx.bot.teamUrl.replace(/\/?$/, "/")}docs/${ctx.bot.teamId}/${id}`;
  const edit = async (id: string) => {
    await ctx.slack.call("canvases.edit", { canvas_id: id, changes: [{ operation: "replace", document_content: content }] });
    return { kind: "canvas" as const, id, link: link(id) };
  };
  if (existing) {
    try {
      return await edit(existing);
    } catch (err) {
      if (!isSlackError(err, "canvas_not_found")) throw err;
    }
  }
  try {
    // the channel canvas: one per channel, so a retry after a crash finds it instead of making another
    const r = await ctx.slack.call<{ ok: boolean; canvas_id: string }>("conversations.canvases.create", { channel_id: channel, title, document_content: content });
    return { kind: "canvas", id: r.canvas_id, link: link(r.canvas_id) };
  } catch (err) {
    if (!isSlackError(err, "channel_canvas_already_exists")) throw err;
    const info = await ctx.slack.call<{ ok: boolean; channel: { properties?: { canvas?: { file_id?: string } } } }>("conversations.info", { channel });
    const id = info.channel.properties?.canvas?.file_id;
    if (!id) throw err;
    return edit(id);
  }
}

async function publishFile(ctx: Ctx, key: string, channel: string, incidentNumber: number, title: string, markdown: string): Promise<Published> {
  return ctx.once.run(key, "files.uploadV2", async () => {
    try {
      const r = (await ctx.slack.client.filesUploadV2({
        channel_id: channel,
        content: markdown,
        filename: `postmortem-inc-${incidentNumber}.md`,
        title,
        initial_comment: "The postmortem draft, as a Markdown file (canvases are not available in this workspace).",
      })) as { files?: { files?: { id?: string; permalink?: string }[] }[] };
      const file = r.files?.[0]?.files?.[0];
      const id = file?.id ?? "";
      return { kind: "file" as const, id, link: file?.permalink ?? `${ctx.bot.teamUrl.replace(/\/?$/, "/")}files/${ctx.bot.userId}/${id}` };
    } catch (err) {
      throw toSlackError("files.uploadV2", err);
    }
  });
}

export const POSTMORTEM_JOB = jobType({
  kind: "postmortem.draft",
  payload: z.object({ requestedBy: z.string().optional() }),
  failure: "publish the postmortem draft of",
  run: (ctx, _p, job) => draftPostmortem(ctx, job),
});

/** One pending draft per incident: asking again while one waits changes nothing. */
export function postmortemJob(incidentId: string, requestedBy?: string) {
  return draft(POSTMORTEM_JOB, requestedBy ? { requestedBy } : {}, { incidentId, dedupeKey: `postmortem:${incidentId}` });
}

/** A Markdown section of a canvas may be long; the two together stay well inside a canvas. */
const AI_MAX_CHARS = 12_000;

/**
 * What the model wrote, kept for the job that asked (a retry after a failed publish does not ask again,
 * nor wait another 30 s). A few entries: one per draft in flight.
 */
const written = new Map<string, { ai: PostmortemAi | null; note?: string }>();

/** The summary and narrative from the assistant, or null with the line to say why (null, no line: it is off). */
async function aiSections(ctx: Ctx, incident: Incident, jobId: string): Promise<{ ai: PostmortemAi | null; note?: string }> {
  const kept = written.get(jobId);
  if (kept) return kept;
  if (!ctx.assistant) return { ai: null };
  const refusal = whyNotAsk(ctx, incident);
  if (refusal) return { ai: null };
  const asked = await askAssistant(ctx, "postmortem", incident, {
    // the draft is never delayed longer than this
    budgetMs: ctx.assistant.budgetsMs.postmortem,
    flavour: "markdown",
    maxChars: AI_MAX_CHARS,
    maxTokens: 2000,
    reject: (text) => (postmortemSections(text) ? undefined : "its answer had no Summary and Narrative sections"),
  });
  const sections = asked.ok ? postmortemSections(asked.text) : undefined;
  const result = asked.ok && sections ? { ai: { ...sections, model: asked.model } } : { ai: null, note: assistantFailedText(asked.ok ? "its answer had no Summary and Narrative sections" : asked.why, asked.ok ? undefined : asked.ref, "The draft was written without its summary and narrative.") };
  if (written.size > 50) written.clear();
  written.set(jobId, result);
  return result;
}

async function draftPostmortem(ctx: Ctx, job: ClaimedJob): Promise<void> {
  const incident = job.incidentId ? await loadIncident(ctx.db, job.incidentId) : undefined;
  if (!incident) return;
  const channel = channelOf(incident);
  const ref = incidentRef(incident);
  const now = ctx.clock.now();

  const fromModel = await aiSections(ctx, incident, String(job.id));
  let rendered: Awaited<ReturnType<typeof renderPostmortem>>;
  try {
    rendered = await renderPostmortem(ctx.config.incident.templatesDir, await postmortemData(ctx.db, ctx.users, ctx.config, incident.id, now, ctx.bot.userId, fromModel.ai));
  } catch (err) {
    if (!(err instanceof TemplateError)) throw err;
    // the built-in template itself failed: a bug, said plainly; retrying would fail the same way
    ctx.log.error({ incident: incident.id, err }, "the built-in postmortem template failed");
    await ctx.db.postmortem.upsert({ where: { incidentId: incident.id }, create: { incidentId: incident.id, markdown: "", template: "built-in", renderedAt: now, lastError: err.message }, update: { lastError: err.message } });
    await notice(ctx, `pm:error:${job.id}`, channel, `:warning: The postmortem draft of ${ref} could not be written (${escapeMrkdwn(err.message)}). The incident stays resolved; \`/incident postmortem\` retries.`);
    return;
  }
  const row = await ctx.db.postmortem.upsert({
    where: { incidentId: incident.id },
    create: { incidentId: incident.id, markdown: rendered.markdown, template: rendered.template, renderedAt: now },
    update: { markdown: rendered.markdown, template: rendered.template, renderedAt: now, lastError: null },
  });
  if (rendered.fallback) {
    const f = rendered.fallback;
    await notice(ctx, `pm:fallback:${job.id}`, channel, `:warning: Your postmortem template failed (${escapeMrkdwn(f.file)}${f.line ? `, line ${f.line}` : ""}: ${escapeMrkdwn(f.reason)}), so the draft uses the built-in template. Fix the template and run \`/incident postmortem\` to redraft.`);
  }

  const title = truncate(`Postmortem: ${ref} ${incident.title}`, 200);
  let published: Published;
  try {
    try {
      published = await publishCanvas(ctx, channel, title, rendered.markdown, row.canvasId);
    } catch (err) {
      if (!isSlackError(err) || !CANVAS_UNAVAILABLE.has(err.code)) throw err;
      ctx.log.info({ incident: incident.id, code: err.code }, "canvases unavailable; publishing the postmortem as a file");
      published = await publishFile(ctx, `pm:file:${job.id}`, channel, incident.number, title, rendered.markdown);
    }
  } catch (err) {
    if (!isSlackError(err) || err.transient || err.code.startsWith("http_") || err.code === "network" || err.code === "timeout") throw err;
    const reason = explainSlackError(err);
    ctx.log.error({ incident: incident.id, method: err.method, code: err.code }, "could not publish the postmortem");
    await ctx.db.postmortem.update({ where: { incidentId: incident.id }, data: { lastError: `${err.method}: ${err.code}` } });
    await notice(ctx, `pm:error:${job.id}`, channel, `:warning: The postmortem draft of ${ref} is written but could not be published: ${reason} The incident stays resolved; \`/incident postmortem\` retries.`);
    return;
  }
  const publishedAt = ctx.clock.now();
  await ctx.db.$transaction(async (tx) => {
    await tx.postmortem.update({
      where: { incidentId: incident.id },
      data: { ...(published.kind === "canvas" ? { canvasId: published.id } : { fileId: published.id }), permalink: published.link, publishedAt, lastError: null },
    });
    // once per draft (this job), however often it runs
    await recordWebhooks(
      ctx,
      tx,
      incident,
      [{ type: "postmortem.drafted", data: { postmortem: { canvas_id: published.kind === "canvas" ? published.id : null, file_id: published.kind === "file" ? published.id : null, link: published.link, template: rendered.template, redraft: Boolean(row.publishedAt) } } }],
      publishedAt,
      `postmortem:${job.id}`,
    );
    await enqueue(tx, commitJobs(ctx, incident.id, "drafted"), publishedAt);
  });
  ctx.kick();
  const ready = postmortemReady(incident, published.link, published.kind, Boolean(row.publishedAt), fromModel.ai ? "ai" : fromModel.note);
  await ctx.once.post(`pm:ready:${job.id}`, { channel, text: ready.text, blocks: ready.blocks });
  written.delete(String(job.id));
  await autoTickNow(ctx, incident.id, ["postmortem_drafted"]);
  ctx.log.info({ incident: incident.id, via: published.kind, template: rendered.template, ai: Boolean(fromModel.ai) }, "postmortem published");
}
