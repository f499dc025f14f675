// The declaration sequence after the record (channel, invites, topic, opening message, pin, broadcast)
// and the confirmation, as one durable job. Every step is idempotent or logged in the effect log, so a retry after a failure or a
// crash finishes what is missing and repeats nothing. After the channel exists, the independent
// calls run together: invites, topic, opening message, broadcast, confirmation; then the pin.
// Slack errors that retrying cannot fix are degraded (said in the channel, logged), not retried forever.

import { DateTime } from "luxon";
import { z } from "zod";
import { channelName } from "../../domain/channel-name.ts";
import { type Incident, incidentRef, participants } from "../../domain/incident.ts";
import { requireSeverity } from "../../domain/severity.ts";
import { escapeMrkdwn } from "../../domain/text.ts";
import { enqueue } from "../../store/jobs.ts";
import { RetryJobError } from "../../scheduler/worker.ts";
import { isSlackError, SlackCallError } from "../../slack/api.ts";
import { announceDeclared, declaredConfirmation } from "../../slack/blocks/war-room/announcements.ts";
import { channelTopic, openingMessage } from "../../slack/blocks/war-room/opening-message.ts";
import { roleBrief } from "../../slack/blocks/war-room/role-brief.ts";
import { postToResponseUrl } from "../../slack/respond.ts";
import { loadIncident } from "../../store/incidents.ts";
import { autoTickNow, postChecklist, templateFallback } from "./checklist.ts";
import type { Ctx } from "../context.ts";
import { wakeWaitingJobs } from "../notify.ts";
import { explainSlackError } from "../../slack/explain.ts";
import { refreshJob } from "../effects.ts";
import { draft, jobType } from "../job-type.ts";

export const PROVISION_JOB = jobType({
  kind: "incident.provision",
  /** checklistFallback: the team's checklist template failed to read when the incident was declared. */
  payload: z.object({ checklistFallback: templateFallback.optional() }),
  failure: "finish setting up",
  run: async (ctx, p, job) => {
    if (job.incidentId) await provision(ctx, job.incidentId, p.checklistFallback);
  },
});

export function provisionJob(incidentId: string, checklistFallback?: z.infer<typeof templateFallback>) {
  return draft(PROVISION_JOB, checklistFallback ? { checklistFallback } : {}, { incidentId, dedupeKey: `provision:${incidentId}` });
}

export async function provision(ctx: Ctx, incidentId: string, checklistFallback?: z.infer<typeof templateFallback>): Promise<void> {
  let incident = await loadIncident(ctx.db, incidentId);
  if (!incident) return;
  if (!incident.channelId) incident = await createChannel(ctx, incident);
  const channel = incident.channelId as string;
  // each time, not only after creating it: a crash may fall between recording the channel and these
  await autoTickNow(ctx, incident.id, ["channel_created"]);
  await wakeWaitingJobs(ctx, incident.id);

  const transient: unknown[] = [];
  const degraded: { name: StepName; err: SlackCallError }[] = [];
  const step = async (name: StepName, run: () => Promise<void>) => {
    try {
      await run();
    } catch (err) {
      if (err instanceof SlackCallError && !passing(err)) {
        ctx.log.error({ incident: incidentId, step: name, method: err.method, code: err.code }, "declaration step failed for good; carrying on without it");
        degraded.push({ name, err });
        return;
      }
      // each is logged; the job retries them all (the first is its error)
      ctx.log.warn({ incident: incidentId, step: name, err }, "declaration step failed; will retry");
      transient.push(err);
    }
  };

  await Promise.all([
    step("invite", () => invite(ctx, incident, channel)),
    step("topic", () => setTopic(ctx, incident, channel)),
    step("opening", async () => {
      await postOpening(ctx, incident, channel);
    }),
    step("announce", () => announce(ctx, incident, channel)),
    step("confirm", () => confirm(ctx, incident, channel)),
    step("brief", () => briefCommander(ctx, incident)),
  ]);
  // after the opening message, so it reads first
  await Promise.all([step("pin", () => pinOpening(ctx, incidentId, channel)), step("checklist", () => postChecklist(ctx, incident, `checklist:${incidentId}`, checklistFallback))]);
  // what could not be done is said in the channel, once per step and cause
  for (const { name, err } of degraded) {
    await ctx.once
      .post(`notice:declare:${incidentId}:${name}:${err.code}`, { channel, text: `:warning: I could not ${STEP_WHAT[name](incident)}: ${explainSlackError(err)}` })
      .catch((e: unknown) => ctx.log.warn({ incident: incidentId, err: e }, "could not say in the channel what went wrong"));
  }
  if (transient.length > 0) {
    throw transient[0] instanceof Error ? transient[0] : new RetryJobError(String(transient[0]));
  }
}

type StepName = "invite" | "topic" | "opening" | "announce" | "confirm" | "brief" | "pin" | "checklist";

const STEP_WHAT: Record<StepName, (incident: Incident) => string> = {
  invite: () => "invite everyone to this channel",
  topic: () => "set the channel topic",
  opening: () => "post the opening message",
  announce: () => "announce the incident",
  confirm: (i) => `confirm the declaration to <@${i.declaredBy}>`,
  brief: (i) => `send <@${i.roles.ic ?? i.declaredBy}> the Incident Commander's brief`,
  pin: () => "pin the opening message",
  checklist: () => "post the checklist",
};

/** A failure that may clear up by itself (rate limit, 5xx, timeout, network). */
function passing(err: SlackCallError): boolean {
  return err.transient || err.code.startsWith("http_") || err.code === "network" || err.code === "timeout";
}

