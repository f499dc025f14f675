// The timeline that writes itself: notes by command (echoed in the channel), and messages added by
// the "Add to incident timeline" shortcut, by pinning them, or by a :pushpin: reaction, each at the
// message's original time with its author and a permalink, and each once however often Slack
// delivers the event.

import { slackTextToSafe, truncate } from "../../domain/text.ts";
import { z } from "zod";
import { enqueue } from "../../store/jobs.ts";
import { isSlackError } from "../../slack/api.ts";
import { noteEcho } from "../../slack/blocks/war-room/updates.ts";
import { addTimeline, claimRequest, DuplicateRequestError, findByChannel } from "../../store/incidents.ts";
import type { Ctx } from "../context.ts";
import { postJob } from "../effects.ts";
import { jobType } from "../job-type.ts";

export type CaptureVia = "shortcut" | "pin" | "reaction";

/** Adds a note; false when its request was already carried out (a redelivery). */
export async function addNote(ctx: Ctx, input: { incidentId: string; text: string; actor: string; requestKey?: string }): Promise<boolean> {
  const now = ctx.clock.now();
  const echo = noteEcho(input.text, input.actor);
  try {
    await ctx.db.$transaction(async (tx) => {
      await claimRequest(tx, input.requestKey);
      await addTimeline(tx, input.incidentId, now, [{ kind: "note", actorId: input.actor, text: input.text }]);
      const entry = await tx.timelineEntry.findFirst({ where: { incidentId: input.incidentId, kind: "note" }, orderBy: { id: "desc" }, select: { id: true } });
      await enqueue(tx, [postJob(input.incidentId, `note:${input.incidentId}:${entry?.id ?? now.getTime()}`, echo.text, echo.blocks)], now);
    });
  } catch (err) {
    if (err instanceof DuplicateRequestError) return false;
    throw err;
  }
  ctx.kick();
  return true;
}

export function permalink(ctx: Ctx, channel: string, ts: string): string {
  return `${ctx.bot.teamUrl.replace(/\/?$/, "/")}archives/${channel}/p${ts.replace(".", "")}`;
}

export interface CapturedMessage {
  channel: string;
  ts: string;
  /** The author's user id (or a bot id). */
  author: string | null;
  /** As Slack sent it (its mrkdwn, with tokens). */
  text: string;
}

/** Adds a message to its incident's timeline; "already" when it is on it. */
export async function captureMessage(ctx: Ctx, incidentId: string, message: CapturedMessage, via: CaptureVia, addedBy: string): Promise<"added" | "already"> {
  const sourceKey = `msg:${message.channel}:${message.ts}`;
  const at = new Date(Math.round(Number(message.ts) * 1000));
  const safe = truncate(slackTextToSafe(message.text || "(a message without text)"), 3000);
  const added = await addTimeline(
    ctx.db,
    incidentId,
    Number.isFinite(at.getTime()) ? at : ctx.clock.now(),
    [{ kind: "message", actorId: message.author, text: safe, data: { via, addedBy } }],
    { sourceKey, permalink: permalink(ctx, message.channel, message.ts) },
  );
  return added > 0 ? "added" : "already";
}

type HistoryMessage = { ts: string; text?: string; user?: string; bot_id?: string };

const captured = z.object({ channel: z.string(), ts: z.string(), author: z.string().nullable(), text: z.string() });

/** A :pushpin: reaction or a pin (events.ts): fetch the message if needed, then capture it. */
export const CAPTURE_JOB = jobType({
  kind: "timeline.capture",
  payload: z.object({ channel: z.string(), ts: z.string(), via: z.enum(["pin", "reaction"]), by: z.string().default(""), message: captured.optional() }),
  failure: "add a message to the timeline of",
  async run(ctx, p) {
    const { channel, ts } = p;
    const incident = await findByChannel(ctx.db, channel);
    if (!incident) return;
    let message: CapturedMessage | undefined = p.message;
    if (!message) {
      try {
        const r = await ctx.slack.call<{ ok: boolean; messages?: HistoryMessage[] }>("conversations.history", { channel, latest: ts, oldest: ts, inclusive: true, limit: 1 });
        const m = r.messages?.find((x) => x.ts === ts);
        // a reply in a thread is not in the channel's history: keep the link without the text
        message = m ? { channel, ts, author: m.user ?? m.bot_id ?? null, text: m.text ?? "" } : { channel, ts, author: null, text: "(a reply in a thread: follow the link)" };
      } catch (err) {
        if (!isSlackError(err, "channel_not_found", "not_in_channel")) throw err;
        return;
      }
    }
    await captureMessage(ctx, incident.id, message, p.via, p.by);
  },
});
