// Events API deliveries, recorded before they are acknowledged (an "inbox"): the event id and the job
// that acts on it are written in one transaction, then Slack gets its 200. A delivery Slack retries
// (X-Slack-Retry-Num) or repeats finds its id already recorded and changes nothing. If the database
// cannot take it, Slack gets a 500 and delivers it again later.
//
// In HTTP mode the bot answers event requests itself (Bolt acknowledges events before any listener
// runs, which would acknowledge work not yet recorded). In Socket Mode the envelope is taken from Bolt
// the same way (app.ts): recorded, then acknowledged.

import { HTTPModuleFunctions } from "@slack/bolt";
import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import type { Ctx } from "../../incidents/context.ts";
import { homeJob } from "../../incidents/numbers/home.ts";
import { draft } from "../../incidents/job-type.ts";
import { recordEvent as recordEventJob } from "../../incidents/requests.ts";
import { CAPTURE_JOB } from "../../incidents/war-room/timeline.ts";
import type { JobDraft } from "../../store/jobs.ts";
import { channelId, userId } from "./payloads.ts";

/** Reactions that add a message to the timeline. */
export const TIMELINE_REACTIONS = new Set(["pushpin", "round_pushpin"]);

const envelope = z.object({
  type: z.literal("event_callback"),
  event_id: z.string().min(1).max(200),
  event: z.object({ type: z.string() }).passthrough(),
});

const pinAdded = z.object({
  type: z.literal("pin_added"),
  user: userId,
  channel_id: channelId,
  item: z.object({
    type: z.string(),
    message: z.object({ ts: z.string(), text: z.string().optional(), user: z.string().optional(), bot_id: z.string().optional() }).passthrough().optional(),
  }),
});

const reactionAdded = z.object({
  type: z.literal("reaction_added"),
  user: userId,
  reaction: z.string(),
  item: z.object({ type: z.string(), channel: channelId.optional(), ts: z.string().optional() }),
});

const homeOpened = z.object({ type: z.literal("app_home_opened"), user: userId, tab: z.string().optional() });

export type Recorded = "recorded" | "duplicate" | "ignored";

/** What an event asks of us, as a job; undefined when it asks nothing. */
function jobFor(event: { type: string }): JobDraft | undefined {
  switch (event.type) {
    case "pin_added": {
      const e = pinAdded.safeParse(event);
      if (!e.success || e.data.item.type !== "message" || !e.data.item.message) return undefined;
      const m = e.data.item.message;
      return draft(CAPTURE_JOB, { channel: e.data.channel_id, ts: m.ts, via: "pin", by: e.data.user, message: { channel: e.data.channel_id, ts: m.ts, author: m.user ?? m.bot_id ?? null, text: m.text ?? "" } });
    }
    case "reaction_added": {
      const e = reactionAdded.safeParse(event);
      if (!e.success || !TIMELINE_REACTIONS.has(e.data.reaction) || e.data.item.type !== "message" || !e.data.item.channel || !e.data.item.ts) return undefined;
      return draft(CAPTURE_JOB, { channel: e.data.item.channel, ts: e.data.item.ts, via: "reaction", by: e.data.user });
    }
    case "app_home_opened": {
      const e = homeOpened.safeParse(event);
      if (!e.success || (e.data.tab !== undefined && e.data.tab !== "home")) return undefined;
      return homeJob(e.data.user);
    }
    default:
      return undefined;
  }
}

export async function recordEvent(ctx: Ctx, body: unknown): Promise<Recorded> {
  const parsed = envelope.safeParse(body);
  if (!parsed.success) return "ignored";
  const job = jobFor(parsed.data.event);
  if (!job) return "ignored";
  return (await recordEventJob(ctx, parsed.data.event_id, job)) ? "recorded" : "duplicate";
}

/** HTTP mode: verify (as Bolt does), record, then answer. */
export function eventsRequestHandler(ctx: Ctx, signingSecret: string) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let raw: string;
    try {
      const buffered = await HTTPModuleFunctions.parseAndVerifyHTTPRequest({ enabled: true, signingSecret, bodyLimit: 1024 * 1024 }, req);
      raw = buffered.rawBody.toString("utf8");
    } catch (err) {
      const tooLarge = HTTPModuleFunctions.isRawBodyError(err) && (err.type === "entity.too.large" || err.statusCode === 413);
      ctx.log.warn({ reason: (err as Error).message }, "rejected an events request");
      HTTPModuleFunctions.buildNoBodyResponse(res, tooLarge ? 413 : 401);
      return;
    }
    let body: { type?: string; challenge?: string };
    try {
      body = JSON.parse(raw) as typeof body;
    } catch {
      HTTPModuleFunctions.buildNoBodyResponse(res, 400);
      return;
    }
    if (body.type === "url_verification" && typeof body.challenge === "string") {
      HTTPModuleFunctions.buildUrlVerificationResponse(res, body);
      return;
    }
    try {
      const outcome = await recordEvent(ctx, body);
      if (outcome === "duplicate") ctx.log.debug({ retry: req.headers["x-slack-retry-num"] }, "event already recorded");
      HTTPModuleFunctions.buildNoBodyResponse(res, 200);
    } catch (err) {
      ctx.log.error({ err }, "could not record an event; Slack will deliver it again");
      HTTPModuleFunctions.buildNoBodyResponse(res, 500);
    }
  };
}