async function createChannel(ctx: Ctx, incident: Incident): Promise<Incident> {
  const declaredAt = DateTime.fromJSDate(incident.declaredAt).setZone(ctx.config.incident.timezone);
  const created = await ctx.once.createChannel(
    `channel:${incident.id}`,
    (attempt) => channelName({ prefix: incident.isDrill ? ctx.config.incident.drillChannelPrefix : ctx.config.incident.channelPrefix, declaredAt, title: incident.title, number: incident.number, attempt }),
    incident.isPrivate,
    async (channelId) => (await ctx.db.incident.count({ where: { channelId, NOT: { id: incident.id } } })) === 0,
  );
  // bookkeeping, not a decision: no version bump, so concurrent role claims are not disturbed
  await ctx.db.incident.update({ where: { id: incident.id }, data: { channelId: created.id, channelName: created.name } });
  ctx.log.info({ incident: incident.id, channel: created.id, name: created.name }, "incident channel created");
  return { ...incident, channelId: created.id, channelName: created.name };
}

async function invite(ctx: Ctx, incident: Incident, channel: string): Promise<void> {
  const users = participants(incident).filter((u) => u !== ctx.bot.userId);
  if (users.length === 0) return;
  await ctx.slack.callUnless("conversations.invite", { channel, users: users.join(","), force: true }, "already_in_channel");
}

async function setTopic(ctx: Ctx, incident: Incident, channel: string): Promise<void> {
  const severity = requireSeverity(ctx.config.incident.severities, incident.severity);
  const icName = incident.roles.ic ? await ctx.users.name(incident.roles.ic) : undefined;
  await ctx.slack.call("conversations.setTopic", { channel, topic: channelTopic(incident, severity, icName) });
}

async function postOpening(ctx: Ctx, incident: Incident, channel: string): Promise<void> {
  const severity = requireSeverity(ctx.config.incident.severities, incident.severity);
  const message = openingMessage(incident, severity);
  const posted = await ctx.once.post(`opening:${incident.id}`, { channel, text: message.text, blocks: message.blocks });
  await ctx.db.incident.update({ where: { id: incident.id }, data: { openingTs: posted.ts } });
  await wakeWaitingJobs(ctx, incident.id);
  // anything that changed while the message was being posted is rendered by a refresh
  const now = await loadIncident(ctx.db, incident.id);
  if (now && now.version !== incident.version) {
    await enqueue(ctx.db, [refreshJob(incident.id, { topic: true })], ctx.clock.now());
    ctx.kick();
  }
}

async function pinOpening(ctx: Ctx, incidentId: string, channel: string): Promise<void> {
  const incident = await loadIncident(ctx.db, incidentId);
  if (!incident?.openingTs) return;
  const ts = incident.openingTs;
  await ctx.once.run(`pin:${incidentId}`, "pins.add", async () => {
    await ctx.slack.callUnless("pins.add", { channel, timestamp: ts }, "already_pinned");
    return { ts };
  });
}

async function announce(ctx: Ctx, incident: Incident, channel: string): Promise<void> {
  const configured = ctx.config.incident.announceChannel;
  // a private incident's existence, title and people stay inside its channel
  // a private incident's existence stays inside its channel; a drill is practice, not news
  if (!configured || incident.isPrivate || incident.isDrill) return;
  const target = await ctx.channels.resolve(configured);
  const severity = requireSeverity(ctx.config.incident.severities, incident.severity);
  const message = announceDeclared(incident, severity, channel);
  try {
    await ctx.once.post(`announce:declared:${incident.id}`, { channel: target, text: message.text, blocks: message.blocks, unfurl_links: false });
  } catch (err) {
    if (!isSlackError(err) || err.transient) throw err;
    // the announce channel is misconfigured or unreachable: say so where people will see it, once
    await ctx.once.post(`notice:announce:${incident.id}`, {
      channel,
      text: `:warning: I could not announce ${incidentRef(incident)} in ${escapeMrkdwn(configured)}: ${explainSlackError(err)}`,
    });
    ctx.log.error({ incident: incident.id, method: err.method, code: err.code, channel: target }, "could not announce the incident");
  }
}

/** The first Incident Commander gets their role's brief like every later holder. */
async function briefCommander(ctx: Ctx, incident: Incident): Promise<void> {
  const ic = incident.roles.ic;
  if (!ic || ic === ctx.bot.userId) return;
  const brief = roleBrief(incident, requireSeverity(ctx.config.incident.severities, incident.severity), "ic");
  await ctx.once.post(`brief:${incident.id}:declared:${ic}`, { channel: ic, text: brief.text, blocks: brief.blocks });
}

async function confirm(ctx: Ctx, incident: Incident, channel: string): Promise<void> {
  const message = declaredConfirmation(incident, channel);
  const row = await ctx.db.incident.findUnique({ where: { id: incident.id }, select: { responseUrl: true } });
  await ctx.once.run(`confirm:${incident.id}`, "response_url", async () => {
    if (row?.responseUrl) {
      try {
        await postToResponseUrl(row.responseUrl, { response_type: "ephemeral", replace_original: true, text: message.text, blocks: message.blocks });
        return { via: "response_url" };
      } catch (err) {
        ctx.log.warn({ err, incident: incident.id }, "response_url failed; confirming by DM instead");
      }
    }
    await ctx.slack.call("chat.postMessage", { channel: incident.declaredBy, text: message.text, blocks: message.blocks });
    return { via: "dm" };
  });
}
